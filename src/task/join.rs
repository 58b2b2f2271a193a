//! `JoinHandle` and `AbortHandle`: the public handles of a task, above the
//! task mechanism.
//!
//! A handle to a task in a worker's arena wraps the mechanism's slot handle
//! (`raw/join.rs`, where the join protocol and [`JoinError`] live) for the
//! runtime's scheduler, `Shared`. A handle to a task sent to another worker
//! or to the blocking pool starts as a *remote* handle (`remote.rs`) and
//! becomes a slot handle once the task is placed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

pub use super::raw::join::JoinError;
use super::raw::join::{RawJoin, SlotHandle};
use super::remote::{Abortable, RemoteOutcome, RemoteTask};
use crate::runtime::shared::Shared;

/// The slot handle of a task of the runtime.
pub(crate) type LocalJoin<T> = RawJoin<T, Shared>;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was aborted. Dropping it *detaches* the task: it keeps running and its
/// output is dropped when it finishes.
///
/// A handle to a task on the current worker points straight at the task's
/// slot. A handle to a task sent to another worker (`spawn_on`,
/// `Runtime::spawn`) or to the blocking pool starts as a *remote* handle and
/// becomes a slot handle as soon as the task has been placed.
///
/// ```
/// spool::block_on(async {
///     let handle: spool::JoinHandle<u64> = spool::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
///
///     let stuck = spool::spawn(std::future::pending::<()>());
///     stuck.abort();
///     assert!(stuck.await.unwrap_err().is_cancelled());
/// });
/// ```
#[must_use = "dropping a JoinHandle detaches the task; `.await` it to get the output"]
pub struct JoinHandle<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Local(LocalJoin<T>),
    Remote(Arc<dyn RemoteTask<T>>),
}

impl<T> JoinHandle<T> {
    pub(crate) fn local(raw: LocalJoin<T>) -> Self {
        JoinHandle {
            inner: Inner::Local(raw),
        }
    }

    pub(crate) fn remote(remote: Arc<dyn RemoteTask<T>>) -> Self {
        JoinHandle {
            inner: Inner::Remote(remote),
        }
    }

    /// Asks the task to stop: its future is dropped at its next scheduling
    /// point, and awaiting this handle then gives a cancelled [`JoinError`].
    /// A task that already finished keeps its output. A `spawn_blocking`
    /// closure that has started cannot be stopped; one still queued is
    /// dropped.
    pub fn abort(&self) {
        match &self.inner {
            Inner::Local(raw) => raw.abort(),
            Inner::Remote(remote) => remote.abort(),
        }
    }

    /// True once the task has finished (completed, panicked or been
    /// aborted), so awaiting this handle will not wait.
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Inner::Local(raw) => raw.is_finished(),
            Inner::Remote(remote) => remote.is_finished(),
        }
    }

    /// A handle that can abort the task from anywhere without joining it.
    pub fn abort_handle(&self) -> AbortHandle {
        match &self.inner {
            Inner::Local(raw) => AbortHandle::local(raw.slot_handle()),
            Inner::Remote(remote) => AbortHandle {
                inner: AbortInner::Remote(remote.clone().abort_handle()),
            },
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.inner {
            Inner::Local(raw) => Pin::new(raw).poll(cx),
            Inner::Remote(_) => self.poll_remote(cx),
        }
    }
}

impl<T> JoinHandle<T> {
    /// `poll` of a remote handle, out of line: the local case (nearly every
    /// join) stays small.
    #[cold]
    #[inline(never)]
    fn poll_remote(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>> {
        loop {
            match &mut self.inner {
                Inner::Local(raw) => return Pin::new(raw).poll(cx),
                Inner::Remote(remote) => match ready!(remote.poll_join(cx)) {
                    RemoteOutcome::Placed(raw) => self.inner = Inner::Local(raw),
                    RemoteOutcome::Done(result) => return Poll::Ready(result),
                },
            }
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("JoinHandle");
        if let Inner::Local(raw) = &self.inner {
            d.field("worker", &raw.scheduler().worker);
        }
        d.field("finished", &self.is_finished()).finish()
    }
}

/// Aborts a task without awaiting it. `Clone + Send + Sync`.
///
/// An `AbortHandle` keeps its task's slot from being reused while it
/// lives (not the task itself: the task still finishes or is aborted as
/// usual), so it always refers to its own task: once the task is finished,
/// `abort` does nothing and `is_finished` is true, however long the handle
/// is kept.
pub struct AbortHandle {
    inner: AbortInner,
}

enum AbortInner {
    Local(SlotHandle<Shared>),
    Remote(Arc<dyn Abortable>),
}

impl AbortHandle {
    /// The abort handle of a task in a worker's arena.
    pub(crate) fn local(slot: SlotHandle<Shared>) -> Self {
        AbortHandle {
            inner: AbortInner::Local(slot),
        }
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> Self {
        AbortHandle {
            inner: match &self.inner {
                AbortInner::Local(slot) => AbortInner::Local(slot.clone()),
                AbortInner::Remote(r) => AbortInner::Remote(r.clone()),
            },
        }
    }
}

impl AbortHandle {
    /// Like [`JoinHandle::abort`].
    pub fn abort(&self) {
        match &self.inner {
            AbortInner::Local(slot) => slot.abort(),
            AbortInner::Remote(r) => r.abort(),
        }
    }

    /// True once the task has finished (completed, panicked or been
    /// aborted).
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            AbortInner::Local(slot) => slot.is_finished(),
            AbortInner::Remote(r) => r.is_finished(),
        }
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
