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
//!   `SCHEDULED` (one CAS) and, if the task was idle, pushes the slot onto
//!   the local run queue (waker on the worker's own thread) or the worker's
//!   remote queue plus an unpark (any other thread).
//! - **clone / drop** add or remove one count on the worker's `Arc<Shared>`
//!   (no allocation, no per-task `Arc`). That count is what keeps the slot
//!   memory valid after the task is gone, and after the runtime is gone:
//!   the arena's chunks are owned by `Shared` once the runtime shuts down.
//! - The waker handed to a task's `poll` is *borrowed*: built on the spot
//!   without taking a count, valid because the executor keeps `Shared`
//!   alive while it polls. Only a clone made by the future takes a count.
//!
//! The `block_on` future is not in the arena; its waker points at the
//! worker's `Shared` and sets a flag (`main_woken`) instead.
//!
//! On a 32-bit target the tag is left out; a stale waker may then cause one
//! spurious poll of the slot's next occupant, which is harmless.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::raw::{Header, TaskRef};
use super::state::Wake;
use crate::runtime::context;
use crate::runtime::shared::{Remote, Shared};

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
fn pack(task: &TaskRef, generation: u16) -> *const () {
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

static TASK_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_task, wake_task, wake_task_by_ref, drop_task);

/// The waker given to a task's `poll`, without taking a count.
///
/// # Safety
///
/// The returned waker must not outlive the poll, during which the worker
/// keeps its `Shared` alive (clones are fine: they take their own count).
#[inline]
pub(crate) unsafe fn borrowed(task: &TaskRef, generation: u16) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(pack(task, generation), &TASK_VTABLE);
    // SAFETY: the vtable below upholds the `RawWaker` contract; it is never
    // dropped (ManuallyDrop), matching the count it never took.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

unsafe fn clone_task(data: *const ()) -> RawWaker {
    let (ptr, _) = unpack(data);
    // SAFETY: the waker being cloned keeps the slot memory alive (it holds a
    // count, or is a borrowed waker during a poll), and `shared` never
    // changes for a slot; the new waker owns the count we add here.
    unsafe { Arc::increment_strong_count((*ptr.as_ptr()).shared) };
    RawWaker::new(data, &TASK_VTABLE)
}

unsafe fn wake_task(data: *const ()) {
    // SAFETY: forwarded contract: `data` is a live waker we now consume.
    unsafe {
        wake_task_by_ref(data);
        drop_task(data);
    }
}

unsafe fn wake_task_by_ref(data: *const ()) {
    let (ptr, tag) = unpack(data);
    // SAFETY: the waker's count on the slot's `Shared` (or the poll it was
    // borrowed for) keeps the slot memory valid while the `TaskRef` lives,
    // or until `wake` queues it, after which the queue invariant does.
    let task = unsafe { TaskRef::from_raw(ptr) };
    wake(task, tag);
}

unsafe fn drop_task(data: *const ()) {
    let (ptr, _) = unpack(data);
    // SAFETY: this waker's count keeps the slot readable until the line
    // below gives the count back.
    let shared = unsafe { (*ptr.as_ptr()).shared };
    // SAFETY: this waker owned one count on `shared` (see `clone_task`).
    unsafe { Arc::decrement_strong_count(shared) };
}

/// Wakes `task` if its slot still has generation `tag` (0: unknown).
#[inline]
fn wake(task: TaskRef, tag: u16) {
    if task.state().wake(tag) == Wake::Push {
        push(task);
    }
}

/// Puts a task that just became `SCHEDULED` (and is not running) onto its
/// worker's run queue: locally if we are on that worker's thread, otherwise
/// through the worker's remote queue.
#[inline]
pub(crate) fn push(task: TaskRef) {
    if let Err(task) = context::push_local(task) {
        let shared: *const Shared = task.shared();
        // SAFETY: the slot's `Shared` outlives its memory, which the
        // caller's claim (handed on to the queue entry) keeps valid.
        unsafe { &*shared }.push_remote(Remote::Wake(task));
    }
}

static MAIN_VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_main, wake_main, wake_main_by_ref, drop_main);

/// The waker of a `block_on` future: sets `Shared::main_woken`.
pub(crate) fn main_waker(shared: &Arc<Shared>) -> Waker {
    let data = Arc::into_raw(shared.clone()) as *const ();
    // SAFETY: `data` owns one count on `Shared`; the vtable keeps that
    // contract (clone adds one, drop and wake give one back).
    unsafe { Waker::from_raw(RawWaker::new(data, &MAIN_VTABLE)) }
}

unsafe fn clone_main(data: *const ()) -> RawWaker {
    // SAFETY: `data` came from `Arc::into_raw` and the waker is alive.
    unsafe { Arc::increment_strong_count(data as *const Shared) };
    RawWaker::new(data, &MAIN_VTABLE)
}

unsafe fn wake_main(data: *const ()) {
    // SAFETY: we consume the waker's count.
    let shared = unsafe { Arc::from_raw(data as *const Shared) };
    shared.wake_main();
}

unsafe fn wake_main_by_ref(data: *const ()) {
    // SAFETY: the waker holds a count, so the pointer is valid.
    unsafe { &*(data as *const Shared) }.wake_main();
}

unsafe fn drop_main(data: *const ()) {
    // SAFETY: gives back the count this waker owned.
    unsafe { Arc::decrement_strong_count(data as *const Shared) };
}
