//! `rent` rounds every request up to its power-of-two class, and the class
//! boundaries (smallest, largest, one past the largest) behave as documented.

use spool::buf::BufferPool;

#[test]
fn requests_round_up_to_their_class() {
    let pool = BufferPool::new();
    for (request, class) in [
        (0, 64),
        (1, 64),
        (63, 64),
        (64, 64),
        (65, 128),
        (1000, 1024),
        (1024, 1024),
        (1025, 2048),
        (4096, 4096),
        (65_537, 131_072),
        ((1 << 20) - 1, 1 << 20),
        (1 << 20, 1 << 20),
    ] {
        let lease = pool.rent(request);
        assert_eq!(lease.len(), class, "rent({request})");
        assert!(lease.len() >= request);
    }
    let stats = pool.stats();
    assert_eq!(stats.oversized, 0, "1 MiB is still pooled: {stats:?}");
    assert_eq!(stats.rents, 12);
}

#[test]
fn builder_sizes_round_up_to_powers_of_two() {
    let pool = BufferPool::builder().min_size(100).max_size(5000).build();
    assert_eq!(pool.rent(1).len(), 128);
    assert_eq!(pool.rent(129).len(), 256);
    assert_eq!(
        pool.rent(8192).len(),
        8192,
        "max_size 5000 rounds up to 8192"
    );
    assert_eq!(pool.stats().oversized, 0);
    assert_eq!(
        pool.rent(8193).len(),
        8193,
        "above the largest class: exact length"
    );
    assert_eq!(pool.stats().oversized, 1);
}

#[test]
fn a_single_class_pool_works() {
    let pool = BufferPool::builder().min_size(512).max_size(512).build();
    assert_eq!(pool.rent(0).len(), 512);
    assert_eq!(pool.rent(512).len(), 512);
    assert_eq!(pool.rent(513).len(), 513);
    let stats = pool.stats();
    // The first lease was dropped at once and served the second rent.
    assert_eq!((stats.fresh, stats.reused, stats.oversized), (1, 1, 1));
}

#[test]
#[should_panic(expected = "max_size")]
fn max_below_min_panics() {
    let _ = BufferPool::builder().min_size(4096).max_size(1024).build();
}
