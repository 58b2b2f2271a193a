//! JoinSet: results come out in completion order (not spawn order); abort
//! and drop cancel the tasks still running (their futures are dropped).

mod util;

use spool::sync::oneshot;
use spool::task::JoinSet;
use util::{Counters, PollDrop};

#[test]
fn results_in_completion_order() {
    let order = spool::block_on(async {
        let mut set = JoinSet::new();
        let mut senders = Vec::new();
        for id in 0..5u32 {
            let (tx, rx) = oneshot::channel::<()>();
            senders.push(tx);
            set.spawn(async move {
                rx.await.unwrap();
                id
            });
        }
        assert_eq!(set.len(), 5);
        let mut order = Vec::new();
        // Release the tasks in the order 3, 1, 4, 0, 2.
        let mut senders: Vec<Option<_>> = senders.into_iter().map(Some).collect();
        for &id in &[3usize, 1, 4, 0, 2] {
            senders[id].take().unwrap().send(()).unwrap();
            order.push(set.join_next().await.unwrap().unwrap());
        }
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none());
        order
    });
    assert_eq!(order, [3, 1, 4, 0, 2]);
}

#[test]
fn many_tasks_all_joined() {
    let sum = spool::block_on(async {
        let mut set = JoinSet::new();
        for i in 0..1000u64 {
            set.spawn(async move {
                for _ in 0..(i % 3) {
                    spool::task::yield_now().await;
                }
                i
            });
        }
        let mut sum = 0;
        while let Some(r) = set.join_next().await {
            sum += r.unwrap();
        }
        sum
    });
    assert_eq!(sum, 999 * 1000 / 2);
}

#[test]
fn dropping_the_set_aborts_the_rest() {
    let counters = Counters::default();
    let c = counters.clone();
    let (first, still_running_polls) = spool::block_on(async move {
        let mut set = JoinSet::new();
        set.spawn(async { 1u32 });
        for _ in 0..3 {
            set.spawn(PollDrop::new(&c, async {
                std::future::pending::<()>().await;
                2u32
            }));
        }
        let first = set.join_next().await.unwrap().unwrap();
        let polls = c.polls();
        drop(set);
        // Give the executor a turn to drop the aborted tasks.
        spool::task::yield_now().await;
        spool::task::yield_now().await;
        (first, polls)
    });
    assert_eq!(first, 1);
    assert_eq!(still_running_polls, 3, "each pending task was polled once");
    assert_eq!(counters.drops(), 3, "the set's drop aborted every task");
}

#[test]
fn abort_all_yields_cancelled_errors() {
    let (cancelled, done) = spool::block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..4 {
            set.spawn(std::future::pending::<()>());
        }
        spool::task::yield_now().await;
        set.abort_all();
        let mut cancelled = 0;
        while let Some(r) = set.join_next().await {
            if r.unwrap_err().is_cancelled() {
                cancelled += 1;
            }
        }
        (cancelled, set.is_empty())
    });
    assert_eq!((cancelled, done), (4, true));
}
