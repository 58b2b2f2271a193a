//! `join` and `join_all` keep input order whatever the completion order,
//! and never poll a future again once it has finished.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::future::{join, join_all};
use spool::sync::oneshot;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use sync_util::{counting_waker, poll_once};
use util::{Counters, PollDrop};

#[test]
fn join_keeps_argument_order() {
    let (tx_a, rx_a) = oneshot::channel::<&str>();
    let (tx_b, rx_b) = oneshot::channel::<&str>();
    let b_counters = Counters::default();
    let (w, c) = counting_waker();
    let mut j = pin!(join(rx_a, PollDrop::new(&b_counters, rx_b)));
    assert!(poll_once(j.as_mut(), &w).is_pending());
    // b finishes first.
    tx_b.send("b").unwrap();
    assert!(poll_once(j.as_mut(), &w).is_pending());
    let b_polls = b_counters.polls();
    tx_a.send("a").unwrap();
    assert_eq!(c.get(), 2);
    assert_eq!(poll_once(j.as_mut(), &w), Poll::Ready((Ok("a"), Ok("b"))));
    assert_eq!(
        b_counters.polls(),
        b_polls,
        "finished future not polled again"
    );
}

/// A future that is ready once its slot holds a value. (Not a oneshot:
/// outside an executor nothing refills the cooperative budget, and this
/// test polls far more than one budget's worth of channel operations.)
struct Slot(Arc<Mutex<Option<usize>>>);

impl Future for Slot {
    type Output = usize;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<usize> {
        match self.0.lock().unwrap().take() {
            Some(v) => Poll::Ready(v),
            None => Poll::Pending,
        }
    }
}

#[test]
fn join_all_keeps_input_order() {
    let n = 50;
    let slots: Vec<_> = (0..n).map(|_| Arc::new(Mutex::new(None))).collect();
    let rxs: Vec<_> = slots.iter().map(|s| Slot(s.clone())).collect();
    let (w, _) = counting_waker();
    let mut all = pin!(join_all(rxs));
    assert!(poll_once(all.as_mut(), &w).is_pending());
    // Complete in reverse order, polling in between.
    for (i, slot) in slots.iter().enumerate().rev() {
        *slot.lock().unwrap() = Some(i * 10);
        if i > 0 {
            assert!(poll_once(all.as_mut(), &w).is_pending());
        }
    }
    let Poll::Ready(out) = poll_once(all.as_mut(), &w) else {
        panic!("join_all must be done");
    };
    let expected: Vec<_> = (0..n).map(|i| i * 10).collect();
    assert_eq!(out, expected);
}

#[test]
fn join_all_of_nothing_is_ready_at_once() {
    let (w, _) = counting_waker();
    let all = pin!(join_all(Vec::<std::future::Ready<u8>>::new()));
    assert_eq!(poll_once(all, &w), Poll::Ready(vec![]));
}
