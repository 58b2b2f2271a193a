//! [`TcpListener`]: accepts connections.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use super::TcpStream;
use crate::net::poll_evented::PollEvented;
use crate::net::ToSocketAddrs;
use crate::reactor::io::Direction;

/// A TCP socket that listens for connections.
///
/// Accepted streams are registered with the reactor of the worker that
/// polls `accept` (normally the listener's own).
pub struct TcpListener {
    io: PollEvented<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (the first of its addresses that works), with
    /// `SO_REUSEADDR` set, and starts listening. A literal address is used
    /// at once; a host name is resolved on the blocking pool first.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let addrs = crate::net::addr::resolve(&addr).await?;
        let listener = crate::net::addr::each_addr(&addrs, mio::net::TcpListener::bind)?;
        TcpListener::new(listener)
    }

    fn new(listener: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: PollEvented::new(listener, mio::Interest::READABLE)?,
        })
    }

    /// Waits for a connection; returns the stream and the peer's address.
    ///
    /// Cancellation-safe: a connection is never accepted and then lost.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection (see [`accept`](Self::accept)).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        self.io
            .poll_io(Direction::Read, cx, |l| l.accept())
            .map(|r| r.and_then(|(s, addr)| Ok((TcpStream::new(s)?, addr))))
    }

    /// The address this listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Wraps a std listener (made non-blocking here) and registers it with
    /// the current worker's reactor.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a std listener (still in
    /// non-blocking mode).
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        self.io.into_inner().map(Into::into)
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}
