//! The reactor: what a worker does between two batches of tasks.
//!
//! Every worker thread owns one [`Reactor`]. It owns a `mio::Poll` (epoll
//! on Linux), the slab of I/O registrations ([`io`]), the timer heap
//! ([`timers`]) and what wakes a blocked poll at the earliest deadline
//! ([`deadline`]: a timerfd on Linux, whose two system calls are the
//! reactor's only unsafe code, fenced in `timerfd.rs`). One thread, one loop, thousands of waiting tasks: a task
//! that waits on a socket or a deadline leaves its [`Waker`] here and
//! returns `Pending`; the reactor wakes it when the kernel or the clock
//! says so, and the executor polls it again.
//!
//! # The tick
//!
//! This is the loop of a worker. The executor owns the top half (the batch);
//! [`Reactor::park`] is the bottom half.
//!
//! ```text
//!            ┌──────────────────────────────────────────────────────────┐
//!            │ executor: run a batch                                    │
//!            │   pop ≤ 128 tasks from the run queue, poll each one      │
//!            │   (each poll starts with a fresh coop budget of 128 ops) │
//!            └───────────────┬──────────────────────────────────────────┘
//!                            │ tasks still queued?  yes ─► park(Some(0))
//!                            │     (once per tick: every ≤ 128 polls)
//!                            │                      no  ─► park(None)
//!                            ▼
//!  Reactor::park(timeout) ───────────────────────────────────────────────
//!   1. drain release queues   keys of sockets/timers dropped on other
//!                             threads are freed (only we touch our slabs)
//!   2. poll mio               a blocking park with a timer armed must end
//!                             at its deadline: on Linux a timerfd alarm
//!                             (set only when it must move earlier) ends
//!                             it to the nanosecond; elsewhere the wait is
//!                             min(timeout, deadline − now) in milliseconds
//!                             (`deadline.rs`); park(Some(0)) with no socket
//!                             registered skips the syscall entirely
//!                             (CPU-only workloads); a paused clock never
//!                             waits for a timer: idle, it polls with a
//!                             zero timeout and, if nothing is ready, jumps
//!                             to the next deadline (auto-advance,
//!                             `time/clock.rs`)
//!   3. dispatch readiness     token → slab → set bits, take the direction's
//!                             wakers into a list (no waking yet); then
//!                             the caller's `awake` (see `park_then`)
//!   4. fire due timers        pop the heap while deadline ≤ now, take wakers
//!   5. wake                   every RefCell borrow released, then wake the
//!                             list: wakers push tasks onto the run queue
//!   6. return ParkReport      { io_events, timers_fired } for the metrics
//!  ──────────────────────────────────────────────────────────────────────
//!                            │
//!                            └─────────► back to "run a batch"
//!
//!  remote wake (another thread): push onto the worker's remote queue,
//!  then Unparker::unpark ─► mio::Waker ─► epoll_wait in step 2 returns
//! ```
//!
//! Step 5 is the one rule this module never bends: a waker may call back
//! into the executor, and the woken task's destructor (if the waker was its
//! last reference) may cancel a timer or drop a socket, which borrows this
//! reactor again. So wakers are collected first and woken (or dropped) only
//! after every borrow is released.
//!
//! # Who touches what
//!
//! - [`Reactor`] (and the [`Driver`] inside it) is `!Send`: only its worker
//!   thread touches the poll, the slabs and the heap, always through
//!   `RefCell`s that are borrowed for a few lines and never across a wake.
//! - [`Handle`] is the `Send + Sync` side: other threads use it to unpark
//!   the worker, to deregister a socket they dropped, and to queue slab keys
//!   for the owner to free (see [`handle`]).
//! - Futures find the reactor of the thread they are polled on through a
//!   thread-local *current reactor* slot, set by [`Reactor::enter`] for the
//!   duration of a `block_on` (or a worker's life) and read with
//!   [`with_current`]. The slot holds an `Rc<Driver>`, so nothing here needs
//!   `unsafe`: a reactor entered on the stack cannot be freed while entered.
//! - An I/O object belongs to the reactor that registered it; if it moves
//!   to another thread it still works (its readiness arrives from its owner,
//!   through a cross-thread wake), only slower. A `Sleep` moves with its
//!   task: polled on another worker, it cancels its entry at the old reactor
//!   and re-arms at the new one.
//! - Objects that outlive their runtime are safe: a socket's shared state is
//!   reference-counted and answers "runtime shut down" errors; a `Sleep`
//!   remembers only the reactor's never-reused id and a slab key, and finds
//!   nothing to cancel once that reactor is gone.

