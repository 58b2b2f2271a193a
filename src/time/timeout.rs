//! [`Timeout`]: a future with a deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use super::{sleep::deadline_after, sleep_until, Elapsed, Instant, Sleep};

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
/// The timer is armed only if the future returns `Pending`; a future that
/// is ready at once costs a clock read and no timer.
///
/// # Panics
///
/// Outside a spool runtime.
#[track_caller]
#[inline]
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    timeout_at(deadline_after(duration), future)
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
        delay: sleep_until(deadline),
    }
}

pin_project! {
    /// A future with a deadline; see [`timeout`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<F> {
        #[pin]
        value: F,
        delay: Sleep,
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
        // No coop check here: the future has spent the budget if it did any
        // work, and the deadline must still be noticed.
        this.delay.poll_elapsed(cx).map(|()| Err(Elapsed(())))
    }
}
