//! The per-thread cache in front of a pool's shared stacks.
//!
//! Each thread has one [`ThreadCache`]: a short list of [`PoolCache`]s, one
//! per pool the thread has used. A `PoolCache` has one [`Slot`] per class,
//! and a slot holds at most one idle buffer. The fast path of `rent` takes
//! the buffer out of the slot; the fast path of a lease's drop puts it back.
//! Neither takes a lock, touches an `Arc` count, or writes memory another
//! thread writes: rent + return is a handful of plain loads and stores.
//!
//! # Invariants
//!
//! - Only the owning thread touches its `ThreadCache` (it is a
//!   `thread_local!`); the pool reaches a cache's counters through the
//!   `Arc<Counters>` in its registry, and nothing else.
//! - A parked buffer is stored with an `Arc` of its pool, the one the lease
//!   carried: moving a buffer between a lease and a slot moves the `Arc`
//!   too, so its count does not change on the fast path.
//! - `Slot::reserved` says the slot holds one of its class's reservations
//!   (see `pool.rs`). A full slot always holds one; an empty slot may keep
//!   it, so the next return to this slot needs no shared write.
//! - A `PoolCache` *retires* (gives its buffers to the shared stacks, its
//!   reservations back, and folds its counters into the pool's) when its
//!   thread exits, when the thread drops the `BufferPool`, or when the thread
//!   notices that the pool was closed: every operation compares the global
//!   count of closed pools (`CLOSED_POOLS`, one load of a rarely written
//!   word) with the count this thread last saw, and sweeps its list when it
//!   changed. (A thread that never uses any pool again keeps its cached
//!   buffers of a dropped pool until it exits: at most one per class.)
//! - Reentrancy: nothing runs user code while the cache is borrowed; still,
//!   `try_borrow_mut` and `try_with` make a busy or destroyed cache fall back
//!   to the shared stacks instead of panicking.

use std::cell::RefCell;
use std::collections::TryReserveError;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::lease::Lease;
use super::pool::{PoolInner, CLOSED_POOLS};
use super::stats::{Counters, Event};

thread_local! {
    static CACHE: RefCell<ThreadCache> = const {
        RefCell::new(ThreadCache { hot: None, others: Vec::new(), closed_seen: 0 })
    };
}

/// Most classes a pool can have: one per power of two in `usize`.
const MAX_CLASSES: usize = usize::BITS as usize;

/// One thread's caches, one entry per pool it has used.
///
/// The first pool a thread uses (in practice [`BufferPool::shared`] or the
/// one pool of a server) is `hot`: its slots sit inline in the thread-local,
/// so the fast path reaches a slot in one step from the thread pointer. Other
/// pools live in `others` (one more indirection and a short search). A
/// closed hot pool's place goes to the next pool the thread uses.
///
/// [`BufferPool::shared`]: super::BufferPool::shared
struct ThreadCache {
    hot: Option<PoolCache>,
    others: Vec<PoolCache>,
    /// The value of [`CLOSED_POOLS`] when this thread last swept.
    closed_seen: usize,
}

/// One thread's cache for one pool.
struct PoolCache {
    pool: Arc<PoolInner>,
    /// This cache's counter block; the pool's registry holds the other `Arc`.
    counters: Arc<Counters>,
    /// Indexed by class; entries past the pool's class count stay empty.
    slots: [Slot; MAX_CLASSES],
}

/// One class's place in a thread cache.
#[derive(Default)]
struct Slot {
    /// An idle buffer and the `Arc` of the pool it belongs to.
    parked: Option<(Box<[u8]>, Arc<PoolInner>)>,
    /// Whether this slot holds a reservation of its class.
    reserved: bool,
}

/// Rents a buffer of `class` from `pool` through the calling thread's cache;
/// `Err` only when a new buffer was needed and the allocator refused it
/// (then nothing was counted and no reservation taken).
///
/// The fast path is the common case of a warm loop: `pool` is this thread's
/// hot pool, no pool was closed since the thread last looked, and the slot
/// holds a buffer. Everything else goes to [`rent_slow`].
#[inline]
pub(super) fn rent(pool: &Arc<PoolInner>, class: usize) -> Result<Lease, TryReserveError> {
    let hit = CACHE
        .try_with(|cell| {
            let mut tc = cell.try_borrow_mut().ok()?;
            let cache = tc.fast(pool)?;
            // The slot keeps its reservation for the buffer's return.
            let (buf, arc) = cache.slots[class].parked.take()?;
            cache.counters.record_owned(Event::Reused);
            Some(Lease::pooled(buf, arc))
        })
        .ok()
        .flatten();
    match hit {
        Some(lease) => Ok(lease),
        None => rent_slow(pool, class),
    }
}

