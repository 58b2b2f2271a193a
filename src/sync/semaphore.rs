//! A counting semaphore with RAII permits and a FIFO queue of waiters.
//!
//! # Invariants
//!
//! - `permits` counts permits nobody holds and nobody has been handed.
//!   Every permit is in exactly one place: `permits`, a live
//!   [`SemaphorePermit`], or a notified entry of `waiters` whose
//!   [`Acquire`] future has not yet seen it.
//! - `permits > 0` implies no waiter is queued: a released permit goes to
//!   the oldest waiter before it goes back to `permits`. So waiters are
//!   served in FIFO order and a newcomer never jumps the queue.
//! - An [`Acquire`] dropped after it was handed a permit passes that permit
//!   on (to the next waiter, or back to `permits`), so cancellation never
//!   loses one.
//! - Wakers are woken only after the mutex is released.

use super::wait_list::{WaitList, WaiterKey, WaiterState, WakeBatch};
use crate::coop;
use crate::loom::sync::{Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};

/// Limits how many tasks hold a permit at once.
///
/// `Send + Sync`: share it in an `Arc` between tasks on any worker.
///
/// ```
/// use spool::sync::Semaphore;
/// spool::block_on(async {
///     let sem = Semaphore::new(2);
///     let a = sem.acquire().await;
///     let _b = sem.acquire().await;
///     assert!(sem.try_acquire().is_err());
///     drop(a); // released on drop
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    permits: usize,
    waiters: WaitList,
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`, as in
    /// tokio. [`new`](Self::new) and [`add_permits`](Self::add_permits)
    /// panic past it.
    pub const MAX_PERMITS: usize = usize::MAX >> 3;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](Self::MAX_PERMITS).
    pub fn new(permits: usize) -> Self {
        assert!(
            permits <= Self::MAX_PERMITS,
            "Semaphore::new: {permits} permits exceed Semaphore::MAX_PERMITS ({})",
            Self::MAX_PERMITS
        );
        Semaphore {
            state: Mutex::new(State {
                permits,
                waiters: WaitList::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing under this lock can leave the state half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a permit. Waiters are served in the order they started
    /// waiting; dropping the future gives its turn (or its permit, if it
    /// had been handed one) to the next waiter.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            sem: self,
            waiter: None,
        }
    }

    /// Takes a permit if one is free and nobody is queued for it.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let mut st = self.lock();
        if st.permits > 0 {
            st.permits -= 1;
            Ok(SemaphorePermit { sem: self })
        } else {
            Err(TryAcquireError::NoPermits)
        }
    }

    /// Permits that are free right now.
    pub fn available_permits(&self) -> usize {
        self.lock().permits
    }

    /// Adds `n` permits, handing them to waiters first (oldest first).
    ///
    /// Costs O(waiters woken), whatever `n` is: the permits nobody waits
    /// for are added to the count in one step.
    ///
    /// # Panics
    ///
    /// If `n`, or the free permits once the waiters are served, would
    /// exceed [`MAX_PERMITS`](Self::MAX_PERMITS); the free count is left
    /// unchanged then.
    pub fn add_permits(&self, n: usize) {
        assert!(
            n <= Self::MAX_PERMITS,
            "Semaphore::add_permits: {n} permits exceed Semaphore::MAX_PERMITS ({})",
            Self::MAX_PERMITS
        );
        let mut left = n;
        let mut batch = WakeBatch::new();
        let mut st = self.lock();
        // Hand permits to waiters a batch at a time, waking each batch with
        // the lock released; whatever is left once nobody waits goes to
        // `permits` at once.
        loop {
            while left > 0 && !batch.is_full() {
                match st.waiters.notify_one() {
                    Some(w) => batch.push(w),
                    None => break,
                }
                left -= 1;
            }
            if !batch.is_full() || left == 0 {
                break;
            }
            drop(st);
            batch.wake_all();
            st = self.lock();
        }
        let total = st
            .permits
            .checked_add(left)
            .filter(|&t| t <= Self::MAX_PERMITS);
        match total {
            Some(total) => st.permits = total,
            None => {
                let held = st.permits;
                drop(st);
                batch.wake_all();
                panic!(
                    "Semaphore::add_permits: {held} free + {left} added permits exceed \
                     Semaphore::MAX_PERMITS ({})",
                    Self::MAX_PERMITS
                );
            }
        }
        drop(st);
        batch.wake_all();
    }

    /// Returns one permit: to the oldest waiter if there is one.
    fn release(&self) {
        let waker = {
            let mut st = self.lock();
            Self::release_locked(&mut st)
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn release_locked(st: &mut State) -> Option<Waker> {
        let next = st.waiters.notify_one();
        if next.is_none() {
            // A released permit was taken from the count, so adding it
            // back cannot pass MAX_PERMITS.
            st.permits += 1;
        }
        next
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Semaphore")
            .field("permits", &st.permits)
            .field("waiting", &!st.waiters.is_empty())
            .finish()
    }
}

/// A held permit of a [`Semaphore`]; dropping it releases the permit.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
}

impl SemaphorePermit<'_> {
    /// Consumes the permit without releasing it: the semaphore has one
    /// permit fewer from now on.
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.release();
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}

/// Future of [`Semaphore::acquire`].
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    /// Our place in the queue, while we wait.
    waiter: Option<WaiterKey>,
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphorePermit<'a>> {
        std::task::ready!(coop::poll_proceed(cx));
        let this = self.get_mut();
        let mut st = this.sem.lock();
        match &this.waiter {
            Some(key) => match st.waiters.poll_state(key, cx.waker()) {
                WaiterState::Queued => return Poll::Pending,
                WaiterState::Notified => this.waiter = None,
            },
            None if st.permits > 0 => st.permits -= 1,
            None => {
                this.waiter = Some(st.waiters.push(cx.waker()));
                return Poll::Pending;
            }
        }
        Poll::Ready(SemaphorePermit { sem: this.sem })
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        let Some(key) = self.waiter.take() else {
            return;
        };
        let (stale, next) = {
            let mut st = self.sem.lock();
            let (notified, stale) = st.waiters.remove(key);
            let next = if notified {
                Semaphore::release_locked(&mut st)
            } else {
                None
            };
            (stale, next)
        };
        drop(stale);
        if let Some(w) = next {
            w.wake();
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// Why [`Semaphore::try_acquire`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryAcquireError {
    /// Every permit is held (or promised to a waiter).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}
