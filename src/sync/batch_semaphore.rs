//! The semaphore under [`Semaphore`](super::Semaphore),
//! [`Mutex`](super::Mutex) and [`RwLock`](super::RwLock): an atomic count
//! of free permits for the uncontended path, and the permit core
//! ([`PermitQueue`]) behind a `std::sync::Mutex` for everything that
//! involves a waiter.
//!
//! # The state word
//!
//! ```text
//!   bits 2..  free permits (at most MAX_PERMITS = usize::MAX >> 3)
//!   bit 1     WAITERS: somebody is queued in `queue`
//!   bit 0     CLOSED:  `close` was called; acquiring fails from now on
//! ```
//!
//! - Acquiring without waiting is one compare-and-swap on the word, taken
//!   only while WAITERS is clear and enough permits are free.
//! - Releasing is one compare-and-swap adding the permits while WAITERS is
//!   clear; otherwise the releaser takes the queue lock and hands the
//!   permits out in FIFO order ([`PermitQueue::hand_out`]).
//!
//! # Invariants
//!
//! - WAITERS is set and cleared only with the queue lock held, and is set
//!   exactly when the queue is not empty (between those updates the lock is
//!   held, so nobody can observe the difference).
//! - WAITERS set implies zero free permits in the word: a waiter that parks
//!   takes every free permit with it (the same compare-and-swap that sets
//!   WAITERS), and releasers that see WAITERS give their permits to the
//!   queue, adding to the word only what nobody waits for, at the same time
//!   as they clear WAITERS. So a fast-path acquirer can never overtake a
//!   queued waiter: FIFO order holds across both paths.
//! - No wake-up is lost: a waiter checks the word and sets WAITERS with the
//!   lock held, and a releaser either added its permits before that
//!   compare-and-swap (which then fails and retries, seeing them) or sees
//!   WAITERS and waits for the lock.
//! - Wakers are woken only with the queue lock released.

use super::permits::{PermitQueue, Polled};
use super::semaphore::{AcquireError, TryAcquireError};
use super::wait_list::{WaiterKey, WakeBatch};
use crate::coop;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use std::fmt;
use std::sync::PoisonError;
use std::task::{Context, Poll};

/// Set once the semaphore is closed.
const CLOSED: usize = 1;
/// Set while somebody waits in the queue.
const WAITERS: usize = 2;
/// The permit count sits above the two flag bits.
const SHIFT: usize = 2;

/// The most permits a semaphore holds, as in tokio.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// See the module documentation.
pub(crate) struct BatchSemaphore {
    /// Free permits and the two flags; see the module docs.
    state: AtomicUsize,
    /// Waiters, oldest first.
    queue: Mutex<PermitQueue>,
}

