//! The permit core: hands interchangeable units (permits, channel slots)
//! to waiting futures in FIFO order.
//!
//! Every primitive that counts units builds on this one type: the
//! [`Semaphore`](super::Semaphore) (and through it `Mutex` and `RwLock`,
//! see `batch_semaphore.rs`) and the bounded [`mpsc`](super::mpsc) channel
//! (slots). The owner keeps its own count of free units wherever suits it
//! (an atomic word, a field under the channel's lock) and calls into a
//! [`PermitQueue`] that lives under its lock for everything that involves a
//! waiter.
//!
//! # Invariants
//!
//! - A queued waiter's `data` word is the number of units it still needs;
//!   always > 0 while it is queued. Units handed to a waiter that needs more
//!   stay with it (its `data` shrinks), so a big request at the head of the
//!   queue is filled bit by bit and is never overtaken by small ones.
//! - The owner keeps *free units > 0 implies nobody queued*: a unit it gets
//!   back goes to [`PermitQueue::hand_out`] first and only what nobody needs
//!   returns to the free count. So waiters are served in FIFO order and a
//!   newcomer never jumps the queue.
//! - A waiter is notified exactly when its `data` reaches 0, or when the
//!   owner closes ([`PermitQueue::close_batch`]) with `data` left as it was.
//!   A waiter that goes away gives back `wanted - data` units
//!   ([`PermitQueue::cancel`]): what it had been handed, nothing more.

use super::wait_list::{WaitList, WaiterKey, WaiterState, WakeBatch};
use std::task::Waker;

/// FIFO hand-out of units to waiters; see the module documentation.
#[derive(Debug)]
pub(crate) struct PermitQueue {
    waiters: WaitList,
}

/// Result of [`PermitQueue::poll`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Polled {
    /// Still waiting; the waker was refreshed.
    Waiting,
    /// Handed every unit it asked for; the key is spent.
    Granted,
    /// Notified by a close while still short of `short` units; the key is
    /// spent and the owner must take back what it had been handed.
    Closed {
        /// Units it was still missing.
        short: usize,
    },
}

impl PermitQueue {
    /// An empty queue; allocates nothing until the first waiter parks.
    pub(crate) const fn new() -> Self {
        PermitQueue {
            waiters: WaitList::new(),
        }
    }

    /// True if nobody is queued.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// Parks a waiter that still needs `needed` (> 0) units.
    pub(crate) fn enqueue(&mut self, waker: &Waker, needed: usize) -> WaiterKey {
        debug_assert!(needed > 0);
        self.waiters.push(waker, needed)
    }

    /// Checks a parked waiter.
    pub(crate) fn poll(&mut self, key: &WaiterKey, waker: &Waker) -> Polled {
        match self.waiters.poll_state(key, waker) {
            WaiterState::Queued => Polled::Waiting,
            WaiterState::Notified(0) => Polled::Granted,
            WaiterState::Notified(short) => Polled::Closed { short },
        }
    }

    /// A waiter that wanted `wanted` units goes away: returns how many it
    /// had been handed (the owner must give them back) and its waker, to
    /// drop once the lock is released.
    pub(crate) fn cancel(&mut self, key: WaiterKey, wanted: usize) -> (usize, Option<Waker>) {
        let removed = self.waiters.remove(key);
        (wanted - removed.data, removed.waker)
    }

    /// Hands `*units` to waiters, oldest first, collecting the wakers of
    /// those it completes into `batch`. Returns `true` if it stopped because
    /// `batch` is full while units and waiters remain: the owner wakes the
    /// batch with its lock released and calls again. Otherwise `*units` is
    /// what nobody waits for (0, or everything left once the queue is empty).
    pub(crate) fn hand_out(&mut self, units: &mut usize, batch: &mut WakeBatch) -> bool {
        while *units > 0 {
            let Some(need) = self.waiters.head_data_mut() else {
                return false;
            };
            if *need > *units {
                *need -= *units;
                *units = 0;
                return false;
            }
            if batch.is_full() {
                return true;
            }
            *units -= *need;
            *need = 0;
            if let Some(w) = self.waiters.notify_one() {
                batch.push(w);
            }
        }
        false
    }

    /// Hands one unit to the oldest waiter, the common case without a
    /// batch: `None` if nobody waits (the owner keeps the unit), else
    /// `Some` of the waker to wake if that completed the waiter.
    #[inline]
    pub(crate) fn hand_out_one(&mut self) -> Option<Option<Waker>> {
        let need = self.waiters.head_data_mut()?;
        if *need > 1 {
            *need -= 1;
            return Some(None);
        }
        *need = 0;
        Some(self.waiters.notify_one())
    }

    /// The owner closes: notifies up to a batch of waiters, leaving their
    /// `data` as it is so that [`poll`](Self::poll) reports
    /// [`Polled::Closed`]. Returns how many; the owner repeats, with its
    /// lock released to wake each batch, until this returns 0.
    pub(crate) fn close_batch(&mut self, batch: &mut WakeBatch) -> usize {
        batch.notify_from(&mut self.waiters)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_task::noop_waker;

    #[test]
    fn a_big_request_at_the_head_is_filled_first() {
        let w = noop_waker();
        let mut q = PermitQueue::new();
        let big = q.enqueue(&w, 3);
        let small = q.enqueue(&w, 1);
        let mut batch = WakeBatch::new();
        let mut units = 2;
        assert!(!q.hand_out(&mut units, &mut batch));
        assert_eq!(units, 0, "two units stay with the big waiter");
        assert_eq!(q.poll(&big, &w), Polled::Waiting);
        assert_eq!(q.poll(&small, &w), Polled::Waiting);
        assert!(matches!(q.hand_out_one(), Some(Some(_))));
        assert_eq!(q.poll(&big, &w), Polled::Granted);
        let mut units = 5;
        assert!(!q.hand_out(&mut units, &mut batch));
        assert_eq!(units, 4, "one unit for the small waiter, four left over");
        assert_eq!(q.poll(&small, &w), Polled::Granted);
        assert!(q.is_empty());
        assert!(q.hand_out_one().is_none());
    }

    #[test]
    fn cancel_gives_back_what_was_handed() {
        let w = noop_waker();
        let mut q = PermitQueue::new();
        let a = q.enqueue(&w, 4);
        let mut units = 3;
        let mut batch = WakeBatch::new();
        assert!(!q.hand_out(&mut units, &mut batch));
        assert_eq!(q.cancel(a, 4).0, 3);
        let b = q.enqueue(&w, 2);
        assert_eq!(q.close_batch(&mut batch), 1);
        batch.wake_all();
        assert_eq!(q.poll(&b, &w), Polled::Closed { short: 2 });
    }
}
