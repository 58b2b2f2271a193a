//! `--self-test`: the server under load from its own pipelined clients.
//!
//! The server runs on its own thread(s) ([`Server::start`]); the clients
//! are tasks on a single-threaded spool runtime on the calling thread.
//! Each client owns its keys (`k<client>:<n>`), so it knows every reply in
//! advance: request `i` is `SET k<c>:<i/2 % KEYS> v<c>:<i>` for even `i`
//! and a `GET` of the same key for odd `i`, which must return exactly the
//! value set just before it. Every reply is checked. Afterwards all clients
//! `INCR` one shared counter (which must end at clients × increments, also
//! across workers) and `DBSIZE` must count every key.

use crate::reply::{self, Reply};
use crate::server::{Config, Server};
use spool::net::TcpStream;
use std::net::SocketAddr;
use std::time::Instant;

/// Concurrent client connections.
pub const CLIENTS: usize = 8;
/// Requests per client in the measured phase.
pub const REQUESTS: usize = 20_000;
/// Requests per pipelined write.
pub const PIPELINE: usize = 16;
/// Distinct keys per client.
const KEYS: usize = 100;
/// `INCR`s of the shared counter per client.
const INCRS: usize = 100;

/// Measured results of one run.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Requests whose replies were verified (measured phase only).
    pub requests: usize,
    /// Wall-clock time of the measured phase, in seconds.
    pub seconds: f64,
}

/// Runs the load against a fresh server with `workers` workers.
pub fn run(workers: usize, base: Config) -> Result<Report, String> {
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        workers,
        ..base
    };
    let server = Server::start(config).map_err(|e| format!("server: {e}"))?;
    let addr = server.addr();
    let report = spool::block_on(async move {
        let started = Instant::now();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| spool::spawn(client(addr, c)))
            .collect();
        for handle in clients {
            handle.await.map_err(|e| format!("client task: {e}"))??;
        }
        let seconds = started.elapsed().as_secs_f64();
        check_totals(addr).await?;
        Ok::<_, String>(Report {
            requests: CLIENTS * REQUESTS,
            seconds,
        })
    })?;
    server.stop().map_err(|e| format!("server: {e}"))?;
    Ok(report)
}

/// One client's measured phase, then its share of the counter.
async fn client(addr: SocketAddr, c: usize) -> Result<(), String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut requests = Vec::with_capacity(PIPELINE * 64);
    let mut replies = Replies::new();
    let mut value = Vec::with_capacity(32);
    let mut key = Vec::with_capacity(32);
    for batch in 0..REQUESTS / PIPELINE {
        requests.clear();
        for i in batch * PIPELINE..(batch + 1) * PIPELINE {
            key_of(c, i, &mut key);
            if i % 2 == 0 {
                value_of(c, i, &mut value);
                command(&mut requests, &[b"SET", &key, &value]);
            } else {
                command(&mut requests, &[b"GET", &key]);
            }
        }
        write(&mut stream, &requests).await?;
        for i in batch * PIPELINE..(batch + 1) * PIPELINE {
            replies
                .next(&mut stream, |reply| {
                    if i % 2 == 0 {
                        return reply == Reply::Simple(b"OK");
                    }
                    value_of(c, i - 1, &mut value);
                    reply == Reply::Bulk(Some(&value))
                })
                .await
                .map_err(|e| format!("client {c}, request {i}: {e}"))?;
        }
    }
    requests.clear();
    (0..INCRS).for_each(|_| command(&mut requests, &[b"INCR", b"counter"]));
    write(&mut stream, &requests).await?;
    for _ in 0..INCRS {
        replies
            .next(
                &mut stream,
                |reply| matches!(reply, Reply::Integer(n) if n > 0),
            )
            .await?;
    }
    Ok(())
}

/// After the load: the counter and the key count.
async fn check_totals(addr: SocketAddr) -> Result<(), String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let mut requests = Vec::new();
    command(&mut requests, &[b"GET", b"counter"]);
    command(&mut requests, &[b"DBSIZE"]);
    write(&mut stream, &requests).await?;
    let mut replies = Replies::new();
    let mut want = Vec::new();
    reply::decimal(&mut want, (CLIENTS * INCRS) as i64);
    replies
        .next(&mut stream, |r| r == Reply::Bulk(Some(&want)))
        .await
        .map_err(|e| format!("shared counter: {e}"))?;
    let keys = (CLIENTS * KEYS.min(REQUESTS / 2) + 1) as i64;
    replies
        .next(&mut stream, |r| r == Reply::Integer(keys))
        .await
        .map_err(|e| format!("DBSIZE: {e}"))
}

/// The key request `i` of client `c` uses, into `out`.
fn key_of(c: usize, i: usize, out: &mut Vec<u8>) {
    out.clear();
    out.push(b'k');
    reply::decimal(out, c as i64);
    out.push(b':');
    reply::decimal(out, ((i / 2) % KEYS) as i64);
}

/// The value request `i` (even) of client `c` sets, into `out`.
fn value_of(c: usize, i: usize, out: &mut Vec<u8>) {
    out.clear();
    out.push(b'v');
    reply::decimal(out, c as i64);
    out.push(b':');
    reply::decimal(out, i as i64);
}

/// Appends a multibulk request.
pub fn command(out: &mut Vec<u8>, args: &[&[u8]]) {
    reply::array(out, args.len());
    for arg in args {
        reply::bulk(out, arg);
    }
}

async fn write(stream: &mut TcpStream, bytes: &[u8]) -> Result<(), String> {
    stream
        .write_all(bytes)
        .await
        .map_err(|e| format!("write: {e}"))
}

/// A client's receive buffer and its decoding position.
struct Replies {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Replies {
    fn new() -> Replies {
        Replies {
            buf: vec![0; 64 << 10],
            start: 0,
            end: 0,
        }
    }

    /// Reads until one whole reply is buffered and checks it with `ok`.
    async fn next(
        &mut self,
        stream: &mut TcpStream,
        ok: impl FnOnce(Reply<'_>) -> bool,
    ) -> Result<(), String> {
        loop {
            match reply::read(&self.buf[self.start..self.end]) {
                Ok(Some((reply, used))) => {
                    if !ok(reply.clone()) {
                        return Err(format!("unexpected reply {reply:?}"));
                    }
                    self.start += used;
                    return Ok(());
                }
                Ok(None) => {}
                Err(e) => return Err(e.to_string()),
            }
            if self.start == self.end {
                self.start = 0;
                self.end = 0;
            } else if self.end == self.buf.len() {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            let n = stream
                .read(&mut self.buf[self.end..])
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("server closed the connection".into());
            }
            self.end += n;
        }
    }
}
