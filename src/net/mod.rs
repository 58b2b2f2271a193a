//! Networking: [`TcpListener`], [`TcpStream`], [`UdpSocket`] and, on Unix,
//! [`UnixListener`], [`UnixStream`] and [`UnixDatagram`], on mio.
//!
//! Each socket is a mio socket plus a registration with the reactor of the
//! worker that created it (`PollEvented`, in `poll_evented.rs`). Every
//! operation is the same three steps: spend one unit of the task's
//! cooperative budget, wait until the direction is (believed) ready, try
//! the syscall; `WouldBlock` clears readiness and waits again. So:
//!
//! - every OS error comes back as an `io::Error`, never as a panic;
//! - `read`, `write`, `accept`, `recv_from` and `send_to` are
//!   cancellation-safe: dropping the future before it completes loses no
//!   data, because a syscall either completes inside one poll or does
//!   nothing (`read_exact` and `write_all`, which loop, are not: like
//!   tokio's, dropping one may lose the part already transferred);
//! - a task that always finds data yields after the budget (128 operations)
//!   so that timers and other tasks still run.
//!
//! Sockets are `Send` and `Sync`: a socket moved to another worker keeps
//! working, its readiness still delivered by the reactor that registered it
//! (cross-thread wakes, slower). To hand a connection to another worker
//! properly, convert it with [`TcpStream::into_std`] and re-wrap it there
//! with [`TcpStream::from_std`].
//!
//! Addresses ([`ToSocketAddrs`], in `addr.rs`): literals are parsed at once;
//! host names are resolved on the blocking pool ([`lookup_host`]), so a slow
//! DNS server never stalls a worker. `connect` tries every resolved address
//! in turn.
//!
//! Byte streams ([`TcpStream`], [`UnixStream`] and their halves) share one
//! implementation (`PollEvented`'s stream methods, `split.rs` for the
//! halves, `io_traits.rs` for the traits): the `async` methods, the poll
//! API (`poll_read`, `poll_write`, `poll_write_vectored`), the readiness
//! API (`readable` / `try_read`, `writable` / `try_write`), and
//! `futures_io::AsyncRead + AsyncWrite` (tokio's too, with the `tokio-io`
//! feature).
//!
//! ```
//! spool::block_on(async {
//!     let listener = spool::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let client = spool::spawn(async move {
//!         let mut s = spool::net::TcpStream::connect(addr).await?;
//!         s.write_all(b"ping").await?;
//!         let mut buf = [0; 4];
//!         s.read_exact(&mut buf).await?;
//!         std::io::Result::Ok(buf)
//!     });
//!     let (mut conn, _) = listener.accept().await?;
//!     let mut buf = [0; 4];
//!     conn.read_exact(&mut buf).await?;
//!     conn.write_all(&buf).await?;
//!     assert_eq!(&client.await.unwrap()?, b"ping");
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```

#[macro_use]
mod io_traits;
#[macro_use]
mod split;

pub(crate) mod addr;
mod poll_evented;
pub mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

pub use self::addr::{lookup_host, ToSocketAddrs};
pub use self::tcp::{TcpListener, TcpStream};
pub use self::udp::UdpSocket;
#[cfg(unix)]
pub use self::unix::{UnixDatagram, UnixListener, UnixStream};
