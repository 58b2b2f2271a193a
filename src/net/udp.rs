//! [`UdpSocket`]: datagrams.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use crate::net::poll_evented::PollEvented;
use crate::reactor::io::Direction;

/// A UDP socket. All methods take `&self`, so one task may send while
/// another receives (share it with an `Arc`).
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (the first of its addresses that works).
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let addrs = crate::net::resolve(addr)?;
        let socket = crate::net::each_addr(&addrs, mio::net::UdpSocket::bind)?;
        UdpSocket::new(socket)
    }

    fn new(socket: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: PollEvented::new(socket, mio::Interest::READABLE | mio::Interest::WRITABLE)?,
        })
    }

    /// Sends one datagram to `target` (its first address); returns the
    /// bytes sent. Cancellation-safe.
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = crate::net::resolve(target)?[0];
        poll_fn(|cx| {
            self.io
                .poll_io(Direction::Write, cx, |s| s.send_to(buf, target))
        })
        .await
    }

    /// Receives one datagram; returns its length and sender. A datagram
    /// longer than `buf` is truncated. Cancellation-safe.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        poll_fn(|cx| {
            self.io
                .poll_io(Direction::Read, cx, |s| s.recv_from(&mut *buf))
        })
        .await
    }

    /// Sets the default peer for [`send`](Self::send) and
    /// [`recv`](Self::recv), and filters received datagrams to it.
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let addrs = crate::net::resolve(addr)?;
        crate::net::each_addr(&addrs, |a| self.io.get_ref().connect(a))
    }

    /// Sends one datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.io.poll_io(Direction::Write, cx, |s| s.send(buf))).await
    }

    /// Receives one datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.io.poll_io(Direction::Read, cx, |s| s.recv(&mut *buf))).await
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Wraps a std socket (made non-blocking here) and registers it with
    /// the current worker's reactor.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::new(mio::net::UdpSocket::from_std(socket))
    }

    /// Deregisters the socket and returns it as a std socket (still in
    /// non-blocking mode).
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        self.io.into_inner().map(Into::into)
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}
