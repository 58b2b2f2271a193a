//! Model-checked tests of the runtime's cross-thread paths, run with
//! `RUSTFLAGS="--cfg spool_loom" cargo test --lib --release loom`.
//!
//! loom explores every interleaving (within its bounds) of the atomic and
//! mutex operations of `Shared` (remote queue, injection queue, parking
//! handshake), and fails if an assertion breaks in any of them: a lost
//! wake-up, a task queued twice, an injected task lost or run twice. The
//! task mechanism's own models (state word, wakers, join/abort protocol,
//! through a test scheduler and no reactor) are in
//! `task/raw/loom_tests.rs`.

use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;

use super::shared::{Remote, RemoteBatch, Shared};
use crate::reactor::Reactor;
use crate::task::raw::loom_tests::TestSlot;
use crate::task::raw::state::{PollPending, Wake};
use crate::task::raw::TaskRef;
use crate::task::remote::WorkerJob;

fn new_shared() -> Arc<Shared> {
    let reactor = Reactor::new().expect("reactor");
    Arc::new(Shared::new(0, reactor.unparker()))
}

/// A remote wake racing with the owner going to sleep is never lost: either
/// the owner sees the queued task before parking, or the waker sees that
/// the owner is parked and unparks it.
#[test]
fn loom_remote_wake_vs_park() {
    loom::model(|| {
        let shared = new_shared();
        let slot = Arc::new(TestSlot::new(&shared));
        let generation = slot.header().state.occupy(false);
        let _ = slot.header().state.start_poll();
        assert_eq!(slot.header().state.end_poll_pending(), PollPending::Idle);

        let waker = {
            let (shared, slot) = (shared.clone(), slot.clone());
            thread::spawn(move || {
                if slot.header().state.wake(generation) == Wake::Push {
                    // SAFETY: the test keeps the slot alive until the end.
                    let task = unsafe { TaskRef::from_raw(slot.0) };
                    assert!(shared.push_remote(Remote::Wake(task)));
                }
            })
        };

        let mut batch = RemoteBatch::default();
        shared.take_remote(&mut batch);
        let seen_early = !batch.remote.is_empty();
        let parks = !seen_early && shared.prepare_park();
        waker.join().unwrap();
        if parks {
            assert!(shared.unparks() >= 1, "owner parked and nobody unparked it");
            shared.after_park();
        }
        shared.take_remote(&mut batch);
        assert_eq!(
            batch.remote.len(),
            1,
            "the task must be queued exactly once"
        );
    });
}

struct CountPlace(Arc<AtomicUsize>);

impl WorkerJob for CountPlace {
    fn run(&self, _core: &super::executor::Core) {
        unreachable!("the test drains without placing")
    }
    fn cancel(&self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Tasks injected from two threads while the owner drains are each handed
/// over exactly once, and a closed worker refuses (returns) late ones.
#[test]
fn loom_injection_queue_hands_over_each_task_once() {
    loom::model(|| {
        let shared = new_shared();
        let refused = Arc::new(AtomicUsize::new(0));
        let injectors: Vec<_> = (0..2)
            .map(|_| {
                let (shared, refused) = (shared.clone(), refused.clone());
                thread::spawn(move || {
                    let task: Arc<dyn WorkerJob> = Arc::new(CountPlace(refused.clone()));
                    if let Err(task) = shared.push_job(task) {
                        task.cancel();
                    }
                })
            })
            .collect();
        let mut batch = RemoteBatch::default();
        shared.take_remote(&mut batch);
        let early = batch.jobs.len();
        batch.jobs.clear();
        let late = shared.close().jobs.len();
        for t in injectors {
            t.join().unwrap();
        }
        assert_eq!(early + late + refused.load(SeqCst), 2);
    });
}

/// A task in a worker's hand-off slot is taken exactly once: by the
/// worker itself (its next task) or by an idle worker taking it over, never
/// by both, and the slot is empty afterwards.
#[test]
fn loom_handoff_is_taken_once() {
    loom::model(|| {
        let victim = new_shared();
        let slot = Arc::new(TestSlot::new(&victim));
        let _ = slot.header().state.occupy(true);
        // SAFETY: the test keeps the slot alive until the end.
        let task = unsafe { TaskRef::from_raw(slot.0) };
        assert!(victim.offer(task).is_ok());

        // Taking it makes it RUNNING, as a worker's `run_task` does.
        let run = |task: TaskRef<Shared>| {
            let _ = task.state().start_poll();
            1
        };
        let thief = {
            let victim = victim.clone();
            thread::spawn(move || victim.take_handoff().map(run).unwrap_or(0))
        };
        let mine = victim.take_handoff().map(run).unwrap_or(0);
        let theirs = thief.join().unwrap();
        assert_eq!(mine + theirs, 1, "taken by exactly one worker");
        assert!(victim.peek_handoff().is_null());
        assert!(slot.header().state.load().is_running());
    });
}
