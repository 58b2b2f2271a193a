//! Multi-producer, single-consumer channels.
//!
//! - [`channel`]`(capacity)`: a bounded channel. [`Sender::send`] waits
//!   while all `capacity` slots are taken; waiting senders get freed slots
//!   in the order they started waiting.
//! - [`unbounded_channel`]: never waits to send; the queue grows as needed.
//!
//! Close semantics follow tokio's: [`Receiver::recv`] returns `None` once
//! every sender is gone *and* the queue is drained; a send fails, handing
//! its value back in [`SendError`](error::SendError), once the receiver is
//! gone or closed.
//!
//! Every handle is `Send + Sync` (and every future `Send`) when `T: Send`,
//! so the two ends may live on different workers. Both ends share one
//! mutex-protected state (see `chan.rs` for why a mutex): on one thread
//! each operation costs one uncontended lock, a ring-buffer push or pop and
//! at most one wake, and a bounded channel allocates nothing after its
//! queue and waiter list have reached their working size.
//!
//! # Cancellation
//!
//! - Dropping a pending [`Sender::send`] future removes it from the queue of
//!   waiting senders; if a slot had already been reserved for it, the slot
//!   passes to the next waiting sender. The value is dropped, never sent.
//! - Dropping a pending [`Receiver::recv`] (or `recv_many`) future loses no
//!   message: values leave the queue only when it returns them.
//! - Dropping a pending [`Sender::reserve`] behaves like a dropped `send`;
//!   a [`Permit`] dropped unused gives its slot back.
//!
//! Both receivers implement `futures_core::Stream`, so `StreamExt`
//! combinators from `futures` or `futures-lite` work on them.
//!
//! # Bridging synchronous code
//!
//! [`Sender::blocking_send`] and [`Receiver::blocking_recv`] (and
//! [`UnboundedReceiver::blocking_recv`]) block a plain thread until the
//! operation completes. On a spool worker they panic, as tokio's do: the
//! thread they would block is running other tasks.

mod bounded;
mod chan;
pub mod error;
mod unbounded;

pub use bounded::{
    channel, Permit, Receiver, RecvFuture, RecvMany, Reserve, SendFuture, SendTimeout, Sender,
};
pub use unbounded::{
    unbounded_channel, UnboundedReceiver, UnboundedRecvFuture, UnboundedRecvMany, UnboundedSender,
};
