//! The sync primitives between workers of one multi-worker runtime:
//! producers on workers 1..3 feed a bounded channel drained on worker 0,
//! tasks on every worker share one Semaphore (the bound holds across
//! threads), and a oneshot answers from another worker.

use spool::sync::{mpsc, oneshot, Semaphore};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const WORKERS: usize = 4;

fn runtime() -> spool::Runtime {
    spool::Builder::new().workers(WORKERS).build().unwrap()
}

#[test]
fn producers_on_other_workers_feed_worker_zero() {
    const N: u64 = 10_000;
    let rt = runtime();
    let next = rt.block_on(async {
        let (tx, mut rx) = mpsc::channel::<(usize, u64)>(16);
        let mut producers = Vec::new();
        for worker in 1..WORKERS {
            let tx = tx.clone();
            producers.push(spool::spawn_on(worker, async move {
                assert_eq!(spool::task::current_worker(), worker);
                for i in 0..N {
                    tx.send((worker, i)).await.unwrap();
                }
            }));
        }
        drop(tx);
        let mut next = vec![0u64; WORKERS];
        while let Some((w, i)) = rx.recv().await {
            assert_eq!(i, next[w], "per-producer order across workers");
            next[w] += 1;
        }
        for p in producers {
            p.await.unwrap();
        }
        next
    });
    assert_eq!(next[0], 0);
    assert!(next[1..].iter().all(|&n| n == N));
}

#[test]
fn one_semaphore_bounds_tasks_on_every_worker() {
    let rt = runtime();
    let sem = Arc::new(Semaphore::new(3));
    let holders = Arc::new(AtomicUsize::new(0));
    let max_seen = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let (sem, holders, max_seen) = (sem.clone(), holders.clone(), max_seen.clone());
            rt.spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                let now = holders.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(now, Ordering::SeqCst);
                for _ in 0..3 {
                    spool::task::yield_now().await;
                }
                holders.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
    });
    assert!(
        max_seen.load(Ordering::SeqCst) <= 3,
        "bound broken across workers"
    );
    assert!(max_seen.load(Ordering::SeqCst) >= 1);
    assert_eq!(sem.available_permits(), 3, "every permit came back");
}

#[test]
fn oneshot_answer_from_another_worker() {
    let rt = runtime();
    let (asked_from, answered_on) = rt.block_on(async {
        let (tx, rx) = oneshot::channel::<usize>();
        let _detached = spool::spawn_on(2, async move {
            tx.send(spool::task::current_worker()).unwrap();
        });
        (spool::task::current_worker(), rx.await.unwrap())
    });
    assert_eq!((asked_from, answered_on), (0, 2));
}
