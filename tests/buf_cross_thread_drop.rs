//! A lease is `Send`: dropped on another thread, its buffer still goes back
//! to the pool (and reaches the renting thread again once that thread exits).

use std::sync::mpsc;

use spool::buf::{BufferPool, Lease};

#[test]
fn a_lease_dropped_on_another_thread_returns() {
    let pool = BufferPool::new();
    let mut lease = pool.rent(2000);
    lease[0] = 42;
    let ptr = lease.as_ptr() as usize;
    std::thread::spawn(move || {
        assert_eq!(lease[0], 42);
        drop(lease);
    })
    .join()
    .unwrap();
    let stats = pool.stats();
    assert_eq!((stats.returned, stats.discarded), (1, 0), "{stats:?}");
    let again = pool.rent(2000);
    assert_eq!(
        again.as_ptr() as usize,
        ptr,
        "came back through the exited thread's cache"
    );
    assert_eq!(pool.stats().reused, 1);
}

#[test]
fn leases_stream_from_a_producer_to_a_consumer() {
    let pool = BufferPool::shared();
    let before = pool.stats();
    let (tx, rx) = mpsc::sync_channel::<Lease>(4);
    let consumer = std::thread::spawn(move || {
        let mut sum = 0u64;
        for lease in rx {
            sum += u64::from(lease[0]);
        }
        sum
    });
    for i in 0..1000u64 {
        let mut lease = pool.rent(512);
        lease[0] = (i % 7) as u8;
        tx.send(lease).unwrap();
    }
    drop(tx);
    let sum = consumer.join().unwrap();
    assert_eq!(sum, (0..1000u64).map(|i| i % 7).sum::<u64>());
    let after = pool.stats();
    // The shared pool may be used by other tests at the same time: only
    // lower bounds on this test's own traffic.
    assert!(after.rents - before.rents >= 1000);
    assert!((after.returned + after.discarded) - (before.returned + before.discarded) >= 1000);
    // Buffers flowed back: far fewer than 1000 allocations.
    assert!(
        after.reused - before.reused >= 900,
        "{before:?} -> {after:?}"
    );
}

#[test]
fn lease_is_send_and_static() {
    fn assert_send_static<T: Send + 'static>() {}
    assert_send_static::<Lease>();
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<BufferPool>();
}
