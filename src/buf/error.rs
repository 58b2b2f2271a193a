//! [`RentError`]: a buffer the pool could not provide.

use std::collections::TryReserveError;
use std::error::Error;
use std::fmt;

/// A [`BufferPool`](super::BufferPool) could not provide a buffer of the
/// requested size: the size exceeds what a Rust allocation may hold
/// (`isize::MAX` bytes), or the allocator refused the memory.
///
/// Returned by [`BufferPool::try_rent`](super::BufferPool::try_rent);
/// [`rent`](super::BufferPool::rent) panics with the same message.
///
/// ```
/// use spool::buf::BufferPool;
///
/// let err = BufferPool::new().try_rent(usize::MAX).unwrap_err();
/// assert_eq!(err.requested(), usize::MAX);
/// assert!(err.to_string().contains("buffer pool"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RentError {
    requested: usize,
    allocation: usize,
    cause: TryReserveError,
}

impl RentError {
    pub(super) fn new(requested: usize, allocation: usize, cause: TryReserveError) -> RentError {
        RentError {
            requested,
            allocation,
            cause,
        }
    }

    /// The `min_len` that was asked for.
    pub fn requested(&self) -> usize {
        self.requested
    }
}

impl fmt::Display for RentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "buffer pool: cannot rent a buffer of {} bytes",
            self.requested
        )?;
        if self.allocation != self.requested {
            write!(f, " (its size class is {} bytes)", self.allocation)?;
        }
        write!(f, ": {}", self.cause)
    }
}

impl Error for RentError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.cause)
    }
}

/// `len` zero bytes, or the allocator's refusal instead of an abort.
///
/// A `Vec` reserved fallibly, then filled: `vec![0; len]` would be a
/// `calloc` (lazily zeroed pages for large sizes) but aborts the process
/// when the allocator says no.
pub(super) fn alloc_zeroed(len: usize) -> Result<Box<[u8]>, TryReserveError> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)?;
    v.resize(len, 0);
    Ok(v.into_boxed_slice())
}
