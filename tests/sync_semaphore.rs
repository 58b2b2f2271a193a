//! Semaphore(4) over 100 tasks that hold their permit across yields: the
//! number of concurrent holders reaches exactly 4 and never 5, and every
//! task gets its turn.

use spool::sync::Semaphore;
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn four_permits_one_hundred_tasks() {
    let (max_seen, done, left) = spool::block_on(async {
        let sem = Rc::new(Semaphore::new(4));
        let holders = Rc::new(Cell::new(0usize));
        let max_seen = Rc::new(Cell::new(0usize));
        let done = Rc::new(Cell::new(0usize));
        let handles: Vec<_> = (0..100)
            .map(|i| {
                let (sem, holders, max_seen, done) =
                    (sem.clone(), holders.clone(), max_seen.clone(), done.clone());
                spool::spawn(async move {
                    let _permit = sem.acquire().await.unwrap();
                    holders.set(holders.get() + 1);
                    max_seen.set(max_seen.get().max(holders.get()));
                    for _ in 0..(i % 5 + 1) {
                        spool::task::yield_now().await;
                    }
                    holders.set(holders.get() - 1);
                    done.set(done.get() + 1);
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        (max_seen.get(), done.get(), sem.available_permits())
    });
    assert_eq!(max_seen, 4);
    assert_eq!(done, 100);
    assert_eq!(left, 4, "every permit came back");
}

#[test]
fn aborted_waiter_hands_its_turn_on() {
    let got = spool::block_on(async {
        let sem = Rc::new(Semaphore::new(1));
        let permit = sem.try_acquire().unwrap();
        let s = sem.clone();
        let first = spool::spawn(async move {
            let _p = s.acquire().await.unwrap();
        });
        let s = sem.clone();
        let second = spool::spawn(async move {
            let _p = s.acquire().await.unwrap();
            "second ran"
        });
        spool::task::yield_now().await; // both park
        first.abort();
        spool::task::yield_now().await; // the abort is processed
        drop(permit);
        let out = second.await.unwrap();
        assert!(first.await.unwrap_err().is_cancelled());
        (out, sem.available_permits())
    });
    assert_eq!(got, ("second ran", 1));
}