mod deadline;
pub(crate) mod handle;
pub(crate) mod io;
#[cfg(target_os = "linux")]
mod timerfd;
pub(crate) mod timers;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io as std_io;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Waker;
use std::time::Duration;

use slab::Slab;

use self::deadline::{Deadline, TIMER_TOKEN};
use self::handle::{lock, Handle, WAKE_TOKEN};
use self::io::ScheduledIo;
use self::timers::Timers;
use crate::time::clock::{self, Clock, Hold};
use crate::time::Instant;

/// The panic message of time and net APIs used outside a runtime.
pub(crate) const NO_REACTOR: &str =
    "there is no reactor running, must be called from the context of a spool runtime";

/// Readiness events fetched per `epoll_wait`.
const EVENTS_CAPACITY: usize = 1024;

/// Per-worker event loop (one per thread, never shared). The executor's
/// per-worker core owns it; everything lives in the [`Driver`] behind an
/// `Rc` so that the thread-local current-reactor slot can hold it too.
pub(crate) struct Reactor {
    driver: Rc<Driver>,
}

/// The reactor's state. Every field is touched only by the owning thread.
pub(crate) struct Driver {
    /// The OS event queue. Borrowed mutably only inside `park`.
    poll: RefCell<mio::Poll>,
    /// Event buffer reused by every `park`.
    events: RefCell<mio::Events>,
    /// I/O registrations; the slab key is the `mio::Token`.
    io: RefCell<Slab<Arc<ScheduledIo>>>,
    /// Armed timers.
    timers: RefCell<Timers>,
    /// What ends a blocking park at the earliest deadline (`deadline.rs`).
    deadline: Deadline,
    /// This reactor's clock: real, or paused/shifted (`time/clock.rs`).
    clock: Clock,
    /// Wakers collected in `park`, woken after the borrows end. Kept here
    /// (emptied, capacity retained) so that `park` does not allocate.
    wake_list: Cell<Vec<Waker>>,
    /// The part other threads may touch.
    handle: Arc<Handle>,
}

/// The shareable side of a [`Reactor`]: wakes the worker from any thread.
#[derive(Clone)]
pub(crate) struct Unparker {
    handle: Arc<Handle>,
}

/// What one [`Reactor::park`] did, for the metrics.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ParkReport {
    /// I/O readiness events dispatched.
    pub(crate) io_events: u64,
    /// Timers that fired.
    pub(crate) timers_fired: u64,
}

