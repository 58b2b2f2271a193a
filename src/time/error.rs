//! The error of a [`timeout`](super::timeout) whose deadline passed first.

use std::error::Error;
use std::fmt;

/// The deadline of a [`Timeout`](super::Timeout) passed before its future
/// finished (the future was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(pub(super) ());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}
