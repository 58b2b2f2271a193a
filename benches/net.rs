//! TCP benchmarks on loopback: spool against tokio's `current_thread`
//! runtime (`enable_all`) and smol (async-executor's `LocalExecutor` driven by
//! `async_io::block_on(ex.run(..))`, sockets from async-net), client and
//! server on the same runtime, the same workload side by side in each group.
//! smol's tasks reach the executor through a `&'static` reference; its
//! stream is split by cloning it, as async-net's `TcpStream` is used.
//!
//! - `tcp_echo`: 32 connections, each 2,000 round trips of 64 bytes
//!   (latency-bound: one syscall pair and one reactor turn per message).
//! - `tcp_echo_big`: 8 connections, each echoing 16 MiB in 64 KiB chunks
//!   (throughput-bound: the client writes and reads from two tasks).
//!
//! Connections are opened inside each iteration (a small part of its time).
//! Run: `cargo bench --bench net`. Results: BENCHMARKS.md.

// criterion's macros generate public items without docs.
#![allow(missing_docs)]

use std::time::Duration;

use async_executor::LocalExecutor;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `tcp_echo`: connections and round trips per connection.
const ECHO_CONNS: usize = 32;
const ECHO_ROUNDS: usize = 2_000;
const ECHO_MSG: usize = 64;

/// `tcp_echo_big`: connections, bytes per connection, chunk size.
const BIG_CONNS: usize = 8;
const BIG_BYTES: usize = 16 << 20;
const BIG_CHUNK: usize = 64 << 10;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn spool_echo_server(listener: spool::net::TcpListener, conns: usize, buf_len: usize) {
    for _ in 0..conns {
        let (mut s, _) = listener.accept().await.unwrap();
        drop(spool::spawn(async move {
            let mut buf = vec![0u8; buf_len];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                s.write_all(&buf[..n]).await.unwrap();
            }
        }));
    }
}

async fn tokio_echo_server(listener: tokio::net::TcpListener, conns: usize, buf_len: usize) {
    for _ in 0..conns {
        let (mut s, _) = listener.accept().await.unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; buf_len];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                s.write_all(&buf[..n]).await.unwrap();
            }
        });
    }
}

/// A smol single-threaded executor that spawned tasks can reach.
fn smol_ex() -> &'static LocalExecutor<'static> {
    Box::leak(Box::new(LocalExecutor::new()))
}

async fn smol_echo_server(
    ex: &'static LocalExecutor<'static>,
    listener: async_net::TcpListener,
    conns: usize,
    buf_len: usize,
) {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    for _ in 0..conns {
        let (mut s, _) = listener.accept().await.unwrap();
        ex.spawn(async move {
            let mut buf = vec![0u8; buf_len];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                s.write_all(&buf[..n]).await.unwrap();
            }
        })
        .detach();
    }
}

