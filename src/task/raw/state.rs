//! The task state word: one `AtomicU64` per arena slot.
//!
//! Everything that more than one thread may look at lives in this word, so
//! that every transition is a single atomic operation. The low 16 bits are
//! flags, the next 32 count the *handles* to the task (its `JoinHandle` and
//! every `AbortHandle`), the top 16 bits are the slot's *generation*.
//!
//! ```text
//!  63          48 47                      16 15                       0
//! +--------------+--------------------------+--------------------------+
//! |  generation  |  handles (JoinHandle +   |  flags: SCHEDULED,        |
//! |              |  AbortHandles)           |  RUNNING, COMPLETE, ...   |
//! +--------------+--------------------------+--------------------------+
//! ```
//!
//! Code outside this file never tests bits: it reads a [`Snapshot`] through
//! its named predicates, and every transition returns an enum that says
//! what the caller must do next.
//!
//! # Transitions
//!
//! ```text
//!            occupy (owner spawns)           start_poll (owner's loop)
//!  (free) ────────────────────▶ SCHEDULED ─────────────────────────▶ RUNNING
//!                                  ▲                                    │
//!          wake (idle task):       │                                    │ poll returned
//!          Wake::Push, the waker ──┤                                    ├─ Pending: end_poll_pending
//!          queues it               │                                    │   PollPending::Requeue if
//!                                  │                                    │   woken meanwhile, else Idle
//!          wake while RUNNING ─────┘ (sets SCHEDULED only: Wake::Nothing,│
//!                                     the owner requeues it)            └─ Ready / panic / CANCELLED:
//!                                                                           complete
//!                                                                             │
//!                                                 COMPLETE (output in the slot, or dropped
//!                                                 at once if no JoinHandle wants it)
//!                                                                             │ last handle gone
//!                                                                             ▼ (LastRef::Release)
//!                                                                  (free, generation + 1)
//! ```
//!
//! # Invariants
//!
//! "The owner" below is the task's *runner* for the steps of a run
//! (`start_poll`, `end_poll_pending`, `complete`): the owner's thread, or
//! for a `MOVABLE` task whichever thread took its queue entry (`slot.rs`,
//! "Who runs a task"). Freeing a slot (`release`) is always the owner's.
//!
//! - A slot has a run-queue entry (one handed to `Schedule::schedule`, or
//!   pushed by the owner itself: the runtime keeps it in a worker's local
//!   run queue or hand-off slot, or as a `Wake` entry of its remote queue)
//!   exactly when it is `SCHEDULED`, not `RUNNING` and not `COMPLETE`, and
//!   at most one.
//!   A release request (`Schedule::release`: the runtime's `Release`
//!   entries) is made only for a `COMPLETE` slot whose last handle went, for
//!   the owner to free. A queued slot is therefore never freed before its
//!   entry is handled.
//! - Only the owner clears `SCHEDULED`, sets `RUNNING` and sets
//!   `COMPLETE`. Wakers (any thread) only ever *set* `SCHEDULED`, and only
//!   on a slot whose generation matches theirs and which is not `COMPLETE`.
//!   Handles (any thread) set `CANCELLED` and `SCHEDULED`, add and remove
//!   handle counts, and clear `JOIN_INTEREST`.
//! - **A slot is freed exactly once: when it is `COMPLETE` and its handle
//!   count is zero**, by whoever made that true (the owner completing a
//!   task that has no handle, or the last handle going away after
//!   completion). So a `JoinHandle` or `AbortHandle` always points at its
//!   own task, however many tasks the slot saw meanwhile: the generation
//!   only matters for wakers, which hold no count.
//! - `COMPLETE` is never cleared while the slot is occupied. A free slot is
//!   stored as `COMPLETE` with its *next* generation, so a stale waker sees
//!   either a wrong generation or `COMPLETE`, and does nothing. A stale
//!   waker whose 16-bit generation wrapped around may cause one spurious
//!   poll of a later occupant, which futures must tolerate anyway.
//! - `JOIN_WAKER` decides who owns the join-waker cell in the header: while
//!   it is clear the `JoinHandle` may write the cell; while it is set only the
//!   owner may, and only after it set `COMPLETE`. Once `COMPLETE` is set,
//!   `JOIN_WAKER` never changes again.
//! - The output belongs to the `JoinHandle` if `JOIN_INTEREST` was set when
//!   `COMPLETE` was published, and to the owner otherwise (it drops it at
//!   once). A `JoinHandle` going away before completion clears
//!   `JOIN_INTEREST` only while `COMPLETE` is clear ([`State::detach`]), so
//!   exactly one side owns the output.