impl BatchSemaphore {
    /// A semaphore with `permits` free permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`].
    pub(crate) fn new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "Semaphore::new: {permits} permits exceed Semaphore::MAX_PERMITS ({MAX_PERMITS})"
        );
        BatchSemaphore {
            state: AtomicUsize::new(permits << SHIFT),
            queue: Mutex::new(PermitQueue::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PermitQueue> {
        // Nothing under this lock can leave the queue half-updated.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Permits free right now.
    pub(crate) fn available_permits(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    /// True once [`close`](Self::close) was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Takes `n` permits if they are free and nobody waits.
    #[inline]
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Err(TryAcquireError::Closed);
            }
            if n == 0 {
                return Ok(());
            }
            // With WAITERS set the count is 0, so this also refuses to
            // overtake a queued waiter.
            if cur >> SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            match self.state.compare_exchange_weak(
                cur,
                cur - (n << SHIFT),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// One poll of an acquisition of `n` permits; `waiter` is the future's
    /// place in the queue while it waits. After `Ready` the future must not
    /// poll again; if it is dropped while `waiter` is `Some`, it must call
    /// [`cancel`](Self::cancel).
    pub(crate) fn poll_acquire(
        &self,
        cx: &mut Context<'_>,
        n: usize,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<(), AcquireError>> {
        std::task::ready!(coop::poll_proceed(cx));
        let Some(key) = waiter else {
            match self.try_acquire(n) {
                Ok(()) => return Poll::Ready(Ok(())),
                Err(TryAcquireError::Closed) => return Poll::Ready(Err(AcquireError(()))),
                Err(TryAcquireError::NoPermits) => return self.park(cx, n, waiter),
            }
        };
        let mut q = self.lock();
        match q.poll(key, cx.waker()) {
            Polled::Granted => {
                *waiter = None;
                Poll::Ready(Ok(()))
            }
            Polled::Waiting if !self.is_closed() => Poll::Pending,
            Polled::Waiting => {
                // Closed, but `close` has not reached us yet.
                let key = waiter.take().expect("checked above");
                let (handed, stale) = q.cancel(key, n);
                self.release_locked(q, handed);
                drop(stale);
                Poll::Ready(Err(AcquireError(())))
            }
            Polled::Closed { short } => {
                *waiter = None;
                self.release_locked(q, n - short);
                Poll::Ready(Err(AcquireError(())))
            }
        }
    }

    /// The slow path of a first poll: under the lock, take `n` permits if
    /// they are free after all, or take what is free and queue for the rest.
    #[cold]
    fn park(
        &self,
        cx: &mut Context<'_>,
        n: usize,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<(), AcquireError>> {
        let mut q = self.lock();
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & CLOSED != 0 {
                return Poll::Ready(Err(AcquireError(())));
            }
            // `try_acquire` took `n == 0` and so `n - free > 0` below.
            let free = cur >> SHIFT;
            let (next, parks) = if free >= n {
                (cur - (n << SHIFT), false)
            } else {
                (cur & CLOSED | WAITERS, true)
            };
            match self
                .state
                .compare_exchange(cur, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if parks => {
                    *waiter = Some(q.enqueue(cx.waker(), n - free));
                    return Poll::Pending;
                }
                Ok(_) => return Poll::Ready(Ok(())),
                Err(actual) => cur = actual,
            }
        }
    }

    /// A future that waited for `n` permits is dropped: leave the queue and
    /// give back whatever it had been handed.
    pub(crate) fn cancel(&self, key: WaiterKey, n: usize) {
        let mut q = self.lock();
        let (handed, stale) = q.cancel(key, n);
        self.release_locked(q, handed);
        drop(stale);
    }

    /// Returns `n` permits: to waiters first, oldest first.
    ///
    /// # Panics
    ///
    /// If the free count would exceed [`MAX_PERMITS`]; it is left unchanged.
    #[inline]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            if cur & WAITERS != 0 {
                return self.release_locked(self.lock(), n);
            }
            let Some(next) = Self::add_to_word(cur, n) else {
                Self::overflow(cur, n)
            };
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::Release, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
    }

    /// `cur` with `n` more free permits, or `None` past [`MAX_PERMITS`].
    #[inline]
    fn add_to_word(cur: usize, n: usize) -> Option<usize> {
        let free = cur >> SHIFT;
        (n <= MAX_PERMITS - free).then(|| cur + (n << SHIFT))
    }

    #[cold]
    fn overflow(cur: usize, n: usize) -> ! {
        panic!(
            "Semaphore::add_permits: {} free + {n} added permits exceed \
             Semaphore::MAX_PERMITS ({MAX_PERMITS})",
            cur >> SHIFT
        )
    }

    /// Hands `n` permits to the queue (batch by batch, waking each with the
    /// lock released) and adds what nobody waits for to the word, clearing
    /// WAITERS once the queue is empty. Consumes the guard: it returns with
    /// the lock released.
    fn release_locked<'a>(&'a self, mut q: MutexGuard<'a, PermitQueue>, mut n: usize) {
        if n == 1 {
            if let Some(woken) = q.hand_out_one() {
                if q.is_empty() {
                    self.state.fetch_and(!WAITERS, Ordering::Release);
                }
                drop(q);
                if let Some(w) = woken {
                    w.wake();
                }
                return;
            }
        }
        let mut batch = WakeBatch::new();
        while q.hand_out(&mut n, &mut batch) {
            drop(q);
            batch.wake_all();
            q = self.lock();
        }
        // Either nothing is left or nobody waits any more.
        let mut overflow = None;
        if q.is_empty() {
            let mut cur = self.state.load(Ordering::Acquire);
            loop {
                let Some(next) = Self::add_to_word(cur, n) else {
                    overflow = Some(cur);
                    break;
                };
                match self.state.compare_exchange_weak(
                    cur,
                    next & !WAITERS,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    Ok(_) => break,
                    Err(actual) => cur = actual,
                }
            }
        }
        drop(q);
        batch.wake_all();
        if let Some(cur) = overflow {
            Self::overflow(cur, n);
        }
    }

    /// Closes: acquiring fails from now on, and every waiter is woken to
    /// see it (batch by batch, with the lock released for the wakes).
    pub(crate) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::Release);
        let mut batch = WakeBatch::new();
        let mut q = self.lock();
        while q.close_batch(&mut batch) > 0 {
            drop(q);
            batch.wake_all();
            q = self.lock();
        }
        self.state.fetch_and(!WAITERS, Ordering::Release);
    }
}

impl fmt::Debug for BatchSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cur = self.state.load(Ordering::Acquire);
        f.debug_struct("Semaphore")
            .field("permits", &(cur >> SHIFT))
            .field("waiting", &(cur & WAITERS != 0))
            .field("closed", &(cur & CLOSED != 0))
            .finish()
    }
}
