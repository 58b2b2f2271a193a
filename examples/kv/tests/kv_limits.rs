//! The real kv server binary against clients that ask for too much:
//! a 3,000-key `MGET` of a 1 MiB value from a client that never reads
//! (the server's peak RSS stays far below the 3 GiB reply, the client is
//! disconnected with a log line, and other clients are still served),
//! `--maxclients`, `--timeout` (idle readers and stalled writers alike)
//! and `--proto-max-bulk-len` (a half-sent argument holds only what
//! arrived).
//!
//! Each test starts the binary on an ephemeral loopback port, under a
//! watchdog; every wait is a poll with a deadline.

mod common;

use common::{closed_by_peer as closed, connect, wait_for, Kv};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Reads exactly `n` bytes.
fn read_n(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).expect("a reply");
    buf
}

/// Sends `PING` and returns the reply line.
fn ping(stream: &mut TcpStream) -> Vec<u8> {
    stream.write_all(b"PING\r\n").unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8];
    while !line.ends_with(b"\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            _ => break,
        }
    }
    line
}

/// `SET k <size bytes>`, checked.
fn set_big(stream: &mut TcpStream, key: &str, size: usize) {
    let mut request =
        format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${size}\r\n", key.len()).into_bytes();
    request.resize(request.len() + size, b'x');
    request.extend_from_slice(b"\r\n");
    stream.write_all(&request).unwrap();
    assert_eq!(read_n(stream, 5), b"+OK\r\n");
}

#[test]
fn a_huge_mget_from_a_client_that_never_reads_is_bounded() {
    // Regression (issue 12, defect 7): this request made the server build
    // a 3 GiB reply (RSS ~3 GiB) for a client that never reads it.
    let _watchdog = common::watchdog(Duration::from_secs(120), "the MGET limit test");
    let mut kv = Kv::start(&[]);
    let mut setter = connect(kv.addr());
    set_big(&mut setter, "k", 1 << 20);
    let mut greedy = connect(kv.addr());
    let mut mget = b"*3001\r\n$4\r\nMGET\r\n".to_vec();
    for _ in 0..3000 {
        mget.extend_from_slice(b"$1\r\nk\r\n");
    }
    greedy.write_all(&mget).unwrap();
    // It never reads. The server must give up on it at its output limit.
    let limit_mib = 300;
    wait_for("the server to log that it closed the greedy client", || {
        let peak = kv.status_kib("VmHWM");
        assert!(
            peak < limit_mib * 1024,
            "server peak RSS {peak} KiB, over {limit_mib} MiB"
        );
        kv.logged("client-output-buffer-limit").is_some()
    });
    let line = kv.logged("client-output-buffer-limit").unwrap();
    assert!(line.contains("closing the connection from"), "{line}");
    // Others are still served, the value is intact, and the greedy client
    // was disconnected.
    let mut other = connect(kv.addr());
    assert_eq!(ping(&mut other), b"+PONG\r\n");
    other.write_all(b"GET k\r\n").unwrap();
    let reply = read_n(&mut other, (1 << 20) + 12);
    assert!(reply.starts_with(b"$1048576\r\nxxx") && reply.ends_with(b"x\r\n"));
    assert!(closed(&mut greedy));
    let peak = kv.status_kib("VmHWM");
    assert!(peak < limit_mib * 1024, "server peak RSS {peak} KiB");
}

#[test]
fn a_lower_output_limit_is_honoured_and_zero_means_none() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "--client-output-buffer-limit");
    let mut kv = Kv::start(&["--client-output-buffer-limit", "1mb"]);
    let mut c = connect(kv.addr());
    set_big(&mut c, "k", 600 << 10);
    c.write_all(b"MGET k\r\n").unwrap();
    assert_eq!(read_n(&mut c, 4), b"*1\r\n", "one value fits");
    let _ = read_n(&mut c, (600 << 10) + 11);
    c.write_all(b"MGET k k\r\n").unwrap();
    assert!(closed(&mut c), "two do not");
    wait_for("the log line", || {
        kv.logged("client-output-buffer-limit").is_some()
    });
    drop(kv);
    let kv = Kv::start(&["--client-output-buffer-limit", "0"]);
    let mut c = connect(kv.addr());
    set_big(&mut c, "k", 600 << 10);
    c.write_all(b"MGET k k k k\r\n").unwrap();
    let reply = read_n(&mut c, 4 + 4 * ((600 << 10) + 11));
    assert!(reply.starts_with(b"*4\r\n$614400\r\n") && reply.ends_with(b"x\r\n"));
}

