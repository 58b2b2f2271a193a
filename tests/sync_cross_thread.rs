//! Channels between threads, each running its own spool runtime: two
//! producer threads feed one bounded channel (per-producer order kept, the
//! stream ends when both are gone), and a oneshot answers across threads.
//! Exercises the remote-wake path: a send on one thread wakes a task parked
//! on another.

use spool::sync::{mpsc, oneshot, Semaphore};
use std::sync::Arc;

#[test]
fn two_producer_threads_one_consumer() {
    const N: u64 = 20_000;
    let (tx, mut rx) = mpsc::channel::<(u8, u64)>(8);
    let producers: Vec<_> = (0..2u8)
        .map(|id| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                spool::block_on(async move {
                    for i in 0..N {
                        tx.send((id, i)).await.unwrap();
                    }
                })
            })
        })
        .collect();
    drop(tx);
    let next = spool::block_on(async move {
        let mut next = [0u64; 2];
        while let Some((id, i)) = rx.recv().await {
            assert_eq!(i, next[id as usize], "per-producer order");
            next[id as usize] += 1;
        }
        next
    });
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(next, [N, N]);
}

#[test]
fn oneshot_and_semaphore_across_threads() {
    let sem = Arc::new(Semaphore::new(1));
    let (tx, rx) = oneshot::channel::<u64>();
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let s = sem.clone();
    let worker = std::thread::spawn(move || {
        spool::block_on(async move {
            go_rx.await.unwrap();
            // The main thread holds the permit until we answer.
            let answer = (1..=10u64).product();
            tx.send(answer).unwrap();
            let _p = s.acquire().await.unwrap();
        })
    });
    let got = spool::block_on(async move {
        let permit = sem.acquire().await.unwrap();
        go_tx.send(()).unwrap();
        let got = rx.await.unwrap();
        drop(permit);
        got
    });
    worker.join().unwrap();
    assert_eq!(got, 3_628_800);
}
