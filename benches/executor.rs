//! Executor benchmarks: spool against tokio's and smol's single-threaded
//! executors.
//!
//! Every group runs the same workload four ways, in the same process:
//! `spool` (`spool::spawn` on a `spool::Runtime`), `tokio_current_thread`
//! (`tokio::spawn` on a `current_thread` runtime), `tokio_local`
//! (`LocalSet::spawn_local`, tokio's `!Send` spawning) and `smol`
//! (async-executor's `LocalExecutor` driven by `async_io::block_on(ex.run(..))`,
//! as `smol::LocalExecutor` is used; `Task::detach` where the others drop a
//! handle). smol has no ambient "current executor", so a task that spawns
//! reaches it through a `&'static` reference (leaked once per group), the
//! cheapest way a smol program can. The constants follow the issue (tokio's
//! own benches use the same shapes with other sizes).
//!
//! Run: `cargo bench --bench executor`. Results: BENCHMARKS.md.

// criterion's macros generate public items without docs.
#![allow(missing_docs)]

use async_executor::LocalExecutor;
use criterion::{criterion_group, criterion_main, Criterion};

/// Tasks spawned and joined per iteration of `spawn_many`.
const NUM_SPAWN: usize = 10_000;
/// Tasks and yields per task in `yield_many`.
const YIELD_TASKS: usize = 200;
const NUM_YIELD: usize = 500;
/// Depth of the spawn chain in `chained_spawn`.
const CHAIN_DEPTH: usize = 2_000;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// A smol single-threaded executor that spawned tasks can reach.
fn smol_ex() -> &'static LocalExecutor<'static> {
    Box::leak(Box::new(LocalExecutor::new()))
}

/// spawn_many: spawn 10k empty tasks, then join them all.
fn spawn_many(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn_many");
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        b.iter(|| {
            rt.block_on(async {
                for i in 0..NUM_SPAWN {
                    handles.push(spool::spawn(async move { i }));
                }
                for h in handles.drain(..) {
                    std::hint::black_box(h.await.unwrap());
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        b.iter(|| {
            trt.block_on(async {
                for i in 0..NUM_SPAWN {
                    handles.push(tokio::spawn(async move { i }));
                }
                for h in handles.drain(..) {
                    std::hint::black_box(h.await.unwrap());
                }
            })
        })
    });
    g.bench_function("tokio_local", |b| {
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        b.iter(|| {
            let local = tokio::task::LocalSet::new();
            local.block_on(&trt, async {
                for i in 0..NUM_SPAWN {
                    handles.push(tokio::task::spawn_local(async move { i }));
                }
                for h in handles.drain(..) {
                    std::hint::black_box(h.await.unwrap());
                }
            })
        })
    });
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for i in 0..NUM_SPAWN {
                    handles.push(ex.spawn(async move { i }));
                }
                for h in handles.drain(..) {
                    std::hint::black_box(h.await);
                }
            }))
        })
    });
    g.finish();
}

