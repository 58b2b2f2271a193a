//! [`Interval`]: ticks at a fixed period.

use std::future::poll_fn;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::{sleep_until, Instant, Sleep};

/// Ticks every `period`; the first tick completes at once.
///
/// ```
/// use std::time::Duration;
///
/// spool::block_on(async {
///     let mut interval = spool::time::interval(Duration::from_millis(5));
///     let first = interval.tick().await; // at once
///     let second = interval.tick().await; // 5 ms later
///     assert!(second - first >= Duration::from_millis(5));
/// });
/// ```
///
/// # Panics
///
/// If `period` is zero, or outside a spool runtime.
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first time at `start`.
///
/// # Panics
///
/// If `period` is zero, or outside a spool runtime.
#[track_caller]
pub fn interval_at(start: impl Into<Instant>, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero");
    Interval {
        delay: sleep_until(start),
        period,
        missed: MissedTickBehavior::Burst,
    }
}

/// What an [`Interval`] does when ticks were missed (the task was busy for
/// longer than a period). The names and meanings are tokio's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks at once, one per `tick()`, until caught up;
    /// the schedule stays `start + n * period` (the default).
    #[default]
    Burst,
    /// Fire one tick now, then continue `period` after it.
    Delay,
    /// Fire one tick now, then continue on the original schedule, skipping
    /// the missed ticks.
    Skip,
}

/// A stream of ticks; see [`interval`].
#[derive(Debug)]
pub struct Interval {
    /// Completes at the next tick's scheduled instant.
    delay: Sleep,
    period: Duration,
    missed: MissedTickBehavior,
}

/// How late a tick may be before it counts as missed (as in tokio).
const MISSED_AFTER: Duration = Duration::from_millis(5);

impl Interval {
    /// Waits for the next tick; returns the instant it was scheduled for.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick (see [`tick`](Self::tick)).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(crate::coop::poll_proceed(cx));
        ready!(self.delay.poll_elapsed(cx));
        let scheduled = self.delay.deadline();
        let now = Instant::now();
        let next = if now.saturating_duration_since(scheduled) > MISSED_AFTER {
            match self.missed {
                MissedTickBehavior::Burst => scheduled + self.period,
                MissedTickBehavior::Delay => now + self.period,
                MissedTickBehavior::Skip => {
                    // `behind < period`, so `period - behind` is positive.
                    let behind = (now - scheduled).as_nanos() % self.period.as_nanos();
                    now + (self.period - Duration::from_nanos(behind as u64))
                }
            }
        } else {
            scheduled + self.period
        };
        self.delay.reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        self.delay.reset(Instant::now() + self.period);
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The missed-tick behaviour (default: [`MissedTickBehavior::Burst`]).
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed
    }

    /// Sets the missed-tick behaviour.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed = behavior;
    }
}
