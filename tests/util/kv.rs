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

/// Runs `redis-cli -p PORT args...` and returns its stdout, trimmed.
/// Fails with a clear message if redis-cli is not installed.
pub fn redis_cli(addr: SocketAddr, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &addr.port().to_string()])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run redis-cli ({e}): install redis-tools \
                 (apt-get install -y redis-tools); CI installs it"
            )
        });
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
