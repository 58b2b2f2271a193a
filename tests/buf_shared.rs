//! `BufferPool::shared()` is one process-wide pool usable from any thread,
//! and every public type of `spool::buf` implements `Debug`.

use spool::buf::{BufferPool, BufferPoolBuilder, Lease, PoolStats};

#[test]
fn shared_is_one_pool_for_all_threads() {
    let here = BufferPool::shared() as *const BufferPool as usize;
    let there = std::thread::spawn(|| BufferPool::shared() as *const BufferPool as usize)
        .join()
        .unwrap();
    assert_eq!(here, there);

    let before = BufferPool::shared().stats();
    let handles: Vec<_> = (0..3)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..100 {
                    let mut lease = BufferPool::shared().rent(777);
                    assert_eq!(lease.len(), 1024);
                    lease[776] = 1;
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let after = BufferPool::shared().stats();
    assert!(after.rents - before.rents >= 300);
    assert_eq!(after.rents, after.reused + after.fresh + after.oversized);
}

#[test]
fn every_type_is_debug() {
    fn debug<T: std::fmt::Debug>(t: &T) -> String {
        format!("{t:?}")
    }
    let builder: BufferPoolBuilder = BufferPool::builder().max_per_class(3);
    assert!(debug(&builder).contains("max_per_class: 3"));
    let pool = builder.build();
    assert!(debug(&pool).contains("BufferPool"));
    let lease: Lease = pool.rent(10);
    assert_eq!(debug(&lease), "Lease { len: 64, pooled: true }");
    drop(lease);
    let stats: PoolStats = pool.stats();
    assert!(debug(&stats).contains("returned: 1"));
}
