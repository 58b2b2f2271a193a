//! The raw task: a header followed by the future (later its output) in one
//! arena slot, and the type-erased vtable that polls and drops it.
//!
//! ```text
//!  one arena slot (64 B .. 4 KiB, or its own allocation if larger)
//! +--------------------------------------------------------------+
//! | Header                                                       |
//! |   state: State        any thread (atomic)                    |
//! |   scheduler: *S       set when the slot is carved, never     |
//! |                       changes (the `Schedule` owning it)     |
//! |   key                 owner thread only                      |
//! |   polls               the runner (atomic: the dump reads it) |
//! |   vtable              written by the owner at spawn, before  |
//! |                       any handle exists; read by the owner   |
//! |                       and by the JoinHandle (any thread)     |
//! |   join_waker          JoinHandle or owner, see JOIN_WAKER    |
//! +--------------------------------------------------------------+
//! | Stage<F>: Running(F) | Finished(Result<F::Output, JoinError>)|
//! |           | Consumed   the future: its runner; the output:   |
//! |                        whoever owns it (state.rs)            |
//! +--------------------------------------------------------------+
//! ```
//!
//! # Invariants
//!
//! - The slot never moves: the arena hands out memory from chunks that are
//!   never reallocated, so `Stage::Running(F)` is pinned for as long as the
//!   task lives, and a slot address is a stable task identity (with the
//!   generation, for wakers).
//! - The future is written by the owner's thread (the thread that holds
//!   the slot's arena, [`occupy`]) and then polled and dropped only by its
//!   *runner* (the `unsafe` steps [`TaskRef::poll`], `cancel` and
//!   `complete`), one at a time; the slot is emptied and freed by the owner
//!   only ([`TaskRef::vacate`]). See "Who runs a task" below.
//! - The output is written by the owner before `COMPLETE` is published
//!   (release), and moved out or dropped exactly once, after `COMPLETE` is
//!   observed (acquire), by its owner: the `JoinHandle` if it was interested
//!   at completion, the owner otherwise (`state.rs`).
//! - Slot memory outlives every `Waker`, `JoinHandle`, `AbortHandle` and
//!   queue entry that points at it: each handle and waker holds a count on
//!   the slot's scheduler (`Arc<S>`, see [`Schedule`]), which keeps the
//!   arena's chunks once the owner is gone; queue entries live inside the
//!   owner. A [`TaskRef`] is the type of such a pointer.
//!
//! # Who runs a task
//!
//! The runner of a task is the thread that took it off a run queue, made
//! it `RUNNING` (`State::start_poll`) and holds it until the poll ends.
//! For most tasks that is always the owner's thread. A task occupied as
//! [`Movable`] (its future and output are `Send`: the state word says
//! `MOVABLE`) may be run by any thread its scheduler hands it to
//! (the runtime: another worker of the same runtime). `RUNNING` excludes a
//! second runner, and the state word's acquire/release transitions order
//! one runner's accesses to the stage before the next one's. Freeing the
//! slot stays with the owner: a runner that completes a task nobody holds
//! hands the slot back through [`Schedule::release`].
//!
//! Where the unsafe code of tasks lives is listed in the layer's docs
//! (`task/raw/mod.rs`).

use std::alloc::Layout;
use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::task::{Context, Poll, Waker};

use super::arena::Arena;
use super::join::JoinError;
use super::state::{Completed, State};
use super::Schedule;

