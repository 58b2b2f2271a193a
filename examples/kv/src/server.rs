//! The server: a runtime, a listener, one task per connection, and the
//! expiry sweeper.
//!
//! Invariants:
//!
//! - The runtime has `workers` workers; the listener and the sweeper live
//!   on worker 0 (the thread that runs `block_on`).
//! - One worker: every connection is a local task (`spool::spawn`) and the
//!   keyspace is a [`Local`] store, never touched by another thread.
//! - `N` workers: accepted connections are dealt round-robin. One destined
//!   for another worker is deregistered (`TcpStream::into_std`) and
//!   re-registered by a task spawned there (`spawn_on` + `from_std`), so
//!   its readiness is delivered by that worker's own reactor. All workers
//!   share one [`Shared`] keyspace (sharded mutexes, see `keyspace.rs`).
//! - A connection task owns its socket and buffers; it holds a shard only
//!   inside a command, never across an `.await`.
//! - What one client can make the server hold is bounded: its input by
//!   the frame limits and `max_query`, its output by `output_limit` (see
//!   `conn.rs`; a client over it is closed with a log line), its
//!   connection by `max_clients` (a [`ClientSlot`] per connection task;
//!   one past the cap gets `-ERR max number of clients reached` and is
//!   closed) and, with `timeout` set, its time: a read or write that makes
//!   no progress for that long closes the connection.
//! - Poll mode (`spin.rs`): each worker runs a spinner task that keeps it
//!   from sleeping while requests flow, if the workers leave a core free.
//!   Otherwise (or with `--spin-us 0`) nap mode: each worker runs a napper
//!   task that, under a load from several connections, sleeps a few µs on
//!   a timer after each batch so that the next batch is collected whole
//!   instead of every request waking the worker.
//! - Stopping (the `shutdown` future completing) is graceful: the
//!   listener is dropped (no new connections), the `stopping` watch turns
//!   true, and each connection task closes its connection the next time
//!   it would wait for input, i.e. once the requests it has received are
//!   answered (an idle one closes at once). `run` waits for the last
//!   connection up to [`GRACE`]; dropping the runtime then drops any task
//!   still writing (a client that stopped reading), closing its socket.

use crate::conn::{Connection, Outcome};
use crate::keyspace::{Keyspace, Local, Shared};
use crate::resp::Limits;
use crate::spin;
use spool::future::{select, Either};
use spool::net::{TcpListener, TcpStream};
use spool::sync::{oneshot, watch};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the sweeper looks for expired keys.
const SWEEP_EVERY: Duration = Duration::from_millis(100);
/// Keys one shard gives up per sweep step before the sweeper yields.
const SWEEP_BUDGET: usize = 1000;

/// How long a graceful stop waits for connections to finish what they
/// received.
pub const GRACE: Duration = Duration::from_secs(5);

/// The poll-mode window when there are spare cores.
pub const DEFAULT_SPIN: Duration = Duration::from_micros(50);

/// The nap-mode nap, used when poll mode is off.
pub const DEFAULT_NAP: Duration = Duration::from_micros(20);

/// Server settings (the command-line flags).
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Worker threads (1: single-threaded, no locks).
    pub workers: usize,
    /// Per-frame limits.
    pub limits: Limits,
    /// Most bytes one request may occupy in a connection's buffer.
    pub max_query: usize,
    /// Poll-mode window (see `spin.rs`); zero turns poll mode off, `None`
    /// picks [`DEFAULT_SPIN`] if the workers leave a core free, else off.
    pub spin: Option<Duration>,
    /// Nap-mode nap (see `spin.rs`), used when poll mode is off; zero
    /// turns nap mode off, `None` picks [`DEFAULT_NAP`].
    pub nap: Option<Duration>,
    /// Most bytes of replies held for one client (`usize::MAX`: no limit).
    pub output_limit: usize,
    /// Most connections served at once.
    pub max_clients: usize,
    /// Close a connection whose read or write makes no progress for this
    /// long (`None`: never).
    pub timeout: Option<Duration>,
}

/// The default client output buffer limit: 64 MiB.
pub const DEFAULT_OUTPUT_LIMIT: usize = 64 << 20;
/// The default connection cap (redis's `maxclients`).
pub const DEFAULT_MAX_CLIENTS: usize = 10_000;
/// The reply to a connection over the cap.
const TOO_MANY_CLIENTS: &[u8] = b"-ERR max number of clients reached\r\n";

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 6379)),
            workers: 1,
            limits: Limits::default(),
            max_query: 1 << 30,
            spin: None,
            nap: None,
            output_limit: DEFAULT_OUTPUT_LIMIT,
            max_clients: DEFAULT_MAX_CLIENTS,
            timeout: None,
        }
    }
}

/// What a graceful stop did (see [`run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Connections open when the stop began.
    pub open: usize,
    /// Of those, how many closed by themselves within [`GRACE`] (after
    /// answering the requests they had received).
    pub finished: usize,
    /// Of those, how many were still busy after [`GRACE`] and were dropped.
    pub dropped: usize,
}

