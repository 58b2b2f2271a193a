//! A single-value channel that keeps only the latest value: configuration
//! reloads, status that many tasks read.
//!
//! [`channel`]`(init)` returns a [`Sender`] and a [`Receiver`]. Senders
//! replace the value ([`Sender::send`], [`Sender::send_modify`]); every
//! receiver can [`borrow`](Receiver::borrow) it at any time and wait for
//! the next change with [`changed`](Receiver::changed). Intermediate values
//! may be skipped: a receiver sees the latest, not every one.
//!
//! # Invariants
//!
//! - `state` holds the version (bumped by 2 on every change) and bit 0
//!   `CLOSED`, set once the last sender is gone. A receiver's `seen` is the
//!   version it last marked seen; it has a change to see exactly when the
//!   two differ.
//! - A sender stores the value and bumps the version under the value's
//!   write lock (so a reader holding the read lock sees the version that
//!   goes with the value it reads), then takes the waiter lock to wake everyone parked; a receiver parks only after
//!   checking the version *with that lock held*. So either it sees the new
//!   version or the sender finds it in the list: no change is missed.
//! - Waking happens with the lock released; values are dropped outside
//!   every lock.
//!
//! # Cancellation
//!
//! [`Receiver::changed`] is cancel-safe: the future only reads versions,
//! so dropping it loses nothing.

pub mod error;

use self::error::{RecvError, SendError};
use super::wait_list::{WaitList, WaiterKey, WaiterState, WakeBatch};
use crate::coop;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll};

/// Bit 0 of `state`: every sender is gone.
const CLOSED: usize = 1;
/// One change adds this to `state`.
const STEP: usize = 2;

/// Creates a watch channel holding `init`; the receiver treats `init` as
/// seen.
///
/// ```
/// spool::block_on(async {
///     let (tx, mut rx) = spool::sync::watch::channel("v1");
///     let reader = spool::spawn(async move {
///         rx.changed().await.unwrap();
///         *rx.borrow_and_update()
///     });
///     tx.send("v2").unwrap();
///     assert_eq!(reader.await.unwrap(), "v2");
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicUsize::new(0),
        waiters: Mutex::new(WaitList::new()),
        senders: AtomicUsize::new(1),
        receivers: AtomicUsize::new(1),
    });
    let rx = Receiver {
        shared: shared.clone(),
        seen: 0,
    };
    (Sender { shared }, rx)
}

struct Shared<T> {
    value: RwLock<T>,
    /// Version and `CLOSED`; see the module docs.
    state: AtomicUsize,
    /// Receivers parked in `changed`.
    waiters: Mutex<WaitList>,
    senders: AtomicUsize,
    receivers: AtomicUsize,
}

impl<T> Shared<T> {
    fn waiters(&self) -> MutexGuard<'_, WaitList> {
        // Nothing under this lock can leave the list half-updated.
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read(&self) -> RwLockReadGuard<'_, T> {
        // A panic in `send_modify`'s closure poisons the lock; the value is
        // whatever the closure left, as in tokio.
        self.value.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes a change (or the close): bumps `state` by `add`, then
    /// wakes every parked receiver, a batch at a time.
    fn publish(&self, add: usize) {
        self.state.fetch_add(add, Ordering::Release);
        self.notify();
    }

    /// Wakes every parked receiver, the lock released before each batch.
    fn notify(&self) {
        let mut batch = WakeBatch::new();
        let mut list = self.waiters();
        while batch.notify_from(&mut list) > 0 {
            drop(list);
            batch.wake_all();
            list = self.waiters();
        }
    }
}

