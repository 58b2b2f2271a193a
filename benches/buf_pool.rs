//! Rent + return from a `spool::buf::BufferPool` against allocating and
//! freeing a buffer of the same size, at 64 B, 4 KiB, 64 KiB and 1 MiB.
//!
//! Run with `cargo bench --bench buf_pool`. Each group `buf/<threads>t/<size>`
//! prints three lines: `spool_rent_return` (rent a lease, touch it, drop it),
//! `vec_zeroed` (`vec![0u8; n]`, the allocation that gives a usable buffer,
//! like a fresh lease) and `vec_with_capacity` (`Vec::with_capacity(n)`: an
//! allocation whose bytes cannot be read until written, so a lower bound on
//! what any allocator can do). The `2t` groups run the same loop on two
//! threads at once, each with its own loop, and report the time per
//! iteration of one thread. tokio has no buffer pool, so there is no tokio
//! line; the baseline is the global allocator (glibc malloc here). A
//! production pool would also offer per-core stacks rather than one shared
//! stack per class, and trimming of idle buffers after a quiet period.

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{criterion_main, BenchmarkId, Criterion};
use spool::buf::BufferPool;

const SIZES: [(usize, &str); 4] = [
    (64, "64B"),
    (4 << 10, "4KiB"),
    (64 << 10, "64KiB"),
    (1 << 20, "1MiB"),
];

/// Runs `op` `iters` times on each of `threads` threads at once and returns
/// the wall time (which is the time per iteration of one thread, times iters).
fn on_threads(threads: usize, iters: u64, op: impl Fn() + Sync) -> Duration {
    let barrier = Barrier::new(threads);
    let times: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    // Warm this thread's cache before the clock starts.
                    op();
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        op();
                    }
                    start.elapsed()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    times.into_iter().max().unwrap()
}

/// One group per size and thread count: pool rent+return against allocate+free.
fn rent_return(c: &mut Criterion) {
    for threads in [1usize, 2] {
        for (size, label) in SIZES {
            let mut group = c.benchmark_group(format!("buf/{threads}t"));
            let pool = BufferPool::new();
            let spool_op = || {
                let mut lease = pool.rent(size);
                lease[0] = 1;
                black_box(&mut lease);
            };
            let zeroed_op = || {
                let v = vec![0u8; size];
                black_box(v);
            };
            let with_capacity_op = || {
                let v: Vec<u8> = Vec::with_capacity(size);
                black_box(v);
            };
            let ops: [(&str, &(dyn Fn() + Sync)); 3] = [
                ("spool_rent_return", &spool_op),
                ("vec_zeroed", &zeroed_op),
                ("vec_with_capacity", &with_capacity_op),
            ];
            for (name, op) in ops {
                group.bench_function(BenchmarkId::new(name, label), |b| {
                    if threads == 1 {
                        b.iter(op)
                    } else {
                        b.iter_custom(|iters| on_threads(threads, iters, op))
                    }
                });
            }
            group.finish();
        }
    }
}

/// `criterion_group!` generates an undocumented `pub fn`; it lives here so
/// that `missing_docs` can be allowed for it alone.
#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::rent_return);
}

criterion_main!(harness::benches);