/// Runs the server on the calling thread until the future that `shutdown`
/// returns completes, then stops gracefully (see the module doc) and says
/// what it did. `shutdown` is called on the runtime before the listener is
/// bound (so a signal handler it installs is in place before anyone can
/// connect); `ready` is called with the bound address once the listener is
/// up.
pub fn run<S: Future<Output = ()>>(
    config: Config,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl FnOnce() -> S,
) -> io::Result<Stopped> {
    let runtime = spool::Builder::new().workers(config.workers).build()?;
    runtime.block_on(async move {
        let shutdown = shutdown();
        let listener = TcpListener::bind(config.listen).await?;
        ready(listener.local_addr()?);
        let clients = Arc::new(AtomicUsize::new(0));
        let (stop, stopping) = watch::channel(false);
        let conns = Conns {
            clients: clients.clone(),
            stopping,
        };
        let window = config.spin.unwrap_or_else(|| {
            // Spinning workers that outnumber the cores would take CPU from
            // each other and from the clients (measured: slower).
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            if config.workers < cores {
                DEFAULT_SPIN
            } else {
                Duration::ZERO
            }
        });
        let nap = config.nap.unwrap_or(DEFAULT_NAP);
        if !window.is_zero() {
            drop(spool::spawn(spin::spinner(window)));
            for worker in 1..config.workers {
                drop(spool::spawn_on(worker, spin::spinner(window)));
            }
        } else if !nap.is_zero() {
            let nap = nap.min(spin::MAX_NAP);
            drop(spool::spawn(spin::napper(nap)));
            for worker in 1..config.workers {
                drop(spool::spawn_on(worker, spin::napper(nap)));
            }
        }
        let served = if config.workers == 1 {
            let ks = Local::new();
            drop(spool::spawn(sweep(ks.clone())));
            select(accept_local(listener, ks, config, conns), shutdown).await
        } else {
            let ks = Shared::new();
            drop(spool::spawn(sweep(ks.clone())));
            select(accept_shared(listener, ks, config, conns), shutdown).await
        };
        if let Either::Left(result) = served {
            // The accept loop only ends on an error.
            result?;
        }
        // The listener is gone with the accept loop: no new connections.
        let open = clients.load(Ordering::Acquire);
        let _ = stop.send(true);
        let deadline = Instant::now() + GRACE;
        while clients.load(Ordering::Acquire) > 0 && Instant::now() < deadline {
            spool::time::sleep(Duration::from_millis(1)).await;
        }
        let dropped = clients.load(Ordering::Acquire);
        Ok(Stopped {
            open,
            finished: open.saturating_sub(dropped),
            dropped,
        })
    })
}

/// What every connection task shares: the count of open connections
/// (under `max_clients`) and the stop signal.
#[derive(Debug, Clone)]
struct Conns {
    clients: Arc<AtomicUsize>,
    stopping: watch::Receiver<bool>,
}

/// A server running on its own thread (for the self-test and the tests).
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<Stopped>>>,
}

impl Server {
    /// Starts a server thread and returns once it is listening.
    pub fn start(config: Config) -> io::Result<Server> {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("kv-server".into())
            .spawn(move || {
                let ready = move |addr| {
                    let _ = addr_tx.send(addr);
                };
                run(config, ready, || async move {
                    // A dropped sender stops the server too.
                    let _ = stopped.await;
                })
            })?;
        match addr_rx.recv() {
            Ok(addr) => Ok(Server {
                addr,
                stop: Some(stop),
                thread: Some(thread),
            }),
            // The thread ended before listening: report why.
            Err(_) => Err(match thread.join() {
                Ok(Err(e)) => e,
                _ => io::Error::other("server thread failed to start"),
            }),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server (gracefully) and waits for its thread.
    pub fn stop(mut self) -> io::Result<Stopped> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> io::Result<Stopped> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("server thread panicked")),
            None => Err(io::Error::other("server already stopped")),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.shut_down();
        }
    }
}

/// One connection's place under the `max_clients` cap, given back when the
/// connection task ends (or is dropped with the runtime).
#[derive(Debug)]
pub struct ClientSlot {
    clients: Arc<AtomicUsize>,
}

