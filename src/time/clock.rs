//! The runtime's clock: real time, or a virtual clock for tests.
//!
//! Every reactor owns a [`Clock`]. It starts *real* ([`Instant::now`] is
//! `std::time::Instant::now()`), and a single-worker runtime may pause it:
//!
//! ```text
//!            pause()                       resume()
//!   Real ─────────────► Paused { at } ───────────────► Shifted { virt, real }
//!                        │    ▲                           │
//!    advance(d): at += d │    │ pause(): at = now()       │ now() = virt + (real now − real)
//!    auto-advance: at =  └────┘ ◄─────────────────────────┘
//!    the next deadline
//! ```
//!
//! - **Paused**: time stands still. It moves only through
//!   [`advance`](super::advance), or by *auto-advance*: when the worker has
//!   nothing to run, no I/O is ready (the reactor polls the OS with a zero
//!   timeout first) and no `spawn_blocking` job is in flight, the reactor
//!   sets the clock to the next timer's deadline and fires it, instead of
//!   sleeping. So a test of a one-hour timeout runs in microseconds, and
//!   the order in which timers fire is the order of their deadlines (ties
//!   in arming order), whatever the machine's speed.
//! - **Shifted**: after `resume()`, the clock continues from the frozen
//!   time (it never goes back) and follows real time from there.
//!
//! # Who touches what
//!
//! The state is a `Cell` touched only by the reactor's thread. Reading the
//! clock must stay cheap when it is real (a timeout reads it on every
//! call), so a thread-local flag, [`VIRTUAL`], says whether the reactor
//! entered on this thread has a virtual clock: when it is false,
//! [`now`] is one thread-local load and `std::time::Instant::now()`. The
//! flag follows the reactor in and out ([`entered`]) and follows
//! `pause`/`resume`. The one cross-thread part is the count of
//! `spawn_blocking` jobs that hold auto-advance off ([`Hold`]), an atomic.

use std::cell::Cell;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::Instant;
use crate::reactor::{self, Unparker};
use crate::task::remote::BlockingJob;

thread_local! {
    /// True while the reactor entered on this thread has a paused or
    /// shifted clock (see the module doc).
    static VIRTUAL: Cell<bool> = const { Cell::new(false) };
}

/// The runtime's current time (see [`Instant::now`]).
#[inline]
pub(crate) fn now() -> Instant {
    if VIRTUAL.try_with(Cell::get).unwrap_or(false) {
        if let Some(t) = reactor::try_with_current(|d| d.clock().now()) {
            return t;
        }
    }
    Instant::from_std(std::time::Instant::now())
}

/// Sets this thread's [`VIRTUAL`] flag for a reactor being entered (or
/// left: `virtual_` is then the previous value); returns the old value.
pub(crate) fn entered(virtual_: bool) -> bool {
    VIRTUAL.try_with(|v| v.replace(virtual_)).unwrap_or(false)
}

/// One reactor's clock (see the module doc).
pub(crate) struct Clock {
    state: Cell<State>,
    /// `spawn_blocking` jobs in flight while paused: auto-advance waits
    /// for them (their result may be what the test waits for).
    holds: Arc<AtomicUsize>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// `std::time::Instant::now()`.
    Real,
    /// Frozen at `at`.
    Paused { at: Instant },
    /// Resumed: `virt + (std now - real)`.
    Shifted {
        virt: Instant,
        real: std::time::Instant,
    },
}

impl Clock {
    /// A real clock.
    pub(crate) fn new() -> Clock {
        Clock {
            state: Cell::new(State::Real),
            holds: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The clock's time.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        match self.state.get() {
            State::Real => Instant::from_std(std::time::Instant::now()),
            State::Paused { at } => at,
            State::Shifted { virt, real } => virt + real.elapsed(),
        }
    }

    /// The clock's time and the real time it was read at (one read of the
    /// system clock; a paused clock reads it only for the second value).
    #[inline]
    pub(crate) fn now_with_real(&self) -> (Instant, std::time::Instant) {
        let real = std::time::Instant::now();
        let now = match self.state.get() {
            State::Real => Instant::from_std(real),
            State::Paused { at } => at,
            State::Shifted { virt, real: since } => virt + real.saturating_duration_since(since),
        };
        (now, real)
    }