/// The part of a slot every task has, whatever its future type.
#[repr(C)]
pub(crate) struct Header {
    /// Flags and generation; see `state.rs`.
    pub(crate) state: State,
    /// Times the future was polled (written by its runner; read by the
    /// task dump on the owner's thread, hence atomic).
    pub(crate) polls: AtomicU32,
    /// The occupant's slab key (owner thread only).
    pub(crate) key: Cell<usize>,
    /// The slot's scheduler, an `S: Schedule` (the [`TaskRef<S>`] that
    /// reads it knows which). Written when the slot is carved out of its
    /// chunk and never changed, so a stale waker may read it.
    scheduler: *const (),
    /// Functions that know the future's type. Written at spawn, before any
    /// handle exists.
    pub(crate) vtable: Cell<&'static Vtable>,
    /// The waker of the task awaiting the `JoinHandle`; ownership is decided
    /// by the `JOIN_WAKER` flag (see `state.rs`).
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

/// A task's slot, held by someone whose claim keeps the slot's memory
/// valid, so that everything taking a `TaskRef` is safe. `S` is the
/// scheduler the slot belongs to.
///
/// The claim is shown once, where a `TaskRef` is made ([`TaskRef::from_raw`],
/// `unsafe`): a count on the slot's scheduler (a waker, a handle), the
/// owner's own table of live tasks, or a queue entry (a queued slot is not
/// freed before its entry is handled, `state.rs`). A `TaskRef` is neither
/// `Copy` nor `Clone`, so a queue entry is one of them.
///
/// Through it, any thread may reach the slot's atomic state and its
/// scheduler; what only the owner may do (poll, drop the future or the
/// output, free the slot) are the `unsafe` owner steps below.
pub(crate) struct TaskRef<S> {
    ptr: NonNull<Header>,
    _scheduler: PhantomData<*const S>,
}

// SAFETY: a `TaskRef` gives any thread only the slot's atomic `state` and
// its scheduler (`S: Send + Sync`); the owner-only parts of the header and
// the stage are reached only through `unsafe` calls whose callers are the
// owner.
unsafe impl<S: Schedule> Send for TaskRef<S> {}
// SAFETY: as above; `&TaskRef` gives nothing more than `TaskRef`.
unsafe impl<S: Schedule> Sync for TaskRef<S> {}

impl<S: Schedule> TaskRef<S> {
    /// # Safety
    ///
    /// `ptr` must point to a slot header carved by an arena whose scheduler
    /// is an `S` ([`Arena::new`](super::arena::Arena::new)), and the caller
    /// must hold a claim that keeps the slot's memory valid for as long as
    /// the returned `TaskRef` lives: a count on that scheduler held at least
    /// as long, or an entry for the slot in one of the owner's queues or
    /// its table of live tasks.
    #[inline]
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> TaskRef<S> {
        TaskRef {
            ptr,
            _scheduler: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn header(&self) -> &Header {
        // SAFETY: the claim shown in `from_raw` keeps the memory valid.
        unsafe { self.ptr.as_ref() }
    }

    #[inline]
    pub(crate) fn state(&self) -> &State {
        &self.header().state
    }

    /// The address of the slot's scheduler, an `S` (the slot was carved
    /// for one, see `from_raw`, and its `scheduler` never changes): what
    /// wakers and handles count on.
    #[inline]
    pub(crate) fn scheduler_ptr(&self) -> *const S {
        self.header().scheduler.cast::<S>()
    }

    /// The slot's address, for the vtable and the waker.
    #[inline]
    pub(crate) fn as_ptr(&self) -> NonNull<Header> {
        self.ptr
    }

    /// Another `TaskRef` for the same slot.
    ///
    /// # Safety
    ///
    /// As [`TaskRef::from_raw`]: the caller shows a claim for the new one.
    #[inline]
    pub(crate) unsafe fn clone_ref(&self) -> TaskRef<S> {
        TaskRef {
            ptr: self.ptr,
            _scheduler: PhantomData,
        }
    }

    /// Hands the slot to its scheduler's run queue (see
    /// [`Schedule::schedule`]); call after a transition returned
    /// `Wake::Push`.
    #[inline]
    pub(crate) fn schedule(self) {
        let scheduler: *const S = self.scheduler_ptr();
        // SAFETY: the slot's scheduler is an `S` (`from_raw`) and outlives
        // the slot's memory (it keeps the arena's chunks once the owner is
        // gone), which our claim, handed on to the queue entry, keeps valid.
        unsafe { &*scheduler }.schedule(self);
    }

    // The runner's and owner's steps. Each is `unsafe` for one reason: only
    // the task's runner (the thread that took it off a run queue: the
    // owner's, or for a `MOVABLE` task any thread its scheduler handed it
    // to; see "Who runs a task") may touch the future, only the owner may
    // free the slot, and only in the state named.

    /// Polls the future once, catching a panic. `Ready(())`: the future is
    /// gone and the stage holds the result; call [`TaskRef::complete`].
    ///
    /// # Safety
    ///
    /// The task's runner (the owner's thread, or any thread for a
    /// `MOVABLE` task), and the task is `RUNNING` (`State::start_poll`
    /// returned `Poll`, on this thread): its stage is `Running` and nobody
    /// else touches it.
    #[inline]
    pub(crate) unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the caller's contract, which is the vtable's.
        unsafe { (self.header().vtable().poll)(self.ptr, cx) }
    }

    /// Drops the future and stores a "cancelled" result; call
    /// [`TaskRef::complete`] next.
    ///
    /// # Safety
    ///
    /// As [`TaskRef::poll`] (`State::start_poll` returned `Cancel`, or
    /// `State::force_running` at shutdown).
    #[inline]
    pub(crate) unsafe fn cancel(&self) {
        // SAFETY: the caller's contract, which is the vtable's.
        unsafe { (self.header().vtable().cancel)(self.ptr) }
    }

    /// The stage holds the result: publishes `COMPLETE`, then wakes the
    /// `JoinHandle`'s task or drops the output nobody will take. Returns
    /// true if no handle is left and the owner must free the slot now
    /// ([`TaskRef::vacate`], then `Arena::free`).
    ///
    /// # Safety
    ///
    /// The runner, right after [`TaskRef::poll`] returned `Ready` or
    /// [`TaskRef::cancel`]; no `RefCell` borrow of the runner may be held
    /// (the waker woken and the output dropped here may re-enter it). If
    /// it returns true and the runner is not the owner, the runner hands
    /// the slot to the owner ([`Schedule::release`]).
    pub(crate) unsafe fn complete(&self) -> bool {
        let header = self.header();
        match header.state.complete() {
            Completed::Joinable { wake_joiner: false } => false,
            Completed::Joinable { wake_joiner: true } => {
                // SAFETY: JOIN_WAKER was set when COMPLETE was published, so
                // the cell is ours for good (state.rs) and the handle never
                // touches it again.
                let waker = unsafe { (*header.join_waker.get()).take() };
                if let Some(waker) = waker {
                    waker.wake();
                }
                false
            }
            Completed::Unjoined { release } => {
                // SAFETY: no JoinHandle was interested when COMPLETE was
                // published, so the output is ours (state.rs); the stage
                // is the vtable's type (caller: the runner of this task,
                // which for a non-`MOVABLE` task is the owner, and a
                // `MOVABLE` task's output is `Send`).
                unsafe { (header.vtable().drop_stage)(self.ptr) };
                release
            }
        }
    }

    /// Empties the header of a `COMPLETE` task whose last handle is gone
    /// and marks the slot free (next generation), before the owner returns
    /// it to the arena.
    ///
    /// # Safety
    ///
    /// Owner thread; the task is `COMPLETE`, its output was taken or
    /// dropped, and no handle is left (`complete` returned true, or a
    /// handle's [`Schedule::release`] asked for it). Called once per task.
    pub(crate) unsafe fn vacate(&self) {
        let header = self.header();
        // SAFETY: the handles are gone and the owner is done with the cell.
        let stale_waker = unsafe { (*header.join_waker.get()).take() };
        drop(stale_waker);
        header.state.release();
    }
}

impl<S> fmt::Debug for TaskRef<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TaskRef").field(&self.ptr).finish()
    }
}

