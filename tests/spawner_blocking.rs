//! Issue 12, defect 12: `spawner().spawn` from a `spawn_blocking` thread
//! returned "Executor is shutdown" while the runtime was alive. A `Send`
//! future now reaches the spawner's worker through its injection queue; a
//! future that is not `Send` cannot, and the panic says why and what to use.
mod util;

use futures_task::{FutureObj, LocalFutureObj, LocalSpawn, Spawn};
use std::time::Duration;

#[test]
fn a_send_future_spawned_from_a_blocking_thread_runs_on_the_worker() {
    let _w = util::watchdog(Duration::from_secs(30), "spawner from spawn_blocking");
    for workers in [1, 2] {
        let rt = spool::Builder::new().workers(workers).build().unwrap();
        let got = rt.block_on(async {
            let spawner = spool::task::spawner();
            let (tx, rx) = spool::sync::oneshot::channel();
            let spawned = spool::spawn_blocking(move || {
                spawner.spawn_obj(FutureObj::new(Box::new(async move {
                    let _ = tx.send(spool::task::current_worker());
                })))
            })
            .await
            .unwrap();
            assert!(spawned.is_ok(), "{workers} worker(s): {spawned:?}");
            rx.await.unwrap()
        });
        // It ran on the worker the spawner was made on (worker 0: block_on).
        assert_eq!(got, 0, "{workers} worker(s)");
    }
}

#[test]
fn a_local_future_from_a_blocking_thread_panics_with_directions() {
    let rt = spool::Runtime::new().unwrap();
    let err = rt.block_on(async {
        let spawner = spool::task::spawner();
        spool::spawn_blocking(move || {
            let _ = spawner.spawn_local_obj(LocalFutureObj::new(Box::new(async {})));
        })
        .await
        .unwrap_err()
    });
    let payload = err.into_panic();
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or("?");
    assert!(msg.contains("not spool worker 0"), "{msg}");
    assert!(msg.contains("Handle::spawn"), "{msg}");
}
