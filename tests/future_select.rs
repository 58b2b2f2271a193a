//! `select`: the first future to finish wins, and the loser is dropped as
//! soon as the winner finishes (counted with `PollDrop`), not later.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::future::{select, Either};
use spool::sync::oneshot;
use std::pin::pin;
use std::task::Poll;
use sync_util::{counting_waker, poll_once};
use util::{Counters, PollDrop};

#[test]
fn right_wins_and_left_is_dropped_at_once() {
    let left = Counters::default();
    let right = Counters::default();
    let (tx, rx) = oneshot::channel::<u8>();
    let (w, c) = counting_waker();
    let mut sel = pin!(select(
        PollDrop::new(&left, util::pending_forever()),
        PollDrop::new(&right, rx),
    ));
    assert!(poll_once(sel.as_mut(), &w).is_pending());
    assert_eq!((left.polls(), right.polls()), (1, 1));
    tx.send(3).unwrap();
    assert_eq!(c.get(), 1);
    match poll_once(sel.as_mut(), &w) {
        Poll::Ready(Either::Right(Ok(3))) => {}
        other => panic!("expected Right(Ok(3)), got {other:?}"),
    }
    // Both dropped before `select` itself is dropped.
    assert_eq!((left.drops(), right.drops()), (1, 1));
}

#[test]
fn left_wins_when_both_are_ready() {
    let right = Counters::default();
    let (w, _) = counting_waker();
    let sel = pin!(select(async { 1 }, PollDrop::new(&right, async { 2 })));
    assert_eq!(poll_once(sel, &w), Poll::Ready(Either::Left(1)));
    assert_eq!(right.polls(), 0, "left is polled first");
    assert_eq!(right.drops(), 1);
}

#[test]
fn either_helpers() {
    let l: Either<u8, u8> = Either::Left(1);
    assert!(l.is_left() && !l.is_right());
    assert_eq!(Either::<u8, u8>::Right(2).into_inner(), 2);
}