thread_local! {
    /// The reactor futures on this thread register with (see the module doc).
    static CURRENT: RefCell<Option<Rc<Driver>>> = const { RefCell::new(None) };
    /// Number of live [`EnterGuard`]s on this thread, to check their order.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Makes a reactor the current one until dropped (see [`Reactor::enter`]).
pub(crate) struct EnterGuard {
    /// What the slot held before; restored on drop.
    prev: Option<Rc<Driver>>,
    /// This guard's nesting depth, to catch out-of-order drops.
    depth: usize,
    /// The thread's "clock is virtual" flag before (see `time/clock.rs`).
    prev_virtual: bool,
}

impl Reactor {
    /// Creates the reactor of one worker thread.
    pub(crate) fn new() -> std_io::Result<Reactor> {
        let poll = mio::Poll::new()?;
        let handle = Handle::new(poll.registry())?;
        Ok(Reactor {
            driver: Rc::new(Driver {
                poll: RefCell::new(poll),
                events: RefCell::new(mio::Events::with_capacity(EVENTS_CAPACITY)),
                io: RefCell::new(Slab::new()),
                timers: RefCell::new(Timers::new()),
                deadline: Deadline::new(),
                clock: Clock::new(),
                wake_list: Cell::new(Vec::new()),
                handle,
            }),
        })
    }

    /// The handle that wakes this reactor from any thread.
    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            handle: self.driver.handle.clone(),
        }
    }

    /// Makes this the current reactor of the thread until the guard drops
    /// (the guard restores the previous one, also during unwinding). Guards
    /// must drop in reverse order of creation, which `let _g = ...` scoping
    /// guarantees.
    pub(crate) fn enter(&self) -> EnterGuard {
        let prev = CURRENT.with(|c| c.replace(Some(self.driver.clone())));
        let depth = DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        let prev_virtual = clock::entered(self.driver.clock.is_virtual());
        EnterGuard {
            prev,
            depth,
            prev_virtual,
        }
    }

    /// This reactor's clock (`Builder::start_paused` pauses it).
    pub(crate) fn clock(&self) -> &Clock {
        &self.driver.clock
    }

    /// One reactor turn (see "The tick" in the module doc): waits at most
    /// `timeout` (`None`: until an event, a timer or an unpark), then wakes
    /// the tasks whose sockets became ready or whose deadlines passed.
    pub(crate) fn park(&self, timeout: Option<Duration>) -> ParkReport {
        self.driver.park(timeout, || ())
    }

    /// [`park`](Reactor::park), calling `awake` once the wait is over,
    /// before any task is woken. The executor clears its "parked" flag
    /// there, so that waking its `block_on` future from this park (the
    /// same thread) does not also unpark the reactor through the
    /// `mio::Waker`: that would be a `write` now and one more `epoll_wait`
    /// at the next park, both for nothing.
    pub(crate) fn park_then(&self, timeout: Option<Duration>, awake: impl FnOnce()) -> ParkReport {
        self.driver.park(timeout, awake)
    }

    /// Called once when the runtime shuts down, after every task was
    /// dropped: I/O objects still alive (moved elsewhere, or returned out of
    /// `block_on`) are woken and from now on report an error.
    pub(crate) fn shutdown(&self) {
        self.driver.shutdown();
    }
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let depth = DEPTH.with(|d| d.replace(d.get() - 1));
        assert_eq!(
            depth, self.depth,
            "spool: reactor EnterGuards dropped out of order"
        );
        clock::entered(self.prev_virtual);
        let prev = self.prev.take();
        // The replaced value (this guard's reactor) is dropped after the
        // slot is no longer borrowed.
        let _ours = CURRENT.with(|c| c.replace(prev));
    }
}

/// Runs `f` with the current thread's reactor.
///
/// # Panics
///
/// Outside a spool runtime, with the message [`NO_REACTOR`].
pub(crate) fn with_current<R>(f: impl FnOnce(&Driver) -> R) -> R {
    try_with_current(f).unwrap_or_else(|| panic!("{}", NO_REACTOR))
}

/// True if a reactor is current on this thread (one thread-local load;
/// every live `EnterGuard` holds a reactor in the slot).
#[inline]
pub(crate) fn is_entered() -> bool {
    DEPTH.try_with(|d| d.get() > 0).unwrap_or(false)
}

/// Runs `f` with the current thread's reactor, if there is one (and the
/// thread is not being torn down).
pub(crate) fn try_with_current<R>(f: impl FnOnce(&Driver) -> R) -> Option<R> {
    let driver = CURRENT
        .try_with(|c| c.borrow().as_ref().map(Rc::clone))
        .ok()
        .flatten()?;
    Some(f(&driver))
}

/// Releases I/O slab key `key` of reactor `handle`: at once if we are on
/// its thread, otherwise through its release queue.
pub(crate) fn release_io(handle: &Handle, key: usize) {
    let done = try_with_current(|d| d.handle.id == handle.id && d.try_remove_io(key));
    if done != Some(true) {
        handle.release_io(key);
    }
}

/// Releases timer `key` of the reactor with id `reactor`, from any thread.
pub(crate) fn release_timer(reactor: u64, key: u32) {
    let done = try_with_current(|d| d.handle.id == reactor && d.try_remove_timer(key));
    if done != Some(true) {
        if let Some(handle) = handle::find(reactor) {
            handle.release_timer(key);
        }
    }
}

impl Driver {
    /// This reactor's process-unique id.
    pub(crate) fn id(&self) -> u64 {
        self.handle.id
    }

