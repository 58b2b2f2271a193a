//! A key-value server that speaks the Redis protocol (RESP2, inline
//! commands, pipelining), on spool: the real `redis-cli` and
//! `redis-benchmark` work against it.
//!
//! Commands: PING, ECHO, SET (EX, PX, NX, XX, KEEPTTL, GET), GET, DEL,
//! EXISTS, INCR, DECR, INCRBY, DECRBY, MGET, MSET, EXPIRE, PEXPIRE (NX,
//! XX, GT, LT), TTL, PTTL, PERSIST, KEYS (globs with `*`, `?`, `[...]`),
//! DBSIZE, FLUSHALL, FLUSHDB, SELECT 0, COMMAND, CONFIG GET, QUIT. Errors
//! are redis's: a bad command gets an error reply and the connection goes
//! on; a frame that cannot be resynchronised (`*x`, a bad `$` length, a
//! bulk string over `--max-bulk`) gets `-ERR Protocol error: ...` and the
//! connection is closed, as redis-server does.
//!
//! Run: `cargo run --release --example kv -- --self-test` starts the
//! server on an ephemeral loopback port, loads it with 8 pipelined clients
//! (20k SET/GET requests each, pipelines of 16, every reply checked) with
//! one and then two workers, and prints the requests per second of each.
//! `cargo run --release --example kv` serves on 127.0.0.1:6379 until
//! interrupted (try `redis-cli`, or `redis-benchmark -q -t ping,set,get`);
//! flags: `--listen ADDR`, `--workers N`, `--max-bulk BYTES`,
//! `--max-inline BYTES`, `--max-args N`, `--max-query BYTES`, `--spin-us
//! N` (poll mode: keep a worker busy N µs after its last request instead
//! of sleeping; default 50 when the workers leave a core free, else 0).
//!
//! The source: `resp.rs` parses requests in place, `reply.rs` encodes
//! replies, `conn.rs` batches one connection's pipelined requests into one
//! write, `commands.rs` runs them against the keyspace (`keyspace.rs`:
//! shards of `store.rs`, hashed by `hash.rs`), `server.rs` accepts
//! connections and sweeps expired keys, `spin.rs` is the poll mode,
//! `selftest.rs` is the load generator.
//!
//! A production server would do more: persistence (snapshots, an
//! append-only log), memory limits with eviction, the other data types,
//! AUTH and TLS, client timeouts and a connection cap, a keyed hash
//! (SipHash, as redis) rather than the seeded fold hash where clients are
//! untrusted, per-core listeners with SO_REUSEPORT instead of one acceptor
//! handing connections off, and with several workers, shard ownership by
//! worker (messages instead of mutexes) so that no two threads ever touch
//! the same shard.

mod commands;
mod conn;
mod glob;
mod hash;
mod keyspace;
mod reply;
mod resp;
mod selftest;
mod server;
mod spin;
mod store;

use server::Config;
use std::process::ExitCode;

const USAGE: &str = "usage: kv [--self-test] [--listen ADDR] [--workers N] \
[--max-bulk BYTES] [--max-inline BYTES] [--max-args N] [--max-query BYTES] [--spin-us N]";

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
    match server::run(config, ready, std::future::pending()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kv: {e}");
            ExitCode::FAILURE
        }
    }
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
        match flag.as_str() {
            "--listen" => {
                config.listen = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e} (want IP:PORT)"))?
            }
            "--workers" => {
                config.workers = number()?.max(1);
                workers_given = true;
            }
            "--max-bulk" => config.limits.max_bulk = number()?,
            "--max-inline" => config.limits.max_inline = number()?,
            "--max-args" => config.limits.max_args = number()?,
            "--max-query" => config.max_query = number()?,
            "--spin-us" => config.spin = Some(std::time::Duration::from_micros(number()? as u64)),
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok((config, self_test, workers_given))
}
