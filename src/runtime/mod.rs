//! The runtime: workers, their executors, and how to start and stop them.
//!
//! - [`executor`](self) (`executor.rs`): one worker's run queue, task table
//!   and run loop; read it first.
//! - `shared.rs`: the part of a worker other threads may touch (remote
//!   queue, parking handshake, counters).
//! - `context.rs`: which worker runs on this thread.
//! - `metrics.rs`: the counters behind [`Runtime::metrics`].

pub(crate) mod context;
pub(crate) mod executor;
mod metrics;
pub(crate) mod shared;

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;

pub use metrics::{Metrics, WorkerMetrics};

use crate::task::JoinHandle;
use executor::Core;

/// A spool runtime: worker 0 runs on the thread that calls
/// [`block_on`](Runtime::block_on).
///
/// Dropping the runtime drops every unfinished task (each destructor runs
/// exactly once) and frees the task arena; wakers that outlive it stay
/// harmless.
///
/// ```
/// let rt = spool::Runtime::new().unwrap();
/// let v = rt.block_on(async {
///     let h = spool::spawn(async { "hello" });
///     h.await.unwrap()
/// });
/// assert_eq!(v, "hello");
/// ```
pub struct Runtime {
    core: Box<Core>,
    /// The runtime stays on the thread that created it.
    _not_send: PhantomData<*const ()>,
}

impl Runtime {
    /// A single-threaded runtime (one worker: the calling thread).
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// Runs `future` to completion on this thread, running spawned tasks,
    /// timers and I/O while it waits. The future need not be `Send` or
    /// `'static`.
    ///
    /// Tasks still running when it returns stay in the runtime and continue
    /// at the next `block_on`.
    ///
    /// # Panics
    ///
    /// If called from inside a runtime (nested `block_on`), and if `future`
    /// panics (the panic propagates; the runtime stays usable).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.core.block_on(future)
    }

    /// Spawns a `Send` future onto the runtime. It runs once the runtime
    /// runs (inside `block_on`).
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.core.spawn(future) {
            Ok(handle) => handle,
            Err(_) => panic!("Runtime::spawn: the task arena is full (Builder::max_tasks reached)"),
        }
    }

    /// A snapshot of the runtime's counters, summed over workers.
    pub fn metrics(&self) -> Metrics {
        self.core.metrics()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.core.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &1)
            .field("live_tasks", &self.core.live_tasks())
            .finish()
    }
}

/// Configures a [`Runtime`].
///
/// ```
/// let rt = spool::Builder::new().max_tasks(10_000).build().unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    workers: usize,
    max_tasks: Option<usize>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// Default settings: one worker, an arena without a cap.
    pub fn new() -> Builder {
        Builder {
            workers: 1,
            max_tasks: None,
        }
    }

    /// The number of workers (threads), `n >= 1`; 1 is single-threaded.
    pub fn workers(mut self, n: usize) -> Builder {
        self.workers = n;
        self
    }

    /// Caps the arena at `n` live spawned tasks per worker (the `block_on`
    /// future does not count). Past the cap, `spawn` panics and
    /// [`try_spawn`](crate::task::try_spawn) returns the future.
    pub fn max_tasks(mut self, n: usize) -> Builder {
        self.max_tasks = Some(n);
        self
    }

    /// Creates the runtime.
    pub fn build(self) -> io::Result<Runtime> {
        if self.workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Builder::workers: a runtime needs at least one worker",
            ));
        }
        if self.workers > 1 {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "Builder::workers: multi-worker mode is not implemented yet",
            ));
        }
        Ok(Runtime {
            core: Core::new(0, self.max_tasks)?,
            _not_send: PhantomData,
        })
    }
}

/// Creates a single-threaded runtime, runs `future` to completion on it, and
/// drops the runtime (and every task still in it).
///
/// ```
/// assert_eq!(spool::block_on(async { 40 + 2 }), 42);
/// ```
///
/// # Panics
///
/// If the runtime cannot be created (the OS refused the reactor's resources),
/// or when called inside a runtime.
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    let rt = Runtime::new().expect("spool::block_on: failed to create the runtime");
    rt.block_on(future)
}
