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
//! - Poll mode (`spin.rs`): each worker runs a spinner task that keeps it
//!   from sleeping while requests flow, if the workers leave a core free.
//! - Stopping (the `shutdown` future completing) returns from `block_on`;
//!   dropping the runtime then drops every connection task, closing the
//!   sockets.

use crate::conn::{Connection, Outcome};
use crate::keyspace::{Keyspace, Local, Shared};
use crate::resp::Limits;
use crate::spin;
use spool::future::{select, Either};
use spool::net::{TcpListener, TcpStream};
use spool::sync::oneshot;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How often the sweeper looks for expired keys.
const SWEEP_EVERY: Duration = Duration::from_millis(100);
/// Keys one shard gives up per sweep step before the sweeper yields.
const SWEEP_BUDGET: usize = 1000;

/// The poll-mode window when there are spare cores.
pub const DEFAULT_SPIN: Duration = Duration::from_micros(50);

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
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 6379)),
            workers: 1,
            limits: Limits::default(),
            max_query: 1 << 30,
            spin: None,
        }
    }
}

/// Runs the server on the calling thread until `shutdown` completes.
/// `ready` is called with the bound address once the listener is up.
pub fn run(
    config: Config,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let runtime = spool::Builder::new().workers(config.workers).build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(config.listen).await?;
        ready(listener.local_addr()?);
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
        if !window.is_zero() {
            drop(spool::spawn(spin::spinner(window)));
            for worker in 1..config.workers {
                drop(spool::spawn_on(worker, spin::spinner(window)));
            }
        }
        let served = if config.workers == 1 {
            let ks = Local::new();
            drop(spool::spawn(sweep(ks.clone())));
            select(accept_local(listener, ks, config), shutdown).await
        } else {
            let ks = Shared::new();
            drop(spool::spawn(sweep(ks.clone())));
            select(accept_shared(listener, ks, config), shutdown).await
        };
        match served {
            Either::Left(result) => result,
            Either::Right(()) => Ok(()),
        }
    })
}

/// A server running on its own thread (for the self-test and the tests).
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
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
                run(config, ready, async move {
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

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) -> io::Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// Accepts forever, one local task per connection (one worker).
async fn accept_local(listener: TcpListener, ks: Local, config: Config) -> io::Result<()> {
    loop {
        let stream = accept(&listener).await;
        drop(spool::spawn(serve(stream, ks.clone(), config)));
    }
}

/// Accepts forever, dealing connections to the workers round-robin.
async fn accept_shared(listener: TcpListener, ks: Shared, config: Config) -> io::Result<()> {
    let here = spool::task::current_worker();
    let mut next = 0;
    loop {
        let stream = accept(&listener).await;
        let worker = next % config.workers;
        next += 1;
        if worker == here {
            drop(spool::spawn(serve(stream, ks.clone(), config)));
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
                Ok(stream) => serve(stream, ks, config).await,
                Err(e) => eprintln!("kv: hand-off failed: {e}"),
            }
        }));
    }
}

/// The next connection. Accept errors (out of file descriptors, a
/// connection reset while queued) are reported and retried after a short
/// pause rather than ending the server.
async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => return stream,
            Err(e) => {
                eprintln!("kv: accept: {e}");
                spool::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Serves one connection until the client leaves, sends `QUIT`, or
/// breaks the protocol. I/O errors (a reset) just end it.
async fn serve<K: Keyspace>(stream: TcpStream, ks: K, config: Config) {
    let _ = serve_io(stream, ks, config).await;
}

async fn serve_io<K: Keyspace>(mut stream: TcpStream, ks: K, config: Config) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut conn = Connection::new(config.limits, config.max_query);
    loop {
        let now = Instant::now();
        let outcome = conn.process(&ks, now);
        spin::activity(now);
        if !conn.out.is_empty() {
            stream.write_all(&conn.out).await?;
            conn.written();
        }
        match outcome {
            Outcome::More => continue,
            Outcome::Close => return Ok(()),
            Outcome::NeedInput => {}
        }
        let n = stream.read(conn.read_buf()).await?;
        if n == 0 {
            return Ok(());
        }
        conn.filled(n);
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
