//! `JoinHandle`, `AbortHandle` and `JoinError`.
//!
//! A `JoinHandle` points at its task's slot. While it lives, the slot is not
//! freed (`JOIN_INTEREST`), so the handle needs no generation check; it also
//! holds a count on the worker's `Arc<Shared>`, which keeps the slot memory
//! valid even after the runtime is gone.
//!
//! # Protocol (see `state.rs` for the bits)
//!
//! - **Waiting**: the handle writes its waker into the header's join-waker
//!   cell while `JOIN_WAKER` is clear, then sets `JOIN_WAKER` (failing if the
//!   task completed meanwhile). To replace the waker it first clears
//!   `JOIN_WAKER` again. The executor wakes the stored waker when it
//!   publishes `COMPLETE` with `JOIN_WAKER` set.
//! - **Taking the output**: after seeing `COMPLETE`, the handle claims the
//!   output (`OUTPUT_CLAIMED`) and moves it out. If the claim fails, the
//!   runtime was shut down and dropped the output: the task reads as
//!   cancelled.
//! - **Dropping**: the handle gives up its waker, clears `JOIN_INTEREST`, and
//!   if the task had already completed, asks the owner to free the slot:
//!   directly when dropped on the owner thread, through the remote queue
//!   otherwise, or by dropping the output itself when the runtime is gone.
//!   On the owner thread the handle's count on `Shared` goes back to the
//!   worker, which gives it to the next spawned handle (no atomic
//!   increment and decrement per local spawn).
//!
//! A handle may be sent to another thread (when `T: Send`); every step above
//! is an atomic transition, and the output only moves after `COMPLETE` is
//! observed with acquire ordering.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{ready, Context, Poll, Waker};

use super::raw::Header;
use super::remote::{Abortable, RemoteOutcome, RemoteTask};
use super::state::{self, Schedule, COMPLETE, JOIN_WAKER};
use super::waker;
use crate::coop;
use crate::runtime::context;
use crate::runtime::shared::Shared;

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
    ptr: NonNull<Header>,
    generation: u16,
    /// A count on the worker's `Shared`; `None` only inside `Drop`.
    shared: Option<Arc<Shared>>,
    /// The output was returned already.
    done: bool,
    _output: PhantomData<T>,
}

// SAFETY: the handle only touches its slot through atomic state transitions,
// the join-waker cell (a `Waker` is Send + Sync) under the JOIN_WAKER
// protocol, and the output `T` after claiming it, which is why `T: Send` is
// required. It never touches the (possibly `!Send`) future.
unsafe impl<T: Send> Send for RawJoin<T> {}
// SAFETY: through `&JoinHandle` only `abort`, `is_finished` and
// `abort_handle` are reachable, which use atomic operations only.
unsafe impl<T: Send> Sync for RawJoin<T> {}

impl<T> Unpin for RawJoin<T> {}

impl<T> RawJoin<T> {
    pub(crate) fn new(ptr: NonNull<Header>, generation: u16, shared: Arc<Shared>) -> Self {
        RawJoin {
            ptr,
            generation,
            shared: Some(shared),
            done: false,
            _output: PhantomData,
        }
    }

    fn shared(&self) -> &Arc<Shared> {
        self.shared.as_ref().expect("present until drop")
    }

    fn header(&self) -> &Header {
        // SAFETY: our JOIN_INTEREST keeps the slot occupied by our task, and
        // our count on `Shared` keeps its memory alive.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn abort(&self) {
        abort(self.ptr, self.generation);
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.header().state.load() & COMPLETE != 0
    }

    pub(crate) fn abort_handle(&self) -> AbortHandle {
        AbortHandle {
            inner: AbortInner::Local {
                ptr: self.ptr,
                generation: self.generation,
                _shared: self.shared().clone(),
            },
        }
    }

    /// Stores `waker` for the executor. `Err(state)` if the task completed.
    fn register(&self, state: u32, waker: &Waker) -> Result<(), u32> {
        let header = self.header();
        if state & JOIN_WAKER != 0 {
            header.state.unset_join_waker()?;
        }
        // SAFETY: JOIN_WAKER is clear, so the cell is ours (state.rs).
        unsafe { *header.join_waker.get() = Some(waker.clone()) };
        header.state.set_join_waker().map(|_| ())
    }

