//! Channel, semaphore and lock benchmarks: spool against tokio's runtime
//! with `tokio::sync`, side by side in the same criterion group. The two
//! channel groups also run smol's stack as a smol user would (async-channel
//! on async-executor's `LocalExecutor`, driven by `async_io::block_on`);
//! where smol has an equivalent lock or broadcast (async-lock's `Mutex` /
//! `RwLock`, async-broadcast), that crate runs on spool's executor, so the
//! row compares the primitive alone; `mutex_contended_2w` also runs
//! async-lock on smol's own two-thread `Executor` (`util/smol_threads.rs`).
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

#[path = "util/smol_threads.rs"]
mod smol_threads;
use smol_threads::SmolThreads;

/// Round trips per iteration of `ping_pong`.
const ROUND_TRIPS: u64 = 20_000;
/// Messages per iteration of `channel_throughput`.
const MESSAGES: u64 = 1_000_000;
/// Capacity of the channel in `channel_throughput`.
const CAPACITY: usize = 1024;
/// Acquire/release pairs per iteration of `semaphore_uncontended`.
const ACQUIRES: u64 = 100_000;
/// Lock/unlock pairs per iteration of the uncontended lock groups.
const LOCKS: u64 = 100_000;
/// Tasks and increments per task of the contended mutex groups.
const CONTENDERS: u64 = 16;
const INCREMENTS: u64 = 10_000;
/// Messages and receivers of `broadcast_fan_out`.
const BROADCASTS: u64 = 100_000;
const SUBSCRIBERS: usize = 8;
/// The producer yields after this many sends, so receivers keep up (below
/// the cooperative budget of both runtimes, so a receiver drains a burst in
/// one poll).
const BURST: u64 = 64;
/// Round trips per iteration of `watch_round_trip`.
const WATCH_TRIPS: u64 = 20_000;

fn tokio_rt2() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

/// A smol single-threaded executor that spawned tasks can reach (as in
/// `benches/executor.rs`).
fn smol_ex() -> &'static async_executor::LocalExecutor<'static> {
    Box::leak(Box::new(async_executor::LocalExecutor::new()))
}

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
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let (ping_tx, ping_rx) = async_channel::bounded::<u64>(1);
                let (pong_tx, pong_rx) = async_channel::bounded::<u64>(1);
                let ponger = ex.spawn(async move {
                    while let Ok(v) = ping_rx.recv().await {
                        pong_tx.send(v + 1).await.unwrap();
                    }
                });
                let pinger = ex.spawn(async move {
                    let mut v = 0;
                    for _ in 0..ROUND_TRIPS {
                        ping_tx.send(v).await.unwrap();
                        v = pong_rx.recv().await.unwrap();
                    }
                    v
                });
                assert_eq!(pinger.await, ROUND_TRIPS);
                ponger.await;
            }))
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
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let (tx, rx) = async_channel::bounded::<u64>(CAPACITY);
                let producer = ex.spawn(async move {
                    for i in 0..MESSAGES {
                        tx.send(i).await.unwrap();
                    }
                });
                let consumer = ex.spawn(async move {
                    let mut sum = 0u64;
                    while let Ok(v) = rx.recv().await {
                        sum = sum.wrapping_add(v);
                    }
                    sum
                });
                producer.await;
                std::hint::black_box(consumer.await);
            }))
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

/// mutex_uncontended: 100k lock + unlock pairs on a free mutex in one task.
fn mutex_uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_uncontended");
    g.throughput(Throughput::Elements(LOCKS));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        let m = spool::sync::Mutex::new(0u64);
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..LOCKS {
                    *m.lock().await += 1;
                }
            })
        })
    });
    g.bench_function("async_lock_on_spool", |b| {
        let m = async_lock::Mutex::new(0u64);
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..LOCKS {
                    *m.lock().await += 1;
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        let m = tokio::sync::Mutex::new(0u64);
        b.iter(|| {
            trt.block_on(async {
                for _ in 0..LOCKS {
                    *m.lock().await += 1;
                }
            })
        })
    });
    g.finish();
}

