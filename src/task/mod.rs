//! Tasks: spawning, joining, aborting, yielding.
//!
//! A *task* is a future the runtime owns and polls on its own. Spawning one
//! puts the future into a slot of the worker's arena (`raw/arena.rs`), gives
//! it a key in the worker's slab, and queues it; the returned [`JoinHandle`]
//! awaits its output.
//!
//! Two layers, the lower one knowing nothing of the upper:
//!
//! - `raw/`: **the mechanism** (all of the unsafe code of tasks): the state
//!   word (`state.rs`, safe code, with the diagram of task states), the slot
//!   layout, vtable and the owner's steps (`slot.rs`), size-classed slot
//!   storage (`arena.rs`), the `RawWakerVTable` (`waker.rs`) and the join
//!   protocol with `JoinError` (`join.rs`). It reaches whoever owns the
//!   tasks through one trait, `raw::Schedule`, which the runtime's `Shared`
//!   implements, and imports nothing from the runtime nor from the files
//!   below (see `raw/mod.rs` for the grep that checks it).
//! - this folder's other files, **the API above it**: the spawning
//!   functions (this file), `join.rs` (`JoinHandle`, `AbortHandle` over the
//!   slot handles), `remote.rs` (tasks started from another thread:
//!   `spawn_on`, `Runtime::spawn`, `spawn_blocking`), `builder.rs`,
//!   `join_set.rs` and `yield_now.rs`. These use the runtime (the current
//!   worker, its `Core`) and are safe code.

mod builder;
pub(crate) mod join;
mod join_set;
pub(crate) mod raw;
pub(crate) mod remote;
mod yield_now;

use std::fmt;
use std::future::Future;

pub use builder::Builder;
pub use join::{AbortHandle, JoinError, JoinHandle};
pub use join_set::JoinSet;
pub use yield_now::{yield_now, YieldNow};

pub use crate::runtime::Metrics;
use crate::runtime::{context, shared::Shared};
use raw::{spawn_in_place, Incoming};

/// Spawns a future onto the current worker and returns a handle to its
/// output.
///
/// The future need not be `Send`: it runs on this thread, on this worker,
/// for its whole life. After warm-up, spawning allocates nothing: the future
/// goes into a reused slot of the worker's arena.
///
/// # Panics
///
/// On a thread that is not a worker (the message points to
/// [`Handle::spawn`](crate::runtime::Handle::spawn), which works from any
/// thread), and when the arena is capped with
/// [`Builder::max_tasks`](crate::Builder::max_tasks) and full (use
/// [`try_spawn`] to get the future back instead).
///
/// ```
/// let out = spool::block_on(async {
///     let handle = spool::spawn(async { 6 * 7 });
///     handle.await.unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
#[track_caller]
pub fn spawn<F>(mut future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    // The future is copied once, straight into its slot, however large.
    spawn_in_place!(future, |future| spawn_incoming(future))
}

/// [`spawn`] for a future lent by [`spawn_in_place!`].
#[track_caller]
pub(crate) fn spawn_incoming<F>(future: Incoming<'_, F>) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let spawned = context::expect_worker("`spool::spawn`", "Handle::spawn", |core| {
        core.spawn(future).ok()
    });
    match spawned {
        Some(handle) => handle,
        None => panic!(
            "spool::spawn: the task arena is full (Builder::max_tasks reached on this \
             worker); use spool::task::try_spawn to shed load instead of panicking"
        ),
    }
}

/// Like [`spawn`], but when the arena is full (see
/// [`Builder::max_tasks`](crate::Builder::max_tasks)) returns the future
/// inside a [`SpawnError`] instead of panicking, so a server can shed load.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
pub fn try_spawn<F>(mut future: F) -> Result<JoinHandle<F::Output>, SpawnError<F>>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let spawned = spawn_in_place!(give_back future, |future| {
        context::expect_worker("`spool::task::try_spawn`", "Handle::spawn", |core| {
            core.spawn(future).ok()
        })
    });
    match spawned {
        Ok(handle) => Ok(handle.expect("the future moved into a slot")),
        Err(future) => Err(SpawnError { future }),
    }
}

/// The arena was full: the future that could not be spawned is inside.
pub struct SpawnError<F> {
    future: F,
}

impl<F> SpawnError<F> {
    /// Gives the future back.
    pub fn into_future(self) -> F {
        self.future
    }
}

impl<F> fmt::Debug for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnError").finish_non_exhaustive()
    }
}

impl<F> fmt::Display for SpawnError<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot spawn: the task arena is full (Builder::max_tasks reached)")
    }
}

impl<F> std::error::Error for SpawnError<F> {}

/// Spawns a `Send` future onto worker `worker` of the current runtime.
///
/// On the caller's own worker this is [`spawn`]; otherwise the future
/// travels through the target worker's injection queue (one allocation) and
/// the returned handle works from here.
///
/// # Panics
///
/// Outside a spool runtime, or if `worker >= worker_count()`.
#[track_caller]
pub fn spawn_on<F>(worker: usize, mut future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    spawn_in_place!(future, |future| {
        context::expect_worker("`spool::spawn_on`", "Handle::spawn_on", |core| {
            let runtime = core.runtime();
            let n = runtime.workers.len();
            assert!(
                worker < n,
                "spool::spawn_on: worker {worker} does not exist (the runtime has {n} workers)"
            );
            if worker == core.shared().worker {
                core.spawn(future).unwrap_or_else(|_| {
                    panic!("spool::spawn_on: the task arena of worker {worker} is full")
                })
            } else {
                remote::inject(runtime, worker, future, false)
            }
        })
    })
}

