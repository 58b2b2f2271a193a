//! `sync::Barrier`: nobody passes before all `n` arrive, exactly one
//! leader per round, and the barrier is reusable round after round, also
//! across workers.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use sync_util::{counting_waker, poll_once};

#[test]
fn nobody_passes_early_and_one_leader() {
    let b = Barrier::new(3);
    let (w, woken) = counting_waker();
    let mut a = Box::pin(b.wait());
    let mut c = Box::pin(b.wait());
    assert!(poll_once(a.as_mut(), &w).is_pending());
    assert!(poll_once(c.as_mut(), &w).is_pending());
    let mut last = Box::pin(b.wait());
    let leader = match poll_once(last.as_mut(), &w) {
        Poll::Ready(r) => r,
        Poll::Pending => panic!("the third arrival completes the round"),
    };
    assert!(leader.is_leader());
    assert_eq!(woken.get(), 2);
    for f in [&mut a, &mut c] {
        match poll_once(f.as_mut(), &w) {
            Poll::Ready(r) => assert!(!r.is_leader()),
            Poll::Pending => panic!("released"),
        }
    }
}

#[test]
fn exactly_one_leader_per_round_across_workers() {
    const TASKS: usize = 8;
    const ROUNDS: usize = 200;
    let _dog = util::watchdog(Duration::from_secs(60), "barrier rounds");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let barrier = Arc::new(Barrier::new(TASKS));
    let leaders = Arc::new(AtomicUsize::new(0));
    let in_round = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let (b, leaders, in_round) = (barrier.clone(), leaders.clone(), in_round.clone());
                spool::spawn_on(i % 2, async move {
                    for round in 0..ROUNDS {
                        in_round.fetch_add(1, Ordering::SeqCst);
                        let r = b.wait().await;
                        // Everyone of this round arrived before anyone left.
                        assert!(in_round.load(Ordering::SeqCst) >= (round + 1) * TASKS);
                        if r.is_leader() {
                            leaders.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(leaders.load(Ordering::SeqCst), ROUNDS);
}

#[test]
fn a_barrier_of_one_or_zero_never_waits() {
    spool::block_on(async {
        assert!(Barrier::new(1).wait().await.is_leader());
        assert!(Barrier::new(0).wait().await.is_leader());
    });
}
