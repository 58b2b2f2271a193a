//! The task state word: one `AtomicU32` per arena slot.
//!
//! Everything that more than one thread may look at lives in this word, so
//! that every transition is a single atomic operation. The low 16 bits are
//! flags, the high 16 bits are the slot's *generation*.
//!
//! ```text
//!  31            16 15                                   0
//! +----------------+--------------------------------------+
//! |   generation   |  flags (SCHEDULED, RUNNING, ...)     |
//! +----------------+--------------------------------------+
//! ```
//!
//! # Transitions
//!
//! ```text
//!            Core::spawn                     Core::run_task
//!  (free) ─────────────────▶ SCHEDULED ──────────────────────▶ RUNNING
//!                                ▲        start_poll             │
//!                                │                               │ poll returned
//!          wake (idle task:      │                               ├── Pending ── end_poll_pending
//!          schedule + push) ─────┤                               │     SCHEDULED set meanwhile? requeue
//!                                │                               │     otherwise: idle (no flag)
//!          wake while RUNNING ───┘ (sets SCHEDULED, no push:     │
//!                                   the executor requeues)       └── Ready / panic / cancel ── complete
//!                                                                        │
//!                                                                   COMPLETE (output in the slot)
//!                                                                        │  JoinHandle gone
//!                                                                        ▼  (Core::release)
//!                                                                 (free, generation + 1)
//! ```
//!
//! # Invariants
//!
//! - A slot is in a run queue (local or remote) exactly when it is
//!   `SCHEDULED` and not `RUNNING`; it is in at most one queue at a time, so a
//!   queue never holds a pointer to a freed slot.
//! - Only the owning worker clears `SCHEDULED`, sets `RUNNING` and sets
//!   `COMPLETE`. Wakers (any thread) only ever *set* `SCHEDULED` and
//!   `CANCELLED`, and only on a slot whose generation matches theirs and
//!   which is not `COMPLETE`.
//! - `COMPLETE` is never cleared while the slot is occupied. A free slot is
//!   stored as `COMPLETE | OUTPUT_CLAIMED` with its *next* generation, so a
//!   stale waker sees either a wrong generation or `COMPLETE`, and does
//!   nothing.
//! - `JOIN_WAKER` decides who owns the join-waker cell in the header: while
//!   it is clear the `JoinHandle` may write the cell; while it is set only the
//!   executor may, and only after it set `COMPLETE`. Once `COMPLETE` is set,
//!   `JOIN_WAKER` never changes again.
//! - `OUTPUT_CLAIMED` is set by whoever takes or drops the output (the
//!   `JoinHandle`, the executor releasing the slot, or shutdown): the first
//!   to set it owns the output, so it is moved out or dropped exactly once.

use crate::loom::sync::atomic::{AtomicU32, Ordering::*};

/// In a run queue, or must be put back into one when its poll ends.
pub(crate) const SCHEDULED: u32 = 1 << 0;
/// Being polled by its worker right now.
pub(crate) const RUNNING: u32 = 1 << 1;
/// The future is gone; the slot holds the output (or a `JoinError`).
pub(crate) const COMPLETE: u32 = 1 << 2;
/// `abort()` was called: the worker drops the future at its next turn.
pub(crate) const CANCELLED: u32 = 1 << 3;
/// A `JoinHandle` for the task is alive.
pub(crate) const JOIN_INTEREST: u32 = 1 << 4;
/// The join-waker cell holds a waker the executor must wake on completion.
pub(crate) const JOIN_WAKER: u32 = 1 << 5;
/// The output was taken or dropped; nobody may touch it again.
pub(crate) const OUTPUT_CLAIMED: u32 = 1 << 6;

const FLAGS: u32 = 0xFFFF;
const GEN_SHIFT: u32 = 16;

/// Generation 0 is never used: a waker tagged 0 means "generation unknown"
/// (see `waker::pack`).
pub(crate) const FIRST_GENERATION: u16 = 1;

/// The generation stored in a state word.
#[inline]
pub(crate) fn generation(state: u32) -> u16 {
    (state >> GEN_SHIFT) as u16
}

/// The generation after `g`, skipping 0.
#[inline]
pub(crate) fn next_generation(g: u16) -> u16 {
    if g == u16::MAX {
        FIRST_GENERATION
    } else {
        g + 1
    }
}

