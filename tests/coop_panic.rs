//! A panic out of a `block_on` future leaves nothing of the runtime behind
//! on the thread (issue 12, defect 4: the cooperative budget stayed spent,
//! so every spool resource used on that thread afterwards, e.g. under
//! another executor, returned `Pending` after 128 operations, forever).
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

/// Polls `rx.recv()` outside any runtime, `n` times, with a no-op waker.
fn recv_outside_runtime(n: usize) -> usize {
    let (tx, mut rx) = spool::sync::mpsc::unbounded_channel();
    for i in 0..n {
        tx.send(i).unwrap();
    }
    let waker = futures_task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut ready = 0;
    for _ in 0..n {
        if let Poll::Ready(Some(_)) = pin!(rx.recv()).poll(&mut cx) {
            ready += 1;
        }
    }
    ready
}

#[test]
fn budget_is_lifted_after_a_block_on_future_panics() {
    let rt = spool::Runtime::new().unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("boom") })
    }));
    assert!(caught.is_err());
    assert_eq!(recv_outside_runtime(1000), 1000, "budget left spent");
    // The runtime itself stays usable, and so does the context.
    assert_eq!(
        rt.block_on(async { spool::spawn(async { 3 }).await.unwrap() }),
        3
    );
    assert_eq!(recv_outside_runtime(1000), 1000);
}

#[test]
fn a_panic_leaves_no_current_runtime_behind() {
    let caught = std::panic::catch_unwind(|| spool::block_on(async { panic!("boom") }));
    assert!(caught.is_err());
    // No worker, no reactor: both say so.
    let spawn = std::panic::catch_unwind(|| drop(spool::spawn(async {})));
    let msg = spawn.unwrap_err();
    let msg = msg
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(msg.contains("no worker runs on this thread"), "{msg}");
    let sleep = std::panic::catch_unwind(|| {
        let waker = futures_task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let _ = pin!(spool::time::sleep(std::time::Duration::from_millis(1))).poll(&mut cx);
    });
    assert!(
        sleep.is_err(),
        "a timer outside a runtime must not find one"
    );
    // And a new runtime starts on this thread (no "nested runtime" panic).
    assert_eq!(spool::block_on(async { 5 }), 5);
}
