//! Issue 14, item 4: `spool::runtime::Handle` reaches a runtime from any
//! thread: a worker, a `spawn_blocking` thread, a plain std thread. Tasks it
//! spawns run on the runtime's workers, and their `JoinHandle`s can be
//! awaited from any thread under any executor.
mod util;

use spool::runtime::Handle;
use std::time::Duration;

fn message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn assert_send_sync_clone<T: Send + Sync + Clone + std::fmt::Debug>() {}

#[test]
fn handle_is_send_sync_clone_debug() {
    assert_send_sync_clone::<Handle>();
}

#[test]
fn current_on_workers_and_blocking_threads_not_elsewhere() {
    let _w = util::watchdog(Duration::from_secs(30), "Handle::current");
    assert!(Handle::try_current().is_none());
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        assert!(Handle::try_current().is_some());
        // Worker 1, a thread the runtime started.
        let on_worker_1 = spool::spawn_on(1, async { Handle::try_current().is_some() });
        assert!(on_worker_1.await.unwrap());
        // A blocking-pool thread.
        let on_blocking = spool::spawn_blocking(|| Handle::try_current().is_some());
        assert!(on_blocking.await.unwrap());
    });
    // A plain thread: none, and `current` says what to do.
    let msg = std::thread::spawn(|| {
        assert!(Handle::try_current().is_none());
        let err = std::panic::catch_unwind(Handle::current).unwrap_err();
        message(&*err)
    })
    .join()
    .unwrap();
    assert!(msg.contains("Runtime::handle()"), "{msg}");
}

#[test]
fn spawn_from_a_blocking_thread_and_wait_there() {
    let _w = util::watchdog(Duration::from_secs(30), "Handle::spawn from spawn_blocking");
    for workers in [1, 2] {
        let rt = spool::Builder::new().workers(workers).build().unwrap();
        let (sum, ran_on) = rt.block_on(async {
            spool::spawn_blocking(|| {
                let handle = Handle::current();
                let tasks: Vec<_> = (1..=10u64)
                    .map(|i| handle.spawn(async move { (i, spool::task::current_worker()) }))
                    .collect();
                // Wait from this (non-worker) thread, on a runtime of its own.
                spool::block_on(async {
                    let mut sum = 0;
                    let mut ran_on = Vec::new();
                    for t in tasks {
                        let (i, w) = t.await.unwrap();
                        sum += i;
                        ran_on.push(w);
                    }
                    (sum, ran_on)
                })
            })
            .await
            .unwrap()
        });
        assert_eq!(sum, 55, "{workers} worker(s)");
        assert!(ran_on.iter().all(|&w| w < workers));
        if workers == 2 {
            // Least-loaded placement spreads them over both workers.
            assert!(ran_on.contains(&0) && ran_on.contains(&1), "{ran_on:?}");
        }
    }
}

#[test]
fn spawn_from_a_plain_thread_awaited_there_under_another_runtime() {
    let _w = util::watchdog(Duration::from_secs(30), "Handle::spawn from a std thread");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let handle = rt.handle();
    let other = std::thread::spawn(move || {
        let on_1 = handle.spawn_on(1, async {
            spool::time::sleep(Duration::from_millis(5)).await;
            spool::task::current_worker()
        });
        let any = handle.spawn(async { "spawned from a plain thread" });
        let blocking = handle.spawn_blocking(|| std::thread::current().name().map(str::to_owned));
        // Awaited here, under a second spool runtime of this thread's own.
        let other_rt = spool::Runtime::new().unwrap();
        other_rt.block_on(async move {
            (
                on_1.await.unwrap(),
                any.await.unwrap(),
                blocking.await.unwrap(),
            )
        })
    });
    // Worker 0 runs while the plain thread waits (tasks for it need block_on).
    let (w, text, pool_thread) = rt.block_on(async {
        loop {
            if other.is_finished() {
                break other.join().unwrap();
            }
            spool::time::sleep(Duration::from_millis(1)).await;
        }
    });
    assert_eq!(w, 1);
    assert_eq!(text, "spawned from a plain thread");
    assert_eq!(pool_thread.as_deref(), Some("spool-blocking"));
}

#[test]
fn spawn_on_the_current_worker_goes_straight_to_its_arena() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let before = spool::task::metrics().tasks_spawned;
        let h = Handle::current().spawn(async { 7 });
        // In the arena at once: an injected task would be counted only when
        // the worker places it, at its next tick.
        assert_eq!(spool::task::metrics().tasks_spawned, before + 1);
        assert_eq!(h.await.unwrap(), 7);
    });
}

#[test]
fn after_the_runtime_is_dropped_spawns_report_cancelled() {
    let rt = spool::Runtime::new().unwrap();
    let handle = rt.handle();
    drop(rt);
    spool::block_on(async {
        assert!(handle.spawn(async {}).await.unwrap_err().is_cancelled());
        assert!(handle
            .spawn_blocking(|| {})
            .await
            .unwrap_err()
            .is_cancelled());
    });
}

#[test]
fn spawn_on_a_worker_that_does_not_exist_panics_clearly() {
    let rt = spool::Runtime::new().unwrap();
    let handle = rt.handle();
    let err = std::panic::catch_unwind(move || drop(handle.spawn_on(3, async {}))).unwrap_err();
    let msg = message(&*err);
    assert!(msg.contains("worker 3 does not exist"), "{msg}");
}

/// `spool::spawn_blocking` from a blocking thread fans out more blocking
/// work, as `tokio::task::spawn_blocking` does; on a plain thread it panics
/// naming `Handle::spawn_blocking`.
#[test]
fn spawn_blocking_from_a_blocking_thread_and_not_from_a_plain_one() {
    let _w = util::watchdog(Duration::from_secs(30), "nested spawn_blocking");
    let rt = spool::Runtime::new().unwrap();
    let sum = rt.block_on(async {
        spool::spawn_blocking(|| {
            let inner: Vec<_> = (1..=4u64)
                .map(|i| spool::spawn_blocking(move || i * 10))
                .collect();
            // Wait for them here, on a runtime of this thread's own.
            spool::block_on(async {
                let mut sum = 0;
                for h in inner {
                    sum += h.await.unwrap();
                }
                sum
            })
        })
        .await
        .unwrap()
    });
    assert_eq!(sum, 100);
    let msg = std::thread::spawn(|| {
        let err = std::panic::catch_unwind(|| drop(spool::spawn_blocking(|| ()))).unwrap_err();
        message(&*err)
    })
    .join()
    .unwrap();
    assert!(msg.contains("Handle::spawn_blocking"), "{msg}");
}
