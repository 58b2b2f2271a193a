//! Semaphore, stepped by hand: waiters are served in FIFO order; a dropped
//! pending `acquire` hands its turn on, and if it had already been handed
//! a permit, that permit goes to the next waiter; no permit is ever lost.

#[path = "util/sync.rs"]
mod sync_util;

use spool::sync::Semaphore;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn waiters_are_served_in_fifo_order() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let wakers: Vec<_> = (0..3).map(|_| counting_waker()).collect();
    let mut acquires: Vec<_> = (0..3).map(|_| sem.acquire()).collect();
    for (a, (w, _)) in acquires.iter_mut().zip(&wakers) {
        assert!(poll_unpin(a, w).is_pending());
    }
    // A newcomer does not jump the queue.
    assert!(sem.try_acquire().is_err());
    drop(held);
    let woken: Vec<usize> = wakers.iter().map(|(_, c)| c.get()).collect();
    assert_eq!(woken, [1, 0, 0]);
    let p0 = match poll_unpin(&mut acquires[0], &wakers[0].0) {
        std::task::Poll::Ready(p) => p.unwrap(),
        _ => panic!("first waiter must own the permit"),
    };
    assert!(poll_unpin(&mut acquires[1], &wakers[1].0).is_pending());
    drop(p0);
    let woken: Vec<usize> = wakers.iter().map(|(_, c)| c.get()).collect();
    assert_eq!(woken, [1, 1, 0]);
}

#[test]
fn dropped_pending_acquire_hands_its_turn_on() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let (w1, c1) = counting_waker();
    let (w2, c2) = counting_waker();
    let mut first = sem.acquire();
    let mut second = sem.acquire();
    assert!(poll_unpin(&mut first, &w1).is_pending());
    assert!(poll_unpin(&mut second, &w2).is_pending());
    drop(first);
    drop(held);
    assert_eq!((c1.get(), c2.get()), (0, 1));
    assert!(poll_unpin(&mut second, &w2).is_ready());
}

#[test]
fn dropped_acquire_that_was_handed_a_permit_passes_it_on() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let (w1, c1) = counting_waker();
    let (w2, c2) = counting_waker();
    let mut first = sem.acquire();
    let mut second = sem.acquire();
    assert!(poll_unpin(&mut first, &w1).is_pending());
    assert!(poll_unpin(&mut second, &w2).is_pending());
    drop(held);
    assert_eq!((c1.get(), c2.get()), (1, 0));
    drop(first);
    assert_eq!(c2.get(), 1);
    let permit = poll_unpin(&mut second, &w2);
    assert!(permit.is_ready());
    drop(permit);
    drop(second);
    assert_eq!(sem.available_permits(), 1, "no permit lost");
}

#[test]
fn dropped_notified_acquire_with_no_waiters_returns_the_permit() {
    let sem = Semaphore::new(2);
    let a = sem.try_acquire().unwrap();
    let b = sem.try_acquire().unwrap();
    let (w, _) = counting_waker();
    let mut pending = sem.acquire();
    assert!(poll_unpin(&mut pending, &w).is_pending());
    drop(a);
    drop(pending);
    assert_eq!(sem.available_permits(), 1);
    drop(b);
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn forget_and_add_permits() {
    let sem = Semaphore::new(2);
    sem.try_acquire().unwrap().forget();
    assert_eq!(sem.available_permits(), 1);
    sem.add_permits(3);
    assert_eq!(sem.available_permits(), 4);
    assert_eq!(
        Semaphore::new(0).try_acquire().unwrap_err().to_string(),
        "no permits available"
    );
}
