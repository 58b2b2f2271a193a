//! Runtime counters: cheap to keep, read as a snapshot.
//!
//! Each worker keeps its counters in its `Shared`, as atomics so that
//! `Runtime::metrics()` can read them from any thread. All but
//! `wakes_remote` have a single writer (the worker's own thread), which
//! bumps them with a plain load and store, never a locked read-modify-write:
//! counting costs about as much as incrementing a local variable.

use crate::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of the runtime's counters, summed over its workers.
///
/// Returned by [`Runtime::metrics`](crate::Runtime::metrics) and
/// [`spool::task::metrics`](crate::task::metrics).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Tasks spawned (`spawn`, `spawn_on`, `Runtime::spawn`, `JoinSet::spawn`).
    pub tasks_spawned: u64,
    /// Tasks whose future finished, panicked or was aborted.
    pub tasks_completed: u64,
    /// Task polls (the `block_on` future is not counted).
    pub polls: u64,
    /// Spawns that took a slot a finished task had returned to the arena.
    pub slots_reused: u64,
    /// Slots the arena had to create (arena growth).
    pub slots_allocated: u64,
    /// Spawns whose future was too large for every slot class and got an
    /// allocation of its own.
    pub boxed_fallbacks: u64,
    /// Wakes that queued a task from its own worker thread (including a
    /// task waking itself, as `yield_now` does).
    pub wakes_local: u64,
    /// Wakes (and detached-handle releases) that came from another thread.
    pub wakes_remote: u64,
    /// I/O readiness events the reactor dispatched.
    pub io_events: u64,
    /// Timers that fired.
    pub timers_fired: u64,
    /// Times a worker blocked in its reactor because it had nothing to run.
    pub reactor_parks: u64,
    /// The same counters for each worker, indexed by worker number.
    pub per_worker: Vec<WorkerMetrics>,
}

/// The counters of one worker.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerMetrics {
    /// See [`Metrics::tasks_spawned`].
    pub tasks_spawned: u64,
    /// See [`Metrics::tasks_completed`].
    pub tasks_completed: u64,
    /// See [`Metrics::polls`].
    pub polls: u64,
    /// See [`Metrics::slots_reused`].
    pub slots_reused: u64,
    /// See [`Metrics::slots_allocated`].
    pub slots_allocated: u64,
    /// See [`Metrics::boxed_fallbacks`].
    pub boxed_fallbacks: u64,
    /// See [`Metrics::wakes_local`].
    pub wakes_local: u64,
    /// See [`Metrics::wakes_remote`].
    pub wakes_remote: u64,
    /// See [`Metrics::io_events`].
    pub io_events: u64,
    /// See [`Metrics::timers_fired`].
    pub timers_fired: u64,
    /// See [`Metrics::reactor_parks`].
    pub reactor_parks: u64,
}

/// The live counters of one worker.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) tasks_spawned: AtomicU64,
    pub(crate) tasks_completed: AtomicU64,
    pub(crate) polls: AtomicU64,
    pub(crate) slots_reused: AtomicU64,
    pub(crate) slots_allocated: AtomicU64,
    pub(crate) boxed_fallbacks: AtomicU64,
    pub(crate) wakes_local: AtomicU64,
    /// Bumped by other threads: the only counter with many writers.
    pub(crate) wakes_remote: AtomicU64,
    pub(crate) io_events: AtomicU64,
    pub(crate) timers_fired: AtomicU64,
    pub(crate) reactor_parks: AtomicU64,
}

/// Adds `n` to a counter that only the calling thread writes.
#[inline]
pub(crate) fn bump(counter: &AtomicU64, n: u64) {
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> WorkerMetrics {
        WorkerMetrics {
            tasks_spawned: self.tasks_spawned.load(Relaxed),
            tasks_completed: self.tasks_completed.load(Relaxed),
            polls: self.polls.load(Relaxed),
            slots_reused: self.slots_reused.load(Relaxed),
            slots_allocated: self.slots_allocated.load(Relaxed),
            boxed_fallbacks: self.boxed_fallbacks.load(Relaxed),
            wakes_local: self.wakes_local.load(Relaxed),
            wakes_remote: self.wakes_remote.load(Relaxed),
            io_events: self.io_events.load(Relaxed),
            timers_fired: self.timers_fired.load(Relaxed),
            reactor_parks: self.reactor_parks.load(Relaxed),
        }
    }
}

impl Metrics {
    /// Sums per-worker snapshots.
    pub(crate) fn from_workers(per_worker: Vec<WorkerMetrics>) -> Metrics {
        let mut m = Metrics::default();
        for w in &per_worker {
            m.tasks_spawned += w.tasks_spawned;
            m.tasks_completed += w.tasks_completed;
            m.polls += w.polls;
            m.slots_reused += w.slots_reused;
            m.slots_allocated += w.slots_allocated;
            m.boxed_fallbacks += w.boxed_fallbacks;
            m.wakes_local += w.wakes_local;
            m.wakes_remote += w.wakes_remote;
            m.io_events += w.io_events;
            m.timers_fired += w.timers_fired;
            m.reactor_parks += w.reactor_parks;
        }
        m.per_worker = per_worker;
        m
    }
}