/// tcp_echo: 32 connections x 2,000 round trips of 64 B.
fn tcp_echo(c: &mut Criterion) {
    let mut g = c.benchmark_group("tcp_echo");
    g.sample_size(10);
    g.throughput(Throughput::Elements((ECHO_CONNS * ECHO_ROUNDS) as u64));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let listener = spool::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = spool::spawn(spool_echo_server(listener, ECHO_CONNS, ECHO_MSG));
                let clients: Vec<_> = (0..ECHO_CONNS)
                    .map(|_| {
                        spool::spawn(async move {
                            let mut s = spool::net::TcpStream::connect(addr).await.unwrap();
                            s.set_nodelay(true).unwrap();
                            let msg = [7u8; ECHO_MSG];
                            let mut back = [0u8; ECHO_MSG];
                            for _ in 0..ECHO_ROUNDS {
                                s.write_all(&msg).await.unwrap();
                                s.read_exact(&mut back).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
                server.await.unwrap();
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = tokio::spawn(tokio_echo_server(listener, ECHO_CONNS, ECHO_MSG));
                let clients: Vec<_> = (0..ECHO_CONNS)
                    .map(|_| {
                        tokio::spawn(async move {
                            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                            s.set_nodelay(true).unwrap();
                            let msg = [7u8; ECHO_MSG];
                            let mut back = [0u8; ECHO_MSG];
                            for _ in 0..ECHO_ROUNDS {
                                s.write_all(&msg).await.unwrap();
                                s.read_exact(&mut back).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
                server.await.unwrap();
            })
        })
    });
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let listener = async_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = ex.spawn(smol_echo_server(ex, listener, ECHO_CONNS, ECHO_MSG));
                let clients: Vec<_> = (0..ECHO_CONNS)
                    .map(|_| {
                        ex.spawn(async move {
                            let mut s = async_net::TcpStream::connect(addr).await.unwrap();
                            s.set_nodelay(true).unwrap();
                            let msg = [7u8; ECHO_MSG];
                            let mut back = [0u8; ECHO_MSG];
                            for _ in 0..ECHO_ROUNDS {
                                s.write_all(&msg).await.unwrap();
                                s.read_exact(&mut back).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for c in clients {
                    c.await;
                }
                server.await;
            }))
        })
    });
    g.finish();
}

/// tcp_echo_big: 8 connections x 16 MiB in 64 KiB chunks.
fn tcp_echo_big(c: &mut Criterion) {
    let mut g = c.benchmark_group("tcp_echo_big");
    g.sample_size(10);
    g.throughput(Throughput::Bytes((BIG_CONNS * BIG_BYTES) as u64));
    let rt = spool::Runtime::new().unwrap();
    g.bench_function("spool", |b| {
        b.iter(|| {
            rt.block_on(async {
                let listener = spool::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = spool::spawn(spool_echo_server(listener, BIG_CONNS, BIG_CHUNK));
                let clients: Vec<_> = (0..BIG_CONNS)
                    .map(|_| {
                        spool::spawn(async move {
                            let s = spool::net::TcpStream::connect(addr).await.unwrap();
                            let (mut rd, mut wr) = s.into_split();
                            let writer = spool::spawn(async move {
                                let chunk = vec![3u8; BIG_CHUNK];
                                for _ in 0..BIG_BYTES / BIG_CHUNK {
                                    wr.write_all(&chunk).await.unwrap();
                                }
                                wr
                            });
                            let mut buf = vec![0u8; BIG_CHUNK];
                            let mut got = 0;
                            while got < BIG_BYTES {
                                got += rd.read(&mut buf).await.unwrap();
                            }
                            drop(writer.await.unwrap());
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
                server.await.unwrap();
            })
        })
    });
    let trt = tokio_rt();
    g.bench_function("tokio_current_thread", |b| {
        b.iter(|| {
            trt.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = tokio::spawn(tokio_echo_server(listener, BIG_CONNS, BIG_CHUNK));
                let clients: Vec<_> = (0..BIG_CONNS)
                    .map(|_| {
                        tokio::spawn(async move {
                            let s = tokio::net::TcpStream::connect(addr).await.unwrap();
                            let (mut rd, mut wr) = s.into_split();
                            let writer = tokio::spawn(async move {
                                let chunk = vec![3u8; BIG_CHUNK];
                                for _ in 0..BIG_BYTES / BIG_CHUNK {
                                    wr.write_all(&chunk).await.unwrap();
                                }
                                wr
                            });
                            let mut buf = vec![0u8; BIG_CHUNK];
                            let mut got = 0;
                            while got < BIG_BYTES {
                                got += rd.read(&mut buf).await.unwrap();
                            }
                            drop(writer.await.unwrap());
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
                server.await.unwrap();
            })
        })
    });
    let ex = smol_ex();
    g.bench_function("smol", |b| {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};
        b.iter(|| {
            async_io::block_on(ex.run(async {
                let listener = async_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let server = ex.spawn(smol_echo_server(ex, listener, BIG_CONNS, BIG_CHUNK));
                let clients: Vec<_> = (0..BIG_CONNS)
                    .map(|_| {
                        ex.spawn(async move {
                            let s = async_net::TcpStream::connect(addr).await.unwrap();
                            let (mut rd, mut wr) = (s.clone(), s);
                            let writer = ex.spawn(async move {
                                let chunk = vec![3u8; BIG_CHUNK];
                                for _ in 0..BIG_BYTES / BIG_CHUNK {
                                    wr.write_all(&chunk).await.unwrap();
                                }
                                wr
                            });
                            let mut buf = vec![0u8; BIG_CHUNK];
                            let mut got = 0;
                            while got < BIG_BYTES {
                                got += rd.read(&mut buf).await.unwrap();
                            }
                            drop(writer.await);
                        })
                    })
                    .collect();
                for c in clients {
                    c.await;
                }
                server.await;
            }))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = tcp_echo, tcp_echo_big
}
criterion_main!(benches);
