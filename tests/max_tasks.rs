//! `Builder::max_tasks` caps the arena: `spawn` panics, `try_spawn` hands the
//! future back.
#[test]
fn try_spawn_returns_the_future_when_full() {
    let rt = spool::Builder::new().max_tasks(2).build().unwrap();
    rt.block_on(async {
        let a = spool::spawn(std::future::pending::<u8>());
        let b = spool::spawn(std::future::pending::<u8>());
        let err = spool::task::try_spawn(async { 42u8 }).unwrap_err();
        assert!(err.to_string().contains("arena is full"));
        let fut = err.into_future();
        assert_eq!(fut.await, 42, "the future came back intact");
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(spool::spawn(async {}));
        }));
        let msg = r.unwrap_err();
        let msg = msg
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or_default()
            .to_string()
            + msg
                .downcast_ref::<String>()
                .map(String::as_str)
                .unwrap_or_default();
        assert!(msg.contains("max_tasks"), "{msg}");
        // Freeing one slot makes room again.
        a.abort();
        assert!(a.await.unwrap_err().is_cancelled());
        let c = spool::task::try_spawn(async { 1u8 }).ok().unwrap();
        assert_eq!(c.await.unwrap(), 1);
        b.abort();
    });
}
