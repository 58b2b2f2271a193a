//! Once warm, the sync primitives allocate nothing per operation: a
//! `Mutex` lock (uncontended, and handed over to a parked waiter), an
//! `RwLock` read, a `Notify` notification, a `watch` change, a `broadcast`
//! send and receive, a `Barrier` round. Waiters park in slab-backed wait
//! lists whose slots are reused.

mod util;

#[global_allocator]
static A: util::CountingAlloc = util::CountingAlloc;

use spool::sync::{broadcast, watch, Barrier, Mutex, Notify, RwLock};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

/// Runs `round` once to warm up, then 100 times, counting allocations.
fn steady<F: FnMut()>(mut round: F) -> u64 {
    round();
    util::count_allocs(|| (0..100).for_each(|_| round())).1
}

fn cx() -> Context<'static> {
    Context::from_waker(futures_task::noop_waker_ref())
}

#[test]
fn mutex_lock_allocates_nothing() {
    let m = Mutex::new(0u64);
    let allocs = spool::block_on(async {
        for _ in 0..100 {
            *m.lock().await += 1;
        }
        let before = util::allocations();
        for _ in 0..10_000 {
            *m.lock().await += 1;
        }
        util::allocations() - before
    });
    assert_eq!(allocs, 0, "uncontended lock");
    let mut cx = cx();
    let allocs = steady(|| {
        let g = m.try_lock().unwrap();
        let mut waiting = pin!(m.lock());
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        drop(g); // hand-off to the parked waiter
        assert!(waiting.as_mut().poll(&mut cx).is_ready());
    });
    assert_eq!(allocs, 0, "contended hand-off");
}

#[test]
fn rwlock_read_and_handoff_allocate_nothing() {
    let l = RwLock::new(1u64);
    let mut cx = cx();
    let allocs = steady(|| {
        let r = l.try_read().unwrap();
        let mut w = pin!(l.write());
        assert!(w.as_mut().poll(&mut cx).is_pending());
        drop(r);
        assert!(w.as_mut().poll(&mut cx).is_ready());
    });
    assert_eq!(allocs, 0);
    let allocs = spool::block_on(async {
        let before = util::allocations();
        let mut sum = 0;
        for _ in 0..10_000 {
            sum += *l.read().await;
        }
        assert_eq!(sum, 10_000);
        util::allocations() - before
    });
    assert_eq!(allocs, 0, "uncontended read");
}

#[test]
fn notify_allocates_nothing() {
    let n = Notify::new();
    let mut cx = cx();
    let allocs = steady(|| {
        let mut f = pin!(n.notified());
        assert!(f.as_mut().poll(&mut cx).is_pending());
        n.notify_one();
        assert!(f.as_mut().poll(&mut cx).is_ready());
        n.notify_one(); // stored
        assert!(pin!(n.notified()).poll(&mut cx).is_ready());
        let mut g = pin!(n.notified());
        assert!(g.as_mut().poll(&mut cx).is_pending());
        n.notify_waiters();
        assert!(g.as_mut().poll(&mut cx).is_ready());
    });
    assert_eq!(allocs, 0);
}

#[test]
fn watch_change_allocates_nothing() {
    let (tx, mut rx) = watch::channel(0u64);
    let mut cx = cx();
    let mut v = 0;
    let allocs = steady(|| {
        v += 1;
        {
            let mut changed = pin!(rx.changed());
            assert!(changed.as_mut().poll(&mut cx).is_pending());
            tx.send(v).unwrap();
            assert!(matches!(
                changed.as_mut().poll(&mut cx),
                Poll::Ready(Ok(()))
            ));
        }
        assert_eq!(*rx.borrow(), v);
    });
    assert_eq!(allocs, 0);
}

#[test]
fn broadcast_send_recv_allocates_nothing() {
    let (tx, mut rx) = broadcast::channel::<u64>(16);
    let mut rx2 = tx.subscribe();
    let mut cx = cx();
    let mut v = 0;
    let allocs = steady(|| {
        v += 1;
        tx.send(v).unwrap();
        assert_eq!(rx.try_recv(), Ok(v));
        {
            let mut recv = pin!(rx.recv());
            assert!(recv.as_mut().poll(&mut cx).is_pending());
            tx.send(v + 1000).unwrap();
            assert_eq!(recv.as_mut().poll(&mut cx), Poll::Ready(Ok(v + 1000)));
        }
        assert_eq!(rx2.try_recv(), Ok(v));
        assert_eq!(rx2.try_recv(), Ok(v + 1000));
    });
    assert_eq!(allocs, 0);
}

#[test]
fn barrier_round_allocates_nothing() {
    let b = Barrier::new(2);
    let mut cx = cx();
    let allocs = steady(|| {
        let mut first = pin!(b.wait());
        assert!(first.as_mut().poll(&mut cx).is_pending());
        let mut second = pin!(b.wait());
        assert!(second.as_mut().poll(&mut cx).is_ready());
        assert!(first.as_mut().poll(&mut cx).is_ready());
    });
    assert_eq!(allocs, 0);
}
