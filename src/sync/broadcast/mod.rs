//! A multi-producer, multi-consumer channel where every receiver sees
//! every value: fan-out of events, tokens, invalidations.
//!
//! [`channel`]`(capacity)` returns a [`Sender`] (cloneable) and a
//! [`Receiver`]; more receivers come from [`Sender::subscribe`] and see
//! only values sent after they subscribed. Values live in a ring of
//! `capacity` slots (rounded up to a power of two); sending never waits: a
//! receiver that falls more than `capacity` values behind gets
//! [`RecvError::Lagged`]`(n)` with the exact number it missed, then
//! continues from the oldest value still kept. Once every sender is gone,
//! receivers drain what is left, then get [`RecvError::Closed`].
//!
//! # Invariants
//!
//! - `tail` is the position the next value gets; slot `pos & mask` holds
//!   the value sent at `pos` (its `pos` field says which), for the last
//!   `capacity` positions. A receiver's `next` is the position it reads
//!   next: `next == tail` means it is up to date; a slot whose `pos` is
//!   not `next` was overwritten, so the receiver lagged by
//!   `tail - capacity - next` values.
//! - Receivers park, with the lock held, only after seeing `next == tail`;
//!   a sender advances `tail` and wakes every parked receiver under the
//!   same lock (waking after releasing it), so no value is missed.
//! - Values are cloned for each receiver under the lock and dropped (when
//!   overwritten) outside it.
//!
//! # Cancellation
//!
//! [`Receiver::recv`] is cancel-safe: a value leaves a receiver's view only
//! when `recv` returns it.

pub mod error;

use self::error::{RecvError, SendError, TryRecvError};
use super::wait_list::{WaitList, WaiterKey, WaiterState, WakeBatch};
use crate::coop;
use crate::loom::sync::{Arc, Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll};

/// Creates a broadcast channel keeping the last `capacity` values
/// (rounded up to a power of two).
///
/// # Panics
///
/// If `capacity` is 0 or above `usize::MAX / 2`, as in tokio.
///
/// ```
/// use spool::sync::broadcast::{self, error::RecvError};
/// spool::block_on(async {
///     let (tx, mut rx1) = broadcast::channel(16);
///     let mut rx2 = tx.subscribe();
///     tx.send(10).unwrap();
///     tx.send(20).unwrap();
///     assert_eq!(rx1.recv().await, Ok(10));
///     assert_eq!(rx2.recv().await, Ok(10));
///     drop(tx);
///     assert_eq!(rx1.recv().await, Ok(20));
///     assert_eq!(rx1.recv().await, Err(RecvError::Closed));
/// });
/// ```
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "broadcast channel capacity cannot be zero");
    assert!(
        capacity <= usize::MAX >> 1,
        "broadcast channel capacity exceeded `usize::MAX / 2`"
    );
    let capacity = capacity.next_power_of_two();
    let buffer = (0..capacity)
        .map(|_| Slot {
            pos: u64::MAX,
            value: None,
        })
        .collect();
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            buffer,
            tail: 0,
            senders: 1,
            receivers: 1,
            waiters: WaitList::new(),
        }),
        mask: capacity as u64 - 1,
    });
    let rx = Receiver {
        shared: shared.clone(),
        next: 0,
    };
    (Sender { shared }, rx)
}

struct Shared<T> {
    state: Mutex<State<T>>,
    /// `capacity - 1`; capacity is a power of two.
    mask: u64,
}

struct State<T> {
    buffer: Box<[Slot<T>]>,
    /// Position of the next value sent.
    tail: u64,
    senders: usize,
    receivers: usize,
    /// Receivers parked in `recv`, up to date and waiting.
    waiters: WaitList,
}

struct Slot<T> {
    /// Position of the value in this slot (`u64::MAX`: never written).
    pos: u64,
    value: Option<T>,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // A panic under this lock can only come from `T::clone` or a waker
        // clone; the state is consistent at each such point.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes every parked receiver, a batch at a time; consumes the guard.
    fn wake_all<'a>(&'a self, mut st: MutexGuard<'a, State<T>>) {
        let mut batch = WakeBatch::new();
        while batch.notify_from(&mut st.waiters) > 0 {
            drop(st);
            batch.wake_all();
            st = self.lock();
        }
    }
}

