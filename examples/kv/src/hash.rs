//! The keyspace's hash function: a seeded multiply-fold hash over 8-byte
//! words, several times cheaper than std's SipHash on short keys (SipHash
//! showed up as the largest user-space item in `perf` under
//! `redis-benchmark`).
//!
//! Invariants: the seed is drawn once per process from std's
//! `RandomState` (the OS's randomness), so bucket positions differ from
//! run to run and cannot be precomputed from the source. That is weaker
//! than SipHash's keyed guarantee against hash flooding by a client who
//! can observe timings; a production server facing untrusted clients
//! would keep SipHash (redis uses SipHash-1-2) or use a vetted keyed hash.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// Multiplier (from wyhash / foldhash).
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// Builds [`FoldHasher`]s with the process-wide random seed.
#[derive(Debug, Clone, Copy)]
pub struct SeededState {
    seed: u64,
}

impl Default for SeededState {
    fn default() -> SeededState {
        static SEED: OnceLock<u64> = OnceLock::new();
        let seed =
            *SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u64));
        SeededState { seed }
    }
}

impl SeededState {
    /// The process seed mixed with `salt`: an independent hash function,
    /// for choosing shards without correlating with the buckets inside
    /// them.
    pub fn salted(salt: u64) -> SeededState {
        SeededState {
            seed: fold_mul(SeededState::default().seed ^ salt, K),
        }
    }
}

impl BuildHasher for SeededState {
    type Hasher = FoldHasher;

    fn build_hasher(&self) -> FoldHasher {
        FoldHasher { state: self.seed }
    }
}

/// Folds each 8-byte word into the state with a 64×64→128-bit multiply.
#[derive(Debug, Clone, Copy)]
pub struct FoldHasher {
    state: u64,
}

/// The high and low halves of `a * b`, xored.
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

impl Hasher for FoldHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.state = fold_mul(self.state ^ word, K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            // The length goes in too, so "a" and "a\0" differ.
            let word = u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59);
            self.state = fold_mul(self.state ^ word, K);
        }
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.state = fold_mul(self.state ^ n as u64, K);
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.state, K ^ 0x2d35_8dcc_aa6c_78a5)
    }
}
