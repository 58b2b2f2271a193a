//! An HTTP/1.1 server: hyper 1.x on spool, with no glue code of its own.
//!
//! hyper is runtime-agnostic; `spool::compat::hyper` (feature `hyper`)
//! gives it spool's streams ([`SpoolIo`]), spawner ([`SpoolExecutor`]) and
//! timers ([`SpoolTimer`]). The service answers `GET /` with a short text,
//! echoes the body of `POST /echo`, and gives 404 for anything else.
//!
//! Run alone (or with `--self-test`), it starts the server on a free
//! loopback port, runs a hyper client against it on another runtime
//! (keep-alive connections, every status and body checked, a header read
//! timeout) and prints what it checked:
//!
//! ```text
//! cargo run --release --features hyper --example http
//! cargo run --release --features hyper --example http -- --listen 127.0.0.1:8080 --workers 2
//! ```
//!
//! With `--listen ADDR` it serves until Ctrl-C or SIGTERM (try `curl` or
//! `wrk`).
//! `--runtime tokio-ct` / `tokio-mt` serves the very same hyper service on
//! tokio's current-thread / multi-thread runtime instead (through
//! hyper-util's `TokioIo`), for the comparison in `benches/http.sh`.
//!
//! Connections are spread as in `examples/multi_echo`: one acceptor on
//! worker 0 hands each to the next worker as a `std` stream. A production
//! server would accept on every worker with `SO_REUSEPORT` listeners and
//! serve HTTP/2 as well (`SpoolExecutor` is what hyper's HTTP/2 builder
//! needs).
//!
//! # Graceful shutdown
//!
//! On Ctrl-C (SIGINT) or SIGTERM the spool server stops accepting (the
//! listener is closed), tells every connection through a
//! [`watch`](spool::sync::watch) channel, and each connection calls hyper's
//! `graceful_shutdown`: an idle keep-alive connection closes at once, one
//! in the middle of a request finishes its response and then closes. The
//! server waits for the last connection (at most [`GRACE`]), prints what it
//! did and exits 0:
//!
//! ```text
//! http: Ctrl-C: stopped accepting connections, finishing the requests in flight
//! http: stopped: 2 connections open at Ctrl-C, 1 request in flight; 1 request finished, 2 connections closed, 0 cut off; exiting
//! ```
//!
//! `POST /stream` echoes a request body chunk by chunk as it arrives, so a
//! request can be held in flight for as long as its client likes (the end
//! to end test in `tests/http_shutdown.rs` signals the binary in the middle
//! of one). The `--self-test` run ends with the same shutdown, raising
//! SIGINT in its own process while a streamed request is in flight. The
//! tokio runtimes (`--runtime tokio-ct|tokio-mt`) serve until killed.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::{Method, Request, Response, StatusCode};
use spool::compat::hyper::{SpoolIo, SpoolTimer};
use spool::future::{select, Either};
use spool::net::{TcpListener, TcpStream};
use spool::signal::unix::{signal, SignalKind};
use spool::sync::{mpsc, watch};

const HELLO: &str = "Hello from hyper on spool!\n";

/// How long a graceful shutdown waits for the connections still open
/// before cutting them off.
const GRACE: Duration = Duration::from_secs(30);

/// A response body of any kind.
type AnyBody = BoxBody<Bytes, hyper::Error>;

/// A whole body in memory.
fn full(bytes: impl Into<Bytes>) -> AnyBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// The service, shared by every runtime: `GET /`, `POST /echo`,
/// `POST /stream`, else 404.
async fn handle(req: Request<Incoming>) -> Result<Response<AnyBody>, hyper::Error> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => Ok(Response::new(full(HELLO))),
        (&Method::POST, "/echo") => {
            let body = req.into_body().collect().await?.to_bytes();
            Ok(Response::new(full(body)))
        }
        // The body goes back frame by frame as it arrives: the response
        // lasts as long as the request does.
        (&Method::POST, "/stream") => Ok(Response::new(req.into_body().boxed())),
        _ => {
            let mut res = Response::new(full(&b"not found\n"[..]));
            *res.status_mut() = StatusCode::NOT_FOUND;
            Ok(res)
        }
    }
}

