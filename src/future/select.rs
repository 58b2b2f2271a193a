//! [`select`]: race two futures; the first to finish wins, the other is
//! dropped at once.

use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The output of [`select`]: which side finished first, with its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Either<L, R> {
    /// The first (left) future finished first.
    Left(L),
    /// The second (right) future finished first.
    Right(R),
}

impl<L, R> Either<L, R> {
    /// True for [`Either::Left`].
    pub fn is_left(&self) -> bool {
        matches!(self, Either::Left(_))
    }

    /// True for [`Either::Right`].
    pub fn is_right(&self) -> bool {
        matches!(self, Either::Right(_))
    }
}

impl<T> Either<T, T> {
    /// The output, whichever side produced it.
    pub fn into_inner(self) -> T {
        match self {
            Either::Left(v) | Either::Right(v) => v,
        }
    }
}

/// Polls `a` and `b` until one finishes, and returns its output as
/// [`Either::Left`] (from `a`) or [`Either::Right`] (from `b`).
///
/// The loser is dropped in place as soon as the winner finishes, so its
/// destructor (releasing a permit, cancelling a pending send) runs before
/// `select` returns. `a` is polled first on every poll, so when both are
/// ready `a` wins; under a seeded runtime ([`Builder::seed`](crate::Builder::seed))
/// the side polled first is drawn from the seed instead.
pub fn select<A: Future, B: Future>(a: A, b: B) -> Select<A, B> {
    Select {
        a: Some(a),
        b: Some(b),
    }
}

pin_project! {
    /// Future of [`select`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Select<A, B> {
        #[pin]
        a: Option<A>,
        #[pin]
        b: Option<B>,
    }
}

impl<A: Future, B: Future> Future for Select<A, B> {
    type Output = Either<A::Output, B::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let mut a = this
            .a
            .as_mut()
            .as_pin_mut()
            .expect("Select polled after completion");
        let mut b = this
            .b
            .as_mut()
            .as_pin_mut()
            .expect("Select polled after completion");
        // Under a seeded runtime, which side goes first is drawn from the
        // seed; otherwise `a` does.
        let b_first = crate::runtime::seeded::draw(2) == Some(1);
        let out = if b_first {
            match b.as_mut().poll(cx) {
                Poll::Ready(v) => Either::Right(v),
                Poll::Pending => match a.as_mut().poll(cx) {
                    Poll::Ready(v) => Either::Left(v),
                    Poll::Pending => return Poll::Pending,
                },
            }
        } else {
            match a.as_mut().poll(cx) {
                Poll::Ready(v) => Either::Left(v),
                Poll::Pending => match b.as_mut().poll(cx) {
                    Poll::Ready(v) => Either::Right(v),
                    Poll::Pending => return Poll::Pending,
                },
            }
        };
        // Drop both in place: the loser is cancelled, the winner is spent.
        this.a.set(None);
        this.b.set(None);
        Poll::Ready(out)
    }
}

impl<A, B> fmt::Debug for Select<A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("finished", &self.a.is_none())
            .finish_non_exhaustive()
    }
}
