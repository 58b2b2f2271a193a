//! The executor: one worker's run queue, task table and run loop.
//!
//! This is the file to read first. A `Core` is one worker: it owns the task
//! arena, the slab of live tasks, the FIFO run queue and the reactor, and it
//! never leaves its thread.
//!
//! ```text
//!   spool::spawn(fut)                                   (Core::spawn)
//!        │  arena slot + slab key, state = SCHEDULED
//!        ▼
//!   ┌──────────────┐  pop    ┌────────────┐  Ready   ┌──────────────┐
//!   │  run queue   │───────▶ │ poll task  │────────▶ │  COMPLETE:   │
//!   │(FIFO TaskRef)│         │ (run_task) │          │ output kept  │
//!   └──────────────┘         └────────────┘          │ for the      │
//!        ▲    ▲                     │ Pending        │ JoinHandle   │
//!        │    │ remote queue        ▼                └──────────────┘
//!        │    └── (wake from   task waits; its Waker      │ last handle
//!        │        another      is stored by a timer,      ▼ gone
//!        │        thread)      socket, channel...    slot back to the
//!        │                          │ wake             arena free list
//!        └──────────────────────────┘  (Core::push_local) (Core::release)
//! ```
//!
//! # The tick
//!
//! `block_on` repeats: poll the `block_on` future if it was woken; run a
//! batch of at most [`BATCH`] queued tasks; take remote wakes; then either
//! poll the reactor without blocking (tasks remain: once per tick, so at
//! most [`BATCH`] task polls pass between two looks at I/O and timers; with
//! no socket registered the look makes no syscall) or park in it until an
//! I/O event, a timer or a remote wake (nothing to do). On a runtime with
//! several workers, a worker with nothing to do first yields its thread a
//! few times, looking for a remote wake in between (`Shared::yield_for_work`):
//! work handed over by another worker a moment later is then taken without
//! a park and an unpark. The reactor module documents its half of the tick.
//!
//! # Hand-off: where a woken task runs
//!
//! A task spawned with `spool::spawn` (its future need not be `Send`),
//! `spawn_on` or `Handle::spawn_on` always runs on its own worker. A task
//! spawned with `Runtime::spawn` or `Handle::spawn` is *movable* (its future
//! and output are `Send`; `MOVABLE` in its state word): when it is woken on
//! the thread of another worker of the same runtime, and that worker has
//! nothing else queued, it goes into that worker's one-task *hand-off slot*
//! (`Core::offer`) and runs there next, instead of crossing to its own
//! worker through the remote queue (a lock, maybe an eventfd write and a
//! wake-up of a parked thread). The waking task is usually about to wait
//! (it passed a `Mutex` on, sent a message and awaits the answer), so the
//! woken one runs on a warm CPU at once, and a lock passed round a group of
//! tasks stays on one worker instead of crossing at every turn of its FIFO
//! queue (tokio's LIFO slot plays this part).
//!
//! ```text
//!   worker A (running a1)                     worker B (idle: yields, parks)
//!   a1 unlocks: b1 is next ──offer──▶ A's hand-off slot ◀─ steal, only if A
//!   a1 awaits the lock again                │          has been in one poll
//!   next_task: queue empty → b1 ◀───────────┘          since B last looked
//! ```
//!
//! - The slot is taken before the run queue would park the worker, after
//!   the run queue is empty (`next_task`), and at the end of every tick it
//!   moves to the run queue: a handed-off task waits at most one batch.
//! - An idle worker watching other workers' slots (`Core::steal`, during
//!   its yields before a park) takes the task only if the slot held the same
//!   task across two looks while that worker's poll count stood still: the
//!   waking poll is a long one, and the task would wait for it. A hand-off
//!   taken by its worker within a look is left alone.
//! - The task's own worker keeps its slot: only it frees the slot, so a
//!   task that completes elsewhere is sent back as a `Release` entry
//!   (`Core::complete_elsewhere`); its completion is counted as its own
//!   worker's (`Shared::completed_elsewhere`) so placement stays right.
//! - Worker 0 runs tasks only inside `block_on`: when `block_on` returns,
//!   the tasks of other workers queued there go back to their own workers
//!   (`Core::hand_back`), where they run at once.
//! - Shutdown: every worker thread leaves its loop before any sweeps its
//!   tasks (`RuntimeInner::wait_all_left`), so no task of a worker being
//!   swept runs elsewhere; a worker shutting down takes no hand-off.
//! - A poll that never returns keeps a handed-off task waiting unless an
//!   idle worker is yielding and takes it; a parked worker does not. CPU-
//!   heavy work belongs in `spawn_blocking` or should yield (`yield_now`).
//!
//! # Unsafe code here
//!
//! Calls only: the code that touches slot memory is in the task mechanism
//! (`task/raw/`). The `unsafe` blocks here call the steps that the
//! mechanism leaves to the owning worker (writing a new task into a slot,
//! `raw::occupy`; `TaskRef::vacate`; `Arena::free`) or to the task's runner
//! (`TaskRef::poll`, `cancel`, `complete`), make the `TaskRef`s of the run
//! queue and the task table, and read the scheduler of a task that came
//! from another worker; two more turn the worker's spare counts on its
//! `Shared` back into `Arc`s (`take_ref`) and give them back when the
//! worker goes. Each block says why this worker is the slot's owner or its
//! runner, or which invariant of `task/raw/state.rs` or `task/raw/slot.rs`
//! makes it sound.
//!
//! The executor reaches the mechanism from above only: the mechanism calls
//! back into the worker through `Shared`'s `Schedule` impl
//! (`shared.rs`), never through this file.
//!
//! # Invariants
//!
//! - Every field is touched by the owning thread only (the `Core` is not
//!   `Send`); other threads reach the worker through `Shared`.
//! - The run queue and the hand-off slot hold this worker's tasks and
//!   movable tasks of other workers of the same runtime; this worker polls
//!   and completes both, and frees (releases) only its own.
//! - No `RefCell` borrow is held while a future is polled or dropped, or a
//!   waker is woken: those may re-enter the core (spawn, wake, drop a
//!   `JoinHandle`).
//! - A task is polled only when it was woken (never recursively: a wake
//!   during its own poll sets `SCHEDULED` and the task is requeued after the
//!   poll returns).
//! - A slot is released (back to the arena, slab key freed) exactly once:
//!   when the task is `COMPLETE` and its last handle (`JoinHandle` or
//!   `AbortHandle`) is gone (`state.rs`).
//! - Each poll gets a fresh cooperative budget through a guard (`coop.rs`)
//!   that lifts it again when the poll ends, by return or by panic.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::ptr::NonNull;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use slab::Slab;

