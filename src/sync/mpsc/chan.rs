//! The state shared by every handle of one channel, bounded or not.
//!
//! # Design
//!
//! All of a channel's state sits behind one `std::sync::Mutex` (a futex:
//! one atomic exchange to lock and one to unlock when uncontended). A
//! lock-free queue would save those two atomics on the single-thread path
//! but would need its own waker protocol and unsafe code; the benches
//! (`benches/sync.rs`) show the mutex design already beats tokio's
//! lock-free channel on one thread, because each operation is one lock,
//! one `VecDeque` push or pop and at most one wake.
//!
//! # Invariants
//!
//! - `queue` holds the sent, not yet received values in send order. For a
//!   bounded channel its length plus `free` plus the slots held by
//!   reservations (a notified send waiter, a live [`Permit`](super::Permit))
//!   is the capacity: a slot is *free*, *reserved* or *filled*.
//! - Slots are units of the permit core (`sync/permits.rs`, shared with the
//!   semaphore): `free > 0` implies no sender is queued in `slots`, because
//!   a freed slot goes to the oldest waiter before it goes back to `free`.
//!   So waiting senders are served in FIFO order and a newcomer never jumps
//!   the queue.
//! - `rx_waker` is the receiver's waker while it waits on an empty queue; a
//!   send takes it (so each wait is woken once).
//! - Once `rx_closed` is set no value is ever pushed again; the receiver
//!   may still drain what is queued.
//! - Wakers are taken out under the lock and woken after it is released.
//!   Values are never dropped under the lock either (a `T::drop` may panic
//!   or take other locks): a dropped receiver moves the queue out first.

use super::error::{SendError, TryRecvError, TrySendError};
use crate::coop;
use crate::loom::sync::{Mutex, MutexGuard};
use crate::sync::permits::{PermitQueue, Polled};
use crate::sync::wait_list::{WaiterKey, WakeBatch};
use std::collections::VecDeque;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};

/// The shared half of a channel; held in an `Arc` by every handle.
#[derive(Debug)]
pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
    /// `Some(capacity)` for a bounded channel.
    bound: Option<usize>,
}

#[derive(Debug)]
struct State<T> {
    queue: VecDeque<T>,
    /// Bounded channels only: slots neither filled nor reserved.
    free: usize,
    /// Bounded channels only: senders waiting for a slot, oldest first.
    slots: PermitQueue,
    rx_waker: Option<Waker>,
    /// Live sender handles; the receiver sees the end once this is 0.
    senders: usize,
    /// Set when the receiver closes or is dropped.
    rx_closed: bool,
}

/// Largest queue allocated up front for a bounded channel; a bigger
/// channel grows its queue on demand (and keeps it).
const PREALLOCATE_MAX: usize = 4096;

