//! A multi-worker TCP echo server: one acceptor hands connections to workers.
//!
//! I/O objects belong to the worker whose reactor registered them, so a
//! connection moves between workers as a plain `std::net::TcpStream`: the
//! acceptor (on worker 0) calls `into_std()`, and the chosen worker turns it
//! back with `TcpStream::from_std()` inside a task spawned there with
//! `spool::spawn_on`. Workers are chosen round-robin.
//!
//! Run alone, it starts the server on a free loopback port with two
//! workers, runs its own clients (64 connections x 500 round trips of
//! 64 bytes, every byte checked), and prints the throughput and how many
//! connections each worker served:
//!
//! ```text
//! cargo run --release --example multi_echo
//! cargo run --release --example multi_echo -- --listen 127.0.0.1:7000 --workers 2
//! ```
//!
//! With `--listen ADDR` it serves until killed (try it with `nc`). A
//! production server would accept on every worker with `SO_REUSEPORT`
//! listeners and let the kernel spread connections.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

use spool::net::{TcpListener, TcpStream};

const CLIENTS: usize = 64;
const ROUNDS: usize = 500;
const MSG: usize = 64;

/// Serves one connection until the peer closes it.
async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}

/// Accepts forever, handing each connection to the next worker.
async fn serve(listener: TcpListener, served: Arc<Vec<AtomicUsize>>) -> std::io::Result<()> {
    let workers = spool::task::worker_count();
    let mut next = 0;
    loop {
        let (stream, _) = listener.accept().await?;
        let std_stream = stream.into_std()?;
        let worker = next % workers;
        next += 1;
        let served = served.clone();
        drop(spool::spawn_on(worker, async move {
            served[spool::task::current_worker()].fetch_add(1, Relaxed);
            let stream = TcpStream::from_std(std_stream)?;
            stream.set_nodelay(true)?;
            echo(stream).await
        }));
    }
}

/// One self-test client: `ROUNDS` round trips, every byte checked.
async fn client(addr: SocketAddr, id: usize) -> std::io::Result<()> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let mut out = [0u8; MSG];
    let mut back = [0u8; MSG];
    for round in 0..ROUNDS {
        for (i, b) in out.iter_mut().enumerate() {
            *b = (id * 31 + round * 7 + i) as u8;
        }
        s.write_all(&out).await?;
        s.read_exact(&mut back).await?;
        assert_eq!(out, back, "client {id} round {round}: echo mismatch");
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let workers: usize = arg("--workers").and_then(|w| w.parse().ok()).unwrap_or(2);
    let rt = spool::Builder::new().workers(workers).build()?;
    let served = Arc::new(
        (0..workers)
            .map(|_| AtomicUsize::new(0))
            .collect::<Vec<_>>(),
    );

    if let Some(addr) = arg("--listen") {
        return rt.block_on(async move {
            let listener = TcpListener::bind(addr.as_str()).await?;
            println!(
                "echo server on {} with {workers} workers",
                listener.local_addr()?
            );
            serve(listener, served).await
        });
    }

    let (elapsed, bytes) = rt.block_on({
        let served = served.clone();
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let server = spool::spawn(serve(listener, served));
            let t0 = Instant::now();
            // Clients run on worker 0 too: one process, both ends measured.
            let clients: Vec<_> = (0..CLIENTS)
                .map(|id| spool::spawn(client(addr, id)))
                .collect();
            for c in clients {
                c.await.expect("client task")?;
            }
            server.abort();
            Ok::<_, std::io::Error>((t0.elapsed(), 2 * CLIENTS * ROUNDS * MSG))
        }
    })?;
    println!(
        "{CLIENTS} connections x {ROUNDS} round trips of {MSG} B on {workers} workers: {:.1} ms, \
         {:.0} round trips/s, {:.1} MB/s, every byte verified",
        elapsed.as_secs_f64() * 1e3,
        (CLIENTS * ROUNDS) as f64 / elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64() / 1e6
    );
    let per_worker: Vec<usize> = served.iter().map(|c| c.load(Relaxed)).collect();
    println!("connections served per worker: {per_worker:?}");
    Ok(())
}