use super::dump::{TaskInfo, TaskState};
use super::handle::RuntimeInner;
use super::metrics::bump;
use super::seeded::Seeded;
use super::shared::{Remote, RemoteBatch, Shared};
use super::timeline::{Recorder, MAIN_KEY};
use super::{context, Metrics};
use crate::coop;
use crate::reactor::Reactor;
use crate::task::join::LocalJoin;
use crate::task::raw::arena::{Arena, Origin};
use crate::task::raw::state::{PollPending, StartPoll};
use crate::task::raw::{self, waker, Header, Incoming, Mobility, Movable, Pinned, TaskRef};
use crate::task::JoinHandle;

/// Tasks polled per tick before the reactor and remote queue get a look.
pub(crate) const BATCH: usize = 128;

/// Settings every worker of a runtime gets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CoreConfig {
    pub(crate) max_tasks: Option<usize>,
    /// `(epoch, events per worker)` when the timeline is recorded.
    pub(crate) timeline: Option<(Instant, usize)>,
    /// `Builder::seed`: the run queue's order is drawn from it (`seeded.rs`).
    pub(crate) seed: Option<u64>,
    /// The runtime has other workers: yield a few times before parking
    /// (`Shared::yield_for_work`: only worth it when other workers may hand
    /// this one work), and let movable tasks of other workers run here
    /// ("Hand-off" above).
    pub(crate) multi_worker: bool,
    /// Unique per runtime (see `Shared::runtime_id`).
    pub(crate) runtime_id: usize,
}

/// What the slab remembers about a live task.
struct TaskEntry {
    ptr: NonNull<Header>,
    class: u8,
    /// The worker's clock when the task was spawned (see `dump.rs`).
    spawned_at: Instant,
    /// Named with `task::Builder::name`: its name is in `Core::names`.
    named: bool,
}

