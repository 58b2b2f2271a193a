//! `sync::broadcast`: every receiver sees every value in order, a slow
//! receiver gets `Lagged(n)` with the exact count and continues from the
//! oldest kept value, `Closed` comes once every sender is gone and the
//! rest is read, and a dropped `recv` loses nothing.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use std::task::Poll;
use std::time::Duration;
use sync_util::{counting_waker, poll_once};

#[test]
fn every_receiver_sees_every_value() {
    spool::block_on(async {
        let (tx, rx) = broadcast::channel::<u32>(8);
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let mut rx = if i == 0 {
                    tx.subscribe()
                } else {
                    rx.resubscribe()
                };
                spool::spawn(async move {
                    let mut got = Vec::new();
                    loop {
                        match rx.recv().await {
                            Ok(v) => got.push(v),
                            Err(RecvError::Closed) => return got,
                            Err(e) => panic!("{e}"),
                        }
                    }
                })
            })
            .collect();
        drop(rx);
        spool::task::yield_now().await;
        for v in 0..100 {
            assert_eq!(tx.send(v).unwrap(), 4);
            if v % 4 == 3 {
                spool::task::yield_now().await;
            }
        }
        drop(tx);
        for t in tasks {
            assert_eq!(t.await.unwrap(), (0..100).collect::<Vec<_>>());
        }
    });
}

#[test]
fn lagged_count_is_exact() {
    let (tx, mut rx) = broadcast::channel::<u32>(3); // rounded up to 4
    for v in 0..10 {
        tx.send(v).unwrap();
    }
    assert_eq!(rx.len(), 10);
    // Values 0..6 were overwritten: exactly 6 missed.
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(6)));
    assert_eq!(rx.try_recv(), Ok(6));
    assert_eq!(rx.try_recv(), Ok(7));
    for v in 10..15 {
        tx.send(v).unwrap();
    }
    // Kept now: 11..15; 8, 9 and 10 were overwritten unread.
    let got = spool::block_on(async { rx.recv().await });
    assert_eq!(got, Err(RecvError::Lagged(3)));
    assert_eq!(RecvError::Lagged(3).to_string(), "channel lagged by 3");
    assert_eq!(rx.try_recv(), Ok(11));
    assert_eq!(rx.try_recv(), Ok(12));
    assert_eq!(rx.try_recv(), Ok(13));
    assert_eq!(rx.try_recv(), Ok(14));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn a_new_subscriber_sees_only_later_values() {
    let (tx, mut rx) = broadcast::channel::<&str>(4);
    tx.send("early").unwrap();
    let mut late = tx.subscribe();
    tx.send("late").unwrap();
    assert_eq!(late.try_recv(), Ok("late"));
    assert_eq!(rx.try_recv(), Ok("early"));
    assert_eq!(tx.receiver_count(), 2);
}

#[test]
fn closed_after_the_rest_is_read_and_send_fails_without_receivers() {
    let (tx, mut rx) = broadcast::channel::<u8>(2);
    let (w, woken) = counting_waker();
    let mut recv = Box::pin(rx.recv());
    assert!(poll_once(recv.as_mut(), &w).is_pending());
    tx.send(1).unwrap();
    assert_eq!(woken.get(), 1);
    assert_eq!(poll_once(recv.as_mut(), &w), Poll::Ready(Ok(1)));
    drop(recv);
    let mut recv = Box::pin(rx.recv());
    assert!(poll_once(recv.as_mut(), &w).is_pending());
    drop(recv); // cancelled: the next value is not lost
    tx.send(2).unwrap();
    let tx2 = tx.clone();
    drop(tx);
    tx2.send(3).unwrap();
    let mut recv = Box::pin(rx.recv());
    assert_eq!(poll_once(recv.as_mut(), &w), Poll::Ready(Ok(2)));
    drop(recv);
    assert_eq!(rx.try_recv(), Ok(3));
    let mut recv = Box::pin(rx.recv());
    assert!(poll_once(recv.as_mut(), &w).is_pending());
    drop(tx2); // wakes the parked receiver to see Closed
    assert_eq!(
        poll_once(recv.as_mut(), &w),
        Poll::Ready(Err(RecvError::Closed))
    );
    drop(recv);
    let (tx, rx) = broadcast::channel::<u8>(2);
    drop(rx);
    assert_eq!(tx.send(9).unwrap_err().0, 9);
}

#[test]
fn one_producer_receivers_on_two_workers() {
    let _dog = util::watchdog(Duration::from_secs(30), "broadcast across workers");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let (tx, _) = broadcast::channel::<u64>(1024);
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let mut rx = tx.subscribe();
                spool::spawn_on(i % 2, async move {
                    let (mut next, mut got, mut lagged) = (0u64, 0u64, 0u64);
                    loop {
                        match rx.recv().await {
                            Ok(v) => {
                                assert!(v >= next, "in order");
                                next = v + 1;
                                got += 1;
                            }
                            Err(RecvError::Lagged(n)) => lagged += n,
                            Err(RecvError::Closed) => return (got, lagged),
                        }
                    }
                })
            })
            .collect();
        for v in 0..10_000u64 {
            tx.send(v).unwrap();
            if v % 256 == 255 {
                spool::time::sleep(Duration::from_millis(1)).await;
            }
        }
        drop(tx);
        for t in tasks {
            let (got, lagged) = t.await.unwrap();
            // Every value is either received or counted as missed, exactly.
            assert_eq!(got + lagged, 10_000);
        }
    });
}
