//! [`Notify`]: wake one task or all of them, with no data attached.
//!
//! # Invariants
//!
//! - `permit` is true only while nobody waits: [`Notify::notify_one`] hands
//!   its notification to the oldest waiter if there is one, and stores it
//!   otherwise (at most one is stored).
//! - `generation` counts [`Notify::notify_waiters`] calls. A [`Notified`]
//!   future records it when it is created; if it has moved on by the first
//!   poll, a `notify_waiters` happened in between and the future is
//!   complete (tokio's rule: `notify_waiters` wakes every future created
//!   before the call, polled or not).
//! - A waiter's `data` word is the generation it parked in, shifted left
//!   by one, with bit 0 set if `notify_one` (rather than `notify_waiters`)
//!   notified it. `notify_waiters` notifies exactly the waiters of earlier
//!   generations, which sit at the front of the FIFO list, so waiters that
//!   park while it wakes a batch (lock released) are not woken by it.
//! - A `Notified` dropped after `notify_one` chose it passes the
//!   notification on (to the next waiter, or back into `permit`): no
//!   notification is ever lost to cancellation.

use super::wait_list::{WaitList, WaiterKey, WaiterState, WakeBatch};
use crate::coop;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};

/// Bit 0 of a waiter's data: notified by `notify_one`.
const BY_ONE: usize = 1;

/// Notifies tasks: [`notify_one`](Self::notify_one) wakes one waiter (or
/// stores a permit for the next one), [`notify_waiters`](Self::notify_waiters)
/// wakes every current waiter.
///
/// ```
/// use spool::sync::Notify;
/// use std::sync::Arc;
/// spool::block_on(async {
///     let notify = Arc::new(Notify::new());
///     let n = notify.clone();
///     let waiter = spool::spawn(async move {
///         n.notified().await;
///         "notified"
///     });
///     notify.notify_one();
///     assert_eq!(waiter.await.unwrap(), "notified");
///     // With nobody waiting, the permit is stored for the next waiter.
///     notify.notify_one();
///     notify.notified().await;
/// });
/// ```
pub struct Notify {
    state: Mutex<State>,
    /// Mirror of `State::generation`, read without the lock when a
    /// [`Notified`] is created; written only with the lock held.
    generation: AtomicUsize,
}

#[derive(Debug)]
struct State {
    /// A stored `notify_one`, see the module docs.
    permit: bool,
    waiters: WaitList,
    /// `notify_waiters` calls so far (wrapping, kept below `usize::MAX >> 1`).
    generation: usize,
}

impl Notify {
    /// A `Notify` with no stored permit.
    pub fn new() -> Self {
        Notify {
            state: Mutex::new(State {
                permit: false,
                waiters: WaitList::new(),
                generation: 0,
            }),
            generation: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing under this lock can leave the state half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A future that completes when this `Notify` is notified: by a
    /// [`notify_one`](Self::notify_one) (or a permit it stored), or by a
    /// [`notify_waiters`](Self::notify_waiters) called after this future
    /// was created.
    ///
    /// Cancel-safe: a future dropped after `notify_one` chose it passes the
    /// notification on to the next waiter (or stores it).
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            generation: self.generation.load(Ordering::Acquire),
            waiter: None,
            done: false,
        }
    }

    /// Wakes the oldest waiter, or, if nobody waits, stores one permit that
    /// the next [`notified`](Self::notified) consumes at once (several calls
    /// still store one).
    pub fn notify_one(&self) {
        let mut st = self.lock();
        let waker = Self::hand_on(&mut st);
        drop(st);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Gives one `notify_one` notification to the oldest waiter (returning
    /// its waker) or stores it.
    fn hand_on(st: &mut State) -> Option<Waker> {
        match st.waiters.head_data_mut() {
            Some(data) => {
                *data |= BY_ONE;
                st.waiters.notify_one()
            }
            None => {
                st.permit = true;
                None
            }
        }
    }

    /// Wakes every task waiting right now (and completes every
    /// [`Notified`] created before this call); stores no permit, so a
    /// later `notified()` waits.
    pub fn notify_waiters(&self) {
        let mut st = self.lock();
        st.generation = (st.generation + 1) & (usize::MAX >> 1);
        let generation = st.generation;
        self.generation.store(generation, Ordering::Release);
        let mut batch = WakeBatch::new();
        loop {
            while !batch.is_full() {
                match st.waiters.head_data_mut() {
                    Some(data) if *data >> 1 != generation => {}
                    _ => break,
                }
                if let Some(w) = st.waiters.notify_one() {
                    batch.push(w);
                }
            }
            let more = batch.is_full();
            drop(st);
            batch.wake_all();
            if !more {
                return;
            }
            st = self.lock();
        }
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Notify")
            .field("permit", &st.permit)
            .field("waiting", &!st.waiters.is_empty())
            .finish()
    }
}

/// Future of [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    /// `notify_waiters` generation when this future was created.
    generation: usize,
    /// Our place in the queue, while we wait.
    waiter: Option<WaiterKey>,
    /// Completed already.
    done: bool,
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = this.notify.lock();
        let ready = match &this.waiter {
            Some(key) => match st.waiters.poll_state(key, cx.waker()) {
                WaiterState::Queued => false,
                WaiterState::Notified(_) => {
                    this.waiter = None;
                    true
                }
            },
            None if st.generation != this.generation => true,
            None if st.permit => {
                st.permit = false;
                true
            }
            None => {
                let data = st.generation << 1;
                this.waiter = Some(st.waiters.push(cx.waker(), data));
                false
            }
        };
        drop(st);
        if ready {
            this.done = true;
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Some(key) = self.waiter.take() else {
            return;
        };
        let mut st = self.notify.lock();
        let removed = st.waiters.remove(key);
        let next = if removed.notified && removed.data & BY_ONE != 0 {
            // `notify_one` chose us and we never saw it: pass it on.
            Notify::hand_on(&mut st)
        } else {
            None
        };
        drop(st);
        drop(removed.waker);
        if let Some(w) = next {
            w.wake();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("waiting", &self.waiter.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
