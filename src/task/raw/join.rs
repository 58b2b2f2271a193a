//! The join protocol: [`RawJoin`] (the slot side of a `JoinHandle`),
//! [`SlotHandle`] (the slot side of an `AbortHandle`), and [`JoinError`].
//!
//! Both handles point at their task's slot and count as one *handle* in its
//! state word: a slot is freed only once its task is complete and no handle
//! is left (`state.rs`), so a handle never needs a generation check and can
//! never reach a later task that reused the slot. Each also holds a count
//! on the slot's scheduler (`Arc<S>`), which keeps the slot memory valid
//! even after the owner is gone.
//!
//! # Protocol (see `state.rs` for the bits)
//!
//! - **Waiting**: the `JoinHandle` writes its waker into the header's
//!   join-waker cell while `JOIN_WAKER` is clear, then sets `JOIN_WAKER`
//!   (failing if the task completed meanwhile). To replace the waker it
//!   first clears `JOIN_WAKER` again. The owner wakes the stored waker
//!   when it publishes `COMPLETE` with `JOIN_WAKER` set
//!   (`TaskRef::complete`).
//! - **Taking the output**: after seeing `COMPLETE` (which the owner
//!   published with `JOIN_INTEREST` set, so the output is the handle's), the
//!   handle moves the output out.
//! - **Dropping the `JoinHandle`**: the handle gives up its waker; if the
//!   task is still running it detaches it (`State::detach`: interest and
//!   count go in one step, the owner will drop the output); if the task
//!   completed, the handle drops the output itself (on its own thread: a
//!   handle that crossed threads has `T: Send`) and then gives up its count.
//! - **Dropping the last handle of a completed task** asks the owner to
//!   free the slot, through [`Schedule::release`] (the runtime frees it
//!   at once on the owner thread, or sends it through the remote queue).
//!   Otherwise the handle's count on the scheduler goes back through
//!   [`Schedule::give_back`] (the runtime keeps counts dropped on the owner
//!   thread for the next spawn: no atomic increment and decrement per
//!   local spawn).
//! - **Aborting** sets `CANCELLED` and, if the task was idle, schedules it
//!   ([`Schedule::schedule`]) so that the owner drops its future.
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

use super::slot::{Header, TaskRef};
use super::state::{Detach, LastRef, Snapshot, Wake};
use super::Schedule;
use crate::coop;

/// The slot side of a `JoinHandle`: see the module docs.
pub(crate) struct RawJoin<T, S: Schedule> {
    task: TaskRef<S>,
    /// A count on the slot's scheduler; `None` only inside `Drop`.
    scheduler: Option<Arc<S>>,
    /// The output was returned already.
    done: bool,
    _output: PhantomData<T>,
}

// SAFETY: the handle only touches its slot through atomic state transitions,
// the join-waker cell (a `Waker` is Send + Sync) under the JOIN_WAKER
// protocol, and the output `T` (moved out or dropped), which is why
// `T: Send` is required. It never touches the (possibly `!Send`) future.
unsafe impl<T: Send, S: Schedule> Send for RawJoin<T, S> {}
// SAFETY: through `&JoinHandle` only `abort`, `is_finished` and
// `abort_handle` are reachable, which use atomic operations only.
unsafe impl<T: Send, S: Schedule> Sync for RawJoin<T, S> {}

impl<T, S: Schedule> Unpin for RawJoin<T, S> {}

impl<T, S: Schedule> RawJoin<T, S> {
    /// The handle of the task just spawned into `task`'s slot, which
    /// counted it (`State::occupy`); `scheduler` is a count on the slot's
    /// scheduler.
    pub(crate) fn new(task: TaskRef<S>, scheduler: Arc<S>) -> Self {
        debug_assert!(std::ptr::eq(Arc::as_ptr(&scheduler), task.scheduler_ptr()));
        RawJoin {
            task,
            scheduler: Some(scheduler),
            done: false,
            _output: PhantomData,
        }
    }