    /// True if paused.
    #[inline]
    pub(crate) fn is_paused(&self) -> bool {
        matches!(self.state.get(), State::Paused { .. })
    }

    /// True if not real (paused now, or resumed after a pause).
    pub(crate) fn is_virtual(&self) -> bool {
        !matches!(self.state.get(), State::Real)
    }

    /// Freezes the clock at its current time (no-op if paused already).
    /// The caller updates this thread's [`VIRTUAL`] flag if the clock is
    /// entered here.
    pub(crate) fn pause(&self) {
        if !self.is_paused() {
            self.state.set(State::Paused { at: self.now() });
        }
    }

    /// Lets a paused clock follow real time again, from where it stands.
    pub(crate) fn resume(&self) {
        if let State::Paused { at } = self.state.get() {
            self.state.set(State::Shifted {
                virt: at,
                real: std::time::Instant::now(),
            });
        }
    }

    /// Moves a paused clock forward by `d`.
    ///
    /// # Panics
    ///
    /// If the clock is not paused.
    #[track_caller]
    pub(crate) fn advance(&self, d: Duration) {
        match self.state.get() {
            State::Paused { at } => self.state.set(State::Paused { at: at + d }),
            _ => panic!(
                "spool::time::advance: the clock is not paused; call \
                 `spool::time::pause()` or build the runtime with \
                 `Builder::start_paused(true)` first"
            ),
        }
    }

    /// Auto-advance: moves a paused clock to `deadline` if that is later.
    pub(crate) fn advance_to(&self, deadline: Instant) {
        if let State::Paused { at } = self.state.get() {
            if deadline > at {
                self.state.set(State::Paused { at: deadline });
            }
        }
    }

    /// True while a `spawn_blocking` job holds auto-advance off.
    pub(crate) fn is_held(&self) -> bool {
        self.holds.load(Ordering::Acquire) > 0
    }

    /// Holds auto-advance off until the returned guard drops.
    pub(crate) fn hold(&self, unparker: Unparker) -> Hold {
        self.holds.fetch_add(1, Ordering::AcqRel);
        Hold {
            holds: self.holds.clone(),
            unparker,
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("state", &self.state.get())
            .field("holds", &self.holds.load(Ordering::Relaxed))
            .finish()
    }
}

/// Keeps a paused clock from auto-advancing while a `spawn_blocking` job
/// is queued or runs. Dropped (on the pool thread) after the job's result
/// was published and its `JoinHandle` woken; then it wakes the worker, so
/// that it looks again.
pub(crate) struct Hold {
    holds: Arc<AtomicUsize>,
    unparker: Unparker,
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.holds.fetch_sub(1, Ordering::AcqRel);
        self.unparker.unpark();
    }
}

impl fmt::Debug for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hold").finish_non_exhaustive()
    }
}

/// A blocking job that holds auto-advance off until it ran or was
/// cancelled (see [`hold_while`]).
struct Held {
    job: Arc<dyn BlockingJob>,
    /// Dropped after the job: `Option` so that `run`/`cancel` (`&self`)
    /// can end the hold then, not when the queue entry is freed.
    hold: std::sync::Mutex<Option<Hold>>,
}

impl Held {
    /// Ends the hold (after the job's handle was woken).
    fn release(&self) {
        let hold = self.hold.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(hold);
    }
}

impl BlockingJob for Held {
    fn run(&self) {
        self.job.run();
        self.release();
    }

    fn cancel(&self) {
        self.job.cancel();
        self.release();
    }
}

/// Wraps a `spawn_blocking` job so that, if the runtime on this thread has
/// a paused clock, auto-advance waits until the job has finished and its
/// `JoinHandle` was woken (as in tokio). Unchanged otherwise.
pub(crate) fn hold_while(job: Arc<dyn BlockingJob>) -> Arc<dyn BlockingJob> {
    if !VIRTUAL.try_with(Cell::get).unwrap_or(false) {
        return job;
    }
    let hold = reactor::try_with_current(|d| d.clock().is_paused().then(|| d.hold_clock()));
    match hold.flatten() {
        Some(hold) => Arc::new(Held {
            job,
            hold: std::sync::Mutex::new(Some(hold)),
        }),
        None => job,
    }
}
