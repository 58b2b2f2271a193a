//! [`Sleep`]: a future that completes at a deadline.
//!
//! States of a `Sleep` (`entry` and `elapsed`):
//!
//! ```text
//!   new ──poll, deadline passed──────────────────────────► elapsed
//!    │                                                       ▲
//!    └──poll, deadline ahead: Driver::timer_insert ─► armed ─┘ poll after
//!                                                     │  ▲    the heap fired
//!                  drop / reset on another thread:    │  │    it: timer_remove
//!                  reactor::release_timer ◄───────────┘  └── reset: timer_reset
//! ```
//!
//! An armed `Sleep` owns its heap entry (see the `time` module doc); it is
//! `Send` and `Unpin` because it holds no pointer, only the reactor's id
//! and the entry's key.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::Instant;
use crate::reactor;

/// Waits until `duration` has passed: never less, and on Linux within
/// tens of microseconds more on an idle machine (elsewhere up to about a
/// millisecond more; see [the module doc](crate::time#precision)).
///
/// ```
/// use std::time::Duration;
///
/// spool::block_on(async {
///     let start = spool::time::Instant::now();
///     spool::time::sleep(Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= Duration::from_millis(10));
/// });
/// ```
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
#[inline]
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(deadline_after(duration))
}

/// Waits until `deadline` (a [`spool::time::Instant`](Instant), or a
/// `std::time::Instant`, which converts).
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
#[inline]
pub fn sleep_until(deadline: impl Into<Instant>) -> Sleep {
    let deadline = deadline.into();
    if !reactor::is_entered() {
        panic!("{}", reactor::NO_REACTOR);
    }
    Sleep {
        deadline,
        entry: None,
        elapsed: false,
    }
}

/// `now + duration`, or a deadline some 30 years away if that overflows
/// (`Instant + Duration` saturates).
#[inline]
fn deadline_after(duration: Duration) -> Instant {
    Instant::now() + duration
}

/// A future that completes at its deadline; see [`sleep`].
///
/// Unlike tokio's, spool's `Sleep` is `Unpin` (the timer lives in the
/// reactor's heap, not inside the future), so it can be polled through
/// `&mut` without pinning.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    /// The armed heap entry, if any.
    entry: Option<TimerRef>,
    /// Completed; later polls return `Ready` at once.
    elapsed: bool,
}

/// Where an armed `Sleep`'s heap entry lives.
#[derive(Debug, Clone, Copy)]
struct TimerRef {
    reactor: u64,
    key: u32,
}

impl Sleep {
    /// The instant this sleep completes at.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        self.elapsed || Instant::now() >= self.deadline
    }

    /// Moves the deadline (the sleep may complete again after it did).
    /// The timer is re-armed in place, without a new heap entry.
    pub fn reset(&mut self, deadline: impl Into<Instant>) {
        let deadline = deadline.into();
        self.deadline = deadline;
        self.elapsed = false;
        if let Some(t) = self.entry {
            let moved = reactor::try_with_current(|d| {
                (d.id() == t.reactor).then(|| d.timer_reset(t.key, deadline, None))
            });
            if moved.flatten().is_none() {
                self.disarm();
            }
        }
    }

    /// Cancels the heap entry, if armed.
    #[inline]
    fn disarm(&mut self) {
        if let Some(t) = self.entry.take() {
            reactor::release_timer(t.reactor, t.key);
        }
    }

    /// Polls for the deadline without spending coop budget (`Timeout` polls
    /// its timer after its future, which has spent the budget already).
    pub(crate) fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.elapsed {
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        let waker = cx.waker();
        let entry = self.entry;
        let outcome = reactor::with_current(|d| match entry {
            Some(t) if t.reactor == d.id() => {
                if d.timer_poll(t.key, waker) {
                    d.timer_remove(t.key);
                    Outcome::Fired
                } else {
                    Outcome::Pending
                }
            }
            // Not armed, or armed at another worker's reactor: (re-)arm here
            // unless the deadline has passed already.
            _ => {
                if d.clock().now() >= deadline {
                    Outcome::Elapsed
                } else {
                    Outcome::Armed(d.timer_insert(deadline, waker), d.id())
                }
            }
        });
        match outcome {
            Outcome::Pending => Poll::Pending,
            Outcome::Fired => {
                self.entry = None;
                self.elapsed = true;
                Poll::Ready(())
            }
            Outcome::Elapsed => {
                // Deadline passed before (re-)arming here; an entry at
                // another worker is given back.
                self.disarm();
                self.elapsed = true;
                Poll::Ready(())
            }
            Outcome::Armed(key, reactor) => {
                // Moved from another worker: give the old entry back.
                self.disarm();
                self.entry = Some(TimerRef { reactor, key });
                Poll::Pending
            }
        }
    }
}

/// What `poll_elapsed` found, decided inside the reactor borrow and acted
/// on after it.
enum Outcome {
    Pending,
    Fired,
    Elapsed,
    Armed(u32, u64),
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        ready!(crate::coop::poll_proceed(cx));
        self.poll_elapsed(cx)
    }
}

impl Drop for Sleep {
    #[inline]
    fn drop(&mut self) {
        self.disarm();
    }
}
