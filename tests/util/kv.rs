//! Helpers for the kv example's tests: run commands through the command
//! engine without a network, and talk to a running server over std
//! sockets or with the real `redis-cli`.
//!
//! Include with `#[path = "util/kv.rs"] mod kv;` next to the example's
//! modules (`#[path = "../examples/kv/..."] mod reply;` and so on), which
//! this file names through `crate::`.

#![allow(dead_code)]

use crate::commands::{execute, Flow};
use crate::keyspace::Keyspace;
use crate::reply::{self, Reply};
use crate::resp::{Limits, Parser, Status};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs one inline command line (`"SET k v"`, quoting allowed) against
/// `ks` at time `now`; returns the reply decoded into a readable string
/// (see [`show`]) and whether the connection would stay open.
pub fn run<K: Keyspace>(ks: &K, now: Instant, line: &str) -> (String, Flow) {
    let mut parser = Parser::new(Limits::default());
    let input = format!("{line}\r\n").into_bytes();
    let Ok(Status::Complete(n)) = parser.parse(&input) else {
        panic!("not one command: {line:?}");
    };
    assert_eq!(n, input.len());
    let mut out = Vec::new();
    let flow = execute(ks, &parser.args(&input), now, &mut out);
    let (reply, used) = reply::read(&out).unwrap().expect("a whole reply");
    assert_eq!(used, out.len(), "exactly one reply");
    (show(&reply), flow)
}

/// A reply as redis-cli would show it without a terminal, but with types
/// visible: `OK`, `(error) ERR ...`, `(integer) 3`, `"bytes"`, `(nil)`,
/// `[a, b]`.
pub fn show(reply: &Reply<'_>) -> String {
    match reply {
        Reply::Simple(s) => String::from_utf8_lossy(s).into_owned(),
        Reply::Error(s) => format!("(error) {}", String::from_utf8_lossy(s)),
        Reply::Integer(n) => format!("(integer) {n}"),
        Reply::Bulk(Some(b)) => format!("{:?}", String::from_utf8_lossy(b)),
        Reply::Bulk(None) | Reply::Array(None) => "(nil)".to_string(),
        Reply::Array(Some(items)) => {
            let items: Vec<_> = items.iter().map(show).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// Connects to `addr`, retrying (bounded) until the server listens.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let mut last = None;
    for _ in 0..200 {
        match TcpStream::connect(addr) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                s.set_nodelay(true).unwrap();
                return s;
            }
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("could not connect to {addr}: {last:?}");
}

/// Reads from `stream` until `count` whole replies have arrived; returns
/// them shown (see [`show`]).
pub fn read_replies(stream: &mut TcpStream, count: usize) -> Vec<String> {
    let mut buf = Vec::new();
    let mut replies = Vec::new();
    let mut pos = 0;
    while replies.len() < count {
        match reply::read(&buf[pos..]).expect("well-formed replies") {
            Some((r, n)) => {
                replies.push(show(&r));
                pos += n;
            }
            None => {
                let mut chunk = [0u8; 4096];
                let n = stream.read(&mut chunk).expect("reply within the timeout");
                assert!(
                    n > 0,
                    "server closed after {} replies: {replies:?}",
                    replies.len()
                );
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
    assert_eq!(pos, buf.len(), "no more than {count} replies");
    replies
}

/// Sends raw bytes and reads `count` replies.
pub fn exchange(stream: &mut TcpStream, bytes: &[u8], count: usize) -> Vec<String> {
    stream.write_all(bytes).unwrap();
    read_replies(stream, count)
}

/// Whether the server closed `stream` (reads to EOF; a reset counts too).
pub fn closed_by_peer(stream: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => rest.is_empty(),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// The environment variable under which a missing `redis-cli` fails the
/// tests instead of skipping them (`.ci/run` sets it).
pub const REQUIRE_REDIS_CLI: &str = "SPOOL_REQUIRE_REDIS_CLI";

/// Whether `redis-cli` can be run. When it cannot, prints a line saying
/// that `test` was skipped and how to install the tool (to the real
/// stderr, past the test harness's capture, so it shows in a passing
/// run), or, with `SPOOL_REQUIRE_REDIS_CLI=1` set, panics instead.
pub fn redis_cli_available(test: &str) -> bool {
    let found = Command::new("redis-cli")
        .arg("--version")
        .output()
        .map_err(|e| e.to_string())
        .and_then(|o| {
            if o.status.success() {
                Ok(())
            } else {
                Err(format!("`redis-cli --version` exited with {}", o.status))
            }
        });
    let Err(why) = found else {
        return true;
    };
    let required = std::env::var(REQUIRE_REDIS_CLI).is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(
        !required,
        "{test}: redis-cli is required ({REQUIRE_REDIS_CLI} is set) but cannot be run ({why}); \
         install it with `apt-get install redis-tools`"
    );
    // `eprintln!` would be captured by the test harness and never shown
    // for a passing test; a write to the stderr handle is not.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: redis-cli not found ({why}); install it with \
         `apt-get install redis-tools` (set {REQUIRE_REDIS_CLI}=1 to fail instead)"
    );
    false
}

/// Runs `redis-cli -p PORT args...` and returns its stdout, trimmed.
/// Callers check [`redis_cli_available`] first.
pub fn redis_cli(addr: SocketAddr, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &addr.port().to_string()])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run redis-cli ({e})"));
    assert!(
        output.status.success(),
        "redis-cli {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}