/// `--maxclients 2`: a third connection is refused with redis's error and
/// closed; once one leaves, a new one is served.
fn max_clients(workers: &str) {
    let _watchdog = common::watchdog(Duration::from_secs(60), "--maxclients");
    let kv = Kv::start(&["--maxclients", "2", "--workers", workers]);
    let mut first = connect(kv.addr());
    let mut second = connect(kv.addr());
    assert_eq!(ping(&mut first), b"+PONG\r\n");
    assert_eq!(ping(&mut second), b"+PONG\r\n");
    let mut third = connect(kv.addr());
    let mut said = Vec::new();
    third.read_to_end(&mut said).expect("closed by the server");
    assert_eq!(said, b"-ERR max number of clients reached\r\n");
    drop(first);
    // The server notices the close in its own time: poll.
    wait_for("a place to free up", || {
        let mut next = connect(kv.addr());
        match ping(&mut next).as_slice() {
            b"+PONG\r\n" => true,
            b"-ERR max number of clients reached\r\n" => false,
            other => panic!("unexpected {:?}", String::from_utf8_lossy(other)),
        }
    });
    assert_eq!(ping(&mut second), b"+PONG\r\n");
}

#[test]
fn maxclients_refuses_the_connection_past_the_cap_one_worker() {
    max_clients("1");
}

#[test]
fn maxclients_refuses_the_connection_past_the_cap_two_workers() {
    max_clients("2");
}

#[test]
fn timeout_closes_idle_clients_and_spares_busy_ones() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "--timeout");
    let kv = Kv::start(&["--timeout", "1"]);
    let mut idle = connect(kv.addr());
    assert_eq!(ping(&mut idle), b"+PONG\r\n");
    let since = Instant::now();
    let mut busy = connect(kv.addr());
    let pinger = std::thread::spawn(move || {
        // Active every 200 ms for 2.5 s: never idle for a second.
        for _ in 0..12 {
            assert_eq!(ping(&mut busy), b"+PONG\r\n");
            std::thread::sleep(Duration::from_millis(200));
        }
        ping(&mut busy)
    });
    assert!(closed(&mut idle), "the idle client is closed");
    let waited = since.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(20),
        "closed after {waited:?}"
    );
    assert_eq!(pinger.join().unwrap(), b"+PONG\r\n");
}

#[test]
fn timeout_frees_the_place_of_a_client_that_stopped_reading() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "--timeout on writes");
    let kv = Kv::start(&["--timeout", "1", "--maxclients", "2"]);
    let mut loader = connect(kv.addr());
    set_big(&mut loader, "k", 1 << 20);
    // 64 replies of 1 MiB, none read: the server's write stalls.
    let mut stalled = connect(kv.addr());
    stalled.write_all(&b"GET k\r\n".repeat(64)).unwrap();
    drop(loader);
    // Both places were taken; the stalled one must be given back.
    wait_for("the stalled client to be closed", || {
        let mut next = connect(kv.addr());
        ping(&mut next) == b"+PONG\r\n"
    });
}

#[test]
fn no_timeout_by_default() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "no --timeout");
    let kv = Kv::start(&[]);
    let mut c = connect(kv.addr());
    assert_eq!(ping(&mut c), b"+PONG\r\n");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(ping(&mut c), b"+PONG\r\n");
}

#[test]
fn proto_max_bulk_len_refuses_at_the_header_and_bounds_half_sent_input() {
    let _watchdog = common::watchdog(Duration::from_secs(60), "--proto-max-bulk-len");
    let kv = Kv::start(&["--proto-max-bulk-len", "1kb"]);
    let mut c = connect(kv.addr());
    // Refused on the header alone, before any payload is sent.
    c.write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n")
        .unwrap();
    let mut said = Vec::new();
    c.read_to_end(&mut said).expect("closed by the server");
    assert_eq!(said, b"-ERR Protocol error: invalid bulk length\r\n");
    let mut c = connect(kv.addr());
    set_big(&mut c, "k", 1024);
    drop(kv);
    // A client declaring 400 MiB (allowed) and sending 16 MiB of it: the
    // server holds what arrived (its buffer doubles with the bytes
    // received), not what was declared. write_all returns once the kernel
    // took all 16 MiB, so the server has read all but a few MiB of them.
    let kv = Kv::start(&["--proto-max-bulk-len", "512mb"]);
    let mut c = connect(kv.addr());
    c.write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$419430400\r\n")
        .unwrap();
    c.write_all(&vec![b'y'; 16 << 20]).unwrap();
    let mut other = connect(kv.addr());
    assert_eq!(ping(&mut other), b"+PONG\r\n");
    let peak = kv.status_kib("VmHWM");
    assert!(peak < 96 * 1024, "peak RSS {peak} KiB for 16 MiB received");
}
