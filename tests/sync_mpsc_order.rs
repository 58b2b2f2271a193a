//! Bounded channel under a real executor: 10k messages arrive in order
//! through capacity 4; `try_send` on a full channel errs with the value;
//! senders blocked on a full channel get slots in the order they waited.

use spool::sync::mpsc::{self, error::TrySendError};
use std::cell::RefCell;
use std::rc::Rc;

#[test]
fn ten_thousand_messages_in_order_through_capacity_four() {
    const N: u32 = 10_000;
    let received = spool::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(4);
        let producer = spool::spawn(async move {
            for i in 0..N {
                tx.send(i).await.unwrap();
            }
        });
        let mut received = Vec::with_capacity(N as usize);
        while let Some(v) = rx.recv().await {
            received.push(v);
        }
        producer.await.unwrap();
        received
    });
    assert_eq!(received.len(), N as usize);
    assert!(received.iter().enumerate().all(|(i, &v)| i as u32 == v));
}

#[test]
fn try_send_on_a_full_channel_errs_with_the_value() {
    let (tx, mut rx) = mpsc::channel::<String>(2);
    tx.try_send("a".into()).unwrap();
    tx.try_send("b".into()).unwrap();
    match tx.try_send("c".into()) {
        Err(TrySendError::Full(v)) => assert_eq!(v, "c"),
        other => panic!("expected Full, got {other:?}"),
    }
    assert_eq!(rx.try_recv().as_deref(), Ok("a"));
    tx.try_send("c".into()).unwrap();
    assert_eq!(rx.try_recv().as_deref(), Ok("b"));
    assert_eq!(rx.try_recv().as_deref(), Ok("c"));
}

#[test]
fn blocked_senders_are_served_in_fifo_order() {
    let order = spool::block_on(async {
        let (tx, mut rx) = mpsc::channel::<usize>(1);
        tx.try_send(usize::MAX).unwrap();
        let started = Rc::new(RefCell::new(Vec::new()));
        let mut handles = Vec::new();
        // Each sender starts waiting in turn (spawn order = poll order).
        for id in 0..8 {
            let tx = tx.clone();
            let started = started.clone();
            handles.push(spool::spawn(async move {
                started.borrow_mut().push(id);
                tx.send(id).await.unwrap();
            }));
        }
        drop(tx);
        // Let every sender park.
        while started.borrow().len() < 8 {
            spool::task::yield_now().await;
        }
        let mut order = Vec::new();
        while let Some(v) = rx.recv().await {
            order.push(v);
        }
        for h in handles {
            h.await.unwrap();
        }
        let started = started.borrow().clone();
        (started, order)
    });
    let (started, order) = order;
    assert_eq!(order[0], usize::MAX);
    assert_eq!(order[1..], started[..], "slots go to waiters in wait order");
}
