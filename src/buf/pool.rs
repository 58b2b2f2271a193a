//! [`BufferPool`], its builder, and the shared state behind it.
//!
//! # Ownership
//!
//! - [`BufferPool`] owns one `Arc<PoolInner>`; every [`Lease`] of a pooled
//!   class owns another, and so do every thread cache of the pool and every
//!   buffer parked in one (see `local.rs`). `PoolInner` is therefore alive
//!   while anything can still hand a buffer back to it, and a lease never
//!   dangles.
//! - A class's shared stack (`Class::stack`) is behind a `Mutex` taken only
//!   on slow paths: the calling thread's cache slot was empty on rent or full
//!   on return.
//! - `Class::reserved` counts the class's *reservations*: one for each buffer
//!   on the shared stack, one for each thread-cache slot that holds a buffer
//!   or keeps its place while its buffer is out on lease. It never exceeds
//!   `max_per_class`, which is what bounds the pool's idle memory.
//!
//! # Closing
//!
//! Dropping the [`BufferPool`] sets `closed`, frees the shared stacks and
//! the dropping thread's cache, and bumps `CLOSED_POOLS`. From then on a
//! returning lease is freed, other threads free their cached buffers of
//! this pool on their next operation on any pool (they notice the count
//! changed) or when they exit, and `PoolInner` goes when the last lease or
//! cached buffer does.

use std::collections::TryReserveError;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::error::{alloc_zeroed, RentError};
use super::lease::Lease;
use super::local;
use super::stats::{Counters, Event, PoolStats};

/// How many pools have been closed (dropped) in this process. Thread caches
/// compare it with the value they last saw to notice, with one load per
/// operation, that they may hold caches of a closed pool.
pub(super) static CLOSED_POOLS: AtomicUsize = AtomicUsize::new(0);

/// Smallest default class: 64 bytes.
const DEFAULT_MIN_SIZE: usize = 64;
/// Largest default class: 1 MiB.
const DEFAULT_MAX_SIZE: usize = 1 << 20;
/// Default bound on the buffers one class keeps (all threads together).
const DEFAULT_MAX_PER_CLASS: usize = 32;

/// A pool of reusable byte buffers in power-of-two size classes: the
/// `ArrayPool` of this runtime.
///
/// [`rent`](Self::rent) rounds the request up to its class and returns a
/// [`Lease`] that derefs to the whole class-sized `[u8]`; dropping the lease
/// gives the buffer back, so a loop that reads into a buffer, processes it
/// and drops it allocates only until the pool is warm.
///
/// ```
/// use spool::buf::BufferPool;
///
/// let pool = BufferPool::new();
/// let mut buf = pool.rent(1000);
/// assert_eq!(buf.len(), 1024); // rounded up to its class
/// buf[..5].copy_from_slice(b"hello");
/// let first = buf.as_ptr();
/// drop(buf); // back into the pool
///
/// let again = pool.rent(600);
/// assert_eq!(again.as_ptr(), first); // same buffer, no allocation
/// assert_eq!(pool.stats().reused, 1);
/// ```
///
/// # Size classes and bounds
///
/// Classes are powers of two from `min_size` to `max_size` (by default
/// 64 B ..= 1 MiB). A request above the largest class is served by a plain
/// allocation of exactly the requested length, freed on drop and counted as
/// `oversized`. Each class keeps at most `max_per_class` idle buffers across
/// the whole pool, per-thread caches included (default 32); a buffer returned
/// to a full class is freed and counted as `discarded`.
///
/// # Contents of a rented buffer: speed versus hygiene
///
/// By default a returned buffer is *not* cleared: the next [`rent`](Self::rent)
/// may see the previous holder's bytes. That saves a `memset` of the whole
/// class on every return (at 64 KiB, far more than the rent itself costs),
/// and is safe in Rust terms (the bytes are initialised), but it means data
/// can leak from one user of the pool to the next. Use
/// [`rent_zeroed`](Self::rent_zeroed) when you need zeroes, and
/// [`clear_on_return(true)`](BufferPoolBuilder::clear_on_return) when
/// buffers may hold secrets: then no byte of one lease is ever readable
/// through a later one. Fresh buffers are always allocated zeroed.
///
/// # Threads
///
/// The pool is `Send + Sync`; [`BufferPool::shared`] is a process-wide one.
/// Each thread keeps a one-buffer-per-class cache in front of the shared
/// per-class stacks, so a thread's rent/return cycle takes no lock and no
/// locked instruction. A [`Lease`] is `Send`: dropped on another thread, it
/// goes back to that thread's cache (or the shared stacks).
///
/// A thread cache's slot keeps its place in the class's quota while the
/// buffer it held is out on lease (that is what keeps the cycle free of
/// shared writes). Within one thread this changes nothing; across threads a
/// class may count as full while a slot of another thread is momentarily
/// empty, at most one such slot per thread and class. A thread's slots are
/// handed back to the shared stacks when the thread exits.
pub struct BufferPool {
    inner: Arc<PoolInner>,
}

