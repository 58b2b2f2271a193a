//! [`Instant`]: a point on the runtime's clock.
//!
//! A thin wrapper around [`std::time::Instant`] whose [`now`](Instant::now)
//! reads the *runtime's* clock: real time, or, once the clock is paused
//! (see [`pause`](super::pause)), the virtual time of the runtime running on
//! this thread. Every deadline in `spool::time` is one of these.
//!
//! Arithmetic never panics: adding a duration that would overflow gives a
//! point "far in the future" (some 30 years away), subtracting one that
//! would underflow a point as far in the past, and `a - b` with `b` later
//! than `a` gives zero.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use super::clock;

/// How far away "far future" (and "far past") is: what an overflowing
/// deadline becomes.
const FAR: Duration = Duration::from_secs(86_400 * 365 * 30);

/// A point on the runtime's clock; see the [`time`](crate::time) module doc.
///
/// ```
/// use std::time::Duration;
/// use spool::time::Instant;
/// spool::block_on(async {
///     let start = Instant::now();
///     spool::time::sleep(Duration::from_millis(2)).await;
///     assert!(Instant::now() - start >= Duration::from_millis(2));
///     assert!(start.elapsed() >= Duration::from_millis(2));
///     // Overflow is "far future", never a panic.
///     assert!(start + Duration::MAX > start + Duration::from_secs(86_400 * 365));
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// The current time of the runtime running on this thread (its virtual
    /// time while paused); real time outside a runtime.
    #[inline]
    pub fn now() -> Instant {
        clock::now()
    }

    /// Wraps a [`std::time::Instant`].
    #[inline]
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The [`std::time::Instant`] this is.
    #[inline]
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time since `earlier`, zero if `earlier` is later.
    #[inline]
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time since `earlier`, `None` if `earlier` is later.
    #[inline]
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time since `earlier`, zero if `earlier` is later.
    #[inline]
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.duration_since(earlier)
    }

    /// Time since this instant on the runtime's clock (see [`now`](Self::now)).
    #[inline]
    pub fn elapsed(&self) -> Duration {
        Instant::now().duration_since(*self)
    }

    /// `self + duration`, `None` if that cannot be represented.
    #[inline]
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, `None` if that cannot be represented.
    #[inline]
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// `self + duration`, or "far future" (some 30 years on) if that
    /// overflows: what `+` does.
    #[inline]
    pub fn saturating_add(&self, duration: Duration) -> Instant {
        self.checked_add(duration)
            .or_else(|| self.checked_add(FAR))
            .unwrap_or(*self)
    }

    /// `self - duration`, or "far past" (some 30 years back) if that
    /// underflows: what `-` does.
    #[inline]
    pub fn saturating_sub(&self, duration: Duration) -> Instant {
        self.checked_sub(duration)
            .or_else(|| self.checked_sub(FAR))
            .unwrap_or(*self)
    }
}

impl From<std::time::Instant> for Instant {
    #[inline]
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    #[inline]
    fn from(i: Instant) -> std::time::Instant {
        i.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at "far future" (see [`Instant::saturating_add`]).
    #[inline]
    fn add(self, rhs: Duration) -> Instant {
        self.saturating_add(rhs)
    }
}

impl AddAssign<Duration> for Instant {
    #[inline]
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// Saturates at "far past" (see [`Instant::saturating_sub`]).
    #[inline]
    fn sub(self, rhs: Duration) -> Instant {
        self.saturating_sub(rhs)
    }
}

impl SubAssign<Duration> for Instant {
    #[inline]
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Zero if `rhs` is later (see [`Instant::duration_since`]).
    #[inline]
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}
