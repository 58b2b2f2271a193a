//! Tasks started from another thread: `spawn_on`, `Runtime::spawn` and
//! `spawn_blocking`.
//!
//! The spawning thread cannot write into another worker's arena (only its
//! owner may), so it wraps the future in one shared allocation, a
//! [`RemoteJoin`], and pushes it onto the target worker's injection queue.
//! The same allocation is the caller's `JoinHandle` until the worker has
//! placed the task, and then hands over the slot handle:
//!
//! ```text
//!  caller thread                         worker i
//!  Arc<RemoteJoin{payload: fut}> ─push─▶ injection queue ─take─▶ place():
//!   JoinHandle::Remote(same Arc)                     spawn fut into the arena,
//!        │ poll: not placed yet → store waker        store RawJoin, wake caller
//!        │ poll: placed → becomes JoinHandle::Local(RawJoin) and polls the slot
//! ```
//!
//! A blocking job uses the same structure: the pool thread runs the closure
//! and stores its result in `done`.
//!
//! # Invariants
//!
//! - All fields sit behind one mutex; wakers are woken after it is released.
//! - Once placed, the task's slot is reachable through `slot` (an
//!   `AbortHandle`, holding a count on the slot) for as long as the
//!   `RemoteJoin` lives, so `abort` and `is_finished` on a remote handle or
//!   its abort handles keep working after the `JoinHandle` took the slot
//!   handle (`placed`) for itself.
//! - The payload is taken exactly once: by the worker (`place`), the pool
//!   thread (`run_blocking`), or `cancel` when the worker or pool shut down
//!   before running it. Whoever takes it sets `placed` or `done`, or marks
//!   the task finished, so the handle never waits forever.

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::join::{AbortHandle, JoinError, JoinHandle, LocalJoin};
use super::raw::{spawn_in_place, Incoming, Movable};
use crate::runtime::executor::Core;
use crate::runtime::handle::RuntimeInner;

/// Sends `future` to worker `worker`'s injection queue, boxing it first if
/// it is large (the queue entry and the worker move it by value). With
/// `movable`, the task may move once placed (`raw::Movable`).
pub(crate) fn inject<F>(
    runtime: &RuntimeInner,
    worker: usize,
    future: Incoming<'_, F>,
    movable: bool,
) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if std::mem::size_of::<F>() > Incoming::<F>::LARGE {
        runtime.inject(worker, future.into_box(), movable)
    } else {
        runtime.inject(worker, future.into_inner(), movable)
    }
}

/// What a remote handle learns when polled.
pub(crate) enum RemoteOutcome<T> {
    /// The task is in a worker's arena: continue with its slot handle.
    Placed(LocalJoin<T>),
    /// The task finished without a slot (blocking job, or cancelled before
    /// it was placed).
    Done(Result<T, JoinError>),
}

/// The `JoinHandle` side of a remote task.
pub(crate) trait RemoteTask<T>: Send + Sync {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<RemoteOutcome<T>>;
    fn abort(&self);
    fn is_finished(&self) -> bool;
    fn abort_handle(self: Arc<Self>) -> Arc<dyn Abortable>;
}

/// The `AbortHandle` side of a remote task.
pub(crate) trait Abortable: Send + Sync {
    fn abort(&self);
    fn is_finished(&self) -> bool;
}

/// Something sent to a worker to be done on its thread, through its
/// injection queue: a task to place in its arena (`RemoteJoin`), or a dump
/// request (`dump.rs`).
pub(crate) trait WorkerJob: Send + Sync {
    /// Does the job on the worker's thread.
    fn run(&self, core: &Core);
    /// The worker shut down first: drop the job (a task reads as
    /// cancelled).
    fn cancel(&self);
}

/// An entry of the blocking pool's queue.
pub(crate) trait BlockingJob: Send + Sync {
    /// Runs the closure (on a pool thread).
    fn run(&self);
    /// The pool shut down first.
    fn cancel(&self);
}

/// One allocation shared by the caller's handle and the queue entry.
pub(crate) struct RemoteJoin<P, T> {
    state: Mutex<State<P, T>>,
}

struct State<P, T> {
    /// The future or closure, until someone takes it.
    payload: Option<P>,
    /// The slot handle, once placed and until the caller takes it.
    placed: Option<LocalJoin<T>>,
    /// The slot, once placed: for `abort` and `is_finished`.
    slot: Option<AbortHandle>,
    /// The result, for tasks that finish without a slot.
    done: Option<Result<T, JoinError>>,
    /// The caller's waker.
    waker: Option<Waker>,
    /// `abort()` came before the task was placed or started.
    aborted: bool,
    /// The caller took `placed` or `done`.
    taken: bool,
    /// The task, once placed, may run on any worker (`raw::Movable`).
    movable: bool,
}

