//! Synchronisation between tasks: channels, locks, a semaphore and
//! notifications, with tokio's names and semantics.
//!
//! - [`mpsc`]: bounded and unbounded multi-producer channels.
//! - [`oneshot`]: a channel for one value.
//! - [`Semaphore`]: a counting semaphore with RAII [`SemaphorePermit`]s
//!   (and [`OwnedSemaphorePermit`]s for spawned tasks).
//! - [`Mutex`] and [`RwLock`]: async locks whose guards may be held across
//!   `.await`, fair (first come, first served).
//! - [`Notify`]: wake one waiting task (or store a permit) or all of them.
//! - [`watch`]: the latest value, for many readers (configuration reload).
//! - [`broadcast`]: every value to every receiver, from a bounded ring.
//! - [`Barrier`]: `n` tasks wait for each other, round after round.
//!
//! Everything here is `Send + Sync` when the data is `Send`, so the two
//! ends of a channel may sit on different workers; every future returned
//! is `Send` too.
//!
//! # How it is built
//!
//! Two pieces carry every primitive:
//!
//! - the **wait list** (`wait_list.rs`): a slab-backed FIFO of parked
//!   futures that lives under its owner's lock and allocates nothing once
//!   warm;
//! - the **permit core** (`permits.rs`): FIFO hand-out of interchangeable
//!   units on top of the wait list. The bounded channel counts its slots
//!   with it under the channel's own lock; the semaphore
//!   (`batch_semaphore.rs`) puts an atomic count of free permits in front
//!   of it so that an uncontended acquire or release is one
//!   compare-and-swap, and [`Mutex`] (one permit) and [`RwLock`] (a read
//!   is one permit, a write all of them) are that semaphore plus an
//!   `UnsafeCell`.
//!
//! Three rules hold throughout:
//!
//! 1. Waiters are served in FIFO order; a newcomer never jumps the queue.
//! 2. No waker is woken while a lock is held: wakers are taken out under
//!    the lock and woken after it is released.
//! 3. Every operation that could wait first spends one unit of the
//!    cooperative budget (`crate::coop::poll_proceed`), so a task that
//!    always finds its channel ready still yields regularly.
//!
//! Every future is cancel-safe as tokio documents for the same method:
//! dropping it loses no message, permit, lock hand-off or wake-up.

mod barrier;
mod batch_semaphore;
mod blocking;
pub mod broadcast;
#[cfg(all(test, spool_loom))]
mod loom_tests;
pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod permits;
mod rwlock;
mod semaphore;
mod wait_list;
pub mod watch;

pub use barrier::{Barrier, BarrierWait, BarrierWaitResult};
pub use mutex::{Lock, LockOwned, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use rwlock::{Read, RwLock, RwLockReadGuard, RwLockWriteGuard, Write};
pub use semaphore::{
    Acquire, AcquireError, AcquireOwned, OwnedSemaphorePermit, Semaphore, SemaphorePermit,
    TryAcquireError,
};
