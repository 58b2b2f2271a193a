//! What a worker does between two batches of requests: poll mode (spin)
//! or nap mode (sleep on a timer), so that a busy worker is not woken by
//! every request.
//!
//! Why: under load the server answers a batch faster than the client sends
//! the next, so the worker parks in `epoll_wait` between batches
//! (thousands of times a second). Every park makes the *client* pay for a
//! wake-up: the kernel must wake the sleeping worker thread when the next
//! request lands on its socket, and on a virtual machine that is an
//! inter-processor interrupt (an exit to the hypervisor) charged to the
//! sending thread. With a client that is itself CPU-bound, such as
//! `redis-benchmark`, that cost shows up directly as fewer requests per
//! second. redis-server avoids it by accident, because it spends longer
//! per batch; `perf stat` showed spool's worker with 12× more context
//! switches for the same requests.
//!
//! **Poll mode** (`--spin-us N`): one spinner task per worker. After a
//! connection processes a batch it calls [`activity`], which records the
//! time and wakes the spinner if it sleeps. The spinner then yields in a
//! loop until no batch has been seen for the spin window; while it is
//! runnable the executor polls the reactor without blocking on each tick
//! instead of parking. Idle, the spinner waits for the next [`activity`]
//! and costs nothing. The cost: one core stays busy for up to the window
//! after the last request.
//!
//! **Nap mode** (`--nap-us N`, used when poll mode is off): one napper
//! task per worker, woken by [`activity`] like the spinner, runs after the
//! batch's connections. If at least [`NAP_MIN_CONNECTIONS`] different
//! connections were served within [`NAP_WINDOW`], it puts the worker
//! thread to sleep for the nap (`std::thread::sleep`, a timer: no CPU is
//! spent) before the worker goes back to `epoll_wait`. Requests that
//! arrive meanwhile wake nobody (nothing waits on their sockets); the
//! next `epoll_wait` finds them all at once and returns without sleeping.
//! This is interrupt moderation, as a network card does it: fewer, larger
//! batches, for at most one nap of added latency. Fewer connections, or a
//! light load, never nap: a lone client (even pipelining) is answered as
//! without the napper. The worker thread's timer slack is set to 1 µs
//! (`/proc/<tid>/timerslack_ns`, Linux; elsewhere the nap is as precise
//! as `sleep` is), or a 20 µs nap would last 70 µs.
//!
//! Invariants: all state is thread-local to the worker (the spinner or
//! napper and the connections it serves run on the same thread; a worker
//! runs one or the other, never both); the sleeping task's waker is taken
//! out of its cell before it is woken (never woken under a borrow). A nap
//! blocks the worker thread, so it stays short (`--nap-us` is at most
//! [`MAX_NAP`]): timers and other tasks of that worker wait for it too.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// Nap mode naps only if at least this many different connections were
/// served within [`NAP_WINDOW`]: with fewer, the requests one nap would
/// collect do not pay for the latency it adds (measured: with 4 clients
/// a nap after every 4 made `redis-benchmark -c 4` slower).
pub const NAP_MIN_CONNECTIONS: u32 = 16;
/// How recent the connections counted for a nap must be.
pub const NAP_WINDOW: Duration = Duration::from_micros(500);
/// The longest nap `--nap-us` accepts: a nap blocks the worker thread.
pub const MAX_NAP: Duration = Duration::from_millis(1);

thread_local! {
    /// When a connection on this worker last processed a batch.
    static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Batches processed on this worker (wrapping): the napper waits for
    /// it to change.
    static BATCHES: Cell<u64> = const { Cell::new(0) };
    /// The connections served since the napper last started counting,
    /// one bit per connection id modulo 64 (two may share a bit: an
    /// undercount, never an overcount).
    static SEEN: Cell<u64> = const { Cell::new(0) };
    /// The id of the next connection served on this worker.
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
    /// Naps taken on this worker (for the tests).
    static NAPS: Cell<u64> = const { Cell::new(0) };
    /// The sleeping spinner or napper of this worker, if any.
    static SPINNER: RefCell<Option<Waker>> = const { RefCell::new(None) };
}

/// An id for a new connection on this worker, for [`activity`]: 64
/// connections in a row get different ones.
pub fn connection_id() -> u64 {
    NEXT_ID.with(|id| {
        let next = id.get();
        id.set(next.wrapping_add(1));
        next
    })
}

/// Records that connection `conn` (its [`connection_id`]) just processed
/// a batch on this worker at `now`.
pub fn activity(now: Instant, conn: u64) {
    LAST.with(|last| last.set(Some(now)));
    BATCHES.with(|b| b.set(b.get().wrapping_add(1)));
    SEEN.with(|seen| seen.set(seen.get() | 1 << (conn % 64)));
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

/// The napper task of one worker (see the module doc). Runs forever.
pub async fn napper(nap: Duration) {
    precise_timers();
    // When the connections in `SEEN` started being counted.
    let mut counting_since: Option<Instant> = None;
    let mut batches = BATCHES.with(Cell::get);
    loop {
        // Wait for the next batch (the napper runs after it).
        poll_fn(|cx| {
            if BATCHES.with(Cell::get) != batches {
                return Poll::Ready(());
            }
            SPINNER.with(|s| *s.borrow_mut() = Some(cx.waker().clone()));
            Poll::Pending
        })
        .await;
        batches = BATCHES.with(Cell::get);
        let now = LAST.with(Cell::get).unwrap_or_else(Instant::now);
        let since = *counting_since.get_or_insert(now);
        if now.saturating_duration_since(since) > NAP_WINDOW {
            // The connections counted are too old to say the load is high
            // now: start over.
            SEEN.with(|seen| seen.set(0));
            counting_since = None;
        } else if SEEN.with(Cell::get).count_ones() >= NAP_MIN_CONNECTIONS {
            std::thread::sleep(nap);
            NAPS.with(|n| n.set(n.get() + 1));
            SEEN.with(|seen| seen.set(0));
            counting_since = None;
        }
    }
}

/// Naps taken on the calling thread's worker so far.
pub fn naps() -> u64 {
    NAPS.with(Cell::get)
}

/// Makes the calling thread's timers precise to 1 µs (Linux; the default
/// timer slack of 50 µs would stretch a 20 µs nap to 70). Best effort:
/// elsewhere, or if `/proc` is not there, naps are just longer.
fn precise_timers() {
    // `/proc/thread-self` links to `<pid>/task/<tid>`; `/proc/<tid>` is
    // the thread itself, whose timer slack it may set without privileges.
    let Ok(link) = std::fs::read_link("/proc/thread-self") else {
        return;
    };
    if let Some(tid) = link.file_name() {
        let path = std::path::Path::new("/proc")
            .join(tid)
            .join("timerslack_ns");
        let _ = std::fs::write(path, "1000");
    }
}

#[cfg(test)]
mod tests;