impl<P, T> RemoteJoin<P, T> {
    /// A job for `payload`; `movable`: the task may move once placed
    /// (`raw::Movable`; only a future's, and a `Send` one's).
    pub(crate) fn new(payload: P, movable: bool) -> Arc<Self> {
        Arc::new(RemoteJoin {
            state: Mutex::new(State {
                payload: Some(payload),
                placed: None,
                slot: None,
                done: None,
                waker: None,
                aborted: false,
                taken: false,
                movable,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<P, T>> {
        // A panic never happens while the lock is held (payloads run outside).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a result and wakes the caller (outside the lock).
    fn finish(&self, result: Result<T, JoinError>) {
        let waker = {
            let mut s = self.lock();
            s.done = Some(result);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<P: Send, T: Send> RemoteTask<T> for RemoteJoin<P, T>
where
    P: 'static,
    T: 'static,
{
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<RemoteOutcome<T>> {
        let mut s = self.lock();
        if let Some(raw) = s.placed.take() {
            s.taken = true;
            return Poll::Ready(RemoteOutcome::Placed(raw));
        }
        if let Some(result) = s.done.take() {
            s.taken = true;
            return Poll::Ready(RemoteOutcome::Done(result));
        }
        assert!(!s.taken, "`JoinHandle` polled after it returned its output");
        match &s.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => s.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn abort(&self) {
        let mut s = self.lock();
        match &s.slot {
            Some(slot) => slot.abort(),
            None => s.aborted = true,
        }
    }

    fn is_finished(&self) -> bool {
        let s = self.lock();
        match &s.slot {
            Some(slot) => slot.is_finished(),
            // Without a slot the task ends by storing `done`.
            None => s.done.is_some() || s.taken,
        }
    }

    fn abort_handle(self: Arc<Self>) -> Arc<dyn Abortable> {
        self
    }
}

impl<P: Send + 'static, T: Send + 'static> Abortable for RemoteJoin<P, T> {
    fn abort(&self) {
        RemoteTask::abort(self)
    }
    fn is_finished(&self) -> bool {
        RemoteTask::is_finished(self)
    }
}

impl<F> WorkerJob for RemoteJoin<F, F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn run(&self, core: &Core) {
        let (future, aborted, movable) = {
            let mut s = self.lock();
            (s.payload.take(), s.aborted, s.movable)
        };
        let Some(mut future) = future else { return };
        if aborted {
            drop(future);
            return self.finish(Err(JoinError::cancelled()));
        }
        // Large futures came boxed (see `inject`): this copy is small.
        let spawned = spawn_in_place!(future, |future| {
            if movable {
                core.spawn_with::<F, Movable>(future, None).ok()
            } else {
                core.spawn_raw(future).ok()
            }
        });
        match spawned {
            Some(raw) => {
                let waker = {
                    let mut s = self.lock();
                    if s.aborted {
                        raw.abort(); // aborted while we were spawning
                    }
                    s.slot = Some(AbortHandle::local(raw.slot_handle()));
                    s.placed = Some(raw);
                    s.waker.take()
                };
                if let Some(w) = waker {
                    w.wake();
                }
            }
            // The worker's arena is capped and full: the task is shed (the
            // future was dropped on the way out of `spawn_in_place!`).
            None => self.finish(Err(JoinError::cancelled())),
        }
    }

    fn cancel(&self) {
        let payload = self.lock().payload.take();
        if let Some(future) = payload {
            drop(future);
            self.finish(Err(JoinError::cancelled()));
        }
    }
}

impl<Func, R> BlockingJob for RemoteJoin<Func, R>
where
    Func: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    fn run(&self) {
        let (func, aborted) = {
            let mut s = self.lock();
            (s.payload.take(), s.aborted)
        };
        let Some(func) = func else { return };
        if aborted {
            drop(func);
            return self.finish(Err(JoinError::cancelled()));
        }
        let result = catch_unwind(AssertUnwindSafe(func)).map_err(JoinError::panic);
        self.finish(result);
    }

    fn cancel(&self) {
        let payload = self.lock().payload.take();
        if let Some(func) = payload {
            drop(func);
            self.finish(Err(JoinError::cancelled()));
        }
    }
}

impl<P, T> fmt::Debug for RemoteJoin<P, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        f.debug_struct("RemoteJoin")
            .field("queued", &s.payload.is_some())
            .field("placed", &s.placed.is_some())
            .field("aborted", &s.aborted)
            .finish()
    }
}
