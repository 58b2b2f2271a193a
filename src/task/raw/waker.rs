//! Wakers that cost no allocation: a hand-written [`RawWakerVTable`].
//!
//! A task's waker is one pointer: the address of the task's slot header,
//! with the slot's *generation* in the top 16 bits (user-space addresses on
//! the 64-bit platforms spool runs on fit in 48 bits).
//!
//! ```text
//!   63        48 47                                        0
//!  +------------+-------------------------------------------+
//!  | generation |  address of the slot's Header             |
//!  +------------+-------------------------------------------+
//! ```
//!
//! - **wake** compares the tag with the slot's current generation: a waker
//!   kept by a task that has finished, whose slot now holds another task,
//!   does nothing (no spurious poll of the new occupant). It then sets
//!   `SCHEDULED` (one CAS) and, if the task was idle, hands the slot to its
//!   scheduler ([`Schedule::schedule`]); the runtime's puts it on the local
//!   run queue (waker on the worker's own thread) or the worker's remote
//!   queue plus an unpark (any other thread).
//! - **clone / drop** add or remove one count on the slot's scheduler
//!   (`Arc<S>`; no allocation, no per-task `Arc`). That count is what keeps
//!   the slot memory valid after the task is gone, and after the runtime is
//!   gone: the runtime's scheduler (`Shared`) owns the arena's chunks once
//!   the runtime shuts down.
//! - The waker handed to a task's `poll` is *borrowed*: built on the spot
//!   without taking a count, valid because the owner keeps its scheduler
//!   alive while it polls. Only a clone made by the future takes a count.
//!
//! The functions are generic over the scheduler type `S`, so each scheduler
//! gets its own static vtable and a wake calls `S::schedule` directly.
//! (The `block_on` future is not in the arena; its waker is the runtime's,
//! `runtime/shared.rs`.)
//!
//! On a 32-bit target the tag is left out; a stale waker may then cause one
//! spurious poll of the slot's next occupant, which is harmless.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::slot::{Header, TaskRef};
use super::state::Wake;
use super::Schedule;

#[cfg(target_pointer_width = "64")]
const TAG_SHIFT: u32 = 48;
#[cfg(target_pointer_width = "64")]
const ADDR_MASK: usize = (1 << TAG_SHIFT) - 1;

/// Checks that slot addresses leave room for the generation tag.
#[inline]
pub(crate) fn check_address(ptr: *const u8) {
    #[cfg(target_pointer_width = "64")]
    assert!(
        ptr.addr() >> TAG_SHIFT == 0,
        "spool: task memory above 2^48 cannot carry a waker generation tag"
    );
    #[cfg(not(target_pointer_width = "64"))]
    let _ = ptr;
}

/// Packs a slot address and generation into waker data.
#[inline]
fn pack<S: Schedule>(task: &TaskRef<S>, generation: u16) -> *const () {
    let p = task.as_ptr().as_ptr() as *const ();
    #[cfg(target_pointer_width = "64")]
    return p.map_addr(|a| a | ((generation as usize) << TAG_SHIFT));
    #[cfg(not(target_pointer_width = "64"))]
    {
        let _ = generation;
        p
    }
}

/// Splits waker data into the slot address and the generation (0: unknown).
#[inline]
fn unpack(data: *const ()) -> (NonNull<Header>, u16) {
    #[cfg(target_pointer_width = "64")]
    let (p, tag) = (
        data.map_addr(|a| a & ADDR_MASK),
        (data.addr() >> TAG_SHIFT) as u16,
    );
    #[cfg(not(target_pointer_width = "64"))]
    let (p, tag) = (data, 0u16);
    let p = NonNull::new(p as *mut Header).expect("waker data is never null");
    (p, tag)
}

/// The waker functions of the slots of scheduler `S`.
struct TaskWaker<S>(std::marker::PhantomData<S>);

impl<S: Schedule> TaskWaker<S> {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        clone_task::<S>,
        wake_task::<S>,
        wake_task_by_ref::<S>,
        drop_task::<S>,
    );
}

/// The waker given to a task's `poll`, without taking a count.
///
/// # Safety
///
/// The returned waker must not outlive the poll, during which the runner
/// keeps the task's scheduler alive (clones are fine: they take their own
/// count).
#[inline]
pub(crate) unsafe fn borrowed<S: Schedule>(
    task: &TaskRef<S>,
    generation: u16,
) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(pack(task, generation), &TaskWaker::<S>::VTABLE);
    // SAFETY: the vtable below upholds the `RawWaker` contract; it is never
    // dropped (ManuallyDrop), matching the count it never took.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// # Safety
///
/// `data` is the data of a live waker of a slot of scheduler `S`.
unsafe fn clone_task<S: Schedule>(data: *const ()) -> RawWaker {
    let (ptr, _) = unpack(data);
    // SAFETY: the waker being cloned keeps the slot memory alive (it holds a
    // count, or is a borrowed waker during a poll), the slot's scheduler is
    // an `S` (this vtable is `S`'s) and never changes; the new waker owns
    // the count we add here.
    unsafe {
        let task = TaskRef::<S>::from_raw(ptr);
        Arc::increment_strong_count(task.scheduler_ptr());
    }
    RawWaker::new(data, &TaskWaker::<S>::VTABLE)
}

/// # Safety
///
/// As [`clone_task`]; the waker is consumed.
unsafe fn wake_task<S: Schedule>(data: *const ()) {
    // SAFETY: forwarded contract: `data` is a live waker we now consume.
    unsafe {
        wake_task_by_ref::<S>(data);
        drop_task::<S>(data);
    }
}

/// # Safety
///
/// As [`clone_task`].
unsafe fn wake_task_by_ref<S: Schedule>(data: *const ()) {
    let (ptr, tag) = unpack(data);
    // SAFETY: the slot belongs to an `S` (this vtable is `S`'s); the
    // waker's count on it (or the poll it was borrowed for) keeps the slot
    // memory valid while the `TaskRef` lives, or until `schedule` queues
    // it, after which the queue invariant does.
    let task = unsafe { TaskRef::<S>::from_raw(ptr) };
    if task.state().wake(tag) == Wake::Push {
        task.schedule();
    }
}

/// # Safety
///
/// As [`clone_task`]; the waker is consumed.
unsafe fn drop_task<S: Schedule>(data: *const ()) {
    let (ptr, _) = unpack(data);
    // SAFETY: this waker's count keeps the slot readable until the line
    // below gives the count back; the slot's scheduler is an `S`.
    let scheduler = unsafe { TaskRef::<S>::from_raw(ptr) }.scheduler_ptr();
    // SAFETY: this waker owned one count on `scheduler` (see `clone_task`).
    unsafe { Arc::decrement_strong_count(scheduler) };
}
