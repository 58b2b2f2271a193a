//! Leases in async tasks: held across `.await`, moved into a task on another
//! worker (`Runtime::spawn` needs `Send + 'static`), dropped there, and all
//! accounted for.

use std::sync::Arc;

use spool::buf::BufferPool;

#[test]
fn leases_cross_awaits_and_workers() {
    let pool = Arc::new(BufferPool::new());
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let total = rt.block_on({
        let pool = Arc::clone(&pool);
        let handles: Vec<_> = (0..8u8)
            .map(|i| {
                let mut lease = pool.rent(1500);
                lease[0] = i;
                // Moved into a task that may run on the other worker.
                rt.spawn(async move {
                    spool::task::yield_now().await;
                    let first = lease[0];
                    drop(lease);
                    u32::from(first)
                })
            })
            .collect();
        async move {
            let mut total = 0;
            for h in handles {
                total += h.await.unwrap();
            }
            total
        }
    });
    assert_eq!(total, (0..8).sum::<u32>());
    drop(rt); // joins the worker threads: their caches hand buffers back
    let stats = pool.stats();
    assert_eq!(stats.rents, 8);
    assert_eq!(stats.returned + stats.discarded, 8, "{stats:?}");
    assert_eq!(stats.discarded, 0, "{stats:?}");
}
