//! The pool's counters and the snapshot that [`BufferPool::stats`] returns.
//!
//! # Who writes which counter
//!
//! Counters live in [`Counters`] blocks. A pool has one *shared* block,
//! written by any thread with `fetch_add` (slow paths, oversized requests,
//! and the totals of thread caches that have retired), and one *owned* block
//! per thread cache, written only by the thread that owns the cache, with a
//! plain load and store (no read-modify-write, so the fast path touches no
//! contended cache line and pays no locked instruction).
//!
//! # Why a snapshot is consistent
//!
//! - `rents` is not a counter of its own: every rent increments exactly one
//!   of `reused`, `fresh` or `oversized`, and [`PoolStats::rents`] is their
//!   sum, so `rents == reused + fresh + oversized` holds in every snapshot by
//!   construction, whatever the interleaving.
//! - A lease ends (`returned` or `discarded`) only after it began, and the
//!   end happens-after the beginning (same thread, or the lease crossed
//!   threads through some synchronisation). Writers publish every increment
//!   with `Release`; [`Counters::snapshot`] callers first read the *end*
//!   counters of every block with `Acquire`, then the *beginning* counters.
//!   Having seen an end, the reader has synchronised with its writer and so
//!   sees the matching beginning: `returned + discarded <= reused + fresh`
//!   in every snapshot too.
//! - A retiring thread cache folds its block into the shared one and leaves
//!   the registry under the registry lock, which `stats` holds while it
//!   reads, so no increment is seen twice or missed.
//!
//! [`BufferPool::stats`]: super::BufferPool::stats

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a [`BufferPool`](super::BufferPool)'s counters, from
/// [`BufferPool::stats`](super::BufferPool::stats).
///
/// Every snapshot satisfies `rents == reused + fresh + oversized` and
/// `returned + discarded <= reused + fresh`, even while other threads rent
/// and return (see the module source for the argument).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Successful calls to `rent`, `try_rent` and `rent_zeroed` (a failed
    /// allocation counts nowhere): always `reused + fresh + oversized`.
    pub rents: u64,
    /// Rents served by a buffer the pool already held.
    pub reused: u64,
    /// Rents served by allocating a new class-sized buffer.
    pub fresh: u64,
    /// Leases taken back into the pool when they were dropped.
    pub returned: u64,
    /// Leases freed on drop because their class already held `max_per_class`
    /// buffers (or because the pool itself had been dropped).
    pub discarded: u64,
    /// Rents larger than the largest class, served by a plain allocation that
    /// is freed (not pooled) on drop.
    pub oversized: u64,
}

/// What happened to a lease, for the counters.
#[derive(Debug, Clone, Copy)]
pub(super) enum Event {
    Reused,
    Fresh,
    Oversized,
    Returned,
    Discarded,
}

/// One block of counters (see the module docs for who may write it how).
///
/// Aligned to 128 bytes (two cache lines, the unit adjacent-line prefetchers
/// pull in) so that two threads' blocks never share a line: each thread
/// writes only its own block, and must not slow the other down.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(super) struct Counters {
    reused: AtomicU64,
    fresh: AtomicU64,
    oversized: AtomicU64,
    returned: AtomicU64,
    discarded: AtomicU64,
}

impl Counters {
    fn cell(&self, event: Event) -> &AtomicU64 {
        match event {
            Event::Reused => &self.reused,
            Event::Fresh => &self.fresh,
            Event::Oversized => &self.oversized,
            Event::Returned => &self.returned,
            Event::Discarded => &self.discarded,
        }
    }

    /// Counts `event` in a block that only the calling thread writes.
    ///
    /// A load and a store instead of a `fetch_add`: correct because no other
    /// thread writes this block, and on x86 it is two plain moves.
    #[inline]
    pub(super) fn record_owned(&self, event: Event) {
        let cell = self.cell(event);
        cell.store(cell.load(Ordering::Relaxed) + 1, Ordering::Release);
    }

    /// Counts `event` in a block that any thread may write.
    pub(super) fn record_shared(&self, event: Event) {
        self.cell(event).fetch_add(1, Ordering::Release);
    }

    /// Adds every counter of `other` to this (shared) block.
    pub(super) fn absorb(&self, other: &Counters) {
        for event in [
            Event::Reused,
            Event::Fresh,
            Event::Oversized,
            Event::Returned,
            Event::Discarded,
        ] {
            let n = other.cell(event).load(Ordering::Acquire);
            if n != 0 {
                self.cell(event).fetch_add(n, Ordering::Release);
            }
        }
    }

    /// Sums `blocks` into a [`PoolStats`], reading every block's end-of-lease
    /// counters before any beginning-of-lease counter (see the module docs).
    /// The caller holds the registry lock so that no block retires meanwhile.
    pub(super) fn snapshot<'a>(blocks: impl Iterator<Item = &'a Counters> + Clone) -> PoolStats {
        let mut s = PoolStats::default();
        for c in blocks.clone() {
            s.returned += c.returned.load(Ordering::Acquire);
            s.discarded += c.discarded.load(Ordering::Acquire);
        }
        for c in blocks {
            s.reused += c.reused.load(Ordering::Acquire);
            s.fresh += c.fresh.load(Ordering::Acquire);
            s.oversized += c.oversized.load(Ordering::Acquire);
        }
        s.rents = s.reused + s.fresh + s.oversized;
        s
    }
}
