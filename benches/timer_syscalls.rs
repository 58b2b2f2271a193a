//! System calls of the reactor's blocking parks with and without timers,
//! for `strace -c -f` (see BENCHMARKS.md, "Sub-millisecond timers").
//!
//! On Linux a parked reactor wakes for its next timer through a timerfd
//! (`src/reactor/deadline.rs`). This binary shows what that costs in system
//! calls. Each mode runs ROUNDS rounds on a single-worker runtime:
//!
//! - `none`: a ping-pong of one byte between two tasks over a Unix socket
//!   pair, no timer anywhere: two blocking parks (`epoll_wait`) per round,
//!   and there must be no `timerfd_create` or `timerfd_settime` at all.
//! - `timeout`: the same ping-pong with every read inside
//!   `timeout(10 s, ..)`: a timer is armed at every park, but the earliest
//!   deadline only moves later, so the alarm is set once for the whole run.
//! - `sleep`: `sleep(100 µs)`, ROUNDS times in a row: every blocking park
//!   needs a new alarm, one `timerfd_settime` each.
//!
//! Run: `strace -c -f TARGET/release/deps/timer_syscalls-* MODE ROUNDS`.
//! Without arguments (as under `cargo bench`) it runs each mode for 1,000
//! rounds and prints the wall time per round, a sanity figure only.

use std::time::{Duration, Instant};

use spool::net::UnixStream;

/// The ping-pong of `none` and `timeout`: `rounds` one-byte round trips.
async fn ping_pong(rounds: u32, with_timeout: bool) {
    let (mut a, mut b) = UnixStream::pair().expect("socketpair");
    let echo = spool::spawn(async move {
        let mut byte = [0u8; 1];
        for _ in 0..rounds {
            read_byte(&mut b, &mut byte, with_timeout).await;
            b.write_all(&byte).await.expect("echo write");
        }
    });
    let mut byte = [7u8; 1];
    for _ in 0..rounds {
        a.write_all(&byte).await.expect("ping write");
        read_byte(&mut a, &mut byte, with_timeout).await;
    }
    echo.await.expect("echo task");
}

/// Reads one byte, inside `timeout(10 s, ..)` if asked.
async fn read_byte(s: &mut UnixStream, byte: &mut [u8; 1], with_timeout: bool) {
    let n = if with_timeout {
        spool::time::timeout(Duration::from_secs(10), s.read(byte))
            .await
            .expect("a round trip took 10 s")
    } else {
        s.read(byte).await
    };
    assert_eq!(n.expect("read"), 1);
}

/// `rounds` sleeps of 100 µs in a row.
async fn sleeps(rounds: u32) {
    for _ in 0..rounds {
        spool::time::sleep(Duration::from_micros(100)).await;
    }
}

fn run(mode: &str, rounds: u32) {
    spool::block_on(async {
        match mode {
            "none" => ping_pong(rounds, false).await,
            "timeout" => ping_pong(rounds, true).await,
            "sleep" => sleeps(rounds).await,
            _ => unreachable!("checked by main"),
        }
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`: run everything briefly.
    let explicit = args.first().filter(|a| !a.starts_with('-'));
    let Some(mode) = explicit else {
        for mode in ["none", "timeout", "sleep"] {
            let start = Instant::now();
            run(mode, 1_000);
            println!(
                "timer_syscalls {mode:8} {:?} per round",
                start.elapsed() / 1_000
            );
        }
        return;
    };
    if !["none", "timeout", "sleep"].contains(&mode.as_str()) {
        eprintln!("usage: timer_syscalls [none|timeout|sleep] [ROUNDS]");
        std::process::exit(2);
    }
    let rounds = match args.get(1).map(|r| r.parse::<u32>()) {
        None => 10_000,
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            eprintln!("timer_syscalls: ROUNDS must be a number: {e}");
            std::process::exit(2);
        }
    };
    run(mode, rounds);
}
