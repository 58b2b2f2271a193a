//! Seeded scheduling: the run queue's order drawn from a small PRNG.
//!
//! With [`Builder::seed`](crate::Builder::seed), a worker hands out its
//! runnable tasks in an order drawn from a generator seeded with the seed,
//! instead of FIFO; `select` and `join` draw their fairness from it too
//! ([`draw`]). With a paused clock and no real I/O, everything else a
//! single worker does is already deterministic (timers fire in deadline
//! order, ties in arming order), so the same program and the same seed
//! poll the same tasks in the same order, run after run, and different
//! seeds try different interleavings: the way `spool::testing::explore`
//! finds races.
//!
//! # No starvation
//!
//! [`Seeded::pick`] takes a random entry of the queue, replacing it with
//! the last one (`swap_remove_back`), so an entry never moves towards the
//! back; and after [`MAX_SKIPS`] picks in a row that passed over the front
//! entry it takes the front. So a task at position `p` is polled within
//! `(p + 1) × (MAX_SKIPS + 1)` picks.
//!
//! # Cost when off
//!
//! The worker keeps an `Option<Seeded>`; without a seed, taking the next
//! task is the FIFO `pop_front` behind one predictable branch.

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;

use super::context;

/// Consecutive picks that may pass over the front entry.
pub(crate) const MAX_SKIPS: u32 = 8;

/// One worker's scheduling generator (see the module doc).
pub(crate) struct Seeded {
    /// SplitMix64 state.
    state: Cell<u64>,
    /// Picks in a row that did not take the front entry.
    skips: Cell<u32>,
}

impl Seeded {
    /// A generator seeded with `seed` (every `u64` is a good seed).
    pub(crate) fn new(seed: u64) -> Seeded {
        Seeded {
            state: Cell::new(seed),
            skips: Cell::new(0),
        }
    }

    /// The next 64 random bits (SplitMix64: one add, three multiply-xors;
    /// statistically fine for choosing orders, and seeds that differ in
    /// one bit give unrelated sequences).
    pub(crate) fn next_u64(&self) -> u64 {
        let s = self.state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.state.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Takes the next task to poll from `queue` (see the module doc).
    pub(crate) fn pick<T>(&self, queue: &mut VecDeque<T>) -> Option<T> {
        let len = queue.len();
        if len <= 1 || self.skips.get() >= MAX_SKIPS {
            self.skips.set(0);
            return queue.pop_front();
        }
        match self.below(len) {
            0 => {
                self.skips.set(0);
                queue.pop_front()
            }
            i => {
                self.skips.set(self.skips.get() + 1);
                queue.swap_remove_back(i)
            }
        }
    }
}

impl fmt::Debug for Seeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Seeded").finish_non_exhaustive()
    }
}

/// A number in `0..n` from the current worker's generator, if the runtime
/// on this thread is seeded (`select`/`join` fairness); `None` otherwise
/// (then they keep their fixed order).
#[inline]
pub(crate) fn draw(n: usize) -> Option<usize> {
    context::with_core(|core| core.seeded().map(|s| s.below(n))).flatten()
}

/// The seed in `SPOOL_SEED`, if set: `Err` with a clear message if it is
/// not a number.
pub(crate) fn env_seed() -> std::io::Result<Option<u64>> {
    match std::env::var("SPOOL_SEED") {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Ok(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "SPOOL_SEED={v:?} is not a seed: expected a number in 0..=18446744073709551615"
                ),
            )
        }),
        Err(e) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("SPOOL_SEED is not valid unicode: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_taken_within_the_bound() {
        for seed in 0..50 {
            let s = Seeded::new(seed);
            let mut q: VecDeque<usize> = (0..20).collect();
            let mut taken_at = vec![usize::MAX; 40];
            let mut picks = 0;
            let mut next = 20;
            while let Some(v) = s.pick(&mut q) {
                taken_at[v] = picks;
                picks += 1;
                if next < 40 {
                    q.push_back(next); // a task woken meanwhile
                    next += 1;
                }
            }
            for (v, &at) in taken_at.iter().enumerate() {
                assert_ne!(at, usize::MAX, "seed {seed}: entry {v} never taken");
            }
            // Entry 0 (position 0) within MAX_SKIPS + 1 picks.
            assert!(taken_at[0] <= MAX_SKIPS as usize, "seed {seed}");
        }
    }

    #[test]
    fn same_seed_same_order_different_seeds_differ() {
        let order = |seed| {
            let s = Seeded::new(seed);
            let mut q: VecDeque<u32> = (0..10).collect();
            std::iter::from_fn(|| s.pick(&mut q)).collect::<Vec<_>>()
        };
        assert_eq!(order(7), order(7));
        let distinct: std::collections::HashSet<_> = (0..20).map(order).collect();
        assert!(distinct.len() > 10);
    }
}