/// What the spool server counts for its shutdown summary.
#[derive(Debug, Default)]
struct Stats {
    /// Connections accepted and not yet closed.
    open: AtomicUsize,
    /// Requests whose response is not yet fully written.
    in_flight: AtomicUsize,
    /// Set when the shutdown begins.
    stopping: AtomicBool,
    /// Responses completed after the shutdown began.
    finished: AtomicUsize,
    /// Connections closed after the shutdown began.
    closed: AtomicUsize,
}

/// One accepted connection, from `accept` to its close: counted in
/// [`Stats::open`], and holding a sender of the channel whose end the
/// shutdown waits for.
#[derive(Debug)]
struct ConnGuard {
    stats: Arc<Stats>,
    _alive: mpsc::UnboundedSender<()>,
}

impl ConnGuard {
    fn new(stats: &Arc<Stats>, alive: &mpsc::UnboundedSender<()>) -> ConnGuard {
        stats.open.fetch_add(1, Ordering::SeqCst);
        ConnGuard {
            stats: stats.clone(),
            _alive: alive.clone(),
        }
    }
}

impl Drop for ConnGuard {
    fn drop(&mut self) {
        self.stats.open.fetch_sub(1, Ordering::SeqCst);
        if self.stats.stopping.load(Ordering::SeqCst) {
            self.stats.closed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A request, counted in [`Stats::in_flight`] from the moment hyper hands
/// it to the service until its response body is dropped.
#[derive(Debug)]
struct InFlight(Arc<Stats>);

impl InFlight {
    fn new(stats: &Arc<Stats>) -> InFlight {
        stats.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(stats.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that counts, when hyper drops it (after writing it,
/// or when the connection fails), whether it was written whole during the
/// shutdown.
struct Tracked {
    inner: AnyBody,
    request: InFlight,
    ended: bool,
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            self.ended = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let stats = &self.request.0;
        let whole = self.ended || self.inner.is_end_stream();
        if whole && stats.stopping.load(Ordering::SeqCst) {
            stats.finished.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Serves one connection with hyper's HTTP/1 server on spool until it
/// closes; once `stop` changes (or its sender is gone), asks hyper to
/// finish the request in flight, if any, and close.
async fn serve_conn(stream: TcpStream, guard: ConnGuard, mut stop: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let stats = guard.stats.clone();
    let service = hyper::service::service_fn(move |req| {
        let request = InFlight::new(&stats);
        async move {
            let res = handle(req).await?;
            Ok::<_, hyper::Error>(res.map(|inner| Tracked {
                inner,
                request,
                ended: false,
            }))
        }
    });
    let mut conn = pin!(hyper::server::conn::http1::Builder::new()
        .timer(SpoolTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(SpoolIo::new(stream), service));
    // Errors are the client's doing (a reset, a bad request): drop the
    // connection, keep serving.
    if let Either::Right(_) = select(conn.as_mut(), stop.changed()).await {
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
    }
    drop(guard);
}

/// Accepts until dropped, handing connections to workers round-robin.
async fn accept_loop(
    listener: TcpListener,
    stats: Arc<Stats>,
    alive: mpsc::UnboundedSender<()>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<Infallible> {
    let workers = spool::task::worker_count();
    let mut next = 0;
    loop {
        let (stream, _) = listener.accept().await?;
        let guard = ConnGuard::new(&stats, &alive);
        let stop = stop.clone();
        if workers == 1 {
            drop(spool::spawn(serve_conn(stream, guard, stop)));
            continue;
        }
        let std_stream = stream.into_std()?;
        let worker = next % workers;
        next += 1;
        // The future sent across carries only the std stream (and the
        // bookkeeping); the hyper connection is built (and stays) on the
        // chosen worker.
        drop(spool::spawn_on(worker, async move {
            if let Ok(stream) = TcpStream::from_std(std_stream) {
                drop(spool::spawn(serve_conn(stream, guard, stop)));
            }
        }));
    }
}

/// What a graceful shutdown did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stopped {
    /// What stopped the server ("Ctrl-C", "SIGTERM").
    reason: &'static str,
    /// Connections open when it began.
    open: usize,
    /// Requests in flight when it began.
    in_flight: usize,
    /// Responses completed after it began.
    finished: usize,
    /// Connections closed after it began.
    closed: usize,
    /// Connections still open after [`GRACE`], cut off.
    cut_off: usize,
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "{} connection{} open at {}, {} request{} in flight; {} request{} finished, {} connection{} closed, {} cut off",
            self.open,
            s(self.open),
            self.reason,
            self.in_flight,
            s(self.in_flight),
            self.finished,
            s(self.finished),
            self.closed,
            s(self.closed),
            self.cut_off,
        )
    }
}

/// Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is
/// called (on the runtime, before the server listens), so a signal at any
/// time after the "listening" line stops the server gracefully.
fn shutdown_signal() -> std::io::Result<impl Future<Output = &'static str>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        match select(interrupt.recv(), terminate.recv()).await {
            Either::Left(_) => "Ctrl-C",
            Either::Right(_) => "SIGTERM",
        }
    })
}

/// Binds and serves on spool with `workers` workers until Ctrl-C or
/// SIGTERM, then shuts down gracefully. `bound` receives the address once
/// listening (and the signal handlers are in place).
fn run_spool(
    addr: SocketAddr,
    workers: usize,
    bound: impl FnOnce(SocketAddr),
) -> std::io::Result<Stopped> {
    let rt = spool::Builder::new().workers(workers).build()?;
    rt.block_on(async {
        let shutdown = shutdown_signal()?;
        let listener = TcpListener::bind(addr).await?;
        bound(listener.local_addr()?);
        let stats = Arc::new(Stats::default());
        let (alive, mut all_closed) = mpsc::unbounded_channel::<()>();
        let (stop, stop_rx) = watch::channel(false);
        let accepting = accept_loop(listener, stats.clone(), alive, stop_rx);
        // The counts are taken as the signal arrives, before the accept
        // loop (its listener, its sender of `alive`) is dropped: a client
        // refused a connection sees them taken.
        let signalled = async {
            let reason = shutdown.await;
            stats.stopping.store(true, Ordering::SeqCst);
            let open = stats.open.load(Ordering::SeqCst);
            let in_flight = stats.in_flight.load(Ordering::SeqCst);
            (reason, open, in_flight)
        };
        let (reason, open, in_flight) = match select(accepting, signalled).await {
            Either::Left(Err(e)) => return Err(e),
            Either::Left(Ok(never)) => match never {},
            Either::Right(signalled) => signalled,
        };
        println!("http: {reason}: stopped accepting connections, finishing the requests in flight");
        // Every connection holds a receiver (none is closed yet), so this
        // reaches them all; `recv` ends once the last `ConnGuard` is gone.
        let _ = stop.send(true);
        let drained = spool::time::timeout(GRACE, all_closed.recv()).await.is_ok();
        Ok(Stopped {
            reason,
            open,
            in_flight,
            finished: stats.finished.load(Ordering::SeqCst),
            closed: stats.closed.load(Ordering::SeqCst),
            cut_off: if drained {
                0
            } else {
                stats.open.load(Ordering::SeqCst)
            },
        })
    })
}

/// The same service on tokio (`multi = false`: current_thread).
fn run_tokio(
    addr: SocketAddr,
    workers: usize,
    multi: bool,
    bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let rt = if multi {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    };
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        bound(listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .serve_connection(
                        hyper_util::rt::TokioIo::new(stream),
                        hyper::service::service_fn(handle),
                    );
                let _ = conn.await;
            });
        }
    })
}

