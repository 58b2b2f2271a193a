//! `spool::task::spawner()` implements the `futures` spawn traits.
use futures_task::{FutureObj, LocalFutureObj, LocalSpawn, Spawn};
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn libraries_can_spawn_through_the_futures_traits() {
    let hits = Rc::new(Cell::new(0));
    let spawner = spool::block_on({
        let hits = hits.clone();
        async move {
            let sp = spool::task::spawner();
            let h = hits.clone();
            sp.spawn_local_obj(LocalFutureObj::new(Box::new(
                async move { h.set(h.get() + 1) },
            )))
            .unwrap();
            sp.spawn_obj(FutureObj::new(Box::new(async {}))).unwrap();
            for _ in 0..3 {
                spool::task::yield_now().await;
            }
            sp
        }
    });
    assert_eq!(hits.get(), 1);
    // Outside its runtime the spawner reports shutdown instead of panicking.
    let err = spawner
        .spawn_obj(FutureObj::new(Box::new(async {})))
        .unwrap_err();
    assert!(err.is_shutdown());
}
