//! After warm-up, renting and returning a pooled class allocates nothing:
//! counted by a global allocator that counts this thread's allocations.

mod util;

#[global_allocator]
static A: util::CountingAlloc = util::CountingAlloc;

use spool::buf::BufferPool;

#[test]
fn warm_rent_return_allocates_nothing() {
    let pool = BufferPool::new();
    for size in [64, 4096, 64 << 10, 1 << 20] {
        // Warm-up: the thread cache entry, the class buffer.
        drop(pool.rent(size));
        let ((), allocs) = util::count_allocs(|| {
            for i in 0..10_000 {
                let mut lease = pool.rent(size);
                lease[i % size] = i as u8;
                std::hint::black_box(&lease);
            }
        });
        assert_eq!(allocs, 0, "size {size}");
    }
    let stats = pool.stats();
    assert_eq!(stats.fresh, 4);
    assert_eq!(stats.reused, 40_000);
}

#[test]
fn warm_shared_pool_with_several_leases_allocates_nothing() {
    let pool = BufferPool::shared();
    // Warm-up with three at once: one in this thread's slot, two on the
    // shared stack (its Vec grows once here).
    drop((pool.rent(1000), pool.rent(1000), pool.rent(1000)));
    let ((), allocs) = util::count_allocs(|| {
        for _ in 0..10_000 {
            let a = pool.rent(1000);
            let b = pool.rent(1000);
            let c = pool.rent_zeroed(1000);
            std::hint::black_box((&a, &b, &c));
        }
    });
    assert_eq!(allocs, 0);
}

#[test]
fn allocation_counter_sees_allocations() {
    // The counter works: a fresh pool's first rent allocates.
    let pool = BufferPool::new();
    let (lease, allocs) = util::count_allocs(|| pool.rent(100));
    assert!(allocs >= 1);
    drop(lease);
}