use crate::loom::sync::atomic::{AtomicU64, Ordering::*};

/// In a run queue, or must be put back into one when its poll ends.
const SCHEDULED: u64 = 1 << 0;
/// Being polled by its owner right now.
const RUNNING: u64 = 1 << 1;
/// The future is gone; the slot holds the output (or a `JoinError`), or
/// held it and it was taken or dropped.
const COMPLETE: u64 = 1 << 2;
/// `abort()` was called: the owner drops the future at its next turn.
const CANCELLED: u64 = 1 << 3;
/// The `JoinHandle` is alive and will take (or drop) the output.
const JOIN_INTEREST: u64 = 1 << 4;
/// The join-waker cell holds a waker the owner must wake on completion.
const JOIN_WAKER: u64 = 1 << 5;
/// The future and its output are `Send`: another worker of the same
/// runtime may run the task (see `slot.rs`, "Who runs a task"). Set by
/// `occupy`, never changed while the slot is occupied.
const MOVABLE: u64 = 1 << 6;

/// One handle (the `JoinHandle` or an `AbortHandle`) in the count.
const REF_ONE: u64 = 1 << 16;
const REF_MASK: u64 = 0xFFFF_FFFF << 16;
const GEN_SHIFT: u32 = 48;

/// Generation 0 is never used: a waker tagged 0 means "generation unknown"
/// (see `waker::pack`).
pub(crate) const FIRST_GENERATION: u16 = 1;

/// The generation after `g`, skipping 0.
#[inline]
pub(crate) fn next_generation(g: u16) -> u16 {
    if g == u16::MAX {
        FIRST_GENERATION
    } else {
        g + 1
    }
}

/// A copy of a state word, read through named predicates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(u64);

impl Snapshot {
    /// Queued, or to be queued again when its poll ends.
    pub(crate) fn is_scheduled(self) -> bool {
        self.0 & SCHEDULED != 0
    }
    /// Being polled right now.
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    /// The future is gone (finished, panicked or cancelled), or the slot
    /// is free.
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    /// `abort()` was called.
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    /// A `JoinHandle` will take the output.
    pub(crate) fn has_join_interest(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    /// The owner owns the join-waker cell and wakes it on completion.
    pub(crate) fn has_join_waker(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    /// Its future and output are `Send`: another worker may run it.
    pub(crate) fn is_movable(self) -> bool {
        self.0 & MOVABLE != 0
    }
    /// Handles (the `JoinHandle` and `AbortHandle`s) alive.
    pub(crate) fn handles(self) -> u32 {
        ((self.0 & REF_MASK) >> 16) as u32
    }
    /// The slot's generation.
    pub(crate) fn generation(self) -> u16 {
        (self.0 >> GEN_SHIFT) as u16
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = [
            (SCHEDULED, "SCHEDULED"),
            (RUNNING, "RUNNING"),
            (COMPLETE, "COMPLETE"),
            (CANCELLED, "CANCELLED"),
            (JOIN_INTEREST, "JOIN_INTEREST"),
            (JOIN_WAKER, "JOIN_WAKER"),
            (MOVABLE, "MOVABLE"),
        ];
        let flags: Vec<&str> = names
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|&(_, name)| name)
            .collect();
        f.debug_struct("Snapshot")
            .field("flags", &flags.join("|"))
            .field("handles", &self.handles())
            .field("generation", &self.generation())
            .finish()
    }
}

/// What a waker (or `abort`) must do after its transition.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum Wake {
    /// The task was idle: the caller must push it onto a run queue.
    Push,
    /// Nothing to do: already scheduled, running (the owner requeues it),
    /// finished, or a stale waker.
    Nothing,
}

