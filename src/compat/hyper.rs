//! hyper 1.x on spool: [`SpoolIo`], [`SpoolExecutor`], [`SpoolTimer`]
//! (feature `hyper`).
//!
//! hyper 1.x is runtime-agnostic: it asks for its own `rt::Read` /
//! `rt::Write` on connections, an `rt::Executor` to spawn HTTP/2 streams and
//! an `rt::Timer` for its timeouts. These three types are spool's answers,
//! shaped like hyper-util's `TokioIo` / `TokioExecutor` / `TokioTimer`:
//!
//! - [`SpoolIo<T>`] wraps any spool stream (anything implementing
//!   `futures_io::AsyncRead + AsyncWrite`: [`TcpStream`], `UnixStream`, their
//!   owned halves, or a futures-io TLS stream over them);
//! - [`SpoolExecutor`] spawns hyper's background futures with
//!   [`spool::spawn`](crate::spawn) on the current worker, so they need not be
//!   `Send`;
//! - [`SpoolTimer`] hands out spool's own [`Sleep`](crate::time::Sleep), and
//!   resets it in place (`Sleep::reset`, no allocation) when hyper moves a
//!   deadline.
//!
//! # Reads without `unsafe`
//!
//! hyper reads into an uninitialised buffer (`ReadBufCursor`) whose "mark
//! these bytes filled" method is `unsafe`. To keep this module free of
//! `unsafe`, [`SpoolIo`] reads into a per-thread scratch buffer (zeroed
//! once, reused by every connection of the thread) and hands hyper the
//! bytes with the safe `put_slice`: one `memcpy` of the bytes actually read,
//! which next to the system call is noise (see `BENCHMARKS.md`, HTTP).
//!
//! ```
//! use http_body_util::Full;
//! use hyper::body::Bytes;
//! use spool::compat::hyper::{SpoolExecutor, SpoolIo, SpoolTimer};
//!
//! spool::block_on(async {
//!     let listener = spool::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     spool::spawn(async move {
//!         let (conn, _) = listener.accept().await.unwrap();
//!         let service = hyper::service::service_fn(|_req| async {
//!             Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from("hi"))))
//!         });
//!         hyper::server::conn::http1::Builder::new()
//!             .timer(SpoolTimer::new())
//!             .serve_connection(SpoolIo::new(conn), service)
//!             .await
//!             .unwrap();
//!     });
//!     let stream = spool::net::TcpStream::connect(addr).await?;
//!     let (mut sender, conn) = hyper::client::conn::http1::handshake(SpoolIo::new(stream))
//!         .await
//!         .unwrap();
//!     spool::spawn(conn);
//!     let req = hyper::Request::get("/").body(Full::new(Bytes::new())).unwrap();
//!     let res = sender.send_request(req).await.unwrap();
//!     assert_eq!(res.status(), 200);
//!     let _ = SpoolExecutor::new(); // for HTTP/2: http2::Builder::new(SpoolExecutor::new())
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```
//!
//! [`TcpStream`]: crate::net::TcpStream

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt;
use pin_project_lite::pin_project;

pin_project! {
    /// hyper's `rt::Read + rt::Write` over a futures-io stream (any spool
    /// stream). Also passes `futures_io::AsyncRead + AsyncWrite` through, so a
    /// wrapped stream can still be used directly.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct SpoolIo<T> {
        #[pin]
        inner: T,
    }
}

impl<T> SpoolIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> SpoolIo<T> {
        SpoolIo { inner }
    }

    /// The wrapped stream.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// Size of the per-thread scratch buffer reads go through.
const SCRATCH: usize = 16 * 1024;

thread_local! {
    /// The read scratch buffer of this thread (`None` while lent out, so a
    /// re-entrant read just allocates its own).
    static SCRATCH_BUF: RefCell<Option<Box<[u8]>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's scratch buffer.
fn with_scratch<R>(f: impl FnOnce(&mut [u8]) -> R) -> R {
    let mut buf = SCRATCH_BUF
        .with(|s| s.borrow_mut().take())
        .unwrap_or_else(|| vec![0u8; SCRATCH].into_boxed_slice());
    let out = f(&mut buf);
    SCRATCH_BUF.with(|s| *s.borrow_mut() = Some(buf));
    out
}

impl<T: futures_io::AsyncRead> rt::Read for SpoolIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let want = buf.remaining().min(SCRATCH);
        let inner = self.project().inner;
        with_scratch(|scratch| {
            let n = ready!(inner.poll_read(cx, &mut scratch[..want]))?;
            buf.put_slice(&scratch[..n]);
            Poll::Ready(Ok(()))
        })
    }
}

/// Methods of [`SpoolIo`] that only hand the call to the wrapped stream:
/// `name => inner_name(args) -> T;` is `name(self, cx, args)` returning
/// `inner.inner_name(cx, args)`, of type `Poll<io::Result<T>>`.
macro_rules! forward {
    ($($name:ident => $inner:ident($($arg:ident: $ty:ty),*) -> $out:ty;)*) => {$(
        fn $name(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            $($arg: $ty),*
        ) -> Poll<io::Result<$out>> {
            self.project().inner.$inner(cx, $($arg),*)
        }
    )*};
}

/// The write side, the same for hyper's `rt::Write` and futures-io's
/// `AsyncWrite` but for the name of the closing method (`$close`).
macro_rules! forward_writes {
    ($close:ident) => {
        forward! {
            poll_write => poll_write(buf: &[u8]) -> usize;
            poll_write_vectored => poll_write_vectored(bufs: &[io::IoSlice<'_>]) -> usize;
            poll_flush => poll_flush() -> ();
            $close => poll_close() -> ();
        }
    };
}

impl<T: futures_io::AsyncWrite> rt::Write for SpoolIo<T> {
    forward_writes!(poll_shutdown);

    fn is_write_vectored(&self) -> bool {
        // spool's streams write vectors with one `writev`; other
        // futures-io streams fall back to writing the first buffer, which
        // is still correct.
        true
    }
}

impl<T: futures_io::AsyncRead> futures_io::AsyncRead for SpoolIo<T> {
    forward! {
        poll_read => poll_read(buf: &mut [u8]) -> usize;
    }
}

impl<T: futures_io::AsyncWrite> futures_io::AsyncWrite for SpoolIo<T> {
    forward_writes!(poll_close);
}

/// hyper's `rt::Executor`: spawns with [`spool::spawn`](crate::spawn) on
/// the current worker (HTTP/2 servers and clients need one).
///
/// # Panics
///
/// `execute` panics outside a spool worker, like `spool::spawn`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SpoolExecutor {
    _priv: (),
}

impl SpoolExecutor {
    /// An executor for the current worker.
    pub fn new() -> SpoolExecutor {
        SpoolExecutor { _priv: () }
    }
}

impl<F> rt::Executor<F> for SpoolExecutor
where
    F: Future + 'static,
    F::Output: 'static,
{
    fn execute(&self, fut: F) {
        // Detached: hyper tracks its own background futures.
        drop(crate::spawn(fut));
    }
}

/// hyper's `rt::Timer` on spool's timers (`Sleep`, reset in place).
///
/// # Panics
///
/// `sleep` / `sleep_until` panic outside a spool runtime, like
/// [`spool::time::sleep`](crate::time::sleep).
#[derive(Debug, Default, Clone, Copy)]
pub struct SpoolTimer {
    _priv: (),
}

impl SpoolTimer {
    /// A timer for the current runtime.
    pub fn new() -> SpoolTimer {
        SpoolTimer { _priv: () }
    }
}

impl rt::Timer for SpoolTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn rt::Sleep>> {
        Box::pin(crate::time::sleep(duration))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn rt::Sleep>> {
        Box::pin(crate::time::sleep_until(deadline))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<crate::time::Sleep>() {
            // spool's `Sleep` is `Unpin`: moved in place, same heap entry.
            Some(s) => s.get_mut().reset(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// spool's `Sleep` is `Send + Sync` and hyper's `Sleep` needs nothing more.
impl rt::Sleep for crate::time::Sleep {}
