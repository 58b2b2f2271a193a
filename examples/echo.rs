//! A TCP echo server on spool's reactor, with its own load generator.
//!
//! Run alone, it starts the server on an ephemeral loopback port and, on
//! the same thread, 64 clients that each send 4 MiB in chunks of varying
//! size while reading the echo back concurrently (split halves). Every byte
//! is checked; the example prints the bytes echoed, the time taken and the
//! throughput, and the reactor's counters (readiness events, parks).
//!
//! Run: `cargo run --release --example echo` (self-test, a few seconds), or
//! `cargo run --release --example echo -- --listen 127.0.0.1:7000` to serve
//! for real until interrupted (try `nc 127.0.0.1 7000`).
//!
//! A production server would bound the number of connections, time out
//! idle ones (`spool::time::timeout` around each read), rent its buffers
//! from a pool instead of one `Vec` per connection, and spread connections
//! over one worker per core.

use std::time::Instant;

use spool::net::{TcpListener, TcpStream};

const CLIENTS: usize = 64;
const BYTES_PER_CLIENT: usize = 4 << 20;

/// Echoes one connection until the peer closes it.
async fn echo(mut conn: TcpStream) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut total = 0;
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(total);
        }
        conn.write_all(&buf[..n]).await?;
        total += n as u64;
    }
}

/// Accepts connections forever (or `limit` of them), one task each.
async fn serve(listener: TcpListener, limit: Option<usize>) -> std::io::Result<()> {
    let mut accepted = 0;
    while limit.is_none_or(|l| accepted < l) {
        let (conn, peer) = listener.accept().await?;
        accepted += 1;
        if limit.is_none() {
            println!("connection from {peer}");
        }
        drop(spool::spawn(async move {
            match echo(conn).await {
                Ok(n) if limit.is_none() => println!("{peer} closed after {n} bytes"),
                Ok(_) => {}
                Err(e) => eprintln!("{peer}: {e}"),
            }
        }));
    }
    Ok(())
}

/// Byte `i` of client `c`'s stream.
fn byte(c: usize, i: usize) -> u8 {
    (i.wrapping_mul(131) ^ c.wrapping_mul(17) ^ (i >> 9)) as u8
}

/// One client: writes its stream in uneven chunks, reads it back, checks it.
async fn client(addr: std::net::SocketAddr, c: usize) -> std::io::Result<usize> {
    let stream = TcpStream::connect(addr).await?;
    let (mut rd, mut wr) = stream.into_split();
    let writer = spool::spawn(async move {
        let mut chunk = Vec::with_capacity(64 * 1024);
        let mut sent = 0;
        while sent < BYTES_PER_CLIENT {
            let len = (1000 + (sent * 7 + c * 13) % 60_000).min(BYTES_PER_CLIENT - sent);
            chunk.clear();
            chunk.extend((sent..sent + len).map(|i| byte(c, i)));
            wr.write_all(&chunk).await?;
            sent += len;
        }
        // Dropping the write half sends FIN: the server's echo task ends.
        std::io::Result::Ok(())
    });
    let mut buf = vec![0u8; 32 * 1024];
    let mut got = 0;
    while got < BYTES_PER_CLIENT {
        let n = rd.read(&mut buf).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        for (k, &b) in buf[..n].iter().enumerate() {
            if b != byte(c, got + k) {
                return Err(std::io::Error::other(format!(
                    "client {c}: byte {} differs",
                    got + k
                )));
            }
        }
        got += n;
    }
    writer.await.expect("writer task")?;
    Ok(got)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = spool::Runtime::new()?;
    if let [flag, addr] = args.as_slice() {
        if flag == "--listen" {
            return rt.block_on(async {
                let listener = TcpListener::bind(addr.as_str()).await?;
                println!("echo server listening on {}", listener.local_addr()?);
                serve(listener, None).await
            });
        }
    }
    if !args.is_empty() {
        eprintln!("usage: echo [--listen ADDR]");
        std::process::exit(2);
    }

    let (total, took) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        println!(
            "self-test: {CLIENTS} clients x {} MiB on {addr}, one thread",
            BYTES_PER_CLIENT >> 20
        );
        let server = spool::spawn(serve(listener, Some(CLIENTS)));
        let start = Instant::now();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| spool::spawn(client(addr, c)))
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.expect("client task")?;
        }
        server.await.expect("server task")?;
        std::io::Result::Ok((total, start.elapsed()))
    })?;
    let m = rt.metrics();
    println!(
        "echoed {} MiB, every byte verified, in {:.0} ms: {:.0} MiB/s each way",
        total >> 20,
        took.as_secs_f64() * 1e3,
        (total >> 20) as f64 / took.as_secs_f64()
    );
    println!(
        "reactor: {} readiness events, {} parks, {} task polls",
        m.io_events, m.reactor_parks, m.polls
    );
    Ok(())
}