/// One keep-alive client connection: `requests` requests, each checked.
async fn client(addr: SocketAddr, id: usize, requests: usize) -> Result<usize, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(SpoolIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    let driver = spool::spawn(conn);
    for i in 0..requests {
        let (req, expect_status, expect_body) = match i % 3 {
            0 => (
                Request::get("/").body(Full::new(Bytes::new())).unwrap(),
                StatusCode::OK,
                Bytes::from_static(HELLO.as_bytes()),
            ),
            1 => {
                let body = Bytes::from(format!(
                    "client {id} request {i} {}",
                    "x".repeat(i * 37 % 3000)
                ));
                (
                    Request::post("/echo")
                        .body(Full::new(body.clone()))
                        .unwrap(),
                    StatusCode::OK,
                    body,
                )
            }
            _ => (
                Request::get("/missing")
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
                StatusCode::NOT_FOUND,
                Bytes::from_static(b"not found\n"),
            ),
        };
        let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
        if res.status() != expect_status {
            return Err(format!("client {id} request {i}: status {}", res.status()));
        }
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if body != expect_body {
            return Err(format!(
                "client {id} request {i}: wrong body ({} bytes)",
                body.len()
            ));
        }
    }
    drop(sender);
    driver
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(requests)
}

/// Runs the server on spool and checks it with hyper clients.
fn self_test(workers: usize) -> Result<(), String> {
    const CONNS: usize = 16;
    const REQUESTS: usize = 150;
    let (tx, rx) = std::sync::mpsc::channel();
    // The server runs until the graceful shutdown at the end.
    let server = std::thread::spawn(move || {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        run_spool(any, workers, |a| tx.send(a).unwrap())
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "the server did not start".to_string())?;
    println!("self-test: hyper server on spool ({workers} workers) at {addr}");
    spool::block_on(async move {
        let start = Instant::now();
        let clients: Vec<_> = (0..CONNS)
            .map(|id| spool::spawn(client(addr, id, REQUESTS)))
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.map_err(|e| e.to_string())??;
        }
        println!(
            "self-test: {total} requests on {CONNS} keep-alive connections, every status and body checked, in {:?}",
            start.elapsed()
        );

        // A client that sends half a request head and stalls is cut off by
        // the header read timeout (10 s here would be slow: use a server
        // of our own with 200 ms).
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let slow_addr = listener.local_addr().map_err(|e| e.to_string())?;
        let server = spool::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http1::Builder::new()
                .timer(SpoolTimer::new())
                .header_read_timeout(Duration::from_millis(200))
                .serve_connection(SpoolIo::new(stream), hyper::service::service_fn(handle))
                .await
        });
        let mut slow = TcpStream::connect(slow_addr)
            .await
            .map_err(|e| e.to_string())?;
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        let result = spool::time::timeout(Duration::from_secs(10), server)
            .await
            .map_err(|_| "the header read timeout did not fire".to_string())?
            .map_err(|e| e.to_string())?;
        let err = result.err().ok_or("a stalled request head was served")?;
        if !err.is_timeout() {
            return Err(format!("expected a header read timeout, got: {err}"));
        }
        println!(
            "self-test: header read timeout fired after {:?}",
            started.elapsed()
        );
        graceful_shutdown_check(addr).await
    })?;
    let stopped = server
        .join()
        .map_err(|_| "the server panicked".to_string())?
        .map_err(|e| format!("server failed: {e}"))?;
    println!("self-test: graceful shutdown: {stopped}");
    // The 16 keep-alive clients may still be closing when the signal comes;
    // the idle and the streaming connection are open for sure.
    let expected = stopped.reason == "Ctrl-C"
        && stopped.open >= 2
        && stopped.in_flight == 1
        && stopped.finished == 1
        && stopped.closed == stopped.open
        && stopped.cut_off == 0;
    if !expected {
        return Err(format!("unexpected shutdown summary: {stopped:?}"));
    }
    Ok(())
}

