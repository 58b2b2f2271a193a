//! The task mechanism: state word, slot, arena, waker and join protocol,
//! knowing nothing of workers.
//!
//! This folder is the unsafe core of tasks (embassy-executor's `raw/`,
//! tokio's `runtime/task/`). It knows how a task is laid out in memory, how
//! its state word moves, how a waker finds it and how a `JoinHandle` gets
//! its output. It does not know what a worker, a run queue, a reactor or a
//! runtime is: whoever owns the tasks reaches it, and is reached by it,
//! through one seam, the [`Schedule`] trait. The runtime implements it
//! (`runtime/shared.rs`: `impl Schedule for Shared`); the loom models
//! implement it with a plain queue (`task/raw/loom_tests.rs`, `TestScheduler`)
//! and drive wakes, aborts and joins without a reactor or a worker.
//!
//! ```text
//!   task/mod.rs, builder.rs, remote.rs, join.rs     runtime/ (executor, shared,
//!   (spawn, spawn_on, Builder, JoinHandle, ...)      context, handle, ...)
//!                  │                                        │ impl Schedule for Shared
//!                  └──────────────┬─────────────────────────┘
//!                                 ▼ uses
//!   task/raw/  (this layer)   mod.rs   Schedule: schedule / release / give_back
//!                             state.rs the state word (Snapshot, transitions)
//!                             slot.rs  Header, TaskRef, vtable, the owner's steps
//!                             arena.rs size-classed slot memory
//!                             waker.rs the RawWakerVTable
//!                             join.rs  RawJoin / SlotHandle: the join protocol,
//!                                      JoinError
//! ```
//!
//! # One way only
//!
//! Nothing in this folder names the runtime: the only crate paths it uses
//! are `crate::loom` (std or loom atomics), `crate::coop` (the poll budget a
//! `JoinHandle` charges) and itself. Checked by
//!
//! ```text
//! grep -rnE "crate::(runtime|reactor|time|net|sync|task::(join|remote|builder|join_set|yield_now))|(super::){2}" src/task/raw/
//! ```
//!
//! which prints nothing. The files above this layer (`task/mod.rs`,
//! `builder.rs`, `remote.rs`, `join.rs`, and the runtime) use it; it never
//! uses them.
//!
//! # The seam
//!
//! Every slot header stores a thin pointer to its scheduler (`*const S`,
//! written when the arena carves the slot, never changed). The code of this
//! layer is generic over `S: Schedule` and compiled once for the runtime's
//! `Shared` (and once for the loom models' scheduler): a wake calls
//! `Shared::schedule` directly, with no indirect call and no wider header
//! than before the seam existed. A [`TaskRef<S>`] says which scheduler its
//! slot belongs to in its type.
//!
//! # Where unsafe code lives
//!
//! All the unsafe code that touches slot memory, the stage, the join-waker
//! cell and the waker data is in this folder: `slot.rs`, `arena.rs`,
//! `waker.rs` and `join.rs` (`state.rs` and this file are safe code). Above
//! it, `runtime/executor.rs` *calls* the owner-only steps (`occupy`,
//! [`TaskRef::poll`], [`TaskRef::cancel`], [`TaskRef::complete`],
//! [`TaskRef::vacate`], [`Arena::free`](arena::Arena::free)) and makes the
//! `TaskRef`s of its run queue and task table, each call an `unsafe` block
//! whose `// SAFETY:` says why the worker is the slot's owner;
//! `runtime/context.rs` holds the thread's current-worker pointer.

pub(crate) mod arena;
pub(crate) mod join;
pub(crate) mod slot;
pub(crate) mod state;
pub(crate) mod waker;

use std::sync::Arc;

pub(crate) use slot::{
    class_of, occupy, spawn_in_place, Header, Incoming, Mobility, Movable, Pinned, TaskRef,
};

/// What the task mechanism asks of whoever owns the tasks: the one seam
/// between this layer and the runtime (tokio's `Schedule`, async-task's
/// schedule function).
///
/// Each slot belongs to one scheduler for its whole life (its header points
/// at it); wakers, `JoinHandle`s and `AbortHandle`s hold a count on the
/// scheduler's `Arc`, which therefore must keep the slot memory valid for
/// as long as it lives (the runtime's `Shared` owns the arena's chunks once
/// the worker is gone).
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// `task` just became `SCHEDULED` while idle (a wake or an abort, on
    /// any thread): put it on the owner's run queue. The `TaskRef` is the
    /// queue entry (`state.rs`: a queued slot is never freed before its
    /// entry is handled). After a shutdown the entry may simply be dropped.
    fn schedule(&self, task: TaskRef<Self>);

    /// The last handle of the completed `task` went away (on any thread):
    /// the owner must free the slot. `self` is the count that handle held.
    /// After a shutdown there is nothing to free: the slot memory goes with
    /// the last count.
    fn release(self: Arc<Self>, task: TaskRef<Self>);

    /// A handle's count on the scheduler, given back when the handle goes
    /// without releasing anything. Dropping it is always right; the runtime
    /// keeps counts dropped on the owner thread for the next spawn.
    #[inline]
    fn give_back(self: Arc<Self>) {}
}

#[cfg(all(test, spool_loom))]
pub(crate) mod loom_tests;
