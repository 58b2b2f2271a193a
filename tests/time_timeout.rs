//! `timeout`: the future wins, the deadline wins, the loser is dropped.

mod util;

use std::time::{Duration, Instant};

use spool::time::{sleep, timeout, Elapsed};
use util::{Counters, PollDrop};

#[test]
fn a_ready_future_wins_without_arming_a_timer() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        for i in 0..1000 {
            assert_eq!(timeout(Duration::from_secs(10), async { i }).await, Ok(i));
        }
    });
    assert_eq!(rt.metrics().timers_fired, 0);
}

#[test]
fn a_future_that_finishes_first_wins_and_its_timer_is_cancelled() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let r = timeout(Duration::from_secs(5), async {
            sleep(Duration::from_millis(5)).await;
            7
        })
        .await;
        assert_eq!(r, Ok(7));
        // Give the cancelled 5 s timer every chance to (wrongly) fire.
        sleep(Duration::from_millis(20)).await;
    });
    // The inner 5 ms sleep and the 20 ms one fired; the 5 s one did not.
    assert_eq!(rt.metrics().timers_fired, 2);
}

#[test]
fn the_deadline_wins_over_a_slow_future_which_is_dropped() {
    let counters = Counters::default();
    spool::block_on(async {
        let start = Instant::now();
        let slow = PollDrop::new(&counters, std::future::pending::<()>());
        let r = timeout(Duration::from_millis(15), slow).await;
        assert!(matches!(r, Err(Elapsed { .. })));
        assert!(start.elapsed() >= Duration::from_millis(15));
        assert!(start.elapsed() < Duration::from_secs(5));
    });
    assert_eq!(counters.drops(), 1);
    assert!(counters.polls() >= 1);
}

#[test]
fn elapsed_is_a_proper_error() {
    let err = spool::block_on(async {
        timeout(Duration::from_millis(1), std::future::pending::<()>())
            .await
            .unwrap_err()
    });
    assert_eq!(err.to_string(), "deadline has elapsed");
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert!(boxed.source().is_none());
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
}
