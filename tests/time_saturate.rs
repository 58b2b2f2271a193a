//! Durations never overflow: `Duration::MAX` anywhere in `spool::time` means
//! "far future", never a panic (issue 12, defect 6: `interval(Duration::MAX)`
//! panicked on its first tick with "overflow when adding duration to instant").

mod util;

use std::time::Duration;

use spool::time::{interval, sleep, timeout, MissedTickBehavior};

#[test]
fn interval_of_duration_max_ticks_once_then_waits() {
    let _w = util::watchdog(Duration::from_secs(20), "interval(Duration::MAX)");
    for behavior in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        spool::block_on(async move {
            let mut iv = interval(Duration::MAX);
            iv.set_missed_tick_behavior(behavior);
            let first = iv.tick().await; // used to panic here
                                         // The second tick is "far future": still pending after 20 ms.
            let second = timeout(Duration::from_millis(20), iv.tick()).await;
            assert!(second.is_err(), "{behavior:?}: a second tick came");
            iv.reset(); // one period from now: far future, not a panic
            let third = timeout(Duration::from_millis(5), iv.tick()).await;
            assert!(third.is_err(), "{behavior:?}: a tick came after reset");
            assert!(first.elapsed() < Duration::from_secs(10));
        });
    }
}

#[test]
fn sleep_and_timeout_of_duration_max_are_far_future() {
    let _w = util::watchdog(Duration::from_secs(20), "sleep(Duration::MAX)");
    spool::block_on(async {
        assert!(timeout(Duration::from_millis(5), sleep(Duration::MAX))
            .await
            .is_err());
        assert_eq!(timeout(Duration::MAX, async { 7 }).await, Ok(7));
        let mut s = sleep(Duration::MAX);
        assert!(!s.is_elapsed());
        let later = s.deadline();
        s.reset(later);
        assert!(timeout(Duration::from_millis(5), &mut s).await.is_err());
    });
}
