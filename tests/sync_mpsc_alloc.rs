//! After warm-up, 10k send/recv pairs on a bounded channel allocate
//! nothing: neither the channel (ring buffer and waiter slab are reused)
//! nor the wakes between the producer and consumer tasks.

mod util;

#[global_allocator]
static A: util::CountingAlloc = util::CountingAlloc;

#[test]
fn bounded_send_recv_pairs_allocate_nothing() {
    const WARM: u32 = 1_000;
    const N: u32 = 10_000;
    let allocs = spool::block_on(async {
        let (tx, mut rx) = spool::sync::mpsc::channel::<u32>(4);
        let producer = spool::spawn(async move {
            for i in 0..WARM + N {
                tx.send(i).await.unwrap();
            }
        });
        for i in 0..WARM {
            assert_eq!(rx.recv().await, Some(i));
        }
        let before = util::allocations();
        for i in WARM..WARM + N {
            assert_eq!(rx.recv().await, Some(i));
        }
        let allocs = util::allocations() - before;
        producer.await.unwrap();
        allocs
    });
    assert_eq!(allocs, 0, "steady-state send/recv allocated");
}

#[test]
fn stepped_send_recv_with_waiting_senders_allocate_nothing() {
    // Senders that park and are handed slots reuse the waiter slab.
    let (tx, mut rx) = spool::sync::mpsc::channel::<u32>(1);
    let waker = futures_task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut round = |i: u32| {
        tx.try_send(i).unwrap();
        let mut a = tx.send(i + 1);
        let mut b = tx.send(i + 2);
        assert!(std::pin::Pin::new(&mut a).poll(&mut cx).is_pending());
        assert!(std::pin::Pin::new(&mut b).poll(&mut cx).is_pending());
        assert_eq!(rx.try_recv(), Ok(i));
        drop(a); // hands its reserved slot to `b`
        assert!(std::pin::Pin::new(&mut b).poll(&mut cx).is_ready());
        assert_eq!(rx.try_recv(), Ok(i + 2));
    };
    use std::future::Future;
    round(0);
    let ((), allocs) = util::count_allocs(|| {
        for i in 1..20 {
            round(i * 10);
        }
    });
    assert_eq!(allocs, 0);
}