/// Configures a [`BufferPool`]; from [`BufferPool::builder`].
///
/// ```
/// use spool::buf::BufferPool;
///
/// let pool = BufferPool::builder()
///     .min_size(256)
///     .max_size(64 * 1024)
///     .max_per_class(8)
///     .clear_on_return(true)
///     .build();
/// assert_eq!(pool.rent(1).len(), 256);
/// ```
#[derive(Debug, Clone)]
pub struct BufferPoolBuilder {
    min_size: usize,
    max_size: usize,
    max_per_class: usize,
    clear_on_return: bool,
}

/// The state a pool shares with its leases and the thread caches.
pub(super) struct PoolInner {
    /// log2 of the smallest class size.
    min_shift: u32,
    /// One entry per class, smallest first.
    classes: Box<[Class]>,
    max_per_class: usize,
    pub(super) clear_on_return: bool,
    /// Set once when the [`BufferPool`] is dropped; never cleared.
    closed: AtomicBool,
    /// The shared counter block (see `stats.rs`).
    pub(super) counters: Counters,
    /// The owned counter blocks of live thread caches. `stats` holds this
    /// lock while it reads; a thread cache joins and leaves under it.
    registry: Mutex<Vec<Arc<Counters>>>,
}

/// One size class.
struct Class {
    size: usize,
    /// Reservations held (see the module docs); `<= max_per_class`.
    reserved: AtomicUsize,
    /// Idle buffers shared by all threads; each holds one reservation.
    stack: Mutex<Vec<Box<[u8]>>>,
}

impl BufferPool {
    /// A pool with the default classes (64 B ..= 1 MiB), 32 buffers per
    /// class at most, and no clearing on return.
    pub fn new() -> BufferPool {
        BufferPool::builder().build()
    }

    /// A builder, starting from the defaults of [`BufferPool::new`].
    pub fn builder() -> BufferPoolBuilder {
        BufferPoolBuilder {
            min_size: DEFAULT_MIN_SIZE,
            max_size: DEFAULT_MAX_SIZE,
            max_per_class: DEFAULT_MAX_PER_CLASS,
            clear_on_return: false,
        }
    }

    /// The process-wide pool (default configuration), created on first use.
    pub fn shared() -> &'static BufferPool {
        static SHARED: OnceLock<BufferPool> = OnceLock::new();
        SHARED.get_or_init(BufferPool::new)
    }

    /// Rents a buffer of at least `min_len` bytes.
    ///
    /// The lease's `len()` is the size of the class `min_len` rounds up to
    /// (exactly `min_len` above the largest class). Its contents are
    /// unspecified: zeroes if the buffer is new or the pool clears on
    /// return, otherwise whatever its previous holder left there.
    ///
    /// # Panics
    ///
    /// If the buffer cannot be allocated (`min_len` above `isize::MAX`, or
    /// the allocator refuses), with a message naming the pool and the size;
    /// [`try_rent`](Self::try_rent) returns the error instead.
    #[inline]
    #[track_caller]
    pub fn rent(&self, min_len: usize) -> Lease {
        // Not `try_rent(..).unwrap_or_else(..)`: written out, the fast path
        // stays as small as before there was an error to carry (measured:
        // the wrapped form doubled the cost of a warm rent + return).
        let inner = &self.inner;
        match inner.class_of(min_len) {
            Some(class) => match local::rent(inner, class) {
                Ok(lease) => lease,
                Err(e) => rent_failed(RentError::new(min_len, inner.classes[class].size, e)),
            },
            None => match inner.rent_oversized(min_len) {
                Ok(lease) => lease,
                Err(e) => rent_failed(e),
            },
        }
    }

    /// Like [`rent`](Self::rent), but an impossible size or a failed
    /// allocation gives a [`RentError`] instead of a panic (or, as a plain
    /// `vec![0; n]` would, an abort of the whole process). Nothing is
    /// counted in [`stats`](Self::stats) for a failed rent.
    ///
    /// ```
    /// use spool::buf::BufferPool;
    ///
    /// let pool = BufferPool::new();
    /// assert_eq!(pool.try_rent(100).unwrap().len(), 128);
    /// assert!(pool.try_rent(usize::MAX).is_err()); // more than any allocation may hold
    /// assert_eq!(pool.stats().rents, 1);
    /// ```
    #[inline]
    pub fn try_rent(&self, min_len: usize) -> Result<Lease, RentError> {
        let inner = &self.inner;
        match inner.class_of(min_len) {
            Some(class) => local::rent(inner, class)
                .map_err(|e| RentError::new(min_len, inner.classes[class].size, e)),
            None => inner.rent_oversized(min_len),
        }
    }

    /// Rents a buffer of at least `min_len` bytes, every byte zero.
    ///
    /// # Panics
    ///
    /// As [`rent`](Self::rent), if the buffer cannot be allocated.
    #[track_caller]
    pub fn rent_zeroed(&self, min_len: usize) -> Lease {
        let inner = &self.inner;
        let rented = match inner.class_of(min_len) {
            Some(class) => local::rent(inner, class)
                .map_err(|e| RentError::new(min_len, inner.classes[class].size, e))
                .map(|mut lease| {
                    // A cleared pool holds only zeroed buffers. Otherwise
                    // zero even a fresh (already zero) buffer: fresh ones are
                    // rare once the pool is warm, and not tracking which is
                    // which keeps a lease at three words.
                    if !inner.clear_on_return {
                        lease.fill(0);
                    }
                    lease
                }),
            // Allocated zeroed.
            None => inner.rent_oversized(min_len),
        };
        rented.unwrap_or_else(|e| rent_failed(e))
    }

    /// A snapshot of the pool's counters. See [`PoolStats`] for what holds in
    /// every snapshot, even while other threads use the pool.
    pub fn stats(&self) -> PoolStats {
        self.inner.stats()
    }
}

