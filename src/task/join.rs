//! `JoinHandle`, `AbortHandle` and `JoinError`.
//!
//! Both handles point at their task's slot and count as one *handle* in its
//! state word: a slot is freed only once its task is complete and no handle
//! is left (`state.rs`), so a handle never needs a generation check and can
//! never reach a later task that reused the slot. Each also holds a count
//! on the worker's `Arc<Shared>`, which keeps the slot memory valid even
//! after the runtime is gone.
//!
//! # Protocol (see `state.rs` for the bits)
//!
//! - **Waiting**: the `JoinHandle` writes its waker into the header's
//!   join-waker cell while `JOIN_WAKER` is clear, then sets `JOIN_WAKER`
//!   (failing if the task completed meanwhile). To replace the waker it
//!   first clears `JOIN_WAKER` again. The executor wakes the stored waker
//!   when it publishes `COMPLETE` with `JOIN_WAKER` set.
//! - **Taking the output**: after seeing `COMPLETE` (which the executor
//!   published with `JOIN_INTEREST` set, so the output is the handle's), the
//!   handle moves the output out.
//! - **Dropping the `JoinHandle`**: the handle gives up its waker; if the
//!   task is still running it detaches it (`State::detach`: interest and
//!   count go in one step, the executor will drop the output); if the task
//!   completed, the handle drops the output itself (on its own thread: a
//!   handle that crossed threads has `T: Send`) and then gives up its count.
//! - **Dropping the last handle of a completed task** asks the owner to
//!   free the slot: directly when dropped on the owner thread, through the
//!   remote queue (`Remote::Release`) otherwise; once the runtime is gone
//!   there is nothing to free (the retired arena goes with the last count
//!   on `Shared`). On the owner thread a `JoinHandle`'s count on `Shared`
//!   goes back to the worker, which gives it to the next spawned handle (no
//!   atomic increment and decrement per local spawn).
//!
//! A handle may be sent to another thread (when `T: Send`); every step above
//! is an atomic transition, and the output only moves after `COMPLETE` is
//! observed with acquire ordering.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

use super::raw::{Header, TaskRef};
use super::remote::{Abortable, RemoteOutcome, RemoteTask};
use super::state::{Detach, LastRef, Snapshot, Wake};
use super::waker;
use crate::coop;
use crate::runtime::context;
use crate::runtime::shared::{Remote, Shared};

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
    Local(RawJoin<T>),
    Remote(Arc<dyn RemoteTask<T>>),
}

/// The slot handle: see the module docs.
pub(crate) struct RawJoin<T> {
    task: TaskRef,
    /// A count on the worker's `Shared`; `None` only inside `Drop`.
    shared: Option<Arc<Shared>>,
    /// The output was returned already.
    done: bool,
    _output: PhantomData<T>,
}

// SAFETY: the handle only touches its slot through atomic state transitions,
// the join-waker cell (a `Waker` is Send + Sync) under the JOIN_WAKER
// protocol, and the output `T` (moved out or dropped), which is why
// `T: Send` is required. It never touches the (possibly `!Send`) future.
unsafe impl<T: Send> Send for RawJoin<T> {}
// SAFETY: through `&JoinHandle` only `abort`, `is_finished` and
// `abort_handle` are reachable, which use atomic operations only.
unsafe impl<T: Send> Sync for RawJoin<T> {}

impl<T> Unpin for RawJoin<T> {}

impl<T> RawJoin<T> {
    /// The handle of a task just spawned into `ptr`, which counted it
    /// (`State::occupy`); `shared` is a count on the slot's worker.
    pub(crate) fn new(task: TaskRef, shared: Arc<Shared>) -> Self {
        RawJoin {
            task,
            shared: Some(shared),
            done: false,
            _output: PhantomData,
        }
    }

    fn shared(&self) -> &Arc<Shared> {
        self.shared.as_ref().expect("present until drop")
    }

    /// Our handle count keeps the slot occupied by our task.
    fn header(&self) -> &Header {
        self.task.header()
    }

    pub(crate) fn abort(&self) {
        abort(&self.task);
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.header().state.load().is_complete()
    }

