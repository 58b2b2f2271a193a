//! A FIFO queue of parked futures that allocates nothing in steady state.
//!
//! Every primitive of [`sync`](super) that makes a future wait parks it in
//! a [`WaitList`]: senders on a full channel, `acquire` / `lock` / `read` /
//! `write` calls (through the permit core, `permits.rs`), `Notify`,
//! `watch` and `broadcast` receivers, `Barrier` waiters. It lives *inside*
//! the owner's mutex, so every method takes `&mut self` and none of them
//! wakes anybody: methods that make a waiter runnable return its [`Waker`]
//! and the caller wakes it after the lock is released (see [`WakeBatch`]).
//!
//! # Layout
//!
//! Entries live in a [`Slab`]; the queue order is a doubly linked list of
//! slab keys (`prev` / `next`), so a waiter in the middle of the queue can
//! leave in O(1) when its future is dropped. A slab reuses freed slots, so
//! once the list has held as many waiters at once as it ever will, parking
//! and unparking allocate nothing.
//!
//! Each entry carries one word of `data` that belongs to the owner: the
//! permits a waiter still needs (semaphore, channel), the generation it
//! parked in (`Notify`, `Barrier`). The list never interprets it.
//!
//! # Invariants
//!
//! - A [`WaiterKey`] is owned by exactly one future (the one that called
//!   [`WaitList::push`]) and is removed by that future only, with
//!   [`WaitList::remove`] or when [`WaitList::poll_state`] reports it
//!   notified. The list never frees an entry on its own, so a key can never
//!   refer to someone else's entry.
//! - An entry is either *queued* (linked into the FIFO list) or *notified*
//!   (unlinked, and handed whatever the owner hands out: a slot, permits, a
//!   notification). A notified entry's owner must either use what it was
//!   handed or, when it is dropped, give it back ([`WaitList::remove`]
//!   reports which case applies), so nothing is ever lost.
//! - Waiters are notified strictly in the order they were pushed.

use slab::Slab;
use std::task::Waker;

/// Marks "no entry" in the `prev` / `next` links.
const NIL: usize = usize::MAX;

/// Identifies one parked future's entry in a [`WaitList`].
///
/// Deliberately neither `Clone` nor `Copy`: the future that parked owns it.
#[derive(Debug)]
pub(crate) struct WaiterKey(usize);

/// What [`WaitList::poll_state`] found for a waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaiterState {
    /// Still in the queue; its waker has been refreshed.
    Queued,
    /// Unlinked by [`WaitList::notify_one`]; the entry is gone now. Holds
    /// the entry's `data` as it was when it was freed.
    Notified(usize),
}

/// What [`WaitList::remove`] took out of the list.
#[derive(Debug)]
pub(crate) struct Removed {
    /// True if the entry had been notified (and so was handed something
    /// its owner must now use or give back).
    pub(crate) notified: bool,
    /// The entry's `data`.
    pub(crate) data: usize,
    /// Its waker, returned so that it is dropped after the lock is released.
    pub(crate) waker: Option<Waker>,
}

#[derive(Debug)]
struct Entry {
    /// Who to wake when this entry is notified; `None` once taken.
    waker: Option<Waker>,
    /// True once [`WaitList::notify_one`] unlinked this entry.
    notified: bool,
    /// The owner's word; see the module docs.
    data: usize,
    prev: usize,
    next: usize,
}

/// A FIFO list of waiters; see the module documentation.
#[derive(Debug)]
pub(crate) struct WaitList {
    entries: Slab<Entry>,
    /// Oldest queued entry, or `NIL`.
    head: usize,
    /// Newest queued entry, or `NIL`.
    tail: usize,
    /// Number of queued (not yet notified) entries.
    queued: usize,
}

impl WaitList {
    /// An empty list; allocates nothing until the first waiter parks.
    pub(crate) const fn new() -> Self {
        WaitList {
            entries: Slab::new(),
            head: NIL,
            tail: NIL,
            queued: 0,
        }
    }

    /// True if no waiter is queued (notified entries do not count).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// Parks a new waiter, carrying `data`, at the back of the queue.
    pub(crate) fn push(&mut self, waker: &Waker, data: usize) -> WaiterKey {
        let key = self.entries.insert(Entry {
            waker: Some(waker.clone()),
            notified: false,
            data,
            prev: self.tail,
            next: NIL,
        });
        if self.tail == NIL {
            self.head = key;
        } else {
            self.entries[self.tail].next = key;
        }
        self.tail = key;
        self.queued += 1;
        WaiterKey(key)
    }

