//! Model-checked tests of the sync primitives' cross-thread protocols, run
//! with `RUSTFLAGS="--cfg spool_loom" cargo test --lib --release loom` (CI's
//! loom step; the five models take well under a second).
//!
//! The semaphore's atomic word and its queue lock (`batch_semaphore.rs`,
//! which `Mutex` and `RwLock` are built on), and the version-then-lock
//! handshake of `watch` and `Notify`, are where a wake-up could be lost
//! between threads; loom explores the interleavings and fails on a
//! deadlock (a lost wake-up) or a broken assertion.
//!
//! Each model was seen to fail on a deliberately broken transition:
//! - `loom_semaphore_hand_off`, `loom_semaphore_many`: `release`'s fast path
//!   ignoring `WAITERS` (adding the permit to the word instead of handing
//!   it to the queued waiter) deadlocks;
//! - `loom_semaphore_cancel_races_release`: `cancel` not giving back a
//!   permit handed to the cancelled waiter leaves 0 permits instead of 1;
//! - `loom_notify_one`: `notify_one` not storing its permit when nobody
//!   waits yet deadlocks;
//! - `loom_watch_changed`: `changed` not re-checking the version with the
//!   waiter list locked deadlocks.

use super::batch_semaphore::BatchSemaphore;
use super::{watch, Notify};
use loom::sync::Arc;
use loom::thread;
use std::future::{poll_fn, Future};
use std::task::{Context, Poll, Wake, Waker};

/// Wakes a parked loom thread.
struct Unpark(thread::Thread);

impl Wake for Unpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` on the current loom thread, parking between polls: a wake
/// that never comes is a deadlock loom reports.
fn block_on<F: Future>(f: F) -> F::Output {
    let waker = Waker::from(std::sync::Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// Acquires `n` permits, waiting as a task would.
fn acquire(sem: &BatchSemaphore, n: usize) {
    let mut waiter = None;
    block_on(poll_fn(|cx| sem.poll_acquire(cx, n, &mut waiter))).unwrap();
}

/// Two threads contend for one permit: both get it in turn (no lost
/// hand-off), and the permit is back at the end.
#[test]
fn loom_semaphore_hand_off() {
    loom::model(|| {
        let sem = Arc::new(BatchSemaphore::new(1));
        let s = sem.clone();
        let t = thread::spawn(move || {
            acquire(&s, 1);
            s.release(1);
        });
        acquire(&sem, 1);
        sem.release(1);
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

/// A waiter that parks and then is cancelled while the holder releases
/// never loses the permit.
#[test]
fn loom_semaphore_cancel_races_release() {
    loom::model(|| {
        let sem = Arc::new(BatchSemaphore::new(1));
        sem.try_acquire(1).unwrap();
        let s = sem.clone();
        let t = thread::spawn(move || {
            let mut waiter = None;
            // One poll: take the permit or park.
            let got = block_on(poll_fn(|cx| {
                Poll::Ready(s.poll_acquire(cx, 1, &mut waiter).is_ready())
            }));
            if got {
                s.release(1);
            } else if let Some(key) = waiter.take() {
                s.cancel(key, 1);
            }
        });
        sem.release(1);
        t.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

/// A partly filled big request (a writer) and a release racing: the
/// request completes once every permit is back.
#[test]
fn loom_semaphore_many() {
    loom::model(|| {
        let sem = Arc::new(BatchSemaphore::new(2));
        sem.try_acquire(2).unwrap();
        let s = sem.clone();
        let t = thread::spawn(move || {
            s.release(1);
            s.release(1);
        });
        acquire(&sem, 2);
        t.join().unwrap();
        sem.release(2);
        assert_eq!(sem.available_permits(), 2);
    });
}

/// `notify_one` from another thread is never lost, whether it comes
/// before the waiter parks (a stored permit) or after.
#[test]
fn loom_notify_one() {
    loom::model(|| {
        let n = Arc::new(Notify::new());
        let n2 = n.clone();
        let t = thread::spawn(move || n2.notify_one());
        block_on(n.notified());
        t.join().unwrap();
    });
}

/// A watch change sent from another thread wakes the waiting receiver.
#[test]
fn loom_watch_changed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let t = thread::spawn(move || tx.send(1).unwrap());
        block_on(rx.changed()).unwrap();
        assert_eq!(*rx.borrow(), 1);
        t.join().unwrap();
    });
}