/// Runs a blocking function on the runtime's blocking thread pool, so that
/// it does not stall a worker, and returns a handle to its result.
///
/// A panic in `f` is caught and reported through the handle. `abort` on the
/// handle drops a job that has not started; one that runs cannot be stopped.
///
/// Callable on a worker and on a blocking thread of the runtime (a
/// `spawn_blocking` closure may start more blocking work).
///
/// # Panics
///
/// On a thread that belongs to no spool runtime (use
/// [`Handle::spawn_blocking`](crate::runtime::Handle::spawn_blocking)).
///
/// ```
/// let n = spool::block_on(async {
///     spool::spawn_blocking(|| (1..=10u64).product::<u64>()).await.unwrap()
/// });
/// assert_eq!(n, 3_628_800);
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    // A worker's runtime, or the runtime of this blocking thread (a
    // `spawn_blocking` closure may fan out more blocking work, as in tokio).
    match crate::runtime::Handle::try_current() {
        Some(handle) => handle.spawn_blocking(f),
        None => panic!(
            "`spool::spawn_blocking` must be called on a spool worker or blocking thread, but \
             this thread belongs to no spool runtime: use `spool::runtime::Handle::spawn_blocking` \
             with a Handle from `Runtime::handle()`"
        ),
    }
}

/// The index of the worker running the caller, `0..worker_count()`.
///
/// A task spawned with `Runtime::spawn` or `Handle::spawn` may run on
/// another worker after a wake (see `Handle::spawn`), so two calls from
/// one such task may give different answers; other tasks stay on theirs.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
pub fn current_worker() -> usize {
    context::expect_core("`spool::task::current_worker`", |core| core.shared().worker)
}

/// The number of workers of the current runtime.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
pub fn worker_count() -> usize {
    context::expect_core("`spool::task::worker_count`", |core| {
        core.runtime().workers.len()
    })
}

/// A snapshot of the current runtime's counters.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
pub fn metrics() -> Metrics {
    context::expect_core("`spool::task::metrics`", |core| core.metrics())
}

/// A handle to the current worker implementing the `futures` spawn traits,
/// so libraries written against them run on spool.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
pub fn spawner() -> Spawner {
    context::expect_core("`spool::task::spawner`", |core| Spawner {
        shared: core.shared().clone(),
    })
}

/// Spawns onto the worker it was created on; see [`spawner`].
///
/// Implements [`futures_task::LocalSpawn`] and [`futures_task::Spawn`].
/// A `Send` future ([`Spawn`](futures_task::Spawn)) may be spawned from any
/// thread, a `spawn_blocking` closure included: off its worker it travels
/// through that worker's injection queue, as with [`spawn_on`]. A future
/// that is not `Send` ([`LocalSpawn`](futures_task::LocalSpawn)) can only
/// start on the worker's own thread. After the runtime shut down, both
/// return [`futures_task::SpawnError::shutdown`].
///
/// # Panics
///
/// [`LocalSpawn`](futures_task::LocalSpawn) on a thread other than the
/// worker's: the future cannot travel there, and `SpawnError` can only say
/// "shutdown", which would be false. The message points to
/// `spool::runtime::Handle::spawn` for `Send` futures.
#[derive(Clone)]
pub struct Spawner {
    shared: std::sync::Arc<Shared>,
}

/// What [`Spawner::spawn_here`] found.
enum Here<F> {
    Spawned,
    /// The worker's arena is capped and full.
    Full,
    /// This thread is not the spawner's worker: the future is given back.
    Elsewhere(F),
}

impl Spawner {
    /// Spawns `future` detached if this thread is the spawner's worker.
    fn spawn_here<F>(&self, future: F) -> Here<F>
    where
        F: Future<Output = ()> + 'static,
    {
        let target = std::sync::Arc::as_ptr(&self.shared);
        let mut future = Some(future);
        let spawned = context::with_core(|core| {
            std::ptr::eq(core.shared_ptr(), target).then(|| {
                let mut future = future.take().expect("taken once");
                spawn_in_place!(future, |future| core.spawn(future).is_ok())
            })
        })
        .flatten();
        match (spawned, future) {
            (Some(true), _) => Here::Spawned,
            (Some(false), _) => Here::Full,
            (None, Some(future)) => Here::Elsewhere(future),
            (None, None) => unreachable!("the future is taken only on the worker"),
        }
    }
}

impl futures_task::LocalSpawn for Spawner {
    #[track_caller]
    fn spawn_local_obj(
        &self,
        future: futures_task::LocalFutureObj<'static, ()>,
    ) -> Result<(), futures_task::SpawnError> {
        match self.spawn_here(future) {
            Here::Spawned => Ok(()),
            Here::Full => Err(futures_task::SpawnError::shutdown()),
            Here::Elsewhere(_) => panic!(
                "spool::task::Spawner: cannot spawn a future that is not Send here: this \
                 thread is not spool worker {} (no worker runs on it, e.g. a spawn_blocking \
                 or plain thread), and such a future cannot travel to one. Spawn a Send \
                 future instead with spool::runtime::Handle::spawn (Handle::current() works \
                 on spawn_blocking threads) or through futures_task::Spawn",
                self.shared.worker
            ),
        }
    }
}

impl futures_task::Spawn for Spawner {
    fn spawn_obj(
        &self,
        future: futures_task::FutureObj<'static, ()>,
    ) -> Result<(), futures_task::SpawnError> {
        match self.spawn_here(future) {
            Here::Spawned => Ok(()),
            Here::Full => Err(futures_task::SpawnError::shutdown()),
            // Off the worker: through its injection queue, as `spawn_on`.
            Here::Elsewhere(future) => crate::runtime::handle::inject(&self.shared, future, false)
                .map(drop)
                .map_err(|_| futures_task::SpawnError::shutdown()),
        }
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner")
            .field("worker", &self.shared.worker)
            .finish()
    }
}