/// What a waker must do after [`State::schedule`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Schedule {
    /// The task was idle: the caller must push it onto a run queue.
    Push,
    /// Nothing to do: already scheduled, running (the executor requeues it),
    /// finished, or a stale waker.
    Done,
}

/// The atomic state word of one slot.
#[derive(Debug)]
pub(crate) struct State(AtomicU32);

impl State {
    /// The state of a slot that was never used.
    pub(crate) fn new_free() -> State {
        State(AtomicU32::new(Self::free_word(FIRST_GENERATION)))
    }

    fn free_word(generation: u16) -> u32 {
        ((generation as u32) << GEN_SHIFT) | COMPLETE | OUTPUT_CLAIMED
    }

    #[inline]
    pub(crate) fn load(&self) -> u32 {
        self.0.load(Acquire)
    }

    /// Occupies a free slot with a new task: scheduled, with a `JoinHandle`.
    /// Returns the generation of the new occupant. Owner thread only.
    #[inline]
    pub(crate) fn occupy(&self) -> u16 {
        let generation = generation(self.0.load(Relaxed));
        self.0.store(
            ((generation as u32) << GEN_SHIFT) | SCHEDULED | JOIN_INTEREST,
            Release,
        );
        generation
    }

    /// Frees the slot: bumps the generation so that stale wakers and abort
    /// handles stop matching. Owner thread only, after `COMPLETE`.
    #[inline]
    pub(crate) fn release(&self) {
        let generation = generation(self.0.load(Relaxed));
        self.0
            .store(Self::free_word(next_generation(generation)), Release);
    }

    /// A wake from a waker tagged with `tag` (0: generation unknown).
    #[inline]
    pub(crate) fn schedule(&self, tag: u16) -> Schedule {
        let mut cur = self.0.load(Acquire);
        loop {
            if (tag != 0 && generation(cur) != tag) || cur & (COMPLETE | SCHEDULED) != 0 {
                return Schedule::Done;
            }
            match self
                .0
                .compare_exchange_weak(cur, cur | SCHEDULED, AcqRel, Acquire)
            {
                Ok(_) if cur & RUNNING != 0 => return Schedule::Done,
                Ok(_) => return Schedule::Push,
                Err(actual) => cur = actual,
            }
        }
    }