    /// The shareable side.
    pub(crate) fn handle(&self) -> &Arc<Handle> {
        &self.handle
    }

    /// This reactor's clock.
    #[inline]
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Pauses the clock (`time::pause`); this thread's time reads follow it.
    pub(crate) fn pause_clock(&self) {
        self.clock.pause();
        clock::entered(true);
    }

    /// Holds the paused clock's auto-advance off until the guard drops,
    /// which also wakes this reactor (see `time/clock.rs`).
    pub(crate) fn hold_clock(&self) -> Hold {
        self.clock.hold(Unparker {
            handle: self.handle.clone(),
        })
    }

    /// Fires the timers due at the clock's time now (after `advance`).
    pub(crate) fn fire_due_timers(&self) {
        let mut wakers = self.wake_list.take();
        self.timers.borrow_mut().fire(self.clock.now(), &mut wakers);
        // The borrow has ended.
        for waker in wakers.drain(..) {
            waker.wake();
        }
        self.wake_list.set(wakers);
    }

    /// Adds an I/O registration; returns its slab key (its mio token).
    pub(crate) fn insert_io(&self, io: Arc<ScheduledIo>) -> usize {
        self.io.borrow_mut().insert(io)
    }

    /// Removes an I/O registration unless the slab is borrowed right now
    /// (then the caller queues the key instead). The entry is dropped after
    /// the borrow ends, as it may hold the last reference to a waker.
    fn try_remove_io(&self, key: usize) -> bool {
        let Ok(mut io) = self.io.try_borrow_mut() else {
            return false;
        };
        let removed = io.try_remove(key);
        drop(io);
        drop(removed);
        true
    }

    /// Arms a timer for `deadline`; returns its key.
    pub(crate) fn timer_insert(&self, deadline: Instant, waker: &Waker) -> u32 {
        self.timers.borrow_mut().insert(deadline, waker)
    }

    /// True if timer `key` fired; otherwise `waker` is the one to wake.
    pub(crate) fn timer_poll(&self, key: u32, waker: &Waker) -> bool {
        let (fired, displaced) = self.timers.borrow_mut().poll(key, waker);
        drop(displaced);
        fired
    }

    /// Moves timer `key` to `deadline`, re-arming it if it fired.
    pub(crate) fn timer_reset(&self, key: u32, deadline: Instant, waker: Option<&Waker>) {
        let displaced = self.timers.borrow_mut().reset(key, deadline, waker);
        drop(displaced);
    }

    /// Cancels and frees timer `key` (queued for the next park in the
    /// unlikely case that the heap is borrowed right now).
    pub(crate) fn timer_remove(&self, key: u32) {
        if !self.try_remove_timer(key) {
            self.handle.release_timer(key);
        }
    }

    /// Cancels and frees timer `key`, unless the heap is borrowed right now.
    fn try_remove_timer(&self, key: u32) -> bool {
        let Ok(mut timers) = self.timers.try_borrow_mut() else {
            return false;
        };
        let waker = timers.remove(key);
        drop(timers);
        drop(waker);
        true
    }

    /// Frees the slab keys other threads released (tick step 1).
    fn drain_released(&self) {
        if !self.handle.has_released.swap(false, Ordering::Acquire) {
            return;
        }
        let io_keys = std::mem::take(&mut *lock(&self.handle.released_io));
        for key in io_keys {
            let removed = self.io.borrow_mut().try_remove(key);
            drop(removed);
        }
        let timer_keys = std::mem::take(&mut *lock(&self.handle.released_timers));
        for key in timer_keys {
            let waker = self.timers.borrow_mut().remove(key);
            drop(waker);
        }
    }

