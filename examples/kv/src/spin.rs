//! Poll mode: while requests are flowing, keep the worker from sleeping.
//!
//! Why: under a pipelined load the server answers a batch faster than the
//! client sends the next, so the worker parks in `epoll_wait` between
//! batches (thousands of times a second). Every park makes the *client*
//! pay for a wake-up (the kernel must wake the sleeping worker thread when
//! the next request lands on its socket), and with a client that is itself
//! CPU-bound, such as `redis-benchmark`, that cost shows up directly as
//! fewer requests per second. redis-server avoids it by accident, because
//! it spends longer per batch; `perf stat` showed spool's worker with 12×
//! more context switches for the same requests.
//!
//! How: one spinner task per worker. After a connection processes a batch
//! it calls [`activity`], which records the time and wakes the spinner if
//! it sleeps. The spinner then yields in a loop until no batch has been
//! seen for the spin window; while it is runnable the executor polls the
//! reactor without blocking on each tick instead of parking. Idle, the
//! spinner waits for the next [`activity`] and costs nothing.
//!
//! Invariants: all state is thread-local to the worker (the spinner and
//! the connections it serves run on the same thread); the spinner's waker
//! is taken out of its cell before it is woken (never woken under a
//! borrow). The cost: one core stays busy for up to the window after the
//! last request (`--spin-us 0` turns poll mode off).

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

thread_local! {
    /// When a connection on this worker last processed a batch.
    static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The sleeping spinner of this worker, if any.
    static SPINNER: RefCell<Option<Waker>> = const { RefCell::new(None) };
}

/// Records that a connection on this worker just processed a batch.
pub fn activity(now: Instant) {
    LAST.with(|last| last.set(Some(now)));
    let sleeping = SPINNER.with(|s| s.borrow_mut().take());
    if let Some(waker) = sleeping {
        waker.wake();
    }
}

/// Whether a batch was processed on this worker within `window`.
fn recent(window: Duration) -> bool {
    LAST.with(|last| last.get())
        .is_some_and(|t| t.elapsed() < window)
}

/// The spinner task of one worker (see the module doc). Runs forever.
pub async fn spinner(window: Duration) {
    loop {
        poll_fn(|cx| {
            if recent(window) {
                return Poll::Ready(());
            }
            SPINNER.with(|s| *s.borrow_mut() = Some(cx.waker().clone()));
            Poll::Pending
        })
        .await;
        while recent(window) {
            spool::task::yield_now().await;
        }
    }
}

#[cfg(test)]
mod tests;
