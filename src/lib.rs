//! # spool: an async runtime written from scratch
//!
//! spool is a small, complete async runtime: a hand-written reactor on
//! [mio](https://docs.rs/mio) and an executor whose tasks live in a
//! reusable, slab-backed arena, so that spawning, waking and finishing a
//! task cost no heap allocation once the arena is warm. The API follows
//! tokio's names, so `tokio::spawn` becomes `spool::spawn`.
//!
//! ```
//! let answer = spool::block_on(async {
//!     let a = spool::spawn(async { 20 });
//!     let b = spool::spawn(async { 22 });
//!     a.await.unwrap() + b.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```
//!
//! ## A guided tour of the source
//!
//! Follow one task through the runtime; each step names the file to open.
//!
//! The task mechanism (state word, slot, arena, waker, join protocol, and
//! all of its unsafe code) is in `task/raw/`, which knows nothing of
//! workers: it reaches them through one trait, `Schedule`, that the
//! runtime's per-worker `Shared` implements (`task/raw/mod.rs` draws the
//! layers). The spawning functions and the runtime sit above it.
//!
//! 1. **Spawn** (`task/mod.rs` → `runtime/executor.rs`, `Core::spawn`).
//!    [`spawn`] finds the worker running on this thread
//!    (`runtime/context.rs`), picks the size class that fits the future
//!    (`task/raw/arena.rs`), takes a free slot of that class (or carves one
//!    from a chunk), copies the future straight into it behind a small
//!    header (`task/raw/slot.rs`: one copy, however large the future),
//!    records the slot under a key in a `slab::Slab`, and pushes a `TaskRef`
//!    to it onto the run queue. It returns a [`JoinHandle`].
//! 2. **Run queue** (`runtime/executor.rs`, `Core::tick`). The worker pops
//!    tasks in FIFO order (or in an order drawn from `Builder::seed`,
//!    `runtime/seeded.rs`), at most a batch at a time, and polls each through
//!    a type-erased vtable (`TaskRef::poll`). The state word
//!    (`task/raw/state.rs`) goes from `SCHEDULED` to `RUNNING`; each
//!    transition returns what the worker must do next.
//! 3. **Poll.** The future runs until it must wait. It returns `Pending`
//!    after storing the [`Waker`](std::task::Waker) from its context with
//!    whatever it waits for: a timer, a socket, a channel.
//! 4. **Waker** (`task/raw/waker.rs`). The waker is the slot's address with its
//!    generation in the spare top bits: no allocation, no per-task `Arc`.
//!    Waking sets `SCHEDULED` with one atomic operation; a stale waker (its
//!    task finished, the slot reused) does nothing (after 65,535 reuses of
//!    one slot its tag matches again: at worst one spurious poll).
//! 5. **Reactor** (`reactor/`). When no task is ready, the worker parks in
//!    the reactor, which waits for I/O readiness, the next timer, or a wake
//!    from another thread, and wakes the tasks concerned.
//! 6. **Back to the run queue.** A woken task is queued again, on its own
//!    worker: locally when woken on that thread, through the worker's remote
//!    queue otherwise (`Shared::schedule`, `runtime/shared.rs`). When its
//!    future finally returns `Ready`, the output stays in the slot until the
//!    `JoinHandle` takes it (`task/raw/join.rs`), and once the last handle
//!    to the task (its
//!    `JoinHandle`, any `AbortHandle`) is gone the slot returns to its
//!    class's free list for the next spawn.
//!
//! ```
//! // Two tasks interleave on one thread through the run queue.
//! use std::{cell::RefCell, rc::Rc};
//! let log = Rc::new(RefCell::new(Vec::new()));
//! spool::block_on({
//!     let log = log.clone();
//!     async move {
//!         let tasks: Vec<_> = ["a", "b"]
//!             .into_iter()
//!             .map(|name| {
//!                 let log = log.clone();
//!                 spool::spawn(async move {
//!                     for i in 0..2 {
//!                         log.borrow_mut().push(format!("{name}{i}"));
//!                         spool::task::yield_now().await; // back of the queue
//!                     }
//!                 })
//!             })
//!             .collect();
//!         for t in tasks {
//!             t.await.unwrap();
//!         }
//!     }
//! });
//! assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]);
//! ```
//!
//! ## Modules
//!
//! - [`runtime`]: [`Runtime`], [`Builder`], [`block_on`], [`Metrics`], and
//!   [`runtime::Handle`] to spawn onto a runtime from any thread.
//! - [`task`]: [`spawn`], [`JoinHandle`], aborting, yielding.
//! - [`time`], [`net`]: timers and sockets on the reactor.
//! - [`sync`], [`future`]: channels, semaphore, combinators.
//! - [`buf`]: the buffer pool (rent, use, return).
//! - [`fs`]: files, through the blocking pool.
//! - `signal` (feature `signal`, default): Ctrl-C and Unix signals on the
//!   reactor.
//! - [`testing`]: seeded schedules and the paused clock for tests.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod buf;
pub mod compat;
pub(crate) mod coop;
pub mod fs;
pub mod future;
pub(crate) mod loom;
pub mod net;
pub(crate) mod reactor;
pub mod runtime;
#[cfg(feature = "signal")]
pub mod signal;
pub mod sync;
pub mod task;
pub mod testing;
pub mod time;

pub use runtime::{block_on, Builder, Metrics, Runtime, WorkerMetrics};

/// Runs an `async fn main` on a spool runtime: `#[spool::main]`, or
/// `#[spool::main(workers = N)]` (the body runs on worker 0). Feature
/// `macros` (default).
///
/// ```
/// #[spool::main]
/// async fn main() {
///     let h = spool::spawn(async { 40 + 2 });
///     assert_eq!(h.await.unwrap(), 42);
/// }
/// ```
#[cfg(feature = "macros")]
pub use spool_macros::main;

/// An `async` test on a fresh spool runtime: `#[spool::test]`, optionally
/// `(workers = N)`, `(start_paused = true)` (a paused clock,
/// [`time::pause`]) and `(seed = N)` (a seeded schedule,
/// [`Builder::seed`]); without `seed`, `SPOOL_SEED` gives one. Feature
/// `macros` (default).
///
/// ```
/// # mod m {
/// #[spool::test(start_paused = true)]
/// async fn an_hour_takes_no_time() {
///     spool::time::sleep(std::time::Duration::from_secs(3600)).await;
/// }
/// # }
/// ```
#[cfg(feature = "macros")]
pub use spool_macros::test;
pub use task::{spawn, spawn_blocking, spawn_on, JoinHandle};
