//! The rest of tokio's mpsc surface: `reserve` / `Permit::send`,
//! `send_timeout`, `recv_many`, and `blocking_send` / `blocking_recv`
//! bridging plain threads (with a clear panic on a worker).

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::mpsc::{self, error::SendTimeoutError, error::TrySendError};
use std::task::Poll;
use std::time::Duration;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn reserve_holds_a_slot_until_sent_or_dropped() {
    spool::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(1);
        let permit = tx.reserve().await.unwrap();
        assert!(matches!(tx.try_send(1), Err(TrySendError::Full(1))));
        drop(permit); // the slot comes back unused
        let permit = tx.try_reserve().unwrap();
        permit.send(2);
        assert_eq!(rx.recv().await, Some(2));
        rx.close();
        assert!(tx.reserve().await.is_err());
        assert!(matches!(tx.try_reserve(), Err(TrySendError::Closed(()))));
    });
}

#[test]
fn a_dropped_reserve_that_was_handed_a_slot_passes_it_on() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(0).unwrap();
    let (w1, _) = counting_waker();
    let (w2, woken2) = counting_waker();
    let mut first = tx.reserve();
    let mut second = tx.reserve();
    assert!(poll_unpin(&mut first, &w1).is_pending());
    assert!(poll_unpin(&mut second, &w2).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // the slot goes to `first`
    drop(first);
    assert_eq!(woken2.get(), 1);
    match poll_unpin(&mut second, &w2) {
        Poll::Ready(Ok(p)) => p.send(9),
        _ => panic!("second inherits the slot"),
    }
    assert_eq!(rx.try_recv(), Ok(9));
}

#[test]
fn send_timeout_gives_the_value_back_or_sends_when_room_appears() {
    spool::block_on(async {
        let (tx, mut rx) = mpsc::channel::<String>(1);
        tx.send_timeout("a".into(), Duration::from_millis(5))
            .await
            .unwrap();
        let err = tx
            .send_timeout("b".into(), Duration::from_millis(20))
            .await
            .unwrap_err();
        assert!(err.is_timeout());
        assert_eq!(err.to_string(), "timed out waiting on send operation");
        assert_eq!(err.into_inner(), "b");
        // The timed-out sender left the queue: a new one gets the slot.
        assert_eq!(rx.recv().await.as_deref(), Some("a"));
        tx.send_timeout("c".into(), Duration::from_secs(5))
            .await
            .unwrap();
        drop(rx);
        assert!(matches!(
            tx.send_timeout("d".into(), Duration::from_secs(5)).await,
            Err(SendTimeoutError::Closed(_))
        ));
    });
}

#[test]
fn recv_many_takes_up_to_the_limit_and_zero_at_the_end() {
    spool::block_on(async {
        let (tx, mut rx) = mpsc::channel::<u32>(8);
        for i in 0..5 {
            tx.send(i).await.unwrap();
        }
        let mut buf = vec![100];
        assert_eq!(rx.recv_many(&mut buf, 3).await, 3);
        assert_eq!(buf, [100, 0, 1, 2]);
        assert_eq!(rx.recv_many(&mut buf, 10).await, 2);
        assert_eq!(rx.recv_many(&mut buf, 0).await, 0);
        drop(tx);
        assert_eq!(rx.recv_many(&mut buf, 10).await, 0);
        assert_eq!(buf, [100, 0, 1, 2, 3, 4]);

        let (utx, mut urx) = mpsc::unbounded_channel::<u32>();
        for i in 0..4 {
            utx.send(i).unwrap();
        }
        let mut buf = Vec::new();
        assert_eq!(urx.recv_many(&mut buf, 100).await, 4);
        assert_eq!(buf, [0, 1, 2, 3]);
    });
}

#[test]
fn blocking_send_from_a_std_thread_and_blocking_recv_back() {
    let _dog = util::watchdog(Duration::from_secs(30), "blocking_send/recv");
    const N: u64 = 10_000;
    let (tx, mut rx) = mpsc::channel::<u64>(4);
    let (back_tx, mut back_rx) = mpsc::unbounded_channel::<u64>();
    let producer = std::thread::spawn(move || {
        for i in 0..N {
            tx.blocking_send(i).unwrap();
        }
    });
    let consumer = std::thread::spawn(move || {
        let mut sum = 0;
        while let Some(v) = back_rx.blocking_recv() {
            sum += v;
        }
        sum
    });
    spool::block_on(async move {
        let mut expect = 0;
        while let Some(v) = rx.recv().await {
            assert_eq!(v, expect, "in order");
            expect += 1;
            back_tx.send(v).unwrap();
        }
        assert_eq!(expect, N);
    });
    producer.join().unwrap();
    assert_eq!(consumer.join().unwrap(), N * (N - 1) / 2);
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    drop(tx);
    assert_eq!(rx.blocking_recv(), None);
}

#[test]
fn blocking_send_inside_a_runtime_panics_clearly() {
    let (tx, _rx) = mpsc::channel::<u8>(1);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        spool::block_on(async { tx.blocking_send(1) })
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(
        msg.contains("Cannot block the current thread from within a runtime")
            && msg.contains("blocking_send"),
        "{msg}"
    );
}
