//! I/O registrations: readiness bits and waker slots for one event source.
//!
//! Every socket spool wraps is registered with its worker's `mio::Poll`
//! under a [`mio::Token`] that is its key in the reactor's I/O slab. The slab
//! holds an `Arc<ScheduledIo>`; the socket's [`Registration`] holds another.
//!
//! # Ownership and threads
//!
//! - The **slab entry** belongs to the owning reactor's thread. It is
//!   inserted by [`Registration::new`] (on that thread, through the current
//!   reactor) and removed when the registration drops: directly if the drop
//!   happens on the owner thread, otherwise through the owner's release
//!   queue (see [`Handle`]). The key is therefore never reused while the
//!   registration is alive, and epoll never reports a token whose entry has
//!   been handed to another socket: the descriptor is deregistered *before*
//!   its key is released.
//! - The **`ScheduledIo`** is shared (`Send + Sync`): the owner's `park`
//!   sets readiness bits and takes wakers; the task that does the I/O, on
//!   whatever thread, reads and clears the bits and stores its waker.
//!
//! # Readiness and the lost-wake-up race
//!
//! mio is edge-triggered: an event says "the socket *became* ready", once.
//! So a readiness bit stays set until an operation actually fails with
//! `WouldBlock`, and only then is it cleared ([`Registration::poll_io`]).
//! Two races are closed here:
//!
//! 1. *Clearing a bit that a newer event has set again.* Each dispatch bumps
//!    a `tick` packed beside the bits; [`ScheduledIo::clear_readiness`] only
//!    clears if the tick is still the one the failed attempt observed.
//! 2. *Storing a waker after the event was dispatched.* A poller stores its
//!    waker under the direction's mutex and then re-reads the bits; `park`
//!    sets the bits and then takes the wakers under the same mutex. Either
//!    the poller sees the bit, or `park` sees the waker.
//!
//! Each direction keeps one waker slot plus an overflow list, so two tasks
//! waiting on the same direction (two `accept`s on one listener, say) are
//! both woken; the overflow list keeps its capacity, so the steady state
//! allocates nothing. New registrations start *optimistically ready* in both
//! directions: the first read or write tries the syscall at once instead of
//! waiting a round trip for epoll's initial edge.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll, Waker};

use super::handle::{lock, Handle};

/// Readable (or an error is pending). Cleared by a `WouldBlock`.
const READ: usize = 0b0001;
/// Writable (or an error is pending). Cleared by a `WouldBlock`.
const WRITE: usize = 0b0010;
/// The peer will send no more. Final: never cleared, so a reader that
/// consumed the last bytes still finds the end of the stream.
const READ_CLOSED: usize = 0b0100;
/// Writing can no longer succeed. Final, like `READ_CLOSED`.
const WRITE_CLOSED: usize = 0b1000;
/// The readiness bits live below this shift; the dispatch tick above it.
const TICK_SHIFT: u32 = 16;
/// Mask of the readiness bits.
const BITS: usize = (1 << TICK_SHIFT) - 1;

/// Which half of a socket an operation waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Reads, accepts, `recv_from`.
    Read,
    /// Writes, connects, `send_to`.
    Write,
}

impl Direction {
    /// The bits that make this direction ready.
    fn mask(self) -> usize {
        match self {
            Direction::Read => READ | READ_CLOSED,
            Direction::Write => WRITE | WRITE_CLOSED,
        }
    }

    /// The bit a `WouldBlock` in this direction clears.
    fn clearable(self) -> usize {
        match self {
            Direction::Read => READ,
            Direction::Write => WRITE,
        }
    }
}

/// What a readiness poll saw: the bit and the tick it was set at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadyEvent {
    tick: usize,
    bit: usize,
}

/// Tasks waiting for one direction of one source.
#[derive(Default)]
struct Waiters {
    /// The usual case: one task waits.
    first: Option<Waker>,
    /// Further tasks, if several wait on the same direction.
    rest: Vec<Waker>,
}

