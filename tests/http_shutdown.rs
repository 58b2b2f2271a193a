//! Ctrl-C (SIGINT) and SIGTERM sent to the real `examples/http` binary
//! (issue 15): it stops accepting, closes an idle keep-alive connection at
//! once, lets a request in flight (`POST /stream`, half its body sent)
//! finish its response, prints what it did and exits 0.
//!
//! The binary is the one `cargo test --features hyper` builds beside this
//! test (see `util/process.rs`).
#![cfg(all(feature = "hyper", feature = "signal"))]

#[path = "util/process.rs"]
mod process;
mod util;

use process::{closed_by_peer, connect, read_until, wait_for, Server, DEADLINE};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const HELLO: &[u8] = b"Hello from hyper on spool!\n";

fn start(workers: &str) -> Server {
    let bin = process::example("http", "hyper");
    Server::start(
        &bin,
        &["--listen", "127.0.0.1:0", "--workers", workers],
        "listening on ",
    )
}

/// A keep-alive connection that has had one request answered and now
/// sits idle.
fn idle_connection(server: &Server) -> TcpStream {
    let mut idle = connect(server.addr());
    idle.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    read_until(&mut idle, HELLO);
    idle
}

/// The body of a chunked HTTP/1.1 response (`raw` from its status line
/// to its last chunk).
fn dechunk(raw: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(raw);
    assert!(
        text.starts_with("HTTP/1.1 200 OK\r\n"),
        "response: {text:?}"
    );
    let head_end = text.find("\r\n\r\n").expect("a whole head") + 4;
    let mut rest = &raw[head_end..];
    let mut body = Vec::new();
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16)
            .expect("a hex chunk size");
        rest = &rest[line_end + 2..];
        if size == 0 {
            assert_eq!(rest, b"\r\n", "nothing after the last chunk");
            return body;
        }
        body.extend_from_slice(&rest[..size]);
        assert_eq!(&rest[size..size + 2], b"\r\n");
        rest = &rest[size + 2..];
    }
}

fn graceful_stop(workers: &str) {
    let _watchdog = util::watchdog(Duration::from_secs(60), "http graceful stop");
    let mut server = start(workers);
    let addr = server.addr();
    let mut idle = idle_connection(&server);
    // A request in flight: its head and half its body sent, the echo of
    // that half received (so the server is in the middle of it).
    let mut busy = connect(addr);
    busy.write_all(
        b"POST /stream HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n\
          c\r\nfirst half, \r\n",
    )
    .unwrap();
    let mut response = read_until(&mut busy, b"first half, ");

    server.signal("INT");
    wait_for("the server to say it stopped accepting", || {
        server.logged("stopped accepting connections").is_some()
    });
    // No new connections: refused (the listener is closed), or, on one
    // that raced the stop, closed without a reply.
    match TcpStream::connect(addr) {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
        Ok(mut late) => {
            late.set_read_timeout(Some(DEADLINE)).unwrap();
            let _ = late.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n");
            let mut said = Vec::new();
            let _ = late.read_to_end(&mut said);
            assert!(said.is_empty(), "a late connection was served: {said:?}");
        }
    }
    // The idle connection is closed; the busy one gets the rest of its
    // response, then is closed (read_to_end returns at EOF).
    assert!(closed_by_peer(&mut idle), "idle connection left open");
    busy.write_all(b"b\r\nsecond half\r\n0\r\n\r\n").unwrap();
    busy.read_to_end(&mut response)
        .expect("the rest of the response, then EOF");
    assert_eq!(dechunk(&response), b"first half, second half");

    let (status, printed) = server.wait();
    assert!(status.success(), "exit status {status}: {printed:?}");
    let summary = "http: stopped: 2 connections open at Ctrl-C, 1 request in flight; \
                   1 request finished, 2 connections closed, 0 cut off; exiting";
    assert!(
        printed.iter().any(|l| l == summary),
        "the summary: {printed:?}"
    );
}

#[test]
fn ctrl_c_finishes_the_request_in_flight_one_worker() {
    graceful_stop("1");
}

#[test]
fn ctrl_c_finishes_the_request_in_flight_two_workers() {
    graceful_stop("2");
}

/// SIGTERM (what a service manager sends) stops it the same way.
#[test]
fn sigterm_stops_gracefully() {
    let _watchdog = util::watchdog(Duration::from_secs(60), "http SIGTERM");
    let server = start("2");
    let mut idle = idle_connection(&server);
    server.signal("TERM");
    assert!(closed_by_peer(&mut idle), "idle connection left open");
    let (status, printed) = server.wait();
    assert!(status.success(), "exit status {status}: {printed:?}");
    let summary = "http: stopped: 1 connection open at SIGTERM, 0 requests in flight; \
                   0 requests finished, 1 connection closed, 0 cut off; exiting";
    assert!(
        printed.iter().any(|l| l == summary),
        "the summary: {printed:?}"
    );
}
