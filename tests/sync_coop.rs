//! Channel and semaphore operations spend the cooperative budget: a
//! receiver that always finds a value still yields after a bounded number
//! of receives, so another task gets to run.

use std::future::Future;

use std::cell::Cell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;

#[test]
fn a_busy_receiver_stops_at_the_budget() {
    let in_one_poll = spool::block_on(async {
        let (tx, mut rx) = spool::sync::mpsc::unbounded_channel::<u32>();
        for i in 0..10_000 {
            tx.send(i).unwrap();
        }
        // Receive in one poll for as long as the channel lets us.
        poll_fn(|cx| {
            let mut n = 0;
            while let Poll::Ready(Some(_)) = rx.poll_recv(cx) {
                n += 1;
            }
            Poll::Ready(n)
        })
        .await
    });
    assert!(in_one_poll > 0);
    assert!(in_one_poll < 10_000, "recv must stop at the budget");
}

#[test]
fn a_task_that_never_waits_still_lets_others_run() {
    let other_ran_first = spool::block_on(async {
        let (tx, mut rx) = spool::sync::mpsc::channel::<u32>(100_000);
        for i in 0..100_000 {
            tx.try_send(i).unwrap();
        }
        drop(tx);
        let other_ran = Rc::new(Cell::new(false));
        let flag = other_ran.clone();
        let other = spool::spawn(async move { flag.set(true) });
        // Every recv finds a value: without the budget this loop would
        // finish before `other` ever ran.
        let mut saw_other_before_end = false;
        while rx.recv().await.is_some() {
            saw_other_before_end |= other_ran.get();
        }
        other.await.unwrap();
        saw_other_before_end
    });
    assert!(other_ran_first);
}

#[test]
fn semaphore_acquire_spends_budget() {
    let acquired_in_one_poll = spool::block_on(async {
        let sem = spool::sync::Semaphore::new(100_000);
        poll_fn(|cx| {
            let mut n = 0usize;
            loop {
                let mut acq = std::pin::pin!(sem.acquire());
                match acq.as_mut().poll(cx) {
                    Poll::Ready(p) => {
                        p.unwrap().forget();
                        n += 1;
                    }
                    Poll::Pending => break,
                }
            }
            Poll::Ready(n)
        })
        .await
    });
    assert!(acquired_in_one_poll > 0 && acquired_in_one_poll < 100_000);
}
