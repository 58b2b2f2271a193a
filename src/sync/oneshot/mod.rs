//! A channel for sending exactly one value.
//!
//! [`channel`] returns a [`Sender`], whose [`send`](Sender::send) consumes
//! it, and a [`Receiver`], which is itself the future of the value. If the
//! sender is dropped without sending, the receiver gets [`RecvError`]; if
//! the receiver is gone, `send` hands the value back.
//!
//! # Invariants
//!
//! Both halves share one small mutex-protected state: the value slot, the
//! receiver's waker and one "gone" flag per half. A oneshot already costs
//! one allocation per channel, so one uncontended lock per operation is
//! not worth replacing with an atomic state machine and unsafe cells.
//! The value is never dropped and no waker is woken while the lock is held.

pub mod error;

pub use error::RecvError;
use error::TryRecvError;

use crate::coop;
use crate::loom::sync::{Arc, Mutex, MutexGuard};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};

/// Creates a oneshot channel.
///
/// ```
/// spool::block_on(async {
///     let (tx, rx) = spool::sync::oneshot::channel();
///     spool::spawn(async move {
///         let _ = tx.send("done");
///     });
///     assert_eq!(rx.await.unwrap(), "done");
/// });
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::new(State {
            value: None,
            rx_waker: None,
            tx_gone: false,
            rx_gone: false,
        }),
    });
    (
        Sender {
            inner: inner.clone(),
        },
        Receiver { inner },
    )
}

struct Inner<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The sent value, until the receiver takes it.
    value: Option<T>,
    rx_waker: Option<Waker>,
    /// The sender was consumed by `send` or dropped.
    tx_gone: bool,
    /// The receiver was closed or dropped.
    rx_gone: bool,
}

impl<T> Inner<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // Nothing under this lock can leave the state half-updated.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sends the one value of a [`channel`].
pub struct Sender<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, or gives it back if the receiver is gone.
    pub fn send(self, value: T) -> Result<(), T> {
        let waker = {
            let mut st = self.inner.lock();
            if st.rx_gone {
                return Err(value);
            }
            st.value = Some(value);
            st.rx_waker.take()
        };
        // Our `Drop` marks the sender gone; the receiver sees the value first.
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// True once the receiver is dropped or closed.
    pub fn is_closed(&self) -> bool {
        self.inner.lock().rx_gone
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut st = self.inner.lock();
            st.tx_gone = true;
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// Receives the one value of a [`channel`]: await it.
///
/// Resolves to `Err(RecvError)` if the sender was dropped without sending.
pub struct Receiver<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Receiver<T> {
    /// Takes the value if it has been sent.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut st = self.inner.lock();
        match st.value.take() {
            Some(v) => Ok(v),
            None if st.tx_gone || st.rx_gone => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Refuses the value from now on: a later `send` fails. A value sent
    /// before can still be taken with [`try_recv`](Self::try_recv).
    pub fn close(&mut self) {
        self.inner.lock().rx_gone = true;
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::task::ready!(coop::poll_proceed(cx));
        let mut st = self.inner.lock();
        if let Some(v) = st.value.take() {
            return Poll::Ready(Ok(v));
        }
        if st.tx_gone || st.rx_gone {
            return Poll::Ready(Err(RecvError(())));
        }
        match &st.rx_waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => st.rx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (value, waker) = {
            let mut st = self.inner.lock();
            st.rx_gone = true;
            (st.value.take(), st.rx_waker.take())
        };
        drop(value);
        drop(waker);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
