//! Helpers for the end-to-end tests: start the real `kv` binary (the one
//! cargo built for this package, `CARGO_BIN_EXE_kv`) on an ephemeral
//! loopback port, talk to it over std sockets or with the real
//! `redis-cli`, read its log and its memory, and bound every wait.
//!
//! Include with `mod common;`; not every test file uses every helper.
//! The process and socket helpers are `tests/util/process.rs` of
//! spool-rt, included from there (kv is a workspace member beside it).
#![allow(dead_code)]

// The process helpers (a server process, killed on drop, whose output is
// read line by line; bounded waits) are spool's own end-to-end tests',
// shared rather than copied.
#[path = "../../../../tests/util/process.rs"]
mod process;

use kv::reply::{self, show};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::sync::mpsc;
use std::time::Duration;

#[allow(unused_imports)] // not every test file uses every helper
pub use process::{closed_by_peer, connect, wait_for, DEADLINE};

/// A running kv server process, killed on drop.
#[derive(Debug)]
pub struct Kv {
    server: process::Server,
}

impl Kv {
    /// Starts the binary with `args` (and `--listen 127.0.0.1:0`) and
    /// returns once it listens (its first line says where:
    /// "kv listening on 127.0.0.1:PORT (1 worker)").
    pub fn start(args: &[&str]) -> Kv {
        let args = [&["--listen", "127.0.0.1:0"], args].concat();
        let bin = Path::new(env!("CARGO_BIN_EXE_kv"));
        Kv {
            server: process::Server::start(bin, &args, "kv listening on "),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Sends signal `name` ("INT", "TERM") to the server.
    pub fn signal(&self, name: &str) {
        self.server.signal(name)
    }

    /// A field of `/proc/<pid>/status` in KiB (`VmRSS`, `VmHWM`).
    pub fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.server.pid()))
            .expect("the server is running");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    /// The first line the server printed (stdout or stderr) that contains
    /// `needle`, if it has printed one yet.
    pub fn logged(&mut self, needle: &str) -> Option<String> {
        self.server.logged(needle)
    }

    /// Waits (bounded) for the process to exit; returns its status and
    /// every line it printed after the first.
    pub fn wait(self) -> (ExitStatus, Vec<String>) {
        self.server.wait()
    }
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

/// Ends the whole test process with a message if the returned guard is
/// not dropped within `limit`: a hang becomes a clear failure.
pub fn watchdog(limit: Duration, what: &'static str) -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(limit) {
            eprintln!("watchdog: {what} did not finish within {limit:?}");
            std::process::exit(101);
        }
    });
    Watchdog { _tx: tx }
}

/// Guard returned by [`watchdog`].
#[derive(Debug)]
pub struct Watchdog {
    _tx: mpsc::Sender<()>,
}
