//! The kv example's poll mode: the spinner task sleeps (is not polled)
//! while its worker sees no requests, spins (is polled again and again,
//! keeping the worker off `epoll_wait`) after a connection reports
//! activity, and goes back to sleep once the window has passed. Polls are
//! counted exactly; the only wait is a timer longer than the window.

mod util;

#[allow(dead_code)]
#[path = "../examples/kv/spin.rs"]
mod spin;

use std::time::{Duration, Instant};
use util::{Counters, PollDrop};

async fn yields(n: usize) {
    for _ in 0..n {
        spool::task::yield_now().await;
    }
}

#[test]
fn an_idle_spinner_is_not_polled() {
    spool::block_on(async {
        let counters = Counters::default();
        let spinner = spool::spawn(PollDrop::new(
            &counters,
            spin::spinner(Duration::from_secs(10)),
        ));
        yields(100).await;
        assert_eq!(counters.polls(), 1, "polled once, then asleep");
        spinner.abort();
    });
}

#[test]
fn activity_makes_the_spinner_spin() {
    spool::block_on(async {
        let counters = Counters::default();
        let spinner = spool::spawn(PollDrop::new(
            &counters,
            spin::spinner(Duration::from_secs(10)),
        ));
        yields(10).await;
        assert_eq!(counters.polls(), 1);
        spin::activity(Instant::now());
        let mut rounds = 0;
        while counters.polls() < 50 {
            rounds += 1;
            assert!(
                rounds < 1_000_000,
                "spinner stuck at {} polls",
                counters.polls()
            );
            spool::task::yield_now().await;
        }
        spinner.abort();
    });
}

#[test]
fn the_spinner_sleeps_again_after_the_window() {
    spool::block_on(async {
        let counters = Counters::default();
        let window = Duration::from_millis(20);
        let spinner = spool::spawn(PollDrop::new(&counters, spin::spinner(window)));
        yields(10).await;
        spin::activity(Instant::now());
        spool::time::sleep(3 * window).await;
        // Let the spinner notice the window has passed.
        yields(3).await;
        let after = counters.polls();
        assert!(after >= 2, "the spinner was woken: {after} polls");
        yields(100).await;
        assert_eq!(counters.polls(), after, "asleep after the window");
        // And a new request wakes it again.
        spin::activity(Instant::now());
        yields(3).await;
        assert!(counters.polls() > after);
        spinner.abort();
    });
}
