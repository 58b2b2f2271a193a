//! The bounded channel's public handles: [`Sender`], [`Receiver`] and the
//! futures their `send` / `recv` return.
//!
//! Each handle holds an `Arc` of the shared [`Chan`]; all logic is there.
//! A [`SendFuture`] owns its value and, while it waits, its place in the
//! queue of waiting senders, which its `Drop` gives back.

use super::chan::Chan;
use super::error::{SendError, TryRecvError, TrySendError};
use crate::loom::sync::Arc;
use crate::sync::wait_list::WaiterKey;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Creates a bounded channel holding at most `capacity` values.
///
/// # Panics
///
/// If `capacity` is 0 (like tokio: use a [`oneshot`](crate::sync::oneshot)
/// or a capacity of 1 for a rendezvous).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "mpsc bounded channel requires buffer > 0");
    let chan = Arc::new(Chan::new(Some(capacity)));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// The sending half of a bounded channel; clone it for more producers.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving half of a bounded channel.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the channel is full.
    ///
    /// Fails with the value once the receiver is gone or closed. Dropping
    /// the returned future before it completes means the value was not
    /// sent; see the [module docs](super#cancellation).
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture {
            chan: &self.chan,
            value: Some(value),
            waiter: None,
        }
    }

    /// Sends `value` if a slot is free right now.
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(value)
    }

    /// True once the receiver is gone or closed.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        self.chan.bound().unwrap_or(usize::MAX)
    }

    /// True if both senders feed the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Receives the next value, waiting while the queue is empty.
    ///
    /// Returns `None` once every sender is gone (or the receiver was
    /// closed) and the queue is drained. Cancellation-safe: dropping the
    /// future loses no message.
    pub fn recv(&mut self) -> RecvFuture<'_, T> {
        RecvFuture { rx: self }
    }

    /// Polls for the next value; the building block of [`recv`](Self::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Receives a value if one is queued right now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Closes the channel: sends fail from now on (waiting senders too),
    /// but values already queued can still be received.
    pub fn close(&mut self) {
        self.chan.close_rx();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.drop_rx();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// Future of [`Sender::send`].
#[must_use = "futures do nothing unless polled"]
pub struct SendFuture<'a, T> {
    chan: &'a Chan<T>,
    /// The value until it is sent or handed back in the error.
    value: Option<T>,
    /// Our place in the queue of waiting senders, while we wait.
    waiter: Option<WaiterKey>,
}

// The value is moved, never pinned, so the future may move freely.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.chan.poll_send(cx, &mut this.value, &mut this.waiter)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.chan.cancel_send(key);
        }
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

/// Future of [`Receiver::recv`].
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, T> {
    rx: &'a mut Receiver<T>,
}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

impl<T> fmt::Debug for RecvFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvFuture").finish_non_exhaustive()
    }
}