    pub(crate) fn abort_handle(&self) -> AbortHandle {
        self.header().state.add_handle();
        AbortHandle {
            inner: AbortInner::Local(SlotHandle {
                // SAFETY: the new handle holds a count on the slot's
                // `Shared` (and the handle count just added).
                task: unsafe { self.task.clone_ref() },
                shared: self.shared().clone(),
            }),
        }
    }

    /// Stores `waker` for the executor. `Err(state)` if the task completed.
    fn register(&self, state: Snapshot, waker: &Waker) -> Result<(), Snapshot> {
        let header = self.header();
        if state.has_join_waker() {
            header.state.unset_join_waker()?;
        }
        // SAFETY: JOIN_WAKER is clear, so the cell is ours (state.rs).
        unsafe { *header.join_waker.get() = Some(waker.clone()) };
        header.state.set_join_waker().map(|_| ())
    }

    /// Moves the output out of a completed task's slot.
    fn take_output(&mut self, state: Snapshot) -> Result<T, JoinError> {
        debug_assert!(state.is_complete());
        self.done = true;
        let header = self.header();
        if !state.has_join_waker() {
            // SAFETY: JOIN_WAKER was clear at completion: the cell is ours.
            let leftover = unsafe { (*header.join_waker.get()).take() };
            drop(leftover);
        }
        let mut out: Option<Result<T, JoinError>> = None;
        // SAFETY: the task completed while our JOIN_INTEREST was set, so the
        // output is ours; `out` has the type the vtable of a task with
        // output `T` writes.
        unsafe {
            (header.vtable().take_output)(self.task.as_ptr(), (&mut out as *mut Option<_>).cast())
        };
        out.expect("a completed task holds its output")
    }
}

impl<T> Future for RawJoin<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        assert!(
            !self.done,
            "`JoinHandle` polled after it returned its output"
        );
        ready!(coop::poll_proceed(cx));
        let mut state = self.header().state.load();
        if !state.is_complete() {
            match self.register(state, cx.waker()) {
                Ok(()) => return Poll::Pending,
                Err(now) => state = now,
            }
        }
        Poll::Ready(self.take_output(state))
    }
}

impl<T> Drop for RawJoin<T> {
    fn drop(&mut self) {
        // Held to the end: it keeps the slot memory alive while we use
        // `header`, and goes back to the worker (or is dropped) last.
        let shared = self.shared.take().expect("present until drop");
        // SAFETY: `shared` (held to the end) keeps the slot memory valid.
        let task = unsafe { self.task.clone_ref() };
        let header = task.header();
        if !self.done {
            // Take back (and drop) the waker unless the executor owns it.
            let mut state = header.state.load();
            if state.has_join_waker() && !state.is_complete() {
                state = match header.state.unset_join_waker() {
                    Ok(_) => header.state.load(),
                    Err(now) => now,
                };
            }
            if !state.has_join_waker() {
                // SAFETY: JOIN_WAKER is clear: the cell is ours (if the task
                // completed meanwhile, it completed with JOIN_WAKER clear).
                let waker = unsafe { (*header.join_waker.get()).take() };
                drop(waker);
            }
            match header.state.detach() {
                Detach::Detached => return give_back(shared),
                // SAFETY: the task completed with our JOIN_INTEREST set, so
                // the output is ours; it is `T: Send` if we are on another
                // thread (see the Send impl).
                Detach::Complete => unsafe { (header.vtable().drop_stage)(task.as_ptr()) },
            }
        }
        match header.state.drop_join_handle() {
            LastRef::Release => release(task, shared),
            LastRef::Keep => give_back(shared),
        }
    }
}

/// A handle's count on `Shared` goes: back to the worker for its next
/// spawn when dropped on the owner thread (see `Core::recycle_ref`),
/// otherwise simply dropped.
fn give_back(shared: Arc<Shared>) {
    let target = Arc::as_ptr(&shared);
    let mut shared = Some(shared);
    context::with_core(|core| {
        if std::ptr::eq(core.shared_ptr(), target) {
            core.recycle_ref(shared.take().expect("taken once"));
        }
    });
}

