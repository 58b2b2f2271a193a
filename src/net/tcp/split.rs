//! Halves of a [`TcpStream`], to read and write at the same time.
//!
//! Both kinds of halves are thin wrappers around `&TcpStream`: reading and
//! writing use different waker slots in the registration, so one task (or
//! future) may wait to read while another waits to write.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;

use super::TcpStream;

/// The read half of [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a> {
    stream: &'a TcpStream,
}

/// The write half of [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a> {
    stream: &'a TcpStream,
}

/// The read half of [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf {
    stream: Arc<TcpStream>,
}

/// The write half of [`TcpStream::into_split`]; dropping it shuts down the
/// write side of the connection.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    stream: Arc<TcpStream>,
    /// Cleared by `reunite`, which hands the stream back whole.
    shutdown_on_drop: bool,
}

/// [`OwnedReadHalf::reunite`] was given halves of two different streams.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl Error for ReuniteError {}

macro_rules! read_methods {
    () => {
        /// Reads into `buf` (see [`TcpStream::read`]).
        pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.stream.read_shared(buf).await
        }

        /// Reads exactly `buf.len()` bytes (see [`TcpStream::read_exact`]).
        pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.stream.read_exact_shared(buf).await
        }

        /// The remote address.
        pub fn peer_addr(&self) -> io::Result<SocketAddr> {
            self.stream.peer_addr()
        }

        /// The local address.
        pub fn local_addr(&self) -> io::Result<SocketAddr> {
            self.stream.local_addr()
        }
    };
}

macro_rules! write_methods {
    () => {
        /// Writes some of `buf` (see [`TcpStream::write`]).
        pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.stream.write_shared(buf).await
        }

        /// Writes all of `buf` (see [`TcpStream::write_all`]).
        pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
            self.stream.write_all_shared(buf).await
        }

        /// Shuts down the write side of the connection.
        pub fn shutdown(&self) -> io::Result<()> {
            self.stream.shutdown(Shutdown::Write)
        }

        /// The remote address.
        pub fn peer_addr(&self) -> io::Result<SocketAddr> {
            self.stream.peer_addr()
        }

        /// The local address.
        pub fn local_addr(&self) -> io::Result<SocketAddr> {
            self.stream.local_addr()
        }
    };
}

impl<'a> ReadHalf<'a> {
    pub(super) fn new(stream: &'a TcpStream) -> Self {
        ReadHalf { stream }
    }
    read_methods!();
}

impl<'a> WriteHalf<'a> {
    pub(super) fn new(stream: &'a TcpStream) -> Self {
        WriteHalf { stream }
    }
    write_methods!();
}

impl OwnedReadHalf {
    pub(super) fn new(stream: Arc<TcpStream>) -> Self {
        OwnedReadHalf { stream }
    }
    read_methods!();

    /// Puts the two halves of one stream back together.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.stream, &other.stream) {
            return Err(ReuniteError(self, other));
        }
        let mut other = other;
        // The stream lives on whole: the write half must not shut it down.
        other.shutdown_on_drop = false;
        let stream = self.stream.clone();
        drop(self);
        drop(other);
        Ok(Arc::into_inner(stream).expect("both halves were given back"))
    }
}

impl OwnedWriteHalf {
    pub(super) fn new(stream: Arc<TcpStream>) -> Self {
        OwnedWriteHalf {
            stream,
            shutdown_on_drop: true,
        }
    }
    write_methods!();
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            let _ = self.stream.shutdown(Shutdown::Write);
        }
    }
}