/// Type-erased operations on a slot's stage.
pub(crate) struct Vtable {
    /// Polls the future once, catching a panic. `Ready(())` means the future
    /// is gone and the stage holds the result.
    pub(crate) poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> Poll<()>,
    /// Drops the future and stores a "cancelled" result.
    pub(crate) cancel: unsafe fn(NonNull<Header>),
    /// Moves the result into `*dst`, a `*mut Option<Result<T, JoinError>>`.
    pub(crate) take_output: unsafe fn(NonNull<Header>, *mut ()),
    /// Drops whatever the stage holds and leaves it `Consumed`.
    pub(crate) drop_stage: unsafe fn(NonNull<Header>),
}

/// What the slot holds after the header.
///
/// `repr(u8)` fixes the layout of `Running` (RFC 2195: a `u8` tag, then
/// the future, as in a `repr(C)` struct: [`RunningRepr`]), so that
/// [`occupy`] can copy a future straight into place, however large.
#[repr(u8)]
enum Stage<F: Future> {
    /// Never built as a value: `occupy` writes it in place.
    #[allow(dead_code)]
    Running(F) = 0,
    Finished(Result<F::Output, JoinError>) = 1,
    Consumed = 2,
}

/// The layout of `Stage::<F>::Running(F)` (see [`Stage`]).
#[repr(C)]
struct RunningRepr<F> {
    tag: u8,
    future: F,
}

/// A future on its way into a slot, left where the function that received
/// it by value keeps it, so that it is copied once, straight into its slot
/// ([`occupy`]), however large it is. (Moved by value through the frames
/// between `spool::spawn` and the slot, a 512 KiB future used to be copied
/// at each and overflowed a 2 MiB worker stack.)
///
/// Made only by the [`spawn_in_place!`] macro, which forgets the local if
/// the future was moved out of it.
pub(crate) struct Incoming<'a, F> {
    future: NonNull<F>,
    moved: &'a Cell<bool>,
}

