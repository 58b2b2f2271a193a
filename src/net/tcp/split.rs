//! Halves of a [`TcpStream`], to read and write at the same time (defined
//! by `define_halves!`, shared with the Unix stream: see `net/split.rs`).

use std::net::SocketAddr;

use super::TcpStream;

define_halves!(TcpStream, SocketAddr);