/// Not the fast path: another pool than the hot one, an empty slot, a pool
/// closed somewhere, or no usable cache. The thread's slot for the pool
/// first, then the shared stack, else a new buffer.
#[cold]
#[inline(never)]
fn rent_slow(pool: &Arc<PoolInner>, class: usize) -> Result<Lease, TryReserveError> {
    let mut hit = None;
    let cached = with_thread_cache(|tc| {
        let cache = tc.get(pool);
        hit = cache.slots[class].parked.take();
        if hit.is_some() {
            cache.counters.record_owned(Event::Reused);
        }
    })
    .is_some();
    if let Some((buf, arc)) = hit {
        return Ok(Lease::pooled(buf, arc));
    }
    let reused = pool.pop_shared(class);
    // Allocate before counting: a refused allocation counts nowhere.
    let (buf, event) = match reused {
        Some(buf) => (buf, Event::Reused),
        None => (pool.allocate(class)?, Event::Fresh),
    };
    let reused = matches!(event, Event::Reused);
    let counted = cached
        && with_thread_cache(|tc| {
            let cache = tc.get(pool);
            if reused {
                // The popped buffer's reservation: the slot keeps it if it
                // has none, so that this buffer's return stays local.
                let slot = &mut cache.slots[class];
                if slot.reserved {
                    pool.release(class);
                } else {
                    slot.reserved = true;
                }
            }
            cache.counters.record_owned(event);
        })
        .is_some();
    if !counted {
        if reused {
            pool.release(class);
        }
        pool.counters.record_shared(event);
    }
    Ok(Lease::pooled(buf, Arc::clone(pool)))
}

/// Takes back a lease's buffer: into this thread's slot if it is empty,
/// else the shared stack if the class has room, else frees it.
///
/// The fast path parks the buffer in the hot pool's slot when that slot is
/// empty and still holds its reservation (the buffer was rented from it);
/// everything else goes to [`give_back_slow`].
#[inline]
pub(super) fn give_back(pool: Arc<PoolInner>, mut buf: Box<[u8]>) {
    if pool.clear_on_return {
        buf.fill(0);
    }
    let class = pool.class_of_buffer(&buf);
    let mut item = Some((buf, pool));
    let _ = CACHE.try_with(|cell| {
        let Ok(mut tc) = cell.try_borrow_mut() else {
            return;
        };
        let Some((_, pool)) = &item else {
            return;
        };
        if pool.is_closed() {
            return;
        }
        let Some(cache) = tc.fast(pool) else {
            return;
        };
        let slot = &mut cache.slots[class];
        if slot.parked.is_none() && slot.reserved {
            // A swap rather than an assignment: no drop of the old (empty)
            // value on the fast path. `item` is left empty.
            std::mem::swap(&mut slot.parked, &mut item);
            cache.counters.record_owned(Event::Returned);
        }
    });
    if let Some((buf, pool)) = item {
        give_back_slow(pool, class, buf);
    }
}

/// Not the fast path: the thread's slot for the pool if it is empty and a
/// reservation can be had, the shared stack if the class has room, else
/// free.
#[cold]
#[inline(never)]
fn give_back_slow(pool: Arc<PoolInner>, class: usize, buf: Box<[u8]>) {
    let mut item = Some((buf, pool));
    with_thread_cache(|tc| {
        let Some((buf, pool)) = item.take() else {
            return;
        };
        if pool.is_closed() {
            // No new cache for a closed pool: free the buffer.
            pool.counters.record_shared(Event::Discarded);
            return;
        }
        let cache = tc.get(&pool);
        let slot = &mut cache.slots[class];
        if slot.parked.is_none() && (slot.reserved || pool.try_reserve(class)) {
            slot.reserved = true;
            slot.parked = Some((buf, pool));
            cache.counters.record_owned(Event::Returned);
        } else {
            let event = park_shared_or_free(&pool, class, buf);
            cache.counters.record_owned(event);
        }
    });
    if let Some((buf, pool)) = item {
        pool.take_back(buf);
    }
}

/// The thread's slot was full: the shared stack, or free.
fn park_shared_or_free(pool: &PoolInner, class: usize, buf: Box<[u8]>) -> Event {
    if !pool.is_closed() && pool.try_reserve(class) {
        pool.push_shared(class, buf);
        Event::Returned
    } else {
        Event::Discarded
    }
}