    /// The tick's reactor half (see the module doc).
    fn park(&self, timeout: Option<Duration>, awake: impl FnOnce()) -> ParkReport {
        self.drain_released();
        let mut report = ParkReport::default();
        let mut wakers = self.wake_list.take();
        let next_deadline = self.timers.borrow().next_deadline();
        // A paused clock never waits for a timer. Idle (`timeout` None)
        // with a timer armed and no `spawn_blocking` job in flight, it
        // auto-advances: look for ready I/O without blocking, and if there
        // is none, jump to the next deadline (below).
        let paused = self.clock.is_paused();
        let auto_advance =
            paused && timeout.is_none() && next_deadline.is_some() && !self.clock.is_held();
        let wait = match next_deadline {
            _ if auto_advance => Some(Duration::ZERO),
            Some(deadline) if !paused => self.wait_for(deadline, timeout),
            _ => timeout,
        };

        let mut any_event = false;
        let nothing_to_poll =
            wait == Some(Duration::ZERO) && self.io.borrow().is_empty() && !auto_advance;
        if !nothing_to_poll {
            let mut events = self.events.borrow_mut();
            if let Err(e) = self.poll.borrow_mut().poll(&mut events, wait) {
                // A signal interrupted the wait: simply a shorter park.
                assert!(
                    e.kind() == std_io::ErrorKind::Interrupted,
                    "spool: polling the OS event queue failed: {e}"
                );
            }
            let io = self.io.borrow();
            for event in events.iter() {
                // The deadline alarm only ends the wait: the timers due
                // are fired below, from the clock.
                if event.token() == TIMER_TOKEN {
                    continue;
                }
                any_event = true;
                if event.token() == WAKE_TOKEN {
                    continue;
                }
                // A token without entry belongs to a registration released
                // after this batch of events was fetched: nothing waits.
                if let Some(scheduled) = io.get(event.token().0) {
                    if scheduled.dispatch(event, &mut wakers) {
                        report.io_events += 1;
                    }
                }
            }
        }

        awake();

        if let Some(deadline) = next_deadline {
            if auto_advance && !any_event {
                self.clock.advance_to(deadline);
            }
            report.timers_fired = self.timers.borrow_mut().fire(self.clock.now(), &mut wakers);
        }

        // Step 5: every borrow above has ended.
        for waker in wakers.drain(..) {
            waker.wake();
        }
        self.wake_list.set(wakers);
        report
    }

    /// The poll timeout of a park (not paused) whose earliest timer is due
    /// at `deadline`, given the caller's `timeout`. A park that does not
    /// block reads no clock here; one that blocks reads it once and lets
    /// [`Deadline`] end the wait at the deadline (see `deadline.rs`).
    fn wait_for(&self, deadline: Instant, timeout: Option<Duration>) -> Option<Duration> {
        if timeout == Some(Duration::ZERO) {
            return timeout;
        }
        let (now, real_now) = self.clock.now_with_real();
        let until = deadline.saturating_duration_since(now);
        if until.is_zero() {
            return Some(Duration::ZERO);
        }
        self.deadline
            .wait(&self.handle.registry, real_now, until, timeout)
    }

    /// Marks the reactor shut down and wakes every task still waiting on
    /// one of its sockets (it will find the error); drops timer wakers.
    fn shutdown(&self) {
        self.handle.shut_down.store(true, Ordering::Release);
        self.drain_released();
        let mut io_wakers = Vec::new();
        for (_, scheduled) in self.io.borrow().iter() {
            scheduled.take_all_wakers(&mut io_wakers);
        }
        let mut timer_wakers = Vec::new();
        self.timers.borrow_mut().take_all_wakers(&mut timer_wakers);
        drop(timer_wakers);
        for waker in io_wakers {
            waker.wake();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.handle.is_shut_down() {
            self.shutdown();
        }
        self.handle.forget();
    }
}

impl Unparker {
    /// Wakes the worker if it is parked (or makes its next blocking park
    /// return at once).
    pub(crate) fn unpark(&self) {
        self.handle
            .waker
            .wake()
            .expect("spool: failed to wake the reactor");
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.driver, f)
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Reactor");
        d.field("id", &self.handle.id);
        if let Ok(io) = self.io.try_borrow() {
            d.field("io_registrations", &io.len());
        }
        if let Ok(timers) = self.timers.try_borrow() {
            d.field("timers_queued", &timers.queued());
        }
        d.finish_non_exhaustive()
    }
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unparker")
            .field("reactor", &self.handle.id)
            .finish()
    }
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard")
            .field("depth", &self.depth)
            .finish()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("id", &self.id)
            .field("shut_down", &self.is_shut_down())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
