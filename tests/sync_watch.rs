//! `sync::watch`: receivers see the latest value, `changed` completes once
//! per unseen version, a new subscriber treats the current value as seen,
//! the channel closes when every sender is gone, and a dropped `changed`
//! loses nothing.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::watch;
use std::task::Poll;
use std::time::Duration;
use sync_util::{counting_waker, poll_once};

#[test]
fn send_borrow_changed_and_subscribe() {
    spool::block_on(async {
        let (tx, mut rx) = watch::channel(1);
        assert_eq!(*rx.borrow(), 1);
        assert!(!rx.has_changed().unwrap());
        tx.send(2).unwrap();
        assert!(rx.has_changed().unwrap());
        assert!(rx.borrow().has_changed());
        let late = tx.subscribe();
        assert!(!late.has_changed().unwrap(), "a new subscriber has seen 2");
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), 2);
        assert!(!rx.has_changed().unwrap());
        tx.send_modify(|v| *v += 10);
        tx.send_modify(|v| *v += 10); // two changes, seen as one
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow_and_update(), 22);
        assert!(!tx.send_if_modified(|_| false));
        assert!(!rx.has_changed().unwrap());
        assert_eq!(*tx.borrow(), 22);
        assert_eq!(tx.receiver_count(), 2);
    });
}

#[test]
fn a_waiting_receiver_is_woken_by_send_and_by_close() {
    let (tx, mut rx) = watch::channel("a");
    let (w, woken) = counting_waker();
    {
        let mut changed = Box::pin(rx.changed());
        assert!(poll_once(changed.as_mut(), &w).is_pending());
        tx.send("b").unwrap();
        assert_eq!(woken.get(), 1);
        assert_eq!(poll_once(changed.as_mut(), &w), Poll::Ready(Ok(())));
    }
    {
        let mut changed = Box::pin(rx.changed());
        assert!(poll_once(changed.as_mut(), &w).is_pending());
        drop(changed); // cancelled: nothing to lose
    }
    let tx2 = tx.clone();
    drop(tx);
    let mut changed = Box::pin(rx.changed());
    assert!(
        poll_once(changed.as_mut(), &w).is_pending(),
        "one sender left"
    );
    tx2.send("c").unwrap();
    assert_eq!(poll_once(changed.as_mut(), &w), Poll::Ready(Ok(())));
    drop(changed);
    let mut changed = Box::pin(rx.changed());
    assert!(poll_once(changed.as_mut(), &w).is_pending());
    drop(tx2);
    assert_eq!(woken.get(), 3);
    assert!(matches!(
        poll_once(changed.as_mut(), &w),
        Poll::Ready(Err(_))
    ));
    drop(changed);
    assert!(rx.has_changed().is_err());
    assert_eq!(*rx.borrow(), "c", "the last value stays readable");
}

#[test]
fn an_unseen_value_is_delivered_before_closed() {
    spool::block_on(async {
        let (tx, mut rx) = watch::channel(0);
        tx.send(1).unwrap();
        drop(tx);
        assert!(rx.changed().await.is_ok());
        assert!(rx.changed().await.is_err());
    });
}

#[test]
fn send_fails_without_receivers() {
    let (tx, rx) = watch::channel(0);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(5).unwrap_err().0, 5);
    assert_eq!(*tx.borrow(), 0, "not stored");
    tx.send_replace(6);
    assert_eq!(*tx.borrow(), 6);
}

#[test]
fn config_reload_across_workers() {
    let _dog = util::watchdog(Duration::from_secs(30), "watch across workers");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let (tx, rx) = watch::channel(0u64);
        let readers: Vec<_> = (0..4)
            .map(|i| {
                let mut rx = rx.clone();
                spool::spawn_on(i % 2, async move {
                    let mut last = 0;
                    while rx.changed().await.is_ok() {
                        let v = *rx.borrow_and_update();
                        assert!(v > last, "versions only move forward");
                        last = v;
                    }
                    last
                })
            })
            .collect();
        drop(rx);
        for v in 1..=1_000 {
            tx.send(v).unwrap();
            if v % 10 == 0 {
                spool::task::yield_now().await;
            }
        }
        drop(tx);
        for r in readers {
            assert_eq!(
                r.await.unwrap(),
                1_000,
                "every reader ends on the last value"
            );
        }
    });
}