/// One worker's executor state. See the module docs.
pub(crate) struct Core {
    shared: Arc<Shared>,
    run_queue: RefCell<VecDeque<TaskRef<Shared>>>,
    tasks: RefCell<Slab<TaskEntry>>,
    /// Names of the live tasks spawned with one (`task::Builder::name`),
    /// by slab key: kept out of the task table so that an unnamed spawn
    /// (nearly all of them) writes and frees less.
    names: RefCell<HashMap<usize, Cow<'static, str>>>,
    arena: RefCell<Arena>,
    /// Spare buffers swapped with the remote queues when draining them.
    remote_spare: RefCell<RemoteBatch>,
    /// The runtime this worker belongs to (set once, before it runs).
    runtime: OnceCell<Arc<RuntimeInner>>,
    pub(crate) reactor: Reactor,
    /// A cheap clock: refreshed after each park and each reactor poll, read
    /// at spawn for the task dump's ages.
    clock: Cell<Instant>,
    max_tasks: usize,
    /// Strong counts on `shared` that this worker owns beyond its own
    /// `Arc`: given back by `JoinHandle`s dropped on this thread, handed
    /// out again at the next spawn, so that a local spawn and drop of a
    /// handle touch no atomic reference count (see `take_ref`). At most the
    /// number of handles ever alive at once; given back in `Drop`.
    spare_refs: Cell<usize>,
    /// The timeline is on (`shared.timeline` is `Some`), kept here so that
    /// the poll path tests one bool and nothing else when it is off.
    recording: bool,
    /// Seeded scheduling (`Builder::seed`), or `None` for FIFO.
    seeded: Option<Seeded>,
    /// See `CoreConfig::multi_worker` (a single-worker runtime never runs
    /// another worker's task).
    multi_worker: bool,
    /// Takes hand-offs: `multi_worker`, until the worker shuts down.
    migrate: Cell<bool>,
    /// The hand-off slot an idle worker is watching: (worker, task, that
    /// worker's poll count), see [`Core::steal`].
    watching: Cell<Option<(usize, *mut Header, u64)>>,
}