/// What the owner must do with a task it took off the run queue.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum StartPoll {
    /// Poll it; its waker carries this generation.
    Poll { generation: u16 },
    /// It was aborted: drop the future instead.
    Cancel,
}

/// What the owner must do after a poll returned `Pending`.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum PollPending {
    /// Nobody woke it: it waits for a wake.
    Idle,
    /// It was woken during its poll: the owner must queue it again.
    Requeue,
}

/// What the owner must do after publishing `COMPLETE`.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum Completed {
    /// The `JoinHandle` will take the output; if `wake_joiner`, the owner
    /// now owns the join-waker cell and must wake the waker in it.
    Joinable { wake_joiner: bool },
    /// Nobody will take the output: the owner drops it now, and, if
    /// `release`, also frees the slot (no handle is left at all).
    Unjoined { release: bool },
}

/// What a `JoinHandle` that did not take the output learns when it goes.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum Detach {
    /// The task is still running and now detached; the handle's count is
    /// gone, and the owner drops the output when the task completes.
    Detached,
    /// The task completed first: the output is the handle's to drop, then
    /// it gives up its count with [`State::drop_join_handle`].
    Complete,
}

/// What a handle giving up its count must do.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub(crate) enum LastRef {
    /// It was the last handle of a completed task: the slot must be freed
    /// (by the owner).
    Release,
    /// Something still holds the slot.
    Keep,
}

/// The atomic state word of one slot.
#[derive(Debug)]
pub(crate) struct State(AtomicU64);

impl State {
    /// The state of a slot that was never used.
    pub(crate) fn new_free() -> State {
        State(AtomicU64::new(Self::free_word(FIRST_GENERATION)))
    }

    fn free_word(generation: u16) -> u64 {
        ((generation as u64) << GEN_SHIFT) | COMPLETE
    }

    #[inline]
    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Occupies a free slot with a new task: scheduled, with a `JoinHandle`
    /// (one handle), `MOVABLE` if `movable`. Returns the generation of the
    /// new occupant. Owner thread only.
    #[inline]
    pub(crate) fn occupy(&self, movable: bool) -> u16 {
        let generation = Snapshot(self.0.load(Relaxed)).generation();
        let movable = if movable { MOVABLE } else { 0 };
        self.0.store(
            ((generation as u64) << GEN_SHIFT) | SCHEDULED | JOIN_INTEREST | REF_ONE | movable,
            Release,
        );
        generation
    }

    /// Frees the slot: bumps the generation so that stale wakers stop
    /// matching. Owner thread only, once the slot is complete and has no
    /// handle.
    #[inline]
    pub(crate) fn release(&self) {
        let cur = Snapshot(self.0.load(Relaxed));
        debug_assert!(cur.is_complete() && cur.handles() == 0, "{cur:?}");
        self.0
            .store(Self::free_word(next_generation(cur.generation())), Release);
    }

    /// A wake from a waker tagged with `tag` (0: generation unknown).
    #[inline]
    pub(crate) fn wake(&self, tag: u16) -> Wake {
        let mut cur = self.0.load(Acquire);
        loop {
            let s = Snapshot(cur);
            if (tag != 0 && s.generation() != tag) || s.is_complete() || s.is_scheduled() {
                return Wake::Nothing;
            }
            match self
                .0
                .compare_exchange_weak(cur, cur | SCHEDULED, AcqRel, Acquire)
            {
                Ok(_) if s.is_running() => return Wake::Nothing,
                Ok(_) => return Wake::Push,
                Err(actual) => cur = actual,
            }
        }
    }

