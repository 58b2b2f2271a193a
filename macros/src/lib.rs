//! The attribute macros of spool: `#[spool::main]` and `#[spool::test]`.
//!
//! Both turn an `async fn` into a plain `fn` that builds a spool runtime
//! and runs the body with `Runtime::block_on` (on worker 0, the calling
//! thread). Use them through the `spool` crate (feature `macros`, on by
//! default), which re-exports them; the expansion names `::spool`.
//!
//! ```text
//! #[spool::test(start_paused = true, seed = 7)]      #[test]
//! async fn t() -> R { BODY }                    ──►   fn t() -> R {
//!                                                         let body = async { BODY };
//!                                                         ::spool::Builder::new()
//!                                                             .start_paused(true).seed(7)
//!                                                             .build().expect(..)
//!                                                             .block_on(body)
//!                                                     }
//! ```
//!
//! Arguments are checked here, so that a mistake is a compile error that
//! points at the wrong argument rather than a panic when the test runs.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ItemFn, Lit, MetaNameValue, ReturnType, Token};

/// Runs an `async fn` on a spool runtime: `#[spool::main]` (one worker)
/// or `#[spool::main(workers = N)]` (the body runs on worker 0).
///
/// ```ignore
/// #[spool::main]
/// async fn main() {
///     spool::spawn(async { println!("hello") }).await.unwrap();
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Main, args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// A test whose body is `async`, run on a fresh spool runtime:
/// `#[spool::test]`, optionally with `workers = N`, `start_paused = true`
/// (a paused clock, see `spool::time::pause`) and `seed = N` (a seeded
/// schedule, see `spool::Builder::seed`). Without `seed`, the `SPOOL_SEED`
/// environment variable gives one, to replay a failing seed.
///
/// ```ignore
/// #[spool::test(start_paused = true)]
/// async fn an_hour_takes_no_time() {
///     spool::time::sleep(std::time::Duration::from_secs(3600)).await;
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(Kind::Test, args.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Main,
    Test,
}

impl Kind {
    fn attr(self) -> &'static str {
        match self {
            Kind::Main => "#[spool::main]",
            Kind::Test => "#[spool::test]",
        }
    }

    fn accepted(self) -> &'static str {
        match self {
            Kind::Main => "`workers = N`",
            Kind::Test => "`workers = N`, `start_paused = true` and `seed = N`",
        }
    }
}

/// The parsed arguments, each with the span of its `name = value`.
#[derive(Default)]
struct Args {
    workers: Option<(usize, Span)>,
    start_paused: Option<(bool, Span)>,
    seed: Option<(u64, Span)>,
}

fn parse_args(kind: Kind, args: TokenStream2) -> syn::Result<Args> {
    let list = Punctuated::<MetaNameValue, Token![,]>::parse_terminated
        .parse2(args)
        .map_err(|e| {
            syn::Error::new(
                e.span(),
                format!(
                    "{}: expected arguments of the form `name = value`; it takes {}",
                    kind.attr(),
                    kind.accepted()
                ),
            )
        })?;
    let mut out = Args::default();
    for arg in list {
        let span = arg.span();
        let name = arg
            .path
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match (kind, name.as_str()) {
            (_, "workers") => {
                let n: usize = int(&arg.value, "workers", "workers = 4")?;
                if n == 0 {
                    return Err(syn::Error::new(
                        arg.value.span(),
                        "`workers` must be at least 1",
                    ));
                }
                set(&mut out.workers, (n, span), &arg)?;
            }
            (Kind::Test, "start_paused") => {
                let b = boolean(&arg.value, "start_paused")?;
                set(&mut out.start_paused, (b, span), &arg)?;
            }
            (Kind::Test, "seed") => {
                let s: u64 = int(&arg.value, "seed", "seed = 7")?;
                set(&mut out.seed, (s, span), &arg)?;
            }
            _ => {
                return Err(syn::Error::new(
                    arg.path.span(),
                    format!(
                        "{}: unknown argument `{}`; it takes {}",
                        kind.attr(),
                        name,
                        kind.accepted()
                    ),
                ))
            }
        }
    }
    // A paused clock and a seeded schedule belong to one worker.
    if let Some((n, span)) = out.workers {
        if n > 1 {
            let single = [
                out.start_paused
                    .filter(|&(b, _)| b)
                    .map(|_| "start_paused"),
                out.seed.map(|_| "seed"),
            ];
            if let Some(what) = single.into_iter().flatten().next() {
                return Err(syn::Error::new(
                    span,
                    format!("`{what}` needs a single-worker runtime: remove `workers = {n}`"),
                ));
            }
        }
    }
    Ok(out)
}

/// Records `value`, refusing a second occurrence of the argument.
fn set<T>(slot: &mut Option<T>, value: T, arg: &MetaNameValue) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            arg.path.span(),
            "this argument is given twice",
        ));
    }
    *slot = Some(value);
    Ok(())
}

/// An integer literal argument.
fn int<T>(value: &Expr, name: &str, example: &str) -> syn::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse(),
        _ => Err(syn::Error::new(
            value.span(),
            format!("`{name}` takes an integer literal, like `{example}`"),
        )),
    }
}

/// A `true` / `false` argument.
fn boolean(value: &Expr, name: &str) -> syn::Result<bool> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        _ => Err(syn::Error::new(
            value.span(),
            format!("`{name}` takes `true` or `false`"),
        )),
    }
}

fn expand(kind: Kind, args: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let args = parse_args(kind, args)?;
    let mut f: ItemFn = syn::parse2(item)?;
    let sig = &f.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            format!(
                "{} goes on an `async fn`: the `async` keyword is missing",
                kind.attr()
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        return Err(syn::Error::new(
            sig.inputs.span(),
            format!("{} functions take no arguments", kind.attr()),
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(
            sig.generics.span(),
            format!("{} functions cannot be generic", kind.attr()),
        ));
    }
    let mut builder = quote! { ::spool::Builder::new() };
    if let Some((n, _)) = args.workers {
        builder = quote! { #builder.workers(#n) };
    }
    if let Some((b, _)) = args.start_paused {
        builder = quote! { #builder.start_paused(#b) };
    }
    if let Some((s, _)) = args.seed {
        builder = quote! { #builder.seed(#s) };
    }
    let output = match &f.sig.output {
        ReturnType::Default => quote! { () },
        ReturnType::Type(_, ty) => quote! { #ty },
    };
    let body = &f.block;
    let what = kind.attr();
    let span = body.span();
    let new_body = quote_spanned! {span=>
        {
            let body = async move #body;
            // Names the output type for the `?` operator in the body.
            let body: ::core::pin::Pin<&mut dyn ::core::future::Future<Output = #output>> =
                ::core::pin::pin!(body);
            #builder
                .build()
                .expect(concat!(#what, ": failed to build the spool runtime"))
                .block_on(body)
        }
    };
    f.sig.asyncness = None;
    f.block = syn::parse2(new_body)?;
    let test_attr = match kind {
        Kind::Test => quote! { #[::core::prelude::v1::test] },
        Kind::Main => quote! {},
    };
    Ok(quote! {
        #test_attr
        #f
    })
}
