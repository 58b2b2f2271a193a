//! Multi-worker mode: placement, injection, cross-worker joins, shutdown,
//! panic isolation.
mod util;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn placement_and_worker_count() {
    let rt = spool::Builder::new().workers(3).build().unwrap();
    rt.block_on(async {
        assert_eq!(spool::task::worker_count(), 3);
        assert_eq!(spool::task::current_worker(), 0);
        for w in 0..3 {
            let (me, n) = spool::spawn_on(w, async {
                (spool::task::current_worker(), spool::task::worker_count())
            })
            .await
            .unwrap();
            assert_eq!((me, n), (w, 3));
        }
    });
    assert_eq!(rt.metrics().per_worker.len(), 3);
}

#[test]
fn runtime_spawn_uses_every_worker() {
    let _w = util::watchdog(Duration::from_secs(60), "runtime spawn");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let handles: Vec<_> = (0..64)
        .map(|i| {
            let seen = seen.clone();
            rt.spawn(async move {
                seen.lock().unwrap().insert(spool::task::current_worker());
                // Stay alive a little so the load is visible to placement.
                for _ in 0..10 {
                    spool::task::yield_now().await;
                }
                i
            })
        })
        .collect();
    let sum = rt.block_on(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..64).sum::<i32>());
    assert_eq!(*seen.lock().unwrap(), HashSet::from([0, 1]));
    let m = rt.metrics();
    assert!(m.per_worker.iter().all(|w| w.tasks_spawned > 0), "{m:?}");
    assert_eq!(m.tasks_spawned, 64);
}

#[test]
fn join_handles_work_across_workers() {
    let _w = util::watchdog(Duration::from_secs(60), "cross-worker join");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let total = rt.block_on(async {
        // A task on worker 1 spawns locally there and joins; worker 0 joins
        // the outer task.
        spool::spawn_on(1, async {
            let inner: Vec<_> = (0..1000u64)
                .map(|i| spool::spawn(async move { i }))
                .collect();
            let mut s = 0;
            for h in inner {
                s += h.await.unwrap();
            }
            // ...and a task back on worker 0, joined from worker 1.
            s + spool::spawn_on(0, async { 1u64 }).await.unwrap()
        })
        .await
        .unwrap()
    });
    assert_eq!(total, 999 * 1000 / 2 + 1);
}

#[test]
fn panicking_task_does_not_kill_a_worker() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let e = spool::spawn_on(1, async { panic!("worker task panics") })
            .await
            .unwrap_err();
        assert!(e.is_panic());
        let w = spool::spawn_on(1, async { spool::task::current_worker() })
            .await
            .unwrap();
        assert_eq!(w, 1, "worker 1 still runs tasks");
    });
}

#[test]
fn shutdown_stops_workers_and_runs_destructors() {
    let counters = util::Counters::default();
    let rt = spool::Builder::new().workers(3).build().unwrap();
    let handles = rt.block_on(async {
        let mut hs = Vec::new();
        for w in 0..3 {
            for _ in 0..10 {
                let c = counters.clone();
                hs.push(spool::spawn_on(w, async move {
                    util::PollDrop::new(&c, std::future::pending::<()>()).await
                }));
            }
        }
        // Make sure every task was placed and polled once.
        while counters.polls() < 30 {
            spool::task::yield_now().await;
        }
        hs
    });
    drop(rt); // joins worker threads
    assert_eq!(counters.drops(), 30);
    spool::block_on(async move {
        for h in handles {
            assert!(h.await.unwrap_err().is_cancelled());
        }
    });
}

#[test]
fn spawn_blocking_runs_off_the_worker_and_reports_panics() {
    let rt = spool::Builder::new()
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let main_thread = std::thread::current().id();
    rt.block_on(async move {
        let (id, v) = spool::spawn_blocking(|| (std::thread::current().id(), 21 * 2))
            .await
            .unwrap();
        assert_eq!(v, 42);
        assert_ne!(id, main_thread);
        let e = spool::spawn_blocking(|| panic!("blocking panic"))
            .await
            .unwrap_err();
        assert!(e.is_panic());
        // Many jobs through a capped pool.
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..20)
            .map(|i| {
                let (running, peak) = (running.clone(), peak.clone());
                spool::spawn_blocking(move || {
                    let now = running.fetch_add(1, SeqCst) + 1;
                    peak.fetch_max(now, SeqCst);
                    std::thread::sleep(Duration::from_millis(2));
                    running.fetch_sub(1, SeqCst);
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for h in hs {
            sum += h.await.unwrap();
        }
        assert_eq!(sum, (0..20).sum::<i32>());
        assert!(peak.load(SeqCst) <= 2, "the pool cap was exceeded");
    });
}

#[test]
fn spawn_on_a_missing_worker_panics_clearly() {
    let r = std::panic::catch_unwind(|| {
        spool::block_on(async {
            drop(spool::spawn_on(5, async {}));
        })
    });
    let err = r.unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("worker 5 does not exist"), "{msg}");
}

#[test]
fn tasks_spawned_before_block_on_run_when_it_runs() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let hs: Vec<_> = (0..10).map(|i| rt.spawn(async move { i * 2 })).collect();
    let v = rt.block_on(async move {
        let mut v = Vec::new();
        for h in hs {
            v.push(h.await.unwrap());
        }
        v
    });
    assert_eq!(v, (0..10).map(|i| i * 2).collect::<Vec<_>>());
}