    /// Moves the output out of a completed task's slot.
    fn take_output(&mut self, state: u32) -> Result<T, JoinError> {
        debug_assert_ne!(state & COMPLETE, 0);
        self.done = true;
        let header = self.header();
        if state & JOIN_WAKER == 0 {
            // SAFETY: JOIN_WAKER was clear at completion: the cell is ours.
            let leftover = unsafe { (*header.join_waker.get()).take() };
            drop(leftover);
        }
        if !header.state.claim_output() {
            return Err(JoinError::cancelled());
        }
        let mut out: Option<Result<T, JoinError>> = None;
        // SAFETY: we claimed the output; `out` has the type the vtable of a
        // task with output `T` writes.
        unsafe { (header.vtable().take_output)(self.ptr, (&mut out as *mut Option<_>).cast()) };
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
        if state & COMPLETE == 0 {
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
        // Held to the end (or given to the owner, which holds one too): it
        // keeps the slot memory alive while we use `header`.
        let mut shared = self.shared.take();
        // SAFETY: our JOIN_INTEREST keeps the slot occupied by our task, and
        // `shared` keeps its memory alive.
        let header = unsafe { self.ptr.as_ref() };
        if !self.done {
            // Take back (and drop) the waker unless the executor owns it.
            let mut state = header.state.load();
            if state & (COMPLETE | JOIN_WAKER) == JOIN_WAKER {
                state = match header.state.unset_join_waker() {
                    Ok(prev) => prev & !JOIN_WAKER,
                    Err(now) => now,
                };
            }
            if state & JOIN_WAKER == 0 {
                // SAFETY: JOIN_WAKER is clear: the cell is ours.
                let waker = unsafe { (*header.join_waker.get()).take() };
                drop(waker);
            }
        }
        let prev = header.state.drop_join_interest();
        // If the task is not complete it is detached now: the executor frees
        // the slot when it finishes. Otherwise the owner must free it.
        let complete = prev & COMPLETE != 0;
        let ptr = self.ptr;
        // On the owner thread: free the slot directly and give the `Shared`
        // count back to the worker for its next spawn.
        context::with_core(|core| {
            let mine = shared.take_if(|s| std::ptr::eq(core.shared_ptr(), Arc::as_ptr(s)))?;
            if complete {
                core.release(ptr);
            }
            core.recycle_ref(mine);
            Some(())
        });
        let Some(shared) = shared else { return };
        if complete && !shared.push_remote(ptr) {
            // The runtime is gone: nobody else will drop the output.
            if header.state.claim_output() {
                // SAFETY: we won the claim; the output is `T: Send` if we are
                // on another thread (see the Send impl).
                unsafe { (header.vtable().drop_stage)(ptr) };
            }
        }
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
/// Unlike a [`JoinHandle`], an `AbortHandle` does not keep the task's slot:
/// once the task is gone, `abort` does nothing and `is_finished` is true.
#[derive(Clone)]
pub struct AbortHandle {
    inner: AbortInner,
}

#[derive(Clone)]
enum AbortInner {
    Local {
        ptr: NonNull<Header>,
        generation: u16,
        /// Keeps the slot memory alive.
        _shared: Arc<Shared>,
    },
    Remote(Arc<dyn Abortable>),
}

// SAFETY: on a slot, only atomic, generation-checked operations are
// performed, and our count on `Shared` keeps its memory alive; the remote
// variant is `Send + Sync` by its trait bounds.
unsafe impl Send for AbortHandle {}
// SAFETY: as above.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    /// Like [`JoinHandle::abort`].
    pub fn abort(&self) {
        match &self.inner {
            AbortInner::Local {
                ptr, generation, ..
            } => abort(*ptr, *generation),
            AbortInner::Remote(r) => r.abort(),
        }
    }

    /// True once the task has finished (or its slot was reused).
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            AbortInner::Local {
                ptr, generation, ..
            } => {
                // SAFETY: our count on `Shared` keeps the slot memory alive.
                let s = unsafe { ptr.as_ref() }.state.load();
                state::generation(s) != *generation || s & COMPLETE != 0
            }
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

fn abort(ptr: NonNull<Header>, generation: u16) {
    // SAFETY: callers hold a count on the slot's `Shared`.
    if unsafe { ptr.as_ref() }.state.cancel(generation) == Schedule::Push {
        waker::push(ptr);
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