/// The end of the self-test: an idle keep-alive connection and a request
/// in flight (`POST /stream`, half its body sent) when SIGINT is raised
/// in this very process. The listener closes, the idle connection is
/// closed by the server, the streamed request gets the rest of its
/// response and its connection closes after it.
async fn graceful_shutdown_check(addr: SocketAddr) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    // The idle connection: one request, then nothing.
    let stream = TcpStream::connect(addr).await.map_err(|e| err(&e))?;
    let (mut idle, idle_conn) = hyper::client::conn::http1::handshake(SpoolIo::new(stream))
        .await
        .map_err(|e| err(&e))?;
    let idle_driver = spool::spawn(idle_conn);
    let res = idle
        .send_request(Request::get("/").body(Full::new(Bytes::new())).unwrap())
        .await
        .map_err(|e| err(&e))?;
    res.into_body().collect().await.map_err(|e| err(&e))?;

    // The streamed request: its body comes from a channel.
    let stream = TcpStream::connect(addr).await.map_err(|e| err(&e))?;
    let (body_tx, body_rx) = mpsc::unbounded_channel::<Result<Frame<Bytes>, Infallible>>();
    let (mut streaming, streaming_conn) =
        hyper::client::conn::http1::handshake(SpoolIo::new(stream))
            .await
            .map_err(|e| err(&e))?;
    let streaming_driver = spool::spawn(streaming_conn);
    body_tx
        .send(Ok(Frame::data(Bytes::from_static(b"first half, "))))
        .map_err(|_| "the request body was dropped")?;
    let res = streaming
        .send_request(
            Request::post("/stream")
                .body(StreamBody::new(body_rx))
                .unwrap(),
        )
        .await
        .map_err(|e| err(&e))?;
    let mut body = res.into_body();
    let mut echoed = Vec::new();
    while echoed.len() < b"first half, ".len() {
        match body.frame().await {
            Some(frame) => {
                if let Ok(data) = frame.map_err(|e| err(&e))?.into_data() {
                    echoed.extend_from_slice(&data);
                }
            }
            None => return Err("the streamed response ended early".into()),
        }
    }

    // Ctrl-C, as a terminal would send it; then wait (bounded) until the
    // listener is closed.
    signal_hook::low_level::raise(signal_hook::consts::SIGINT).map_err(|e| err(&e))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).await.is_ok() {
        if Instant::now() > deadline {
            return Err("the server still accepts 10 s after SIGINT".into());
        }
        spool::time::sleep(Duration::from_millis(5)).await;
    }

    // The rest of the request, and so of its response.
    body_tx
        .send(Ok(Frame::data(Bytes::from_static(b"second half"))))
        .map_err(|_| "the request body was dropped")?;
    drop(body_tx);
    let rest = body.collect().await.map_err(|e| err(&e))?.to_bytes();
    echoed.extend_from_slice(&rest);
    if echoed != b"first half, second half" {
        return Err(format!(
            "the request in flight got {:?}",
            String::from_utf8_lossy(&echoed)
        ));
    }
    // Both connections are closed by the server: their drivers end.
    for (what, driver) in [("idle", idle_driver), ("streaming", streaming_driver)] {
        spool::time::timeout(Duration::from_secs(10), driver)
            .await
            .map_err(|_| format!("the {what} connection was left open"))?
            .map_err(|e| err(&e))?
            .map_err(|e| format!("the {what} connection: {e}"))?;
    }
    drop((idle, streaming));
    println!("self-test: SIGINT with a request in flight: its response completed, both connections closed");
    Ok(())
}

