//! A counting semaphore with RAII permits and a FIFO queue of waiters.
//!
//! The counting and queueing live in `batch_semaphore.rs` (shared with
//! [`Mutex`](super::Mutex) and [`RwLock`](super::RwLock)); this file is the
//! public face: permits, owned permits, the acquire futures and the errors.
//!
//! # Invariants
//!
//! - Every permit is in exactly one place: free in the semaphore, in a live
//!   [`SemaphorePermit`] / [`OwnedSemaphorePermit`], or handed to a waiting
//!   [`Acquire`] / [`AcquireOwned`] that has not yet seen it.
//! - Waiters are served in FIFO order, a request for many permits included:
//!   a newcomer never jumps the queue, even when it asks for fewer.
//! - An acquire future dropped while it waits gives back what it had been
//!   handed, so cancellation never loses a permit.

use super::batch_semaphore::{BatchSemaphore, MAX_PERMITS};
use super::wait_list::WaiterKey;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Limits how many tasks hold a permit at once.
///
/// `Send + Sync`: share it in an `Arc` between tasks on any worker.
///
/// ```
/// use spool::sync::Semaphore;
/// spool::block_on(async {
///     let sem = Semaphore::new(3);
///     let a = sem.acquire().await.unwrap();
///     let _bc = sem.acquire_many(2).await.unwrap();
///     assert!(sem.try_acquire().is_err());
///     drop(a); // released on drop
///     assert_eq!(sem.available_permits(), 1);
///     sem.close();
///     assert!(sem.acquire().await.is_err());
/// });
/// ```
pub struct Semaphore {
    inner: BatchSemaphore,
}

impl Semaphore {
    /// The most permits a semaphore can hold: `usize::MAX >> 3`, as in
    /// tokio. [`new`](Self::new) and [`add_permits`](Self::add_permits)
    /// panic past it.
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`MAX_PERMITS`](Self::MAX_PERMITS).
    pub fn new(permits: usize) -> Self {
        Semaphore {
            inner: BatchSemaphore::new(permits),
        }
    }

    /// Waits for a permit. Waiters are served in the order they started
    /// waiting; fails once the semaphore is [closed](Self::close).
    ///
    /// Cancel-safe: dropping the future gives its turn (or its permit, if
    /// it had been handed one) to the next waiter.
    pub fn acquire(&self) -> Acquire<'_> {
        self.acquire_many(1)
    }

    /// Waits for `n` permits at once; like [`acquire`](Self::acquire). The
    /// request keeps its place in the queue: permits freed meanwhile are
    /// set aside for it, never taken by a later, smaller request.
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire {
            sem: self,
            n,
            waiter: None,
        }
    }

    /// Takes a permit if one is free and nobody is queued for it.
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody is queued.
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.inner.try_acquire(n as usize)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Waits for a permit that owns a reference to the semaphore, so that
    /// it can move into a spawned task.
    ///
    /// ```
    /// use spool::sync::Semaphore;
    /// use std::sync::Arc;
    /// spool::block_on(async {
    ///     let sem = Arc::new(Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     let task = spool::spawn(async move {
    ///         let _permit = permit; // released when the task ends
    ///     });
    ///     task.await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        self.acquire_many_owned(1)
    }

    /// [`acquire_many`](Self::acquire_many) with an owned permit.
    pub fn acquire_many_owned(self: Arc<Self>, n: u32) -> AcquireOwned {
        AcquireOwned {
            sem: self,
            n,
            waiter: None,
        }
    }

    /// [`try_acquire`](Self::try_acquire) with an owned permit.
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// [`try_acquire_many`](Self::try_acquire_many) with an owned permit.
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.inner.try_acquire(n as usize)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Permits that are free right now.
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Adds `n` permits, handing them to waiters first (oldest first).
    ///
    /// Costs O(waiters woken), whatever `n` is: the permits nobody waits
    /// for are added to the count in one step.
    ///
    /// # Panics
    ///
    /// If the free permits, once the waiters are served, would exceed
    /// [`MAX_PERMITS`](Self::MAX_PERMITS); the free count is left
    /// unchanged then.
    pub fn add_permits(&self, n: usize) {
        assert!(
            n <= Self::MAX_PERMITS,
            "Semaphore::add_permits: {n} permits exceed Semaphore::MAX_PERMITS ({})",
            Self::MAX_PERMITS
        );
        self.inner.release(n);
    }

    /// Closes the semaphore: every waiting acquire, and every later one,
    /// fails with [`AcquireError`]; `try_acquire` gives
    /// [`TryAcquireError::Closed`]. Permits already held stay valid.
    pub fn close(&self) {
        self.inner.close();
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// Held permits of a [`Semaphore`]; dropping it releases them.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: u32,
}

impl SemaphorePermit<'_> {
    /// Consumes the permit without releasing it: the semaphore has that
    /// many permits fewer from now on.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.inner.release(self.permits as usize);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// Held permits of a [`Semaphore`] in an `Arc`; dropping it releases them.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    /// Consumes the permit without releasing it.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// The semaphore the permit belongs to.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.inner.release(self.permits as usize);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// Future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    n: u32,
    /// Our place in the queue, while we wait.
    waiter: Option<WaiterKey>,
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        std::task::ready!(this
            .sem
            .inner
            .poll_acquire(cx, this.n as usize, &mut this.waiter))?;
        Poll::Ready(Ok(SemaphorePermit {
            sem: this.sem,
            permits: this.n,
        }))
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.sem.inner.cancel(key, self.n as usize);
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.n)
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// Future of [`Semaphore::acquire_owned`] and
/// [`Semaphore::acquire_many_owned`].
#[must_use = "futures do nothing unless polled"]
pub struct AcquireOwned {
    sem: Arc<Semaphore>,
    n: u32,
    /// Our place in the queue, while we wait.
    waiter: Option<WaiterKey>,
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        std::task::ready!(this
            .sem
            .inner
            .poll_acquire(cx, this.n as usize, &mut this.waiter))?;
        Poll::Ready(Ok(OwnedSemaphorePermit {
            sem: this.sem.clone(),
            permits: this.n,
        }))
    }
}

impl Drop for AcquireOwned {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.sem.inner.cancel(key, self.n as usize);
        }
    }
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("permits", &self.n)
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// The semaphore was closed while (or before) waiting for a permit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(pub(crate) ());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why [`Semaphore::try_acquire`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TryAcquireError {
    /// The semaphore was closed.
    Closed,
    /// Not enough permits are free (or they are promised to a waiter).
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}
