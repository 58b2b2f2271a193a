//! `yield_now`: give the other tasks a turn.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields once to the scheduler: the task goes to the back of the run queue
/// and every task queued before it runs first.
///
/// ```
/// spool::block_on(async {
///     spool::task::yield_now().await;
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // A wake during our own poll only marks the task SCHEDULED; the
        // executor puts it at the back of the queue once we return Pending.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
