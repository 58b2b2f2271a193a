//! `sync::Mutex`: FIFO fairness, a dropped pending `lock()` never loses
//! the hand-off, owned guards, and 2 x 10,000 increments through one
//! mutex from tasks on two workers come out exact.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::Mutex;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn waiters_get_the_lock_in_the_order_they_asked() {
    let order = spool::block_on(async {
        let m = Arc::new(Mutex::new(Vec::new()));
        let guard = m.lock().await;
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let m = m.clone();
                spool::spawn(async move {
                    let mut v = m.lock().await;
                    spool::task::yield_now().await; // hold it across an await
                    v.push(i);
                })
            })
            .collect();
        spool::task::yield_now().await; // every task is queued now
        assert!(m.try_lock().is_err());
        drop(guard);
        for t in tasks {
            t.await.unwrap();
        }
        Arc::try_unwrap(m).unwrap().into_inner()
    });
    assert_eq!(order, (0..10).collect::<Vec<_>>());
}

#[test]
fn an_unlocker_that_locks_again_queues_behind_waiters() {
    let m = Mutex::new(0);
    let g = m.try_lock().unwrap();
    let (w, woken) = counting_waker();
    let mut waiting = m.lock();
    assert!(poll_unpin(&mut waiting, &w).is_pending());
    drop(g);
    assert_eq!(woken.get(), 1);
    assert!(m.try_lock().is_err(), "the lock was handed to the waiter");
    let mut g = match poll_unpin(&mut waiting, &w) {
        Poll::Ready(g) => g,
        Poll::Pending => panic!("handed the lock"),
    };
    *g += 1;
    drop(g);
    assert_eq!(*m.try_lock().unwrap(), 1);
}

#[test]
fn dropping_a_pending_lock_never_loses_the_hand_off() {
    let m = Mutex::new(());
    let g = m.try_lock().unwrap();
    let (w1, _) = counting_waker();
    let (w2, woken2) = counting_waker();
    let (w3, woken3) = counting_waker();
    let mut first = m.lock();
    let mut second = m.lock();
    let mut third = m.lock();
    assert!(poll_unpin(&mut first, &w1).is_pending());
    assert!(poll_unpin(&mut second, &w2).is_pending());
    assert!(poll_unpin(&mut third, &w3).is_pending());
    // Dropped while queued: leaves the queue.
    drop(second);
    drop(g); // handed to `first`
             // Dropped after being handed the lock: passes it on to `third`.
    drop(first);
    assert_eq!(woken2.get(), 0);
    assert_eq!(woken3.get(), 1);
    assert!(matches!(poll_unpin(&mut third, &w3), Poll::Ready(_)));
    drop(third);
    assert!(m.try_lock().is_ok(), "unlocked in the end");
}

#[test]
fn owned_guards_get_mut_and_into_inner() {
    let mut m = Mutex::new(String::from("a"));
    m.get_mut().push('b');
    let m = Arc::new(m);
    let g = spool::block_on(m.clone().lock_owned());
    assert!(m.clone().try_lock_owned().is_err());
    assert_eq!(
        m.try_lock().unwrap_err().to_string(),
        "operation would block"
    );
    assert!(format!("{m:?}").contains("<locked>"));
    let t = std::thread::spawn(move || {
        let mut g = g;
        g.push('c');
    });
    t.join().unwrap();
    assert_eq!(format!("{m:?}"), "Mutex { data: \"abc\" }");
    assert_eq!(Arc::try_unwrap(m).unwrap().into_inner(), "abc");
}

#[test]
fn two_workers_ten_thousand_increments_each() {
    const N: u64 = 10_000;
    let _dog = util::watchdog(Duration::from_secs(60), "2 x 10,000 increments");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let m = Arc::new(Mutex::new(0u64));
    let total = rt.block_on({
        let m = m.clone();
        async move {
            let tasks: Vec<_> = (0..2)
                .map(|w| {
                    let m = m.clone();
                    spool::spawn_on(w, async move {
                        for i in 0..N {
                            let mut g = m.lock().await;
                            let before = *g;
                            if i % 64 == 0 {
                                // Hold the lock across a yield now and then,
                                // so the other worker really has to wait.
                                spool::task::yield_now().await;
                            }
                            *g = before + 1;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            *m.lock().await
        }
    });
    assert_eq!(total, 2 * N);
}

#[test]
fn blocking_lock_from_a_plain_thread() {
    let m = Arc::new(Mutex::new(1));
    let m2 = m.clone();
    std::thread::spawn(move || *m2.blocking_lock() += 1)
        .join()
        .unwrap();
    assert_eq!(*m.try_lock().unwrap(), 2);
}
