//! `Handle`: the runtime as seen from any of its workers.
//!
//! Every worker's `Core` holds an `Arc<Handle>`. It lists the workers'
//! `Shared` sides (to inject tasks into them and to read their counters) and
//! owns the blocking pool. It is immutable after the runtime is built.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use super::blocking::BlockingPool;
use super::shared::Shared;
use super::Metrics;
use crate::task::remote::{Injected, RemoteJoin};
use crate::task::JoinHandle;

/// The shareable side of a runtime.
pub(crate) struct Handle {
    pub(crate) workers: Vec<Arc<Shared>>,
    pub(crate) blocking: BlockingPool,
    /// Where the least-loaded search starts, so ties spread round-robin.
    next: AtomicUsize,
}

impl Handle {
    pub(crate) fn new(workers: Vec<Arc<Shared>>, blocking: BlockingPool) -> Handle {
        Handle {
            workers,
            blocking,
            next: AtomicUsize::new(0),
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

    /// Sends `future` to worker `worker`'s injection queue.
    pub(crate) fn inject<F>(&self, worker: usize, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        inject(&self.workers[worker], future).unwrap_or_else(|cancelled| cancelled)
    }

    /// Counters of every worker.
    pub(crate) fn metrics(&self) -> Metrics {
        Metrics::from_workers(self.workers.iter().map(|w| w.counters.snapshot()).collect())
    }
}

/// Sends `future` to the injection queue of the worker `shared` belongs to.
///
/// `Err` when that worker has shut down: the future is dropped and the
/// handle inside reports the task cancelled.
pub(crate) fn inject<F>(
    shared: &Shared,
    future: F,
) -> Result<JoinHandle<F::Output>, JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let job = RemoteJoin::new(future);
    let handle = JoinHandle::remote(job.clone());
    match shared.push_injected(job as Arc<dyn Injected>) {
        Ok(()) => Ok(handle),
        Err(job) => {
            job.cancel();
            Err(handle)
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.workers.len())
            .finish_non_exhaustive()
    }
}