impl Default for BufferPool {
    fn default() -> BufferPool {
        BufferPool::new()
    }
}

impl Drop for BufferPool {
    fn drop(&mut self) {
        self.inner.closed.store(true, Ordering::Release);
        // Release: a thread that sees the new count sees `closed` set.
        CLOSED_POOLS.fetch_add(1, Ordering::Release);
        local::retire(&self.inner);
        for class in self.inner.classes.iter() {
            let idle = std::mem::take(&mut *lock(&class.stack));
            class.reserved.fetch_sub(idle.len(), Ordering::AcqRel);
            drop(idle);
        }
    }
}

impl fmt::Debug for BufferPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BufferPool")
            .field("min_size", &self.inner.classes[0].size)
            .field("max_size", &self.inner.max_size())
            .field("max_per_class", &self.inner.max_per_class)
            .field("clear_on_return", &self.inner.clear_on_return)
            .finish()
    }
}

impl BufferPoolBuilder {
    /// The smallest class, rounded up to a power of two (default 64 bytes).
    /// Smaller requests get a buffer of this size.
    pub fn min_size(mut self, bytes: usize) -> BufferPoolBuilder {
        self.min_size = bytes;
        self
    }

    /// The largest pooled class, rounded up to a power of two (default
    /// 1 MiB). Larger requests are allocated and freed, not pooled.
    pub fn max_size(mut self, bytes: usize) -> BufferPoolBuilder {
        self.max_size = bytes;
        self
    }

    /// How many idle buffers each class keeps, all threads' caches included
    /// (default 32). `0` disables pooling: every lease is freed on drop.
    pub fn max_per_class(mut self, buffers: usize) -> BufferPoolBuilder {
        self.max_per_class = buffers;
        self
    }

    /// Whether a returned buffer is zeroed before it is parked (default
    /// `false`). With `true`, no byte written through one lease is readable
    /// through a later one; see [`BufferPool`] for the trade-off.
    pub fn clear_on_return(mut self, clear: bool) -> BufferPoolBuilder {
        self.clear_on_return = clear;
        self
    }

    /// Builds the pool.
    ///
    /// # Panics
    ///
    /// If `max_size` (rounded up to a power of two) is smaller than
    /// `min_size` (rounded likewise), or a size does not round to a
    /// power of two that fits in `usize`.
    pub fn build(self) -> BufferPool {
        let round = |bytes: usize, what: &str| {
            bytes.max(1).checked_next_power_of_two().unwrap_or_else(|| {
                panic!("BufferPoolBuilder: {what} {bytes} has no power of two above it in usize")
            })
        };
        let min = round(self.min_size, "min_size");
        let max = round(self.max_size, "max_size");
        assert!(
            min <= max,
            "BufferPoolBuilder: max_size ({max}) must be at least min_size ({min})"
        );
        let classes = (min.trailing_zeros()..=max.trailing_zeros())
            .map(|shift| Class {
                size: 1 << shift,
                reserved: AtomicUsize::new(0),
                stack: Mutex::new(Vec::new()),
            })
            .collect();
        BufferPool {
            inner: Arc::new(PoolInner {
                min_shift: min.trailing_zeros(),
                classes,
                max_per_class: self.max_per_class,
                clear_on_return: self.clear_on_return,
                closed: AtomicBool::new(false),
                counters: Counters::default(),
                registry: Mutex::new(Vec::new()),
            }),
        }
    }
}

