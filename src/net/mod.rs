//! Networking: [`TcpListener`], [`TcpStream`] and [`UdpSocket`] on mio.
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
//! with [`TcpStream::from_std`]. Address resolution (`ToSocketAddrs`) is the
//! blocking std resolver; pass `SocketAddr`s or IP literals to stay
//! non-blocking.
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

mod poll_evented;
pub mod tcp;
mod udp;

pub use self::tcp::{TcpListener, TcpStream};
pub use self::udp::UdpSocket;

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Resolves `addr` (blocking std resolver) into a list of addresses.
pub(crate) fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
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
    Err(last.expect("resolve returns at least one address"))
}
