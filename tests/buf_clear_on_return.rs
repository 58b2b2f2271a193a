//! With `clear_on_return(true)` no byte written through one lease is readable
//! through a later one, whichever path the buffer took back (thread slot,
//! shared stack, another thread).

use spool::buf::BufferPool;

#[test]
fn cleared_pool_never_shows_old_bytes() {
    let pool = BufferPool::builder().clear_on_return(true).build();
    for round in 0..3 {
        // Several at once so that some go through the shared stack.
        let mut leases: Vec<_> = (0..8).map(|_| pool.rent(4096)).collect();
        for lease in &mut leases {
            assert!(lease.iter().all(|&b| b == 0), "round {round}: dirty lease");
            lease.fill(0xA5);
        }
    }
    assert!(pool.stats().reused >= 16, "{:?}", pool.stats());
}

#[test]
fn cleared_pool_clears_leases_returned_on_another_thread() {
    let pool = BufferPool::builder().clear_on_return(true).build();
    let mut lease = pool.rent(1000);
    lease.fill(0xFF);
    let ptr = lease.as_ptr() as usize;
    std::thread::spawn(move || drop(lease)).join().unwrap();
    // The other thread has exited: its cached buffer is on the shared stack.
    let again = pool.rent(1000);
    assert_eq!(again.as_ptr() as usize, ptr);
    assert!(again.iter().all(|&b| b == 0));
}

#[test]
fn default_pool_does_not_clear() {
    // The documented trade-off: without clearing, a reused buffer keeps the
    // previous holder's bytes (this is what makes returning cheap).
    let pool = BufferPool::new();
    let mut lease = pool.rent(64);
    lease.fill(7);
    drop(lease);
    let again = pool.rent(64);
    assert_eq!(pool.stats().reused, 1);
    assert!(again.iter().all(|&b| b == 7));
}
