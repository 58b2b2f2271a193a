//! `PollEvented`: a mio socket plus its registration with a reactor.
//!
//! The socket (`io`) is `Some` for the whole life of the value; it is taken
//! out only by [`PollEvented::into_inner`] and by `Drop`, which both
//! deregister it from epoll *before* the registration releases its slab key
//! (field drop order runs after `Drop::drop`), so a reused key never
//! receives the old socket's events.

use std::fmt;
use std::io;
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
