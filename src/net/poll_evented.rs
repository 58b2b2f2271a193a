//! `PollEvented`: a mio socket plus its registration with a reactor.
//!
//! The socket (`io`) is `Some` for the whole life of the value; it is taken
//! out only by [`PollEvented::into_inner`] and by `Drop`, which both
//! deregister it from epoll *before* the registration releases its slab key
//! (field drop order runs after `Drop::drop`), so a reused key never
//! receives the old socket's events.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, Read, Write};
use std::task::{Context, Poll};

use crate::reactor::io::{Direction, Registration};

/// A registered mio socket.
pub(crate) struct PollEvented<E: mio::event::Source> {
    io: Option<E>,
    registration: Registration,
}

impl<E: mio::event::Source> PollEvented<E> {
    /// Registers `io` with the current worker's reactor.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub(crate) fn new(mut io: E, interest: mio::Interest) -> io::Result<PollEvented<E>> {
        let registration = Registration::new(&mut io, interest)?;
        Ok(PollEvented {
            io: Some(io),
            registration,
        })
    }

    /// The socket.
    pub(crate) fn get_ref(&self) -> &E {
        self.io.as_ref().expect("socket present until drop")
    }

    /// The registration.
    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }

    /// Runs `op` on the socket once `dir` is ready (see
    /// `Registration::poll_io`).
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&E) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.get_ref();
        self.registration.poll_io(dir, cx, || op(io))
    }

    /// A read or write of `len` bytes (see `Registration::poll_rw`).
    pub(crate) fn poll_rw(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut(&E) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let io = self.get_ref();
        self.registration.poll_rw(dir, cx, len, || op(io))
    }

    /// Deregisters and returns the socket.
    pub(crate) fn into_inner(mut self) -> io::Result<E> {
        let mut io = self.io.take().expect("socket present until drop");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }
}

impl<E: mio::event::Source> PollEvented<E> {
    /// Polls until `dir` is (believed) ready, consuming nothing: the poll
    /// form of `readable()` / `writable()`. Spends no budget.
    pub(crate) fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.registration.poll_ready(dir, cx).map_ok(|_| ())
    }

    /// Waits until `dir` is (believed) ready. A `try_*` call after it may
    /// still find `WouldBlock` (a spurious wake-up); then wait again.
    pub(crate) async fn ready(&self, dir: Direction) -> io::Result<()> {
        poll_fn(|cx| self.poll_ready(dir, cx)).await
    }

    /// Runs `op` once if `dir` is ready (see `Registration::try_io`).
    pub(crate) fn try_io<R>(
        &self,
        dir: Direction,
        op: impl FnOnce(&E) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = self.get_ref();
        self.registration.try_io(dir, || op(io))
    }
}

/// The byte-stream operations shared by `TcpStream`, `UnixStream` and their
/// halves (every one of which reaches its socket through `&self`).
impl<E> PollEvented<E>
where
    E: mio::event::Source,
    for<'a> &'a E: Read + Write,
{
    /// Reads into `buf` once readable; `Ready(Ok(0))` at the end of the
    /// stream or for an empty `buf`.
    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        self.poll_rw(Direction::Read, cx, len, |mut s| s.read(&mut *buf))
    }

    /// Writes some of `buf` once writable.
    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_rw(Direction::Write, cx, buf.len(), |mut s| s.write(buf))
    }

    /// Writes some of `bufs`, in order, with one `writev`.
    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().fold(0usize, |n, b| n.saturating_add(b.len()));
        self.poll_rw(Direction::Write, cx, len, |mut s| s.write_vectored(bufs))
    }

    /// Reads what is there now, or `WouldBlock`.
    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.try_io(Direction::Read, |mut s| s.read(buf))
    }

    /// Writes what fits now, or `WouldBlock`.
    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.try_io(Direction::Write, |mut s| s.write(buf))
    }

    /// Writes what fits of `bufs` now, or `WouldBlock`.
    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.try_io(Direction::Write, |mut s| s.write_vectored(bufs))
    }

    /// Reads into `buf` once readable.
    pub(crate) async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_read(cx, buf)).await
    }

    /// Writes some of `buf` once writable.
    pub(crate) async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_write(cx, buf)).await
    }

    /// Reads until `buf` is full; `UnexpectedEof` if the stream ends first.
    pub(crate) async fn read_exact(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            let n = poll_fn(|cx| self.poll_read(cx, &mut buf[filled..])).await?;
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

    /// Writes every byte of `buf`.
    pub(crate) async fn write_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            let n = poll_fn(|cx| self.poll_write(cx, buf)).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            buf = &buf[n..];
        }
        Ok(())
    }
}

impl<E: mio::event::Source> Drop for PollEvented<E> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Errors are ignored: closing the descriptor right after removes
            // it from epoll anyway.
            let _ = self.registration.deregister(&mut io);
        }
    }
}

impl<E: mio::event::Source + fmt::Debug> fmt::Debug for PollEvented<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollEvented")
            .field("io", &self.io)
            .field("registration", &self.registration)
            .finish()
    }
}
