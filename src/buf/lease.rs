//! [`Lease`]: a rented buffer that goes back to its pool when dropped.
//!
//! # Invariants
//!
//! - A pooled lease owns its buffer and one `Arc` of its pool; its length is
//!   a class size, from which the class is recomputed on return (so a lease
//!   is three words).
//! - An unpooled (oversized) lease has no pool and frees its buffer on drop.
//! - `Drop` runs on whichever thread drops the lease, including during a
//!   panic's unwind and during thread-local destruction; `local::give_back`
//!   copes with all of them.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::local;
use super::pool::PoolInner;

/// A buffer rented from a [`BufferPool`](super::BufferPool).
///
/// Derefs to the whole class-sized `[u8]` (so it can be passed wherever a
/// `&mut [u8]` is wanted, e.g. a socket read); dropping it returns the buffer
/// to its pool. A lease is `Send` and `'static`: it may be stored in a
/// struct, moved to another thread or task, and dropped there.
///
/// ```
/// use std::io::Read;
/// use spool::buf::BufferPool;
///
/// let mut lease = BufferPool::shared().rent(16);
/// let n = (&b"some bytes"[..]).read(&mut lease).unwrap();
/// assert_eq!(&lease[..n], b"some bytes");
/// ```
pub struct Lease {
    buf: Box<[u8]>,
    /// `None` for an oversized lease, and once `Drop` has taken it.
    pool: Option<Arc<PoolInner>>,
}

impl Lease {
    #[inline]
    pub(super) fn pooled(buf: Box<[u8]>, pool: Arc<PoolInner>) -> Lease {
        Lease {
            buf,
            pool: Some(pool),
        }
    }

    pub(super) fn unpooled(buf: Box<[u8]>) -> Lease {
        Lease { buf, pool: None }
    }
}

impl Deref for Lease {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        &self.buf
    }
}

impl DerefMut for Lease {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl AsRef<[u8]> for Lease {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl AsMut<[u8]> for Lease {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

impl Drop for Lease {
    #[inline]
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            // An empty boxed slice does not allocate.
            let buf = std::mem::take(&mut self.buf);
            local::give_back(pool, buf);
        }
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("len", &self.buf.len())
            .field("pooled", &self.pool.is_some())
            .finish()
    }
}
