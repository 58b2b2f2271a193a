//! Channel and semaphore benchmarks: spool against tokio's `current_thread`
//! runtime with `tokio::sync`, side by side in the same criterion group.
//!
//! Each workload is written once per runtime with the same shape: the two
//! ends of a channel are separate tasks on one thread, so every wait is a
//! real park and wake through the executor. spool's primitives take one
//! uncontended mutex per operation; tokio's mpsc is a lock-free block list
//! plus a semaphore. Run: `cargo bench --bench sync` (on a busy machine add
//! `-- --warm-up-time 1 --measurement-time 3`). Results: BENCHMARKS.md.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Round trips per iteration of `ping_pong`.
const ROUND_TRIPS: u64 = 20_000;
/// Messages per iteration of `channel_throughput`.
const MESSAGES: u64 = 1_000_000;
/// Capacity of the channel in `channel_throughput`.
const CAPACITY: usize = 1024;
/// Acquire/release pairs per iteration of `semaphore_uncontended`.
const ACQUIRES: u64 = 100_000;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// ping_pong: two tasks bounce a value 20k times over two capacity-1 channels.
fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("ping_pong");
    g.throughput(Throughput::Elements(ROUND_TRIPS));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (ping_tx, mut ping_rx) = spool::sync::mpsc::channel::<u64>(1);
                let (pong_tx, mut pong_rx) = spool::sync::mpsc::channel::<u64>(1);
                let ponger = spool::spawn(async move {
                    while let Some(v) = ping_rx.recv().await {
                        pong_tx.send(v + 1).await.unwrap();
                    }
                });
                let pinger = spool::spawn(async move {
                    let mut v = 0;
                    for _ in 0..ROUND_TRIPS {
                        ping_tx.send(v).await.unwrap();
                        v = pong_rx.recv().await.unwrap();
                    }
                    v
                });
                assert_eq!(pinger.await.unwrap(), ROUND_TRIPS);
                ponger.await.unwrap();
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(1);
                let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(1);
                let ponger = tokio::spawn(async move {
                    while let Some(v) = ping_rx.recv().await {
                        pong_tx.send(v + 1).await.unwrap();
                    }
                });
                let pinger = tokio::spawn(async move {
                    let mut v = 0;
                    for _ in 0..ROUND_TRIPS {
                        ping_tx.send(v).await.unwrap();
                        v = pong_rx.recv().await.unwrap();
                    }
                    v
                });
                assert_eq!(pinger.await.unwrap(), ROUND_TRIPS);
                ponger.await.unwrap();
            })
        })
    });
    g.finish();
}

/// channel_throughput: one producer task sends 1M u64 through capacity 1024 to one consumer task.
fn channel_throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("channel_throughput");
    g.throughput(Throughput::Elements(MESSAGES));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (tx, mut rx) = spool::sync::mpsc::channel::<u64>(CAPACITY);
                let producer = spool::spawn(async move {
                    for i in 0..MESSAGES {
                        tx.send(i).await.unwrap();
                    }
                });
                let consumer = spool::spawn(async move {
                    let mut sum = 0u64;
                    while let Some(v) = rx.recv().await {
                        sum = sum.wrapping_add(v);
                    }
                    sum
                });
                producer.await.unwrap();
                std::hint::black_box(consumer.await.unwrap());
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(CAPACITY);
                let producer = tokio::spawn(async move {
                    for i in 0..MESSAGES {
                        tx.send(i).await.unwrap();
                    }
                });
                let consumer = tokio::spawn(async move {
                    let mut sum = 0u64;
                    while let Some(v) = rx.recv().await {
                        sum = sum.wrapping_add(v);
                    }
                    sum
                });
                producer.await.unwrap();
                std::hint::black_box(consumer.await.unwrap());
            })
        })
    });
    g.finish();
}

/// semaphore_uncontended: 100k acquire/release pairs on a free semaphore in one task.
fn semaphore_uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("semaphore_uncontended");
    g.throughput(Throughput::Elements(ACQUIRES));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        let sem = spool::sync::Semaphore::new(4);
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..ACQUIRES {
                    drop(std::hint::black_box(sem.acquire().await.unwrap()));
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        let sem = tokio::sync::Semaphore::new(4);
        b.iter(|| {
            trt.block_on(async {
                for _ in 0..ACQUIRES {
                    drop(std::hint::black_box(sem.acquire().await.unwrap()));
                }
            })
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    ping_pong,
    channel_throughput,
    semaphore_uncontended
);
criterion_main!(benches);
