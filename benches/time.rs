//! Timer benchmarks: spool against tokio's `current_thread` runtime
//! (`enable_all`) and smol (async-executor's `LocalExecutor` driven by
//! `async_io::block_on(ex.run(..))`, timers from `async_io::Timer`), the same
//! workload side by side in each group. smol has no `timeout` function: its
//! column is what smol's docs suggest, the future raced against a
//! `Timer::after` with `futures_lite::FutureExt::or`. The race polls the
//! future first and creates the timer only when it polls the second arm, so
//! a future that is ready at once costs smol no clock read and no timer
//! (its deadline counts from the first `Pending`, not from the call).
//!
//! - `timer_churn`: timeouts whose future is ready at once (the timer is
//!   never armed): the cost of creating, polling and dropping a `Timeout`.
//! - `timer_armed`: timeouts whose future is pending once (`yield_now`), so
//!   the timer is really armed and then cancelled.
//! - `sleep_many`: 10k tasks each sleeping 1 ms, all at once.
//! - `timer_precision`: how long `sleep(d)` really takes, for d = 10 µs,
//!   100 µs and 1 ms, measured as a user sees it (an `Instant` read before
//!   and after the await, one sleep at a time on an idle runtime). The
//!   reported time is the sleep's actual duration, not a cost: closer to d
//!   is better. smol's column is `async_io::Timer::after(d)`.
//!
//! Run: `cargo bench --bench time`. Results: BENCHMARKS.md.

// criterion's macros generate public items without docs.
#![allow(missing_docs)]

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use async_executor::LocalExecutor;
use async_io::Timer;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use futures_lite::FutureExt;

/// Timeouts per iteration of `timer_churn` and `timer_armed`.
const TIMEOUTS: usize = 100_000;
/// Concurrent sleeps per iteration of `sleep_many`.
const SLEEPS: usize = 10_000;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// smol's timeout: `fut`'s output, or `Err(())` once `after` has passed.
async fn smol_timeout<T>(after: Duration, fut: impl Future<Output = T>) -> Result<T, ()> {
    async { Ok(fut.await) }
        .or(async {
            Timer::after(after).await;
            Err(())
        })
        .await
}

/// timer_churn: 100k x `timeout(10 s, ready)`.
fn timer_churn(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer_churn");
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                for i in 0..TIMEOUTS {
                    let r = spool::time::timeout(Duration::from_secs(10), async { i }).await;
                    black_box(r.unwrap());
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                for i in 0..TIMEOUTS {
                    let r = tokio::time::timeout(Duration::from_secs(10), async { i }).await;
                    black_box(r.unwrap());
                }
            })
        })
    });
    let ex = LocalExecutor::new();
    g.bench_function("smol", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for i in 0..TIMEOUTS {
                    let r = smol_timeout(Duration::from_secs(10), async { i }).await;
                    black_box(r.unwrap());
                }
            }))
        })
    });
    g.finish();
}

/// timer_armed: 100k sequential `timeout(10 s, yield_now())`: armed, then cancelled.
fn timer_armed(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer_armed");
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..TIMEOUTS {
                    let r = spool::time::timeout(Duration::from_secs(10), spool::task::yield_now())
                        .await;
                    r.unwrap();
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                for _ in 0..TIMEOUTS {
                    let r = tokio::time::timeout(Duration::from_secs(10), tokio::task::yield_now())
                        .await;
                    r.unwrap();
                }
            })
        })
    });
    let ex = LocalExecutor::new();
    g.bench_function("smol", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for _ in 0..TIMEOUTS {
                    let r =
                        smol_timeout(Duration::from_secs(10), futures_lite::future::yield_now())
                            .await;
                    r.unwrap();
                }
            }))
        })
    });
    g.finish();
}

/// sleep_many: 10k tasks sleep 1 ms concurrently; join them all.
fn sleep_many(c: &mut Criterion) {
    let mut g = c.benchmark_group("sleep_many");
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        let mut handles = Vec::with_capacity(SLEEPS);
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..SLEEPS {
                    handles.push(spool::spawn(spool::time::sleep(Duration::from_millis(1))));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        let mut handles = Vec::with_capacity(SLEEPS);
        b.iter(|| {
            trt.block_on(async {
                for _ in 0..SLEEPS {
                    handles.push(tokio::spawn(tokio::time::sleep(Duration::from_millis(1))));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    let ex = LocalExecutor::new();
    g.bench_function("smol", |b| {
        let mut handles = Vec::with_capacity(SLEEPS);
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for _ in 0..SLEEPS {
                    handles.push(ex.spawn(Timer::after(Duration::from_millis(1))));
                }
                for h in handles.drain(..) {
                    h.await;
                }
            }))
        })
    });
    g.finish();
}

/// The requested durations of `timer_precision`.
const PRECISION: [(&str, Duration); 3] = [
    ("10us", Duration::from_micros(10)),
    ("100us", Duration::from_micros(100)),
    ("1ms", Duration::from_millis(1)),
];

/// timer_precision: the actual duration of one `sleep(d)`, awaited alone.
fn timer_precision(c: &mut Criterion) {
    let mut g = c.benchmark_group("timer_precision");
    let rt = spool::Runtime::new().unwrap();
    let trt = tokio_rt();
    let ex = LocalExecutor::new();
    for (name, d) in PRECISION {
        g.bench_function(BenchmarkId::new("spool", name), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut slept = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        spool::time::sleep(d).await;
                        slept += start.elapsed();
                    }
                    slept
                })
            })
        });
        g.bench_function(BenchmarkId::new("tokio_current_thread", name), |b| {
            b.iter_custom(|iters| {
                trt.block_on(async {
                    let mut slept = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        tokio::time::sleep(d).await;
                        slept += start.elapsed();
                    }
                    slept
                })
            })
        });
        g.bench_function(BenchmarkId::new("smol", name), |b| {
            b.iter_custom(|iters| {
                async_io::block_on(ex.run(async {
                    let mut slept = Duration::ZERO;
                    for _ in 0..iters {
                        let start = Instant::now();
                        Timer::after(d).await;
                        slept += start.elapsed();
                    }
                    slept
                }))
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    timer_churn,
    timer_armed,
    sleep_many,
    timer_precision
);
criterion_main!(benches);
