//! The runtime: workers, their executors, and how to start and stop them.
//!
//! - `executor.rs`: one worker's run queue, task table
//!   and run loop; read it first.
//! - `shared.rs`: the part of a worker other threads may touch (remote
//!   queue, parking handshake, counters); it is the worker's scheduler for
//!   the task mechanism (`impl Schedule for Shared`, the one seam between
//!   `task/raw/` and the runtime: the runtime uses the mechanism, never the
//!   other way round).
//! - `context.rs`: which worker runs on this thread.
//! - `metrics.rs`: the counters behind [`Runtime::metrics`].
//! - `handle.rs`: what the workers share (placement, injection into other
//!   workers, metrics, the blocking pool) and [`Handle`], the public way to
//!   reach the runtime from any thread.
//! - `blocking.rs`: the `spawn_blocking` thread pool.
//! - `seeded.rs`: the seeded run-queue order of `Builder::seed`.
//! - `dump.rs`, `timeline.rs`: the task dump and the poll timeline.
//! - `loom_tests.rs`: loom models of `Shared`'s cross-thread paths.
//!
//! # Workers
//!
//! `Builder::workers(n)` gives `n` workers, each a complete single-threaded
//! executor with its own arena, run queue and reactor (thread per core, as
//! in glommio or monoio). Worker 0 is the thread that calls `block_on`;
//! workers 1..n are threads the runtime starts. A task of `spool::spawn`
//! or `spawn_on` runs on the worker it was spawned on, which is why
//! `spool::spawn` needs no `Send`. `spawn_on(i, fut)` and
//! [`Runtime::spawn`] send a `Send` future to another worker through its
//! injection queue; a task of `Runtime::spawn` or `Handle::spawn` may later
//! run on the worker that wakes it (the executor's "Hand-off"), while its
//! slot stays in its own worker's arena. I/O objects belong to the
//! worker that created them; to move a connection, go through
//! `TcpStream::into_std` / `from_std`.

mod blocking;
pub(crate) mod context;
mod dump;
pub(crate) mod executor;
pub(crate) mod handle;
#[cfg(all(test, spool_loom))]
mod loom_tests;
mod metrics;
pub(crate) mod seeded;
pub(crate) mod shared;
mod timeline;

use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;

pub use dump::{Dump, TaskInfo, TaskState};
pub use metrics::{Metrics, WorkerMetrics};
pub use timeline::{PollEvent, Timeline};

