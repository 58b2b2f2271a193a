//! Addresses: [`ToSocketAddrs`] and [`lookup_host`], name resolution off
//! the worker.
//!
//! The std resolver (`getaddrinfo`) blocks, for as long as the DNS server
//! takes. On a worker thread that would stall every task of the worker, so
//! spool splits the job as tokio does:
//!
//! - a *literal* address (`"127.0.0.1:80"`, `"[::1]:80"`, a `SocketAddr`,
//!   `(IpAddr, u16)`) is parsed at once, on the worker, with no thread hop;
//! - a *name* (`"localhost:80"`, `("example.org", 443)`) is sent to the
//!   blocking pool (`spawn_blocking`), and the task waits for the answer
//!   like for any other I/O.
//!
//! The trait is sealed: it is implemented for the same types as std's
//! `ToSocketAddrs` (minus the iterator types), so code that passed those to
//! std passes them to spool unchanged.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// Types that name one or more socket addresses: `SocketAddr` (and its V4 /
/// V6 forms), `(IpAddr, u16)` (and the V4 / V6 forms), `&str` / `String`
/// (`"host:port"`), `(&str, u16)` / `(String, u16)`, `&[SocketAddr]`, and
/// references to any of these.
///
/// Literal addresses are parsed at once; host names are resolved on the
/// blocking pool (see [`lookup_host`]), never on the worker thread.
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    use std::net::SocketAddr;

    /// What an address argument turns into without blocking.
    #[derive(Debug)]
    pub enum Resolve {
        /// Parsed already (literals, `SocketAddr`s).
        Done(Vec<SocketAddr>),
        /// A host name and port for the blocking resolver.
        Name(String, u16),
        /// A `"host:port"` string for the blocking resolver.
        HostPort(String),
    }

    /// The sealed half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait ToSocketAddrsPriv {
        /// Parses a literal at once, or says what to resolve.
        fn to_resolve(&self) -> Resolve;
    }
}

use sealed::{Resolve, ToSocketAddrsPriv};

macro_rules! literal {
    ($($ty:ty => |$a:ident| $addr:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}
        impl ToSocketAddrsPriv for $ty {
            fn to_resolve(&self) -> Resolve {
                let $a = self;
                Resolve::Done(vec![$addr])
            }
        }
    )*};
}

literal! {
    SocketAddr => |a| *a;
    SocketAddrV4 => |a| SocketAddr::V4(*a);
    SocketAddrV6 => |a| SocketAddr::V6(*a);
    (IpAddr, u16) => |a| SocketAddr::new(a.0, a.1);
    (Ipv4Addr, u16) => |a| SocketAddr::new(IpAddr::V4(a.0), a.1);
    (Ipv6Addr, u16) => |a| SocketAddr::new(IpAddr::V6(a.0), a.1);
}

impl ToSocketAddrs for [SocketAddr] {}
impl ToSocketAddrsPriv for [SocketAddr] {
    fn to_resolve(&self) -> Resolve {
        Resolve::Done(self.to_vec())
    }
}

impl ToSocketAddrs for str {}
impl ToSocketAddrsPriv for str {
    fn to_resolve(&self) -> Resolve {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Resolve::Done(vec![addr]),
            Err(_) => Resolve::HostPort(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl ToSocketAddrsPriv for String {
    fn to_resolve(&self) -> Resolve {
        self.as_str().to_resolve()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl ToSocketAddrsPriv for (&str, u16) {
    fn to_resolve(&self) -> Resolve {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Resolve::Done(vec![SocketAddr::new(ip, port)]),
            Err(_) => Resolve::Name(host.to_owned(), port),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl ToSocketAddrsPriv for (String, u16) {
    fn to_resolve(&self) -> Resolve {
        (self.0.as_str(), self.1).to_resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrsPriv + ?Sized> ToSocketAddrsPriv for &T {
    fn to_resolve(&self) -> Resolve {
        (**self).to_resolve()
    }
}

/// Resolves `host` to its socket addresses: at once for a literal, on the
/// blocking pool (the std resolver) for a name, so a slow DNS server stalls
/// only a blocking thread, never a worker.
///
/// The worker's other tasks keep running while a name is resolved.
/// Fails with the resolver's error, or with `InvalidInput` for a malformed
/// `"host:port"`.
///
/// # Panics
///
/// Outside a spool runtime.
///
/// ```
/// spool::block_on(async {
///     let addrs: Vec<_> = spool::net::lookup_host("localhost:8080").await?.collect();
///     assert!(addrs.iter().all(|a| a.port() == 8080 && a.ip().is_loopback()));
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
pub async fn lookup_host(host: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    Ok(resolve_all(&host).await?.into_iter())
}

/// Every address `addr` names (possibly none), resolved as in
/// [`lookup_host`].
async fn resolve_all<A: ToSocketAddrs + ?Sized>(addr: &A) -> io::Result<Vec<SocketAddr>> {
    let job = match addr.to_resolve() {
        Resolve::Done(addrs) => return Ok(addrs),
        Resolve::Name(host, port) => crate::spawn_blocking(move || {
            std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port)).map(Vec::from_iter)
        }),
        Resolve::HostPort(s) => crate::spawn_blocking(move || {
            std::net::ToSocketAddrs::to_socket_addrs(s.as_str()).map(Vec::from_iter)
        }),
    };
    match job.await {
        Ok(result) => result,
        Err(e) => Err(io::Error::other(format!("name resolution failed: {e}"))),
    }
}

/// At least one address for `addr`, or `InvalidInput`.
pub(crate) async fn resolve<A: ToSocketAddrs + ?Sized>(addr: &A) -> io::Result<Vec<SocketAddr>> {
    let addrs = resolve_all(addr).await?;
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        ));
    }
    Ok(addrs)
}

/// Tries `f` on each address in turn; returns the first success or the
/// last error.
pub(crate) fn each_addr<T>(
    addrs: &[SocketAddr],
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for &addr in addrs {
        match f(addr) {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}
