//! Linux only: a `timerfd`, the reactor's nanosecond alarm clock.
//!
//! `epoll_wait` takes its timeout in whole milliseconds (mio rounds up), so
//! a reactor that waits for its next timer through that timeout wakes up to
//! a millisecond late. A timerfd is a file descriptor that becomes readable
//! when its alarm goes off, armed in nanoseconds on `CLOCK_MONOTONIC` (the
//! clock behind `std::time::Instant` on Linux). Registered with the
//! reactor's `mio::Poll` like a socket, it wakes a blocked `epoll_wait` at
//! the deadline; how and when it is armed is `deadline.rs`'s business.
//!
//! This file is the reactor's only unsafe code: two system calls through
//! the `libc` crate, each with its `// SAFETY:` argument. Everything above
//! them is safe: [`TimerFd`] owns its descriptor (an `OwnedFd`, closed
//! exactly once on drop) and takes a `Duration`, so no caller can pass a
//! bad descriptor or a malformed time.
//!
//! The descriptor is never `read`: the reactor registers it edge-triggered
//! (mio always does), every expiry is one edge, and `timerfd_settime`
//! resets the expiry count, so draining it would be a system call for
//! nothing.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// A one-shot `CLOCK_MONOTONIC` timerfd (non-blocking, close-on-exec).
#[derive(Debug)]
pub(crate) struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    /// Opens a disarmed timerfd.
    pub(crate) fn new() -> io::Result<TimerFd> {
        // SAFETY: `timerfd_create` takes two integers and reads or writes no
        // memory of ours; a negative result is checked below.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened by the kernel for this call and is
        // owned by nothing else, so handing it to one `OwnedFd` (which closes
        // it once, on drop) is the only ownership it will ever have.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(TimerFd { fd })
    }

    /// Arms the timer to go off once, `after` from now (relative to the
    /// kernel's `CLOCK_MONOTONIC` when the call runs, so never earlier than
    /// `after` from the caller's last clock read). Replaces any previous
    /// setting and resets the expiry count. A zero `after` would disarm the
    /// timer, so it is raised to one nanosecond.
    pub(crate) fn set(&self, after: Duration) -> io::Result<()> {
        let after = after.max(Duration::from_nanos(1));
        let value = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                // A `time_t` holds 292 billion years: saturating is exact in
                // practice, and the kernel caps the expiry at its own limit.
                tv_sec: libc::time_t::try_from(after.as_secs()).unwrap_or(libc::time_t::MAX),
                // Below 1e9 < 2^31: exact in a `c_long` on every target.
                tv_nsec: after.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: `self.fd` is an open timerfd that `self` owns for as long
        // as this call runs; `value` is a properly initialised `itimerspec`
        // on our stack that the kernel only reads during the call; a null
        // `old_value` is allowed ("not wanted") and nothing is written back.
        let r =
            unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &value, std::ptr::null_mut()) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

impl AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
