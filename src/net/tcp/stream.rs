//! [`TcpStream`]: a connected TCP socket.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::poll_evented::PollEvented;
use crate::net::ToSocketAddrs;
use crate::reactor::io::Direction;

/// A connected TCP socket.
///
/// Reading and writing need `&mut self`; to read and write at the same time
/// from two futures, use [`split`](Self::split) (borrowed halves) or
/// [`into_split`](Self::into_split) (owned halves for two tasks). The read
/// and write directions have separate waker slots, so the two never wake
/// each other needlessly.
///
/// Besides the `async` methods, a stream has the poll API
/// ([`poll_read`](Self::poll_read), [`poll_write`](Self::poll_write),
/// [`poll_write_vectored`](Self::poll_write_vectored)), the readiness API
/// ([`readable`](Self::readable) / [`try_read`](Self::try_read),
/// [`writable`](Self::writable) / [`try_write`](Self::try_write)) and
/// implements `futures_io::AsyncRead + AsyncWrite` (and tokio's with the
/// `tokio-io` feature), so futures-io and tokio libraries take it as it is.
///
/// ```
/// use spool::net::{TcpListener, TcpStream};
///
/// spool::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let server = spool::spawn(async move {
///         let (mut conn, _) = listener.accept().await?;
///         conn.write_all(b"hello").await?;
///         std::io::Result::Ok(())
///     });
///     let mut stream = TcpStream::connect(addr).await?;
///     let mut buf = [0; 5];
///     stream.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hello");
///     server.await.unwrap()?;
///     // The peer closed its side: reads now give 0.
///     assert_eq!(stream.read(&mut buf).await?, 0);
///     std::io::Result::Ok(())
/// })
/// .unwrap();
/// ```
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

    /// The registered socket (for the halves).
    pub(crate) fn io(&self) -> &PollEvented<mio::net::TcpStream> {
        &self.io
    }

    /// Connects to `addr`, trying each of its addresses in turn until one
    /// works (the last error if none does). A literal address is used at
    /// once; a host name is resolved on the blocking pool first (see
    /// [`lookup_host`](crate::net::lookup_host)).
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let addrs = crate::net::addr::resolve(&addr).await?;
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
        self.io.read(buf).await
    }

    /// Reads exactly `buf.len()` bytes; returns that length. Fails with
    /// `UnexpectedEof` if the peer closes first. Not cancellation-safe.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_exact(buf).await
    }

    /// Writes some of `buf`; returns how many bytes were written.
    /// Cancellation-safe.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io.write(buf).await
    }

    /// Writes all of `buf`. Not cancellation-safe (a prefix may have been
    /// written when the future is dropped).
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.io.write_all(buf).await
    }

    /// Polls a read into `buf`: `Ready(Ok(n))` with the bytes read (`0` at
    /// the end of the stream or for an empty `buf`), or `Pending` with the
    /// task's waker stored until the socket turns readable. The poll form
    /// of [`read`](Self::read), for hand-written futures and trait impls.
    pub fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read(cx, buf)
    }

    /// Polls a write of some of `buf` (the poll form of
    /// [`write`](Self::write)).
    pub fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    /// Polls a write of some of `bufs`, in order, with one `writev` system
    /// call; returns the total bytes written.
    pub fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }

    /// Waits until the socket is (believed) readable. Then
    /// [`try_read`](Self::try_read) usually succeeds; it may still give
    /// `WouldBlock` (a spurious wake-up): wait again.
    pub async fn readable(&self) -> io::Result<()> {
        self.io.ready(Direction::Read).await
    }

    /// Waits until the socket is (believed) writable (see
    /// [`readable`](Self::readable)).
    pub async fn writable(&self) -> io::Result<()> {
        self.io.ready(Direction::Write).await
    }

    /// Polls for read readiness (the poll form of
    /// [`readable`](Self::readable)).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Direction::Read, cx)
    }

    /// Polls for write readiness (the poll form of
    /// [`writable`](Self::writable)).
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(Direction::Write, cx)
    }

    /// Reads what the socket holds now, without waiting: the bytes read
    /// (`0` at the end of the stream), or an error of kind `WouldBlock` if
    /// there is nothing yet. Takes `&self`, like tokio's.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_read(buf)
    }

    /// Writes what fits now, without waiting, or `WouldBlock`.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_write(buf)
    }

    /// Writes what fits of `bufs` now (one `writev`), or `WouldBlock`.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.try_write_vectored(bufs)
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
}

impl_async_read!([] TcpStream);
impl_async_write!([] TcpStream, |s| s.shutdown(Shutdown::Write));

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .finish()
    }
}
