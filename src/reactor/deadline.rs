//! How a parked reactor wakes up for its next timer.
//!
//! When [`park`](super::Reactor::park) blocks with a timer armed, something
//! must end the wait at the earliest deadline. [`Deadline::wait`] decides
//! what, and returns the timeout to hand to `mio::Poll::poll`:
//!
//! - **Linux**: a [`TimerFd`] registered with the reactor's poll under
//!   [`TIMER_TOKEN`] goes off at the deadline, to the nanosecond, and the
//!   poll itself blocks with no timeout (or the caller's). A `sleep(100 µs)`
//!   takes about 100 µs plus the kernel's wake-up latency, instead of the
//!   one or two milliseconds `epoll_wait`'s millisecond timeout would give.
//! - **Elsewhere** (and on Linux if the timerfd cannot be opened, e.g. the
//!   process is out of file descriptors): the poll timeout, which mio rounds
//!   *up* to whole milliseconds, so a timer fires up to 1 ms late, never
//!   early.
//!
//! # What it costs (Linux)
//!
//! The timerfd is opened (two system calls) on the first blocking park with
//! a timer armed, so a reactor that never waits for a timer never has one.
//! After that, a park pays one `timerfd_settime` only when the alarm must
//! move *earlier*:
//!
//! - no timer armed, or a park that does not block (tasks still queued, or
//!   the deadline already passed): no system call beyond the poll itself;
//! - the alarm already goes off at or before the earliest deadline, and
//!   still in the future: nothing to do. An alarm *earlier* than needed is
//!   kept too (the timer it was set for was cancelled, say): it wakes the
//!   reactor once for nothing and is set again then. So a loop of
//!   `timeout(10 s, ..)`s that keep finishing in time, whose deadlines only
//!   move later, costs no system call per timeout, only one every 10 s;
//! - otherwise (no alarm set, or it went off already, or it is later than
//!   the earliest deadline): one `timerfd_settime`.
//!
//! The alarm is never disarmed: one that outlives its timers costs at most
//! one spurious wake-up.

#[cfg(target_os = "linux")]
use std::cell::{Cell, OnceCell};
use std::time::Duration;

#[cfg(target_os = "linux")]
use super::timerfd::TimerFd;

/// Token of the deadline timerfd (Linux); slab keys never reach it.
pub(crate) const TIMER_TOKEN: mio::Token = mio::Token(usize::MAX - 1);

/// A reactor's way to end a blocking park at its next deadline (see the
/// module doc).
#[derive(Debug)]
pub(crate) struct Deadline {
    /// Opened and registered on first use; `None` inside if that failed
    /// (the millisecond poll timeout is then used instead).
    #[cfg(target_os = "linux")]
    fd: OnceCell<Option<TimerFd>>,
    /// When the alarm goes off (real time; the kernel's expiry is at or a
    /// few nanoseconds after it), if it was set.
    #[cfg(target_os = "linux")]
    armed: Cell<Option<std::time::Instant>>,
    /// `timerfd_settime` calls so far (tests).
    #[cfg(target_os = "linux")]
    sets: Cell<u64>,
}

impl Deadline {
    /// No alarm yet.
    pub(crate) fn new() -> Deadline {
        Deadline {
            #[cfg(target_os = "linux")]
            fd: OnceCell::new(),
            #[cfg(target_os = "linux")]
            armed: Cell::new(None),
            #[cfg(target_os = "linux")]
            sets: Cell::new(0),
        }
    }

    /// The poll timeout of a park that must end `until` (not zero) after
    /// `now` (a real-time reading), or after the caller's `timeout`,
    /// whichever is first. On Linux this sets the alarm when needed.
    #[cfg(target_os = "linux")]
    pub(crate) fn wait(
        &self,
        registry: &mio::Registry,
        now: std::time::Instant,
        until: Duration,
        timeout: Option<Duration>,
    ) -> Option<Duration> {
        // The caller's timeout ends the park first: no alarm needed.
        if timeout.is_some_and(|t| t < until) {
            return timeout;
        }
        let (Some(fd), Some(target)) = (self.fd(registry), now.checked_add(until)) else {
            return Some(until);
        };
        let set = self.armed.get().is_some_and(|at| now < at && at <= target);
        if !set {
            if fd.set(until).is_err() {
                self.armed.set(None);
                return Some(until);
            }
            self.armed.set(Some(target));
            self.sets.set(self.sets.get() + 1);
        }
        timeout
    }

    /// The poll timeout of a park that must end `until` (not zero) from now
    /// or after the caller's `timeout`, whichever is first: mio rounds it
    /// up to whole milliseconds.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn wait(
        &self,
        _registry: &mio::Registry,
        _now: std::time::Instant,
        until: Duration,
        timeout: Option<Duration>,
    ) -> Option<Duration> {
        Some(timeout.map_or(until, |t| t.min(until)))
    }

    /// The timerfd, opened and registered on first use.
    #[cfg(target_os = "linux")]
    fn fd(&self, registry: &mio::Registry) -> Option<&TimerFd> {
        self.fd
            .get_or_init(|| {
                use std::os::fd::AsRawFd;
                let fd = TimerFd::new().ok()?;
                let raw = fd.as_raw_fd();
                registry
                    .register(
                        &mut mio::unix::SourceFd(&raw),
                        TIMER_TOKEN,
                        mio::Interest::READABLE,
                    )
                    .ok()?;
                Some(fd)
            })
            .as_ref()
    }

    /// How many times the alarm was set (`timerfd_settime` calls).
    #[cfg(all(test, target_os = "linux"))]
    pub(crate) fn sets(&self) -> u64 {
        self.sets.get()
    }
}
