//! Model-checked tests of the cross-thread paths, run with
//! `RUSTFLAGS="--cfg spool_loom" cargo test --lib --release loom`.
//!
//! loom explores every interleaving (within its bounds) of the atomic and
//! mutex operations of `Shared` (remote queue, injection queue, parking
//! handshake) and of the task state word, and fails if an assertion breaks
//! in any of them: a lost wake-up, a task queued twice, an injected task
//! lost or run twice.

use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;

use super::shared::{Remote, RemoteBatch, Shared};
use crate::reactor::Reactor;
use crate::task::raw::{Header, TaskRef};
use crate::task::remote::WorkerJob;
use crate::task::state::{Completed, Detach, LastRef, PollPending, StartPoll, Wake};

/// A slot header on the heap, owned by the test.
struct TestSlot(NonNull<Header>);

// SAFETY: the header is only touched through its atomic state by the
// threads of one model run, and freed after they are joined.
unsafe impl Send for TestSlot {}
// SAFETY: as above.
unsafe impl Sync for TestSlot {}

impl TestSlot {
    fn new(shared: &Arc<Shared>) -> TestSlot {
        let raw = Box::into_raw(Box::new(MaybeUninit::<Header>::uninit())).cast::<Header>();
        let ptr = NonNull::new(raw).unwrap();
        // SAFETY: fresh, aligned, unshared memory for a Header.
        unsafe { Header::init_free(ptr, Arc::as_ptr(shared)) };
        TestSlot(ptr)
    }
    fn header(&self) -> &Header {
        // SAFETY: alive until `drop`.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for TestSlot {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` as a `MaybeUninit<Header>`; the header
        // holds no value that needs dropping (no join waker was stored).
        drop(unsafe { Box::from_raw(self.0.as_ptr().cast::<MaybeUninit<Header>>()) });
    }
}

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
        let generation = slot.header().state.occupy();
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

