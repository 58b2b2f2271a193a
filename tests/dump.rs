//! `Runtime::dump` lists live tasks with their names and states.
mod util;

#[test]
fn dump_lists_a_named_task_blocked_on_a_gate() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let gate = util::Gate::new();
    let keep = rt.block_on({
        let gate = gate.clone();
        async move {
            let waiting = spool::task::Builder::new()
                .name("waits-for-gate")
                .spawn(async move { gate.wait().await })
                .unwrap();
            let remote = spool::spawn_on(1, std::future::pending::<()>());
            while spool::task::metrics().polls < 2 {
                spool::task::yield_now().await;
            }
            (waiting, remote)
        }
    });
    let dump = rt.dump();
    let named: Vec<_> = dump
        .tasks
        .iter()
        .filter(|t| t.name.as_deref() == Some("waits-for-gate"))
        .collect();
    assert_eq!(named.len(), 1, "{dump}");
    assert_eq!(named[0].state, spool::runtime::TaskState::Idle);
    assert_eq!(named[0].worker, 0);
    assert_eq!(named[0].polls, 1);
    assert!(
        dump.tasks.iter().any(|t| t.worker == 1),
        "worker 1 answered: {dump}"
    );
    let text = dump.to_string();
    assert!(
        text.contains("waits-for-gate") && text.contains("idle"),
        "{text}"
    );
    gate.open();
    drop(keep);
}

/// A name goes with its task: once a named task is gone, the task that
/// takes its key (the next spawn) is listed without a name, and a new name
/// given to it shows instead.
#[test]
fn a_finished_tasks_name_does_not_stick_to_the_next_task() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let first = spool::task::Builder::new()
            .name("first")
            .spawn(async {})
            .unwrap();
        first.await.unwrap();
        let _unnamed = spool::spawn(std::future::pending::<()>());
        let _second = spool::task::Builder::new()
            .name("second")
            .spawn(std::future::pending::<()>())
            .unwrap();
        spool::task::yield_now().await;
    });
    let dump = rt.dump();
    let names: Vec<_> = dump.tasks.iter().map(|t| t.name.as_deref()).collect();
    assert_eq!(dump.tasks.len(), 2, "{dump}");
    assert!(names.contains(&None), "{dump}");
    assert!(names.contains(&Some("second")), "{dump}");
    assert!(!names.contains(&Some("first")), "{dump}");
}
