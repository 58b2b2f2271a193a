//! `Shared`: the part of a worker that other threads may touch.
//!
//! Each worker has one `Arc<Shared>`. Its owner is the worker's `Core`
//! (thread-bound); other holders are wakers, `JoinHandle`s and
//! `AbortHandle`s, which may live on any thread and may outlive the runtime.
//!
//! `Shared` is the scheduler of the worker's tasks for the task mechanism:
//! it implements `task::raw::Schedule`, the one seam between the two
//! (`schedule`: a woken task goes to the local run queue on the worker's
//! own thread, to the hand-off slot of the waking worker if it may move
//! there (the executor's "Hand-off"), to the remote queue otherwise; `release`: a completed slot
//! whose last handle went is freed at once on the worker's thread, through
//! the remote queue otherwise; `give_back`: a handle's count dropped on the
//! worker's thread is kept for the next spawn). It is also the `block_on`
//! future's waker (`impl Wake`: sets `main_woken`).
//!
//! # Invariants
//!
//! - The **remote queue** holds slots that became `SCHEDULED` through a wake
//!   on another thread, and slots whose `JoinHandle` was dropped on another
//!   thread after the task completed (the owner must free them). The owner
//!   drains it in `Core::take_remote`. Pushes after `close` are refused.
//! - **Parking** uses a Dekker-style handshake: the owner stores
//!   `parked = true` and then re-checks `remote_pending`, `main_woken` and
//!   `stopping`; a remote waker stores its flag and then checks `parked`.
//!   A `SeqCst` fence sits between the store and the load on both sides, so
//!   at least one of them sees the other and no wake is lost (checked by the
//!   loom tests in `loom_tests.rs`).
//!   The unparker remembers an unpark that arrives before the park. The
//!   waker that sees `parked` also clears it (a swap), so while the owner
//!   is still waking up, further wakes cost no second unpark (a syscall).
//! - The **hand-off slot** holds at most one run-queue entry: a movable
//!   task of another worker of this runtime, put there by this worker's
//!   own thread only (`offer`). Whoever swaps it out (this worker, or an
//!   idle one taking it over) owns the entry, so it is taken exactly once
//!   (loom: `loom_handoff_is_taken_once`).
//! - **Retired chunks**: when the runtime shuts down, the arena's memory is
//!   moved here and freed when the last `Arc<Shared>` goes, i.e. after the
//!   last waker or handle that might still read a slot header.

use std::fmt;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::Wake;

use super::context;
use super::metrics::Counters;
use super::timeline::Recorder;

use crate::loom::sync::atomic::{
    fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering::*,
};
use crate::loom::sync::Mutex;
use crate::reactor::Unparker;
use crate::task::raw::arena::Arena;
use crate::task::raw::{Header, Schedule, TaskRef};
use crate::task::remote::WorkerJob;

/// [`Shared::yield_for_work`] gives up the CPU at least this many times
/// and for at least [`YIELD_FOR`] before its worker parks.
const YIELDS: u32 = 16;
const YIELD_FOR: std::time::Duration = std::time::Duration::from_micros(20);

/// The cross-thread side of one worker.
pub(crate) struct Shared {
    /// Index of the worker (0 is the thread that calls `block_on`).
    pub(crate) worker: usize,
    /// Which runtime the worker belongs to (unique per process): tasks
    /// move only between workers of one runtime.
    pub(crate) runtime_id: usize,
    /// The hand-off slot: a movable task of another worker, woken on this
    /// worker's thread while it had nothing else queued, to be run here
    /// next (null: empty). Filled only by the owner; emptied by the owner
    /// or by an idle worker that takes the task (see the executor's
    /// "Hand-off"). An entry is a run-queue entry of the task.
    handoff: AtomicPtr<Header>,
    /// This worker's tasks that completed on another worker (added to
    /// `counters.tasks_completed` by `load` and the metrics).
    completed_elsewhere: AtomicU64,
    remote: Mutex<RemoteQueues>,
    /// Hint that `remote` is not empty, so the owner can skip the lock.
    remote_pending: AtomicBool,
    /// The `block_on` future was woken (worker 0 only: worker threads have
    /// no `block_on` future).
    pub(crate) main_woken: AtomicBool,
    /// The owner is (about to be) blocked in `Reactor::park`.
    parked: AtomicBool,
    /// The worker thread must leave its loop (multi-worker shutdown).
    stopping: AtomicBool,
    /// WorkerJob tasks not yet placed (for least-loaded placement).
    jobs_pending: AtomicUsize,
    unparker: Unparker,
    pub(crate) counters: Counters,
    /// Poll recorder, when the timeline is enabled.
    pub(crate) timeline: Option<Recorder>,
    /// The arena of a shut-down worker, kept until the last reference goes.
    retired: Mutex<Option<Arena>>,
    /// Unparks issued (loom tests check that a parked owner gets one).
    #[cfg(spool_loom)]
    unparks: AtomicUsize,
}