/// rwlock_read_uncontended: 100k read lock + unlock pairs in one task.
fn rwlock_read_uncontended(c: &mut Criterion) {
    let mut g = c.benchmark_group("rwlock_read_uncontended");
    g.throughput(Throughput::Elements(LOCKS));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        let l = spool::sync::RwLock::new(1u64);
        b.iter(|| {
            rt.block_on(async {
                let mut sum = 0u64;
                for _ in 0..LOCKS {
                    sum += *l.read().await;
                }
                std::hint::black_box(sum)
            })
        })
    });
    g.bench_function("async_lock_on_spool", |b| {
        let l = async_lock::RwLock::new(1u64);
        b.iter(|| {
            rt.block_on(async {
                let mut sum = 0u64;
                for _ in 0..LOCKS {
                    sum += *l.read().await;
                }
                std::hint::black_box(sum)
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        let l = tokio::sync::RwLock::new(1u64);
        b.iter(|| {
            trt.block_on(async {
                let mut sum = 0u64;
                for _ in 0..LOCKS {
                    sum += *l.read().await;
                }
                std::hint::black_box(sum)
            })
        })
    });
    g.finish();
}

/// The contended workload once per mutex type: 16 tasks x 10k increments,
/// each holding the lock over a `yield_now` every 64th time.
macro_rules! contended {
    ($mutex:expr, $spawn:expr, $yield_now:path) => {{
        let m = std::sync::Arc::new($mutex);
        let tasks: Vec<_> = (0..CONTENDERS)
            .map(|_| {
                let m = m.clone();
                ($spawn)(async move {
                    for i in 0..INCREMENTS {
                        let mut g = m.lock().await;
                        if i % 64 == 0 {
                            $yield_now().await;
                        }
                        *g += 1;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*m.lock().await, CONTENDERS * INCREMENTS);
    }};
}

/// mutex_contended: 16 tasks x 10k increments of one mutex, on one worker.
fn mutex_contended(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_contended");
    g.throughput(Throughput::Elements(CONTENDERS * INCREMENTS));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                contended!(
                    spool::sync::Mutex::new(0u64),
                    spool::spawn,
                    spool::task::yield_now
                )
            })
        })
    });
    g.bench_function("async_lock_on_spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                contended!(
                    async_lock::Mutex::new(0u64),
                    spool::spawn,
                    spool::task::yield_now
                )
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                contended!(
                    tokio::sync::Mutex::new(0u64),
                    tokio::spawn,
                    tokio::task::yield_now
                )
            })
        })
    });
    g.finish();
}

/// mutex_contended_2w: the same on two workers (spool `workers(2)`, tokio
/// `multi_thread` with 2 workers, smol's `Executor` on 2 threads).
fn mutex_contended_2w(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex_contended_2w");
    g.throughput(Throughput::Elements(CONTENDERS * INCREMENTS));
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let handle = rt.handle();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                contended!(
                    spool::sync::Mutex::new(0u64),
                    |f| handle.spawn(f),
                    spool::task::yield_now
                )
            })
        })
    });
    let trt = tokio_rt2();
    g.bench_function("tokio_multi_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                contended!(
                    tokio::sync::Mutex::new(0u64),
                    tokio::spawn,
                    tokio::task::yield_now
                )
            })
        })
    });
    // smol: async-lock's Mutex on async-executor's `Executor` run by two
    // threads (work-stealing), driven from this thread as the others are.
    let smol = SmolThreads::new(2);
    g.bench_function("smol_executor_2", |b| {
        b.iter(|| {
            async_io::block_on(async {
                contended!(
                    async_lock::Mutex::new(0u64),
                    |f| {
                        let task = smol.ex.spawn(f);
                        async move {
                            task.await;
                            Ok::<(), ()>(())
                        }
                    },
                    futures_lite::future::yield_now
                )
            })
        })
    });
    g.finish();
}

