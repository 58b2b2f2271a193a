//! [`Handle`]: the runtime as seen from any thread.
//!
//! Two types live here, one shared by the other:
//!
//! - `RuntimeInner`: what every worker and every [`Handle`] share. It lists
//!   the workers' `Shared` sides (to inject tasks into them and to read their
//!   counters), owns the blocking pool, and picks the least-loaded worker.
//!   Every worker's `Core` holds an `Arc` of it; it is immutable after the
//!   runtime is built.
//! - [`Handle`]: the public, `Clone + Send + Sync` side: an `Arc` of the
//!   `RuntimeInner`. It is how code that is not on a worker (a
//!   `spawn_blocking` closure, a thread of its own) reaches the runtime.
//!
//! # Where a handle comes from
//!
//! [`Runtime::handle`](super::Runtime::handle) anywhere, or
//! [`Handle::current`] on a thread that belongs to the runtime: a worker
//! (the `Core` in the thread's context) or a blocking-pool thread (which
//! keeps a `Weak` of the `RuntimeInner`, see `blocking.rs`, so the pool does
//! not keep its own runtime alive).
//!
//! # After the runtime is dropped
//!
//! A handle keeps `RuntimeInner` alive but not the workers: their `Shared`
//! sides refuse injected tasks once shut down, and so does the blocking
//! pool, so `spawn` and `spawn_blocking` then return a handle that reports
//! the task cancelled.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};

use super::blocking::{self, BlockingPool};
use super::context;
use super::shared::Shared;
use super::Metrics;
use crate::task::raw::{spawn_in_place, Incoming};
use crate::task::remote::{RemoteJoin, WorkerJob};
use crate::task::JoinHandle;

/// What the workers of one runtime and its [`Handle`]s share.
pub(crate) struct RuntimeInner {
    pub(crate) workers: Vec<Arc<Shared>>,
    pub(crate) blocking: BlockingPool,
    /// Where the least-loaded search starts, so ties spread round-robin.
    next: AtomicUsize,
    /// Worker threads (1..n) still in their loop; see [`RuntimeInner::leave_loop`].
    looping: Mutex<usize>,
    all_left: Condvar,
}

/// A new runtime's `Shared::runtime_id`.
pub(crate) fn next_runtime_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    NEXT.fetch_add(1, Relaxed)
}

impl RuntimeInner {
    pub(crate) fn new(workers: Vec<Arc<Shared>>, blocking: BlockingPool) -> RuntimeInner {
        let threads = workers.len().saturating_sub(1);
        RuntimeInner {
            workers,
            blocking,
            next: AtomicUsize::new(0),
            looping: Mutex::new(threads),
            all_left: Condvar::new(),
        }
    }

    /// Called by a worker thread that left its loop (also on unwind, through
    /// [`LoopGuard`]).
    fn left_loop(&self) {
        let mut looping = self.looping.lock().unwrap_or_else(|e| e.into_inner());
        *looping = looping.saturating_sub(1);
        if *looping == 0 {
            self.all_left.notify_all();
        }
    }

    /// A worker thread's mark that it is in its loop: dropping it (when the
    /// loop ends, or on unwind) counts the thread out.
    pub(crate) fn loop_guard(&self) -> LoopGuard<'_> {
        LoopGuard(self)
    }

    /// Waits until every worker thread has left its loop. A worker calls it
    /// before it sweeps its tasks at shutdown: a movable task of its own may
    /// be running on another worker until that one stops.
    pub(crate) fn wait_all_left(&self) {
        let mut looping = self.looping.lock().unwrap_or_else(|e| e.into_inner());
        while *looping > 0 {
            looping = self
                .all_left
                .wait(looping)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The worker with the fewest live and queued tasks.
    pub(crate) fn least_loaded(&self) -> usize {
        let n = self.workers.len();
        if n == 1 {
            return 0;
        }
        let start = self.next.fetch_add(1, Relaxed) % n;
        (0..n)
            .map(|k| (start + k) % n)
            .min_by_key(|&i| self.workers[i].load())
            .unwrap_or(0)
    }

    /// Sends `future` to worker `worker`'s injection queue (`movable`: see
    /// [`inject`]).
    pub(crate) fn inject<F>(&self, worker: usize, future: F, movable: bool) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        inject(&self.workers[worker], future, movable).unwrap_or_else(|cancelled| cancelled)
    }

    /// Counters of every worker.
    pub(crate) fn metrics(&self) -> Metrics {
        Metrics::from_workers(self.workers.iter().map(|w| w.snapshot()).collect())
    }
}

/// Sends `future` to the injection queue of the worker `shared` belongs to.
/// With `movable`, the task may later run on other workers of the runtime
/// (`raw::Movable`).
///
/// `Err` when that worker has shut down: the future is dropped and the
/// handle inside reports the task cancelled.
pub(crate) fn inject<F>(
    shared: &Shared,
    future: F,
    movable: bool,
) -> Result<JoinHandle<F::Output>, JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let job = RemoteJoin::new(future, movable);
    let handle = JoinHandle::remote(job.clone());
    match shared.push_job(job as Arc<dyn WorkerJob>) {
        Ok(()) => Ok(handle),
        Err(job) => {
            job.cancel();
            Err(handle)
        }
    }
}

impl fmt::Debug for RuntimeInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeInner")
            .field("workers", &self.workers.len())
            .finish_non_exhaustive()
    }
}

