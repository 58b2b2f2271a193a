//! A class keeps at most `max_per_class` idle buffers, across all threads;
//! returns beyond that are freed and counted as `discarded`.

use std::sync::{Arc, Barrier};

use spool::buf::BufferPool;

#[test]
fn returns_beyond_the_bound_are_discarded() {
    let pool = BufferPool::builder().max_per_class(2).build();
    let leases: Vec<_> = (0..5).map(|_| pool.rent(100)).collect();
    drop(leases);
    let stats = pool.stats();
    assert_eq!((stats.returned, stats.discarded), (2, 3), "{stats:?}");

    // Only two come back: the other three are new allocations.
    let leases: Vec<_> = (0..5).map(|_| pool.rent(100)).collect();
    let stats = pool.stats();
    assert_eq!((stats.reused, stats.fresh), (2, 8), "{stats:?}");
    drop(leases);
    let stats = pool.stats();
    assert_eq!((stats.returned, stats.discarded), (4, 6), "{stats:?}");
}

#[test]
fn the_bound_is_per_class() {
    let pool = BufferPool::builder().max_per_class(1).build();
    let a = pool.rent(64);
    let b = pool.rent(128);
    let c = pool.rent(128);
    drop((a, b, c));
    let stats = pool.stats();
    assert_eq!((stats.returned, stats.discarded), (2, 1), "{stats:?}");
}

#[test]
fn zero_disables_pooling() {
    let pool = BufferPool::builder().max_per_class(0).build();
    for _ in 0..3 {
        drop(pool.rent(64));
    }
    let stats = pool.stats();
    assert_eq!(
        (stats.fresh, stats.reused, stats.returned, stats.discarded),
        (3, 0, 0, 3)
    );
}

#[test]
fn the_bound_covers_all_threads_together() {
    const MAX: usize = 3;
    const THREADS: usize = 4;
    const EACH: usize = 2;
    let pool = Arc::new(BufferPool::builder().max_per_class(MAX).build());
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let pool = Arc::clone(&pool);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let leases: Vec<_> = (0..EACH).map(|_| pool.rent(4096)).collect();
                // Everyone holds their leases before anyone returns.
                barrier.wait();
                drop(leases);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let stats = pool.stats();
    assert_eq!(stats.returned, MAX as u64, "{stats:?}");
    assert_eq!(stats.discarded, (THREADS * EACH - MAX) as u64, "{stats:?}");

    // The threads have exited and handed their buffers to the shared stack:
    // the main thread finds exactly MAX of them.
    let leases: Vec<_> = (0..MAX + 2).map(|_| pool.rent(4096)).collect();
    let after = pool.stats();
    assert_eq!(after.reused, MAX as u64, "{after:?}");
    assert_eq!(after.fresh, stats.fresh + 2, "{after:?}");
    drop(leases);
}
