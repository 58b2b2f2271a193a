//! `timeout`'s ready path in a plain loop, for an instruction profile under
//! callgrind that shows which clock reads it makes.
//!
//! `timer_churn`'s shape without criterion around it: `timeout(10 s, f)`
//! around a future `f` that is ready at once, created, polled once and
//! dropped, 10,000 times per round. The calls run inside
//! `measured_timeouts` (one poll of the `block_on` future), which
//! `benches/timeout_profile.sh` names to callgrind's `--toggle-collect`, so
//! only they are counted; the script then counts the calls that reached
//! `clock_gettime` from there.
//!
//! Run: `target/release/deps/timeout_profile-* WHICH ROUNDS`, WHICH one of
//! - `spool`: `spool::time::timeout` (its deadline is taken at the first
//!   `Pending`, so the ready path should read no clock);
//! - `spool_sleep`: `spool::time::sleep(10 s)` created and dropped, the
//!   control: it reads the clock once per call, so the count shows that a
//!   clock read in spool's code is seen;
//! - `tokio`: `tokio::time::timeout` on a current_thread runtime;
//! - `smol`: the future raced against `async_io::Timer::after` with
//!   `futures_lite::FutureExt::or`, as in benches/time.rs.
//!
//! Without arguments (as under `cargo bench`) it runs each for 20 rounds
//! and prints nanoseconds per call, a sanity figure, not a benchmark.
//! Results: BENCHMARKS.md, "The timeout ready path reads no clock".

use std::future::{poll_fn, Future};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_executor::LocalExecutor;
use futures_lite::FutureExt;

/// Calls per round.
const CALLS: usize = 10_000;

/// What a run measures.
#[derive(Clone, Copy, Debug)]
enum Which {
    Spool,
    SpoolSleep,
    Tokio,
    Smol,
}

impl Which {
    fn parse(s: &str) -> Option<Which> {
        match s {
            "spool" => Some(Which::Spool),
            "spool_sleep" => Some(Which::SpoolSleep),
            "tokio" => Some(Which::Tokio),
            "smol" => Some(Which::Smol),
            _ => None,
        }
    }
}

/// Polls `fut` once; it must be ready.
fn poll_ready<F: Future>(fut: F, cx: &mut Context<'_>) -> F::Output {
    match pin!(fut).poll(cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("the measured future was not ready at once"),
    }
}

/// smol's timeout, as in benches/time.rs.
async fn smol_timeout<T>(after: Duration, fut: impl Future<Output = T>) -> Result<T, ()> {
    async { Ok(fut.await) }
        .or(async {
            async_io::Timer::after(after).await;
            Err(())
        })
        .await
}

/// The calls callgrind counts (`--toggle-collect=*measured_timeouts*`):
/// `CALLS` ready timeouts (or, for `SpoolSleep`, sleeps created and
/// dropped), polled with the `block_on` future's context. Each future goes
/// through `black_box`, so the compiler cannot fold the loop away.
#[inline(never)]
fn measured_timeouts(which: Which, cx: &mut Context<'_>) -> usize {
    let ten = Duration::from_secs(10);
    let mut sum = 0;
    for i in 0..CALLS {
        sum += match which {
            Which::Spool => {
                poll_ready(black_box(spool::time::timeout(ten, async { i })), cx).unwrap()
            }
            Which::SpoolSleep => {
                drop(black_box(spool::time::sleep(ten)));
                i
            }
            Which::Tokio => {
                poll_ready(black_box(tokio::time::timeout(ten, async { i })), cx).unwrap()
            }
            Which::Smol => poll_ready(black_box(smol_timeout(ten, async { i })), cx).unwrap(),
        };
    }
    sum
}

/// One round on `which`'s runtime: one `block_on` whose future makes the
/// measured calls in its first poll.
fn round(which: Which, spool_rt: &spool::Runtime, tokio_rt: &tokio::runtime::Runtime) -> usize {
    let calls = poll_fn(|cx| Poll::Ready(measured_timeouts(which, cx)));
    match which {
        Which::Spool | Which::SpoolSleep => spool_rt.block_on(calls),
        Which::Tokio => tokio_rt.block_on(calls),
        Which::Smol => {
            let ex = LocalExecutor::new();
            async_io::block_on(ex.run(calls))
        }
    }
}

/// Runs `rounds` rounds; returns nanoseconds per call. No warm-up round:
/// it would run `measured_timeouts` too, and callgrind's call counts of a
/// function include calls made while collection is off. The ready paths
/// have nothing to warm (spool's allocates nothing:
/// tests/time_timeout_ready.rs).
fn profile(which: Which, rounds: usize) -> f64 {
    let spool_rt = spool::Runtime::new().unwrap();
    let tokio_rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let start = Instant::now();
    for _ in 0..rounds {
        black_box(round(which, &spool_rt, &tokio_rt));
    }
    start.elapsed().as_nanos() as f64 / (rounds * CALLS) as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().and_then(|a| Which::parse(a)) {
        Some(which) => {
            let rounds = match args.get(1).map(|r| r.parse::<usize>()) {
                None => 5,
                Some(Ok(r)) if r > 0 => r,
                Some(_) => {
                    eprintln!("timeout_profile: ROUNDS must be a positive integer");
                    std::process::exit(2);
                }
            };
            let ns = profile(which, rounds);
            println!("{which:?}: {rounds} rounds x {CALLS} calls, {ns:.1} ns each");
        }
        None => {
            for which in [Which::Spool, Which::SpoolSleep, Which::Tokio, Which::Smol] {
                let ns = profile(which, 20);
                println!("{which:?}: {ns:.1} ns per call (20 rounds x {CALLS}, not a benchmark)");
            }
        }
    }
}