impl<'a, F> Incoming<'a, F> {
    /// Futures larger than this are boxed before they travel to another
    /// worker (whose injection queue moves them by value).
    pub(crate) const LARGE: usize = 2048;

    /// # Safety
    ///
    /// `future` must be a live value the caller owns, untouched while the
    /// `Incoming` lives, and forgotten (never used or dropped) afterwards if
    /// `moved` is set.
    pub(crate) unsafe fn new(future: &'a mut F, moved: &'a Cell<bool>) -> Self {
        Incoming {
            future: NonNull::from(future),
            moved,
        }
    }

    /// Moves the future out by value (a copy on the stack: for small
    /// futures, or to give one back).
    pub(crate) fn into_inner(self) -> F {
        self.moved.set(true);
        // SAFETY: the value is live (`new`) and, with `moved` set, the owner
        // forgets its copy, so it is read out exactly once.
        unsafe { self.future.as_ptr().read() }
    }

    /// Moves the future into a new box, copying it once.
    pub(crate) fn into_box(self) -> Pin<Box<F>> {
        let mut boxed = Box::<F>::new_uninit();
        // SAFETY: the value is live (`new`); the box is fresh memory for one
        // `F`; with `moved` set, the owner forgets its copy.
        let boxed = unsafe {
            ptr::copy_nonoverlapping(self.future.as_ptr(), boxed.as_mut_ptr(), 1);
            self.moved.set(true);
            boxed.assume_init()
        };
        Box::into_pin(boxed)
    }

    /// Copies the future to `dst`.
    ///
    /// # Safety
    ///
    /// `dst` must be valid for writes of an `F` and hold no value.
    unsafe fn write_to(self, dst: *mut F) {
        // SAFETY: the value is live (`new`), `dst` is valid (caller); with
        // `moved` set, the owner forgets its copy.
        unsafe { ptr::copy_nonoverlapping(self.future.as_ptr(), dst, 1) };
        self.moved.set(true);
    }
}

/// `spawn_in_place!(future, |incoming| body)`: lends the caller's local
/// `future` (declared `mut`) to `body` as an [`Incoming`] and evaluates to
/// the body's value. If the body moved the future out (into a slot, a box,
/// or by value), the local is forgotten; otherwise it is dropped as usual.
///
/// `spawn_in_place!(give_back future, |incoming| body)` evaluates to
/// `Ok(value)` if the body moved the future out, and to `Err(future)`
/// otherwise: the future comes back without travelling through the body's
/// frames (where it would take stack space in each).
macro_rules! spawn_in_place {
    (give_back $future:ident, |$incoming:ident| $body:expr) => {
        $crate::task::raw::spawn_in_place!(@lend $future, |$incoming| $body,
            moved |result| Ok(result), kept |_result| Err($future))
    };
    ($future:ident, |$incoming:ident| $body:expr) => {
        $crate::task::raw::spawn_in_place!(@lend $future, |$incoming| $body,
            moved |result| result, kept |result| result)
    };
    // Both arms: runs the body with the future lent, forgets the local if
    // the body moved it out, and evaluates `$if_moved` or `$if_kept` with
    // the body's value bound to the name given for it.
    (@lend $future:ident, |$incoming:ident| $body:expr,
        moved |$moved:ident| $if_moved:expr, kept |$kept:ident| $if_kept:expr) => {{
        let moved = ::std::cell::Cell::new(false);
        let result = {
            // SAFETY: `$future` is the caller's own local; it is borrowed
            // by the `Incoming` until the body ends, and forgotten below if
            // the body moved it out.
            let $incoming = unsafe { $crate::task::raw::Incoming::new(&mut $future, &moved) };
            $body
        };
        if moved.get() {
            ::std::mem::forget($future);
            let $moved = result;
            $if_moved
        } else {
            let $kept = result;
            $if_kept
        }
    }};
}
pub(crate) use spawn_in_place;

/// The full typed layout of a slot holding a task of future type `F`.
#[repr(C)]
struct TaskCell<F: Future> {
    header: Header,
    stage: UnsafeCell<Stage<F>>,
}

impl<F: Future> TaskCell<F> {
    const VTABLE: Vtable = Vtable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        take_output: take_output::<F>,
        drop_stage: drop_stage::<F>,
    };
}