fn usage() -> ! {
    eprintln!("usage: http [--self-test] [--listen ADDR] [--workers N] [--runtime spool|tokio-ct|tokio-mt]");
    std::process::exit(2);
}

fn main() {
    let mut listen: Option<SocketAddr> = None;
    let mut workers = 1;
    let mut runtime = String::from("spool");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--self-test" => listen = None,
            "--listen" => {
                listen = Some(
                    args.next()
                        .and_then(|a| a.parse().ok())
                        .unwrap_or_else(|| usage()),
                )
            }
            "--workers" => {
                workers = args
                    .next()
                    .and_then(|a| a.parse().ok())
                    .filter(|&n| n >= 1)
                    .unwrap_or_else(|| usage())
            }
            "--runtime" => runtime = args.next().unwrap_or_else(|| usage()),
            _ => usage(),
        }
    }
    let Some(addr) = listen else {
        match self_test(workers.max(2)) {
            Ok(()) => println!("self-test: ok"),
            Err(e) => {
                eprintln!("self-test FAILED: {e}");
                std::process::exit(1);
            }
        }
        return;
    };
    let bound = |a: SocketAddr| println!("listening on {a} ({runtime}, {workers} workers)");
    let result = match runtime.as_str() {
        "spool" => run_spool(addr, workers, bound).map(|stopped| {
            println!("http: stopped: {stopped}; exiting");
        }),
        "tokio-ct" => run_tokio(addr, 1, false, bound),
        "tokio-mt" => run_tokio(addr, workers, true, bound),
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("server failed: {e}");
        std::process::exit(1);
    }
}