impl ClientSlot {
    /// Takes a place if fewer than `max` are taken.
    fn take(clients: &Arc<AtomicUsize>, max: usize) -> Option<ClientSlot> {
        clients
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()?;
        Some(ClientSlot {
            clients: clients.clone(),
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        self.clients.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Tells a connection over the cap why it is closed, then closes it. The
/// reply is a few dozen bytes into a fresh socket's empty send buffer, so
/// the write completes at once and never stalls the accept loop.
async fn refuse(mut stream: TcpStream) {
    let _ = stream.write_all(TOO_MANY_CLIENTS).await;
}

/// Accepts forever, one local task per connection (one worker).
async fn accept_local(
    listener: TcpListener,
    ks: Local,
    config: Config,
    conns: Conns,
) -> io::Result<()> {
    loop {
        let (stream, peer) = accept(&listener).await;
        let Some(slot) = ClientSlot::take(&conns.clients, config.max_clients) else {
            refuse(stream).await;
            continue;
        };
        let stopping = conns.stopping.clone();
        drop(spool::spawn(serve(
            stream,
            peer,
            slot,
            stopping,
            ks.clone(),
            config,
        )));
    }
}

/// Accepts forever, dealing connections to the workers round-robin.
async fn accept_shared(
    listener: TcpListener,
    ks: Shared,
    config: Config,
    conns: Conns,
) -> io::Result<()> {
    let here = spool::task::current_worker();
    let mut next = 0;
    loop {
        let (stream, peer) = accept(&listener).await;
        let Some(slot) = ClientSlot::take(&conns.clients, config.max_clients) else {
            refuse(stream).await;
            continue;
        };
        let stopping = conns.stopping.clone();
        let worker = next % config.workers;
        next += 1;
        if worker == here {
            drop(spool::spawn(serve(
                stream,
                peer,
                slot,
                stopping,
                ks.clone(),
                config,
            )));
            continue;
        }
        let std_stream = match stream.into_std() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kv: hand-off failed: {e}");
                continue;
            }
        };
        let ks = ks.clone();
        drop(spool::spawn_on(worker, async move {
            match TcpStream::from_std(std_stream) {
                Ok(stream) => serve(stream, peer, slot, stopping, ks, config).await,
                Err(e) => eprintln!("kv: hand-off failed: {e}"),
            }
        }));
    }
}

/// The next connection. Accept errors (out of file descriptors, a
/// connection reset while queued) are reported and retried after a short
/// pause rather than ending the server.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(e) => {
                eprintln!("kv: accept: {e}");
                spool::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Serves one connection until the client leaves, sends `QUIT`, breaks
/// the protocol, goes over its output limit, stays idle past the timeout
/// or the server stops (`stopping`). I/O errors (a reset) just end it.
/// `_slot` is given back when this returns.
async fn serve<K: Keyspace>(
    stream: TcpStream,
    peer: SocketAddr,
    _slot: ClientSlot,
    stopping: watch::Receiver<bool>,
    ks: K,
    config: Config,
) {
    let _ = serve_io(stream, peer, stopping, ks, config).await;
}

async fn serve_io<K: Keyspace>(
    mut stream: TcpStream,
    peer: SocketAddr,
    mut stopping: watch::Receiver<bool>,
    ks: K,
    config: Config,
) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut conn = Connection::new(config.limits, config.max_query, config.output_limit);
    let id = spin::connection_id();
    // One future for the connection's life: it is polled only while a
    // read waits, and completes when the server stops (or is gone).
    let mut stop = pin!(stopping.changed());
    loop {
        let now = Instant::now();
        let outcome = conn.process(&ks, now);
        spin::activity(now, id);
        if let Outcome::OutputLimit { held } = outcome {
            eprintln!(
                "kv: closing the connection from {peer}: a reply took its output \
                 buffer to {held} bytes, over the limit of {} \
                 (--client-output-buffer-limit)",
                config.output_limit
            );
            return Ok(());
        }
        if !conn.out.is_empty() {
            write_out(&mut stream, &conn.out, config.timeout).await?;
            conn.written();
        }
        match outcome {
            Outcome::More => continue,
            Outcome::Close | Outcome::OutputLimit { .. } => return Ok(()),
            Outcome::NeedInput => {}
        }
        // Every request received has been answered: a stop closes the
        // connection here, never mid-request. The read is polled first, so
        // input that is already there is served before a stop is seen.
        let read = within(config.timeout, stream.read(conn.read_buf()));
        let n = match select(read, stop.as_mut()).await {
            Either::Left(n) => n?,
            Either::Right(_) => return Ok(()),
        };
        if n == 0 {
            return Ok(());
        }
        conn.filled(n);
    }
}

/// Writes all of `bytes`; with a `timeout`, fails if one write makes no
/// progress for that long (a client that stopped reading).
async fn write_out(
    stream: &mut TcpStream,
    mut bytes: &[u8],
    timeout: Option<Duration>,
) -> io::Result<()> {
    if timeout.is_none() {
        return stream.write_all(bytes).await;
    }
    while !bytes.is_empty() {
        match within(timeout, stream.write(bytes)).await? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => bytes = &bytes[n..],
        }
    }
    Ok(())
}

/// Runs `io`, failing with `TimedOut` if it takes longer than `timeout`.
async fn within<T>(
    timeout: Option<Duration>,
    io: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match timeout {
        None => io.await,
        Some(limit) => spool::time::timeout(limit, io)
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
    }
}

/// Removes expired keys nobody reads: every [`SWEEP_EVERY`], each shard
/// in turn, [`SWEEP_BUDGET`] keys at a time with a yield in between so a
/// mass expiry does not stall the connections on this worker.
async fn sweep<K: Keyspace>(ks: K) {
    let mut ticks = spool::time::interval(SWEEP_EVERY);
    loop {
        ticks.tick().await;
        for shard in 0..ks.shard_count() {
            while ks.lock(shard).sweep(Instant::now(), SWEEP_BUDGET) == SWEEP_BUDGET {
                spool::task::yield_now().await;
            }
        }
    }
}
