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