/// yield_many: 200 tasks each yielding 500 times (and spool with the
/// timeline recorder on, and with a seeded run queue).
fn yield_many(c: &mut Criterion) {
    let mut g = c.benchmark_group("yield_many");
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        let mut handles = Vec::with_capacity(YIELD_TASKS);
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..YIELD_TASKS {
                    handles.push(spool::spawn(async {
                        for _ in 0..NUM_YIELD {
                            spool::task::yield_now().await;
                        }
                    }));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    // The same with the timeline recorder on (every poll timed and stored):
    // what `Builder::timeline` costs when enabled. The `spool` row above has
    // it off, as by default.
    let rt_rec = spool::Builder::new().timeline(1 << 16).build().unwrap();
    g.bench_function("spool_timeline_on", |b| {
        let mut handles = Vec::with_capacity(YIELD_TASKS);
        b.iter(|| {
            rt_rec.block_on(async {
                for _ in 0..YIELD_TASKS {
                    handles.push(spool::spawn(async {
                        for _ in 0..NUM_YIELD {
                            spool::task::yield_now().await;
                        }
                    }));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    // The same with a seeded run queue (`Builder::seed`): what drawing the
    // order from a PRNG costs. The `spool` row has no seed, as by default.
    let rt_seeded = spool::Builder::new().seed(7).build().unwrap();
    g.bench_function("spool_seeded", |b| {
        let mut handles = Vec::with_capacity(YIELD_TASKS);
        b.iter(|| {
            rt_seeded.block_on(async {
                for _ in 0..YIELD_TASKS {
                    handles.push(spool::spawn(async {
                        for _ in 0..NUM_YIELD {
                            spool::task::yield_now().await;
                        }
                    }));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        let mut handles = Vec::with_capacity(YIELD_TASKS);
        b.iter(|| {
            trt.block_on(async {
                for _ in 0..YIELD_TASKS {
                    handles.push(tokio::spawn(async {
                        for _ in 0..NUM_YIELD {
                            tokio::task::yield_now().await;
                        }
                    }));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    g.bench_function("tokio_local", |b| {
        let mut handles = Vec::with_capacity(YIELD_TASKS);
        b.iter(|| {
            let local = tokio::task::LocalSet::new();
            local.block_on(&trt, async {
                for _ in 0..YIELD_TASKS {
                    handles.push(tokio::task::spawn_local(async {
                        for _ in 0..NUM_YIELD {
                            tokio::task::yield_now().await;
                        }
                    }));
                }
                for h in handles.drain(..) {
                    h.await.unwrap();
                }
            })
        })
    });
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        let mut handles = Vec::with_capacity(YIELD_TASKS);
        b.iter(|| {
            async_io::block_on(ex.run(async {
                for _ in 0..YIELD_TASKS {
                    handles.push(ex.spawn(async {
                        for _ in 0..NUM_YIELD {
                            futures_lite::future::yield_now().await;
                        }
                    }));
                }
                for h in handles.drain(..) {
                    h.await;
                }
            }))
        })
    });
    g.finish();
}

/// chained_spawn: each task spawns the next, 2,000 deep; the last signals
/// the `block_on` future through a oneshot channel (tokio's, on all four,
/// so the signalling cost is the same).
fn chained_spawn(c: &mut Criterion) {
    use tokio::sync::oneshot;
    let mut g = c.benchmark_group("chained_spawn");

    fn spool_chain(done: oneshot::Sender<()>, n: usize) {
        if n == 0 {
            done.send(()).unwrap();
        } else {
            drop(spool::spawn(async move { spool_chain(done, n - 1) }));
        }
    }
    fn tokio_chain(done: oneshot::Sender<()>, n: usize) {
        if n == 0 {
            done.send(()).unwrap();
        } else {
            drop(tokio::spawn(async move { tokio_chain(done, n - 1) }));
        }
    }
    fn local_chain(done: oneshot::Sender<()>, n: usize) {
        if n == 0 {
            done.send(()).unwrap();
        } else {
            drop(tokio::task::spawn_local(
                async move { local_chain(done, n - 1) },
            ));
        }
    }
    fn smol_chain(ex: &'static LocalExecutor<'static>, done: oneshot::Sender<()>, n: usize) {
        if n == 0 {
            done.send(()).unwrap();
        } else {
            ex.spawn(async move { smol_chain(ex, done, n - 1) })
                .detach();
        }
    }

    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (tx, rx) = oneshot::channel();
                drop(spool::spawn(async move { spool_chain(tx, CHAIN_DEPTH) }));
                rx.await.unwrap();
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let (tx, rx) = oneshot::channel();
                drop(tokio::spawn(async move { tokio_chain(tx, CHAIN_DEPTH) }));
                rx.await.unwrap();
            })
        })
    });
    g.bench_function("tokio_local", |b| {
        b.iter(|| {
            let local = tokio::task::LocalSet::new();
            local.block_on(&trt, async {
                let (tx, rx) = oneshot::channel();
                drop(tokio::task::spawn_local(async move {
                    local_chain(tx, CHAIN_DEPTH)
                }));
                rx.await.unwrap();
            })
        })
    });
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let (tx, rx) = oneshot::channel();
                ex.spawn(async move { smol_chain(ex, tx, CHAIN_DEPTH) })
                    .detach();
                rx.await.unwrap();
            }))
        })
    });
    g.finish();
}

criterion_group!(benches, spawn_many, yield_many, chained_spawn);
criterion_main!(benches);
