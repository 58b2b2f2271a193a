//! Time: [`Instant`], [`sleep`], [`sleep_until`], [`timeout`],
//! [`interval`], and the paused clock ([`pause`], [`resume`], [`advance`]).
//!
//! Every deadline is a [`spool::time::Instant`](Instant) on the runtime's
//! clock (`clock.rs`): real time, or, once paused, a virtual time that
//! moves only through [`advance`] and auto-advance (when the runtime has
//! nothing to run and no I/O is ready, the clock jumps to the next timer's
//! deadline). Durations never overflow: `Duration::MAX` is "far future".
//!
//! Every timer is an entry in the current worker's timer heap (see
//! `reactor/timers.rs`). A [`Sleep`] is *lazy*: creating one reads the clock
//! and checks that a runtime is running, nothing more; it is armed on its
//! first `Pending` poll and cancelled when dropped. So `timeout(d, f)` around
//! a future that is ready at once never touches the heap (nor the clock:
//! its deadline is taken at that first `Pending`, see `timeout.rs`), and
//! an armed timer costs a slab slot and a heap node that are reused, never freshly
//! allocated, once the heap has grown to its working size.
//!
//! # Invariants
//!
//! - A `Sleep` that is armed remembers `(reactor id, slab key)`; it is the
//!   only owner of that key, and frees it when it fires-and-is-polled, when
//!   it is dropped, or when it moves to another worker (it then re-arms
//!   there). Dropped on a thread that is not its reactor's, it queues the key
//!   for the owner (see `reactor/handle.rs`).
//! - Timers fire in deadline order, equal deadlines in arming order, and
//!   never early.
//!
//! # Precision
//!
//! Deadlines are kept in nanoseconds. How late a timer fires depends on
//! how the parked reactor waits for it (`reactor/deadline.rs`):
//!
//! - **Linux**: a `timerfd` alarm ends the wait at the deadline, so a timer
//!   fires within the kernel's wake-up latency (tens of µs on an idle
//!   machine): `sleep(100 µs)` takes about 130-155 µs, `sleep(1 ms)` about
//!   1.07 ms (medians of the `timer_precision` bench group, BENCHMARKS.md;
//!   tokio's millisecond timer wheel gives about 1.2 ms and 2.1 ms).
//! - **Other platforms** (and Linux if the timerfd cannot be opened): the
//!   poll timeout, in whole milliseconds rounded up, so a timer fires up
//!   to about a millisecond late.
//!
//! Either way, a worker busy running tasks looks at its timers once per
//! tick (every 128 task polls at most), so a timer is also as late as the
//! longest run of polls that do not yield.
//!
//! ```
//! use std::time::Duration;
//! use spool::time::Instant;
//! spool::block_on(async {
//!     let start = Instant::now();
//!     spool::time::sleep(Duration::from_millis(5)).await;
//!     assert!(start.elapsed() >= Duration::from_millis(5));
//!
//!     let slow = spool::time::sleep(Duration::from_secs(10));
//!     let result = spool::time::timeout(Duration::from_millis(5), slow).await;
//!     assert!(result.is_err());
//! });
//! ```

pub(crate) mod clock;
mod error;
mod instant;
mod interval;
mod pause;
mod sleep;
mod timeout;

pub use self::error::Elapsed;
pub use self::instant::Instant;
pub use self::interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use self::pause::{advance, pause, resume};
pub use self::sleep::{sleep, sleep_until, Sleep};
pub use self::timeout::{timeout, timeout_at, Timeout};