    /// Checks a parked waiter. If it has been notified its entry is freed
    /// (the caller now owns the unit it was handed and must consume `key`);
    /// otherwise its waker is replaced by `waker` if they differ.
    pub(crate) fn poll_state(&mut self, key: &WaiterKey, waker: &Waker) -> WaiterState {
        let entry = &mut self.entries[key.0];
        if entry.notified {
            let data = entry.data;
            self.entries.remove(key.0);
            return WaiterState::Notified(data);
        }
        match &entry.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => entry.waker = Some(waker.clone()),
        }
        WaiterState::Queued
    }

    /// Removes a waiter whose future is going away. If it had already
    /// been notified ([`Removed::notified`]) the caller must pass on what
    /// it was handed (typically with another [`notify_one`](Self::notify_one)).
    pub(crate) fn remove(&mut self, key: WaiterKey) -> Removed {
        let entry = self.entries.remove(key.0);
        if !entry.notified {
            self.unlink(entry.prev, entry.next);
        }
        Removed {
            notified: entry.notified,
            data: entry.data,
            waker: entry.waker,
        }
    }

    /// The `data` of the oldest queued waiter, to read or update in place.
    pub(crate) fn head_data_mut(&mut self) -> Option<&mut usize> {
        if self.head == NIL {
            None
        } else {
            Some(&mut self.entries[self.head].data)
        }
    }

    /// Hands one unit to the oldest queued waiter: unlinks it, marks it
    /// notified and returns its waker, or `None` if nobody is queued.
    pub(crate) fn notify_one(&mut self) -> Option<Waker> {
        if self.head == NIL {
            return None;
        }
        let key = self.head;
        let entry = &mut self.entries[key];
        entry.notified = true;
        let (prev, next) = (entry.prev, entry.next);
        let waker = entry.waker.take();
        self.unlink(prev, next);
        // A queued waiter always has a waker: `push` sets it and only
        // `notify_one` takes it.
        waker
    }

    /// Unlinks the entry between `prev` and `next` from the queue order.
    fn unlink(&mut self, prev: usize, next: usize) {
        if prev == NIL {
            self.head = next;
        } else {
            self.entries[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.entries[next].prev = prev;
        }
        self.queued -= 1;
    }
}

/// A fixed-size batch of wakers collected under a lock and woken after it
/// is released, so that waking never allocates.
#[derive(Debug)]
pub(crate) struct WakeBatch {
    wakers: [Option<Waker>; WakeBatch::LEN],
    /// How many leading entries of `wakers` are filled.
    len: usize,
}

impl WakeBatch {
    /// How many wakers one batch holds.
    pub(crate) const LEN: usize = 32;

    /// An empty batch.
    pub(crate) fn new() -> Self {
        WakeBatch {
            wakers: [const { None }; Self::LEN],
            len: 0,
        }
    }

    /// Notifies up to [`LEN`](Self::LEN) waiters of `list`, oldest first,
    /// keeping their wakers; returns how many. Used when the owner closes:
    /// every waiter must come back and see that, so the owner repeats
    /// (releasing its lock to wake each batch) until this returns 0.
    pub(crate) fn notify_from(&mut self, list: &mut WaitList) -> usize {
        let mut filled = 0;
        while !self.is_full() {
            match list.notify_one() {
                Some(w) => self.push(w),
                None => break,
            }
            filled += 1;
        }
        filled
    }

    /// True once the batch holds [`LEN`](Self::LEN) wakers.
    pub(crate) fn is_full(&self) -> bool {
        self.len == Self::LEN
    }

    /// Adds one waker to the batch.
    ///
    /// # Panics
    ///
    /// If the batch already holds [`LEN`](Self::LEN) wakers.
    pub(crate) fn push(&mut self, waker: Waker) {
        assert!(!self.is_full(), "WakeBatch is full");
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes and clears every collected waker. Call with no lock held.
    pub(crate) fn wake_all(&mut self) {
        for w in &mut self.wakers[..self.len] {
            if let Some(w) = w.take() {
                w.wake();
            }
        }
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::Wake;

    struct Tag(usize, Arc<AtomicUsize>);
    impl Wake for Tag {
        fn wake(self: Arc<Self>) {
            self.1.store(self.0, Ordering::SeqCst);
        }
    }

    fn tagged(tag: usize, last: &Arc<AtomicUsize>) -> Waker {
        Waker::from(Arc::new(Tag(tag, last.clone())))
    }

    #[test]
    fn fifo_and_removal_from_the_middle() {
        let last = Arc::new(AtomicUsize::new(0));
        let mut list = WaitList::new();
        let a = list.push(&tagged(1, &last), 0);
        let b = list.push(&tagged(2, &last), 0);
        let c = list.push(&tagged(3, &last), 7);
        assert!(!list.remove(b).notified);
        list.notify_one().unwrap().wake();
        assert_eq!(last.load(Ordering::SeqCst), 1);
        list.notify_one().unwrap().wake();
        assert_eq!(last.load(Ordering::SeqCst), 3);
        assert!(list.notify_one().is_none());
        assert!(list.is_empty());
        let w = tagged(9, &last);
        assert_eq!(list.poll_state(&a, &w), WaiterState::Notified(0));
        // A notified entry that is dropped instead reports it.
        let c = list.remove(c);
        assert!(c.notified);
        assert_eq!(c.data, 7);
        assert!(list.entries.is_empty());
    }

    #[test]
    fn batches_notify_everyone_in_order() {
        let last = Arc::new(AtomicUsize::new(0));
        let mut list = WaitList::new();
        let keys: Vec<_> = (0..40).map(|i| list.push(&tagged(i, &last), i)).collect();
        let mut batch = WakeBatch::new();
        assert_eq!(batch.notify_from(&mut list), 32);
        batch.wake_all();
        assert_eq!(last.load(Ordering::SeqCst), 31);
        assert_eq!(batch.notify_from(&mut list), 8);
        batch.wake_all();
        assert_eq!(last.load(Ordering::SeqCst), 39);
        assert_eq!(batch.notify_from(&mut list), 0);
        assert!(list.is_empty());
        for k in keys {
            assert!(list.remove(k).notified);
        }
        assert!(list.entries.is_empty());
    }
}
