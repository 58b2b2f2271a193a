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
//! With `--listen ADDR` it serves until killed (try `curl` or `wrk`).
//! `--runtime tokio-ct` / `tokio-mt` serves the very same hyper service on
//! tokio's current-thread / multi-thread runtime instead (through
//! hyper-util's `TokioIo`), for the comparison in `benches/http.sh`.
//!
//! Connections are spread as in `examples/multi_echo`: one acceptor on
//! worker 0 hands each to the next worker as a `std` stream. A production
//! server would accept on every worker with `SO_REUSEPORT` listeners, add
//! graceful shutdown and serve HTTP/2 as well (`SpoolExecutor` is what
//! hyper's HTTP/2 builder needs).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use spool::compat::hyper::{SpoolIo, SpoolTimer};
use spool::net::{TcpListener, TcpStream};

const HELLO: &str = "Hello from hyper on spool!\n";

/// The service, shared by every runtime: `GET /`, `POST /echo`, else 404.
async fn handle(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => Ok(Response::new(Full::new(Bytes::from_static(
            HELLO.as_bytes(),
        )))),
        (&Method::POST, "/echo") => {
            let body = req.into_body().collect().await?.to_bytes();
            Ok(Response::new(Full::new(body)))
        }
        _ => {
            let mut res = Response::new(Full::new(Bytes::from_static(b"not found\n")));
            *res.status_mut() = StatusCode::NOT_FOUND;
            Ok(res)
        }
    }
}

/// Serves one connection with hyper's HTTP/1 server on spool.
async fn serve_conn(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(SpoolTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .serve_connection(SpoolIo::new(stream), hyper::service::service_fn(handle));
    // Errors are the client's doing (a reset, a bad request): drop the
    // connection, keep serving.
    let _ = conn.await;
}

/// Accepts forever on spool, handing connections to workers round-robin.
async fn serve_spool(listener: TcpListener) -> std::io::Result<()> {
    let workers = spool::task::worker_count();
    let mut next = 0;
    loop {
        let (stream, _) = listener.accept().await?;
        if workers == 1 {
            drop(spool::spawn(serve_conn(stream)));
            continue;
        }
        let std_stream = stream.into_std()?;
        let worker = next % workers;
        next += 1;
        // The future sent across carries only the std stream; the hyper
        // connection is built (and stays) on the chosen worker.
        drop(spool::spawn_on(worker, async move {
            if let Ok(stream) = TcpStream::from_std(std_stream) {
                drop(spool::spawn(serve_conn(stream)));
            }
        }));
    }
}

/// Binds and serves on spool with `workers` workers (never returns unless
/// the listener fails). `bound` receives the address once listening.
fn run_spool(
    addr: SocketAddr,
    workers: usize,
    bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let rt = spool::Builder::new().workers(workers).build()?;
    rt.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        bound(listener.local_addr()?);
        serve_spool(listener).await
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
    // The server runs until the process exits.
    std::thread::spawn(move || {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        if let Err(e) = run_spool(any, workers, |a| tx.send(a).unwrap()) {
            eprintln!("server failed: {e}");
            std::process::exit(1);
        }
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
        Ok(())
    })
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
        "spool" => run_spool(addr, workers, bound),
        "tokio-ct" => run_tokio(addr, 1, false, bound),
        "tokio-mt" => run_tokio(addr, workers, true, bound),
        _ => usage(),
    };
    if let Err(e) = result {
        eprintln!("server failed: {e}");
        std::process::exit(1);
    }
}