impl<T> Chan<T> {
    /// A channel with one sender; `bound` is the capacity of a bounded one.
    pub(super) fn new(bound: Option<usize>) -> Self {
        let (queue, free) = match bound {
            Some(cap) => (VecDeque::with_capacity(cap.min(PREALLOCATE_MAX)), cap),
            None => (VecDeque::new(), 0),
        };
        Chan {
            state: Mutex::new(State {
                queue,
                free,
                slots: PermitQueue::new(),
                rx_waker: None,
                senders: 1,
                rx_closed: false,
            }),
            bound,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic under this lock can only come from a waker clone; the
        // state is consistent at every such point, so poison is ignored.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Capacity of a bounded channel.
    pub(super) fn bound(&self) -> Option<usize> {
        self.bound
    }

    // ----- sender side -------------------------------------------------

    /// Registers one more sender handle.
    pub(super) fn add_sender(&self) {
        self.lock().senders += 1;
    }

    /// Drops one sender handle; the last one wakes the receiver.
    pub(super) fn drop_sender(&self) {
        let waker = {
            let mut st = self.lock();
            st.senders -= 1;
            if st.senders == 0 {
                st.rx_waker.take()
            } else {
                None
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// True once the receiver has closed or gone.
    pub(super) fn is_closed(&self) -> bool {
        self.lock().rx_closed
    }

    /// Unbounded send: never waits.
    pub(super) fn send_unbounded(&self, value: T) -> Result<(), SendError<T>> {
        let waker = {
            let mut st = self.lock();
            if st.rx_closed {
                return Err(SendError(value));
            }
            st.queue.push_back(value);
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Bounded send without waiting.
    pub(super) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let waker = {
            let mut st = self.lock();
            if st.rx_closed {
                return Err(TrySendError::Closed(value));
            }
            if st.free == 0 {
                return Err(TrySendError::Full(value));
            }
            st.free -= 1;
            st.queue.push_back(value);
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Reserves a slot without waiting.
    pub(super) fn try_reserve(&self) -> Result<(), TrySendError<()>> {
        let mut st = self.lock();
        if st.rx_closed {
            return Err(TrySendError::Closed(()));
        }
        if st.free == 0 {
            return Err(TrySendError::Full(()));
        }
        st.free -= 1;
        Ok(())
    }

    /// One poll of a slot reservation. `waiter` is the future's place in
    /// the queue of waiting senders; on `Ready(Ok)` the caller owns one
    /// reserved slot and must fill it ([`send_reserved`](Self::send_reserved))
    /// or give it back ([`release_reserved`](Self::release_reserved)).
    pub(super) fn poll_reserve(
        &self,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<(), SendError<()>>> {
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = self.lock();
        self.poll_reserve_locked(&mut st, cx, waiter)
    }

    fn poll_reserve_locked(
        &self,
        st: &mut State<T>,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<(), SendError<()>>> {
        if st.rx_closed {
            if let Some(key) = waiter.take() {
                // A slot handed to us just before the close is simply
                // dropped with the rest of the channel's capacity.
                let _ = st.slots.cancel(key, 1);
            }
            return Poll::Ready(Err(SendError(())));
        }
        match waiter {
            Some(key) => match st.slots.poll(key, cx.waker()) {
                Polled::Waiting => Poll::Pending,
                // The slot was handed to us by `release_slot`.
                Polled::Granted => {
                    *waiter = None;
                    Poll::Ready(Ok(()))
                }
                // Only `close_rx` closes, and it sets `rx_closed` first.
                Polled::Closed { .. } => {
                    *waiter = None;
                    Poll::Ready(Err(SendError(())))
                }
            },
            None if st.free > 0 => {
                st.free -= 1;
                Poll::Ready(Ok(()))
            }
            None => {
                *waiter = Some(st.slots.enqueue(cx.waker(), 1));
                Poll::Pending
            }
        }
    }

    /// One poll of a bounded send: a reservation and the push under one
    /// lock. `value` is taken once it is sent (or returned in the error).
    pub(super) fn poll_send(
        &self,
        cx: &mut Context<'_>,
        value: &mut Option<T>,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<(), SendError<T>>> {
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = self.lock();
        match self.poll_reserve_locked(&mut st, cx, waiter) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(_)) => {
                drop(st);
                let value = value.take().expect("Send polled after completion");
                Poll::Ready(Err(SendError(value)))
            }
            Poll::Ready(Ok(())) => {
                let value = value.take().expect("Send polled after completion");
                st.queue.push_back(value);
                let waker = st.rx_waker.take();
                drop(st);
                if let Some(w) = waker {
                    w.wake();
                }
                Poll::Ready(Ok(()))
            }
        }
    }

    /// Fills a reserved slot. If the receiver closed meanwhile the value is
    /// dropped (outside the lock), as in tokio.
    pub(super) fn send_reserved(&self, value: T) {
        let mut st = self.lock();
        if st.rx_closed {
            Self::release_slot(&mut st);
            drop(st);
            drop(value);
            return;
        }
        st.queue.push_back(value);
        let waker = st.rx_waker.take();
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Gives back a reserved slot that was not used.
    pub(super) fn release_reserved(&self) {
        let waker = Self::release_slot(&mut self.lock());
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// A pending bounded send is dropped: leave the queue and, if a slot
    /// had already been reserved for it, hand that slot on.
    pub(super) fn cancel_send(&self, key: WaiterKey) {
        let (stale, next) = {
            let mut st = self.lock();
            let (handed, stale) = st.slots.cancel(key, 1);
            let next = if handed > 0 {
                Self::release_slot(&mut st)
            } else {
                None
            };
            (stale, next)
        };
        drop(stale);
        if let Some(w) = next {
            w.wake();
        }
    }

    /// A filled or reserved slot became free: reserve it for the oldest
    /// waiting sender (returning its waker) or put it back in `free`.
    fn release_slot(st: &mut State<T>) -> Option<Waker> {
        match st.slots.hand_out_one() {
            Some(waker) => waker,
            None => {
                st.free += 1;
                None
            }
        }
    }

    // ----- receiver side -----------------------------------------------

    /// One poll of `recv`.
    pub(super) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = self.lock();
        match self.pop(&mut st) {
            Ok((value, waker)) => {
                drop(st);
                if let Some(w) = waker {
                    w.wake();
                }
                Poll::Ready(Some(value))
            }
            Err(TryRecvError::Disconnected) => Poll::Ready(None),
            Err(TryRecvError::Empty) => {
                match &st.rx_waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => st.rx_waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }

    /// One poll of `recv_many`: moves up to `limit` queued values into
    /// `buf`. `Ready(0)` means the channel is finished (or `limit == 0`).
    pub(super) fn poll_recv_many(
        &self,
        cx: &mut Context<'_>,
        buf: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = self.lock();
        let mut batch = WakeBatch::new();
        let mut taken = 0;
        // Stop early if the batch of senders to wake is full: the rest
        // waits for the next call.
        while taken < limit && !batch.is_full() {
            let Some(value) = st.queue.pop_front() else {
                break;
            };
            buf.push(value);
            taken += 1;
            if self.bound.is_some() {
                if let Some(w) = Self::release_slot(&mut st) {
                    batch.push(w);
                }
            }
        }
        if taken > 0 {
            drop(st);
            batch.wake_all();
            return Poll::Ready(taken);
        }
        if st.senders == 0 || st.rx_closed {
            return Poll::Ready(0);
        }
        match &st.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => st.rx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// `try_recv`.
    pub(super) fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut st = self.lock();
        let (value, waker) = self.pop(&mut st)?;
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(value)
    }

    /// Pops the oldest value, freeing its slot; also returns the waker of
    /// the sender that slot now belongs to, if any.
    fn pop(&self, st: &mut State<T>) -> Result<(T, Option<Waker>), TryRecvError> {
        match st.queue.pop_front() {
            Some(value) => {
                let waker = if self.bound.is_some() {
                    Self::release_slot(st)
                } else {
                    None
                };
                Ok((value, waker))
            }
            None if st.senders == 0 || st.rx_closed => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// `Receiver::close`: no more sends; waiting senders fail.
    pub(super) fn close_rx(&self) {
        let mut st = self.lock();
        if st.rx_closed {
            return;
        }
        st.rx_closed = true;
        // Wake every waiting sender, a batch at a time with the lock
        // released for the wakes; each one comes back, sees `rx_closed`
        // and fails.
        let mut batch = WakeBatch::new();
        while st.slots.close_batch(&mut batch) > 0 {
            drop(st);
            batch.wake_all();
            st = self.lock();
        }
    }

    /// The receiver is dropped: close, then drop what is still queued
    /// (outside the lock).
    pub(super) fn drop_rx(&self) {
        self.close_rx();
        let queued = std::mem::take(&mut self.lock().queue);
        drop(queued);
    }
}
