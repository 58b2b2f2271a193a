//! [`MaybeDone`]: a future, then its output, then nothing. The building
//! block of [`join`](super::join) and [`join_all`](super::join_all), which
//! must keep the outputs of the futures that finish first.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// A future until it finishes, then its output until that is taken.
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneReplace]
    #[derive(Debug)]
    pub(crate) enum MaybeDone<F: Future> {
        /// Still running.
        Future { #[pin] future: F },
        /// Finished; the output waits to be taken.
        Done { output: F::Output },
        /// The output was taken.
        Gone,
    }
}

impl<F: Future> MaybeDone<F> {
    pub(crate) fn new(future: F) -> Self {
        MaybeDone::Future { future }
    }

    /// Polls the future if it still runs; `Ready` once the output is here.
    pub(crate) fn poll_done(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let output = match self.as_mut().project() {
            MaybeDoneProj::Future { future } => std::task::ready!(future.poll(cx)),
            MaybeDoneProj::Done { .. } => return Poll::Ready(()),
            MaybeDoneProj::Gone => panic!("MaybeDone polled after its output was taken"),
        };
        // Drops the finished future in place before storing its output.
        self.set(MaybeDone::Done { output });
        Poll::Ready(())
    }

    /// Takes the output; call only after `poll_done` returned `Ready`.
    pub(crate) fn take_output(self: Pin<&mut Self>) -> F::Output {
        match self.project_replace(MaybeDone::Gone) {
            MaybeDoneReplace::Done { output } => output,
            _ => unreachable!("take_output before the future finished"),
        }
    }
}