/// An entry of the remote queue: what the owner must do with a slot.
#[derive(Debug)]
pub(crate) enum Remote {
    /// The task was woken from another thread: queue it.
    Wake(TaskRef<Shared>),
    /// The last handle of the completed task was dropped on another
    /// thread: free the slot.
    Release(TaskRef<Shared>),
}

struct RemoteQueues {
    queue: Vec<Remote>,
    /// Tasks spawned onto this worker from other threads (`spawn_on`).
    jobs: Vec<Arc<dyn WorkerJob>>,
    closed: bool,
}

/// What `Shared::take_remote` and `Shared::close` hand to the owner.
#[derive(Default)]
pub(crate) struct RemoteBatch {
    pub(crate) remote: Vec<Remote>,
    pub(crate) jobs: Vec<Arc<dyn WorkerJob>>,
}

impl Shared {
    #[cfg_attr(not(spool_loom), allow(dead_code))]
    pub(crate) fn new(worker: usize, unparker: Unparker) -> Shared {
        Self::with_timeline(worker, 0, unparker, None)
    }

    pub(crate) fn with_timeline(
        worker: usize,
        runtime_id: usize,
        unparker: Unparker,
        timeline: Option<Recorder>,
    ) -> Shared {
        Shared {
            worker,
            runtime_id,
            handoff: AtomicPtr::new(std::ptr::null_mut()),
            completed_elsewhere: AtomicU64::new(0),
            remote: Mutex::new(RemoteQueues {
                queue: Vec::new(),
                jobs: Vec::new(),
                closed: false,
            }),
            remote_pending: AtomicBool::new(false),
            main_woken: AtomicBool::new(false),
            parked: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            jobs_pending: AtomicUsize::new(0),
            unparker,
            counters: Counters::default(),
            timeline,
            retired: Mutex::new(None),
            #[cfg(spool_loom)]
            unparks: AtomicUsize::new(0),
        }
    }

    /// Queues a slot for the owner from another thread. Returns false (and
    /// queues nothing) once the worker has shut down.
    pub(crate) fn push_remote(&self, entry: Remote) -> bool {
        {
            let mut remote = self.remote.lock().unwrap();
            if remote.closed {
                return false;
            }
            remote.queue.push(entry);
        }
        self.counters.wakes_remote.fetch_add(1, Relaxed);
        self.remote_pending.store(true, Release);
        self.unpark_if_parked();
        true
    }

    /// Queues a task spawned from another thread. Returns it back if the
    /// worker has shut down.
    pub(crate) fn push_job(&self, task: Arc<dyn WorkerJob>) -> Result<(), Arc<dyn WorkerJob>> {
        {
            let mut remote = self.remote.lock().unwrap();
            if remote.closed {
                return Err(task);
            }
            remote.jobs.push(task);
        }
        self.jobs_pending.fetch_add(1, Relaxed);
        self.remote_pending.store(true, Release);
        self.unpark_if_parked();
        Ok(())
    }

    /// Swaps the remote queues with `spare` (empty, with spare capacity), so
    /// that draining allocates nothing in steady state.
    pub(crate) fn take_remote(&self, spare: &mut RemoteBatch) {
        if !self.remote_pending.load(Acquire) {
            return;
        }
        self.remote_pending.store(false, Relaxed);
        let mut remote = self.remote.lock().unwrap();
        std::mem::swap(&mut remote.queue, &mut spare.remote);
        std::mem::swap(&mut remote.jobs, &mut spare.jobs);
        drop(remote);
        self.jobs_pending.fetch_sub(spare.jobs.len(), Relaxed);
    }