/// Memory a task of future type `F` needs.
pub(crate) const fn layout_of<F: Future>() -> Layout {
    Layout::new::<TaskCell<F>>()
}

/// The arena size class of a task of future type `F`, a constant per type.
///
/// # Panics
///
/// If `F` is aligned to more than 4 KiB.
#[inline]
pub(crate) fn class_of<F: Future>() -> u8 {
    struct ClassOf<F>(PhantomData<F>);
    impl<F: Future> ClassOf<F> {
        const CLASS: Option<u8> = super::arena::class_of_layout(layout_of::<F>());
    }
    match ClassOf::<F>::CLASS {
        Some(class) => class,
        None => Arena::class_for(layout_of::<F>()),
    }
}

impl Header {
    /// Writes the never-changing part of a freshly carved slot.
    ///
    /// # Safety
    ///
    /// `slot` must be valid for writes of a `Header`, aligned, and not yet
    /// visible to anyone else.
    pub(crate) unsafe fn init_free(slot: NonNull<Header>, scheduler: *const ()) {
        // SAFETY: guaranteed by the caller: fresh, aligned, unshared memory.
        unsafe {
            slot.as_ptr().write(Header {
                state: State::new_free(),
                polls: AtomicU32::new(0),
                key: Cell::new(usize::MAX),
                scheduler,
                vtable: Cell::new(&UNOCCUPIED),
                join_waker: UnsafeCell::new(None),
            });
        }
    }

    #[inline]
    pub(crate) fn vtable(&self) -> &'static Vtable {
        self.vtable.get()
    }
}

/// Whether a task may be run by another thread of its scheduler ("Who runs
/// a task"), decided when it is spawned and known at compile time: any
/// future may be [`Pinned`]; only a `Send` future with a `Send` output can
/// be [`Movable`] (the impl's bounds are the proof, so no caller has to
/// promise it).
pub(crate) trait Mobility<F> {
    /// The task's state word gets `MOVABLE`.
    const MOVABLE: bool;
}

/// Runs on its owner's thread only ([`Mobility`]).
#[derive(Debug)]
pub(crate) struct Pinned;

/// May run on any thread of its scheduler ([`Mobility`]).
#[derive(Debug)]
pub(crate) struct Movable;

impl<F> Mobility<F> for Pinned {
    const MOVABLE: bool = false;
}

impl<F> Mobility<F> for Movable
where
    F: Future + Send,
    F::Output: Send,
{
    const MOVABLE: bool = true;
}

/// Writes a new task into a free slot (copying the future straight into
/// it) and marks it scheduled, `MOVABLE` if `M` says so. Returns the
/// task's generation.
///
/// # Safety
///
/// `slot` must be a free slot of the caller's arena (carved with
/// [`Header::init_free`]) of at least `layout_of::<F>()` bytes and alignment,
/// and the caller must be its owner's thread.
pub(crate) unsafe fn occupy<F: Future, M: Mobility<F>>(
    slot: NonNull<Header>,
    key: usize,
    future: Incoming<'_, F>,
) -> u16 {
    let cell = slot.cast::<TaskCell<F>>().as_ptr();
    // SAFETY: the slot is large and aligned enough for `TaskCell<F>` (caller);
    // a free slot's stage holds no value (only the arena's free-list link),
    // so writing it without dropping is right. Only the owner writes the
    // owner-only header fields; other threads may read `state` and `scheduler`
    // concurrently, which we do not write here except atomically.
    unsafe {
        let header = &(*cell).header;
        header.key.set(key);
        header.polls.store(0, Relaxed);
        header.vtable.set(&TaskCell::<F>::VTABLE);
        debug_assert!((*header.join_waker.get()).is_none());
        // `UnsafeCell<Stage<F>>` has the layout of `Stage<F>`, and
        // `Stage::Running` that of `RunningRepr<F>` (see `Stage`).
        let running = ptr::addr_of_mut!((*cell).stage).cast::<RunningRepr<F>>();
        ptr::addr_of_mut!((*running).tag).write(0);
        future.write_to(ptr::addr_of_mut!((*running).future));
        debug_assert!(matches!(*(*cell).stage.get(), Stage::Running(_)));
        header.state.occupy(M::MOVABLE)
    }
}

/// Returns a pointer to the stage of a slot holding `F`.
///
/// # Safety
///
/// `ptr` must point to an occupied slot whose task has future type `F`.
unsafe fn stage<F: Future>(ptr: NonNull<Header>) -> *mut Stage<F> {
    // SAFETY: the caller guarantees the slot is a `TaskCell<F>`.
    unsafe { (*ptr.cast::<TaskCell<F>>().as_ptr()).stage.get() }
}

