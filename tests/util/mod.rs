//! Helpers shared by the integration tests.
//!
//! - [`CountingAlloc`]: a global allocator that counts allocations made by
//!   the *current thread*, so a test can assert "this loop allocated
//!   nothing" even while other test threads run.
//! - [`PollDrop`]: a future that counts its polls and its drops.
//! - [`watchdog`]: ends the test process if a guard outlives a limit.
//!
//! Area-specific helpers live beside this file (`tests/util/<area>.rs`) and
//! are included with `#[path = "util/<area>.rs"] mod <area>;`.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// Counts the allocations of the calling thread. Install it in a test binary
/// with `#[global_allocator] static A: util::CountingAlloc = util::CountingAlloc;`.
pub struct CountingAlloc;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// thread-local counter is `const`-initialised and has no destructor, so
// touching it never allocates or re-enters the allocator.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations (including reallocations) made so far by this thread.
pub fn allocations() -> u64 {
    ALLOCS.with(|c| c.get())
}

/// Runs `f` and returns how many allocations this thread made meanwhile.
pub fn count_allocs<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let before = allocations();
    let r = f();
    (r, allocations() - before)
}

/// Shared poll and drop counters for [`PollDrop`].
#[derive(Clone, Default, Debug)]
pub struct Counters {
    pub polls: Arc<AtomicUsize>,
    pub drops: Arc<AtomicUsize>,
}

impl Counters {
    pub fn polls(&self) -> usize {
        self.polls.load(Ordering::SeqCst)
    }
    pub fn drops(&self) -> usize {
        self.drops.load(Ordering::SeqCst)
    }
}

/// A future that counts its polls and drops and wraps another future.
pub struct PollDrop<F> {
    inner: Pin<Box<F>>,
    counters: Counters,
}

impl<F: Future> PollDrop<F> {
    pub fn new(counters: &Counters, inner: F) -> Self {
        PollDrop {
            inner: Box::pin(inner),
            counters: counters.clone(),
        }
    }
}

impl<F: Future> Future for PollDrop<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.counters.polls.fetch_add(1, Ordering::SeqCst);
        self.inner.as_mut().poll(cx)
    }
}

impl<F> Drop for PollDrop<F> {
    fn drop(&mut self) {
        self.counters.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future that is pending forever (it never wakes itself).
pub fn pending_forever() -> std::future::Pending<()> {
    std::future::pending()
}

/// Aborts the whole test process with a message if the returned guard is not
/// dropped within `limit`: turns a hang (a lost wake-up) into a clear failure
/// instead of a stuck CI job.
pub fn watchdog(limit: std::time::Duration, what: &'static str) -> Watchdog {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
            eprintln!("watchdog: {what} did not finish within {limit:?} (lost wake-up?)");
            std::process::exit(101);
        }
    });
    Watchdog { _tx: tx }
}

/// Guard returned by [`watchdog`].
pub struct Watchdog {
    _tx: std::sync::mpsc::Sender<()>,
}

/// A future that stays pending until [`Gate::open`] is called, possibly
/// from another thread. Its waker is kept so the test can play with it.
#[derive(Clone, Default)]
pub struct Gate {
    inner: Arc<std::sync::Mutex<(bool, Option<std::task::Waker>)>>,
}

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }
    /// Opens the gate and wakes the waiter, if any.
    pub fn open(&self) {
        let waker = {
            let mut g = self.inner.lock().unwrap();
            g.0 = true;
            g.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
    /// True once a waiter has registered its waker.
    pub fn has_waiter(&self) -> bool {
        self.inner.lock().unwrap().1.is_some()
    }
    /// Waits until the gate is open.
    pub fn wait(&self) -> GateWait {
        GateWait { gate: self.clone() }
    }
}

/// Future returned by [`Gate::wait`].
pub struct GateWait {
    gate: Gate,
}

impl Future for GateWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut g = self.gate.inner.lock().unwrap();
        if g.0 {
            Poll::Ready(())
        } else {
            g.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}
