//! [`join_all`]: run many futures of one type concurrently and collect
//! their outputs in input order.
//!
//! The futures live in one pinned boxed slice (one allocation for all of
//! them). Each poll polls every future that has not finished yet, so a
//! wake costs O(n): fine for tens or hundreds of futures. For thousands,
//! spawn them as tasks instead (a `JoinSet`, or `spawn` and await the
//! handles in order), which polls only the tasks that were woken.

use super::maybe_done::MaybeDone;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs every future of `iter` concurrently in the current task and returns
/// their outputs in input order once all have finished.
pub fn join_all<I>(iter: I) -> JoinAll<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    let elems: Box<[MaybeDone<I::Item>]> = iter.into_iter().map(MaybeDone::new).collect();
    JoinAll {
        elems: Box::into_pin(elems),
    }
}

/// Future of [`join_all`].
#[must_use = "futures do nothing unless polled"]
pub struct JoinAll<F: Future> {
    elems: Pin<Box<[MaybeDone<F>]>>,
}

/// Pinned references to every element of a pinned slice.
fn iter_pin_mut<T>(slice: Pin<&mut [T]>) -> impl Iterator<Item = Pin<&mut T>> {
    // SAFETY: we never move the elements out of the slice: each is only
    // handed out again as `Pin<&mut T>`, and the slice itself is pinned, so
    // every element stays at its address until it is dropped in place.
    unsafe { slice.get_unchecked_mut() }
        .iter_mut()
        // SAFETY: as above, the element is pinned because the slice is.
        .map(|elem| unsafe { Pin::new_unchecked(elem) })
}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut all_done = true;
        for elem in iter_pin_mut(self.elems.as_mut()) {
            if elem.poll_done(cx).is_pending() {
                all_done = false;
            }
        }
        if !all_done {
            return Poll::Pending;
        }
        let outputs = iter_pin_mut(self.elems.as_mut())
            .map(MaybeDone::take_output)
            .collect();
        // Free the slice now rather than when the future is dropped.
        self.elems = Box::into_pin(Box::new([]));
        Poll::Ready(outputs)
    }
}

impl<F: Future> fmt::Debug for JoinAll<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinAll")
            .field("len", &self.elems.len())
            .finish_non_exhaustive()
    }
}
