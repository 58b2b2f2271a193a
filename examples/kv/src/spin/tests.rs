//! The kv example's poll mode: the spinner task sleeps (is not polled)
//! while its worker sees no requests, spins (is polled again and again,
//! keeping the worker off `epoll_wait`) after a connection reports
//! activity, and goes back to sleep once the window has passed. Polls are
//! counted exactly; the only wait is a timer longer than the window.
//!
//! Nap mode: the napper naps only once enough different connections were
//! served within the window, never for one connection however busy, and
//! is not polled while idle. Naps are counted exactly (each test runs on
//! its own thread, and the counters are the thread's).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// How often a [`PollDrop`] was polled.
#[derive(Debug, Clone, Default)]
struct Counters {
    polls: Rc<Cell<usize>>,
}

impl Counters {
    fn polls(&self) -> usize {
        self.polls.get()
    }
}

/// A future that counts its polls in `counters` and runs `inner`.
struct PollDrop<F> {
    inner: Pin<Box<F>>,
    counters: Counters,
}

impl<F: Future> PollDrop<F> {
    fn new(counters: &Counters, inner: F) -> PollDrop<F> {
        PollDrop {
            inner: Box::pin(inner),
            counters: counters.clone(),
        }
    }
}

impl<F: Future> Future for PollDrop<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.counters.polls.set(self.counters.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

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
            super::spinner(Duration::from_secs(10)),
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
            super::spinner(Duration::from_secs(10)),
        ));
        yields(10).await;
        assert_eq!(counters.polls(), 1);
        super::activity(Instant::now(), 1);
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
        let spinner = spool::spawn(PollDrop::new(&counters, super::spinner(window)));
        yields(10).await;
        super::activity(Instant::now(), 1);
        spool::time::sleep(3 * window).await;
        // Let the spinner notice the window has passed.
        yields(3).await;
        let after = counters.polls();
        assert!(after >= 2, "the spinner was woken: {after} polls");
        yields(100).await;
        assert_eq!(counters.polls(), after, "asleep after the window");
        // And a new request wakes it again.
        super::activity(Instant::now(), 1);
        yields(3).await;
        assert!(counters.polls() > after);
        spinner.abort();
    });
}

/// Runs `n` batches of connection `conn`, each followed by a few yields
/// so that the napper (woken by the batch) runs after it.
async fn batches(conns: impl IntoIterator<Item = u64>) {
    for conn in conns {
        super::activity(Instant::now(), conn);
        yields(3).await;
    }
}

#[test]
fn one_busy_connection_never_naps() {
    spool::block_on(async {
        let counters = Counters::default();
        let napper = spool::spawn(PollDrop::new(
            &counters,
            super::napper(Duration::from_micros(10)),
        ));
        yields(10).await;
        assert_eq!(counters.polls(), 1, "polled once, then asleep");
        batches(std::iter::repeat_n(7, 1000)).await;
        assert_eq!(super::naps(), 0, "a lone client is never delayed");
        assert!(counters.polls() > 1, "the napper was woken by the batches");
        // Three connections (7 among them) are still too few.
        batches((0..300).map(|i| 7 + i % 3)).await;
        assert_eq!(super::naps(), 0);
        napper.abort();
    });
}

#[test]
fn several_connections_nap_once_per_round() {
    spool::block_on(async {
        let napper = spool::spawn(super::napper(Duration::from_micros(10)));
        yields(10).await;
        let conns = u64::from(super::NAP_MIN_CONNECTIONS);
        // Batches far quicker than the window: every `conns` different
        // connections served make one nap.
        for round in 1..=20u64 {
            batches(0..conns).await;
            assert_eq!(super::naps(), round, "one nap per {conns} connections");
        }
        napper.abort();
    });
}

#[test]
fn connections_spread_over_more_than_the_window_do_not_nap() {
    spool::block_on(async {
        let napper = spool::spawn(super::napper(Duration::from_micros(10)));
        yields(10).await;
        for conn in 0..3 * u64::from(super::NAP_MIN_CONNECTIONS) {
            batches([conn]).await;
            // A thread sleep, not a timer: the window must pass in full.
            std::thread::sleep(super::NAP_WINDOW * 2);
        }
        assert_eq!(super::naps(), 0, "a light load is never delayed");
        napper.abort();
    });
}

#[test]
fn an_idle_napper_is_not_polled() {
    spool::block_on(async {
        let counters = Counters::default();
        let napper = spool::spawn(PollDrop::new(
            &counters,
            super::napper(Duration::from_micros(10)),
        ));
        yields(100).await;
        assert_eq!(counters.polls(), 1, "polled once, then asleep");
        napper.abort();
    });
}
