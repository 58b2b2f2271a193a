//! Dropping the Runtime drops every unfinished future exactly once and every
//! output nobody will join.
mod util;

#[test]
fn shutdown_runs_every_destructor_once() {
    let pending = util::Counters::default();
    let never_polled = util::Counters::default();
    let finished = util::Counters::default();
    let rt = spool::Runtime::new().unwrap();
    let handles = rt.block_on(async {
        let mut hs = Vec::new();
        for _ in 0..100 {
            hs.push(spool::spawn(util::PollDrop::new(
                &pending,
                std::future::pending::<()>(),
            )));
        }
        spool::task::yield_now().await;
        for _ in 0..50 {
            // detached, queued but never polled
            drop(spool::spawn(util::PollDrop::new(&never_polled, async {})));
        }
        // finished with a handle kept by the caller
        let f = spool::spawn(util::PollDrop::new(&finished, async { 1 }));
        (hs, f)
    });
    assert_eq!(pending.polls(), 100);
    assert_eq!(pending.drops(), 0);
    drop(rt);
    assert_eq!(pending.drops(), 100);
    assert_eq!(never_polled.drops(), 50);
    assert_eq!(never_polled.polls(), 0);
    // Handles outlive the runtime: unfinished tasks read as cancelled.
    let (hs, f) = handles;
    spool::block_on(async move {
        for h in hs {
            assert!(h.await.unwrap_err().is_cancelled());
        }
        // `f` was queued but not yet run when the runtime went away.
        assert!(f.await.unwrap_err().is_cancelled());
    });
    assert_eq!(finished.drops(), 1);
}

#[test]
fn outputs_of_detached_finished_tasks_are_dropped() {
    let out = util::Counters::default();
    struct Out(util::Counters);
    impl Drop for Out {
        fn drop(&mut self) {
            self.0
                .drops
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let rt = spool::Runtime::new().unwrap();
    let kept = rt.block_on({
        let out = out.clone();
        async move {
            let a = spool::spawn({
                let out = out.clone();
                async move { Out(out) }
            });
            let b = spool::spawn(async move { Out(out) });
            spool::task::yield_now().await;
            drop(a); // output dropped now
            (b,) // finished, handle kept past shutdown
        }
    });
    assert_eq!(out.drops(), 1);
    drop(rt);
    assert_eq!(
        out.drops(),
        1,
        "shutdown must leave a joined-later output alone"
    );
    let v = spool::block_on(kept.0).unwrap();
    drop(v);
    assert_eq!(out.drops(), 2);
}

#[test]
fn destructor_that_spawns_during_shutdown() {
    struct SpawnOnDrop(util::Counters);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let c = self.0.clone();
            drop(spool::spawn(util::PollDrop::new(
                &c,
                std::future::pending::<()>(),
            )));
        }
    }
    let late = util::Counters::default();
    let rt = spool::Runtime::new().unwrap();
    rt.block_on({
        let late = late.clone();
        async move {
            let guard = SpawnOnDrop(late);
            drop(spool::spawn(async move {
                let _g = guard;
                std::future::pending::<()>().await
            }));
            spool::task::yield_now().await;
        }
    });
    drop(rt);
    assert_eq!(
        late.drops(),
        1,
        "a task spawned during shutdown is dropped too"
    );
}
