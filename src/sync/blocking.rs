//! Waiting for a sync future from plain (non-async) code: the engine of
//! `blocking_send`, `blocking_recv` and `Mutex::blocking_lock`.
//!
//! The future is polled on the calling thread with a waker that unparks
//! that thread; between polls the thread parks. `std::thread::park` keeps
//! an unpark token, so a wake that arrives before the park is not lost.
//! This is only for threads that run no executor: on a spool worker it
//! would block every task of the worker, so it panics there, as tokio does.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;

/// Wakes a parked thread.
struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `fut` to completion on this thread, parking it while the future
/// is pending.
///
/// # Panics
///
/// On a thread that runs a spool runtime (a worker, or inside `block_on`),
/// with a message naming `what`.
#[track_caller]
pub(crate) fn wait<F: Future>(what: &str, fut: F) -> F::Output {
    if crate::runtime::context::with_core(|_| ()).is_some() {
        panic!(
            "Cannot block the current thread from within a runtime: `{what}` was called \
             on a spool worker thread, where blocking would stall every task of the worker. \
             Use the async method with `.await`, or call `{what}` from a plain thread or \
             inside `spool::spawn_blocking`."
        );
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
