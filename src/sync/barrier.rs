//! [`Barrier`]: `n` tasks wait until all `n` have arrived, then all go on;
//! reusable, one leader per round.
//!
//! # Invariants
//!
//! - `arrived` counts the tasks of the current round (`generation`) that
//!   have called `wait` and been polled. The `n`-th arrival is the round's
//!   leader: it resets `arrived`, starts the next generation and notifies
//!   every waiter of the round it closed; exactly one waiter per round is
//!   the leader because the count is only touched under the lock.
//! - A waiter's `data` word is the generation it arrived in. Waiters of a
//!   round sit before any waiter of the next one in the FIFO list, so the
//!   leader notifies exactly the front of the list whose generation is
//!   its own, even while it releases the lock between batches.
//!
//! # Cancellation
//!
//! As in tokio, [`Barrier::wait`] is not cancel-safe: a future dropped
//! after its first poll has arrived, and its arrival still counts.

use super::wait_list::{WaitList, WaiterKey, WaiterState, WakeBatch};
use crate::loom::sync::{Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll};

/// Lets `n` tasks wait for each other.
///
/// ```
/// use spool::sync::Barrier;
/// use std::sync::Arc;
/// spool::block_on(async {
///     let barrier = Arc::new(Barrier::new(3));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let b = barrier.clone();
///             spool::spawn(async move { b.wait().await.is_leader() })
///         })
///         .collect();
///     let mut leaders = 0;
///     for t in tasks {
///         leaders += t.await.unwrap() as usize;
///     }
///     assert_eq!(leaders, 1);
/// });
/// ```
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Arrivals in the current round.
    arrived: usize,
    /// Rounds completed so far.
    generation: usize,
    /// Tasks of the current round waiting for the rest.
    waiters: WaitList,
}

impl Barrier {
    /// A barrier for `n` tasks (0 is treated as 1, as in tokio).
    pub fn new(n: usize) -> Self {
        Barrier {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                generation: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing under this lock can leave the state half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `n` tasks have called `wait` in this round. Exactly one
    /// of them gets a result whose [`is_leader`](BarrierWaitResult::is_leader)
    /// is true.
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            barrier: self,
            waiter: None,
            done: false,
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("arrived", &st.arrived)
            .field("generation", &st.generation)
            .finish()
    }
}

/// What [`Barrier::wait`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// True for exactly one task per round: the one whose arrival
    /// completed it.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

/// Future of [`Barrier::wait`].
#[must_use = "futures do nothing unless polled"]
pub struct BarrierWait<'a> {
    barrier: &'a Barrier,
    /// Our place among the waiters, once arrived.
    waiter: Option<WaiterKey>,
    done: bool,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = self.get_mut();
        assert!(!this.done, "BarrierWait polled after completion");
        let mut st = this.barrier.lock();
        if let Some(key) = &this.waiter {
            return match st.waiters.poll_state(key, cx.waker()) {
                WaiterState::Queued => Poll::Pending,
                WaiterState::Notified(_) => {
                    this.waiter = None;
                    this.done = true;
                    Poll::Ready(BarrierWaitResult(false))
                }
            };
        }
        st.arrived += 1;
        if st.arrived < this.barrier.n {
            let generation = st.generation;
            this.waiter = Some(st.waiters.push(cx.waker(), generation));
            return Poll::Pending;
        }
        // The last arrival leads: close the round, wake its waiters.
        let round = st.generation;
        st.arrived = 0;
        st.generation = st.generation.wrapping_add(1);
        let mut batch = WakeBatch::new();
        loop {
            while !batch.is_full() {
                match st.waiters.head_data_mut() {
                    Some(g) if *g == round => {}
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
                break;
            }
            st = this.barrier.lock();
        }
        this.done = true;
        Poll::Ready(BarrierWaitResult(true))
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            let removed = self.barrier.lock().waiters.remove(key);
            drop(removed);
        }
    }
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}
