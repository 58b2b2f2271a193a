//! The blocking pool: threads for work that would stall a worker.
//!
//! A worker must never block: while it waits in a `read(2)` or a long
//! computation, none of its other tasks run. `spool::spawn_blocking` sends
//! such work here instead. Threads start lazily, up to a cap
//! (`Builder::max_blocking_threads`); an idle thread exits after a
//! keep-alive (`Builder::blocking_keep_alive`); results come back through a
//! `JoinHandle`.
//!
//! # Invariants
//!
//! - `threads` counts live pool threads, `idle` those waiting for a job;
//!   both change only under the mutex.
//! - A job is taken off the queue exactly once: by a thread (which runs it)
//!   or by `shutdown` (which cancels it, so its handle reports cancelled).
//! - `shutdown` waits for running jobs: dropping the runtime joins every
//!   thread it started.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use crate::task::remote::{BlockingJob, RemoteJoin};
use crate::task::JoinHandle;

/// Default cap on blocking threads.
pub(crate) const DEFAULT_MAX_THREADS: usize = 64;
/// Default idle time after which a blocking thread exits.
pub(crate) const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(10);

/// A lazily grown pool of threads for blocking jobs.
pub(crate) struct BlockingPool {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    condvar: Condvar,
    max_threads: usize,
    keep_alive: Duration,
}

struct State {
    queue: VecDeque<Arc<dyn BlockingJob>>,
    threads: usize,
    idle: usize,
    shutdown: bool,
    /// Threads to join at shutdown (finished ones are pruned as we go).
    handles: Vec<thread::JoinHandle<()>>,
}

impl BlockingPool {
    pub(crate) fn new(max_threads: usize, keep_alive: Duration) -> BlockingPool {
        BlockingPool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    shutdown: false,
                    handles: Vec::new(),
                }),
                condvar: Condvar::new(),
                max_threads: max_threads.max(1),
                keep_alive,
            }),
        }
    }

    /// Queues `f` and returns a handle to its result.
    pub(crate) fn spawn<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let job = RemoteJoin::new(f);
        let handle = JoinHandle::remote(job.clone());
        // A paused clock waits for the job before auto-advancing.
        let job = crate::time::clock::hold_while(job);
        let mut state = self.inner.state.lock().unwrap();
        if state.shutdown {
            drop(state);
            job.cancel();
            return handle;
        }
        state.queue.push_back(job);
        if state.idle > 0 {
            drop(state);
            self.inner.condvar.notify_one();
        } else if state.threads < self.inner.max_threads {
            state.threads += 1;
            state.handles.retain(|h| !h.is_finished());
            let inner = self.inner.clone();
            let spawned = thread::Builder::new()
                .name("spool-blocking".into())
                .spawn(move || inner.run());
            match spawned {
                Ok(h) => state.handles.push(h),
                // Could not start a thread: an existing one will get to the
                // job; with none at all, the job fails rather than hangs.
                Err(_) => {
                    state.threads -= 1;
                    if state.threads == 0 {
                        let job = state.queue.pop_back();
                        drop(state);
                        if let Some(job) = job {
                            job.cancel();
                        }
                    }
                }
            }
        }
        handle
    }

    /// Cancels queued jobs, waits for running ones, joins every thread.
    pub(crate) fn shutdown(&self) {
        let (jobs, handles) = {
            let mut state = self.inner.state.lock().unwrap();
            state.shutdown = true;
            (
                std::mem::take(&mut state.queue),
                std::mem::take(&mut state.handles),
            )
        };
        self.inner.condvar.notify_all();
        for job in jobs {
            job.cancel();
        }
        for h in handles {
            let _ = h.join();
        }
    }
}

impl Inner {
    /// A pool thread: run jobs until idle for `keep_alive` or shut down.
    fn run(&self) {
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(job) = state.queue.pop_front() {
                drop(state);
                job.run(); // panics are caught inside
                state = self.state.lock().unwrap();
                continue;
            }
            if state.shutdown {
                break;
            }
            state.idle += 1;
            let (s, timeout) = self.condvar.wait_timeout(state, self.keep_alive).unwrap();
            state = s;
            state.idle -= 1;
            if timeout.timed_out() && state.queue.is_empty() && !state.shutdown {
                break;
            }
        }
        state.threads -= 1;
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.inner.state.lock().unwrap();
        f.debug_struct("BlockingPool")
            .field("threads", &s.threads)
            .field("idle", &s.idle)
            .field("queued", &s.queue.len())
            .finish()
    }
}
