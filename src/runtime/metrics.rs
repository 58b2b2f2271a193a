//! Runtime counters: cheap to keep, read as a snapshot.
//!
//! Each worker keeps its counters in its `Shared`, as atomics so that
//! `Runtime::metrics()` can read them from any thread. All but
//! `wakes_remote` have a single writer (the worker's own thread), which
//! bumps them with a plain load and store, never a locked read-modify-write:
//! counting costs about as much as incrementing a local variable.

use crate::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The one list of counters: each appears once here, with its doc, and the
/// macro makes the public [`Metrics`] and [`WorkerMetrics`], the live
/// `Counters`, the snapshot and the sum over workers from it.
macro_rules! counters {
    ($( $(#[doc = $doc:literal])* $name:ident, )*) => {
        /// A snapshot of the runtime's counters, summed over its workers.
        ///
        /// Returned by [`Runtime::metrics`](crate::Runtime::metrics) and
        /// [`spool::task::metrics`](crate::task::metrics).
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct Metrics {
            $( $(#[doc = $doc])* pub $name: u64, )*
            /// The same counters for each worker, indexed by worker number.
            pub per_worker: Vec<WorkerMetrics>,
        }

        /// The counters of one worker (see [`Metrics`] for each).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct WorkerMetrics {
            $( $(#[doc = $doc])* pub $name: u64, )*
        }

        /// The live counters of one worker.
        #[derive(Debug, Default)]
        pub(crate) struct Counters {
            $( pub(crate) $name: AtomicU64, )*
        }

        impl Counters {
            pub(crate) fn snapshot(&self) -> WorkerMetrics {
                WorkerMetrics {
                    $( $name: self.$name.load(Relaxed), )*
                }
            }
        }

        impl Metrics {
            /// Sums per-worker snapshots.
            pub(crate) fn from_workers(per_worker: Vec<WorkerMetrics>) -> Metrics {
                let mut m = Metrics::default();
                for w in &per_worker {
                    $( m.$name += w.$name; )*
                }
                m.per_worker = per_worker;
                m
            }
        }
    };
}

counters! {
    /// Tasks spawned (`spawn`, `spawn_on`, `Runtime::spawn`, `JoinSet::spawn`).
    tasks_spawned,
    /// Tasks whose future finished, panicked or was aborted.
    tasks_completed,
    /// Task polls (the `block_on` future is not counted).
    polls,
    /// Spawns that took a slot a finished task had returned to the arena.
    slots_reused,
    /// Slots the arena had to create (arena growth).
    slots_allocated,
    /// Spawns whose future was too large for every slot class and got an
    /// allocation of its own.
    boxed_fallbacks,
    /// Wakes that queued a task from its own worker thread (including a
    /// task waking itself, as `yield_now` does).
    wakes_local,
    /// Wakes (and releases of a slot whose last handle was dropped there)
    /// that came from another thread. The only counter with many writers.
    wakes_remote,
    /// I/O readiness events the reactor dispatched.
    io_events,
    /// Timers that fired.
    timers_fired,
    /// Times a worker blocked in its reactor because it had nothing to run.
    reactor_parks,
    /// Tasks of another worker woken on this worker's thread while it had
    /// nothing else queued, and run here (the hand-off slot; only tasks
    /// spawned with `Runtime::spawn` or `Handle::spawn` move).
    handoffs,
    /// Tasks an idle worker took from another worker's hand-off slot
    /// because that worker was busy in one long poll.
    steals,
}

/// Adds `n` to a counter that only the calling thread writes.
#[inline]
pub(crate) fn bump(counter: &AtomicU64, n: u64) {
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}
