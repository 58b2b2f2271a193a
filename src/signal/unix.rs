//! Unix signals: [`signal`] with a [`SignalKind`] gives a [`Signal`] whose
//! [`recv`](Signal::recv) waits for the next delivery.
//!
//! # Invariants
//!
//! - A [`Signal`] owns one signal-hook `Signals` (its self-pipe and its
//!   registration in the process-wide handler) and one reactor
//!   `Registration` of the pipe's read end with the worker that created it.
//! - `Drop` deregisters the pipe from epoll before the registration releases
//!   its slab key (field drop order runs after `Drop::drop`), so a reused key
//!   never sees this pipe's events; then the `Signals` drop unhooks it from
//!   the handler and closes the pipe.
//! - Reading the pipe (`pending`) is the one side effect of a poll, and it
//!   is reported (`Ready`) in the same poll, so dropping a `recv` future
//!   never loses a delivery.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::raw::c_int;
use std::task::{Context, Poll};

use signal_hook::consts::signal as consts;
use signal_hook_mio::v1_0::Signals;

use crate::reactor::io::{Direction, Registration};

/// Which signal to listen for: constructors for the common ones, or any
/// number with [`from_raw`](Self::from_raw).
///
/// ```
/// use spool::signal::unix::SignalKind;
///
/// assert_eq!(SignalKind::interrupt().as_raw_value(), 2); // SIGINT
/// assert_eq!(SignalKind::from_raw(15), SignalKind::terminate());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(c_int);

impl SignalKind {
    /// Any signal by number. Some cannot be listened for: see [`signal`].
    pub const fn from_raw(signum: c_int) -> SignalKind {
        SignalKind(signum)
    }

    /// The signal's number.
    pub const fn as_raw_value(&self) -> c_int {
        self.0
    }

    /// SIGALRM: a timer set with `alarm(2)` expired.
    pub const fn alarm() -> SignalKind {
        SignalKind(consts::SIGALRM)
    }

    /// SIGCHLD: a child process stopped or exited.
    pub const fn child() -> SignalKind {
        SignalKind(consts::SIGCHLD)
    }

    /// SIGHUP: the terminal hung up; daemons often reload their
    /// configuration on it.
    pub const fn hangup() -> SignalKind {
        SignalKind(consts::SIGHUP)
    }

    /// SIGINT: Ctrl-C in the terminal (see [`ctrl_c`](super::ctrl_c)).
    pub const fn interrupt() -> SignalKind {
        SignalKind(consts::SIGINT)
    }

    /// SIGIO: I/O is possible on a descriptor set up for it.
    pub const fn io() -> SignalKind {
        SignalKind(consts::SIGIO)
    }

    /// SIGPIPE: a write to a pipe or socket with no reader.
    pub const fn pipe() -> SignalKind {
        SignalKind(consts::SIGPIPE)
    }

    /// SIGQUIT: Ctrl-\ in the terminal.
    pub const fn quit() -> SignalKind {
        SignalKind(consts::SIGQUIT)
    }

    /// SIGTERM: a polite request to terminate (what `kill` and service
    /// managers send).
    pub const fn terminate() -> SignalKind {
        SignalKind(consts::SIGTERM)
    }

    /// SIGUSR1: user-defined.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(consts::SIGUSR1)
    }

    /// SIGUSR2: user-defined.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(consts::SIGUSR2)
    }

    /// SIGWINCH: the terminal window changed size.
    pub const fn window_change() -> SignalKind {
        SignalKind(consts::SIGWINCH)
    }
}

impl From<c_int> for SignalKind {
    fn from(signum: c_int) -> SignalKind {
        SignalKind::from_raw(signum)
    }
}

/// Listens for `kind` on the current worker: the handler is installed when
/// this returns, and deliveries from then on are seen by
/// [`Signal::recv`].
///
/// ```
/// use spool::signal::unix::{signal, SignalKind};
///
/// spool::block_on(async {
///     let mut hangups = signal(SignalKind::hangup())?;
///     # signal_hook::low_level::raise(signal_hook::consts::SIGHUP)?;
///     // e.g. in a server: reload the configuration on every SIGHUP.
///     hangups.recv().await;
///     println!("SIGHUP: reloading");
///     Ok::<(), std::io::Error>(())
/// })
/// .unwrap();
/// ```
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] for a signal that cannot be caught or
/// must not be (SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV), or one that
/// does not exist; the OS's error if the handler or the pipe cannot be set
/// up.
///
/// # Panics
///
/// Outside a spool runtime.
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.as_raw_value();
    // signal-hook keeps a table of 128 signals and panics past it; Linux
    // has 64, and `sigaction` refuses the numbers in between itself.
    if !(1..128).contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("spool::signal::unix::signal: {signum} is not a signal number"),
        ));
    }
    if signal_hook::consts::FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "spool::signal::unix::signal: signal {signum} cannot be listened for \
                 (SIGKILL and SIGSTOP cannot be caught; SIGILL, SIGFPE and SIGSEGV must not be)"
            ),
        ));
    }
    let mut signals = Signals::new([signum]).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("spool::signal::unix::signal: cannot listen for signal {signum}: {e}"),
        )
    })?;
    let registration = Registration::new(&mut signals, mio::Interest::READABLE)?;
    Ok(Signal {
        kind,
        signals,
        registration,
    })
}

/// Deliveries of one signal, from [`signal`].
///
/// Deliveries that arrive between two [`recv`](Self::recv)s coalesce into
/// one (a signal is a flag, not a queue). The `Signal` belongs to the worker
/// that created it, like a socket.
///
/// ```
/// use signal_hook::{consts::SIGUSR1, low_level::raise};
/// use spool::signal::unix::{signal, SignalKind};
///
/// spool::block_on(async {
///     let mut usr1 = signal(SignalKind::user_defined1())?;
///     // A task waits for the signal; here we send it to ourselves.
///     let waiter = spool::spawn(async move {
///         usr1.recv().await;
///         usr1
///     });
///     raise(SIGUSR1)?;
///     let mut usr1 = waiter.await.unwrap();
///     // Two deliveries before the next `recv` coalesce into one.
///     raise(SIGUSR1)?;
///     raise(SIGUSR1)?;
///     assert_eq!(usr1.recv().await, Some(()));
///     Ok::<(), std::io::Error>(())
/// })
/// .unwrap();
/// ```
pub struct Signal {
    kind: SignalKind,
    signals: Signals,
    registration: Registration,
}

impl Signal {
    /// Waits for the next delivery. `None` once the runtime has shut down
    /// (no delivery can come any more).
    ///
    /// Cancel-safe: dropping the future loses no delivery.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery: `Ready(Some(()))` once the signal
    /// arrived since the last one was reported, `Ready(None)` once the
    /// runtime has shut down, else `Pending` (and `cx`'s waker is woken at
    /// the next delivery).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let signals = &mut self.signals;
        let polled = self.registration.poll_io(Direction::Read, cx, || {
            // Drains the self-pipe, then reports whether our signal came.
            match signals.pending().next() {
                Some(_) => Ok(()),
                None => Err(io::ErrorKind::WouldBlock.into()),
            }
        });
        polled.map(|result| result.ok())
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        // Before the registration releases its key (see the module docs).
        let _ = self.registration.deregister(&mut self.signals);
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal").field("kind", &self.kind).finish()
    }
}
