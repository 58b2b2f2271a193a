//! An `AbortHandle` kept after its task finished never reaches another
//! task, however many tasks reuse the slot afterwards (issue 12, defect 1:
//! the 16-bit slot generation used to wrap after 65,535 reuses, and the
//! old handle then cancelled the slot's new occupant).
mod util;

use std::time::Duration;

#[test]
fn stale_abort_handle_never_cancels_a_later_task() {
    let _w = util::watchdog(Duration::from_secs(60), "stale abort handle");
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let first = spool::spawn(async {});
        let stale = first.abort_handle();
        first.await.unwrap();
        assert!(stale.is_finished());
        // The free list is LIFO: without the fix each of these takes the
        // first task's slot, and after 65,534 of them the slot's generation
        // is back to the first task's.
        for _ in 0..65_534 {
            spool::spawn(async {}).await.unwrap();
        }
        let gate = util::Gate::new();
        let victim = spool::spawn(gate.wait());
        spool::task::yield_now().await; // the victim runs and waits
        assert!(!victim.is_finished());
        stale.abort();
        spool::task::yield_now().await;
        assert!(
            !victim.is_finished(),
            "a stale AbortHandle cancelled an unrelated task"
        );
        assert!(stale.is_finished(), "the old task is still finished");
        gate.open();
        victim.await.expect("the victim finishes normally");
    });
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<spool::task::AbortHandle>();
    send_sync::<spool::JoinHandle<u32>>();
}

#[test]
fn abort_handles_keep_their_slot_until_dropped() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let first = spool::spawn(async {});
        let handles: Vec<_> = (0..3).map(|_| first.abort_handle()).collect();
        first.await.unwrap();
        // While a handle lives, the slot is not reused: a new task gets a
        // new slot.
        spool::spawn(async {}).await.unwrap();
        let before = spool::task::metrics();
        drop(handles);
        spool::spawn(async {}).await.unwrap();
        let after = spool::task::metrics();
        assert_eq!(after.slots_allocated, before.slots_allocated, "{after:?}");
    });
    let m = rt.metrics();
    assert_eq!(m.slots_allocated, 2, "{m:?}");
}

#[test]
fn abort_handle_dropped_on_another_thread_frees_the_slot() {
    let _w = util::watchdog(Duration::from_secs(30), "remote abort handle drop");
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let h = spool::spawn(async { 1 });
        let ah = h.abort_handle();
        assert_eq!(h.await.unwrap(), 1);
        std::thread::spawn(move || drop(ah)).join().unwrap();
        // The release travels through the remote queue; the next spawns
        // reuse the slot once the worker took it.
        spool::task::yield_now().await;
        for _ in 0..10 {
            spool::spawn(async {}).await.unwrap();
        }
    });
    assert_eq!(rt.metrics().slots_allocated, 1, "{:?}", rt.metrics());
}