    /// Refuses further remote pushes and hands back what is queued.
    pub(crate) fn close(&self) -> RemoteBatch {
        let mut remote = self.remote.lock().unwrap();
        remote.closed = true;
        RemoteBatch {
            remote: std::mem::take(&mut remote.queue),
            jobs: std::mem::take(&mut remote.jobs),
        }
    }

    /// Live tasks plus tasks waiting to be placed: the worker's load.
    pub(crate) fn load(&self) -> u64 {
        let c = &self.counters;
        c.tasks_spawned
            .load(Relaxed)
            .saturating_sub(c.tasks_completed.load(Relaxed))
            .saturating_sub(self.completed_elsewhere.load(Relaxed))
            + self.jobs_pending.load(Relaxed) as u64
    }

    /// The counters, with this worker's tasks that completed elsewhere
    /// counted as completed.
    pub(crate) fn snapshot(&self) -> super::WorkerMetrics {
        let mut m = self.counters.snapshot();
        m.tasks_completed += self.completed_elsewhere.load(Relaxed);
        m
    }

    /// Counts one of this worker's tasks that completed on another worker.
    pub(crate) fn completed_elsewhere(&self) {
        self.completed_elsewhere.fetch_add(1, Relaxed);
    }

    /// Puts `task` into the empty hand-off slot; gives it back if the slot
    /// is full. Owner thread only (the only thread that fills it).
    #[inline]
    pub(crate) fn offer(&self, task: TaskRef<Shared>) -> Result<(), TaskRef<Shared>> {
        if !self.handoff.load(Relaxed).is_null() {
            return Err(task);
        }
        // Nobody else fills the slot, so it is still empty; the release
        // store publishes the queue entry to a worker that takes it.
        self.handoff.store(task.as_ptr().as_ptr(), Release);
        Ok(())
    }

    /// The task in the hand-off slot, if any (it stays queued: the caller
    /// runs it or queues it).
    #[inline]
    pub(crate) fn take_handoff(&self) -> Option<TaskRef<Shared>> {
        if self.handoff.load(Relaxed).is_null() {
            return None;
        }
        let ptr = NonNull::new(self.handoff.swap(std::ptr::null_mut(), Acquire))?;
        // SAFETY: the slot held a run-queue entry of a task of a worker of
        // this runtime (`offer`), which the swap made ours: a queued slot
        // is not freed before its entry is handled (`task/raw/state.rs`),
        // and its scheduler is a `Shared`.
        Some(unsafe { TaskRef::from_raw(ptr) })
    }

    /// What the hand-off slot holds now (null: nothing), for an idle
    /// worker watching it.
    #[inline]
    pub(crate) fn peek_handoff(&self) -> *mut Header {
        self.handoff.load(Relaxed)
    }

    /// Task polls this worker made so far: an idle worker that sees the
    /// number stand still knows this one is inside one long poll.
    #[inline]
    pub(crate) fn polls(&self) -> u64 {
        self.counters.polls.load(Relaxed)
    }

    /// Asks a worker thread to leave its loop, waking it if parked.
    pub(crate) fn stop(&self) {
        self.stopping.store(true, Release);
        self.unpark_if_parked();
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(SeqCst)
    }

    /// Wakes the `block_on` future.
    pub(crate) fn wake_main(&self) {
        self.main_woken.store(true, Release);
        self.unpark_if_parked();
    }

    /// The waker's half of the parking handshake: call after publishing the
    /// work (queue entry or flag).
    fn unpark_if_parked(&self) {
        fence(SeqCst);
        // The plain load first: the common case (owner awake) writes nothing.
        if self.parked.load(Relaxed) && self.parked.swap(false, Relaxed) {
            #[cfg(spool_loom)]
            self.unparks.fetch_add(1, SeqCst);
            self.unparker.unpark();
        }
    }

