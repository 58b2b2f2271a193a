//! Tasks: spawning, joining, aborting, yielding.
//!
//! A *task* is a future the runtime owns and polls on its own. Spawning one
//! puts the future into a slot of the worker's arena (`arena.rs`), gives it a
//! key in the worker's slab, and queues it; the returned [`JoinHandle`]
//! awaits its output.
//!
//! Files, in reading order:
//!
//! - `state.rs`: the atomic state word of a slot and its transitions (safe
//!   code; the diagram of task states is here);
//! - `raw.rs`: slot layout and the type-erased vtable (unsafe);
//! - `arena.rs`: size-classed slot storage (unsafe);
//! - `waker.rs`: the `RawWakerVTable` (unsafe);
//! - `join.rs`: `JoinHandle`, `AbortHandle`, `JoinError` and the handle
//!   protocol (unsafe);
//! - `remote.rs`: tasks started from another thread (`spawn_on`,
//!   `Runtime::spawn`, `spawn_blocking`);
//! - `join_set.rs`, `builder.rs`, `yield_now.rs`: the rest of the API.

pub(crate) mod arena;
mod builder;
pub(crate) mod join;
mod join_set;
pub(crate) mod raw;
pub(crate) mod remote;
pub(crate) mod state;
pub(crate) mod waker;
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
/// Outside a spool runtime, and when the arena is capped with
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
    match context::expect_core("`spool::spawn`", |core| core.spawn(future).ok()) {
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
        context::expect_core("`spool::task::try_spawn`", |core| core.spawn(future).ok())
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
        context::expect_core("`spool::spawn_on`", |core| {
            let handle = core.handle();
            let n = handle.workers.len();
            assert!(
                worker < n,
                "spool::spawn_on: worker {worker} does not exist (the runtime has {n} workers)"
            );
            if worker == core.shared().worker {
                core.spawn(future).unwrap_or_else(|_| {
                    panic!("spool::spawn_on: the task arena of worker {worker} is full")
                })
            } else {
                remote::inject(handle, worker, future)
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
/// # Panics
///
/// Outside a spool runtime.
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
    context::expect_core("`spool::spawn_blocking`", |core| {
        core.handle().blocking.spawn(f)
    })
}

/// The index of the worker running the caller, `0..worker_count()`.
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
        core.handle().workers.len()
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
/// Spawning through it from another thread, or after the runtime shut down,
/// returns [`futures_task::SpawnError::shutdown`].
#[derive(Clone)]
pub struct Spawner {
    shared: std::sync::Arc<Shared>,
}

impl Spawner {
    fn spawn_detached<F>(&self, mut future: F) -> Result<(), futures_task::SpawnError>
    where
        F: Future<Output = ()> + 'static,
    {
        let target = std::sync::Arc::as_ptr(&self.shared);
        spawn_in_place!(future, |future| {
            context::with_core(|core| {
                if std::ptr::eq(core.shared_ptr(), target) {
                    core.spawn(future).map(drop).ok()
                } else {
                    None
                }
            })
            .flatten()
            .ok_or_else(futures_task::SpawnError::shutdown)
        })
    }
}

impl futures_task::LocalSpawn for Spawner {
    fn spawn_local_obj(
        &self,
        future: futures_task::LocalFutureObj<'static, ()>,
    ) -> Result<(), futures_task::SpawnError> {
        self.spawn_detached(future)
    }
}

impl futures_task::Spawn for Spawner {
    fn spawn_obj(
        &self,
        future: futures_task::FutureObj<'static, ()>,
    ) -> Result<(), futures_task::SpawnError> {
        self.spawn_detached(future)
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner")
            .field("worker", &self.shared.worker)
            .finish()
    }
}
