//! The standard I/O traits on spool's byte streams.
//!
//! Each stream type ([`TcpStream`](super::TcpStream), `UnixStream` and
//! their halves) has inherent `poll_read` / `poll_write` /
//! `poll_write_vectored` methods; the macros here forward the traits to
//! them, so the traits and the inherent API can never disagree:
//!
//! - `futures_io::{AsyncRead, AsyncWrite}` always (futures-io is a crate of
//!   traits only), so `futures::io::copy`, `BufReader`, `asynchronous-codec`
//!   and every futures-io library work on spool streams as they are;
//! - `tokio::io::{AsyncRead, AsyncWrite}` with the `tokio-io` feature
//!   (tokio built with its default features off: the traits, never its
//!   runtime), for `tokio-util` codecs and `hyper-util`'s `TokioIo`.
//!
//! `poll_flush` has nothing to do (spool does not buffer writes);
//! `poll_close` (futures-io) and `poll_shutdown` (tokio) shut down the write
//! side, so the peer reads the end of the stream.

/// `AsyncRead` (futures-io, and tokio's with `tokio-io`) for a type (its
/// generic parameters in brackets first: `[] TcpStream`, `['a] ReadHalf<'a>`) with an
/// inherent `poll_read(&mut self, cx, &mut [u8])`.
macro_rules! impl_async_read {
    ([$($gen:tt)*] $ty:ty) => {
        impl<$($gen)*> futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                <$ty>::poll_read(self.get_mut(), cx, buf)
            }
        }

        #[cfg(feature = "tokio-io")]
        impl<$($gen)*> tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                // `initialize_unfilled` zeroes the uninitialised tail once
                // per `ReadBuf` (tokio tracks what is initialised), which
                // keeps this safe code.
                let n = std::task::ready!(<$ty>::poll_read(
                    self.get_mut(),
                    cx,
                    buf.initialize_unfilled()
                ))?;
                buf.advance(n);
                std::task::Poll::Ready(Ok(()))
            }
        }
    };
}

/// `AsyncWrite` (futures-io, and tokio's with `tokio-io`) for a type with
/// inherent `poll_write` and `poll_write_vectored`; `$shutdown` (a closure
/// over `&Self`) shuts down the write side.
macro_rules! impl_async_write {
    ([$($gen:tt)*] $ty:ty, $shutdown:expr) => {
        impl<$($gen)*> futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                <$ty>::poll_write(self.get_mut(), cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                <$ty>::poll_write_vectored(self.get_mut(), cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let shutdown: fn(&$ty) -> std::io::Result<()> = $shutdown;
                std::task::Poll::Ready(shutdown(self.get_mut()))
            }
        }

        #[cfg(feature = "tokio-io")]
        impl<$($gen)*> tokio::io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                <$ty>::poll_write(self.get_mut(), cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                <$ty>::poll_write_vectored(self.get_mut(), cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn poll_shutdown(
                self: std::pin::Pin<&mut Self>,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                let shutdown: fn(&$ty) -> std::io::Result<()> = $shutdown;
                std::task::Poll::Ready(shutdown(self.get_mut()))
            }
        }
    };
}
