//! Where a woken task runs on a multi-worker runtime (`runtime/executor.rs`,
//! "Hand-off"): a task spawned with `Handle::spawn` or `Runtime::spawn`,
//! woken on another worker's thread while that worker has nothing queued,
//! runs there; tasks of `spawn_on` and `spool::spawn` never move; a task
//! that completes away from its worker still frees its slot there; and a
//! runtime dropped while tasks move drops each future exactly once.

mod util;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use spool::sync::{oneshot, Mutex, Notify};
use spool::task::current_worker;
use util::{watchdog, Counters, PollDrop};

fn two_workers() -> spool::Runtime {
    spool::Builder::new().workers(2).build().unwrap()
}

/// Counts `n` arrivals from any task; `all_arrived` returns once all came.
struct Countdown {
    left: AtomicUsize,
    zero: Notify,
}

impl Countdown {
    fn new(n: usize) -> Arc<Countdown> {
        Arc::new(Countdown {
            left: AtomicUsize::new(n),
            zero: Notify::new(),
        })
    }

    fn arrive(&self) {
        if self.left.fetch_sub(1, SeqCst) == 1 {
            self.zero.notify_one();
        }
    }

    async fn all_arrived(&self) {
        self.zero.notified().await;
    }
}

/// Waits on `notify` as a registered waiter, having first sent its worker
/// on `started` (so a `notify_one` after `started` is a real wake, never a
/// stored permit); returns its worker after the wake.
async fn report_then_wait(started: oneshot::Sender<usize>, notify: Arc<Notify>) -> usize {
    let mut notified = std::pin::pin!(notify.notified());
    // The first poll queues us as a waiter.
    let woken = std::future::poll_fn(|cx| Poll::Ready(notified.as_mut().poll(cx).is_ready())).await;
    let _ = started.send(current_worker());
    if !woken {
        notified.await;
    }
    current_worker()
}

/// Spawns `report_then_wait` with `spawn` until it starts on worker 1, so
/// that worker 0 can wake it. Returns its handle.
async fn on_worker_one<S>(notify: &Arc<Notify>, spawn: S) -> spool::task::JoinHandle<usize>
where
    S: Fn(
        std::pin::Pin<Box<dyn std::future::Future<Output = usize> + Send>>,
    ) -> spool::task::JoinHandle<usize>,
{
    for _ in 0..64 {
        let (started_tx, started_rx) = oneshot::channel();
        let waiting = notify.clone();
        let task = spawn(Box::pin(report_then_wait(started_tx, waiting)));
        if started_rx.await.unwrap() == 1 {
            return task;
        }
        // Started on worker 0: wake it there and try again.
        notify.notify_one();
        task.await.unwrap();
    }
    panic!("64 spawns in a row landed on worker 0");
}

#[test]
fn a_movable_task_runs_on_the_worker_that_wakes_it() {
    let _w = watchdog(Duration::from_secs(60), "hand-off test");
    let rt = two_workers();
    let handle = rt.handle();
    let before = rt.metrics();
    let ran_on = rt.block_on(async {
        let notify = Arc::new(Notify::new());
        let task = on_worker_one(&notify, |f| handle.spawn(f)).await;
        // Woken by a task of worker 0 (the `block_on` future waits for it
        // and queues nothing): the task should run on worker 0.
        let waker = notify.clone();
        spool::spawn(async move { waker.notify_one() })
            .await
            .unwrap();
        task.await.unwrap()
    });
    let after = rt.metrics();
    assert!(
        after.handoffs > before.handoffs,
        "the woken task was not handed to worker 0: {after:?}"
    );
    // It runs on worker 0 unless worker 1, idle, took it back because
    // worker 0 was slow to get to it (a steal, counted).
    assert!(
        ran_on == 0 || after.steals > before.steals,
        "handed to worker 0 but ran on {ran_on}, with no steal"
    );
}

#[test]
fn tasks_of_spawn_on_and_spawn_stay_on_their_worker() {
    let _w = watchdog(Duration::from_secs(60), "pinned tasks test");
    let rt = two_workers();
    let handle = rt.handle();
    let before = rt.metrics();
    rt.block_on(async {
        let notify = Arc::new(Notify::new());
        // spawn_on(1): pinned to worker 1, woken from worker 0.
        let task = on_worker_one(&notify, |f| handle.spawn_on(1, f)).await;
        let waker = notify.clone();
        spool::spawn(async move { waker.notify_one() })
            .await
            .unwrap();
        assert_eq!(task.await.unwrap(), 1, "a spawn_on task moved");

        // spool::spawn on worker 1 (no Send needed), woken from worker 0.
        let (started_tx, started_rx) = oneshot::channel();
        let waiting = notify.clone();
        let task = spool::spawn_on(1, async move {
            spool::spawn(report_then_wait(started_tx, waiting))
                .await
                .unwrap()
        });
        assert_eq!(started_rx.await.unwrap(), 1);
        let waker = notify.clone();
        spool::spawn(async move { waker.notify_one() })
            .await
            .unwrap();
        assert_eq!(task.await.unwrap(), 1, "a spool::spawn task moved");
    });
    let after = rt.metrics();
    assert_eq!(after.handoffs, before.handoffs, "{after:?}");
}