    /// The slot's scheduler.
    pub(crate) fn scheduler(&self) -> &Arc<S> {
        self.scheduler.as_ref().expect("present until drop")
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

    /// A new handle count on the slot, for an `AbortHandle`.
    pub(crate) fn slot_handle(&self) -> SlotHandle<S> {
        self.header().state.add_handle();
        SlotHandle {
            // SAFETY: the new handle holds a count on the slot's scheduler
            // (and the handle count just added).
            task: unsafe { self.task.clone_ref() },
            scheduler: self.scheduler().clone(),
        }
    }

    /// Stores `waker` for the owner. `Err(state)` if the task completed.
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

impl<T, S: Schedule> Future for RawJoin<T, S> {
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

impl<T, S: Schedule> Drop for RawJoin<T, S> {
    fn drop(&mut self) {
        // Held to the end: it keeps the slot memory alive while we use
        // `header`, and goes back to the scheduler (or is dropped) last.
        let scheduler = self.scheduler.take().expect("present until drop");
        // SAFETY: `scheduler` (held to the end) keeps the slot memory valid.
        let task = unsafe { self.task.clone_ref() };
        let header = task.header();
        if !self.done {
            // Take back (and drop) the waker unless the owner has it.
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
                Detach::Detached => return scheduler.give_back(),
                // SAFETY: the task completed with our JOIN_INTEREST set, so
                // the output is ours; it is `T: Send` if we are on another
                // thread (see the Send impl).
                Detach::Complete => unsafe { (header.vtable().drop_stage)(task.as_ptr()) },
            }
        }
        match header.state.drop_join_handle() {
            LastRef::Release => scheduler.release(task),
            LastRef::Keep => scheduler.give_back(),
        }
    }
}

/// The slot side of an `AbortHandle`: one handle count on a slot plus a
/// count on its scheduler.
pub(crate) struct SlotHandle<S: Schedule> {
    task: TaskRef<S>,
    scheduler: Arc<S>,
}

impl<S: Schedule> SlotHandle<S> {
    /// Like `JoinHandle::abort`.
    pub(crate) fn abort(&self) {
        abort(&self.task);
    }

    /// True once the task has finished.
    pub(crate) fn is_finished(&self) -> bool {
        self.task.state().load().is_complete()
    }
}

impl<S: Schedule> Clone for SlotHandle<S> {
    fn clone(&self) -> Self {
        self.task.state().add_handle();
        SlotHandle {
            // SAFETY: the clone holds its own count on the scheduler.
            task: unsafe { self.task.clone_ref() },
            scheduler: self.scheduler.clone(),
        }
    }
}

impl<S: Schedule> Drop for SlotHandle<S> {
    fn drop(&mut self) {
        if self.task.state().drop_handle() == LastRef::Release {
            // SAFETY: the new reference goes with a count on the scheduler.
            let task = unsafe { self.task.clone_ref() };
            self.scheduler.clone().release(task);
        }
    }
}

/// Cancels `task`, which the caller holds a handle on.
fn abort<S: Schedule>(task: &TaskRef<S>) {
    if task.state().abort() == Wake::Push {
        // SAFETY: a run queue entry; the queue invariant keeps it valid.
        unsafe { task.clone_ref() }.schedule();
    }
}

/// Why a task did not produce its output: it panicked or was cancelled.
pub struct JoinError {
    repr: Repr,
}

/// One pointer wide (a panic's details are boxed), so that a task's output
/// `Result<T, JoinError>` is no larger than it must be: it is moved from
/// the stage to the `JoinHandle`'s caller on every join, and the stage that
/// holds it is part of the task's slot.
enum Repr {
    Cancelled,
    Panic(Box<Panicked>),
}

struct Panicked {
    /// The payload, moved out only by value (`into_panic`).
    payload: SyncPayload,
    /// The panic message, if it was a string, for `Display`.
    message: Option<String>,
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
            repr: Repr::Panic(Box::new(Panicked {
                payload: SyncPayload(payload),
                message,
            })),
        }
    }

    /// True if the task was aborted (or dropped by a runtime shutdown).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
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
            Repr::Panic(panicked) => Ok(panicked.payload.0),
            Repr::Cancelled => Err(self),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("task was cancelled"),
            Repr::Panic(panicked) => match &panicked.message {
                Some(m) => write!(f, "task panicked with message {m:?}"),
                None => f.write_str("task panicked"),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
            Repr::Panic(panicked) => f
                .debug_tuple("JoinError::Panic")
                .field(
                    &panicked
                        .message
                        .as_deref()
                        .unwrap_or("<non-string payload>"),
                )
                .finish(),
        }
    }
}

impl std::error::Error for JoinError {}
