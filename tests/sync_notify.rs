//! `sync::Notify`: `notify_one` stores one permit when nobody waits and
//! wakes waiters in FIFO order; `notify_waiters` wakes only the futures
//! that exist when it is called; a dropped `Notified` chosen by
//! `notify_one` passes the notification on.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::Notify;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use sync_util::{counting_waker, poll_once};

#[test]
fn notify_one_stores_exactly_one_permit() {
    let notify = Notify::new();
    let (w, _) = counting_waker();
    notify.notify_one();
    notify.notify_one(); // still one permit
    let mut a = std::pin::pin!(notify.notified());
    assert_eq!(poll_once(a.as_mut(), &w), Poll::Ready(()));
    let mut b = std::pin::pin!(notify.notified());
    assert!(
        poll_once(b.as_mut(), &w).is_pending(),
        "only one was stored"
    );
    notify.notify_one();
    assert_eq!(poll_once(b.as_mut(), &w), Poll::Ready(()));
}

#[test]
fn notify_one_wakes_waiters_in_fifo_order() {
    let notify = Notify::new();
    let ws: Vec<_> = (0..3).map(|_| counting_waker()).collect();
    let mut futs: Vec<_> = (0..3).map(|_| Box::pin(notify.notified())).collect();
    for (f, (w, _)) in futs.iter_mut().zip(&ws) {
        assert!(poll_once(f.as_mut(), w).is_pending());
    }
    notify.notify_one();
    let woken: Vec<_> = ws.iter().map(|(_, c)| c.get()).collect();
    assert_eq!(woken, [1, 0, 0]);
    assert_eq!(poll_once(futs[0].as_mut(), &ws[0].0), Poll::Ready(()));
    assert!(poll_once(futs[1].as_mut(), &ws[1].0).is_pending());
}

#[test]
fn notify_waiters_wakes_only_current_waiters_and_stores_nothing() {
    let notify = Notify::new();
    let (w, woken) = counting_waker();
    let mut polled = std::pin::pin!(notify.notified());
    assert!(poll_once(polled.as_mut(), &w).is_pending());
    // Created before the call but never polled: completes too (tokio).
    let mut created = std::pin::pin!(notify.notified());
    notify.notify_waiters();
    assert_eq!(woken.get(), 1);
    assert_eq!(poll_once(polled.as_mut(), &w), Poll::Ready(()));
    assert_eq!(poll_once(created.as_mut(), &w), Poll::Ready(()));
    // Created after: waits, no permit was stored.
    let mut later = std::pin::pin!(notify.notified());
    assert!(poll_once(later.as_mut(), &w).is_pending());
}

#[test]
fn notify_waiters_wakes_more_than_one_batch() {
    let notify = Notify::new();
    let ws: Vec<_> = (0..100).map(|_| counting_waker()).collect();
    let mut futs: Vec<_> = (0..100).map(|_| Box::pin(notify.notified())).collect();
    for (f, (w, _)) in futs.iter_mut().zip(&ws) {
        assert!(poll_once(f.as_mut(), w).is_pending());
    }
    notify.notify_waiters();
    for (f, (w, c)) in futs.iter_mut().zip(&ws) {
        assert_eq!(c.get(), 1);
        assert_eq!(poll_once(f.as_mut(), w), Poll::Ready(()));
    }
}

#[test]
fn a_dropped_notified_passes_notify_one_on() {
    let notify = Notify::new();
    let (w1, _) = counting_waker();
    let (w2, woken2) = counting_waker();
    let mut first = Box::pin(notify.notified());
    let mut second = Box::pin(notify.notified());
    assert!(poll_once(first.as_mut(), &w1).is_pending());
    assert!(poll_once(second.as_mut(), &w2).is_pending());
    notify.notify_one(); // chooses `first`
    drop(first);
    assert_eq!(woken2.get(), 1, "handed on to the next waiter");
    assert_eq!(poll_once(second.as_mut(), &w2), Poll::Ready(()));
    // With nobody left, a dropped chosen waiter stores the permit.
    let mut third = Box::pin(notify.notified());
    assert!(poll_once(third.as_mut(), &w1).is_pending());
    notify.notify_one();
    drop(third);
    let mut fourth = std::pin::pin!(notify.notified());
    assert_eq!(poll_once(fourth.as_mut(), &w1), Poll::Ready(()));
}

#[test]
fn across_workers() {
    let _dog = util::watchdog(Duration::from_secs(30), "notify ping-pong");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let (ping, pong) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    rt.block_on(async {
        let (p, q) = (ping.clone(), pong.clone());
        let other = spool::spawn_on(1, async move {
            for _ in 0..1_000 {
                p.notified().await;
                q.notify_one();
            }
        });
        for _ in 0..1_000 {
            ping.notify_one();
            pong.notified().await;
        }
        other.await.unwrap();
    });
}
