//! `abort` drops the future at its next scheduling point, exactly once.
mod util;

#[test]
fn abort_drops_a_pending_task_once() {
    let counters = util::Counters::default();
    spool::block_on(async {
        let h = spool::spawn(util::PollDrop::new(&counters, std::future::pending::<()>()));
        spool::task::yield_now().await; // let it be polled once
        assert_eq!(counters.polls(), 1);
        h.abort();
        h.abort(); // twice is harmless
        let err = h.await.unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.to_string(), "task was cancelled");
    });
    assert_eq!(counters.drops(), 1);
    assert_eq!(counters.polls(), 1, "an aborted task is not polled again");
}

#[test]
fn abort_before_first_poll() {
    let counters = util::Counters::default();
    spool::block_on(async {
        let h = spool::spawn(util::PollDrop::new(&counters, async { 1 }));
        h.abort();
        assert!(h.await.unwrap_err().is_cancelled());
    });
    assert_eq!(counters.polls(), 0);
    assert_eq!(counters.drops(), 1);
}

#[test]
fn abort_after_completion_keeps_the_output() {
    spool::block_on(async {
        let h = spool::spawn(async { 9 });
        spool::task::yield_now().await;
        assert!(h.is_finished());
        h.abort();
        assert_eq!(h.await.unwrap(), 9);
    });
}

#[test]
fn abort_handle_from_another_thread() {
    let counters = util::Counters::default();
    let _w = util::watchdog(std::time::Duration::from_secs(30), "remote abort");
    spool::block_on(async {
        let h = spool::spawn(util::PollDrop::new(&counters, std::future::pending::<()>()));
        let ah = h.abort_handle();
        assert!(!ah.is_finished());
        std::thread::spawn(move || ah.abort()).join().unwrap();
        assert!(h.await.unwrap_err().is_cancelled());
    });
    assert_eq!(counters.drops(), 1);
}

#[test]
fn task_aborting_itself_stops_at_next_yield() {
    use std::cell::Cell;
    use std::rc::Rc;
    let reached = Rc::new(Cell::new(0));
    spool::block_on({
        let reached = reached.clone();
        async move {
            let (tx, rx) = std::sync::mpsc::channel::<spool::task::AbortHandle>();
            let h = spool::spawn(async move {
                let me = rx.recv().unwrap();
                me.abort();
                reached.set(1);
                spool::task::yield_now().await;
                reached.set(2);
            });
            tx.send(h.abort_handle()).unwrap();
            assert!(h.await.unwrap_err().is_cancelled());
        }
    });
    assert_eq!(reached.get(), 1);
}

#[test]
fn abort_during_the_tasks_own_poll_is_not_lost() {
    // The task aborts itself and then waits on something that never wakes
    // it: the abort alone must get it cancelled.
    let counters = util::Counters::default();
    let _w = util::watchdog(std::time::Duration::from_secs(30), "abort while running");
    spool::block_on(async {
        let (tx, rx) = std::sync::mpsc::channel::<spool::task::AbortHandle>();
        let h = spool::spawn(util::PollDrop::new(&counters, async move {
            rx.recv().unwrap().abort();
            std::future::pending::<()>().await
        }));
        tx.send(h.abort_handle()).unwrap();
        assert!(h.await.unwrap_err().is_cancelled());
    });
    assert_eq!(counters.drops(), 1);
    assert_eq!(counters.polls(), 1);
}