use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use crate::task::raw::spawn_in_place;
use crate::task::JoinHandle;
use executor::{Core, CoreConfig};
pub use handle::Handle;
use handle::RuntimeInner;

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
    /// Worker 0: runs on the thread that calls `block_on`.
    core: Box<Core>,
    /// What the workers and every [`Handle`] share.
    inner: Arc<RuntimeInner>,
    /// Threads of workers 1..n.
    threads: Vec<thread::JoinHandle<()>>,
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

    /// Spawns a `Send` future onto the least-loaded worker. Tasks for worker
    /// 0 run once the runtime runs (inside `block_on`); other workers run
    /// theirs at once. The task may move to the worker that wakes it, as
    /// with [`Handle::spawn`].
    ///
    /// # Panics
    ///
    /// When the chosen worker is worker 0 and its arena is capped and full.
    /// (A task sent to another worker whose arena is full is dropped and
    /// its handle reports it cancelled.)
    pub fn spawn<F>(&self, mut future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // Copied once, into its slot or a box, however large.
        // Movable: it may run on whichever worker wakes it (see
        // `runtime/executor.rs`, "Hand-off").
        spawn_in_place!(future, |future| match self.inner.least_loaded() {
            0 => match self.core.spawn_movable(future) {
                Ok(handle) => handle,
                Err(_) => {
                    panic!("Runtime::spawn: the task arena is full (Builder::max_tasks reached)")
                }
            },
            w => crate::task::remote::inject(&self.inner, w, future, true),
        })
    }

    /// A [`Handle`] to this runtime: `Clone + Send + Sync`, for spawning
    /// onto it from other threads.
    ///
    /// ```
    /// let rt = spool::Builder::new().workers(2).build().unwrap();
    /// let handle = rt.handle();
    /// // A thread of our own hands work to the runtime's workers.
    /// let producer = std::thread::spawn(move || {
    ///     (0..4u64)
    ///         .map(|i| handle.spawn(async move { i * i }))
    ///         .collect::<Vec<_>>()
    /// });
    /// let tasks = producer.join().unwrap();
    /// let sum = rt.block_on(async {
    ///     let mut sum = 0;
    ///     for t in tasks {
    ///         sum += t.await.unwrap();
    ///     }
    ///     sum
    /// });
    /// assert_eq!(sum, 0 + 1 + 4 + 9);
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(self.inner.clone())
    }

    /// A snapshot of the runtime's counters, summed over workers.
    pub fn metrics(&self) -> Metrics {
        self.inner.metrics()
    }

    /// The polls recorded so far by every worker, if the runtime was built
    /// with [`Builder::timeline`] (empty otherwise).
    pub fn timeline(&self) -> Timeline {
        let mut events = Vec::new();
        for w in &self.inner.workers {
            if let Some(rec) = &w.timeline {
                events.extend(rec.snapshot());
            }
        }
        Timeline {
            workers: self.inner.workers.len(),
            events,
        }
    }

    /// Lists every live task of every worker: id, name, state, polls, age.
    ///
    /// Other workers answer on their own thread, so this waits for each of
    /// them to reach its next tick (a worker stuck inside a poll that never
    /// returns cannot answer; its tasks are then missing from the dump).
    ///
    /// ```
    /// let rt = spool::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let h = spool::task::Builder::new()
    ///         .name("sleeper")
    ///         .spawn(std::future::pending::<()>())
    ///         .unwrap();
    ///     spool::task::yield_now().await;
    ///     h.abort_handle() // keep the task alive past block_on
    /// });
    /// let dump = rt.dump();
    /// assert_eq!(dump.tasks[0].name.as_deref(), Some("sleeper"));
    /// assert_eq!(dump.tasks[0].state, spool::runtime::TaskState::Idle);
    /// println!("{dump}");
    /// ```
    pub fn dump(&self) -> Dump {
        let mut tasks = self.core.dump_local();
        let mut replies = Vec::new();
        for w in &self.inner.workers[1..] {
            let (tx, rx) = mpsc::channel();
            let request = Arc::new(dump::DumpRequest::new(tx));
            if w.push_job(request).is_ok() {
                replies.push(rx);
            }
        }
        for rx in replies {
            tasks.extend(rx.recv_timeout(Duration::from_secs(5)).unwrap_or_default());
        }
        Dump { tasks }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Each worker thread leaves its loop, waits until all have (a task
        // of one may be running on another), then sweeps its own tasks.
        for w in &self.inner.workers[1..] {
            w.stop();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        self.core.shutdown();
        self.inner.blocking.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("workers", &self.inner.workers.len())
            .field("live_tasks_worker0", &self.core.live_tasks())
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
    max_blocking_threads: usize,
    blocking_keep_alive: Duration,
    timeline: Option<usize>,
    start_paused: bool,
    thread_stack_size: Option<usize>,
    seed: Option<u64>,
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
            max_blocking_threads: blocking::DEFAULT_MAX_THREADS,
            blocking_keep_alive: blocking::DEFAULT_KEEP_ALIVE,
            timeline: None,
            start_paused: false,
            thread_stack_size: None,
            seed: None,
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

    /// The most threads `spawn_blocking` may start (default 64).
    pub fn max_blocking_threads(mut self, n: usize) -> Builder {
        self.max_blocking_threads = n;
        self
    }

    /// How long an idle blocking thread waits for work before it exits
    /// (default 10 s).
    pub fn blocking_keep_alive(mut self, d: Duration) -> Builder {
        self.blocking_keep_alive = d;
        self
    }

    /// Records every poll (worker, task, start, end) into a ring of
    /// `events_per_worker` events per worker, allocated now; read it with
    /// [`Runtime::timeline`] and draw it with [`Timeline::to_svg`].
    ///
    /// Setting the environment variable `SPOOL_TIMELINE` to a number does
    /// the same for runtimes built without this call (`0` or empty: off).
    ///
    /// [`build`](Builder::build) returns an error, rather than aborting,
    /// when the rings cannot be allocated or `SPOOL_TIMELINE` is not a
    /// number.
    pub fn timeline(mut self, events_per_worker: usize) -> Builder {
        self.timeline = Some(events_per_worker);
        self
    }

    /// The stack size, in bytes, of worker threads 1..n (default: the
    /// standard library's, 2 MiB unless `RUST_MIN_STACK` says otherwise).
    /// Worker 0 runs on the thread that calls `block_on` and keeps that
    /// thread's stack.
    ///
    /// Spawning a future copies it once, straight into its slot, but a
    /// future is still polled on its worker's stack, and whatever it builds
    /// on the stack before moving it into its state (large arrays in debug
    /// builds) needs room there.
    pub fn thread_stack_size(mut self, bytes: usize) -> Builder {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// Starts the runtime with its clock paused (see
    /// [`time::pause`](crate::time::pause)): time moves only through
    /// [`time::advance`](crate::time::advance) and auto-advance. Single
    /// worker only: [`build`](Self::build) refuses it with `workers(n > 1)`.
    pub fn start_paused(mut self, paused: bool) -> Builder {
        self.start_paused = paused;
        self
    }

    /// Seeded, reproducible scheduling: the run queue hands out runnable
    /// tasks in an order drawn from a generator seeded with `seed` (never
    /// starving a task), and `select`/`join` fairness draws from it too.
    /// With a paused clock and no real I/O, the same program and seed poll
    /// the same tasks in the same order every run; other seeds try other
    /// interleavings (see [`testing::explore`](crate::testing::explore)).
    /// Single worker only: [`build`](Self::build) refuses it with
    /// `workers(n > 1)`.
    ///
    /// Without this call, a single-worker runtime takes its seed from the
    /// `SPOOL_SEED` environment variable if it is set (to replay a failing
    /// seed); with neither, the run queue is FIFO.
    pub fn seed(mut self, seed: u64) -> Builder {
        self.seed = Some(seed);
        self
    }

    /// Creates the runtime, starting worker threads 1..n.
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] for `workers(0)`, for
    /// `start_paused(true)` or `seed(..)` with more than one worker, and for
    /// a `SPOOL_SEED` that is not a number.
    pub fn build(self) -> io::Result<Runtime> {
        if self.workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Builder::workers: a runtime needs at least one worker",
            ));
        }
        if self.workers > 1 && (self.start_paused || self.seed.is_some()) {
            let what = if self.start_paused {
                "Builder::start_paused"
            } else {
                "Builder::seed"
            };
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{what} needs a single-worker runtime, but workers({}) was asked \
                     for: a paused clock and a seeded schedule are one worker's",
                    self.workers
                ),
            ));
        }
        let seed = match self.seed {
            Some(seed) => Some(seed),
            None if self.workers == 1 => seeded::env_seed()?,
            None => None,
        };
        let timeline = match self.timeline {
            Some(n) => Some(n),
            None => timeline::from_env()?,
        };
        let config = CoreConfig {
            max_tasks: self.max_tasks,
            timeline: timeline.map(|n| (std::time::Instant::now(), n)),
            seed,
            // Seeded and paused runtimes have one worker (refused above).
            multi_worker: self.workers > 1,
            runtime_id: handle::next_runtime_id(),
        };
        let core = Core::new(0, &config)?;
        if self.start_paused {
            core.reactor.clock().pause();
        }
        let mut shareds = vec![core.shared().clone()];
        let mut threads = Vec::new();
        let mut runtime_txs = Vec::new();
        let (ready_tx, ready_rx) = mpsc::channel();
        for i in 1..self.workers {
            let (runtime_tx, runtime_rx) = mpsc::channel::<(Arc<RuntimeInner>, mpsc::Sender<()>)>();
            let ready_tx = ready_tx.clone();
            let mut thread = thread::Builder::new().name(format!("spool-worker-{i}"));
            if let Some(bytes) = self.thread_stack_size {
                thread = thread.stack_size(bytes);
            }
            let t = thread.spawn(move || {
                // The reactor may not be `Send`: build the core here.
                let core = match Core::new(i, &config) {
                    Ok(core) => core,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                let _ = ready_tx.send(Ok(core.shared().clone()));
                if let Ok((runtime, running_tx)) = runtime_rx.recv() {
                    core.set_runtime(runtime);
                    let _ = running_tx.send(());
                    core.run_worker();
                }
            })?;
            threads.push(t);
            runtime_txs.push(runtime_tx);
        }
        drop(ready_tx);
        let mut started = Vec::new();
        for _ in 1..self.workers {
            match ready_rx.recv() {
                Ok(Ok(shared)) => started.push(shared),
                Ok(Err(e)) => return Err(e), // dropping runtime_txs stops the others
                Err(_) => {
                    return Err(io::Error::other(
                        "a spool worker thread died while starting",
                    ))
                }
            }
        }
        started.sort_by_key(|s| s.worker);
        shareds.extend(started);
        let inner = Arc::new_cyclic(|weak| {
            let blocking = blocking::BlockingPool::new(
                self.max_blocking_threads,
                self.blocking_keep_alive,
                weak.clone(),
            );
            RuntimeInner::new(shareds, blocking)
        });
        core.set_runtime(inner.clone());
        // Wait until every worker thread has run, not merely been created:
        // a thread's first wake-up may land on the CPU of the thread that
        // woke it, behind this one, and would then wait for the first task
        // this thread runs to finish (seen as a ~1 ms stall of worker 1 at
        // start-up on a 2-core machine).
        let (running_tx, running_rx) = mpsc::channel();
        for tx in runtime_txs {
            let _ = tx.send((inner.clone(), running_tx.clone()));
        }
        drop(running_tx);
        for _ in 1..self.workers {
            // An error means a worker died; its JoinHandles report that.
            let _ = running_rx.recv();
        }
        Ok(Runtime {
            core,
            inner,
            threads,
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