/// A wake during the task's own poll is turned into exactly one requeue,
/// whichever side of `end_poll_pending` it lands on.
#[test]
fn loom_wake_while_running_is_queued_once() {
    loom::model(|| {
        let shared = new_shared();
        let slot = Arc::new(TestSlot::new(&shared));
        let generation = slot.header().state.occupy();
        let _ = slot.header().state.start_poll();
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.header().state.wake(generation) == Wake::Push)
        };
        let requeue = slot.header().state.end_poll_pending() == PollPending::Requeue;
        let pushed = waker.join().unwrap();
        assert!(requeue ^ pushed, "requeue={requeue} pushed={pushed}");
        assert!(slot.header().state.load().is_scheduled());
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

/// What the parties of the join/abort model saw, counted.
#[derive(Default)]
struct JoinModel {
    /// Entries pushed onto a run queue (by the waker or by `abort`).
    pushes: AtomicUsize,
    /// The output was taken or dropped.
    output_gone: AtomicUsize,
    /// The slot was released.
    released: AtomicUsize,
    /// The join waker was woken by the executor.
    joiner_woken: AtomicUsize,
    /// The JoinHandle handed its waker to the executor (and did not take it
    /// back): it must be woken.
    joiner_registered: AtomicUsize,
    /// The event the task waits for happened (set before the wake).
    ready: loom::sync::atomic::AtomicBool,
}

/// A cell that loom watches: two threads touching it at once fail the model.
struct Cell<T>(loom::cell::UnsafeCell<T>);

impl<T: Default> Cell<T> {
    fn set(&self, v: T) {
        // SAFETY: loom checks that no other thread touches the cell now;
        // that exclusivity is what the model tests.
        self.0.with_mut(|c| unsafe { *c = v });
    }
    fn take(&self) -> T {
        // SAFETY: as in `set`.
        self.0.with_mut(|c| unsafe { std::mem::take(&mut *c) })
    }
}

/// The join/abort protocol of `state.rs`, as `join.rs` and `executor.rs`
/// drive it: the task's worker (this thread), its `JoinHandle` on a thread,
/// and on another an `AbortHandle` that aborts, then the task's waker, then
/// the `AbortHandle` going away. In
/// every interleaving the output is taken or dropped exactly once, the slot
/// is released exactly once and only after every handle is gone, the
/// output and the join-waker cell are never touched by two threads at once
/// (loom checks the cells), a task is pushed at most once per idle spell,
/// and a registered joiner is woken exactly once.
#[test]
fn loom_join_abort_protocol() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let shared = new_shared();
        let slot = Arc::new(TestSlot::new(&shared));
        let output = Arc::new(Cell(loom::cell::UnsafeCell::new(0u32)));
        let join_cell = Arc::new(Cell(loom::cell::UnsafeCell::new(false)));
        let seen = Arc::new(JoinModel::default());
        let generation = slot.header().state.occupy();
        slot.header().state.add_handle(); // `JoinHandle::abort_handle`

        let join = {
            let (slot, output, join_cell, seen) = (
                slot.clone(),
                output.clone(),
                join_cell.clone(),
                seen.clone(),
            );
            thread::spawn(move || {
                let state = &slot.header().state;
                // One poll of the JoinHandle (`RawJoin::poll`).
                let now = state.load();
                let completed = if now.is_complete() {
                    Some(now)
                } else {
                    join_cell.set(true);
                    match state.set_join_waker() {
                        Ok(_) => {
                            seen.joiner_registered.fetch_add(1, SeqCst);
                            None // Pending
                        }
                        Err(now) => Some(now),
                    }
                };
                let took = if let Some(now) = completed {
                    // `RawJoin::take_output`.
                    if !now.has_join_waker() {
                        join_cell.take();
                    }
                    assert_eq!(output.take(), 42, "the output was there");
                    seen.output_gone.fetch_add(1, SeqCst);
                    true
                } else {
                    false
                };
                // `Drop for RawJoin`.
                if !took {
                    let mut now = state.load();
                    if now.has_join_waker() && !now.is_complete() {
                        now = match state.unset_join_waker() {
                            Ok(_) => {
                                seen.joiner_registered.fetch_sub(1, SeqCst);
                                state.load()
                            }
                            Err(now) => now,
                        };
                    }
                    if !now.has_join_waker() {
                        join_cell.take();
                    }
                    match state.detach() {
                        Detach::Detached => return,
                        Detach::Complete => {
                            assert_eq!(output.take(), 42);
                            seen.output_gone.fetch_add(1, SeqCst);
                        }
                    }
                }
                if state.drop_join_handle() == LastRef::Release {
                    seen.released.fetch_add(1, SeqCst);
                }
            })
        };
        // The AbortHandle's thread is also where the event happens and the
        // task's waker is woken (two threads instead of three keep the
        // model small enough to explore).
        let other = {
            let (slot, seen) = (slot.clone(), seen.clone());
            thread::spawn(move || {
                let state = &slot.header().state;
                if state.abort() == Wake::Push {
                    seen.pushes.fetch_add(1, SeqCst);
                }
                seen.ready.store(true, SeqCst);
                if state.wake(generation) == Wake::Push {
                    seen.pushes.fetch_add(1, SeqCst);
                }
                if state.drop_handle() == LastRef::Release {
                    seen.released.fetch_add(1, SeqCst);
                }
            })
        };

        // The worker: the task finishes once its event happened, or is
        // cancelled; until then a poll returns Pending and the task runs
        // again when requeued or pushed.
        let state = &slot.header().state;
        loop {
            if state.start_poll() == StartPoll::Cancel || seen.ready.load(SeqCst) {
                break;
            }
            if state.end_poll_pending() == PollPending::Idle {
                // The waker (or `abort`) pushes it: wait for that.
                while seen.pushes.load(SeqCst) == 0 {
                    thread::yield_now();
                }
            }
        }
        output.set(42);
        match state.complete() {
            Completed::Joinable { wake_joiner } => {
                if wake_joiner {
                    assert!(join_cell.take(), "JOIN_WAKER set with an empty cell");
                    seen.joiner_woken.fetch_add(1, SeqCst);
                }
            }
            Completed::Unjoined { release } => {
                assert_eq!(output.take(), 42);
                seen.output_gone.fetch_add(1, SeqCst);
                if release {
                    seen.released.fetch_add(1, SeqCst);
                }
            }
        }
        for t in [join, other] {
            t.join().unwrap();
        }
        assert_eq!(
            seen.output_gone.load(SeqCst),
            1,
            "output taken or dropped once"
        );
        assert_eq!(seen.released.load(SeqCst), 1, "slot released once");
        assert!(seen.pushes.load(SeqCst) <= 1, "pushed twice");
        assert_eq!(
            seen.joiner_woken.load(SeqCst),
            seen.joiner_registered.load(SeqCst),
            "a registered joiner is woken exactly once"
        );
        let end = state.load();
        assert!(end.is_complete() && end.handles() == 0, "{end:?}");
    });
}
