//! Cancellation safety of the bounded channel, stepped by hand:
//! a dropped pending `send` leaves no ghost waiter and loses no slot, even
//! when a slot had already been reserved for it; a dropped pending `recv`
//! loses no message.

#[path = "util/sync.rs"]
mod sync_util;

use spool::sync::mpsc;
use std::task::Poll;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn dropped_pending_send_leaves_no_ghost_waiter() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(0).unwrap();
    let (w1, c1) = counting_waker();
    let (w2, c2) = counting_waker();
    let mut first = tx.send(1);
    let mut second = tx.send(2);
    assert!(poll_unpin(&mut first, &w1).is_pending());
    assert!(poll_unpin(&mut second, &w2).is_pending());
    // The first waiter goes away before any slot frees.
    drop(first);
    assert_eq!(rx.try_recv(), Ok(0));
    // The freed slot goes to the second waiter, not to the dropped one.
    assert_eq!(c1.get(), 0);
    assert_eq!(c2.get(), 1);
    assert_eq!(poll_unpin(&mut second, &w2), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
    // Capacity is intact: exactly one slot again.
    tx.try_send(3).unwrap();
    assert!(tx.try_send(4).unwrap_err().is_full());
}

#[test]
fn dropped_send_that_was_handed_a_slot_passes_it_on() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(0).unwrap();
    let (w1, c1) = counting_waker();
    let (w2, c2) = counting_waker();
    let mut first = tx.send(1);
    let mut second = tx.send(2);
    assert!(poll_unpin(&mut first, &w1).is_pending());
    assert!(poll_unpin(&mut second, &w2).is_pending());
    assert_eq!(rx.try_recv(), Ok(0));
    // The slot was reserved for `first`, which is woken...
    assert_eq!(c1.get(), 1);
    assert_eq!(c2.get(), 0);
    // ...but dropped before it runs: the slot must pass to `second`.
    drop(first);
    assert_eq!(c2.get(), 1);
    assert_eq!(poll_unpin(&mut second, &w2), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Empty));
}

#[test]
fn dropped_reserved_send_with_no_one_waiting_returns_the_slot() {
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    tx.try_send(0).unwrap();
    tx.try_send(1).unwrap();
    let (w, _c) = counting_waker();
    let mut pending = tx.send(2);
    assert!(poll_unpin(&mut pending, &w).is_pending());
    assert_eq!(rx.try_recv(), Ok(0));
    drop(pending);
    // One slot (the reserved one) is free again, and only one.
    tx.try_send(5).unwrap();
    assert!(tx.try_send(6).unwrap_err().is_full());
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(5));
}

#[test]
fn dropped_pending_recv_loses_no_message() {
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    let (w, c) = counting_waker();
    {
        let mut recv = rx.recv();
        assert!(poll_unpin(&mut recv, &w).is_pending());
        tx.try_send(7).unwrap();
        assert_eq!(c.get(), 1);
        // Dropped after the wake, before it was polled again.
    }
    assert_eq!(rx.try_recv(), Ok(7));
}

#[test]
fn dropped_pending_unbounded_recv_loses_no_message() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
    let (w, _c) = counting_waker();
    {
        let mut recv = rx.recv();
        assert!(poll_unpin(&mut recv, &w).is_pending());
        tx.send(9).unwrap();
    }
    let mut recv = rx.recv();
    assert_eq!(poll_unpin(&mut recv, &w), Poll::Ready(Some(9)));
}
