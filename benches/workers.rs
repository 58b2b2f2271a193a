//! Multi-worker benchmarks: parallelism for CPU-bound work, and spawning
//! from outside the runtime, against tokio's multi-threaded runtime and smol.
//!
//! smol has no multi-threaded runtime object: what a smol user does for two
//! threads (and what `smol::spawn`'s global executor does) is one
//! async-executor `Executor` run by two threads, each in
//! `async_io::block_on(ex.run(..))`; the calling thread spawns onto it and
//! waits for the tasks in its own `async_io::block_on`, as spool and tokio
//! wait in `block_on` on the calling thread. That is the `smol_executor_2`
//! column; its threads stop when the group ends.
//!
//! - `parallel_cpu`: 64 CPU-bound chunks fanned out with `Runtime::spawn`
//!   and joined, on spool `workers(1)`, spool `workers(2)`, tokio
//!   `multi_thread` with 2 workers and smol's 2-thread `Executor`.
//! - `remote_spawn`: 100k `Runtime::spawn` calls from the thread that owns
//!   the runtime (outside `block_on`), then all joined; spool `workers(2)`
//!   against tokio `multi_thread` (2 workers) `Runtime::spawn` and
//!   `Executor::spawn` on smol's 2 threads.
//!
//! Run: `cargo bench --bench workers`. Results: BENCHMARKS.md.

// criterion's macros generate public items without docs.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "util/smol_threads.rs"]
mod smol_threads;
use smol_threads::SmolThreads;
use std::hint::black_box;

const CHUNKS: u64 = 64;
const REMOTE_SPAWNS: usize = 100_000;

/// About 100 µs of arithmetic that the optimiser cannot remove.
fn cpu_chunk(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// parallel_cpu: 64 chunks of CPU work spread over the workers.
fn parallel_cpu(c: &mut Criterion) {
    let mut g = c.benchmark_group("parallel_cpu");
    g.sample_size(30);
    for workers in [1, 2] {
        let rt = spool::Builder::new().workers(workers).build().unwrap();
        g.bench_function(format!("spool_workers_{workers}"), |b| {
            b.iter(|| {
                let hs: Vec<_> = (0..CHUNKS)
                    .map(|i| rt.spawn(async move { cpu_chunk(i) }))
                    .collect();
                rt.block_on(async move {
                    let mut acc = 0u64;
                    for h in hs {
                        acc ^= h.await.unwrap();
                    }
                    acc
                })
            })
        });
    }
    let trt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    g.bench_function("tokio_multi_thread_2", |b| {
        b.iter(|| {
            let hs: Vec<_> = (0..CHUNKS)
                .map(|i| trt.spawn(async move { cpu_chunk(i) }))
                .collect();
            trt.block_on(async move {
                let mut acc = 0u64;
                for h in hs {
                    acc ^= h.await.unwrap();
                }
                acc
            })
        })
    });
    let smol = SmolThreads::new(2);
    g.bench_function("smol_executor_2", |b| {
        b.iter(|| {
            let hs: Vec<_> = (0..CHUNKS)
                .map(|i| smol.ex.spawn(async move { cpu_chunk(i) }))
                .collect();
            async_io::block_on(async move {
                let mut acc = 0u64;
                for h in hs {
                    acc ^= h.await;
                }
                acc
            })
        })
    });
    drop(smol);
    g.finish();
}

/// remote_spawn: 100k spawns from outside the runtime, then joined.
fn remote_spawn(c: &mut Criterion) {
    let mut g = c.benchmark_group("remote_spawn");
    g.sample_size(20);
    let rt = spool::Builder::new().workers(2).build().unwrap();
    g.bench_function("spool_workers_2", |b| {
        let mut hs = Vec::with_capacity(REMOTE_SPAWNS);
        b.iter(|| {
            for i in 0..REMOTE_SPAWNS {
                hs.push(rt.spawn(async move { i }));
            }
            rt.block_on(async {
                for h in hs.drain(..) {
                    black_box(h.await.unwrap());
                }
            })
        })
    });
    let trt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    g.bench_function("tokio_multi_thread_2", |b| {
        let mut hs = Vec::with_capacity(REMOTE_SPAWNS);
        b.iter(|| {
            for i in 0..REMOTE_SPAWNS {
                hs.push(trt.spawn(async move { i }));
            }
            trt.block_on(async {
                for h in hs.drain(..) {
                    black_box(h.await.unwrap());
                }
            })
        })
    });
    let smol = SmolThreads::new(2);
    g.bench_function("smol_executor_2", |b| {
        let mut hs = Vec::with_capacity(REMOTE_SPAWNS);
        b.iter(|| {
            for i in 0..REMOTE_SPAWNS {
                hs.push(smol.ex.spawn(async move { i }));
            }
            async_io::block_on(async {
                for h in hs.drain(..) {
                    black_box(h.await);
                }
            })
        })
    });
    drop(smol);
    g.finish();
}

criterion_group!(benches, parallel_cpu, remote_spawn);
criterion_main!(benches);