/// A handle to a runtime, usable from any thread: spawn onto its workers or
/// its blocking pool from threads that are not workers.
///
/// `spool::spawn` needs to run on a worker (the task stays on that worker's
/// thread, which is why it needs no `Send`). A `Handle` works anywhere: get
/// one from [`Runtime::handle`](super::Runtime::handle), or with
/// [`Handle::current`] on a worker or a `spawn_blocking` thread, and move or
/// clone it where it is needed. The [`JoinHandle`]s it returns can be
/// awaited from any thread, under any executor.
///
/// ```
/// use spool::runtime::Handle;
///
/// let rt = spool::Runtime::new().unwrap();
/// let handle = rt.handle();
/// // A thread of our own spawns onto the runtime...
/// let joined = std::thread::spawn(move || handle.spawn(async { 6 * 7 }))
///     .join()
///     .unwrap();
/// // ...and the task runs once the runtime does.
/// assert_eq!(rt.block_on(joined).unwrap(), 42);
///
/// // On a spawn_blocking thread, the runtime is found by itself.
/// let n = rt.block_on(async {
///     spool::spawn_blocking(|| {
///         let task = Handle::current().spawn(async { 1 + 1 });
///         spool::block_on(task).unwrap() // wait for it from this thread
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(n, 2);
/// ```
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<RuntimeInner>,
}

impl Handle {
    pub(crate) fn new(inner: Arc<RuntimeInner>) -> Handle {
        Handle { inner }
    }

    /// The runtime of the calling thread: the one whose worker or blocking
    /// pool runs it.
    ///
    /// # Panics
    ///
    /// On a thread that belongs to no runtime (a thread of your own, or any
    /// thread once the runtime was dropped); use [`try_current`](Self::try_current)
    /// to get `None` instead, or pass a handle from
    /// [`Runtime::handle`](super::Runtime::handle) to that thread.
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!(
                "spool::runtime::Handle::current() must be called on a spool worker or \
                 spawn_blocking thread, but this thread belongs to no spool runtime: \
                 get a Handle with Runtime::handle() and move (or clone) it to this thread"
            ),
        }
    }

    /// The runtime of the calling thread, or `None` on a thread that belongs
    /// to no (live) runtime. See [`current`](Self::current).
    pub fn try_current() -> Option<Handle> {
        context::with_core(|core| core.runtime().clone())
            .or_else(blocking::current_runtime)
            .map(Handle::new)
    }

    /// Spawns a `Send` future onto the runtime's least-loaded worker and
    /// returns a handle to its output, from any thread.
    ///
    /// On that worker's own thread the task goes straight into its arena;
    /// from anywhere else it travels through the worker's injection queue
    /// (one allocation). A task for worker 0 of a runtime that is not
    /// inside `block_on` waits until it is. After the runtime was dropped,
    /// the returned handle reports the task cancelled.
    ///
    /// The task may move: woken on another worker's thread while that
    /// worker has nothing else queued, it runs there next (as a task woken
    /// on a tokio worker runs on it), so that a lock or a message passed
    /// between tasks does not cross threads at every turn. Tasks spawned
    /// with [`spawn_on`](Self::spawn_on) or `spool::spawn` never move.
    ///
    /// # Panics
    ///
    /// When the future would start on the calling worker and its arena is
    /// capped and full ([`Builder::max_tasks`](super::Builder::max_tasks)).
    #[track_caller]
    pub fn spawn<F>(&self, mut future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let worker = self.inner.least_loaded();
        // Lent, not moved, to `place`: copied once, however large.
        spawn_in_place!(future, |future| self.place(worker, future, true))
    }

    /// Spawns a `Send` future onto worker `worker` of this runtime, from any
    /// thread. As [`spawn`](Self::spawn), with the worker chosen by the
    /// caller.
    ///
    /// # Panics
    ///
    /// If `worker` is not below the runtime's worker count, and as
    /// [`spawn`](Self::spawn).
    #[track_caller]
    pub fn spawn_on<F>(&self, worker: usize, mut future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let n = self.inner.workers.len();
        assert!(
            worker < n,
            "Handle::spawn_on: worker {worker} does not exist (the runtime has {n} workers)"
        );
        spawn_in_place!(future, |future| self.place(worker, future, false))
    }

    /// Spawns the lent `future` onto `worker`: into its arena when called on
    /// that worker's thread, through its injection queue otherwise; with
    /// `movable`, as a task that may move ("Hand-off", `executor.rs`).
    #[track_caller]
    fn place<F>(
        &self,
        worker: usize,
        future: Incoming<'_, F>,
        movable: bool,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let target = Arc::as_ptr(&self.inner.workers[worker]);
        let mut future = Some(future);
        // On the target worker's own thread: straight into its arena.
        let local = context::with_core(|core| {
            std::ptr::eq(core.shared_ptr(), target).then(|| {
                let future = future.take().expect("taken once");
                if movable {
                    core.spawn_movable(future).ok()
                } else {
                    core.spawn(future).ok()
                }
            })
        })
        .flatten();
        match (local, future) {
            (Some(Some(handle)), _) => handle,
            (Some(None), _) => {
                panic!("Handle::spawn_on: the task arena of worker {worker} is full (Builder::max_tasks reached)")
            }
            (None, Some(future)) => {
                crate::task::remote::inject(&self.inner, worker, future, movable)
            }
            (None, None) => unreachable!("the future is taken only on its worker"),
        }
    }

    /// Runs a blocking function on this runtime's blocking pool, from any
    /// thread; see [`spool::spawn_blocking`](crate::spawn_blocking).
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.blocking.spawn(f)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.inner.workers.len())
            .finish_non_exhaustive()
    }
}

/// See [`RuntimeInner::loop_guard`].
pub(crate) struct LoopGuard<'a>(&'a RuntimeInner);

impl Drop for LoopGuard<'_> {
    fn drop(&mut self) {
        self.0.left_loop();
    }
}
