//! oneshot: the value arrives and wakes the receiver; a dropped sender
//! gives `RecvError`; a dropped receiver makes `send` hand the value back.

#[path = "util/sync.rs"]
mod sync_util;

use spool::sync::oneshot::{self, error::TryRecvError};
use std::task::Poll;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn value_is_delivered_and_wakes_the_receiver() {
    let (tx, mut rx) = oneshot::channel::<String>();
    let (w, c) = counting_waker();
    assert!(poll_unpin(&mut rx, &w).is_pending());
    tx.send("hello".to_string()).unwrap();
    assert_eq!(c.get(), 1);
    assert_eq!(
        poll_unpin(&mut rx, &w),
        Poll::Ready(Ok("hello".to_string()))
    );
}

#[test]
fn dropped_sender_gives_recv_error() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let (w, c) = counting_waker();
    assert!(poll_unpin(&mut rx, &w).is_pending());
    drop(tx);
    assert_eq!(c.get(), 1);
    assert!(matches!(poll_unpin(&mut rx, &w), Poll::Ready(Err(_))));
}

#[test]
fn send_to_a_dropped_receiver_returns_the_value() {
    let (tx, rx) = oneshot::channel::<Vec<u8>>();
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(vec![1, 2]), Err(vec![1, 2]));
}

#[test]
fn try_recv_and_close() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(4).unwrap();
    assert_eq!(rx.try_recv(), Ok(4));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel::<u8>();
    rx.close();
    assert_eq!(tx.send(5), Err(5));
}

#[test]
fn error_texts_match_tokio() {
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    let (w, _) = counting_waker();
    let mut rx = rx;
    let Poll::Ready(Err(e)) = poll_unpin(&mut rx, &w) else {
        panic!("expected RecvError");
    };
    assert_eq!(e.to_string(), "channel closed");
    assert_eq!(TryRecvError::Empty.to_string(), "channel empty");
    assert_eq!(TryRecvError::Closed.to_string(), "channel closed");
    let _: &dyn std::error::Error = &e;
    let _: spool::sync::oneshot::RecvError = e;
}