impl Waiters {
    /// Stores `waker` unless an equivalent one is already stored.
    fn register(&mut self, waker: &Waker) {
        match &self.first {
            None => self.first = Some(waker.clone()),
            Some(w) if w.will_wake(waker) => {}
            Some(_) => {
                if !self.rest.iter().any(|w| w.will_wake(waker)) {
                    self.rest.push(waker.clone());
                }
            }
        }
    }

    /// Moves every stored waker into `out`.
    fn take_into(&mut self, out: &mut Vec<Waker>) {
        out.extend(self.first.take());
        out.append(&mut self.rest);
    }
}

/// Readiness and wakers of one registered source (see the module doc).
pub(crate) struct ScheduledIo {
    /// Readiness bits (low 16 bits) and dispatch tick (the rest).
    readiness: AtomicUsize,
    /// Waiting readers.
    readers: Mutex<Waiters>,
    /// Waiting writers.
    writers: Mutex<Waiters>,
}

impl ScheduledIo {
    /// A fresh source, optimistically ready in both directions, tick 0.
    fn new() -> ScheduledIo {
        ScheduledIo {
            readiness: AtomicUsize::new(READ | WRITE),
            readers: Mutex::new(Waiters::default()),
            writers: Mutex::new(Waiters::default()),
        }
    }

    /// Owner only (`park`): records an event and collects the wakers of the
    /// directions it made ready. Returns whether anything became ready.
    pub(super) fn dispatch(&self, event: &mio::event::Event, out: &mut Vec<Waker>) -> bool {
        let mut bits = 0;
        if event.is_readable() || event.is_error() {
            bits |= READ;
        }
        if event.is_read_closed() {
            bits |= READ_CLOSED;
        }
        if event.is_writable() || event.is_error() {
            bits |= WRITE;
        }
        if event.is_write_closed() {
            bits |= WRITE_CLOSED;
        }
        if bits == 0 {
            return false;
        }
        // Bump the tick and set the bits in one step (see race 1 above).
        let _ = self
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |cur| {
                let tick = (cur >> TICK_SHIFT).wrapping_add(1);
                Some((tick << TICK_SHIFT) | (cur & BITS) | bits)
            });
        if bits & Direction::Read.mask() != 0 {
            lock(&self.readers).take_into(out);
        }
        if bits & Direction::Write.mask() != 0 {
            lock(&self.writers).take_into(out);
        }
        true
    }

    /// Owner only (shutdown): collects every waiting task's waker.
    pub(super) fn take_all_wakers(&self, out: &mut Vec<Waker>) {
        lock(&self.readers).take_into(out);
        lock(&self.writers).take_into(out);
    }

    /// Returns the current readiness of `dir`, if set.
    fn ready(&self, dir: Direction) -> Option<ReadyEvent> {
        let cur = self.readiness.load(Ordering::Acquire);
        (cur & dir.mask() != 0).then_some(ReadyEvent {
            tick: cur >> TICK_SHIFT,
            bit: dir.clearable(),
        })
    }

    /// Clears the direction's readiness `event` saw (never the final
    /// "closed" bits), unless a newer event arrived since.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let _ = self
            .readiness
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |cur| {
                ((cur >> TICK_SHIFT) == event.tick).then_some(cur & !event.bit)
            });
    }
}

/// A source's membership in the current reactor: the shared readiness, the
/// owner's handle and the slab key (= mio token). Dropping it releases the
/// key; the caller must have deregistered the source first.
pub(crate) struct Registration {
    io: Arc<ScheduledIo>,
    handle: Arc<Handle>,
    key: usize,
}

