//! Issue 15, item 5: a signal sent to our own process is received through
//! `spool::signal::unix::signal`. Each test uses a signal no other test of
//! this binary touches (handlers are process-wide).
#![cfg(feature = "signal")]
mod util;

use signal_hook::consts::{SIGUSR1, SIGUSR2, SIGWINCH};
use signal_hook::low_level::raise;
use spool::signal::unix::{signal, SignalKind};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

/// Polls `fut` once: `Some(output)` if it was ready.
async fn poll_once<F: Future>(fut: std::pin::Pin<&mut F>) -> Option<F::Output> {
    let mut fut = Some(fut);
    std::future::poll_fn(|cx| match fut.take().unwrap().poll(cx) {
        Poll::Ready(v) => Poll::Ready(Some(v)),
        Poll::Pending => Poll::Ready(None),
    })
    .await
}

#[test]
fn sigusr1_to_ourselves_is_received() {
    let _w = util::watchdog(Duration::from_secs(30), "SIGUSR1");
    spool::block_on(async {
        let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
        // Nothing delivered yet.
        assert_eq!(poll_once(pin!(usr1.recv())).await, None);
        // The handler is installed since `signal` returned: without it the
        // default action of SIGUSR1 would kill this process.
        raise(SIGUSR1).unwrap();
        assert_eq!(usr1.recv().await, Some(()));
        // Received once, then pending again.
        assert_eq!(poll_once(pin!(usr1.recv())).await, None);
        // Deliveries between two recvs coalesce into one.
        raise(SIGUSR1).unwrap();
        raise(SIGUSR1).unwrap();
        assert_eq!(usr1.recv().await, Some(()));
        assert_eq!(poll_once(pin!(usr1.recv())).await, None);
        // A task waiting in recv is woken by a delivery from another thread.
        let waiter = spool::spawn(async move { usr1.recv().await });
        spool::task::yield_now().await; // the waiter parks in recv
        std::thread::spawn(|| raise(SIGUSR1).unwrap())
            .join()
            .unwrap();
        assert_eq!(waiter.await.unwrap(), Some(()));
    });
}

#[test]
fn every_listener_sees_a_delivery_and_a_dropped_recv_loses_none() {
    let _w = util::watchdog(Duration::from_secs(30), "SIGUSR2");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let mut here = signal(SignalKind::user_defined2()).unwrap();
        // One listener on worker 1 too.
        let (ready_tx, ready_rx) = spool::sync::oneshot::channel();
        let there = spool::spawn_on(1, async move {
            let mut s = signal(SignalKind::user_defined2()).unwrap();
            ready_tx.send(()).unwrap();
            s.recv().await
        });
        ready_rx.await.unwrap();
        // A recv future polled (pending) and dropped: cancel-safe.
        assert_eq!(poll_once(pin!(here.recv())).await, None);
        raise(SIGUSR2).unwrap();
        assert_eq!(here.recv().await, Some(()));
        assert_eq!(there.await.unwrap(), Some(()));
    });
}

#[test]
fn recv_after_the_runtime_shut_down_is_none() {
    let rt = spool::Runtime::new().unwrap();
    let mut winch = rt.block_on(async { signal(SignalKind::window_change()).unwrap() });
    drop(rt);
    let waker = futures_task::noop_waker();
    let mut cx = std::task::Context::from_waker(&waker);
    assert_eq!(pin!(winch.recv()).poll(&mut cx), Poll::Ready(None));
    // Delivered now, but no reactor is left to report it: `None`, not a hang.
    raise(SIGWINCH).unwrap();
    assert_eq!(pin!(winch.recv()).poll(&mut cx), Poll::Ready(None));
    drop(winch); // deregisters from a reactor that is gone: no panic
}

#[test]
fn signals_that_cannot_be_caught_are_errors() {
    spool::block_on(async {
        for kind in [9, 19, 11] {
            // SIGKILL, SIGSTOP, SIGSEGV
            let err = signal(SignalKind::from_raw(kind)).unwrap_err();
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidInput,
                "{kind}: {err}"
            );
            assert!(err.to_string().contains(&kind.to_string()), "{err}");
        }
        // Not signals at all: beyond any table, and beyond Linux's 64.
        for kind in [0, -1, 12345, 100] {
            let err = signal(SignalKind::from_raw(kind)).unwrap_err();
            assert!(err.to_string().contains(&kind.to_string()), "{err}");
        }
    });
}

#[test]
fn signal_kinds_are_the_usual_numbers() {
    assert_eq!(SignalKind::interrupt().as_raw_value(), 2);
    assert_eq!(SignalKind::terminate().as_raw_value(), 15);
    assert_eq!(SignalKind::user_defined1().as_raw_value(), SIGUSR1);
    assert_eq!(SignalKind::from(SIGUSR2), SignalKind::user_defined2());
}
