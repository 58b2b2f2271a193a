//! The bounded channel's public handles: [`Sender`], [`Receiver`] and the
//! futures their `send` / `recv` return.
//!
//! Each handle holds an `Arc` of the shared [`Chan`]; all logic is there.
//! A [`SendFuture`] owns its value and, while it waits, its place in the
//! queue of waiting senders, which its `Drop` gives back.

use super::chan::Chan;
use super::error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
use crate::loom::sync::Arc;
use crate::sync::wait_list::WaiterKey;
use crate::time::Sleep;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Creates a bounded channel holding at most `capacity` values.
///
/// ```
/// spool::block_on(async {
///     let (tx, mut rx) = spool::sync::mpsc::channel::<u32>(16);
///     spool::spawn(async move {
///         for i in 0..3 {
///             tx.send(i).await.unwrap();
///         }
///     });
///     let mut got = Vec::new();
///     while let Some(v) = rx.recv().await {
///         got.push(v);
///     }
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
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

    /// Waits for a free slot and reserves it: the returned [`Permit`]
    /// sends without waiting (and without failing) later. Useful to learn
    /// that there is room before producing the value.
    ///
    /// Cancel-safe: dropping the future gives up its place in the queue,
    /// or the slot, if one had been handed to it, to the next sender.
    ///
    /// ```
    /// spool::block_on(async {
    ///     let (tx, mut rx) = spool::sync::mpsc::channel(1);
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert!(tx.try_send(1).is_err()); // the slot is reserved
    ///     permit.send(2);
    ///     assert_eq!(rx.recv().await, Some(2));
    /// });
    /// ```
    pub fn reserve(&self) -> Reserve<'_, T> {
        Reserve {
            chan: &self.chan,
            waiter: None,
        }
    }

    /// Reserves a slot if one is free right now.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.chan.try_reserve()?;
        Ok(Permit { chan: &self.chan })
    }

    /// Like [`send`](Self::send), but gives up after `timeout`, handing
    /// the value back in [`SendTimeoutError::Timeout`]. Needs a runtime
    /// (for the timer).
    pub fn send_timeout(&self, value: T, timeout: Duration) -> SendTimeout<'_, T> {
        SendTimeout {
            send: self.send(value),
            sleep: crate::time::sleep(timeout),
        }
    }

    /// Sends from plain, synchronous code, blocking the thread while the
    /// channel is full: the bridge from a std thread into async code.
    ///
    /// # Panics
    ///
    /// On a thread running a spool runtime (it would stall the worker), as
    /// tokio does. Call it from a plain thread or `spawn_blocking`.
    ///
    /// ```
    /// let (tx, mut rx) = spool::sync::mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let got = spool::block_on(async move {
    ///     let mut got = Vec::new();
    ///     while let Some(v) = rx.recv().await {
    ///         got.push(v);
    ///     }
    ///     got
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::sync::blocking::wait("Sender::blocking_send", self.send(value))
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

    /// Waits for at least one value, then moves up to `limit` queued
    /// values into `buf` (appending) and returns how many. Returns 0 only
    /// when `limit` is 0 or the channel is finished (every sender gone or
    /// closed, nothing queued). Cancel-safe: dropping the future loses no
    /// message.
    pub fn recv_many<'a>(&'a mut self, buf: &'a mut Vec<T>, limit: usize) -> RecvMany<'a, T> {
        RecvMany {
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
        crate::sync::blocking::wait("Receiver::blocking_recv", self.recv())
    }

    /// Closes the channel: sends fail from now on (waiting senders too),
    /// but values already queued can still be received.
    pub fn close(&mut self) {
        self.chan.close_rx();
    }
}

/// Yields every value in order; ends (`None`) once every sender is gone
/// and the queue is drained, like [`recv`](Receiver::recv).
impl<T> futures_core::Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
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

/// A reserved slot of a bounded channel, from [`Sender::reserve`]:
/// [`send`](Permit::send) fills it without waiting; dropping it unused
/// gives the slot back.
#[must_use = "the reserved slot is given back as soon as the permit is dropped"]
pub struct Permit<'a, T> {
    chan: &'a Chan<T>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` in the reserved slot. Never waits and never fails: if
    /// the receiver closed meanwhile, the value is dropped (as in tokio).
    pub fn send(self, value: T) {
        let chan = self.chan;
        // The slot is used, not given back: skip our `Drop`.
        std::mem::forget(self);
        chan.send_reserved(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release_reserved();
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// Future of [`Sender::reserve`].
#[must_use = "futures do nothing unless polled"]
pub struct Reserve<'a, T> {
    chan: &'a Chan<T>,
    /// Our place in the queue of waiting senders, while we wait.
    waiter: Option<WaiterKey>,
}

impl<'a, T> Future for Reserve<'a, T> {
    type Output = Result<Permit<'a, T>, SendError<()>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        std::task::ready!(this.chan.poll_reserve(cx, &mut this.waiter))?;
        Poll::Ready(Ok(Permit { chan: this.chan }))
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.waiter.take() {
            self.chan.cancel_send(key);
        }
    }
}

impl<T> fmt::Debug for Reserve<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reserve")
            .field("waiting", &self.waiter.is_some())
            .finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// Future of [`Sender::send_timeout`].
    #[must_use = "futures do nothing unless polled"]
    pub struct SendTimeout<'a, T> {
        send: SendFuture<'a, T>,
        #[pin]
        sleep: Sleep,
    }
}

impl<T> Future for SendTimeout<'_, T> {
    type Output = Result<(), SendTimeoutError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(res) = Pin::new(&mut *this.send).poll(cx) {
            return Poll::Ready(res.map_err(|SendError(v)| SendTimeoutError::Closed(v)));
        }
        std::task::ready!(this.sleep.poll(cx));
        // Timed out: leave the queue (handing on a slot reserved for us
        // meanwhile) and give the value back.
        let send = this.send;
        if let Some(key) = send.waiter.take() {
            send.chan.cancel_send(key);
        }
        let value = send
            .value
            .take()
            .expect("SendTimeout polled after completion");
        Poll::Ready(Err(SendTimeoutError::Timeout(value)))
    }
}

impl<T> fmt::Debug for SendTimeout<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendTimeout").finish_non_exhaustive()
    }
}

/// Future of [`Receiver::recv_many`].
#[must_use = "futures do nothing unless polled"]
pub struct RecvMany<'a, T> {
    chan: &'a Chan<T>,
    buf: &'a mut Vec<T>,
    limit: usize,
}

impl<T> Future for RecvMany<'_, T> {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let this = self.get_mut();
        this.chan.poll_recv_many(cx, this.buf, this.limit)
    }
}

impl<T> fmt::Debug for RecvMany<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvMany")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}
