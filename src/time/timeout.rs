//! [`Timeout`]: a future with a deadline.
//!
//! `timeout(d, f)` reads no clock and arms no timer while `f` is ready at
//! once: the deadline is taken when `f` first returns `Pending` (one clock
//! read), and the timer is armed then. `timeout_at` knows its deadline
//! already and only arms lazily.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{sleep_until, Elapsed, Instant, Sleep};
use crate::reactor;

/// Runs `future` for at most `duration`: `Ok(output)` if it finished first,
/// `Err(Elapsed)` (and the future dropped) if the time ran out.
///
/// ```
/// use std::time::Duration;
///
/// spool::block_on(async {
///     let quick = spool::time::timeout(Duration::from_secs(1), async { 7 });
///     assert_eq!(quick.await.unwrap(), 7);
///     let stuck = spool::time::timeout(Duration::from_millis(5), std::future::pending::<()>());
///     assert!(stuck.await.is_err());
/// });
/// ```
///
/// The clock is read, and the timer armed, only when the future first
/// returns `Pending`: a future that is ready at once costs neither. So
/// `duration` counts from that first `Pending` poll, not from this call: a
/// timeout never fires early, and when it is awaited at once it is at
/// worst a few µs late (the time its future's first poll took). Create and
/// await a timeout together, or use [`timeout_at`] for a deadline fixed
/// now.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
#[inline]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    if !reactor::is_entered() {
        panic!("{}", reactor::NO_REACTOR);
    }
    Timeout {
        value: future,
        delay: Delay::After(duration),
    }
}

/// Like [`timeout`], with an absolute deadline.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
#[inline]
pub fn timeout_at<F: Future>(deadline: impl Into<Instant>, future: F) -> Timeout<F> {
    Timeout {
        value: future,
        delay: Delay::At(sleep_until(deadline)),
    }
}

/// The deadline of a [`Timeout`]: a duration not yet started, or a `Sleep`
/// (itself armed lazily, on its first `Pending` poll).
enum Delay {
    After(Duration),
    At(Sleep),
}

pin_project! {
    /// A future with a deadline; see [`timeout`].
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        #[pin]
        value: F,
        delay: Delay,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The wrapped future.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// Gives the wrapped future back.
    pub fn into_inner(self) -> F {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(v) = this.value.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        let sleep = match this.delay {
            Delay::At(sleep) => sleep,
            Delay::After(d) => {
                // The first `Pending`: now the deadline is taken.
                *this.delay = Delay::At(sleep_until(Instant::now() + *d));
                match this.delay {
                    Delay::At(sleep) => sleep,
                    Delay::After(_) => unreachable!("just set"),
                }
            }
        };
        // No coop check here: the future has spent the budget if it did any
        // work, and the deadline must still be noticed.
        sleep.poll_elapsed(cx).map(|()| Err(Elapsed(())))
    }
}

impl<F: fmt::Debug> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Timeout");
        d.field("value", &self.value);
        match &self.delay {
            Delay::After(after) => d.field("after_first_pending", after),
            Delay::At(sleep) => d.field("deadline", &sleep.deadline()),
        };
        d.finish()
    }
}
