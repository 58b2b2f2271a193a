//! `rent_zeroed` gives zeroes even when it reuses a dirty buffer.

use spool::buf::BufferPool;

#[test]
fn rent_zeroed_zeroes_a_reused_buffer() {
    let pool = BufferPool::new();
    for size in [1, 4096, 1 << 20] {
        let mut lease = pool.rent(size);
        lease.fill(0xEE);
        let ptr = lease.as_ptr();
        drop(lease);
        let zeroed = pool.rent_zeroed(size);
        assert_eq!(zeroed.as_ptr(), ptr, "the dirty buffer was reused");
        assert!(zeroed.iter().all(|&b| b == 0), "size {size}");
    }
    assert_eq!(pool.stats().reused, 3);
}

#[test]
fn rent_zeroed_fresh_and_oversized_are_zero() {
    let pool = BufferPool::builder().max_size(1024).build();
    let fresh = pool.rent_zeroed(100);
    assert!(fresh.iter().all(|&b| b == 0));
    let big = pool.rent_zeroed(5000);
    assert_eq!(big.len(), 5000);
    assert!(big.iter().all(|&b| b == 0));
    let stats = pool.stats();
    assert_eq!((stats.fresh, stats.oversized, stats.rents), (1, 1, 2));
}
