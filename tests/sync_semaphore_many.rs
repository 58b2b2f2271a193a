//! The semaphore's tokio surface: `acquire_many` keeps its FIFO place (a
//! big request at the head is not overtaken by smaller ones), owned
//! permits move into spawned tasks, `close` wakes every waiter with
//! `AcquireError`, and a cancelled `acquire_many` gives back the permits
//! it had collected.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::{AcquireError, Semaphore, TryAcquireError};
use std::sync::Arc;
use std::task::Poll;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn a_big_request_is_not_overtaken_by_small_ones() {
    let sem = Semaphore::new(2);
    let held = sem.try_acquire_many(2).unwrap();
    let (w, _) = counting_waker();
    let mut big = sem.acquire_many(3);
    let mut small = sem.acquire();
    assert!(poll_unpin(&mut big, &w).is_pending());
    assert!(poll_unpin(&mut small, &w).is_pending());
    drop(held); // 2 permits go to `big`, which still needs one more
    assert!(
        poll_unpin(&mut small, &w).is_pending(),
        "small must wait behind big"
    );
    assert_eq!(sem.available_permits(), 0);
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    sem.add_permits(2);
    let big = match poll_unpin(&mut big, &w) {
        Poll::Ready(p) => p.unwrap(),
        Poll::Pending => panic!("big has its three permits"),
    };
    assert_eq!(big.num_permits(), 3);
    assert!(matches!(poll_unpin(&mut small, &w), Poll::Ready(Ok(_))));
}

#[test]
fn cancelled_acquire_many_gives_back_what_it_collected() {
    let sem = Semaphore::new(3);
    let held = sem.try_acquire_many(3).unwrap();
    let (w, _) = counting_waker();
    let mut big = sem.acquire_many(5);
    assert!(poll_unpin(&mut big, &w).is_pending());
    drop(held); // three permits set aside for `big`
    assert_eq!(sem.available_permits(), 0);
    drop(big);
    assert_eq!(sem.available_permits(), 3, "no permit lost");
    assert!(sem.try_acquire_many(3).is_ok());
}

#[test]
fn close_wakes_every_waiter_with_an_error() {
    let sem = Semaphore::new(0);
    let wakers: Vec<_> = (0..40).map(|_| counting_waker()).collect();
    let mut acquires: Vec<_> = (0..40).map(|i| sem.acquire_many(i % 3 + 2)).collect();
    for (a, (w, _)) in acquires.iter_mut().zip(&wakers) {
        assert!(poll_unpin(a, w).is_pending());
    }
    sem.add_permits(1); // partly fills the first request
    assert!(!sem.is_closed());
    sem.close();
    assert!(sem.is_closed());
    for (a, (w, count)) in acquires.iter_mut().zip(&wakers) {
        assert_eq!(count.get(), 1, "every waiter woken once by close");
        assert!(matches!(
            poll_unpin(a, w),
            Poll::Ready(Err(AcquireError { .. }))
        ));
    }
    // The permit set aside for the first waiter came back.
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    assert_eq!(
        sem.try_acquire().unwrap_err().to_string(),
        "semaphore closed"
    );
    let err = spool::block_on(sem.acquire()).unwrap_err();
    assert_eq!(err.to_string(), "semaphore closed");
}

#[test]
fn owned_permits_move_into_tasks_on_other_workers() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let sem = Arc::new(Semaphore::new(2));
    let max = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let now = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..20 {
            let permit = sem.clone().acquire_owned().await.unwrap();
            let (max, now) = (max.clone(), now.clone());
            tasks.push(spool::spawn_on(i % 2, async move {
                let n = now.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                max.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
                spool::task::yield_now().await;
                now.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                drop(permit);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert!(max.load(std::sync::atomic::Ordering::SeqCst) <= 2);
    assert_eq!(sem.available_permits(), 2);
    let owned = sem.clone().try_acquire_many_owned(2).unwrap();
    assert_eq!(owned.num_permits(), 2);
    assert!(Arc::ptr_eq(owned.semaphore(), &sem));
    owned.forget();
    assert_eq!(sem.available_permits(), 0);
}
