//! The halves of a split byte stream, defined once for TCP and Unix.
//!
//! `define_halves!(TcpStream, SocketAddr)` (in `tcp/split.rs`; likewise in
//! `unix/split.rs`) defines `ReadHalf<'a>` / `WriteHalf<'a>` (from
//! `split`, borrowing the stream) and `OwnedReadHalf` / `OwnedWriteHalf`
//! (from `into_split`, sharing it through an `Arc`), plus `ReuniteError`.
//!
//! Every half is a thin wrapper around `&Stream`: the stream does all of its
//! I/O through `&self` (see `PollEvented`), and reading and writing use
//! different waker slots in the registration, so one task (or future) may
//! wait to read while another waits to write. A read half has the read side
//! of the stream's API (`read`, `read_exact`, `poll_read`, `readable`,
//! `try_read`, `AsyncRead`); a write half the write side (`write`,
//! `write_all`, `poll_write`, `poll_write_vectored`, `writable`,
//! `try_write`, `shutdown`, `AsyncWrite`).

/// Defines the four halves of `$stream` (whose addresses are `$addr`) in
/// the calling module.
macro_rules! define_halves {
    ($stream:ident, $addr:ty) => {
        use std::error::Error;
        use std::fmt;
        use std::io::{self, IoSlice};
        use std::net::Shutdown;
        use std::sync::Arc;
        use std::task::{Context, Poll};

        use crate::reactor::io::Direction;

        #[doc = concat!("The read half of [`", stringify!($stream), "::split`].")]
        #[derive(Debug)]
        pub struct ReadHalf<'a> {
            stream: &'a $stream,
        }

        #[doc = concat!("The write half of [`", stringify!($stream), "::split`].")]
        #[derive(Debug)]
        pub struct WriteHalf<'a> {
            stream: &'a $stream,
        }

        #[doc = concat!("The read half of [`", stringify!($stream), "::into_split`].")]
        #[derive(Debug)]
        pub struct OwnedReadHalf {
            stream: Arc<$stream>,
        }

        #[doc = concat!("The write half of [`", stringify!($stream), "::into_split`]; ")]
        /// dropping it shuts down the write side of the connection.
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            stream: Arc<$stream>,
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

        macro_rules! both_sides {
            () => {
                /// The remote address.
                pub fn peer_addr(&self) -> io::Result<$addr> {
                    self.stream.peer_addr()
                }

                /// The local address.
                pub fn local_addr(&self) -> io::Result<$addr> {
                    self.stream.local_addr()
                }
            };
        }

        macro_rules! read_side {
            () => {
                #[doc = concat!("Reads into `buf` (see [`", stringify!($stream), "::read`]).")]
                pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    self.stream.io().read(buf).await
                }

                #[doc = concat!("Reads exactly `buf.len()` bytes (see [`", stringify!($stream), "::read_exact`]).")]
                pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    self.stream.io().read_exact(buf).await
                }

                #[doc = concat!("Polls a read into `buf` (see [`", stringify!($stream), "::poll_read`]).")]
                pub fn poll_read(
                    &mut self,
                    cx: &mut Context<'_>,
                    buf: &mut [u8],
                ) -> Poll<io::Result<usize>> {
                    self.stream.io().poll_read(cx, buf)
                }

                /// Waits until the stream is (believed) readable.
                pub async fn readable(&self) -> io::Result<()> {
                    self.stream.io().ready(Direction::Read).await
                }

                #[doc = concat!("Reads what is there now (see [`", stringify!($stream), "::try_read`]).")]
                pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                    self.stream.io().try_read(buf)
                }

                both_sides!();
            };
        }

        macro_rules! write_side {
            () => {
                #[doc = concat!("Writes some of `buf` (see [`", stringify!($stream), "::write`]).")]
                pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                    self.stream.io().write(buf).await
                }

                #[doc = concat!("Writes all of `buf` (see [`", stringify!($stream), "::write_all`]).")]
                pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
                    self.stream.io().write_all(buf).await
                }

                #[doc = concat!("Polls a write of `buf` (see [`", stringify!($stream), "::poll_write`]).")]
                pub fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
                    self.stream.io().poll_write(cx, buf)
                }

                /// Polls a write of `bufs`, in order, with one system call.
                pub fn poll_write_vectored(
                    &mut self,
                    cx: &mut Context<'_>,
                    bufs: &[IoSlice<'_>],
                ) -> Poll<io::Result<usize>> {
                    self.stream.io().poll_write_vectored(cx, bufs)
                }

                /// Waits until the stream is (believed) writable.
                pub async fn writable(&self) -> io::Result<()> {
                    self.stream.io().ready(Direction::Write).await
                }

                #[doc = concat!("Writes what fits now (see [`", stringify!($stream), "::try_write`]).")]
                pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                    self.stream.io().try_write(buf)
                }

                /// Shuts down the write side of the connection: the peer reads
                /// the end of the stream.
                pub fn shutdown(&self) -> io::Result<()> {
                    self.stream.shutdown(Shutdown::Write)
                }

                both_sides!();
            };
        }

        impl<'a> ReadHalf<'a> {
            pub(super) fn new(stream: &'a $stream) -> Self {
                ReadHalf { stream }
            }
            read_side!();
        }

        impl<'a> WriteHalf<'a> {
            pub(super) fn new(stream: &'a $stream) -> Self {
                WriteHalf { stream }
            }
            write_side!();
        }

        impl OwnedReadHalf {
            pub(super) fn new(stream: Arc<$stream>) -> Self {
                OwnedReadHalf { stream }
            }
            read_side!();

            /// Puts the two halves of one stream back together.
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
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
            pub(super) fn new(stream: Arc<$stream>) -> Self {
                OwnedWriteHalf {
                    stream,
                    shutdown_on_drop: true,
                }
            }
            write_side!();
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    let _ = self.stream.shutdown(Shutdown::Write);
                }
            }
        }

        impl_async_read!(['a] ReadHalf<'a>);
        impl_async_read!([] OwnedReadHalf);
        impl_async_write!(['a] WriteHalf<'a>, |h| h.shutdown());
        impl_async_write!([] OwnedWriteHalf, |h| h.shutdown());
    };
}
