//! Helpers for end-to-end tests of a real server binary (an example):
//! start it on an ephemeral loopback port, read its output line by line,
//! signal it, and bound every wait. The kv server's tests include this
//! file too (`examples/kv/tests/common`), for the `kv` binary: it must
//! need nothing beyond std.
//!
//! Include with `#[path = "util/process.rs"] mod process;`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// How long any one condition, read or write may take.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The binary of example `name`, built by the same `cargo test` run (cargo
/// builds the examples beside the test binaries: `target/<profile>/examples`).
///
/// # Panics
///
/// When it is missing (`cargo test --test X` alone builds no example),
/// saying how to build it.
pub fn example(name: &str, features: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test> -> target/<profile>/examples/<name>
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join(name))
        .expect("the test binary lives in target/<profile>/deps");
    assert!(
        path.is_file(),
        "{} is missing: run the whole `cargo test --features {features}` (it builds the \
         examples), or `cargo build --example {name} --features {features}` first",
        path.display()
    );
    path
}

/// A running server process, killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    addr: SocketAddr,
    /// Every line it prints (stdout and stderr), after the first.
    log: Receiver<String>,
    /// Lines read from `log` so far.
    seen: Vec<String>,
}

impl Server {
    /// Starts `program` with `args` and returns once its first line on
    /// stdout, which must contain `listening` followed by the address,
    /// has arrived.
    pub fn start(program: &Path, args: &[&str], listening: &str) -> Server {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = first
            .split_once(listening)
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"));
        let (tx, log) = mpsc::channel();
        // Both streams are read to their end, so the server never blocks
        // on a full pipe.
        let err_tx = tx.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if err_tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            addr,
            log,
            seen: Vec::new(),
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends signal `name` ("INT", "TERM") to the process, as `kill -NAME`.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} {pid}: {status}");
    }

    /// The first line printed so far that contains `needle`.
    pub fn logged(&mut self, needle: &str) -> Option<String> {
        self.seen.extend(self.log.try_iter());
        self.seen.iter().find(|l| l.contains(needle)).cloned()
    }

    /// Waits (bounded) for the process to exit; returns its status and
    /// every line it printed after the first.
    pub fn wait(mut self) -> (ExitStatus, Vec<String>) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(start.elapsed() < DEADLINE, "the server did not exit");
            std::thread::sleep(Duration::from_millis(5));
        };
        // The readers end at EOF, now that the process is gone.
        while let Ok(line) = self.log.recv_timeout(DEADLINE) {
            self.seen.push(line);
        }
        (status, std::mem::take(&mut self.seen))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects to `addr` with read and write timeouts of [`DEADLINE`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    s.set_write_timeout(Some(DEADLINE)).unwrap();
    s.set_nodelay(true).unwrap();
    s
}

/// Polls `ready` every few milliseconds until it is true; fails after
/// [`DEADLINE`] naming `what`.
pub fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads from `stream` until what it has read contains `needle`; returns
/// everything read. Fails on EOF or after [`DEADLINE`].
pub fn read_until(stream: &mut TcpStream, needle: &[u8]) -> Vec<u8> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while !got.windows(needle.len()).any(|w| w == needle) {
        let n = stream.read(&mut chunk).unwrap_or_else(|e| {
            panic!("reading, {e}; so far: {:?}", String::from_utf8_lossy(&got))
        });
        assert!(
            n > 0,
            "EOF before {:?}; got {:?}",
            String::from_utf8_lossy(needle),
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&chunk[..n]);
    }
    got
}

/// Whether the peer closed `stream` (reads to EOF, discarding what it
/// still had to say; a reset counts too).
pub fn closed_by_peer(stream: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}
