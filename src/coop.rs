//! Cooperative scheduling budget.
//!
//! A task that keeps finding its resources ready (a socket that always has
//! bytes, a channel that always has items) would never return `Pending`, and
//! so would never give the executor a chance to run timers or other tasks.
//! Like tokio, spool gives each poll of a task a budget of [`BUDGET`]
//! operations. Every resource operation that *could* have waited calls
//! [`poll_proceed`] first; once the budget is spent, the operation returns
//! `Pending` after waking its own task, so the task goes to the back of the
//! run queue and everyone else gets a turn.
//!
//! Every attempt is charged, whether the operation then completes or
//! returns `Pending`. (tokio refunds an attempt that returns `Pending`; spool
//! does not: a task rarely polls a resource that is not ready more than
//! once per poll, and without refunds a check stays one thread-local
//! decrement, with no guard in each resource.) So a task may *attempt* 128
//! operations per poll.
//!
//! The executor gives each poll (of a task or of the `block_on` future) a
//! fresh budget through a guard ([`budget`]) that lifts the limit again
//! when the poll ends, by return or by panic. Outside those polls (another
//! executor, a plain thread, a loom model) the budget is unlimited: only
//! spool's own scheduler can give a task its next turn, so only it may ask
//! a task to yield.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Operations a task may attempt in one poll before it must yield.
pub(crate) const BUDGET: u8 = 128;

/// Marks "not inside a spool poll": no limit.
const UNCONSTRAINED: u8 = u8::MAX;

thread_local! {
    static REMAINING: Cell<u8> = const { Cell::new(UNCONSTRAINED) };
}

/// Gives the poll that follows a full budget, until the guard drops.
///
/// The guard puts back what was there before (no limit, outside a poll)
/// when it drops, also while a panic unwinds out of the poll: a thread
/// whose `block_on` future panicked must not be left with a spent budget,
/// or every spool resource it touches afterwards (under another executor)
/// would return `Pending` forever.
#[inline]
pub(crate) fn budget() -> BudgetGuard {
    BudgetGuard {
        prev: REMAINING.with(|r| r.replace(BUDGET)),
    }
}

/// Restores the budget that was in place before [`budget`].
#[derive(Debug)]
pub(crate) struct BudgetGuard {
    prev: u8,
}

impl Drop for BudgetGuard {
    #[inline]
    fn drop(&mut self) {
        REMAINING.with(|r| r.set(self.prev));
    }
}

/// Spends one unit of budget, or, if none is left, wakes the task and
/// returns `Pending` so that it yields to the scheduler.
///
/// Call this at the top of every resource operation, before checking
/// readiness: `ready!(coop::poll_proceed(cx));`.
#[inline]
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<()> {
    REMAINING.with(|r| {
        let left = r.get();
        if left == UNCONSTRAINED {
            Poll::Ready(())
        } else if left == 0 {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else {
            r.set(left - 1);
            Poll::Ready(())
        }
    })
}
