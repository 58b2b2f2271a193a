//! Timers: an indexed binary min-heap over a slab of entries.
//!
//! Each armed [`Sleep`](crate::time::Sleep) owns one entry in its reactor's
//! timer slab; the entry's slab key is what the `Sleep` remembers. The heap
//! is a `Vec` of small `Node`s ordered by `(deadline, sequence number)`, and
//! every entry records its node's position in the heap, so that cancelling
//! a timer (dropping its `Sleep`) removes it in `O(log n)` without a search.
//!
//! # Why a heap and not a timing wheel
//!
//! A hierarchical wheel makes insertion `O(1)` but fires in slot order, with
//! the resolution of its slots, and needs a cascade step. The heap fires in
//! exact deadline order (ties in arming order) at nanosecond resolution, and
//! with entries in a slab and nodes in a `Vec` it allocates nothing once
//! both have grown to the peak number of armed timers. `O(log n)` with
//! 10,000 armed timers is 14 comparisons of two integers each.
//!
//! # Invariants
//!
//! - `Timers` lives inside one `Reactor` and is touched only by its thread.
//! - An entry is *queued* (its node is in the heap, `heap_pos` says where)
//!   or *fired* (`heap_pos == FIRED`, the waker was taken and woken). Only
//!   the owner of the key (one `Sleep`) removes the entry; [`Timers::fire`]
//!   only moves entries from queued to fired. So a key is never reused while
//!   a `Sleep` remembers it.
//! - `heap[entries[k].heap_pos].key == k` for every queued `k`.
//! - Wakers displaced or fired here are *returned* to the caller, who drops
//!   or wakes them only after releasing its `RefCell` borrow.

use std::task::Waker;
use std::time::Duration;

use crate::time::Instant;

use slab::Slab;

/// `heap_pos` of an entry whose timer has fired.
const FIRED: u32 = u32::MAX;

/// One armed (or fired but not yet collected) timer.
#[derive(Debug)]
struct Entry {
    /// Position of this entry's node in the heap, or [`FIRED`].
    heap_pos: u32,
    /// The task to wake when the deadline passes.
    waker: Option<Waker>,
}

/// A heap node: the ordering key and the entry it belongs to.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Deadline in nanoseconds since `Timers::base`.
    when: u64,
    /// Arming order, to fire equal deadlines first-armed-first.
    seq: u64,
    /// Slab key of the entry.
    key: u32,
}

impl Node {
    fn before(&self, other: &Node) -> bool {
        (self.when, self.seq) < (other.when, other.seq)
    }
}

/// All timers of one reactor (see the module doc).
#[derive(Debug)]
pub(crate) struct Timers {
    /// Time zero of this reactor's clock (its creation).
    base: Instant,
    /// Entries, keyed by what the `Sleep`s remember.
    entries: Slab<Entry>,
    /// Min-heap of queued entries.
    heap: Vec<Node>,
    /// Next arming sequence number.
    seq: u64,
}

impl Timers {
    pub(crate) fn new() -> Timers {
        Timers {
            base: Instant::from_std(std::time::Instant::now()),
            entries: Slab::new(),
            heap: Vec::new(),
            seq: 0,
        }
    }

    /// Number of queued (not yet fired) timers.
    pub(crate) fn queued(&self) -> usize {
        self.heap.len()
    }

    /// Converts an instant to this clock (saturating at both ends).
    fn ticks(&self, t: Instant) -> u64 {
        u64::try_from(t.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }

    /// The earliest queued deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap
            .first()
            .map(|n| self.base + Duration::from_nanos(n.when))
    }

