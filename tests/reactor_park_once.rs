//! Waking the `block_on` future from the reactor of its own thread costs
//! one blocking park, not two: the wake must not also unpark the reactor
//! through its `mio::Waker` (a `write` to an eventfd, then one more
//! `epoll_wait` that returns at once at the next park).

use std::time::Duration;

#[test]
fn a_timer_waking_the_block_on_future_costs_one_park() {
    const SLEEPS: u64 = 100;
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        for _ in 0..SLEEPS {
            spool::time::sleep(Duration::from_micros(200)).await;
        }
    });
    let m = rt.metrics();
    assert_eq!(m.timers_fired, SLEEPS, "{m:?}");
    // Each sleep parks once until its timer fires. The old code parked
    // twice per sleep (the second park found the self-unpark at once).
    assert!(
        m.reactor_parks <= SLEEPS + SLEEPS / 10,
        "{} parks for {SLEEPS} sleeps: {m:?}",
        m.reactor_parks
    );
    assert!(m.reactor_parks >= SLEEPS, "{m:?}");
}