    /// `abort()` from a handle (which holds a count, so the slot is its
    /// task's): marks the task cancelled and schedules it if it is idle.
    #[inline]
    pub(crate) fn abort(&self) -> Wake {
        let mut cur = self.0.load(Acquire);
        loop {
            let s = Snapshot(cur);
            debug_assert!(s.handles() > 0);
            if s.is_complete() || s.is_cancelled() {
                return Wake::Nothing;
            }
            // Like a wake: SCHEDULED makes a running task go back onto the
            // queue after its poll, where the owner sees CANCELLED. Only an
            // idle task must be pushed by us.
            let idle = !s.is_scheduled() && !s.is_running();
            let next = cur | CANCELLED | SCHEDULED;
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(_) if idle => return Wake::Push,
                Ok(_) => return Wake::Nothing,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The runner takes the task off a queue: `SCHEDULED` → `RUNNING`.
    /// Only the thread that took its queue entry (the owner's, or another
    /// worker's for a `MOVABLE` task: `slot.rs`, "Who runs a task").
    #[inline]
    pub(crate) fn start_poll(&self) -> StartPoll {
        let prev = Snapshot(self.0.fetch_xor(SCHEDULED | RUNNING, AcqRel));
        debug_assert!(
            prev.is_scheduled() && !prev.is_running() && !prev.is_complete(),
            "{prev:?}"
        );
        if prev.is_cancelled() {
            StartPoll::Cancel
        } else {
            StartPoll::Poll {
                generation: prev.generation(),
            }
        }
    }

    /// Shutdown is about to drop a task that is not being polled: marks it
    /// `RUNNING` so that wakes from its destructor do not queue it. Owner
    /// thread only.
    pub(crate) fn force_running(&self) {
        self.0.fetch_or(RUNNING, AcqRel);
    }

    /// The poll returned `Pending`: clears `RUNNING`.
    #[inline]
    pub(crate) fn end_poll_pending(&self) -> PollPending {
        if Snapshot(self.0.fetch_and(!RUNNING, AcqRel)).is_scheduled() {
            PollPending::Requeue
        } else {
            PollPending::Idle
        }
    }

    /// The future finished (or was dropped): sets `COMPLETE`, clears
    /// `RUNNING` and `SCHEDULED`. Owner thread only.
    #[inline]
    pub(crate) fn complete(&self) -> Completed {
        let mut cur = self.0.load(Acquire);
        let prev = loop {
            let next = (cur & !(RUNNING | SCHEDULED)) | COMPLETE;
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(prev) => break Snapshot(prev),
                Err(actual) => cur = actual,
            }
        };
        if prev.has_join_interest() {
            Completed::Joinable {
                wake_joiner: prev.has_join_waker(),
            }
        } else {
            Completed::Unjoined {
                release: prev.handles() == 0,
            }
        }
    }

    /// A new `AbortHandle`: one more handle. The caller holds a handle
    /// already, so the slot cannot be freed meanwhile.
    ///
    /// # Panics
    ///
    /// If 2^32 - 1 handles exist (like `Arc`, a count that cannot overflow).
    #[inline]
    pub(crate) fn add_handle(&self) {
        let prev = Snapshot(self.0.fetch_add(REF_ONE, Relaxed));
        debug_assert!(prev.handles() > 0);
        if prev.handles() == u32::MAX - 1 {
            self.0.fetch_sub(REF_ONE, Relaxed);
            panic!("spool: too many AbortHandles for one task (2^32 - 1)");
        }
    }

    /// An `AbortHandle` goes away.
    #[inline]
    pub(crate) fn drop_handle(&self) -> LastRef {
        Self::last_ref(Snapshot(self.0.fetch_sub(REF_ONE, AcqRel)))
    }

    /// The `JoinHandle` goes away after taking the output, or after
    /// [`State::detach`] said the task completed and the handle dropped the
    /// output.
    #[inline]
    pub(crate) fn drop_join_handle(&self) -> LastRef {
        let prev = Snapshot(self.0.fetch_sub(REF_ONE | JOIN_INTEREST, AcqRel));
        debug_assert!(prev.has_join_interest() && prev.is_complete(), "{prev:?}");
        Self::last_ref(prev)
    }

    fn last_ref(prev: Snapshot) -> LastRef {
        debug_assert!(prev.handles() > 0, "{prev:?}");
        if prev.is_complete() && prev.handles() == 1 {
            LastRef::Release
        } else {
            LastRef::Keep
        }
    }

    /// The `JoinHandle` goes away without having taken the output. If the
    /// task is still running, gives up the handle's interest and count in
    /// one step ([`Detach::Detached`]); otherwise changes nothing.
    #[inline]
    pub(crate) fn detach(&self) -> Detach {
        let mut cur = self.0.load(Acquire);
        loop {
            if Snapshot(cur).is_complete() {
                return Detach::Complete;
            }
            let next = cur - REF_ONE - JOIN_INTEREST;
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(_) => return Detach::Detached,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Hands the join-waker cell to the owner. Fails (with the current
    /// word) if the task completed first; the cell then stays the handle's.
    #[inline]
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update_unless_complete(|s| s | JOIN_WAKER)
    }

    /// Takes the join-waker cell back from the owner, so the handle may
    /// overwrite it. Fails if the task completed first (the owner owns
    /// the cell for good then).
    #[inline]
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update_unless_complete(|s| s & !JOIN_WAKER)
    }

    fn update_unless_complete(&self, f: impl Fn(u64) -> u64) -> Result<Snapshot, Snapshot> {
        let mut cur = self.0.load(Acquire);
        loop {
            if Snapshot(cur).is_complete() {
                return Err(Snapshot(cur));
            }
            match self.0.compare_exchange_weak(cur, f(cur), AcqRel, Acquire) {
                Ok(prev) => return Ok(Snapshot(prev)),
                Err(actual) => cur = actual,
            }
        }
    }
}

#[cfg(all(test, not(spool_loom)))]
mod tests {
    use super::*;

    #[test]
    fn stale_generation_is_ignored() {
        let s = State::new_free();
        let g = s.occupy(false);
        assert_eq!(s.start_poll(), StartPoll::Poll { generation: g });
        assert_eq!(s.end_poll_pending(), PollPending::Idle);
        assert_eq!(s.wake(g.wrapping_add(1)), Wake::Nothing);
        assert_eq!(s.wake(g), Wake::Push);
        assert_eq!(s.wake(g), Wake::Nothing, "already scheduled");
    }

    #[test]
    fn wake_while_running_requeues_without_push() {
        let s = State::new_free();
        let g = s.occupy(false);
        let _ = s.start_poll();
        assert_eq!(s.wake(g), Wake::Nothing);
        assert_eq!(s.end_poll_pending(), PollPending::Requeue);
    }

    #[test]
    fn release_bumps_generation_and_blocks_wakes() {
        let s = State::new_free();
        let g = s.occupy(false);
        let _ = s.start_poll();
        assert_eq!(s.complete(), Completed::Joinable { wake_joiner: false });
        assert_eq!(s.drop_join_handle(), LastRef::Release);
        s.release();
        assert_eq!(s.load().generation(), next_generation(g));
        assert_eq!(s.wake(g), Wake::Nothing);
        assert_eq!(s.wake(0), Wake::Nothing, "free slots are COMPLETE");
        assert_eq!(next_generation(u16::MAX), FIRST_GENERATION);
    }

    #[test]
    fn abort_while_running_requeues() {
        let s = State::new_free();
        let _ = s.occupy(false);
        let _ = s.start_poll();
        assert_eq!(s.abort(), Wake::Nothing, "no push while running");
        assert_eq!(s.end_poll_pending(), PollPending::Requeue);
        assert_eq!(s.start_poll(), StartPoll::Cancel);
    }

    #[test]
    fn join_waker_cannot_be_set_after_complete() {
        let s = State::new_free();
        let _ = s.occupy(false);
        assert!(s.set_join_waker().is_ok());
        let _ = s.start_poll();
        assert_eq!(s.complete(), Completed::Joinable { wake_joiner: true });
        assert!(s.unset_join_waker().is_err());
        assert!(s.set_join_waker().is_err());
    }

    #[test]
    fn abort_handles_keep_the_slot() {
        let s = State::new_free();
        let _ = s.occupy(false);
        s.add_handle();
        assert_eq!(s.detach(), Detach::Detached);
        assert_eq!(s.load().handles(), 1);
        let _ = s.start_poll();
        assert_eq!(s.complete(), Completed::Unjoined { release: false });
        assert_eq!(s.drop_handle(), LastRef::Release);
    }

    #[test]
    fn detach_after_complete_leaves_the_output_to_the_handle() {
        let s = State::new_free();
        let _ = s.occupy(false);
        let _ = s.start_poll();
        assert_eq!(s.complete(), Completed::Joinable { wake_joiner: false });
        assert_eq!(s.detach(), Detach::Complete);
        assert_eq!(s.drop_join_handle(), LastRef::Release);
    }
}