impl PoolInner {
    /// The class serving `min_len`, or `None` above the largest class.
    #[inline]
    fn class_of(&self, min_len: usize) -> Option<usize> {
        let shift = if min_len <= 1 {
            0
        } else {
            usize::BITS - (min_len - 1).leading_zeros()
        };
        let class = shift.saturating_sub(self.min_shift) as usize;
        (class < self.classes.len()).then_some(class)
    }

    /// A plain zeroed allocation for a request above the largest class.
    /// Counted only once it succeeded.
    #[cold]
    fn rent_oversized(&self, min_len: usize) -> Result<Lease, RentError> {
        let buf = alloc_zeroed(min_len).map_err(|e| RentError::new(min_len, min_len, e))?;
        self.counters.record_shared(Event::Oversized);
        Ok(Lease::unpooled(buf))
    }

    /// The class of a buffer this pool allocated (its length is the class size).
    #[inline]
    pub(super) fn class_of_buffer(&self, buf: &[u8]) -> usize {
        debug_assert!(buf.len().is_power_of_two());
        (buf.len().trailing_zeros() - self.min_shift) as usize
    }

    fn max_size(&self) -> usize {
        self.classes[self.classes.len() - 1].size
    }

    #[inline]
    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// A new zeroed buffer of `class` (zeroed because Rust may not expose
    /// uninitialised bytes), or the allocator's refusal.
    pub(super) fn allocate(&self, class: usize) -> Result<Box<[u8]>, TryReserveError> {
        alloc_zeroed(self.classes[class].size)
    }

    /// Takes one reservation of `class`, unless it already has
    /// `max_per_class`.
    pub(super) fn try_reserve(&self, class: usize) -> bool {
        let max = self.max_per_class;
        self.classes[class]
            .reserved
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok()
    }

    /// Gives back one reservation of `class`.
    pub(super) fn release(&self, class: usize) {
        self.classes[class].reserved.fetch_sub(1, Ordering::AcqRel);
    }

    /// Pops an idle buffer from the shared stack; it comes with its
    /// reservation, which the caller now holds.
    pub(super) fn pop_shared(&self, class: usize) -> Option<Box<[u8]>> {
        lock(&self.classes[class].stack).pop()
    }

    /// Parks `buf` on the shared stack; the caller hands over the
    /// reservation it holds for it. A closed pool frees it instead.
    pub(super) fn push_shared(&self, class: usize, buf: Box<[u8]>) {
        if self.is_closed() {
            self.release(class);
            return;
        }
        lock(&self.classes[class].stack).push(buf);
    }

    /// Takes `buf` (already cleared if the pool clears) back without a
    /// thread cache (the thread is exiting, or its cache is busy): to the
    /// shared stack if the class has room.
    pub(super) fn take_back(&self, buf: Box<[u8]>) {
        let class = self.class_of_buffer(&buf);
        if !self.is_closed() && self.try_reserve(class) {
            self.push_shared(class, buf);
            self.counters.record_shared(Event::Returned);
        } else {
            self.counters.record_shared(Event::Discarded);
        }
    }

    /// Adds a thread cache's counter block to the registry.
    pub(super) fn register(&self, block: Arc<Counters>) {
        lock(&self.registry).push(block);
    }

    /// Folds a retiring thread cache's counters into the shared block and
    /// removes it from the registry, atomically with respect to `stats`.
    pub(super) fn unregister(&self, block: &Arc<Counters>) {
        let mut registry = lock(&self.registry);
        self.counters.absorb(block);
        if let Some(i) = registry.iter().position(|b| Arc::ptr_eq(b, block)) {
            registry.swap_remove(i);
        }
    }

    fn stats(&self) -> PoolStats {
        let registry = lock(&self.registry);
        let blocks = std::iter::once(&self.counters).chain(registry.iter().map(|b| &**b));
        Counters::snapshot(blocks)
    }
}

impl fmt::Debug for PoolInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolInner")
            .field("classes", &self.classes.len())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// The panic of [`BufferPool::rent`] and [`BufferPool::rent_zeroed`], out of
/// line so the inlined fast path stays small.
#[cold]
#[inline(never)]
#[track_caller]
fn rent_failed(e: RentError) -> ! {
    panic!("{e} (use BufferPool::try_rent to handle this as an error)")
}

/// Locks `m`, ignoring poisoning: the data under these locks (a `Vec` of
/// buffers, a `Vec` of counter blocks) is valid after any panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
