//! Model-checked tests of the task mechanism through its seam, run with
//! `RUSTFLAGS="--cfg spool_loom" cargo test --lib --release loom`.
//!
//! The scheduler here is [`TestScheduler`]: a run queue and a list of
//! slots to free behind loom mutexes, implementing [`Schedule`]. No
//! reactor, no worker, no runtime: the models drive the state word, the
//! real wakers, `RawJoin`, `SlotHandle` and the owner's steps of `TaskRef`
//! (`poll`, `cancel`, `complete`, `vacate`) on slots of a real [`Arena`],
//! and loom explores every interleaving (within its bounds). The models of
//! the runtime's own cross-thread paths (remote queue, parking, injection)
//! are in `runtime/loom_tests.rs`.

use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::Mutex;
use loom::thread;

use super::arena::Arena;
use super::join::RawJoin;
use super::state::{Completed, Detach, LastRef, PollPending, StartPoll, Wake as WakeOutcome};
use super::{class_of, occupy, spawn_in_place, waker, Header, Schedule, TaskRef};

/// The seam's test side: what the mechanism hands to its scheduler,
/// recorded for the model's "owner" (the main thread) to act on.
struct TestScheduler {
    /// Tasks scheduled by a wake or an abort (the run queue).
    queue: Mutex<Vec<TaskRef<TestScheduler>>>,
    /// Completed slots whose last handle went (to be freed by the owner).
    released: Mutex<Vec<TaskRef<TestScheduler>>>,
}

impl TestScheduler {
    fn new() -> TestScheduler {
        TestScheduler {
            queue: Mutex::new(Vec::new()),
            released: Mutex::new(Vec::new()),
        }
    }
}

impl Schedule for TestScheduler {
    fn schedule(&self, task: TaskRef<TestScheduler>) {
        self.queue.lock().unwrap().push(task);
    }

    fn release(self: Arc<Self>, task: TaskRef<TestScheduler>) {
        self.released.lock().unwrap().push(task);
    }
}

/// A lone slot header on the heap, owned by the test (for the models of
/// the state word alone; `runtime/loom_tests.rs` uses it too, with its
/// header pointing at a real `Shared`).
pub(crate) struct TestSlot(pub(crate) NonNull<Header>);

// SAFETY: the header is only touched through its atomic state by the
// threads of one model run, and freed after they are joined.
unsafe impl Send for TestSlot {}
// SAFETY: as above.
unsafe impl Sync for TestSlot {}

