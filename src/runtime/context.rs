//! Which worker is running on this thread.
//!
//! A thread-local pointer to the worker's `Core`, set by [`enter`] for as
//! long as `block_on` (or a worker thread's loop, or shutdown) runs, so that
//! `spool::spawn` knows where it is, and so does `Shared`'s `Schedule` impl,
//! through which wakes and dropped handles reach their worker (the local
//! run queue and the worker's own release path on its thread, the remote
//! queue elsewhere).
//!
//! The guard also refuses to run an executor inside another one: a nested
//! `block_on` on one thread would stall the outer runtime (its tasks could
//! not run while the inner one blocks), so it panics instead.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr;

use super::executor::Core;
use super::shared::Shared;
use crate::task::raw::TaskRef;

thread_local! {
    static CURRENT: Cell<*const Core> = const { Cell::new(ptr::null()) };
}

/// Restores the previous (empty) context when dropped, also on unwind.
///
/// It borrows the `Core` it made current for its whole life, so the
/// compiler checks that the `Core` stays alive and unmoved while the
/// thread-local points at it.
#[derive(Debug)]
pub(crate) struct EnterGuard<'a> {
    prev: *const Core,
    _core: PhantomData<&'a Core>,
}

/// Makes `core` the current worker of this thread.
///
/// Panics if the thread is already inside a spool runtime.
pub(crate) fn enter(core: &Core) -> EnterGuard<'_> {
    let prev = CURRENT.with(|c| c.replace(core));
    if !prev.is_null() {
        CURRENT.with(|c| c.set(prev));
        panic!(
            "Cannot start a spool runtime from within a runtime: `block_on` was called \
             on a thread that is already running one (nested block_on). \
             Use `.await` or `spool::spawn` inside the running runtime instead."
        );
    }
    EnterGuard {
        prev,
        _core: PhantomData,
    }
}

impl Drop for EnterGuard<'_> {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.prev));
    }
}

/// Runs `f` with the current worker, or returns `None` outside a runtime.
#[inline]
pub(crate) fn with_core<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
    CURRENT.with(|c| {
        let p = c.get();
        // SAFETY: `CURRENT` is non-null only between `enter` and the drop
        // of its guard, which borrows the `Core` (alive and unmoved) for
        // that whole time; only shared references are made.
        (!p.is_null()).then(|| f(unsafe { &*p }))
    })
}

/// Like [`with_core`] but panics with a clear message outside a runtime.
#[track_caller]
pub(crate) fn expect_core<R>(what: &str, f: impl FnOnce(&Core) -> R) -> R {
    match with_core(f) {
        Some(r) => r,
        None => panic!(
            "{what} must be called from inside a spool runtime, but there is no runtime \
             on this thread: call it within `spool::block_on(...)` or `Runtime::block_on(...)`"
        ),
    }
}

/// Like [`expect_core`], for the functions that spawn onto the current
/// worker: off a worker, the message points to `Handle`, which works from
/// any thread (`instead` names its method, e.g. `Handle::spawn`).
#[track_caller]
pub(crate) fn expect_worker<R>(what: &str, instead: &str, f: impl FnOnce(&Core) -> R) -> R {
    match with_core(f) {
        Some(r) => r,
        None => panic!(
            "{what} must be called on a spool worker thread (inside `block_on` or a task), but \
             no worker runs on this thread. From any other thread (a `spawn_blocking` closure, \
             a thread of your own) use `spool::runtime::{instead}`: get the Handle with \
             `Handle::current()` on a `spawn_blocking` thread or `Runtime::handle()` anywhere"
        ),
    }
}

/// Pushes a newly scheduled task onto the current worker's run queue if
/// this thread *is* its worker, or into the current worker's hand-off slot
/// if the task may move here (`Core::offer`); gives it back otherwise.
#[inline]
pub(crate) fn push_local(task: TaskRef<Shared>) -> Result<(), TaskRef<Shared>> {
    CURRENT.with(|c| {
        let p = c.get();
        // SAFETY: as in `with_core`: non-null only while an `EnterGuard`
        // borrows the `Core`.
        match unsafe { p.as_ref() } {
            Some(core) if ptr::eq(core.shared_ptr(), task.scheduler_ptr()) => {
                core.push_local(task);
                Ok(())
            }
            Some(core) => core.offer(task),
            None => Err(task),
        }
    })
}