/// Replaces the stage in place: drops the old value (catching a panic from
/// its destructor) and then writes `new`, whatever happened.
///
/// Returns the panic payload if the destructor panicked.
///
/// # Safety
///
/// `stage` must be valid, and the caller must have exclusive access to it.
unsafe fn replace_stage<F: Future>(
    stage: *mut Stage<F>,
    new: Stage<F>,
) -> Option<Box<dyn std::any::Any + Send>> {
    // SAFETY: exclusive access (caller). `drop_in_place` leaves the place
    // logically uninitialised even if the destructor unwinds, so we always
    // write a fresh value afterwards and never drop the old one twice.
    let dropped = catch_unwind(AssertUnwindSafe(|| unsafe { ptr::drop_in_place(stage) }));
    // SAFETY: as above; the place is uninitialised now.
    unsafe { stage.write(new) };
    dropped.err()
}

/// # Safety
///
/// Owner thread; `ptr` holds a task with future type `F` in stage `Running`.
unsafe fn poll<F: Future>(ptr: NonNull<Header>, cx: &mut Context<'_>) -> Poll<()> {
    // SAFETY: the caller guarantees the type and that only this thread
    // touches the stage while the task is RUNNING.
    let stage = unsafe { stage::<F>(ptr) };
    let polled = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: as above: the stage is ours while the task is RUNNING.
        let Stage::Running(future) = (unsafe { &mut *stage }) else {
            unreachable!("a task was polled after it finished")
        };
        // SAFETY: the slot never moves and the future is dropped in place,
        // so it stays pinned for its whole life.
        let future = unsafe { Pin::new_unchecked(future) };
        future.poll(cx)
    }));
    let result = match polled {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(payload) => Err(JoinError::panic(payload)),
    };
    // SAFETY: exclusive access as above; the future is dropped in place.
    let drop_panic = unsafe { replace_stage(stage, Stage::Consumed) };
    let result = match drop_panic {
        Some(payload) => Err(JoinError::panic(payload)),
        None => result,
    };
    // SAFETY: the stage is `Consumed` (holds nothing) and still ours.
    unsafe { stage.write(Stage::Finished(result)) };
    Poll::Ready(())
}

/// # Safety
///
/// Owner thread; `ptr` holds a task with future type `F` in stage `Running`.
unsafe fn cancel<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: type and exclusivity guaranteed by the caller.
    let stage = unsafe { stage::<F>(ptr) };
    // SAFETY: as above.
    let result = match unsafe { replace_stage(stage, Stage::Consumed) } {
        Some(payload) => Err(JoinError::panic(payload)),
        None => Err(JoinError::cancelled()),
    };
    // SAFETY: the stage is `Consumed`, we may overwrite it.
    unsafe { stage.write(Stage::Finished(result)) };
}

/// # Safety
///
/// `ptr` holds a task with future type `F` whose output the caller claimed;
/// `dst` points to a valid `Option<Result<F::Output, JoinError>>`.
unsafe fn take_output<F: Future>(ptr: NonNull<Header>, dst: *mut ()) {
    // SAFETY: the caller claimed the output, so it has exclusive access.
    let stage = unsafe { stage::<F>(ptr) };
    // SAFETY: as above.
    match unsafe { ptr::replace(stage, Stage::Consumed) } {
        Stage::Finished(result) => {
            let dst = dst.cast::<Option<Result<F::Output, JoinError>>>();
            // SAFETY: `dst` is valid and typed as promised by the caller.
            unsafe { *dst = Some(result) };
        }
        _ => unreachable!("JoinHandle took an output that was not there"),
    }
}

/// # Safety
///
/// `ptr` holds a task with future type `F` and the caller has exclusive
/// access to its stage (it claimed the output, or the task never finished and
/// this is the owner).
unsafe fn drop_stage<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: guaranteed by the caller. A panic from the output's destructor
    // is swallowed: the owner has nowhere to report it.
    unsafe {
        let _ = replace_stage(stage::<F>(ptr), Stage::Consumed);
    }
}

/// The vtable of a slot with no task in it; calling it is a bug.
static UNOCCUPIED: Vtable = Vtable {
    poll: |_, _| unreachable!("polled a free slot"),
    cancel: |_| unreachable!("cancelled a free slot"),
    take_output: |_, _| unreachable!("took the output of a free slot"),
    drop_stage: |_| {},
};
