//! `abort` and `is_finished` on the `AbortHandle` of a task sent to another
//! worker keep working after its `JoinHandle` was polled (issue 12, defect
//! 2: the remote handle lost its way to the slot once the `JoinHandle` took
//! it, so `is_finished` said true, `abort` did nothing and the `JoinHandle`
//! never completed).
mod util;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn remote_abort_handle_works_after_the_join_handle_was_polled() {
    let _w = util::watchdog(Duration::from_secs(30), "remote abort after poll");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let started = Arc::new(AtomicBool::new(false));
        let gate = util::Gate::new();
        let mut h = {
            let (started, gate) = (started.clone(), gate.clone());
            spool::spawn_on(1, async move {
                started.store(true, Ordering::SeqCst);
                gate.wait().await;
                7
            })
        };
        let ah = h.abort_handle();
        // Wait until worker 1 placed and polled the task, then poll the
        // JoinHandle once: it takes over the slot handle.
        for _ in 0..10_000 {
            if started.load(Ordering::SeqCst) {
                break;
            }
            spool::time::sleep(Duration::from_millis(1)).await;
        }
        assert!(started.load(Ordering::SeqCst), "the task never started");
        assert!(spool::time::timeout(Duration::from_millis(5), &mut h)
            .await
            .is_err());
        assert!(!ah.is_finished(), "the task is still running");
        assert!(!h.is_finished());
        ah.abort();
        let err = h.await.unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert!(ah.is_finished());
    });
}

#[test]
fn runtime_spawn_abort_handle_works_after_the_join_handle_was_polled() {
    let _w = util::watchdog(Duration::from_secs(30), "Runtime::spawn abort after poll");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let counters = util::Counters::default();
    // Two tasks: placement spreads them over both workers, so one of them
    // goes through worker 1's injection queue.
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let started = Arc::new(AtomicBool::new(false));
            let task = {
                let started = started.clone();
                async move {
                    started.store(true, Ordering::SeqCst);
                    std::future::pending::<()>().await
                }
            };
            (started, rt.spawn(util::PollDrop::new(&counters, task)))
        })
        .collect();
    rt.block_on(async {
        for (started, mut h) in tasks {
            let ah = h.abort_handle();
            for _ in 0..10_000 {
                if started.load(Ordering::SeqCst) {
                    break;
                }
                spool::time::sleep(Duration::from_millis(1)).await;
            }
            assert!(started.load(Ordering::SeqCst), "the task never started");
            assert!(spool::time::timeout(Duration::from_millis(5), &mut h)
                .await
                .is_err());
            assert!(!ah.is_finished(), "the task is still running");
            ah.abort();
            assert!(h.await.unwrap_err().is_cancelled());
            assert!(ah.is_finished());
        }
    });
    assert_eq!(counters.drops(), 2);
}
