//! Four threads rent and return 10k leases each while a fifth reads
//! `stats()` in a loop: every snapshot is consistent, counters never go
//! backwards, and the totals add up at the end.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use spool::buf::{BufferPool, PoolStats};

const THREADS: usize = 4;
const ROUNDS: usize = 10_000;
const MAX_PER_CLASS: usize = 4;

fn check(s: &PoolStats) {
    assert_eq!(s.rents, s.reused + s.fresh + s.oversized, "{s:?}");
    assert!(s.returned + s.discarded <= s.reused + s.fresh, "{s:?}");
}

fn never_decreases(before: &PoolStats, after: &PoolStats) {
    let pairs = [
        (before.rents, after.rents),
        (before.reused, after.reused),
        (before.fresh, after.fresh),
        (before.returned, after.returned),
        (before.discarded, after.discarded),
        (before.oversized, after.oversized),
    ];
    for (b, a) in pairs {
        assert!(a >= b, "{before:?} -> {after:?}");
    }
}

#[test]
fn four_threads_rent_and_return_with_consistent_stats() {
    let pool = Arc::new(
        BufferPool::builder()
            .max_size(8192)
            .max_per_class(MAX_PER_CLASS)
            .build(),
    );
    let done = Arc::new(AtomicBool::new(false));

    let reader = {
        let pool = Arc::clone(&pool);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut last = PoolStats::default();
            let mut snapshots = 0u64;
            while !done.load(Ordering::Acquire) {
                let s = pool.stats();
                check(&s);
                never_decreases(&last, &s);
                last = s;
                snapshots += 1;
            }
            snapshots
        })
    };

    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                let mut held = Vec::new();
                let mut x = t as u64 + 1;
                for _ in 0..ROUNDS {
                    // xorshift: sizes from 1 byte to a bit above the largest class.
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let size = (x % 9000) as usize + 1;
                    let mut lease = pool.rent(size);
                    assert!(lease.len() >= size);
                    lease[size - 1] = t as u8;
                    held.push(lease);
                    // Hold a few at a time, return them in varying order.
                    if held.len() > (x % 6) as usize {
                        let i = (x % held.len() as u64) as usize;
                        drop(held.swap_remove(i));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Release);
    let snapshots = reader.join().unwrap();
    assert!(snapshots > 0);

    let s = pool.stats();
    check(&s);
    assert_eq!(s.rents, (THREADS * ROUNDS) as u64);
    // Every pooled lease has ended, one way or the other.
    assert_eq!(s.returned + s.discarded, s.reused + s.fresh, "{s:?}");
    assert!(s.oversized > 0 && s.reused > 0 && s.discarded > 0, "{s:?}");

    // The workers have exited; what the pool kept is bounded per class.
    // 8 classes (64 B ..= 8 KiB): renting MAX + 1 of each reuses at most MAX.
    let before = pool.stats();
    let mut held = Vec::new();
    for shift in 6..=13 {
        for _ in 0..=MAX_PER_CLASS {
            held.push(pool.rent(1 << shift));
        }
    }
    let after = pool.stats();
    let reused = after.reused - before.reused;
    assert!(reused <= (8 * MAX_PER_CLASS) as u64, "{reused} reused");
    assert!(reused > 0);
}