impl Core {
    pub(crate) fn new(worker: usize, config: &CoreConfig) -> io::Result<Box<Core>> {
        let reactor = Reactor::new()?;
        let recorder = config
            .timeline
            .map(|(epoch, capacity)| Recorder::new(epoch, capacity))
            .transpose()?;
        let shared = Arc::new(Shared::with_timeline(
            worker,
            config.runtime_id,
            reactor.unparker(),
            recorder,
        ));
        let max_tasks = config.max_tasks;
        let arena = Arena::new(Arc::as_ptr(&shared));
        Ok(Box::new(Core {
            shared,
            run_queue: RefCell::new(VecDeque::new()),
            tasks: RefCell::new(Slab::new()),
            names: RefCell::new(HashMap::new()),
            arena: RefCell::new(arena),
            remote_spare: RefCell::new(RemoteBatch::default()),
            runtime: OnceCell::new(),
            reactor,
            clock: Cell::new(Instant::now()),
            max_tasks: max_tasks.unwrap_or(usize::MAX),
            spare_refs: Cell::new(0),
            recording: config.timeline.is_some(),
            seeded: config.seed.map(Seeded::new),
            multi_worker: config.multi_worker,
            migrate: Cell::new(config.multi_worker),
            watching: Cell::new(None),
        }))
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub(crate) fn shared_ptr(&self) -> *const Shared {
        Arc::as_ptr(&self.shared)
    }

    /// A count on this worker's `Shared` for a new `JoinHandle`: a spare
    /// one if a dropped handle left one, else a new one. Every count is an
    /// ordinary `Arc` count; recycling them only saves the atomic increment
    /// and decrement of the common spawn-then-drop-on-this-thread case.
    #[inline]
    fn take_ref(&self) -> Arc<Shared> {
        let spare = self.spare_refs.get();
        if spare == 0 {
            return self.shared.clone();
        }
        self.spare_refs.set(spare - 1);
        // SAFETY: `spare_refs` counts strong counts on `shared` that this
        // worker owns (each left by `recycle_ref`'s `Arc::into_raw`); this
        // turns one of them back into an `Arc`, which now owns it.
        unsafe { Arc::from_raw(Arc::as_ptr(&self.shared)) }
    }

    /// Keeps a dropped handle's count on this worker's `Shared` for the next
    /// spawn (see [`Core::take_ref`]).
    #[inline]
    pub(crate) fn recycle_ref(&self, shared: Arc<Shared>) {
        debug_assert!(Arc::ptr_eq(&shared, &self.shared));
        // The count stays taken; `spare_refs` records that we own it.
        let _ = Arc::into_raw(shared);
        self.spare_refs.set(self.spare_refs.get() + 1);
    }

    /// Queues a task that a wake on this thread just scheduled.
    #[inline]
    pub(crate) fn push_local(&self, task: TaskRef<Shared>) {
        bump(&self.shared.counters.wakes_local, 1);
        self.run_queue.borrow_mut().push_back(task);
    }

    /// A task of another worker was woken on this thread: takes it into
    /// the hand-off slot if it may move (`MOVABLE`, same runtime) and this
    /// worker has nothing else queued, so it runs here next instead of
    /// crossing to its own worker. Gives it back otherwise.
    #[inline]
    pub(crate) fn offer(&self, task: TaskRef<Shared>) -> Result<(), TaskRef<Shared>> {
        if !self.migrate.get()
            || !task.state().load().is_movable()
            || !self.run_queue.borrow().is_empty()
        {
            return Err(task);
        }
        // SAFETY: a slot's scheduler outlives its memory, which the caller's
        // claim on `task` keeps valid; every slot of this runtime belongs to
        // a `Shared`.
        let home = unsafe { &*task.scheduler_ptr() };
        if home.runtime_id != self.shared.runtime_id {
            return Err(task);
        }
        self.shared.offer(task)?;
        bump(&self.shared.counters.handoffs, 1);
        Ok(())
    }

    /// Number of live tasks (running, waiting, or finished with a handle).
    pub(crate) fn live_tasks(&self) -> usize {
        self.tasks.borrow().len()
    }

    /// Spawns `future` on this worker; gives it back if the arena is capped
    /// and full.
    #[inline]
    pub(crate) fn spawn_raw<'a, F>(
        &self,
        future: Incoming<'a, F>,
    ) -> Result<LocalJoin<F::Output>, Incoming<'a, F>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn_with::<F, Pinned>(future, None)
    }

    /// The spawn: a slot, a slab key, the future written in place, with a
    /// name for the task dump if given; `M` says whether the task may move
    /// (`raw::Mobility`: `Movable` for a task of `Runtime::spawn` or
    /// `Handle::spawn`, "Hand-off" above).
    #[inline]
    pub(crate) fn spawn_with<'a, F, M>(
        &self,
        future: Incoming<'a, F>,
        name: Option<Cow<'static, str>>,
    ) -> Result<LocalJoin<F::Output>, Incoming<'a, F>>
    where
        F: Future + 'static,
        F::Output: 'static,
        M: Mobility<F>,
    {
        let mut tasks = self.tasks.borrow_mut();
        if tasks.len() >= self.max_tasks {
            return Err(future);
        }
        let class = raw::class_of::<F>();
        let slot = self.arena.borrow_mut().alloc(class);
        let counters = &self.shared.counters;
        bump(&counters.tasks_spawned, 1);
        match slot.origin {
            Origin::Reused => bump(&counters.slots_reused, 1),
            Origin::Fresh => bump(&counters.slots_allocated, 1),
        }
        if slot.boxed {
            bump(&counters.boxed_fallbacks, 1);
        }
        let key = tasks.insert(TaskEntry {
            ptr: slot.ptr,
            class: slot.class,
            spawned_at: self.clock.get(),
            named: name.is_some(),
        });
        if let Some(name) = name {
            self.names.borrow_mut().insert(key, name);
        }
        drop(tasks);
        // SAFETY: `slot` is a free slot of this worker's arena, sized and
        // aligned for `F` by `class_of`, and we are the owning thread.
        unsafe { raw::occupy::<F, M>(slot.ptr, key, future) };
        // SAFETY: the slot is in our table of live tasks (until `release`),
        // and the run queue entry is covered by the queue invariant.
        let queued = unsafe { TaskRef::from_raw(slot.ptr) };
        self.run_queue.borrow_mut().push_back(queued);
        // SAFETY: the handle holds a count on our `Shared` (and a handle
        // count on the slot, which `occupy` set).
        let handle = unsafe { TaskRef::from_raw(slot.ptr) };
        Ok(LocalJoin::new(handle, self.take_ref()))
    }

    /// Spawns `future` on this worker (see [`Core::spawn_raw`]).
    pub(crate) fn spawn<'a, F>(
        &self,
        future: Incoming<'a, F>,
    ) -> Result<JoinHandle<F::Output>, Incoming<'a, F>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.spawn_raw(future).map(JoinHandle::local)
    }

    /// [`Core::spawn`] for a task that may move ("Hand-off" above).
    pub(crate) fn spawn_movable<'a, F>(
        &self,
        future: Incoming<'a, F>,
    ) -> Result<JoinHandle<F::Output>, Incoming<'a, F>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with::<F, Movable>(future, None)
            .map(JoinHandle::local)
    }

    /// Runs `future` to completion on this thread, running the worker's tasks
    /// and reactor while it waits.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _enter = context::enter(self);
        let _reactor = self.reactor.enter();
        // Dropped first, also on unwind: see `hand_back`.
        let _hand_back = HandBack(self);
        self.clock.set(Instant::now());
        let mut future = pin!(future);
        let waker = std::task::Waker::from(self.shared.clone());
        let mut cx = Context::from_waker(&waker);
        self.shared
            .main_woken
            .store(true, std::sync::atomic::Ordering::SeqCst);
        loop {
            if self
                .shared
                .main_woken
                .swap(false, std::sync::atomic::Ordering::AcqRel)
            {
                let polled = {
                    // Cleared again on the way out, also if the future
                    // panics (the budget must not stay spent on a thread
                    // that outlives this runtime).
                    let _budget = coop::budget();
                    if self.recording {
                        self.poll_main_recorded(future.as_mut(), &mut cx)
                    } else {
                        future.as_mut().poll(&mut cx)
                    }
                };
                if let Poll::Ready(out) = polled {
                    return out;
                }
            }
            self.tick();
        }
    }

    /// One turn of the loop: a batch of tasks, remote wakes, the reactor.
    pub(crate) fn tick(&self) {
        self.run_batch();
        // A task handed over during the batch waits at most one batch.
        if let Some(task) = self.shared.take_handoff() {
            self.run_queue.borrow_mut().push_back(task);
        }
        self.take_remote();
        let busy = !self.run_queue.borrow().is_empty()
            || self
                .shared
                .main_woken
                .load(std::sync::atomic::Ordering::Acquire);
        let report = if busy {
            self.reactor.park(Some(Duration::ZERO))
        } else if self.multi_worker && self.yield_for_work() {
            // Work arrived while yielding: take it next tick, unparked.
            return;
        } else if self.shared.prepare_park() {
            bump(&self.shared.counters.reactor_parks, 1);
            let report = self.reactor.park_then(None, || self.shared.after_park());
            self.clock.set(Instant::now());
            report
        } else {
            return;
        };
        let counters = &self.shared.counters;
        if report.io_events > 0 {
            bump(&counters.io_events, report.io_events);
        }
        if report.timers_fired > 0 {
            bump(&counters.timers_fired, report.timers_fired);
        }
    }

    /// Polls up to [`BATCH`] queued tasks; returns how many it polled.
    fn run_batch(&self) -> usize {
        for n in 0..BATCH {
            let next = self.next_task();
            match next {
                Some(task) => self.run_task(task),
                None => return n,
            }
        }
        BATCH
    }

    /// Takes the next task to poll off the run queue: the front (FIFO), or
    /// one drawn from the seed (`seeded.rs`); then the hand-off slot.
    #[inline]
    fn next_task(&self) -> Option<TaskRef<Shared>> {
        let mut queue = self.run_queue.borrow_mut();
        let next = match &self.seeded {
            None => queue.pop_front(),
            Some(seeded) => seeded.pick(&mut queue),
        };
        drop(queue);
        next.or_else(|| self.shared.take_handoff())
    }

    /// Leaving `block_on`: this worker runs nothing until the next one, so
    /// the tasks of other workers that moved here (hand-off slot, run
    /// queue) go back to their own workers, which run them at once.
    fn hand_back(&self) {
        if !self.migrate.get() {
            return;
        }
        let mut foreign = Vec::new();
        foreign.extend(self.shared.take_handoff());
        {
            let mut queue = self.run_queue.borrow_mut();
            for _ in 0..queue.len() {
                let task = queue.pop_front().expect("counted");
                if std::ptr::eq(task.scheduler_ptr(), self.shared_ptr()) {
                    queue.push_back(task);
                } else {
                    foreign.push(task);
                }
            }
        }
        for task in foreign {
            // SAFETY: a slot's scheduler outlives its memory, which this
            // queue entry keeps valid; it is a `Shared` of this runtime.
            let home: &Shared = unsafe { &*task.scheduler_ptr() };
            // Refused only once that worker has shut down.
            let _ = home.push_remote(Remote::Wake(task));
        }
    }

    /// Before a park: yields the thread a few times (`Shared::yield_for_work`),
    /// and after each yield looks for a remote wake and for a task it may
    /// take from another worker's hand-off slot ([`Core::steal`]). True if
    /// work arrived.
    fn yield_for_work(&self) -> bool {
        self.watching.set(None);
        self.shared.yield_for_work(|| self.steal())
    }

    /// Takes the task in another worker's hand-off slot if that worker has
    /// been inside one poll since this worker last looked (the slot still
    /// holds the same task and the worker's poll count stood still): it
    /// will not get to the task soon, and this worker is idle. A hand-off
    /// the worker takes itself within a look is left alone, so a lock
    /// passed from task to task on one worker stays there.
    fn steal(&self) -> bool {
        let Some(runtime) = self.runtime.get() else {
            return false;
        };
        if !self.migrate.get() {
            return false;
        }
        let seen = self.watching.take();
        for victim in &runtime.workers {
            if Arc::ptr_eq(victim, &self.shared) {
                continue;
            }
            let task = victim.peek_handoff();
            if task.is_null() {
                continue;
            }
            let polls = victim.polls();
            if seen == Some((victim.worker, task, polls)) {
                if let Some(task) = victim.take_handoff() {
                    bump(&self.shared.counters.steals, 1);
                    self.run_queue.borrow_mut().push_back(task);
                    return true;
                }
                continue;
            }
            self.watching.set(Some((victim.worker, task, polls)));
            return false;
        }
        false
    }

    /// The seeded scheduler, if `Builder::seed` was given.
    #[inline]
    pub(crate) fn seeded(&self) -> Option<&Seeded> {
        self.seeded.as_ref()
    }

    /// Polls one task taken off the run queue.
    fn run_task(&self, task: TaskRef<Shared>) {
        let header = task.header();
        let generation = match header.state.start_poll() {
            StartPoll::Poll { generation } => generation,
            StartPoll::Cancel => {
                // SAFETY: we are the task's runner: it came off our run
                // queue or hand-off slot, which hold only our own tasks and
                // `MOVABLE` ones of this runtime (`offer`, `steal`); it is
                // now RUNNING.
                unsafe { task.cancel() };
                self.complete(task);
                return;
            }
        };
        let polls = header.polls.load(Relaxed);
        header.polls.store(polls.wrapping_add(1), Relaxed);
        bump(&self.shared.counters.polls, 1);
        // SAFETY: the slot is occupied and its scheduler (a `Shared` of this
        // runtime) outlives the poll; the borrowed waker does not outlive it.
        let waker = unsafe { waker::borrowed(&task, generation) };
        let mut cx = Context::from_waker(&waker);
        let polled = {
            let _budget = coop::budget();
            if self.recording {
                // SAFETY: as for `cancel` above.
                unsafe { self.poll_recorded(&task, &mut cx, generation) }
            } else {
                // SAFETY: as for `cancel` above.
                unsafe { task.poll(&mut cx) }
            }
        };
        match polled {
            Poll::Pending => {
                if header.state.end_poll_pending() == PollPending::Requeue {
                    self.push_local(task);
                }
            }
            Poll::Ready(()) => self.complete(task),
        }
    }

    /// `run_task`'s poll with the timeline on: timed and recorded. Out of
    /// line, so that with the timeline off the poll path costs one branch.
    ///
    /// # Safety
    ///
    /// As for `TaskRef::poll`: owner thread, slot occupied, task
    /// running.
    #[cold]
    #[inline(never)]
    unsafe fn poll_recorded(
        &self,
        task: &TaskRef<Shared>,
        cx: &mut Context<'_>,
        generation: u16,
    ) -> Poll<()> {
        let header = task.header();
        let t0 = Instant::now();
        // SAFETY: the caller's contract.
        let polled = unsafe { task.poll(cx) };
        if let Some(rec) = &self.shared.timeline {
            let key = header.key.get() as u32;
            rec.record(self.shared.worker, key, generation, t0, Instant::now());
        }
        polled
    }

    /// `block_on`'s poll of its own future with the timeline on.
    #[cold]
    #[inline(never)]
    fn poll_main_recorded<F: Future>(
        &self,
        future: Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<F::Output> {
        let t0 = Instant::now();
        let polled = future.poll(cx);
        if let Some(rec) = &self.shared.timeline {
            rec.record(self.shared.worker, MAIN_KEY, 0, t0, Instant::now());
        }
        polled
    }

    /// The task's stage now holds its result: publish `COMPLETE`, then
    /// wake the `JoinHandle`'s task, or drop the output nobody will take
    /// (and free the slot if no handle is left).
    fn complete(&self, task: TaskRef<Shared>) {
        if self.multi_worker && !std::ptr::eq(task.scheduler_ptr(), self.shared_ptr()) {
            return self.complete_elsewhere(task);
        }
        bump(&self.shared.counters.tasks_completed, 1);
        // SAFETY: owner thread, right after the task's poll returned Ready
        // or its future was cancelled; no borrow of ours is held.
        if unsafe { task.complete() } {
            self.release(task);
        }
    }

    /// [`Core::complete`] for a task of another worker that ran here: the
    /// slot goes back to its owner to be freed.
    #[cold]
    fn complete_elsewhere(&self, task: TaskRef<Shared>) {
        // SAFETY: a slot's scheduler outlives its memory, which the run
        // queue entry we took keeps valid until `complete` below; its owner
        // is a worker of this runtime (`offer`), whose `Shared` the runtime
        // keeps alive while this worker runs.
        let home: &Shared = unsafe { &*task.scheduler_ptr() };
        home.completed_elsewhere();
        // SAFETY: we are the task's runner (it is `MOVABLE`: `offer` took
        // only such tasks), right after its poll returned Ready or its
        // future was cancelled; no borrow of ours is held.
        if unsafe { task.complete() } {
            // Refused after the owner shut down: the slot goes with its
            // retired arena.
            let _ = home.push_remote(Remote::Release(task));
        }
    }

    /// Frees the slot of a `COMPLETE` task whose last handle is gone: its
    /// output was taken or dropped already.
    pub(crate) fn release(&self, task: TaskRef<Shared>) {
        // SAFETY: owner thread (the slot is in our table of live tasks);
        // the task is complete and its last handle is gone (`complete`
        // returned true, or a handle's `Schedule::release`).
        unsafe { task.vacate() };
        let key = task.header().key.get();
        let entry = self.tasks.borrow_mut().remove(key);
        debug_assert_eq!(entry.ptr, task.as_ptr());
        if entry.named {
            self.names.borrow_mut().remove(&key);
        }
        // SAFETY: the slot came from this arena with this class and is now
        // free (header vacated); `task` is its last reference.
        unsafe { self.arena.borrow_mut().free(entry.class, task.as_ptr()) };
    }

    /// Moves remotely woken tasks onto the run queue, frees slots whose
    /// handle was dropped on another thread, and places tasks spawned onto
    /// this worker from elsewhere.
    fn take_remote(&self) {
        if !self.shared.has_remote() {
            return;
        }
        let mut batch = std::mem::take(&mut *self.remote_spare.borrow_mut());
        self.shared.take_remote(&mut batch);
        for job in batch.jobs.drain(..) {
            job.run(self);
        }
        for entry in batch.remote.drain(..) {
            match entry {
                Remote::Wake(task) => self.run_queue.borrow_mut().push_back(task),
                Remote::Release(task) => self.release(task),
            }
        }
        *self.remote_spare.borrow_mut() = batch;
    }

    /// Drops every unfinished task (each future exactly once) and every
    /// output nobody will join. Called by `Runtime::drop`.
    pub(crate) fn shutdown(&self) {
        let _enter = context::with_core(|_| ())
            .is_none()
            .then(|| context::enter(self));
        // Remote pushes are refused from now on. Queued wakes are handled by
        // the sweep below; a queued release is a finished task whose output
        // is gone already, and its slot goes with the retired arena. Tasks
        // injected but never placed are dropped and reported cancelled.
        let batch = self.shared.close();
        for task in batch.jobs {
            task.cancel();
        }
        // No task of another worker comes here any more; the ones queued
        // here are swept by their owners, which run no task either by now
        // (`Runtime::drop` stops every worker before any sweeps).
        self.migrate.set(false);
        let _ = self.shared.take_handoff();
        self.run_queue.borrow_mut().clear();
        loop {
            // Dropping a future may spawn or wake; sweep until nothing is left.
            let unfinished: Vec<TaskRef<Shared>> = self
                .tasks
                .borrow()
                .iter()
                // SAFETY: slab entries are slots of our arena, whose memory
                // lives as long as this `Core`, longer than these.
                .map(|(_, e)| unsafe { TaskRef::from_raw(e.ptr) })
                .filter(|task| !task.state().load().is_complete())
                .collect();
            if unfinished.is_empty() {
                break;
            }
            for task in unfinished {
                // Completed (and maybe released) by a destructor meanwhile.
                // (A task of ours queued on another worker is not running:
                // that worker has left its loop.)
                if task.state().load().is_complete() {
                    continue;
                }
                // The task is not running (we are not inside a poll), so a
                // fake "start" puts it in the RUNNING state `cancel` expects.
                task.state().force_running();
                // SAFETY: owner thread, and the task is RUNNING now.
                unsafe { task.cancel() };
                self.complete(task);
            }
            self.run_queue.borrow_mut().clear();
        }
        // Every task is complete now: outputs nobody wanted were dropped by
        // `complete`, the others belong to their `JoinHandle`s.
        self.reactor.shutdown();
    }

    /// This worker's live tasks, for `Runtime::dump`.
    pub(crate) fn dump_local(&self) -> Vec<TaskInfo> {
        let now = Instant::now();
        let tasks = self.tasks.borrow();
        tasks
            .iter()
            .map(|(key, e)| {
                // SAFETY: slab entries point at occupied slots.
                let header = unsafe { e.ptr.as_ref() };
                let s = header.state.load();
                let state = if s.is_complete() {
                    TaskState::Complete
                } else if s.is_cancelled() {
                    TaskState::Cancelling
                } else if s.is_running() {
                    TaskState::Running
                } else if s.is_scheduled() {
                    TaskState::Scheduled
                } else {
                    TaskState::Idle
                };
                TaskInfo {
                    worker: self.shared.worker,
                    key,
                    generation: s.generation(),
                    name: e
                        .named
                        .then(|| self.names.borrow().get(&key).map(|n| n.to_string()))
                        .flatten(),
                    state,
                    polls: header.polls.load(Relaxed),
                    age: now.saturating_duration_since(e.spawned_at),
                }
            })
            .collect()
    }

    /// This worker's counters.
    pub(crate) fn worker_metrics(&self) -> super::WorkerMetrics {
        self.shared.snapshot()
    }

    /// Metrics of the runtime this core belongs to.
    pub(crate) fn metrics(&self) -> Metrics {
        match self.runtime.get() {
            Some(rt) => rt.metrics(),
            None => Metrics::from_workers(vec![self.worker_metrics()]),
        }
    }

    /// Attaches the worker to its runtime. Called once, before it runs.
    pub(crate) fn set_runtime(&self, runtime: Arc<RuntimeInner>) {
        let _ = self.runtime.set(runtime);
    }

    /// The runtime this worker belongs to.
    pub(crate) fn runtime(&self) -> &Arc<RuntimeInner> {
        self.runtime
            .get()
            .expect("a running worker has its runtime")
    }

    /// The loop of worker threads 1..n: tick until asked to stop, then shut
    /// the worker down on its own thread (its tasks may not be `Send`).
    pub(crate) fn run_worker(&self) {
        let runtime = self.runtime().clone();
        {
            let _looping = runtime.loop_guard();
            let _enter = context::enter(self);
            let _reactor = self.reactor.enter();
            // `Shared::stop` sets `stopping` and unparks us.
            while !self.shared.is_stopping() {
                self.tick();
            }
        }
        // A task of ours may be running on a worker that has not stopped
        // yet: sweep only once none runs any more.
        runtime.wait_all_left();
        self.shutdown();
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // Give back the spare counts on `shared` (see `take_ref`).
        for _ in 0..self.spare_refs.replace(0) {
            // SAFETY: each spare is a strong count on `shared` that this
            // worker owns (`recycle_ref`); our own `Arc` keeps the value
            // alive across these decrements.
            unsafe { Arc::decrement_strong_count(Arc::as_ptr(&self.shared)) };
        }
        // Slot memory must outlive every waker and handle: hand it to
        // `Shared`, which frees it when the last of them is gone.
        let arena = std::mem::replace(self.arena.get_mut(), Arena::unowned());
        self.shared.retire(arena);
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("worker", &self.shared.worker)
            .field("live_tasks", &self.tasks.borrow().len())
            .field("queued", &self.run_queue.borrow().len())
            .finish_non_exhaustive()
    }
}

/// Calls [`Core::hand_back`] when `block_on` returns or unwinds.
struct HandBack<'a>(&'a Core);

impl Drop for HandBack<'_> {
    fn drop(&mut self) {
        self.0.hand_back();
    }
}