/// broadcast_fan_out: one producer, 8 receiver tasks, 100k u64 each.
fn broadcast_fan_out(c: &mut Criterion) {
    let mut g = c.benchmark_group("broadcast_fan_out");
    g.throughput(Throughput::Elements(BROADCASTS * SUBSCRIBERS as u64));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (tx, rx) = spool::sync::broadcast::channel::<u64>(1024);
                let receivers: Vec<_> = (0..SUBSCRIBERS)
                    .map(|_| {
                        let mut rx = rx.resubscribe();
                        spool::spawn(async move {
                            let mut n = 0u64;
                            loop {
                                match rx.recv().await {
                                    Ok(v) => {
                                        n += 1;
                                        std::hint::black_box(v);
                                    }
                                    Err(spool::sync::broadcast::error::RecvError::Closed) => {
                                        return n
                                    }
                                    Err(e) => panic!("{e}"),
                                }
                            }
                        })
                    })
                    .collect();
                drop(rx);
                spool::task::yield_now().await;
                for i in 0..BROADCASTS {
                    tx.send(i).unwrap();
                    if i % BURST == BURST - 1 {
                        spool::task::yield_now().await;
                    }
                }
                drop(tx);
                for r in receivers {
                    assert_eq!(r.await.unwrap(), BROADCASTS, "no receiver lagged");
                }
            })
        })
    });
    g.bench_function("async_broadcast_on_spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (tx, rx) = async_broadcast::broadcast::<u64>(1024);
                let receivers: Vec<_> = (0..SUBSCRIBERS)
                    .map(|_| {
                        let mut rx = rx.clone();
                        spool::spawn(async move {
                            let mut n = 0u64;
                            while let Ok(v) = rx.recv().await {
                                n += 1;
                                std::hint::black_box(v);
                            }
                            n
                        })
                    })
                    .collect();
                drop(rx);
                spool::task::yield_now().await;
                for i in 0..BROADCASTS {
                    tx.broadcast(i).await.unwrap();
                    if i % BURST == BURST - 1 {
                        spool::task::yield_now().await;
                    }
                }
                drop(tx);
                for r in receivers {
                    assert_eq!(r.await.unwrap(), BROADCASTS);
                }
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let (tx, rx) = tokio::sync::broadcast::channel::<u64>(1024);
                let receivers: Vec<_> = (0..SUBSCRIBERS)
                    .map(|_| {
                        let mut rx = rx.resubscribe();
                        tokio::spawn(async move {
                            let mut n = 0u64;
                            loop {
                                match rx.recv().await {
                                    Ok(v) => {
                                        n += 1;
                                        std::hint::black_box(v);
                                    }
                                    Err(tokio::sync::broadcast::error::RecvError::Closed) => {
                                        return n
                                    }
                                    Err(e) => panic!("{e}"),
                                }
                            }
                        })
                    })
                    .collect();
                drop(rx);
                tokio::task::yield_now().await;
                for i in 0..BROADCASTS {
                    tx.send(i).unwrap();
                    if i % BURST == BURST - 1 {
                        tokio::task::yield_now().await;
                    }
                }
                drop(tx);
                for r in receivers {
                    assert_eq!(r.await.unwrap(), BROADCASTS, "no receiver lagged");
                }
            })
        })
    });
    g.finish();
}

/// watch_round_trip: two tasks bounce a counter 20k times over two watch
/// channels (send, then wait for `changed` on the other).
fn watch_round_trip(c: &mut Criterion) {
    let mut g = c.benchmark_group("watch_round_trip");
    g.throughput(Throughput::Elements(WATCH_TRIPS));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (ping_tx, mut ping_rx) = spool::sync::watch::channel(0u64);
                let (pong_tx, mut pong_rx) = spool::sync::watch::channel(0u64);
                let ponger = spool::spawn(async move {
                    while ping_rx.changed().await.is_ok() {
                        let v = *ping_rx.borrow_and_update();
                        pong_tx.send(v).unwrap();
                    }
                });
                for i in 1..=WATCH_TRIPS {
                    ping_tx.send(i).unwrap();
                    pong_rx.changed().await.unwrap();
                    assert_eq!(*pong_rx.borrow_and_update(), i);
                }
                drop(ping_tx);
                ponger.await.unwrap();
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let (ping_tx, mut ping_rx) = tokio::sync::watch::channel(0u64);
                let (pong_tx, mut pong_rx) = tokio::sync::watch::channel(0u64);
                let ponger = tokio::spawn(async move {
                    while ping_rx.changed().await.is_ok() {
                        let v = *ping_rx.borrow_and_update();
                        pong_tx.send(v).unwrap();
                    }
                });
                for i in 1..=WATCH_TRIPS {
                    ping_tx.send(i).unwrap();
                    pong_rx.changed().await.unwrap();
                    assert_eq!(*pong_rx.borrow_and_update(), i);
                }
                drop(ping_tx);
                ponger.await.unwrap();
            })
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    ping_pong,
    channel_throughput,
    semaphore_uncontended,
    mutex_uncontended,
    rwlock_read_uncontended,
    mutex_contended,
    mutex_contended_2w,
    broadcast_fan_out,
    watch_round_trip
);
criterion_main!(benches);
