//! A lease dropped during a panic's unwind still goes back to its pool.

use std::panic::{catch_unwind, AssertUnwindSafe};

use spool::buf::BufferPool;

#[test]
fn a_panic_returns_the_lease() {
    let pool = BufferPool::new();
    let mut ptr = 0usize;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut lease = pool.rent(300);
        lease[0] = 1;
        ptr = lease.as_ptr() as usize;
        panic!("boom while holding a lease");
    }));
    assert!(result.is_err());
    let stats = pool.stats();
    assert_eq!((stats.rents, stats.returned), (1, 1), "{stats:?}");
    assert_eq!(pool.rent(300).as_ptr() as usize, ptr);
}

#[test]
fn a_panicking_thread_returns_its_lease() {
    let pool = std::sync::Arc::new(BufferPool::new());
    let p = std::sync::Arc::clone(&pool);
    let joined = std::thread::spawn(move || {
        let _lease = p.rent(5000);
        panic!("thread dies holding a lease");
    })
    .join();
    assert!(joined.is_err());
    let stats = pool.stats();
    assert_eq!(
        (stats.rents, stats.returned, stats.discarded),
        (1, 1, 0),
        "{stats:?}"
    );
    drop(pool.rent(5000));
    assert_eq!(pool.stats().reused, 1);
}
