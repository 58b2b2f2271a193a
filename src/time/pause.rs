//! [`pause`], [`resume`], [`advance`]: control of the virtual clock.
//!
//! See `clock.rs` for the clock's states and auto-advance. These work on a
//! single-worker runtime only: a paused clock is the clock of one reactor,
//! and with several workers each would have its own idea of "now".

use std::time::Duration;

use crate::reactor::{self, Driver};
use crate::runtime::context;

/// Freezes the runtime's clock: [`Instant::now`](super::Instant::now)
/// stops moving; it moves again through [`advance`] and, whenever the
/// runtime has nothing to run and no I/O is ready, by jumping to the next
/// timer's deadline at once (auto-advance), so that a test waiting an
/// hour runs in microseconds. Real I/O keeps working. A no-op if paused
/// already. [`Builder::start_paused`](crate::Builder::start_paused) starts a
/// runtime paused.
///
/// ```
/// use std::time::Duration;
/// use spool::time::{sleep, Instant};
/// spool::block_on(async {
///     spool::time::pause();
///     let start = Instant::now();
///     let real = std::time::Instant::now();
///     sleep(Duration::from_secs(3600)).await; // auto-advance: no real wait
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
///     assert!(real.elapsed() < Duration::from_secs(60));
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime, or on a runtime with more than one worker.
#[track_caller]
pub fn pause() {
    with_single_worker("pause", |d| d.pause_clock());
}

/// Lets a paused clock follow real time again, continuing from the time
/// it shows now (the clock never goes back). A no-op if not paused.
///
/// # Panics
///
/// Outside a runtime, or on a runtime with more than one worker.
#[track_caller]
pub fn resume() {
    with_single_worker("resume", |d| d.clock().resume());
}

/// Moves a paused clock forward by exactly `d`, fires every timer whose
/// deadline it passes (in deadline order, ties in arming order), and
/// yields once so that the tasks those timers woke run before it returns.
///
/// ```
/// use std::time::Duration;
/// use spool::time::{advance, sleep};
/// spool::block_on(async {
///     spool::time::pause();
///     let five = spool::spawn(sleep(Duration::from_secs(5)));
///     let twenty = spool::spawn(sleep(Duration::from_secs(20)));
///     spool::task::yield_now().await; // both sleeps armed
///     advance(Duration::from_secs(10)).await;
///     assert!(five.is_finished());
///     assert!(!twenty.is_finished());
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime, on a runtime with more than one worker, or if the
/// clock is not paused.
pub async fn advance(d: Duration) {
    with_single_worker("advance", |drv| {
        drv.clock().advance(d);
        drv.fire_due_timers();
    });
    crate::task::yield_now().await;
}

/// Runs `f` with the current reactor, checking that the runtime has one
/// worker.
#[track_caller]
fn with_single_worker<R>(what: &str, f: impl FnOnce(&Driver) -> R) -> R {
    let workers = context::with_core(|core| core.runtime().workers.len());
    match workers {
        Some(1) => reactor::with_current(f),
        Some(n) => panic!(
            "spool::time::{what} needs a single-worker runtime (the default, or \
             Builder::workers(1)), but this runtime has {n} workers: with several \
             workers each has its own clock"
        ),
        None => panic!(
            "spool::time::{what} needs a single-worker spool runtime, but was called \
             outside a runtime: call it inside `spool::block_on(...)`, \
             `#[spool::test]` or a runtime built with `Builder::start_paused(true)`"
        ),
    }
}
