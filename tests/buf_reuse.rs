//! On one thread, a returned buffer is the one the next rent of its class
//! gets back (same pointer), and the counters say so.

use spool::buf::BufferPool;

#[test]
fn same_thread_gets_the_same_buffer_back() {
    let pool = BufferPool::new();
    for size in [1, 100, 3000, 64 << 10, 1 << 20] {
        let first = pool.rent(size);
        let ptr = first.as_ptr();
        drop(first);
        for _ in 0..3 {
            let again = pool.rent(size);
            assert_eq!(again.as_ptr(), ptr, "size {size}");
        }
    }
    let stats = pool.stats();
    assert_eq!(stats.fresh, 5);
    assert_eq!(stats.reused, 15);
    assert_eq!(stats.returned, 20);
    assert_eq!(stats.discarded, 0);
    assert_eq!(stats.rents, stats.reused + stats.fresh + stats.oversized);
}

#[test]
fn classes_do_not_share_buffers() {
    let pool = BufferPool::new();
    let small = pool.rent(64);
    let small_ptr = small.as_ptr();
    drop(small);
    let big = pool.rent(128);
    assert_ne!(big.as_ptr(), small_ptr);
    assert_eq!(pool.stats().fresh, 2);
}

#[test]
fn several_outstanding_leases_are_all_reused() {
    let pool = BufferPool::new();
    let leases: Vec<_> = (0..10).map(|_| pool.rent(256)).collect();
    let mut ptrs: Vec<_> = leases.iter().map(|l| l.as_ptr()).collect();
    drop(leases);
    let again: Vec<_> = (0..10).map(|_| pool.rent(256)).collect();
    let mut again_ptrs: Vec<_> = again.iter().map(|l| l.as_ptr()).collect();
    ptrs.sort();
    again_ptrs.sort();
    assert_eq!(ptrs, again_ptrs);
    let stats = pool.stats();
    assert_eq!((stats.fresh, stats.reused, stats.returned), (10, 10, 10));
}

#[test]
fn two_pools_keep_their_own_buffers() {
    let a = BufferPool::new();
    let b = BufferPool::new();
    let la = a.rent(100);
    let pa = la.as_ptr();
    drop(la);
    let lb = b.rent(100);
    assert_ne!(lb.as_ptr(), pa, "pool b must not hand out pool a's buffer");
    drop(lb);
    assert_eq!(a.rent(100).as_ptr(), pa);
    assert_eq!(a.stats().reused, 1);
    assert_eq!(b.stats().reused, 0);
}