    /// `abort()`: marks the task cancelled and schedules it if it is idle.
    #[inline]
    pub(crate) fn cancel(&self, tag: u16) -> Schedule {
        let mut cur = self.0.load(Acquire);
        loop {
            if generation(cur) != tag || cur & (COMPLETE | CANCELLED) != 0 {
                return Schedule::Done;
            }
            // Like a wake: SCHEDULED makes a running task go back onto the
            // queue after its poll, where the worker sees CANCELLED. Only an
            // idle task must be pushed by us.
            let idle = cur & (SCHEDULED | RUNNING) == 0;
            let next = cur | CANCELLED | SCHEDULED;
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(_) if idle => return Schedule::Push,
                Ok(_) => return Schedule::Done,
                Err(actual) => cur = actual,
            }
        }
    }

    /// The worker takes the task off its queue: `SCHEDULED` → `RUNNING`.
    /// Returns the previous word. Owner thread only.
    #[inline]
    pub(crate) fn start_poll(&self) -> u32 {
        let prev = self.0.fetch_xor(SCHEDULED | RUNNING, AcqRel);
        debug_assert_eq!(prev & (SCHEDULED | RUNNING | COMPLETE), SCHEDULED);
        prev
    }

    /// Shutdown is about to drop a task that is not being polled: marks it
    /// `RUNNING` so that wakes from its destructor do not queue it. Owner only.
    pub(crate) fn force_running(&self) {
        self.0.fetch_or(RUNNING, AcqRel);
    }

    /// The poll returned `Pending`: clears `RUNNING`. Returns true if the task
    /// was woken during the poll and must go back onto the run queue.
    #[inline]
    pub(crate) fn end_poll_pending(&self) -> bool {
        self.0.fetch_and(!RUNNING, AcqRel) & SCHEDULED != 0
    }

    /// The future finished (or was dropped): sets `COMPLETE`, clears
    /// `RUNNING` and `SCHEDULED`. Returns the previous word.
    #[inline]
    pub(crate) fn complete(&self) -> u32 {
        let mut cur = self.0.load(Acquire);
        loop {
            let next = (cur & !(RUNNING | SCHEDULED)) | COMPLETE;
            match self.0.compare_exchange_weak(cur, next, AcqRel, Acquire) {
                Ok(prev) => return prev,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Claims the output. True for exactly one caller per occupant.
    #[inline]
    pub(crate) fn claim_output(&self) -> bool {
        self.0.fetch_or(OUTPUT_CLAIMED, AcqRel) & OUTPUT_CLAIMED == 0
    }

    /// The `JoinHandle` is going away. Returns the previous word.
    #[inline]
    pub(crate) fn drop_join_interest(&self) -> u32 {
        self.0.fetch_and(!JOIN_INTEREST, AcqRel)
    }

    /// Hands the join-waker cell to the executor. Fails (with the current
    /// word) if the task completed first; the cell then stays the handle's.
    #[inline]
    pub(crate) fn set_join_waker(&self) -> Result<u32, u32> {
        self.update_unless_complete(|s| s | JOIN_WAKER)
    }

    /// Takes the join-waker cell back from the executor, so the handle may
    /// overwrite it. Fails if the task completed first (the executor owns
    /// the cell for good then).
    #[inline]
    pub(crate) fn unset_join_waker(&self) -> Result<u32, u32> {
        self.update_unless_complete(|s| s & !JOIN_WAKER)
    }

    fn update_unless_complete(&self, f: impl Fn(u32) -> u32) -> Result<u32, u32> {
        let mut cur = self.0.load(Acquire);
        loop {
            if cur & COMPLETE != 0 {
                return Err(cur);
            }
            match self.0.compare_exchange_weak(cur, f(cur), AcqRel, Acquire) {
                Ok(prev) => return Ok(prev),
                Err(actual) => cur = actual,
            }
        }
    }
}

/// The flags part of a state word (for the task dump and assertions).
#[allow(dead_code)]
pub(crate) fn flags(state: u32) -> u32 {
    state & FLAGS
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn stale_generation_is_ignored() {
        let s = State::new_free();
        let g = s.occupy();
        assert_eq!(s.start_poll() & SCHEDULED, SCHEDULED);
        assert!(!s.end_poll_pending());
        assert_eq!(s.schedule(g.wrapping_add(1)), Schedule::Done);
        assert_eq!(s.schedule(g), Schedule::Push);
        assert_eq!(s.schedule(g), Schedule::Done, "already scheduled");
    }

    #[test]
    fn wake_while_running_requeues_without_push() {
        let s = State::new_free();
        let g = s.occupy();
        s.start_poll();
        assert_eq!(s.schedule(g), Schedule::Done);
        assert!(s.end_poll_pending(), "must be requeued by the executor");
    }

    #[test]
    fn release_bumps_generation_and_blocks_wakes() {
        let s = State::new_free();
        let g = s.occupy();
        s.start_poll();
        s.complete();
        assert!(s.claim_output());
        assert!(!s.claim_output());
        s.release();
        assert_eq!(generation(s.load()), next_generation(g));
        assert_eq!(s.schedule(g), Schedule::Done);
        assert_eq!(s.schedule(0), Schedule::Done, "free slots are COMPLETE");
        assert_eq!(next_generation(u16::MAX), FIRST_GENERATION);
    }

    #[test]
    fn cancel_while_running_requeues() {
        let s = State::new_free();
        let g = s.occupy();
        s.start_poll();
        assert_eq!(s.cancel(g), Schedule::Done, "no push while running");
        assert!(
            s.end_poll_pending(),
            "the worker must requeue it to cancel it"
        );
        assert_ne!(s.start_poll() & CANCELLED, 0);
    }

    #[test]
    fn join_waker_cannot_be_set_after_complete() {
        let s = State::new_free();
        s.occupy();
        assert!(s.set_join_waker().is_ok());
        s.start_poll();
        let prev = s.complete();
        assert_ne!(prev & JOIN_WAKER, 0);
        assert!(s.unset_join_waker().is_err());
        assert!(s.set_join_waker().is_err());
    }
}
