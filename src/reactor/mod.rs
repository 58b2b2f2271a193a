//! The reactor: what a worker does when it has no task to run.
//!
//! (Stub: parks the thread on a condition variable. The mio-based reactor
//! replaces the inside of this module; the interface below stays.)
//!
//! Interface used by the executor:
//! - [`Reactor::new`] once per worker,
//! - [`Reactor::park`] with `Some(Duration::ZERO)` to poll without blocking
//!   or `None` to block until an event, a due timer or an unpark,
//! - [`Reactor::unparker`] gives the `Send + Sync` handle that remote wakes use.

use std::fmt;
use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Per-worker event loop (one per thread, never shared).
pub(crate) struct Reactor {
    inner: Arc<ParkInner>,
}

/// The shareable side of a [`Reactor`]: wakes the worker from any thread.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<ParkInner>,
}

struct ParkInner {
    notified: Mutex<bool>,
    condvar: Condvar,
}

/// Undoes [`Reactor::enter`] when dropped.
#[derive(Debug)]
pub(crate) struct EnterGuard {
    _p: (),
}

/// What one [`Reactor::park`] did, for the metrics.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ParkReport {
    /// I/O readiness events dispatched.
    pub(crate) io_events: u64,
    /// Timers that fired.
    pub(crate) timers_fired: u64,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor {
            inner: Arc::new(ParkInner {
                notified: Mutex::new(false),
                condvar: Condvar::new(),
            }),
        })
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Waits for an unpark, at most `timeout` (`None`: no limit).
    pub(crate) fn park(&self, timeout: Option<Duration>) -> ParkReport {
        let mut notified = self.inner.notified.lock().unwrap();
        match timeout {
            Some(d) if d.is_zero() => {}
            Some(d) => {
                if !*notified {
                    notified = self.inner.condvar.wait_timeout(notified, d).unwrap().0;
                }
            }
            None => {
                while !*notified {
                    notified = self.inner.condvar.wait(notified).unwrap();
                }
            }
        }
        *notified = false;
        ParkReport::default()
    }

    /// Makes this reactor the current one of the thread (for `spool::time`
    /// and `spool::net`) until the guard is dropped.
    pub(crate) fn enter(&self) -> EnterGuard {
        EnterGuard { _p: () }
    }

    /// Called once when the runtime shuts down, after every task was dropped.
    pub(crate) fn shutdown(&self) {}
}

impl Unparker {
    /// Wakes the worker if it is parked (or makes its next park return at once).
    pub(crate) fn unpark(&self) {
        *self.inner.notified.lock().unwrap() = true;
        self.inner.condvar.notify_one();
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor").finish_non_exhaustive()
    }
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unparker").finish_non_exhaustive()
    }
}
