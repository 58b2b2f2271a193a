//! A key-value server that speaks the Redis protocol (RESP2, inline
//! commands, pipelining), on spool: the real `redis-cli` and
//! `redis-benchmark` work against it.
//!
//! Commands: PING, ECHO, SET (EX, PX, EXAT, PXAT, NX, XX, KEEPTTL, GET),
//! GET, DEL, EXISTS, INCR, DECR, INCRBY, DECRBY, MGET, MSET, EXPIRE,
//! PEXPIRE, EXPIREAT, PEXPIREAT (NX, XX, GT, LT), TTL, PTTL, PERSIST, KEYS
//! (globs with `*`, `?`, `[...]`),
//! DBSIZE, FLUSHALL, FLUSHDB, SELECT 0, COMMAND, CONFIG GET, QUIT. Errors
//! are redis's: a bad command gets an error reply and the connection goes
//! on; a frame that cannot be resynchronised (`*x`, a bad `$` length, a
//! bulk string over `--proto-max-bulk-len`) gets `-ERR Protocol error:
//! ...` and the connection is closed, as redis-server does. Integer
//! arguments are checked as redis 7 checks them: an expire time whose
//! deadline overflows is `-ERR invalid expire time`, an `INCR` past the
//! i64 range is `-ERR increment or decrement would overflow`.
//!
//! What one client can make the server hold is bounded, by default: its
//! replies by a client output buffer limit (64 MiB; a client whose reply
//! would exceed it is disconnected with a log line, as redis does past a
//! hard limit, and a reply is never built past the limit), the number of
//! clients by `--maxclients` (10,000; the next one gets `-ERR max number
//! of clients reached`), a request by `--proto-max-bulk-len` (512 MiB per
//! argument, refused as soon as its header shows it; a half-sent argument
//! holds only the bytes received) and `--max-query` (1 GiB per request),
//! and, with `--timeout SECS`, an idle client's connection.
//!
//! Run: `cargo run --release -p kv -- --self-test` starts the
//! server on an ephemeral loopback port, loads it with 8 pipelined clients
//! (20k SET/GET requests each, pipelines of 16, every reply checked) with
//! one and then two workers, and prints the requests per second of each.
//! `cargo run --release -p kv` serves on 127.0.0.1:6379 until
//! Ctrl-C, which stops it gracefully: it stops accepting, lets every
//! connection finish the requests it has sent (up to 5 s), prints what it
//! did and exits 0 (try `redis-cli`, or `redis-benchmark -q -t ping,set,get`);
//! flags: `--listen ADDR`, `--workers N`, `--proto-max-bulk-len BYTES`
//! (alias `--max-bulk`), `--max-inline BYTES`, `--max-args N`,
//! `--max-query BYTES`, `--client-output-buffer-limit BYTES` (0: none),
//! `--maxclients N`, `--timeout SECS` (0: never, the default), `--spin-us
//! N` (poll mode: keep a worker busy N µs after its last request instead
//! of sleeping; default 50 when the workers leave a core free, else 0),
//! `--nap-us N` (nap mode, when poll mode is off: under a load from
//! several connections, a worker sleeps N µs on a timer after each batch
//! so that requests arriving meanwhile are collected at once instead of
//! each waking it; default 20, 0 turns it off, at most 1000).
//! Sizes take redis's units: `64mb`, `512kb`, `1gb` (powers of 1024), `1m`
//! (powers of 1000).
//!
//! The code is a library (`src/lib.rs`: the parser, the command engine,
//! the server) with this binary on top, so that its unit tests live next
//! to it and the end-to-end tests in `tests/` drive this binary.
//!
//! A production server would do more: persistence (snapshots, an
//! append-only log), memory limits with eviction, the other data types,
//! AUTH and TLS, soft output limits and a global memory cap, a keyed hash
//! (SipHash, as redis) rather than the seeded fold hash where clients are
//! untrusted, per-core listeners with SO_REUSEPORT instead of one acceptor
//! handing connections off, and with several workers, shard ownership by
//! worker (messages instead of mutexes) so that no two threads ever touch
//! the same shard.

use kv::selftest;
use kv::server::{self, Config};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: kv [--self-test] [--listen ADDR] [--workers N] \
[--proto-max-bulk-len BYTES] [--max-inline BYTES] [--max-args N] [--max-query BYTES] \
[--client-output-buffer-limit BYTES] [--maxclients N] [--timeout SECS] [--spin-us N] [--nap-us N]";

/// Most worker threads `--workers` accepts.
const MAX_WORKERS: usize = 1024;

