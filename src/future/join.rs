//! [`join`]: run two futures concurrently and wait for both.

use super::maybe_done::MaybeDone;
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `a` and `b` concurrently in the current task and returns both
/// outputs, in argument order, once both have finished.
///
/// Each poll polls whichever of the two has not finished yet, `a` first
/// (in an order drawn from the seed under a seeded runtime,
/// [`Builder::seed`](crate::Builder::seed)).
///
/// ```
/// let (x, y) = spool::block_on(spool::future::join(async { 1 }, async { "two" }));
/// assert_eq!((x, y), (1, "two"));
/// ```
pub fn join<A: Future, B: Future>(a: A, b: B) -> Join<A, B> {
    Join {
        a: MaybeDone::new(a),
        b: MaybeDone::new(b),
    }
}

pin_project! {
    /// Future of [`join`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Join<A: Future, B: Future> {
        #[pin]
        a: MaybeDone<A>,
        #[pin]
        b: MaybeDone<B>,
    }
}

impl<A: Future, B: Future> Future for Join<A, B> {
    type Output = (A::Output, B::Output);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        // Under a seeded runtime the order is drawn from the seed.
        let (a_done, b_done) = if crate::runtime::seeded::draw(2) == Some(1) {
            let b_done = this.b.as_mut().poll_done(cx).is_ready();
            (this.a.as_mut().poll_done(cx).is_ready(), b_done)
        } else {
            let a_done = this.a.as_mut().poll_done(cx).is_ready();
            (a_done, this.b.as_mut().poll_done(cx).is_ready())
        };
        if a_done && b_done {
            Poll::Ready((this.a.take_output(), this.b.take_output()))
        } else {
            Poll::Pending
        }
    }
}

impl<A: Future, B: Future> fmt::Debug for Join<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Join").finish_non_exhaustive()
    }
}
