//! [`TcpStream`]: a connected TCP socket.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::poll_evented::PollEvented;
use crate::reactor::io::Direction;

/// A connected TCP socket.
///
/// Reading and writing need `&mut self`; to read and write at the same time
/// from two futures, use [`split`](Self::split) (borrowed halves) or
/// [`into_split`](Self::into_split) (owned halves for two tasks). The read
/// and write directions have separate waker slots, so the two never wake
/// each other needlessly.
pub struct TcpStream {
    io: PollEvented<mio::net::TcpStream>,
}

impl TcpStream {
    /// Registers a connected (or connecting) mio stream.
    pub(crate) fn new(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: PollEvented::new(stream, mio::Interest::READABLE | mio::Interest::WRITABLE)?,
        })
    }

    /// Connects to `addr` (each of its addresses in turn until one works).
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let addrs = crate::net::resolve(addr)?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_addr(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("resolve returns at least one address"))
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::new(mio::net::TcpStream::connect(addr)?)?;
        // A non-blocking connect is done when the socket turns writable:
        // then either SO_ERROR holds the failure or the peer address is set.
        poll_fn(|cx| loop {
            let event = ready!(stream.io.registration().poll_ready(Direction::Write, cx))?;
            let sock = stream.io.get_ref();
            if let Some(e) = sock.take_error()? {
                return Poll::Ready(Err(e));
            }
            match sock.peer_addr() {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                    stream.io.registration().clear_readiness(event);
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        })
        .await?;
        Ok(stream)
    }

    /// Reads into `buf`; returns how many bytes were read, `0` once the
    /// peer has closed its side (or if `buf` is empty). Cancellation-safe.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_shared(buf).await
    }

    /// Reads exactly `buf.len()` bytes; returns that length. Fails with
    /// `UnexpectedEof` if the peer closes first. Not cancellation-safe.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_exact_shared(buf).await
    }

    /// Writes some of `buf`; returns how many bytes were written.
    /// Cancellation-safe.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_shared(buf).await
    }

    /// Writes all of `buf`. Not cancellation-safe (a prefix may have been
    /// written when the future is dropped).
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.write_all_shared(buf).await
    }

    /// Shuts down the read side, the write side or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when `true`).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Wraps a connected std stream (made non-blocking here) and registers
    /// it with the current worker's reactor. This is how a connection is
    /// handed to another worker: `into_std` on one, `from_std` on the other.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::new(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream (still in
    /// non-blocking mode, as with tokio; call `set_nonblocking(false)` for
    /// blocking use).
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.io.into_inner().map(Into::into)
    }

    /// Borrowed read and write halves, usable from two futures at once
    /// (for example joined with `spool::future::join`).
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf::new(self), WriteHalf::new(self))
    }

    /// Owned halves, for two tasks. Dropping the write half shuts down the
    /// write side (like tokio); [`OwnedReadHalf::reunite`] puts them back.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let shared = Arc::new(self);
        (
            OwnedReadHalf::new(shared.clone()),
            OwnedWriteHalf::new(shared),
        )
    }

    // Shared by the stream and its halves (all of which hold `&TcpStream`).

    pub(crate) fn poll_read_shared(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.io
            .poll_rw(Direction::Read, cx, len, |mut s| s.read(&mut *buf))
    }

    pub(crate) fn poll_write_shared(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_rw(Direction::Write, cx, buf.len(), |mut s| s.write(buf))
    }

    pub(crate) async fn read_shared(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read_shared(cx, buf)).await
    }

    pub(crate) async fn read_exact_shared(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = poll_fn(|cx| self.poll_read_shared(cx, &mut buf[filled..])).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection before the buffer was filled",
                ));
            }
            filled += n;
        }
        Ok(buf.len())
    }

    pub(crate) async fn write_shared(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write_shared(cx, buf)).await
    }

    pub(crate) async fn write_all_shared(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = poll_fn(|cx| self.poll_write_shared(cx, buf)).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}
