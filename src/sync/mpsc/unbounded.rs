//! The unbounded channel's public handles: [`UnboundedSender`],
//! [`UnboundedReceiver`] and the future `recv` returns.
//!
//! Same shared [`Chan`] as the bounded channel, created without a bound:
//! sending never waits, and the queue grows as needed (and keeps its size).

use super::chan::Chan;
use super::error::{SendError, TryRecvError};
use crate::loom::sync::Arc;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Creates a channel with no bound on the number of queued values.
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Arc::new(Chan::new(None));
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { chan },
    )
}

/// The sending half of an unbounded channel; clone it for more producers.
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving half of an unbounded channel.
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Queues `value`; fails with the value once the receiver is gone or
    /// closed. Never waits.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.send_unbounded(value)
    }

    /// True once the receiver is gone or closed.
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// True if both senders feed the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next value, waiting while the queue is empty; `None`
    /// once every sender is gone (or the receiver was closed) and the queue
    /// is drained. Cancellation-safe.
    pub fn recv(&mut self) -> UnboundedRecvFuture<'_, T> {
        UnboundedRecvFuture { rx: self }
    }

    /// Polls for the next value; the building block of [`recv`](Self::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Receives a value if one is queued right now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Waits for at least one value, then moves up to `limit` queued
    /// values into `buf`; see [`Receiver::recv_many`](super::Receiver::recv_many).
    pub fn recv_many<'a>(
        &'a mut self,
        buf: &'a mut Vec<T>,
        limit: usize,
    ) -> UnboundedRecvMany<'a, T> {
        UnboundedRecvMany {
            chan: &self.chan,
            buf,
            limit,
        }
    }

    /// Receives from plain, synchronous code, blocking the thread while
    /// the channel is empty; `None` once it is finished.
    ///
    /// # Panics
    ///
    /// On a thread running a spool runtime, as tokio does.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::sync::blocking::wait("UnboundedReceiver::blocking_recv", self.recv())
    }

    /// Closes the channel: sends fail from now on, but values already
    /// queued can still be received.
    pub fn close(&mut self) {
        self.chan.close_rx();
    }
}

/// Yields every value in order; ends (`None`) once every sender is gone
/// and the queue is drained, like [`recv`](UnboundedReceiver::recv).
impl<T> futures_core::Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<T> Drop for UnboundedReceiver<T> {
    fn drop(&mut self) {
        self.chan.drop_rx();
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver").finish_non_exhaustive()
    }
}

/// Future of [`UnboundedReceiver::recv`].
#[must_use = "futures do nothing unless polled"]
pub struct UnboundedRecvFuture<'a, T> {
    rx: &'a mut UnboundedReceiver<T>,
}

impl<T> Future for UnboundedRecvFuture<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }
}

impl<T> fmt::Debug for UnboundedRecvFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedRecvFuture")
            .finish_non_exhaustive()
    }
}

/// Future of [`UnboundedReceiver::recv_many`].
#[must_use = "futures do nothing unless polled"]
pub struct UnboundedRecvMany<'a, T> {
    chan: &'a Chan<T>,
    buf: &'a mut Vec<T>,
    limit: usize,
}

impl<T> Future for UnboundedRecvMany<'_, T> {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = self.get_mut();
        this.chan.poll_recv_many(cx, this.buf, this.limit)
    }
}

impl<T> fmt::Debug for UnboundedRecvMany<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedRecvMany")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}
