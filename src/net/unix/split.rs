//! Halves of a [`UnixStream`], to read and write at the same time (defined
//! by `define_halves!`, shared with TCP: see `net/split.rs`).

use super::{SocketAddr, UnixStream};

define_halves!(UnixStream, SocketAddr);