fn main() -> ExitCode {
    let (config, self_test, workers_given) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(msg) => {
            eprintln!("kv: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if self_test {
        let runs: &[usize] = if workers_given {
            &[config.workers]
        } else {
            &[1, 2]
        };
        for &workers in runs {
            match selftest::run(workers, config) {
                Ok(r) => println!(
                    "kv self-test, {workers} worker{}: {} clients x {} requests \
                     (SET/GET, pipelines of {}): {} replies verified in {:.3} s = {:.0} requests/s",
                    if workers == 1 { "" } else { "s" },
                    selftest::CLIENTS,
                    selftest::REQUESTS,
                    selftest::PIPELINE,
                    r.requests,
                    r.seconds,
                    r.requests as f64 / r.seconds,
                ),
                Err(e) => {
                    eprintln!("kv self-test, {workers} workers: FAILED: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        return ExitCode::SUCCESS;
    }
    let ready = |addr| {
        println!(
            "kv listening on {addr} ({} worker{})",
            config.workers,
            if config.workers == 1 { "" } else { "s" }
        )
    };
    match server::run(config, ready, interrupted) {
        Ok(stopped) => {
            println!(
                "kv: stopped: {} connection{} open at Ctrl-C, {} closed after \
                 answering what they had sent, {} dropped after {} s; exiting",
                stopped.open,
                if stopped.open == 1 { "" } else { "s" },
                stopped.finished,
                stopped.dropped,
                server::GRACE.as_secs(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kv: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The shutdown signal: Ctrl-C (SIGINT). The handler is installed when
/// this is called (on the server's runtime, before it listens), so a
/// Ctrl-C at any time after the "listening" line stops the server
/// gracefully.
#[cfg(feature = "signal")]
fn interrupted() -> impl std::future::Future<Output = ()> {
    let signal = spool::signal::unix::signal(spool::signal::unix::SignalKind::interrupt());
    async move {
        match signal {
            Ok(mut signal) => {
                let _ = signal.recv().await;
                println!(
                    "kv: Ctrl-C: stopped accepting connections, finishing the requests in flight"
                );
            }
            Err(e) => {
                eprintln!("kv: cannot listen for Ctrl-C ({e}); serving until killed");
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Without the `signal` feature the server runs until it is killed.
#[cfg(not(feature = "signal"))]
fn interrupted() -> std::future::Pending<()> {
    std::future::pending()
}

/// Parses the flags: the config, whether `--self-test`, and whether
/// `--workers` was given.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(Config, bool, bool), String> {
    let mut config = Config::default();
    let mut self_test = false;
    let mut workers_given = false;
    while let Some(flag) = args.next() {
        if flag == "--self-test" {
            self_test = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|e| format!("{flag} {value}: {e}"))
        };
        let bytes = || parse_bytes(&value).map_err(|e| format!("{flag} {value}: {e}"));
        match flag.as_str() {
            "--listen" => {
                config.listen = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e} (want IP:PORT)"))?
            }
            "--workers" => {
                config.workers = number()?.max(1);
                if config.workers > MAX_WORKERS {
                    return Err(format!("--workers {value}: at most {MAX_WORKERS}"));
                }
                workers_given = true;
            }
            "--proto-max-bulk-len" | "--max-bulk" => config.limits.max_bulk = bytes()?,
            "--max-inline" => config.limits.max_inline = bytes()?,
            "--max-args" => config.limits.max_args = number()?,
            "--max-query" => config.max_query = bytes()?,
            "--client-output-buffer-limit" => {
                config.output_limit = match bytes()? {
                    0 => usize::MAX,
                    n => n,
                }
            }
            "--maxclients" => {
                config.max_clients = number()?;
                if config.max_clients == 0 {
                    return Err("--maxclients 0: must be at least 1".into());
                }
            }
            "--timeout" => {
                config.timeout = match number()? {
                    0 => None,
                    secs => Some(Duration::from_secs(secs as u64)),
                }
            }
            "--spin-us" => config.spin = Some(Duration::from_micros(number()? as u64)),
            "--nap-us" => {
                let nap = Duration::from_micros(number()? as u64);
                if nap > kv::spin::MAX_NAP {
                    return Err(format!(
                        "--nap-us {value}: at most {} (a nap blocks the worker)",
                        kv::spin::MAX_NAP.as_micros()
                    ));
                }
                config.nap = Some(nap);
            }
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok((config, self_test, workers_given))
}

/// Parses a size the way redis's `memtoull` does: a number, optionally
/// followed by `b`, `k`/`kb`, `m`/`mb` or `g`/`gb` (case-insensitive;
/// `k` is 1000 and `kb` 1024, and so on), with no overflow.
fn parse_bytes(value: &str) -> Result<usize, String> {
    let lower = value.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let multiplier: usize = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1 << 10,
        "m" => 1000 * 1000,
        "mb" => 1 << 20,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1 << 30,
        _ => {
            return Err(format!(
                "unknown unit {unit:?} (want b, k, kb, m, mb, g or gb)"
            ))
        }
    };
    let n: usize = digits.parse().map_err(|e| format!("{e}"))?;
    n.checked_mul(multiplier)
        .ok_or_else(|| "too large for this machine".to_string())
}
