//! An async reader-writer lock: many readers or one writer, FIFO fair.
//!
//! An [`RwLock`] is a [`BatchSemaphore`] with [`MAX_READS`] permits plus the
//! data in an `UnsafeCell`, as in tokio: a read takes one permit, a write
//! takes all of them. Because the semaphore serves requests strictly in
//! FIFO order (a big request at the head of the queue collects permits as
//! readers release them, and nobody behind it may take any), a waiting
//! writer is never starved by readers that arrive after it. Reading
//! without contention is one compare-and-swap to lock and one to unlock.
//!
//! # Safety argument
//!
//! A [`RwLockReadGuard`] holds one permit, a [`RwLockWriteGuard`] all
//! [`MAX_READS`]; permits are released only in the guards' `Drop`. So while
//! a write guard lives no other guard exists (its `&mut T` is unique), and
//! read guards only ever coexist with other read guards (shared `&T`).

use super::batch_semaphore::BatchSemaphore;
use super::mutex::TryLockError;
use super::wait_list::WaiterKey;
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Readers that may hold an [`RwLock`] at once (tokio's limit).
pub(crate) const MAX_READS: usize = (u32::MAX >> 3) as usize;

/// An async reader-writer lock: any number of readers, or one writer.
///
/// Fair: readers and writers get the lock in the order they asked for it,
/// so a stream of readers cannot starve a writer.
///
/// ```
/// use spool::sync::RwLock;
/// spool::block_on(async {
///     let lock = RwLock::new(5);
///     {
///         let a = lock.read().await;
///         let b = lock.read().await; // many readers at once
///         assert_eq!(*a + *b, 10);
///         assert!(lock.try_write().is_err());
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    sem: BatchSemaphore,
    data: UnsafeCell<T>,
}

// SAFETY: moving the lock moves the `T`: needs `T: Send`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: `&RwLock<T>` gives `&T` to several threads at once (readers:
// `T: Sync`) and `&mut T` to one at a time (a writer: `T: Send`), exactly
// as `std::sync::RwLock`; see the module's safety argument.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        RwLock {
            sem: BatchSemaphore::new(MAX_READS),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock, returning the data.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared read access. Cancel-safe: dropping the future
    /// gives up its place in the queue, losing nothing.
    pub fn read(&self) -> Read<'_, T> {
        Read {
            lock: self,
            waiter: None,
        }
    }

    /// Waits for exclusive write access; readers that arrive while a
    /// writer waits queue behind it. Cancel-safe: dropping the future gives
    /// back the read permits it had collected.
    pub fn write(&self) -> Write<'_, T> {
        Write {
            lock: self,
            waiter: None,
        }
    }

    /// Takes read access if no writer holds or waits for the lock.
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire(1) {
            Ok(()) => Ok(RwLockReadGuard {
                lock: self,
                _shared: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes write access if nobody holds or waits for the lock.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire(MAX_READS) {
            Ok(()) => Ok(RwLockWriteGuard {
                lock: self,
                _unique: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// The data, through a unique borrow: no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared read access to an [`RwLock`]'s data; released on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// Behaves as a `&T`.
    _shared: PhantomData<&'a T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds a read permit, so no write guard (the
        // only source of `&mut T`) exists while it lives.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive write access to an [`RwLock`]'s data; released on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// Behaves as a `&mut T`.
    _unique: PhantomData<&'a mut T>,
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds every permit: no other guard exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds every permit and is borrowed mutably, so
        // this `&mut T` is the only reference to the data.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(MAX_READS);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Future of [`RwLock::read`].
#[must_use = "futures do nothing unless polled"]
pub struct Read<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    waiter: Option<WaiterKey>,
}

impl<'a, T: ?Sized> Future for Read<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match std::task::ready!(this.lock.sem.poll_acquire(cx, 1, &mut this.waiter)) {
            Ok(()) => Poll::Ready(RwLockReadGuard {
                lock: this.lock,
                _shared: PhantomData,
            }),
            Err(_) => unreachable!("an RwLock's semaphore is never closed"),
        }
    }
}

impl<T: ?Sized> Drop for Read<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.lock.sem.cancel(key, 1);
        }
    }
}

impl<T: ?Sized> fmt::Debug for Read<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Read")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// Future of [`RwLock::write`].
#[must_use = "futures do nothing unless polled"]
pub struct Write<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    waiter: Option<WaiterKey>,
}

impl<'a, T: ?Sized> Future for Write<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match std::task::ready!(this.lock.sem.poll_acquire(cx, MAX_READS, &mut this.waiter)) {
            Ok(()) => Poll::Ready(RwLockWriteGuard {
                lock: this.lock,
                _unique: PhantomData,
            }),
            Err(_) => unreachable!("an RwLock's semaphore is never closed"),
        }
    }
}

impl<T: ?Sized> Drop for Write<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.lock.sem.cancel(key, MAX_READS);
        }
    }
}

impl<T: ?Sized> fmt::Debug for Write<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Write")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}
