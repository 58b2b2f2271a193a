//! Signals: wait for Ctrl-C or any Unix signal from a task (feature
//! `signal`, on by default).
//!
//! A signal handler may do almost nothing (no locks, no allocation), so
//! delivery goes through the ecosystem's standard machinery:
//! [signal-hook-registry](https://docs.rs/signal-hook-registry) installs the
//! process-wide handler, which writes a byte to a self-pipe, and
//! [signal-hook-mio](https://docs.rs/signal-hook-mio) exposes that pipe as a
//! mio source. Each [`Signal`](unix::Signal) registers its pipe with the
//! current worker's reactor like a socket, so a waiting task costs nothing
//! until the signal arrives and then wakes like any I/O.
//!
//! - [`ctrl_c`]: resolves at the next SIGINT (what the terminal sends on
//!   Ctrl-C).
//! - [`unix::signal`] with a [`SignalKind`](unix::SignalKind): a stream of
//!   deliveries of one signal; [`Signal::recv`](unix::Signal::recv) waits
//!   for the next. Several deliveries between two `recv`s coalesce into one,
//!   as with tokio.
//!
//! # When the handler is installed
//!
//! [`unix::signal`] installs it before it returns; [`ctrl_c`] at the
//! future's first poll. From then on the signal's default action (for
//! SIGINT and SIGTERM: terminate the process) no longer happens, **even
//! after every `Signal` is dropped**: the handler stays installed for the
//! life of the process, as tokio's does. A program that listens for Ctrl-C
//! must therefore act on it (typically: stop accepting, finish in-flight
//! work, exit).
//!
//! ```no_run
//! # spool::block_on(async {
//! // A server's main task: run until Ctrl-C, then shut down.
//! spool::signal::ctrl_c().await?;
//! println!("Ctrl-C: shutting down");
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

pub mod unix;

use std::io;

/// Waits for the next Ctrl-C (SIGINT) delivered to the process.
///
/// The handler is installed at the future's first poll (not when `ctrl_c()`
/// is called): a Ctrl-C before that poll is not seen, and once installed it
/// stays (see the [module docs](self)). Every `ctrl_c` future pending at
/// the time sees a Ctrl-C.
///
/// # Errors
///
/// If the handler cannot be installed or registered with the reactor, or
/// the runtime shuts down while this waits.
///
/// # Panics
///
/// When first polled outside a spool runtime.
///
/// # Example: graceful shutdown
///
/// Serve until Ctrl-C, then stop accepting and let the connections in
/// flight finish:
///
/// ```no_run
/// use spool::future::{select, Either};
/// use spool::task::JoinSet;
///
/// # async fn serve(_: spool::net::TcpStream) {}
/// spool::block_on(async {
///     let listener = spool::net::TcpListener::bind("127.0.0.1:8080").await?;
///     let mut connections = JoinSet::new();
///     let mut ctrl_c = std::pin::pin!(spool::signal::ctrl_c());
///     loop {
///         // The loser is dropped: the pending accept, or our borrow of
///         // `ctrl_c` (the future itself lives on, handler installed).
///         match select(ctrl_c.as_mut(), listener.accept()).await {
///             Either::Left(result) => break result?,
///             Either::Right(accepted) => {
///                 let (stream, _) = accepted?;
///                 connections.spawn(serve(stream));
///             }
///         }
///     }
///     println!("Ctrl-C: finishing {} connection(s)", connections.len());
///     while connections.join_next().await.is_some() {}
///     Ok::<(), std::io::Error>(())
/// })
/// .unwrap();
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupt = unix::signal(unix::SignalKind::interrupt())?;
    match interrupt.recv().await {
        Some(()) => Ok(()),
        None => Err(io::Error::other(
            "spool::signal::ctrl_c: the runtime shut down before Ctrl-C arrived",
        )),
    }
}
