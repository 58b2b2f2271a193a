//! An async mutex: FIFO fair, guards that may be held across `.await`.
//!
//! A [`Mutex`] is a [`BatchSemaphore`] with one permit plus the data in an
//! `UnsafeCell`, as in tokio. Locking without contention is one
//! compare-and-swap, unlocking another; a contended lock parks in the
//! semaphore's FIFO queue and is handed the permit directly by the
//! unlocker, so waiters get the lock in the order they asked for it and a
//! task that unlocks and locks again goes to the back of the queue.
//!
//! # Safety argument
//!
//! The data is reached only through a [`MutexGuard`] or [`OwnedMutexGuard`]
//! (or `&mut Mutex` / by value, which the borrow checker makes exclusive).
//! A guard exists only while its holder owns the semaphore's single permit,
//! and the permit is released only in the guard's `Drop`. One permit means
//! one guard, so the `&mut T` a guard gives out is unique.

use super::batch_semaphore::BatchSemaphore;
use super::wait_list::WaiterKey;
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An async mutual-exclusion lock, fair (first come, first served).
///
/// Unlike `std::sync::Mutex`, a task waiting for it yields to the executor
/// instead of blocking the thread, and its guard may be held across
/// `.await`. Prefer `std::sync::Mutex` for data that is never locked across
/// an `.await`: it is cheaper.
///
/// ```
/// use spool::sync::Mutex;
/// use std::sync::Arc;
/// spool::block_on(async {
///     let count = Arc::new(Mutex::new(0));
///     let tasks: Vec<_> = (0..4)
///         .map(|_| {
///             let count = count.clone();
///             spool::spawn(async move {
///                 let mut n = count.lock().await;
///                 spool::task::yield_now().await; // held across an await
///                 *n += 1;
///             })
///         })
///         .collect();
///     for t in tasks {
///         t.await.unwrap();
///     }
///     assert_eq!(*count.lock().await, 4);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    sem: BatchSemaphore,
    data: UnsafeCell<T>,
}

// SAFETY: a `Mutex<T>` hands its `T` to one thread at a time (see the
// module's safety argument), which needs only `T: Send`, as for
// `std::sync::Mutex`; the semaphore is `Send + Sync` on its own.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above; `&Mutex<T>` gives access to `T` only through the
// semaphore's single permit.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Mutex {
            sem: BatchSemaphore::new(1),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex, returning the data.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock. Waiters get it in the order they called `lock`.
    ///
    /// Cancel-safe: dropping the future gives up its place in the queue;
    /// if the lock had already been handed to it, it passes to the next
    /// waiter.
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            waiter: None,
        }
    }

    /// Locks from plain, synchronous code, blocking the thread until the
    /// lock is handed over.
    ///
    /// # Panics
    ///
    /// On a thread running a spool runtime, as tokio does.
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        super::blocking::wait("Mutex::blocking_lock", self.lock())
    }

    /// Takes the lock if it is free and nobody waits for it.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire(1) {
            Ok(()) => Ok(MutexGuard {
                mutex: self,
                _not_sync: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Waits for the lock, returning a guard that owns an `Arc` of the
    /// mutex, so that it can move into a spawned task.
    pub fn lock_owned(self: Arc<Self>) -> LockOwned<T> {
        LockOwned {
            mutex: Some(self),
            waiter: None,
        }
    }

    /// [`try_lock`](Self::try_lock) with an owned guard.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.sem.try_acquire(1) {
            Ok(()) => Ok(OwnedMutexGuard {
                mutex: self,
                _not_sync: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// The data, through a unique borrow: no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Exclusive access to a [`Mutex`]'s data; unlocks on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    /// The guard hands out `&mut T` and `&T`: `Send` needs `T: Send` (from
    /// `&Mutex<T>`), `Sync` needs `T: Sync` as well (from this marker).
    _not_sync: PhantomData<&'a mut T>,
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the mutex's only permit (module docs),
        // so no `&mut T` exists elsewhere while this `&T` lives.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the mutex's only permit and is borrowed
        // mutably, so this `&mut T` is the only reference to the data.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to the data of a [`Mutex`] held in an `Arc`; unlocks
/// on drop. `'static` when `T` is, so it can move into a spawned task.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    mutex: Arc<Mutex<T>>,
    /// `Sync` only when `T: Sync`, as for [`MutexGuard`].
    _not_sync: PhantomData<T>,
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.mutex
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `MutexGuard`: this guard holds the only permit.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `MutexGuard`: the only permit, borrowed mutably.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Future of [`Mutex::lock`].
#[must_use = "futures do nothing unless polled"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    /// Our place in the queue, while we wait.
    waiter: Option<WaiterKey>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.get_mut();
        match std::task::ready!(this.mutex.sem.poll_acquire(cx, 1, &mut this.waiter)) {
            Ok(()) => Poll::Ready(MutexGuard {
                mutex: this.mutex,
                _not_sync: PhantomData,
            }),
            Err(_) => unreachable!("a mutex's semaphore is never closed"),
        }
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.mutex.sem.cancel(key, 1);
        }
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// Future of [`Mutex::lock_owned`].
#[must_use = "futures do nothing unless polled"]
pub struct LockOwned<T: ?Sized> {
    /// `Some` until the guard takes it.
    mutex: Option<Arc<Mutex<T>>>,
    /// Our place in the queue, while we wait.
    waiter: Option<WaiterKey>,
}

impl<T: ?Sized> Future for LockOwned<T> {
    type Output = OwnedMutexGuard<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedMutexGuard<T>> {
        let this = self.get_mut();
        let mutex = this
            .mutex
            .as_ref()
            .expect("LockOwned polled after completion");
        match std::task::ready!(mutex.sem.poll_acquire(cx, 1, &mut this.waiter)) {
            Ok(()) => Poll::Ready(OwnedMutexGuard {
                mutex: this.mutex.take().expect("checked above"),
                _not_sync: PhantomData,
            }),
            Err(_) => unreachable!("a mutex's semaphore is never closed"),
        }
    }
}

impl<T: ?Sized> Drop for LockOwned<T> {
    fn drop(&mut self) {
        if let (Some(key), Some(mutex)) = (self.waiter.take(), &self.mutex) {
            mutex.sem.cancel(key, 1);
        }
    }
}

impl<T: ?Sized> fmt::Debug for LockOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockOwned")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// [`Mutex::try_lock`] or [`RwLock::try_read`](super::RwLock::try_read) /
/// [`try_write`](super::RwLock::try_write) found the lock taken (or
/// promised to a waiter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}
