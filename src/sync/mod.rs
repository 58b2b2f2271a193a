//! Synchronisation between tasks: channels and a semaphore.
//!
//! - [`mpsc`]: bounded and unbounded multi-producer channels.
//! - [`oneshot`]: a channel for one value.
//! - [`Semaphore`]: a counting semaphore with RAII [`SemaphorePermit`]s.
//!
//! Everything here is `Send + Sync` when the data is `Send`, so the two
//! ends of a channel may sit on different workers; every future returned
//! is `Send` too. The shared state of each primitive sits behind one
//! `std::sync::Mutex`, which costs two uncontended atomic operations per
//! call on one thread.
//!
//! Three rules hold throughout:
//!
//! 1. Waiters (senders on a full channel, `acquire` calls) queue in a
//!    slab-backed wait list and are served in FIFO order; the list
//!    allocates nothing once warmed up.
//! 2. No waker is woken while a lock is held: wakers are taken out under
//!    the lock and woken after it is released.
//! 3. Every operation that could wait first spends one unit of the
//!    cooperative budget (`crate::coop::poll_proceed`), so a task that
//!    always finds its channel ready still yields regularly.

pub mod mpsc;
pub mod oneshot;
mod semaphore;
mod wait_list;

pub use semaphore::{Acquire, Semaphore, SemaphorePermit, TryAcquireError};
