//! A panic inside a task is caught and reported through its JoinHandle;
//! the runtime and the other tasks go on.
#[test]
fn panic_surfaces_as_join_error() {
    let rt = spool::Runtime::new().unwrap();
    let (err, other) = rt.block_on(async {
        let other = spool::spawn(async {
            spool::task::yield_now().await;
            "still running"
        });
        let bad = spool::spawn(async {
            spool::task::yield_now().await;
            panic!("boom in a task");
        });
        let err = bad.await.unwrap_err();
        (err, other.await.unwrap())
    });
    assert!(err.is_panic());
    assert!(!err.is_cancelled());
    assert!(err.to_string().contains("boom in a task"), "{err}");
    let payload = err.into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in a task"));
    assert_eq!(other, "still running");
    // The runtime is still usable.
    assert_eq!(
        rt.block_on(async { spool::spawn(async { 5 }).await.unwrap() }),
        5
    );
}

#[test]
fn panic_on_first_poll_and_in_detached_task() {
    spool::block_on(async {
        drop(spool::spawn(async { panic!("detached panic") }));
        let e = spool::spawn(async { panic!("{}", String::from("owned message")) })
            .await
            .unwrap_err();
        assert!(e.to_string().contains("owned message"));
        // A detached panicking task does not disturb later ones.
        assert_eq!(spool::spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
fn panic_in_block_on_future_propagates_and_runtime_survives() {
    let rt = spool::Runtime::new().unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main future panics") })
    }));
    assert!(r.is_err());
    assert_eq!(
        rt.block_on(async { spool::spawn(async { 2 }).await.unwrap() }),
        2
    );
}
