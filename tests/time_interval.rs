//! `interval`: first tick at once, then every period; missed ticks burst,
//! delay or skip (those on a paused clock, so every instant is exact).

use std::time::Duration;

use spool::time::Instant;

use spool::time::{advance, interval, MissedTickBehavior};

#[test]
fn first_tick_is_immediate_then_ticks_follow_the_period() {
    spool::block_on(async {
        let period = Duration::from_millis(10);
        let start = Instant::now();
        let mut iv = interval(period);
        let t0 = iv.tick().await;
        assert!(start.elapsed() < Duration::from_millis(5) + Duration::from_secs(1));
        let mut prev = t0;
        for n in 1..=5u32 {
            let t = iv.tick().await;
            // Scheduled instants are exact multiples of the period.
            assert_eq!(t - t0, period * n);
            assert!(Instant::now() >= t);
            assert!(t > prev);
            prev = t;
        }
        assert!(start.elapsed() >= period * 5);
    });
}

/// A runtime with a paused clock: a busy stretch is `advance`, and every
/// instant below is exact.
fn paused() -> spool::Runtime {
    spool::Builder::new().start_paused(true).build().unwrap()
}

#[test]
fn missed_ticks_burst_by_default() {
    paused().block_on(async {
        let period = Duration::from_millis(10);
        let mut iv = interval(period);
        assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Burst);
        let t0 = iv.tick().await;
        // Busy for 4.5 periods.
        advance(period * 9 / 2).await;
        let burst_at = Instant::now();
        // The four missed ticks come back to back, on the original schedule,
        // without waiting (the clock does not move).
        for n in 1..=4u32 {
            assert_eq!(iv.tick().await - t0, period * n);
            assert_eq!(Instant::now(), burst_at);
        }
        // Then the schedule goes on: tick 5 is at t0 + 5 periods.
        assert_eq!(iv.tick().await - t0, period * 5);
        assert_eq!(Instant::now() - t0, period * 5);
    });
}

#[test]
fn delay_behaviour_restarts_the_schedule_after_a_miss() {
    paused().block_on(async {
        let period = Duration::from_millis(10);
        let mut iv = interval(period);
        iv.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let t0 = iv.tick().await;
        advance(period * 3).await;
        let late = iv.tick().await; // the missed tick, once
        assert_eq!(late - t0, period);
        let taken = Instant::now();
        // The next one is a full period after the late tick was taken.
        assert_eq!(iv.tick().await, taken + period);
    });
}

#[test]
fn skip_behaviour_stays_on_the_grid() {
    paused().block_on(async {
        let period = Duration::from_millis(10);
        let mut iv = interval(period);
        iv.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let t0 = iv.tick().await;
        advance(period * 7 / 2).await;
        assert_eq!(iv.tick().await - t0, period);
        // The next tick is the next grid point after now: t0 + 4 periods.
        assert_eq!(iv.tick().await - t0, period * 4);
    });
}

#[test]
#[should_panic(expected = "non-zero")]
fn a_zero_period_panics() {
    spool::block_on(async {
        let _ = interval(Duration::ZERO);
    });
}
