//! `timeout` around a future that is ready at once: no allocation, no timer,
//! and (on a paused clock, where it can be seen) a deadline taken only at
//! the first `Pending`.

mod util;

use std::time::Duration;

use spool::time::{advance, sleep, timeout, Instant};

#[global_allocator]
static A: util::CountingAlloc = util::CountingAlloc;

#[test]
fn the_ready_path_allocates_nothing_and_arms_no_timer() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        // Warm-up.
        for i in 0..100u64 {
            assert_eq!(
                timeout(Duration::from_secs(10), async move { i }).await,
                Ok(i)
            );
        }
        let fired = spool::task::metrics().timers_fired;
        let before = util::allocations();
        for i in 0..10_000u64 {
            let r = timeout(Duration::from_secs(10), async move { i }).await;
            assert_eq!(r, Ok(i));
        }
        assert_eq!(util::allocations() - before, 0, "the ready path allocated");
        assert_eq!(spool::task::metrics().timers_fired, fired);
    });
}

#[test]
fn the_deadline_counts_from_the_first_pending_poll() {
    let rt = spool::Builder::new().start_paused(true).build().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let t = timeout(Duration::from_secs(10), sleep(Duration::from_secs(60)));
        // Time passes between the call and the first poll...
        advance(Duration::from_secs(5)).await;
        let polled_at = Instant::now();
        assert!(t.await.is_err());
        // ...and the timeout still gives its future the full 10 s from its
        // first (pending) poll: never early.
        assert_eq!(Instant::now() - polled_at, Duration::from_secs(10));
        assert_eq!(Instant::now() - start, Duration::from_secs(15));
    });
}
