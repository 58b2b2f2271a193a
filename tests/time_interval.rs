//! `interval`: first tick at once, then every period; missed ticks burst.

use std::time::Duration;

use spool::time::Instant;

use spool::time::{interval, MissedTickBehavior};

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

#[test]
fn missed_ticks_burst_by_default() {
    spool::block_on(async {
        let period = Duration::from_millis(10);
        let mut iv = interval(period);
        assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Burst);
        let t0 = iv.tick().await;
        // Hog the thread for 4.5 periods.
        std::thread::sleep(period * 9 / 2);
        let burst_start = Instant::now();
        let mut ticks = Vec::new();
        for _ in 0..4 {
            ticks.push(iv.tick().await);
        }
        // The four missed ticks come back to back, on the original schedule.
        for (n, t) in ticks.iter().enumerate() {
            assert_eq!(*t - t0, period * (n as u32 + 1));
        }
        // Back to back: none of them waited for a timer (generous bound;
        // waiting a period for each would take 40 ms, the bound is for a
        // loaded machine, the instants above are the real check).
        assert!(
            burst_start.elapsed() < Duration::from_secs(1),
            "{:?}",
            burst_start.elapsed()
        );
        // Then the schedule goes on: tick 5 is at t0 + 5 periods.
        assert_eq!(iv.tick().await - t0, period * 5);
    });
}

#[test]
fn delay_behaviour_restarts_the_schedule_after_a_miss() {
    spool::block_on(async {
        let period = Duration::from_millis(10);
        let mut iv = interval(period);
        iv.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let t0 = iv.tick().await;
        std::thread::sleep(period * 3);
        let late = iv.tick().await; // the missed tick, once
        assert_eq!(late - t0, period);
        let resumed = Instant::now();
        let next = iv.tick().await;
        // The next one is a full period after the late tick was taken.
        assert!(next >= resumed + period - Duration::from_millis(1));
    });
}

#[test]
fn skip_behaviour_stays_on_the_grid() {
    spool::block_on(async {
        let period = Duration::from_millis(10);
        let mut iv = interval(period);
        iv.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let t0 = iv.tick().await;
        std::thread::sleep(period * 7 / 2);
        assert_eq!(iv.tick().await - t0, period);
        let next = iv.tick().await;
        let offset = (next - t0).as_nanos() % period.as_nanos();
        assert_eq!(offset, 0, "off the grid");
        assert!(next - t0 >= period * 4);
    });
}

#[test]
#[should_panic(expected = "non-zero")]
fn a_zero_period_panics() {
    spool::block_on(async {
        let _ = interval(Duration::ZERO);
    });
}
