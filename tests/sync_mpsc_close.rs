//! Close semantics of both channel kinds, in every direction: receiver
//! drains then sees `None` once all senders are gone; sends fail with
//! their value once the receiver is gone or closed; waiting senders are
//! woken and fail when the receiver goes; error texts match tokio's.

#[path = "util/sync.rs"]
mod sync_util;

use spool::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use std::task::Poll;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn recv_drains_then_none_after_last_sender_drops() {
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    tx2.try_send(2).unwrap();
    let (w, c) = counting_waker();
    drop(tx);
    // One sender left: still open.
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    let mut recv = rx.recv();
    assert!(poll_unpin(&mut recv, &w).is_pending());
    drop(tx2);
    assert_eq!(c.get(), 1, "last sender's drop wakes the receiver");
    assert_eq!(poll_unpin(&mut recv, &w), Poll::Ready(None));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn queued_values_survive_the_senders() {
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    tx.send("a".into()).unwrap();
    tx.send("b".into()).unwrap();
    drop(tx);
    assert_eq!(rx.try_recv().as_deref(), Ok("a"));
    assert_eq!(rx.try_recv().as_deref(), Ok("b"));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn send_returns_the_value_once_receiver_is_gone() {
    let (tx, rx) = mpsc::channel::<String>(2);
    assert!(!tx.is_closed());
    drop(rx);
    assert!(tx.is_closed());
    match tx.try_send("x".into()) {
        Err(TrySendError::Closed(v)) => assert_eq!(v, "x"),
        other => panic!("expected Closed, got {other:?}"),
    }
    let (w, _c) = counting_waker();
    let mut send = tx.send("y".into());
    match poll_unpin(&mut send, &w) {
        Poll::Ready(Err(e)) => assert_eq!(e.0, "y"),
        other => panic!("expected an error, got {other:?}"),
    }

    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    drop(urx);
    assert_eq!(utx.send(3).unwrap_err().into_inner(), 3);
}

#[test]
fn waiting_senders_fail_when_receiver_drops() {
    let (tx, rx) = mpsc::channel::<u32>(1);
    tx.try_send(0).unwrap();
    let (w, c) = counting_waker();
    let mut sends: Vec<_> = (1..=40).map(|i| tx.send(i)).collect();
    for s in sends.iter_mut() {
        assert!(poll_unpin(s, &w).is_pending());
    }
    drop(rx);
    assert_eq!(c.get(), 40, "every waiting sender is woken");
    for (i, s) in sends.iter_mut().enumerate() {
        match poll_unpin(s, &w) {
            Poll::Ready(Err(e)) => assert_eq!(e.0, i as u32 + 1),
            other => panic!("expected an error, got {other:?}"),
        }
    }
}

#[test]
fn close_keeps_queued_values_but_refuses_new_ones() {
    let (tx, mut rx) = mpsc::channel::<u32>(4);
    tx.try_send(1).unwrap();
    rx.close();
    assert!(tx.try_send(2).unwrap_err().is_closed());
    assert_eq!(rx.try_recv(), Ok(1));
    // Closed and drained: end of stream even though `tx` still lives.
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn receiver_drop_drops_queued_values() {
    let (tx, rx) = mpsc::channel::<std::sync::Arc<()>>(4);
    let token = std::sync::Arc::new(());
    tx.try_send(token.clone()).unwrap();
    assert_eq!(std::sync::Arc::strong_count(&token), 2);
    drop(rx);
    assert_eq!(std::sync::Arc::strong_count(&token), 1);
}

#[test]
fn error_texts_match_tokio() {
    use spool::sync::mpsc::error::SendError;
    assert_eq!(SendError(1).to_string(), "channel closed");
    assert_eq!(TrySendError::Full(1).to_string(), "no available capacity");
    assert_eq!(TrySendError::Closed(1).to_string(), "channel closed");
    assert_eq!(
        TryRecvError::Empty.to_string(),
        "receiving on an empty channel"
    );
    assert_eq!(
        TryRecvError::Disconnected.to_string(),
        "receiving on a closed channel"
    );
    fn is_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    is_error(&SendError(1));
    is_error(&TrySendError::Full(1));
    is_error(&TryRecvError::Empty);
}
