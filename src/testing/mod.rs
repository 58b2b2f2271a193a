//! Deterministic testing: run a program under many schedules, replay one.
//!
//! A single worker with a paused clock ([`Builder::start_paused`]) and a
//! seeded run queue ([`Builder::seed`]) runs a program the same way every
//! time, and a different way for every seed (see `runtime/seeded.rs`).
//! [`explore`] turns that into a search: it runs the program once per seed
//! and, at the first seed whose run panics, stops with a message that says
//! how to replay exactly that run.
//!
//! ```
//! use std::{cell::Cell, rc::Rc};
//! // A correct program passes under every schedule.
//! spool::testing::explore(0..50, || async {
//!     let n = Rc::new(Cell::new(0));
//!     let tasks: Vec<_> = (0..3)
//!         .map(|_| {
//!             let n = n.clone();
//!             spool::spawn(async move {
//!                 spool::task::yield_now().await;
//!                 n.set(n.get() + 1); // no await between read and write
//!             })
//!         })
//!         .collect();
//!     for t in tasks {
//!         t.await.unwrap();
//!     }
//!     assert_eq!(n.get(), 3);
//! });
//! ```
//!
//! What it cannot see: real I/O (the kernel's timing is not seeded), other
//! threads (`spawn_blocking`, multi-worker runtimes), and randomness of the
//! program's own (a `HashMap`'s iteration order). Shrinking a failing
//! schedule is not attempted; a clear replay is.
//!
//! [`Builder::start_paused`]: crate::Builder::start_paused
//! [`Builder::seed`]: crate::Builder::seed

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};

use crate::runtime::seeded;
use crate::Builder;

/// Runs `make()` once per seed, each time on a fresh single-worker runtime
/// with a paused clock and that seed; panics at the first seed whose run
/// panics, with a message naming the seed and how to replay it:
///
/// ```text
/// spool::testing::explore: the run with seed 17 panicked: lost update: 1 != 2
/// replay it with: SPOOL_SEED=17 cargo test my_test
/// ```
///
/// When `SPOOL_SEED` is set, only that seed runs (the replay).
///
/// # Panics
///
/// As above; also if `SPOOL_SEED` is not a number.
#[track_caller]
pub fn explore<S, M, F>(seeds: S, make: M)
where
    S: IntoIterator<Item = u64>,
    M: Fn() -> F,
    F: Future<Output = ()>,
{
    let replay = match seeded::env_seed() {
        Ok(seed) => seed,
        Err(e) => panic!("spool::testing::explore: {e}"),
    };
    let run = |seed: u64| {
        let rt = Builder::new()
            .start_paused(true)
            .seed(seed)
            .build()
            .expect("spool::testing::explore: failed to create a runtime");
        panic::catch_unwind(AssertUnwindSafe(|| rt.block_on(make())))
    };
    let try_seed = |seed: u64| {
        if let Err(payload) = run(seed) {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_owned());
            panic!(
                "spool::testing::explore: the run with seed {seed} panicked: {what}\n\
                 replay it with: SPOOL_SEED={seed} cargo test {}",
                test_name()
            );
        }
    };
    match replay {
        Some(seed) => try_seed(seed),
        None => seeds.into_iter().for_each(try_seed),
    }
}

/// The running test's name: libtest names each test's thread after it
/// (`NAME` if it cannot tell, as under `--test-threads=1`).
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_owned(),
        _ => "NAME".to_owned(),
    }
}
