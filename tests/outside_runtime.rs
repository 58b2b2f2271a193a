//! Functions that need a runtime panic with a message naming the problem.
fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("should have panicked");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

#[test]
fn spawn_outside_a_runtime_panics_clearly() {
    let msg = panic_message(|| drop(spool::spawn(async {})));
    assert!(msg.contains("`spool::spawn`"), "{msg}");
    assert!(msg.contains("no worker runs on this thread"), "{msg}");
    // ...and names the way that works from any thread.
    assert!(msg.contains("Handle::spawn"), "{msg}");
}

#[test]
fn other_context_functions_panic_clearly() {
    let msg = panic_message(|| drop(spool::task::try_spawn(async {})));
    assert!(
        msg.contains("try_spawn") && msg.contains("no worker"),
        "{msg}"
    );
    let msg = panic_message(|| {
        let _ = spool::task::current_worker();
    });
    assert!(msg.contains("current_worker"), "{msg}");
    let msg = panic_message(|| drop(spool::task::metrics()));
    assert!(msg.contains("metrics"), "{msg}");
}

#[test]
fn nested_block_on_panics_clearly() {
    let msg = panic_message(|| {
        spool::block_on(async {
            spool::block_on(async {});
        })
    });
    assert!(msg.contains("nested block_on"), "{msg}");
    // The thread is usable again afterwards.
    assert_eq!(spool::block_on(async { 3 }), 3);
}
