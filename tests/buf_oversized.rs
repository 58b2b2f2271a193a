//! Requests above the largest class get a plain allocation of exactly their
//! length, freed on drop: counted as `oversized`, never as `fresh`, never
//! returned.

use spool::buf::BufferPool;

#[test]
fn oversized_requests_are_not_pooled() {
    let pool = BufferPool::new();
    let n = (1 << 20) + 1;
    let mut big = pool.rent(n);
    assert_eq!(big.len(), n);
    assert!(big.iter().all(|&b| b == 0));
    big[n - 1] = 1;
    drop(big);
    let again = pool.rent(n);
    assert!(again.iter().all(|&b| b == 0), "not a reused buffer");
    drop(again);
    let stats = pool.stats();
    assert_eq!(stats.oversized, 2);
    assert_eq!(stats.fresh, 0);
    assert_eq!(stats.reused, 0);
    assert_eq!((stats.returned, stats.discarded), (0, 0));
    assert_eq!(stats.rents, stats.reused + stats.fresh + stats.oversized);
}

#[test]
fn oversized_mixes_with_pooled() {
    let pool = BufferPool::builder().max_size(256).build();
    drop(pool.rent(256));
    drop(pool.rent(257));
    drop(pool.rent(256));
    let stats = pool.stats();
    assert_eq!(
        (stats.rents, stats.fresh, stats.reused, stats.oversized),
        (3, 1, 1, 1)
    );
    assert_eq!(stats.returned, 2);
}
