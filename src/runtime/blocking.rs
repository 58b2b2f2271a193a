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
//! - `threads` counts live pool threads; `idle` counts the threads waiting
//!   for a job that no `spawn` has claimed yet; `notified` counts wake-ups
//!   sent to idle threads and not yet taken by one. All three change only
//!   under the mutex.
//! - `spawn` claims an idle thread *itself*, under the lock (`idle -= 1`,
//!   `notified += 1`), before waking it. Were the claim left to the woken
//!   thread, a second `spawn` before it retakes the lock would see the same
//!   idle thread, start none, and two jobs would queue for one thread: if the
//!   first waits for the second, both hang. So every queued job has a thread
//!   of its own (claimed or new) while fewer than `max_threads` exist.
//! - A waiting thread that finds `notified > 0` takes one wake-up, whichever
//!   thread it was meant for: the count matters, not the identity. One that
//!   wakes without a wake-up to take (a timeout or a spurious wake-up) is
//!   still counted in `idle` and gives itself up only on keep-alive expiry or
//!   shutdown.
//! - A job is taken off the queue exactly once: by a thread (which runs it)
//!   or by `shutdown` (which cancels it, so its handle reports cancelled).
//! - `shutdown` waits for running jobs: dropping the runtime joins every
//!   thread it started.
//! - A pool thread knows its runtime through a `Weak` (the runtime owns the
//!   pool, so an `Arc` would be a cycle): [`current_runtime`] upgrades it for
//!   `Handle::current()`, and finds nothing once the runtime is gone.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread;
use std::time::Duration;

use super::handle::RuntimeInner;
use crate::task::remote::{BlockingJob, RemoteJoin};
use crate::task::JoinHandle;

thread_local! {
    /// On a pool thread: the runtime that owns the pool.
    static RUNTIME: RefCell<Option<Weak<RuntimeInner>>> = const { RefCell::new(None) };
}

/// The runtime whose blocking pool runs the calling thread, if it is a pool
/// thread and that runtime still exists.
pub(crate) fn current_runtime() -> Option<Arc<RuntimeInner>> {
    RUNTIME
        .try_with(|r| r.borrow().as_ref().and_then(Weak::upgrade))
        .ok()
        .flatten()
}

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
    /// The runtime that owns this pool, for `Handle::current()`.
    runtime: Weak<RuntimeInner>,
}

struct State {
    queue: VecDeque<Arc<dyn BlockingJob>>,
    threads: usize,
    /// Waiting threads that no `spawn` has claimed.
    idle: usize,
    /// Wake-ups sent by `spawn` and not yet taken by a waiting thread.
    notified: usize,
    shutdown: bool,
    /// Threads to join at shutdown (finished ones are pruned as we go).
    handles: Vec<thread::JoinHandle<()>>,
}

impl BlockingPool {
    /// A pool with no thread yet; `runtime` is the runtime that will own it
    /// (made with `Arc::new_cyclic`).
    pub(crate) fn new(
        max_threads: usize,
        keep_alive: Duration,
        runtime: Weak<RuntimeInner>,
    ) -> BlockingPool {
        BlockingPool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    notified: 0,
                    shutdown: false,
                    handles: Vec::new(),
                }),
                condvar: Condvar::new(),
                max_threads: max_threads.max(1),
                keep_alive,
                runtime,
            }),
        }
    }

    /// Queues `f` and returns a handle to its result.
    pub(crate) fn spawn<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let job = RemoteJoin::new(f, false);
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
            // Claim the idle thread now (see the invariants): the next
            // `spawn` must not count it again.
            state.idle -= 1;
            state.notified += 1;
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
        let runtime = self.runtime.clone();
        let _ = RUNTIME.try_with(|r| *r.borrow_mut() = Some(runtime));
        let mut state = self.state.lock().unwrap();
        'jobs: loop {
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
            loop {
                let (s, timeout) = self.condvar.wait_timeout(state, self.keep_alive).unwrap();
                state = s;
                if state.notified > 0 {
                    // Claimed by a `spawn`, which already took us off `idle`.
                    state.notified -= 1;
                    continue 'jobs;
                }
                if state.shutdown || (timeout.timed_out() && state.queue.is_empty()) {
                    state.idle -= 1;
                    break 'jobs;
                }
                // A spurious wake-up, or a timeout with work queued that a
                // claimed thread is about to take: keep waiting.
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
            .field("notified", &s.notified)
            .field("queued", &s.queue.len())
            .finish()
    }
}