/// 16 tasks pass one `Mutex` round (FIFO); with hand-off the lock stops
/// crossing workers at every turn. Every increment is counted.
#[test]
fn a_contended_mutex_on_two_workers_is_exact_and_handed_off() {
    const TASKS: u64 = 16;
    const INCREMENTS: u64 = 2_000;
    let _w = watchdog(Duration::from_secs(120), "contended mutex test");
    let rt = two_workers();
    let handle = rt.handle();
    let before = rt.metrics();
    let total = rt.block_on(async {
        let m = Arc::new(Mutex::new(0u64));
        let started = Countdown::new(TASKS as usize);
        // Held until every task has started: tasks of both workers queue.
        let first = m.lock().await;
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (m, started) = (m.clone(), started.clone());
                handle.spawn(async move {
                    started.arrive();
                    for i in 0..INCREMENTS {
                        let mut g = m.lock().await;
                        if i % 64 == 0 {
                            spool::task::yield_now().await;
                        }
                        *g += 1;
                    }
                })
            })
            .collect();
        started.all_arrived().await;
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        let total = *m.lock().await;
        total
    });
    assert_eq!(total, TASKS * INCREMENTS);
    let after = rt.metrics();
    assert!(after.handoffs > before.handoffs, "{after:?}");
    assert_eq!(after.tasks_spawned, after.tasks_completed, "{after:?}");
}

/// Detached tasks that finish on the other worker: their slots go back to
/// their own worker's arena (reused by the next round), and none is left.
#[test]
fn tasks_completing_elsewhere_free_their_slots_at_home() {
    const TASKS: usize = 16;
    const ROUNDS: usize = 20;
    let _w = watchdog(Duration::from_secs(120), "completion elsewhere test");
    let rt = two_workers();
    let handle = rt.handle();
    let mut allocated_after_first = 0;
    for round in 0..ROUNDS {
        rt.block_on(async {
            let m = Arc::new(Mutex::new(0u64));
            let started = Countdown::new(TASKS);
            let done = Countdown::new(TASKS);
            // Held until every task has started, so that tasks of both
            // workers wait in the lock's queue and the lock crosses.
            let first = m.lock().await;
            for _ in 0..TASKS {
                let (m, started, done) = (m.clone(), started.clone(), done.clone());
                // Detached: the task completes with no handle, so whoever
                // runs it last must send its slot home.
                drop(handle.spawn(async move {
                    started.arrive();
                    for _ in 0..200 {
                        // Held across a yield, so the others queue.
                        let mut g = m.lock().await;
                        spool::task::yield_now().await;
                        *g += 1;
                    }
                    done.arrive();
                }));
            }
            started.all_arrived().await;
            drop(first);
            done.all_arrived().await;
            assert_eq!(*m.lock().await, (TASKS * 200) as u64);
        });
        // The last releases travel through the remote queues: give them a
        // bounded number of turns.
        let mut left = usize::MAX;
        for _ in 0..1_000 {
            left = rt.dump().tasks.len();
            if left == 0 {
                break;
            }
            rt.block_on(async { spool::time::sleep(Duration::from_millis(1)).await });
        }
        assert_eq!(left, 0, "round {round}: tasks not freed:\n{}", rt.dump());
        let m = rt.metrics();
        assert_eq!(m.tasks_spawned, m.tasks_completed, "{m:?}");
        if round == 0 {
            allocated_after_first = m.slots_allocated;
        }
    }
    let m = rt.metrics();
    assert!(m.handoffs > 0, "{m:?}");
    // Freed slots are reused: a leak would add up to 16 per round.
    assert!(
        m.slots_allocated <= allocated_after_first + TASKS as u64,
        "slots not reused: {} after round 1, {} after {ROUNDS}",
        allocated_after_first,
        m.slots_allocated
    );
}

/// Pairs of tasks that ping-pong forever between workers; the runtime is
/// dropped while they move. Every future is dropped exactly once, and the
/// drop does not hang.
#[test]
fn dropping_the_runtime_while_tasks_move_drops_each_once() {
    const PAIRS: usize = 8;
    let _w = watchdog(Duration::from_secs(120), "drop while moving test");
    for workers in [2, 3] {
        let counters = Counters::default();
        let rounds = Arc::new(AtomicUsize::new(0));
        let rt = spool::Builder::new().workers(workers).build().unwrap();
        let handle = rt.handle();
        rt.block_on(async {
            let enough = Arc::new(Notify::new());
            for _ in 0..PAIRS {
                let (a_tx, mut a_rx) = spool::sync::mpsc::channel::<u32>(1);
                let (b_tx, mut b_rx) = spool::sync::mpsc::channel::<u32>(1);
                let (rounds, enough) = (rounds.clone(), enough.clone());
                drop(handle.spawn(PollDrop::new(&counters, async move {
                    a_tx.send(0).await.unwrap();
                    while let Some(n) = b_rx.recv().await {
                        if rounds.fetch_add(1, SeqCst) == 20_000 {
                            enough.notify_one();
                        }
                        if a_tx.send(n + 1).await.is_err() {
                            break;
                        }
                    }
                })));
                drop(handle.spawn(PollDrop::new(&counters, async move {
                    while let Some(n) = a_rx.recv().await {
                        if b_tx.send(n + 1).await.is_err() {
                            break;
                        }
                    }
                })));
            }
            enough.notified().await;
        });
        assert!(rounds.load(SeqCst) > 20_000);
        drop(rt);
        assert_eq!(counters.drops(), 2 * PAIRS, "workers({workers})");
    }
}
