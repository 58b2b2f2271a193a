//! A JoinHandle sent to another thread is awaited there, and the slot is
//! still returned to the owner's arena.
mod util;
use std::time::Duration;

#[test]
fn handle_awaited_on_another_runtime_thread() {
    let _w = util::watchdog(Duration::from_secs(30), "cross-thread join");
    let rt = spool::Runtime::new().unwrap();
    let gate = util::Gate::new();
    let handle = rt.spawn({
        let gate = gate.clone();
        async move {
            gate.wait().await;
            String::from("made on the owner")
        }
    });
    let (tx, rx) = std::sync::mpsc::channel();
    let joiner = std::thread::spawn(move || {
        let out = spool::block_on(handle); // parks until the owner completes it
        tx.send(()).unwrap();
        out
    });
    rt.block_on(async {
        spool::task::yield_now().await; // the task registers with the gate
        gate.open();
        spool::task::yield_now().await; // ...and completes
    });
    let out = joiner.join().unwrap().unwrap();
    rx.recv().unwrap();
    assert_eq!(out, "made on the owner");
    // The handle was dropped on the joiner thread: the owner frees the slot
    // at its next tick, and the next spawn of that class reuses it.
    rt.block_on(async {
        spool::task::yield_now().await;
        let g = util::Gate::new();
        g.open();
        spool::spawn(async move {
            g.wait().await;
            String::new()
        })
        .await
        .unwrap();
    });
    let m = rt.metrics();
    assert_eq!(m.slots_reused, 1, "{m:?}");
    assert!(m.wakes_remote >= 1);
}

#[test]
fn handle_dropped_on_another_thread_before_completion() {
    let rt = spool::Runtime::new().unwrap();
    let gate = util::Gate::new();
    let counters = util::Counters::default();
    let h = rt.spawn(util::PollDrop::new(&counters, {
        let gate = gate.clone();
        async move { gate.wait().await }
    }));
    std::thread::spawn(move || drop(h)).join().unwrap();
    rt.block_on(async {
        spool::task::yield_now().await;
        gate.open();
        spool::task::yield_now().await;
        spool::task::yield_now().await;
    });
    assert_eq!(counters.drops(), 1);
    assert_eq!(rt.metrics().tasks_completed, 1);
}
