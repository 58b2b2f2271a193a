//! The shareable side of a reactor: what other threads may touch.
//!
//! A [`Reactor`](super::Reactor) is `!Send`: its slabs, its `mio::Poll` and
//! its timer heap are touched only by the worker thread that owns it. Every
//! piece of a reactor that *another* thread may need lives here instead, in
//! one `Arc<Handle>`:
//!
//! - `registry`: a clone of the `mio::Registry`, so an I/O object dropped
//!   (or turned back into a std object) on any thread can deregister its
//!   file descriptor at once (`epoll_ctl` is thread-safe);
//! - `waker`: the `mio::Waker` behind [`Unparker`](super::Unparker);
//! - two *release queues* (a `Mutex<Vec<_>>` each, with an `AtomicBool` that
//!   says "not empty" so the owner checks them without locking): slab keys of
//!   I/O registrations and of timers that were dropped on a thread other
//!   than the owner. Only the owner removes slab entries; it drains these
//!   queues at the start of every [`park`](super::Reactor::park);
//! - `shut_down`: set once the runtime is gone, so that I/O objects that
//!   outlive it report an error instead of waiting forever.
//!
//! Timers do not keep an `Arc<Handle>` (that would cost two atomic operations
//! per armed timer); they remember the reactor's numeric `id` instead. The
//! rare timer dropped on a foreign thread finds its reactor's handle in
//! [`find`], a process-wide list of live reactors. Ids are never reused, so
//! a stale id finds nothing, and nothing is the right thing to do: the
//! reactor that owned the timer is gone, and its slab with it.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// The `Send + Sync` part of one reactor (see the module doc).
pub(crate) struct Handle {
    /// Process-unique, never reused; `0` is never an id.
    pub(crate) id: u64,
    /// Registers and deregisters event sources from any thread.
    pub(crate) registry: mio::Registry,
    /// Interrupts a blocked `epoll_wait` (the unpark path).
    pub(crate) waker: mio::Waker,
    /// Set by `Reactor::shutdown`; read by every readiness poll.
    pub(crate) shut_down: AtomicBool,
    /// True while `released_io` or `released_timers` may be non-empty.
    pub(crate) has_released: AtomicBool,
    /// Slab keys of I/O registrations dropped on a foreign thread.
    pub(crate) released_io: Mutex<Vec<usize>>,
    /// Slab keys of timers dropped (or moved) to a foreign thread.
    pub(crate) released_timers: Mutex<Vec<u32>>,
}

/// Token of the `mio::Waker`; slab keys never reach it.
pub(crate) const WAKE_TOKEN: mio::Token = mio::Token(usize::MAX);

/// Live reactors, for the rare timer released from a foreign thread.
static LIVE: Mutex<Vec<(u64, Weak<Handle>)>> = Mutex::new(Vec::new());

/// Source of reactor ids.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Handle {
    /// Creates the handle for a new reactor whose `Poll` owns `registry`.
    pub(crate) fn new(registry: &mio::Registry) -> io::Result<Arc<Handle>> {
        let handle = Arc::new(Handle {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            registry: registry.try_clone()?,
            waker: mio::Waker::new(registry, WAKE_TOKEN)?,
            shut_down: AtomicBool::new(false),
            has_released: AtomicBool::new(false),
            released_io: Mutex::new(Vec::new()),
            released_timers: Mutex::new(Vec::new()),
        });
        lock(&LIVE).push((handle.id, Arc::downgrade(&handle)));
        Ok(handle)
    }

    /// Removes this handle from the list of live reactors (reactor drop).
    pub(crate) fn forget(&self) {
        lock(&LIVE).retain(|(id, _)| *id != self.id);
    }

    /// Queues an I/O slab key for the owner to free at its next park.
    pub(crate) fn release_io(&self, key: usize) {
        lock(&self.released_io).push(key);
        self.has_released.store(true, Ordering::Release);
    }

    /// Queues a timer slab key for the owner to free at its next park.
    pub(crate) fn release_timer(&self, key: u32) {
        lock(&self.released_timers).push(key);
        self.has_released.store(true, Ordering::Release);
    }

    /// True once the owning runtime has shut down.
    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }
}

/// Finds the handle of the live reactor with this id, if any.
pub(crate) fn find(id: u64) -> Option<Arc<Handle>> {
    lock(&LIVE)
        .iter()
        .find(|(i, _)| *i == id)
        .and_then(|(_, weak)| weak.upgrade())
}

/// Locks a mutex, ignoring poisoning: every critical section here is a
/// single `Vec` push or swap, which cannot leave the data half-updated.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
