//! `Semaphore::add_permits(n)` costs O(waiters woken), not O(n), and the
//! permit count is capped at `Semaphore::MAX_PERMITS` with a clear panic
//! (issue 12, defect 9: `add_permits(usize::MAX >> 4)` used to loop for
//! ever, one lock per permit).

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::Semaphore;
use std::time::Duration;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn adding_a_huge_number_of_permits_returns_at_once() {
    let _dog = util::watchdog(Duration::from_secs(10), "add_permits(usize::MAX >> 4)");
    let sem = Semaphore::new(0);
    sem.add_permits(usize::MAX >> 4);
    assert_eq!(sem.available_permits(), usize::MAX >> 4);
}

#[test]
fn added_permits_serve_waiters_first_in_order_across_batches() {
    // More waiters than one wake batch holds (32), so the hand-out has to
    // release its lock between batches.
    let sem = Semaphore::new(0);
    let wakers: Vec<_> = (0..40).map(|_| counting_waker()).collect();
    let mut acquires: Vec<_> = (0..40).map(|_| sem.acquire()).collect();
    for (a, (w, _)) in acquires.iter_mut().zip(&wakers) {
        assert!(poll_unpin(a, &w.clone()).is_pending());
    }
    sem.add_permits(1_000_000);
    for (_, count) in &wakers {
        assert_eq!(count.get(), 1, "every waiter is woken exactly once");
    }
    assert_eq!(sem.available_permits(), 1_000_000 - 40);
    let permits: Vec<_> = acquires
        .iter_mut()
        .zip(&wakers)
        .map(|(a, (w, _))| match poll_unpin(a, w) {
            std::task::Poll::Ready(p) => p.unwrap(),
            std::task::Poll::Pending => panic!("a served waiter is still pending"),
        })
        .collect();
    drop(permits);
    assert_eq!(sem.available_permits(), 1_000_000);
}

#[test]
fn the_cap_is_tokios_and_passing_it_panics_clearly() {
    assert_eq!(Semaphore::MAX_PERMITS, usize::MAX >> 3);
    let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sem.add_permits(1)))
        .expect_err("passing MAX_PERMITS must panic");
    let msg = err.downcast_ref::<String>().expect("a formatted message");
    assert!(msg.contains("MAX_PERMITS"), "{msg}");
    assert_eq!(sem.available_permits(), Semaphore::MAX_PERMITS, "unchanged");

    let err = std::panic::catch_unwind(|| Semaphore::new(usize::MAX)).unwrap_err();
    let msg = err.downcast_ref::<String>().expect("a formatted message");
    assert!(
        msg.contains("Semaphore::new") && msg.contains("MAX_PERMITS"),
        "{msg}"
    );

    let sem = Semaphore::new(0);
    let err =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sem.add_permits(usize::MAX)))
            .unwrap_err();
    assert!(err
        .downcast_ref::<String>()
        .unwrap()
        .contains("add_permits"));
    assert_eq!(sem.available_permits(), 0);
}