/// The last handle of the completed task in `ptr` is gone: the owner frees
/// the slot (directly on its thread, through the remote queue otherwise;
/// after shutdown nothing needs freeing).
fn release(task: TaskRef, shared: Arc<Shared>) {
    let target = Arc::as_ptr(&shared);
    let mut task = Some(task);
    let mut shared = Some(shared);
    context::with_core(|core| {
        if std::ptr::eq(core.shared_ptr(), target) {
            core.release(task.take().expect("taken once"));
            core.recycle_ref(shared.take().expect("taken once"));
        }
    });
    if let (Some(task), Some(shared)) = (task, shared) {
        let _ = shared.push_remote(Remote::Release(task));
    }
}

impl<T> JoinHandle<T> {
    pub(crate) fn local(raw: RawJoin<T>) -> Self {
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
            Inner::Local(raw) => raw.abort_handle(),
            Inner::Remote(remote) => AbortHandle {
                inner: AbortInner::Remote(remote.clone().abort_handle()),
            },
        }
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
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
            d.field("worker", &raw.shared().worker);
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
    Local(SlotHandle),
    Remote(Arc<dyn Abortable>),
}

/// One handle count on a slot plus a count on its worker's `Shared`.
struct SlotHandle {
    task: TaskRef,
    shared: Arc<Shared>,
}

impl Clone for SlotHandle {
    fn clone(&self) -> Self {
        self.task.state().add_handle();
        SlotHandle {
            // SAFETY: the clone holds its own count on `Shared`.
            task: unsafe { self.task.clone_ref() },
            shared: self.shared.clone(),
        }
    }
}

impl Drop for SlotHandle {
    fn drop(&mut self) {
        if self.task.state().drop_handle() == LastRef::Release {
            // SAFETY: the new reference goes with a count on `Shared`.
            let task = unsafe { self.task.clone_ref() };
            release(task, self.shared.clone());
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
            AbortInner::Local(slot) => abort(&slot.task),
            AbortInner::Remote(r) => r.abort(),
        }
    }

    /// True once the task has finished (completed, panicked or been
    /// aborted).
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            AbortInner::Local(slot) => slot.task.state().load().is_complete(),
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

/// Cancels `task`, which the caller holds a handle on.
fn abort(task: &TaskRef) {
    if task.state().abort() == Wake::Push {
        // SAFETY: a run queue entry; the queue invariant keeps it valid.
        waker::push(unsafe { task.clone_ref() });
    }
}

/// Why a task did not produce its output: it panicked or was cancelled.
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic {
        /// The payload, moved out only by value (`into_panic`).
        payload: SyncPayload,
        /// The panic message, if it was a string, for `Display`.
        message: Option<String>,
    },
}

/// A panic payload that is only ever accessed by value or through `&mut`,
/// which makes sharing `&JoinError` between threads harmless.
struct SyncPayload(Box<dyn Any + Send + 'static>);

// SAFETY: no `&SyncPayload` method exists; the box is only moved out by
// value (`JoinError::into_panic` takes `self`).
unsafe impl Sync for SyncPayload {}

impl JoinError {
    pub(crate) fn cancelled() -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(payload: Box<dyn Any + Send + 'static>) -> JoinError {
        let message = payload
            .downcast_ref::<&'static str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        JoinError {
            repr: Repr::Panic {
                payload: SyncPayload(payload),
                message,
            },
        }
    }

    /// True if the task was aborted (or dropped by a runtime shutdown).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic { .. })
    }

    /// The panic payload, for `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task was cancelled rather than panicking.
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on a cancelled task")
    }

    /// The panic payload, or the error itself if the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic { payload, .. } => Ok(payload.0),
            Repr::Cancelled => Err(self),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("task was cancelled"),
            Repr::Panic {
                message: Some(m), ..
            } => write!(f, "task panicked with message {m:?}"),
            Repr::Panic { message: None, .. } => f.write_str("task panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
            Repr::Panic { message, .. } => f
                .debug_tuple("JoinError::Panic")
                .field(&message.as_deref().unwrap_or("<non-string payload>"))
                .finish(),
        }
    }
}

impl std::error::Error for JoinError {}