    /// Unparks issued so far (loom tests only).
    #[cfg(spool_loom)]
    pub(crate) fn unparks(&self) -> usize {
        self.unparks.load(SeqCst)
    }

    /// Before a park on a runtime with other workers: gives up the CPU a
    /// few times (at least [`YIELDS`] times and [`YIELD_FOR`]), checking
    /// for work after each, in case
    /// another worker is about to hand this one some (a lock passed on
    /// to a task here, a message). Caught here, the wake costs neither
    /// side a syscall of its own, where after a park it costs the waker an
    /// unpark (an eventfd write) and this worker a wake-up through the
    /// reactor. Yielding rather than spinning lets the other worker run on
    /// this CPU when the machine is busier than its cores (a pure spin
    /// measured slower there); the time floor keeps an idle machine's
    /// vCPU from halting between two hand-offs (a count alone measured
    /// ten times slower there). True if work arrived.
    ///
    /// `steal` is asked after each yield too: it takes work from another
    /// worker's hand-off slot (`Core::steal`) and says if it did.
    pub(crate) fn yield_for_work(&self, mut steal: impl FnMut() -> bool) -> bool {
        let start = std::time::Instant::now();
        let mut rounds = 0;
        loop {
            std::thread::yield_now();
            if self.remote_pending.load(Relaxed)
                || self.main_woken.load(Relaxed)
                || self.stopping.load(Relaxed)
                || steal()
            {
                return true;
            }
            rounds += 1;
            if rounds >= YIELDS && start.elapsed() >= YIELD_FOR {
                return false;
            }
        }
    }

    /// Announces that the owner is about to park. Returns false if work
    /// arrived meanwhile and it must not park.
    pub(crate) fn prepare_park(&self) -> bool {
        self.parked.store(true, Relaxed);
        fence(SeqCst);
        if self.remote_pending.load(Acquire)
            || self.main_woken.load(Acquire)
            || self.stopping.load(Acquire)
        {
            self.parked.store(false, Relaxed);
            return false;
        }
        true
    }

    pub(crate) fn after_park(&self) {
        self.parked.store(false, Relaxed);
    }

    /// True if a remote wake is waiting to be taken.
    pub(crate) fn has_remote(&self) -> bool {
        self.remote_pending.load(Acquire)
    }

    /// Keeps the arena's memory until the last reference to `self` is gone.
    pub(crate) fn retire(&self, arena: Arena) {
        *self.retired.lock().unwrap() = Some(arena);
    }
}

impl Schedule for Shared {
    #[inline]
    fn schedule(&self, task: TaskRef<Shared>) {
        // On this worker's thread: its run queue. On another worker's
        // thread, a movable task may go to that worker's hand-off slot.
        if let Err(task) = context::push_local(task) {
            // Refused only after shutdown, when nothing runs any more.
            let _ = self.push_remote(Remote::Wake(task));
        }
    }

    fn release(self: Arc<Self>, task: TaskRef<Shared>) {
        let mut task = Some(task);
        let mut this = Some(self);
        context::with_core(|core| {
            let here = this.as_ref().expect("taken once");
            if std::ptr::eq(core.shared_ptr(), Arc::as_ptr(here)) {
                core.release(task.take().expect("taken once"));
                core.recycle_ref(this.take().expect("taken once"));
            }
        });
        if let (Some(task), Some(this)) = (task, this) {
            // Refused after shutdown: the slot goes with the retired arena.
            let _ = this.push_remote(Remote::Release(task));
        }
    }

    #[inline]
    fn give_back(self: Arc<Self>) {
        let mut this = Some(self);
        context::with_core(|core| {
            let here = this.as_ref().expect("taken once");
            if std::ptr::eq(core.shared_ptr(), Arc::as_ptr(here)) {
                core.recycle_ref(this.take().expect("taken once"));
            }
        });
    }
}

/// The waker of the worker's `block_on` future (`Core::block_on`).
impl Wake for Shared {
    fn wake(self: Arc<Self>) {
        self.wake_main();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wake_main();
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("worker", &self.worker)
            .field("remote_pending", &self.remote_pending.load(Relaxed))
            .field("main_woken", &self.main_woken.load(Relaxed))
            .finish_non_exhaustive()
    }
}