/// The sending half of a broadcast [`channel`]; clone it for more senders.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value` to every current receiver without waiting; returns how
    /// many receivers there are. Fails, handing the value back, when there
    /// is none.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut st = self.shared.lock();
        if st.receivers == 0 {
            return Err(SendError(value));
        }
        let receivers = st.receivers;
        let pos = st.tail;
        let slot = &mut st.buffer[(pos & self.shared.mask) as usize];
        slot.pos = pos;
        let old = slot.value.replace(value);
        st.tail = pos + 1;
        if st.waiters.is_empty() {
            drop(st);
        } else {
            self.shared.wake_all(st);
        }
        drop(old);
        Ok(receivers)
    }

    /// A new receiver that sees the values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        let mut st = self.shared.lock();
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.tail,
        }
    }

    /// Receivers alive right now.
    pub fn receiver_count(&self) -> usize {
        self.shared.lock().receivers
    }

    /// True if both senders feed the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut st = self.shared.lock();
        st.senders -= 1;
        if st.senders == 0 {
            // Parked receivers come back and see `Closed`.
            self.shared.wake_all(st);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The receiving half of a broadcast [`channel`].
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// Position of the next value to read.
    next: u64,
}

/// What one look at the ring found.
enum Taken<T> {
    Value(T),
    Lagged(u64),
    Closed,
    Empty,
}

impl<T: Clone> Receiver<T> {
    /// Waits for the next value. `Err(Lagged(n))` if `n` values were lost
    /// because this receiver fell behind (the next call returns the oldest
    /// kept value); `Err(Closed)` once every sender is gone and every value
    /// has been read.
    ///
    /// Cancel-safe.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: self,
            waiter: None,
        }
    }

    /// Receives a value if one is there right now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let st = self.shared.lock();
        match take(&mut self.next, self.shared.mask, &st) {
            Taken::Value(v) => Ok(v),
            Taken::Lagged(n) => Err(TryRecvError::Lagged(n)),
            Taken::Closed => Err(TryRecvError::Closed),
            Taken::Empty => Err(TryRecvError::Empty),
        }
    }

    /// One poll of [`recv`](Self::recv).
    fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
        waiter: &mut Option<WaiterKey>,
    ) -> Poll<Result<T, RecvError>> {
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = self.shared.lock();
        if let Some(key) = waiter {
            if let WaiterState::Notified(_) = st.waiters.poll_state(key, cx.waker()) {
                *waiter = None;
            }
        }
        let out = match take(&mut self.next, self.shared.mask, &st) {
            Taken::Value(v) => Ok(v),
            Taken::Lagged(n) => Err(RecvError::Lagged(n)),
            Taken::Closed => Err(RecvError::Closed),
            Taken::Empty => {
                if waiter.is_none() {
                    *waiter = Some(st.waiters.push(cx.waker(), 0));
                }
                return Poll::Pending;
            }
        };
        let stale = waiter.take().map(|key| st.waiters.remove(key));
        drop(st);
        drop(stale);
        Poll::Ready(out)
    }
}

/// Reads position `*next` of the ring under the lock (`mask` is the
/// ring's).
fn take<T: Clone>(next: &mut u64, mask: u64, st: &State<T>) -> Taken<T> {
    if *next == st.tail {
        return if st.senders == 0 {
            Taken::Closed
        } else {
            Taken::Empty
        };
    }
    let slot = &st.buffer[(*next & mask) as usize];
    if slot.pos != *next {
        // Overwritten: skip to the oldest value still kept.
        let oldest = st.tail - (mask + 1);
        let missed = oldest - *next;
        *next = oldest;
        return Taken::Lagged(missed);
    }
    *next += 1;
    match &slot.value {
        Some(v) => Taken::Value(v.clone()),
        None => unreachable!("a slot with a position holds a value"),
    }
}

impl<T> Receiver<T> {
    /// A new receiver that sees the values sent from now on (like
    /// [`Sender::subscribe`]).
    pub fn resubscribe(&self) -> Receiver<T> {
        let mut st = self.shared.lock();
        st.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: st.tail,
        }
    }

    /// Values sent that this receiver has not read yet (lagged ones
    /// included).
    pub fn len(&self) -> usize {
        (self.shared.lock().tail - self.next) as usize
    }

    /// True if this receiver has read everything sent so far.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.lock().receivers -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// Future of [`Receiver::recv`].
#[must_use = "futures do nothing unless polled"]
pub struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    /// Our place among the parked receivers, while we wait.
    waiter: Option<WaiterKey>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.rx.poll_recv(cx, &mut this.waiter)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            let removed = self.rx.shared.lock().waiters.remove(key);
            drop(removed);
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}