impl TestSlot {
    pub(crate) fn new<S>(scheduler: &Arc<S>) -> TestSlot {
        let raw = Box::into_raw(Box::new(MaybeUninit::<Header>::uninit())).cast::<Header>();
        let ptr = NonNull::new(raw).unwrap();
        // SAFETY: fresh, aligned, unshared memory for a Header.
        unsafe { Header::init_free(ptr, Arc::as_ptr(scheduler).cast()) };
        TestSlot(ptr)
    }
    pub(crate) fn header(&self) -> &Header {
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

/// A wake during the task's own poll is turned into exactly one requeue,
/// whichever side of `end_poll_pending` it lands on.
#[test]
fn loom_wake_while_running_is_queued_once() {
    loom::model(|| {
        let scheduler = Arc::new(TestScheduler::new());
        let slot = Arc::new(TestSlot::new(&scheduler));
        let generation = slot.header().state.occupy(false);
        let _ = slot.header().state.start_poll();
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.header().state.wake(generation) == WakeOutcome::Push)
        };
        let requeue = slot.header().state.end_poll_pending() == PollPending::Requeue;
        let pushed = waker.join().unwrap();
        assert!(requeue ^ pushed, "requeue={requeue} pushed={pushed}");
        assert!(slot.header().state.load().is_scheduled());
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
    ready: AtomicBool,
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
    check_bounded(|| {
        let scheduler = Arc::new(TestScheduler::new());
        let slot = Arc::new(TestSlot::new(&scheduler));
        let output = Arc::new(Cell(loom::cell::UnsafeCell::new(0u32)));
        let join_cell = Arc::new(Cell(loom::cell::UnsafeCell::new(false)));
        let seen = Arc::new(JoinModel::default());
        let generation = slot.header().state.occupy(false);
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
                if state.abort() == WakeOutcome::Push {
                    seen.pushes.fetch_add(1, SeqCst);
                }
                seen.ready.store(true, SeqCst);
                if state.wake(generation) == WakeOutcome::Push {
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

/// Something a task waits for, as a timer or a socket would be: the future
/// of [`Event::wait`] finishes with 42 once the event happened, and
/// otherwise leaves a clone of its waker here; [`Event::happen`] marks it
/// and wakes that waker.
#[derive(Clone)]
struct Event {
    ready: Arc<AtomicBool>,
    waker: Arc<Mutex<Option<Waker>>>,
}

impl Event {
    fn new() -> Event {
        Event {
            ready: Arc::new(AtomicBool::new(false)),
            waker: Arc::new(Mutex::new(None)),
        }
    }

    fn wait(&self) -> WaitReady {
        WaitReady(self.clone())
    }

    fn happen(&self) {
        self.ready.store(true, SeqCst);
        let waker = self.waker.lock().unwrap().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The future of [`Event::wait`].
struct WaitReady(Event);

impl Future for WaitReady {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        if self.0.ready.load(SeqCst) {
            Poll::Ready(42)
        } else {
            Poll::Pending
        }
    }
}

/// Runs a model with loom's preemption bound at 2 (the larger models take
/// too long unbounded).
fn check_bounded(model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(model);
}

/// The waker of the task awaiting the `JoinHandle`: counts its wakes.
#[derive(Default)]
struct Joiner(AtomicUsize);

impl Wake for Joiner {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// The owner's side of the model: the arena, and the run loop's steps as
/// `runtime/executor.rs` takes them, against the test scheduler.
struct Owner {
    scheduler: Arc<TestScheduler>,
    arena: Arena,
    /// The size class of the model's one task.
    class: u8,
    /// Slots freed (vacated and back in the arena).
    freed: usize,
    /// The task was completed (its future finished or was cancelled).
    completed: bool,
    /// The future was cancelled rather than finishing.
    cancelled: bool,
}

impl Owner {
    fn new() -> Owner {
        let scheduler = Arc::new(TestScheduler::new());
        let arena = Arena::new(Arc::as_ptr(&scheduler));
        Owner {
            scheduler,
            arena,
            class: 0,
            freed: 0,
            completed: false,
            cancelled: false,
        }
    }

    /// Spawns `future` as the executor does: a slot, `occupy`, a queue
    /// entry and a `JoinHandle`.
    fn spawn<F: Future + 'static>(&mut self, mut future: F) -> RawJoin<F::Output, TestScheduler> {
        let class = class_of::<F>();
        let slot = self.arena.alloc(class);
        self.class = class;
        spawn_in_place!(future, |future| {
            // SAFETY: a free slot of our arena sized for `F`; we own it.
            unsafe { occupy::<_, super::Pinned>(slot.ptr, 0, future) }
        });
        // SAFETY: a run queue entry (state SCHEDULED, see `state.rs`).
        let queued = unsafe { TaskRef::from_raw(slot.ptr) };
        self.scheduler.schedule(queued);
        // SAFETY: the handle holds a count on the scheduler.
        let handle = unsafe { TaskRef::from_raw(slot.ptr) };
        RawJoin::new(handle, self.scheduler.clone())
    }

    /// Takes one queued task and runs it (`Core::run_task`); false if the
    /// queue was empty.
    fn run_one(&mut self) -> bool {
        let next = self.scheduler.queue.lock().unwrap().pop();
        let Some(task) = next else { return false };
        match task.state().start_poll() {
            StartPoll::Cancel => {
                // SAFETY: our slot, taken off our queue, now RUNNING.
                unsafe { task.cancel() };
                self.cancelled = true;
                self.complete(task);
            }
            StartPoll::Poll { generation } => {
                // SAFETY: our slot; the scheduler outlives the poll.
                let waker = unsafe { waker::borrowed(&task, generation) };
                let mut cx = Context::from_waker(&waker);
                // SAFETY: our slot, taken off our queue, now RUNNING.
                match unsafe { task.poll(&mut cx) } {
                    Poll::Ready(()) => self.complete(task),
                    Poll::Pending => {
                        if task.state().end_poll_pending() == PollPending::Requeue {
                            self.scheduler.schedule(task);
                        }
                    }
                }
            }
        }
        true
    }

    fn complete(&mut self, task: TaskRef<TestScheduler>) {
        self.completed = true;
        // SAFETY: our slot, right after its poll returned Ready or its
        // future was cancelled.
        if unsafe { task.complete() } {
            self.free(task);
        }
    }

    /// Frees the slots whose last handle went elsewhere.
    fn take_released(&mut self) {
        let released = std::mem::take(&mut *self.scheduler.released.lock().unwrap());
        for task in released {
            self.free(task);
        }
    }

    fn free(&mut self, task: TaskRef<TestScheduler>) {
        // SAFETY: our slot, complete, with no handle left.
        unsafe { task.vacate() };
        // SAFETY: a slot of `class` of our arena (the model's one task),
        // vacated; `task` is its last reference.
        unsafe { self.arena.free(self.class, task.as_ptr()) };
        self.freed += 1;
    }
}

/// The real join/abort/wake path through the seam: the owner (this
/// thread) polls a task once, so that its future keeps a real waker; then
/// on one thread the `JoinHandle` polls until it gets the output, and on
/// another an `AbortHandle` aborts the task, the event the future waits for
/// happens and the future's waker is woken, and the `AbortHandle` goes.
/// In every interleaving the joiner is woken and gets the output (42, or a
/// cancelled error if the abort won), the future ran or was cancelled once,
/// and the slot is freed exactly once, after every handle is gone.
#[test]
fn loom_join_abort_wake_through_the_seam() {
    check_bounded(|| {
        let mut owner = Owner::new();
        let event = Event::new();
        let join = owner.spawn(event.wait());
        let abort = join.slot_handle();
        assert!(owner.run_one(), "the spawned task is queued");
        assert!(!owner.completed);

        let joiner = thread::spawn(move || {
            let mut join = join;
            let woken = Arc::new(Joiner::default());
            let waker = Waker::from(woken.clone());
            let mut cx = Context::from_waker(&waker);
            let mut seen = 0;
            loop {
                if let Poll::Ready(out) = Pin::new(&mut join).poll(&mut cx) {
                    return out.map_err(|e| e.is_cancelled());
                }
                // A registered joiner must be woken: wait for it.
                while woken.0.load(SeqCst) == seen {
                    thread::yield_now();
                }
                seen = woken.0.load(SeqCst);
            }
        });
        let other = {
            let event = event.clone();
            thread::spawn(move || {
                abort.abort();
                event.happen();
                drop(abort);
            })
        };

        while !owner.completed {
            if !owner.run_one() {
                thread::yield_now();
            }
        }
        let out = joiner.join().unwrap();
        other.join().unwrap();
        owner.take_released();
        match out {
            Ok(v) => assert!(v == 42 && !owner.cancelled, "{v} {}", owner.cancelled),
            Err(cancelled) => assert!(cancelled && owner.cancelled),
        }
        assert_eq!(owner.freed, 1, "slot freed exactly once");
        drop(event); // the future's last waker, if any, before the arena
        assert_eq!(
            Arc::strong_count(&owner.scheduler),
            1,
            "every waker and handle gave its count back"
        );
    });
}

/// A `JoinHandle` dropped while the task may still run, racing with a
/// wake from another thread: the task is detached or its output dropped by
/// the handle, never both; the slot is freed exactly once; the task runs
/// to completion (it was woken) and nothing is queued twice.
#[test]
fn loom_detach_races_completion_through_the_seam() {
    check_bounded(|| {
        let mut owner = Owner::new();
        let event = Event::new();
        let join = owner.spawn(event.wait());
        assert!(owner.run_one());

        let dropper = thread::spawn(move || drop(join));
        let waker = {
            let event = event.clone();
            thread::spawn(move || event.happen())
        };
        while !owner.completed {
            if !owner.run_one() {
                thread::yield_now();
            }
        }
        dropper.join().unwrap();
        waker.join().unwrap();
        owner.take_released();
        assert!(!owner.cancelled);
        assert_eq!(owner.freed, 1, "slot freed exactly once");
        assert!(
            owner.scheduler.queue.lock().unwrap().is_empty(),
            "queued twice"
        );
        drop(event);
        assert_eq!(Arc::strong_count(&owner.scheduler), 1);
    });
}