/// The sending half of a [`channel`]; clone it for more senders.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Replaces the value and notifies every receiver. Fails, handing the
    /// value back, when no receiver is left (the value is not stored).
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receivers.load(Ordering::Acquire) == 0 {
            return Err(SendError(value));
        }
        drop(self.send_replace(value));
        Ok(())
    }

    /// Replaces the value whether or not anyone listens, notifies every
    /// receiver and returns the old value.
    pub fn send_replace(&self, value: T) -> T {
        let old = {
            let mut v = self
                .shared
                .value
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let old = std::mem::replace(&mut *v, value);
            // The version moves with the value lock held, so a reader
            // under the read lock sees a version that matches the value.
            self.shared.state.fetch_add(STEP, Ordering::Release);
            old
        };
        self.shared.notify();
        old
    }

    /// Modifies the value in place and notifies every receiver, whether or
    /// not anyone listens.
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|v| {
            modify(v);
            true
        });
    }

    /// Modifies the value in place; notifies the receivers only if `modify`
    /// returns `true`. Returns what `modify` returned.
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let changed = {
            let mut v = self
                .shared
                .value
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let changed = modify(&mut v);
            if changed {
                // With the lock held: see `send_replace`.
                self.shared.state.fetch_add(STEP, Ordering::Release);
            }
            changed
        };
        if changed {
            self.shared.notify();
        }
        changed
    }

    /// Borrows the current value. Holding the borrow blocks senders, so
    /// keep it short (and never across an `.await`).
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.read(),
            has_changed: false,
        }
    }

    /// A new receiver that treats the current value as seen.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            seen: self.shared.state.load(Ordering::Acquire) & !CLOSED,
        }
    }

    /// Receivers alive right now.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::Acquire)
    }

    /// True once every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::Relaxed);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.publish(CLOSED);
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .finish_non_exhaustive()
    }
}

/// The receiving half of a [`channel`]; clone it (or
/// [`Sender::subscribe`]) for more receivers.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Version last marked seen (never has `CLOSED` set).
    seen: usize,
}

impl<T> Receiver<T> {
    /// Borrows the latest value without marking it seen. Holding the
    /// borrow blocks senders, so keep it short.
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.read();
        let now = self.shared.state.load(Ordering::Acquire) & !CLOSED;
        Ref {
            guard,
            has_changed: now != self.seen,
        }
    }

    /// Borrows the latest value and marks it seen.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.read();
        let now = self.shared.state.load(Ordering::Acquire) & !CLOSED;
        let has_changed = now != self.seen;
        self.seen = now;
        Ref { guard, has_changed }
    }

    /// True if a value not yet marked seen is there; an error once every
    /// sender is gone (as in tokio).
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Err(RecvError(()));
        }
        Ok(state != self.seen)
    }

    /// Marks the current value seen.
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.state.load(Ordering::Acquire) & !CLOSED;
    }

    /// Waits for a value not yet seen and marks it seen; read it with
    /// [`borrow`](Self::borrow) (or `borrow_and_update`). Returns at once
    /// if one is already there. Fails once every sender is gone and
    /// nothing new is left to see.
    ///
    /// Cancel-safe.
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            rx: self,
            waiter: None,
        }
    }

    /// True if both receivers watch the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// One poll of [`changed`](Self::changed).
    fn poll_changed(
        &mut self,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<(), RecvError>> {
        std::task::ready!(coop::poll_proceed(cx));
        if waiter.is_none() {
            if let Some(ready) = check(&mut self.seen, self.shared.state.load(Ordering::Acquire)) {
                return Poll::Ready(ready);
            }
        }
        let mut list = self.shared.waiters();
        if let Some(key) = waiter {
            match list.poll_state(key, cx.waker()) {
                WaiterState::Queued => {}
                WaiterState::Notified(_) => *waiter = None,
            }
        }
        // Checked with the lock held: see the module docs.
        if let Some(ready) = check(&mut self.seen, self.shared.state.load(Ordering::Acquire)) {
            let stale = waiter.take().map(|key| list.remove(key));
            drop(list);
            drop(stale);
            return Poll::Ready(ready);
        }
        if waiter.is_none() {
            *waiter = Some(list.push(cx.waker(), 0));
        }
        Poll::Pending
    }
}

/// `Some` if `changed` can complete, given the version last `seen` and
/// the channel's `state`; marks a new version seen.
fn check(seen: &mut usize, state: usize) -> Option<Result<(), RecvError>> {
    let version = state & !CLOSED;
    if version != *seen {
        *seen = version;
        Some(Ok(()))
    } else if state & CLOSED != 0 {
        Some(Err(RecvError(())))
    } else {
        None
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.receivers.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .finish_non_exhaustive()
    }
}

/// A borrow of a watch channel's value (a read lock: keep it short).
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// True if the borrowed value had not been marked seen by the
    /// receiver when it was borrowed.
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Future of [`Receiver::changed`].
#[must_use = "futures do nothing unless polled"]
pub struct Changed<'a, T> {
    rx: &'a mut Receiver<T>,
    /// Our place among the parked receivers, while we wait.
    waiter: Option<WaiterKey>,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.rx.poll_changed(cx, &mut this.waiter)
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            let removed = self.rx.shared.waiters().remove(key);
            drop(removed);
        }
    }
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changed")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}