impl Registration {
    /// Registers `source` with the current thread's reactor.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    pub(crate) fn new(
        source: &mut impl mio::event::Source,
        interest: mio::Interest,
    ) -> io::Result<Registration> {
        let io = Arc::new(ScheduledIo::new());
        super::with_current(|reactor| {
            let key = reactor.insert_io(io.clone());
            let handle = reactor.handle().clone();
            // Build the registration first so that a failed `register`
            // releases the key through `Drop`.
            let registration = Registration { io, handle, key };
            registration
                .handle
                .registry
                .register(source, mio::Token(key), interest)?;
            Ok(registration)
        })
    }

    /// Removes `source` from epoll. Call before dropping the registration
    /// when the descriptor lives on (`into_std`); harmless otherwise.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.registry.deregister(source)
    }

    /// Waits until `dir` is (believed) ready.
    ///
    /// Fails once the owning runtime has shut down and no readiness is left,
    /// so an I/O object that outlives its runtime errs instead of hanging.
    pub(crate) fn poll_ready(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<ReadyEvent>> {
        if let Some(event) = self.io.ready(dir) {
            return Poll::Ready(Ok(event));
        }
        let slot = match dir {
            Direction::Read => &self.io.readers,
            Direction::Write => &self.io.writers,
        };
        lock(slot).register(cx.waker());
        // Re-check after storing the waker (race 2 in the module doc).
        if let Some(event) = self.io.ready(dir) {
            return Poll::Ready(Ok(event));
        }
        if self.handle.is_shut_down() {
            return Poll::Ready(Err(shut_down_error()));
        }
        Poll::Pending
    }

    /// Clears readiness after an attempt failed with `WouldBlock`.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.io.clear_readiness(event);
    }

    /// Runs `op` once `dir` is ready, retrying until it does not fail with
    /// `WouldBlock` (edge-triggered: only `WouldBlock` clears readiness).
    ///
    /// Spends one unit of the task's cooperative budget first. Cancel-safe
    /// as long as `op` either completes or fails without side effects,
    /// which is true of every single `read`/`write`/`accept`/`recv` syscall.
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        ready!(crate::coop::poll_proceed(cx));
        loop {
            let event = ready!(self.poll_ready(dir, cx))?;
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                result => return Poll::Ready(result),
            }
        }
    }

    /// Runs `op` at once if `dir` is (believed) ready, without waiting or
    /// spending budget: the `try_read` / `try_write` family. Not ready, or
    /// `op` failing with `WouldBlock` (which clears the readiness it saw),
    /// gives `WouldBlock`.
    pub(crate) fn try_io<R>(
        &self,
        dir: Direction,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let Some(event) = self.io.ready(dir) else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let result = op();
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.clear_readiness(event);
        }
        result
    }

    /// [`poll_io`](Self::poll_io) for a read or write of `len` bytes.
    ///
    /// A short transfer (`0 < n < len`) usually means the socket buffer was
    /// drained (or filled), so readiness is cleared at once, saving the
    /// syscall that would only have returned `WouldBlock`: always for a
    /// write, and for a read of fewer than [`REFILL_READ`] bytes. A larger
    /// short read keeps readiness, and the next read tries the socket
    /// again: reading that much opened the TCP window, and a peer with more
    /// queued (on loopback, within the very `recv` that opened it) has
    /// often sent more already. Clearing there cost a reactor turn per
    /// window's worth of bytes (`tcp_echo_big`: ~180 turns moving ~90 KiB
    /// per connection each, against ~15 turns moving megabytes); keeping
    /// it costs, when the buffer really was empty, one `WouldBlock` read
    /// per 16 KiB or more copied. Clearing is sound with edge-triggered
    /// epoll: bytes that arrive later raise a new edge, and the tick check
    /// keeps an edge that `park` already recorded.
    pub(crate) fn poll_rw(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        ready!(crate::coop::poll_proceed(cx));
        loop {
            let event = ready!(self.poll_ready(dir, cx))?;
            match op() {
                Ok(n) => {
                    if drained(dir, n, len) {
                        self.clear_readiness(event);
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

/// A short read of at least this many bytes keeps read readiness (see
/// [`Registration::poll_rw`]).
pub(crate) const REFILL_READ: usize = 16 * 1024;

/// Whether a transfer of `n` of `len` bytes in `dir` leaves the socket
/// believed not ready (see [`Registration::poll_rw`]).
fn drained(dir: Direction, n: usize, len: usize) -> bool {
    let short = n > 0 && n < len;
    match dir {
        Direction::Write => short,
        Direction::Read => short && n < REFILL_READ,
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        super::release_io(&self.handle, self.key);
    }
}

/// The error an I/O object reports once its runtime is gone.
pub(crate) fn shut_down_error() -> io::Error {
    io::Error::other("the spool runtime that owns this I/O object has shut down")
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.key)
            .field("reactor", &self.handle.id)
            .finish()
    }
}
