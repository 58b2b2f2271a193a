//! Issue 12, defect 3: two `spawn_blocking` jobs spawned back to back while
//! the pool has one idle thread each get a thread of their own, so a job may
//! wait for the one spawned after it. Before the fix both were handed to the
//! idle thread (it was taken off `idle` only once it woke), and a job that
//! waited for its successor hung forever.
mod util;

use std::sync::mpsc;
use std::time::Duration;

#[test]
fn back_to_back_jobs_on_one_idle_thread_do_not_deadlock() {
    let _w = util::watchdog(Duration::from_secs(60), "back-to-back spawn_blocking");
    for round in 0..5 {
        // A fresh pool per round, so that it has exactly one thread.
        let rt = spool::Runtime::new().unwrap();
        let waited = rt.block_on(async {
            spool::spawn_blocking(|| ()).await.unwrap();
            // Give the one pool thread time to go back to waiting for work
            // (the bug needs it idle; the fix passes either way).
            spool::time::sleep(Duration::from_millis(20)).await;
            let (tx, rx) = mpsc::channel::<()>();
            // A waits for B; B is spawned right after A.
            let a = spool::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(5)).is_ok());
            let b = spool::spawn_blocking(move || tx.send(()).unwrap());
            let waited = a.await.unwrap();
            b.await.unwrap();
            waited
        });
        assert!(
            waited,
            "round {round}: job A never saw job B run: both were queued for one thread"
        );
    }
}