/// Retires the calling thread's cache of `pool`, if it has one (the pool is
/// being dropped).
pub(super) fn retire(pool: &Arc<PoolInner>) {
    let mut retired = None;
    with_thread_cache(|tc| {
        if tc.is_hot(pool) {
            retired = tc.hot.take();
        } else if let Some(i) = tc.others.iter().position(|c| Arc::ptr_eq(&c.pool, pool)) {
            retired = Some(tc.others.swap_remove(i));
        }
    });
    // After the borrow: retiring locks the pool's stacks and registry.
    drop(retired);
}

/// Runs `f` on the calling thread's cache, or returns `None` if that cache
/// is destroyed (thread exit) or busy. Afterwards, if some pool was closed
/// since this thread last looked, retires this thread's caches of closed
/// pools (see [`sweep`]).
#[inline]
fn with_thread_cache(f: impl FnOnce(&mut ThreadCache)) -> Option<()> {
    let any_closed = CACHE
        .try_with(|cell| {
            let mut tc = cell.try_borrow_mut().ok()?;
            f(&mut tc);
            // Acquire: pairs with the Release increment in `BufferPool`'s
            // drop, after its `closed` flag was set.
            let closed_now = CLOSED_POOLS.load(Ordering::Acquire);
            let changed = closed_now != tc.closed_seen;
            tc.closed_seen = closed_now;
            Some(changed)
        })
        .ok()
        .flatten()?;
    if any_closed {
        sweep();
    }
    Some(())
}

/// Retires this thread's caches of closed pools, after the borrow ends:
/// retiring locks the pool's stacks and registry and may drop the pool's
/// last `Arc`. Kept out of line so the fast path never moves a `PoolCache`.
#[cold]
#[inline(never)]
fn sweep() {
    let closed = CACHE
        .try_with(|cell| {
            let mut tc = cell.try_borrow_mut().ok()?;
            let (mut closed, open): (Vec<_>, Vec<_>) = std::mem::take(&mut tc.others)
                .into_iter()
                .partition(|c| c.pool.is_closed());
            tc.others = open;
            if tc.hot.as_ref().is_some_and(|c| c.pool.is_closed()) {
                closed.extend(tc.hot.take());
            }
            Some(closed)
        })
        .ok()
        .flatten();
    drop(closed);
}

impl ThreadCache {
    /// Whether `pool` is this thread's hot pool.
    #[inline]
    fn is_hot(&self, pool: &Arc<PoolInner>) -> bool {
        self.hot
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(&c.pool, pool))
    }

    /// The hot cache, if it is `pool`'s and no pool was closed since this
    /// thread last swept: the one case the fast paths handle (the slow paths
    /// sweep, and find or create other pools' caches).
    #[inline]
    fn fast(&mut self, pool: &Arc<PoolInner>) -> Option<&mut PoolCache> {
        let unswept = CLOSED_POOLS.load(Ordering::Acquire) != self.closed_seen;
        if unswept || !self.is_hot(pool) {
            return None;
        }
        self.hot.as_mut()
    }

    /// This thread's cache for `pool`, created if needed.
    #[inline]
    fn get(&mut self, pool: &Arc<PoolInner>) -> &mut PoolCache {
        if self.is_hot(pool) {
            self.hot.as_mut().expect("checked just above")
        } else {
            self.get_other(pool)
        }
    }

    /// Not the hot pool: becomes it if the place is free, else found or
    /// added in `others`.
    #[cold]
    #[inline(never)]
    fn get_other(&mut self, pool: &Arc<PoolInner>) -> &mut PoolCache {
        if self.hot.is_none() {
            return self.hot.insert(PoolCache::new(pool));
        }
        let i = match self.others.iter().position(|c| Arc::ptr_eq(&c.pool, pool)) {
            Some(i) => i,
            None => {
                self.others.push(PoolCache::new(pool));
                self.others.len() - 1
            }
        };
        &mut self.others[i]
    }
}

impl PoolCache {
    fn new(pool: &Arc<PoolInner>) -> PoolCache {
        let counters = Arc::new(Counters::default());
        pool.register(Arc::clone(&counters));
        PoolCache {
            pool: Arc::clone(pool),
            counters,
            slots: std::array::from_fn(|_| Slot::default()),
        }
    }
}

impl Drop for PoolCache {
    fn drop(&mut self) {
        let pool = &self.pool;
        for (class, slot) in self.slots.iter_mut().enumerate() {
            match slot.parked.take() {
                // The buffer keeps its reservation on the shared stack
                // (`push_shared` frees it if the pool is closed).
                Some((buf, _arc)) => pool.push_shared(class, buf),
                None if slot.reserved => pool.release(class),
                None => {}
            }
        }
        pool.unregister(&self.counters);
    }
}
