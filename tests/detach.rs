//! Dropping a JoinHandle detaches the task: it keeps running to the end.
mod util;
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn detached_task_runs_to_completion() {
    let done = Rc::new(Cell::new(false));
    let counters = util::Counters::default();
    let rt = spool::Runtime::new().unwrap();
    rt.block_on({
        let done = done.clone();
        let counters = counters.clone();
        async move {
            let gate = util::Gate::new();
            let h = spool::spawn(util::PollDrop::new(&counters, {
                let gate = gate.clone();
                async move {
                    gate.wait().await;
                    done.set(true);
                    String::from("output nobody joins")
                }
            }));
            drop(h);
            spool::task::yield_now().await;
            gate.open();
            for _ in 0..3 {
                spool::task::yield_now().await;
            }
        }
    });
    assert!(done.get());
    assert_eq!(counters.drops(), 1);
    let m = rt.metrics();
    assert_eq!(m.tasks_completed, 1);
    // The slot went back to the arena: the next spawn of that size reuses it.
    rt.block_on(async {
        let gate = util::Gate::new();
        gate.open();
        let counters = util::Counters::default();
        spool::spawn(util::PollDrop::new(&counters, async move {
            gate.wait().await;
            String::new()
        }))
        .await
        .unwrap();
    });
    assert_eq!(rt.metrics().slots_reused, 1);
}

#[test]
fn handle_dropped_after_completion_frees_the_slot() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let h = spool::spawn(async { vec![1, 2, 3] });
        spool::task::yield_now().await;
        assert!(h.is_finished());
        drop(h); // output dropped, slot released here
        spool::spawn(async { vec![4] }).await.unwrap();
    });
    assert_eq!(rt.metrics().slots_reused, 1);
}