    /// Arms a new timer; returns its key.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: &Waker) -> u32 {
        let key = self.entries.insert(Entry {
            heap_pos: FIRED,
            waker: Some(waker.clone()),
        });
        let key = u32::try_from(key).expect("more than 4 billion armed timers");
        self.push(key, deadline);
        key
    }

    /// Polls entry `key`: `true` if it fired. Otherwise makes `waker` the
    /// one to wake, returning the displaced waker (drop it after the borrow).
    pub(crate) fn poll(&mut self, key: u32, waker: &Waker) -> (bool, Option<Waker>) {
        let entry = &mut self.entries[key as usize];
        if entry.heap_pos == FIRED {
            return (true, None);
        }
        match &entry.waker {
            Some(w) if w.will_wake(waker) => (false, None),
            _ => (false, entry.waker.replace(waker.clone())),
        }
    }

    /// Moves entry `key` to a new deadline (re-arming it if it fired),
    /// keeping its waker unless `waker` is given. Returns the entry's
    /// previous waker if it was replaced.
    pub(crate) fn reset(
        &mut self,
        key: u32,
        deadline: Instant,
        waker: Option<&Waker>,
    ) -> Option<Waker> {
        self.unqueue(key);
        self.push(key, deadline);
        let entry = &mut self.entries[key as usize];
        match (waker, &entry.waker) {
            (None, _) => None,
            (Some(new), Some(old)) if old.will_wake(new) => None,
            (Some(new), _) => entry.waker.replace(new.clone()),
        }
    }

    /// Cancels and frees entry `key`; returns its waker (drop it after the
    /// borrow). Unknown keys are ignored.
    pub(crate) fn remove(&mut self, key: u32) -> Option<Waker> {
        if !self.entries.contains(key as usize) {
            return None;
        }
        self.unqueue(key);
        self.entries.remove(key as usize).waker
    }

    /// Fires every timer due at `now`, in deadline order: pushes their
    /// wakers onto `out` and returns how many fired.
    pub(crate) fn fire(&mut self, now: Instant, out: &mut Vec<Waker>) -> u64 {
        let now = self.ticks(now);
        let mut fired = 0;
        while let Some(top) = self.heap.first() {
            if top.when > now {
                break;
            }
            let key = top.key;
            self.remove_at(0);
            let entry = &mut self.entries[key as usize];
            entry.heap_pos = FIRED;
            out.extend(entry.waker.take());
            fired += 1;
        }
        fired
    }

    /// Takes every waker (shutdown), leaving the entries to their owners.
    pub(crate) fn take_all_wakers(&mut self, out: &mut Vec<Waker>) {
        for (_, entry) in self.entries.iter_mut() {
            out.extend(entry.waker.take());
        }
    }

    /// Queues entry `key` (which must not be queued) at `deadline`.
    fn push(&mut self, key: u32, deadline: Instant) {
        let node = Node {
            when: self.ticks(deadline),
            seq: self.seq,
            key,
        };
        self.seq += 1;
        self.heap.push(node);
        let pos = self.heap.len() - 1;
        self.entries[key as usize].heap_pos = pos as u32;
        self.sift_up(pos);
    }

    /// Takes entry `key` out of the heap if it is queued.
    fn unqueue(&mut self, key: u32) {
        let pos = self.entries[key as usize].heap_pos;
        if pos != FIRED {
            self.remove_at(pos as usize);
            self.entries[key as usize].heap_pos = FIRED;
        }
    }

    /// Removes the node at `pos`, restoring the heap property.
    fn remove_at(&mut self, pos: usize) {
        let last = self.heap.len() - 1;
        self.heap.swap(pos, last);
        self.heap.pop();
        if pos < self.heap.len() {
            self.set_pos(pos);
            // The moved node may belong above or below its new place.
            let pos = self.sift_up(pos);
            self.sift_down(pos);
        }
    }

    /// Moves the node at `pos` up while it is before its parent.
    fn sift_up(&mut self, mut pos: usize) -> usize {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !self.heap[pos].before(&self.heap[parent]) {
                break;
            }
            self.heap.swap(pos, parent);
            self.set_pos(pos);
            self.set_pos(parent);
            pos = parent;
        }
        pos
    }

    /// Moves the node at `pos` down while a child is before it.
    fn sift_down(&mut self, mut pos: usize) {
        loop {
            let left = 2 * pos + 1;
            if left >= self.heap.len() {
                break;
            }
            let right = left + 1;
            let child = if right < self.heap.len() && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].before(&self.heap[pos]) {
                break;
            }
            self.heap.swap(pos, child);
            self.set_pos(pos);
            self.set_pos(child);
            pos = child;
        }
    }

    /// Records in its entry where the node at `pos` now is.
    fn set_pos(&mut self, pos: usize) {
        let key = self.heap[pos].key;
        self.entries[key as usize].heap_pos = pos as u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_task::noop_waker;

    #[test]
    fn fires_in_deadline_order_and_cancels() {
        let mut t = Timers::new();
        let w = noop_waker();
        let base = Instant::now();
        let ms = Duration::from_millis;
        let keys: Vec<u32> = [5u64, 1, 4, 2, 3, 9, 0]
            .iter()
            .map(|&d| t.insert(base + ms(d), &w))
            .collect();
        // Cancel the 4 ms and the 9 ms timers.
        t.remove(keys[2]);
        t.remove(keys[5]);
        assert_eq!(t.queued(), 5);
        let mut order = Vec::new();
        let mut out = Vec::new();
        for now in 0..10 {
            let fired = t.fire(base + ms(now), &mut out);
            for &k in &keys {
                if t.entries.contains(k as usize) && t.poll(k, &w).0 {
                    order.push(k);
                    t.remove(k);
                }
            }
            assert_eq!(fired as usize, out.len());
            out.clear();
        }
        assert_eq!(order, vec![keys[6], keys[1], keys[3], keys[4], keys[0]]);
        assert_eq!(t.queued(), 0);
        assert!(t.entries.is_empty());
    }

    #[test]
    fn heap_positions_stay_consistent_under_churn() {
        let mut t = Timers::new();
        let w = noop_waker();
        let base = Instant::now();
        let mut live = Vec::new();
        let mut x: u64 = 12345;
        for i in 0..2000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if i % 3 == 2 && !live.is_empty() {
                let k = live.swap_remove((x >> 33) as usize % live.len());
                t.remove(k);
            } else {
                live.push(t.insert(base + Duration::from_micros(x >> 50), &w));
            }
            for (pos, node) in t.heap.iter().enumerate() {
                assert_eq!(t.entries[node.key as usize].heap_pos as usize, pos);
                if pos > 0 {
                    assert!(!node.before(&t.heap[(pos - 1) / 2]));
                }
            }
        }
        let mut out = Vec::new();
        let mut last = 0;
        while let Some(top) = t.heap.first().copied() {
            assert!(top.when >= last);
            last = top.when;
            t.fire(t.base + Duration::from_nanos(top.when), &mut out);
        }
        assert_eq!(out.len(), live.len());
    }
}
