//! `sleep` and `sleep_until`: accuracy, deadline order, many at once.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use spool::time::{sleep, sleep_until, Instant};

#[test]
fn sleep_waits_at_least_its_duration() {
    spool::block_on(async {
        for ms in [1u64, 5, 20] {
            let d = Duration::from_millis(ms);
            let start = Instant::now();
            sleep(d).await;
            let took = start.elapsed();
            assert!(took >= d, "slept {took:?} < {d:?}");
            // Generous bound: a loaded 2-core CI machine may be slow.
            assert!(took < d + Duration::from_secs(2), "slept {took:?}");
        }
    });
}

#[test]
fn sleep_until_a_past_instant_is_ready_at_once() {
    spool::block_on(async {
        let before = spool::task::metrics().timers_fired;
        sleep_until(Instant::now() - Duration::from_millis(1)).await;
        sleep(Duration::ZERO).await;
        // Neither was armed, so no timer fired.
        assert_eq!(spool::task::metrics().timers_fired, before);
    });
}

/// A runtime with a paused clock: deadlines fire exactly, whatever the
/// machine's speed.
fn paused() -> spool::Runtime {
    spool::Builder::new().start_paused(true).build().unwrap()
}

#[test]
fn sleeps_complete_in_deadline_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    paused().block_on({
        let order = order.clone();
        async move {
            // Spawned out of order; deadlines 2 ms apart.
            let base = Instant::now() + Duration::from_millis(5);
            let mut handles = Vec::new();
            for i in [7u64, 2, 9, 0, 4, 1, 8, 3, 6, 5] {
                let order = order.clone();
                handles.push(spool::spawn(async move {
                    let at = base + Duration::from_millis(2 * i);
                    sleep_until(at).await;
                    assert_eq!(Instant::now(), at, "fired off its deadline");
                    order.borrow_mut().push(i);
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
        }
    });
    assert_eq!(*order.borrow(), (0..10).collect::<Vec<u64>>());
}

#[test]
fn equal_deadlines_fire_in_arming_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    paused().block_on({
        let order = order.clone();
        async move {
            let at = Instant::now() + Duration::from_millis(10);
            let handles: Vec<_> = (0..50)
                .map(|i| {
                    let order = order.clone();
                    spool::spawn(async move {
                        sleep_until(at).await;
                        order.borrow_mut().push(i);
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
    });
    assert_eq!(*order.borrow(), (0..50).collect::<Vec<i32>>());
}

#[test]
fn ten_thousand_concurrent_sleeps_finish_together() {
    let rt = spool::Runtime::new().unwrap();
    let (span, total) = rt.block_on(async {
        let start = Instant::now();
        let d = Duration::from_millis(50);
        let handles: Vec<_> = (0..10_000)
            .map(|_| {
                spool::spawn(async move {
                    sleep(d).await;
                    Instant::now()
                })
            })
            .collect();
        let mut first = None;
        let mut last = start;
        for h in handles {
            let t = h.await.unwrap();
            assert!(t - start >= d);
            first = Some(first.map_or(t, |f: Instant| f.min(t)));
            last = last.max(t);
        }
        (last - first.unwrap(), last - start)
    });
    // One thread, one heap: they fire in the same park or a few adjacent
    // ones, not one 50 ms sleep after another (which would take 500 s).
    assert!(span < Duration::from_secs(1), "spread over {span:?}");
    assert!(total < Duration::from_secs(5), "took {total:?}");
    assert!(rt.metrics().timers_fired >= 10_000);
}

#[test]
fn a_dropped_sleep_never_fires() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        for _ in 0..100 {
            let mut s = sleep(Duration::from_millis(5));
            // Arm it, then cancel by dropping.
            let waker = futures_task::noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            assert!(std::pin::Pin::new(&mut s).poll_elapsed_for_test(&mut cx));
            drop(s);
        }
        sleep(Duration::from_millis(20)).await;
    });
    // Only the final 20 ms sleep fired.
    assert_eq!(rt.metrics().timers_fired, 1);
}

/// Polls a `Sleep` once, returning whether it is still pending.
trait PollOnce {
    fn poll_elapsed_for_test(self, cx: &mut std::task::Context<'_>) -> bool;
}

impl PollOnce for std::pin::Pin<&mut spool::time::Sleep> {
    fn poll_elapsed_for_test(self, cx: &mut std::task::Context<'_>) -> bool {
        std::future::Future::poll(self, cx).is_pending()
    }
}

#[test]
fn reset_moves_an_armed_sleep() {
    spool::block_on(async {
        let start = Instant::now();
        let mut s = sleep(Duration::from_secs(60));
        let waker = futures_task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(std::pin::Pin::new(&mut s).poll_elapsed_for_test(&mut cx));
        s.reset(start + Duration::from_millis(10));
        s.await;
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(10) && took < Duration::from_secs(30));
    });
}
