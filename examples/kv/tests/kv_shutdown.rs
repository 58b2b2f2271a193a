//! Ctrl-C (SIGINT) sent to the real kv binary: it stops accepting, closes
//! an idle connection at once, lets a connection in the middle of a large
//! reply receive all of it, prints what it did and exits 0.
#![cfg(feature = "signal")]

mod common;

use common::{closed_by_peer, connect, wait_for, Kv};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn graceful_stop(workers: &str) {
    let _watchdog = common::watchdog(Duration::from_secs(60), "graceful stop");
    let mut kv = Kv::start(&["--workers", workers]);
    let addr = kv.addr();
    // A 1 MiB value, and a client that asks for it 8 times over without
    // reading yet: 8 MiB of replies, most of them still to be written when
    // the signal arrives.
    let mut busy = connect(addr);
    let value = vec![b'v'; 1 << 20];
    let mut set = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", value.len()).into_bytes();
    set.extend_from_slice(&value);
    set.extend_from_slice(b"\r\n");
    busy.write_all(&set).unwrap();
    let mut ok = [0u8; 5];
    busy.read_exact(&mut ok).unwrap();
    assert_eq!(&ok, b"+OK\r\n");
    busy.write_all(&b"GET k\r\n".repeat(8)).unwrap();
    let mut idle = connect(addr);
    idle.write_all(b"PING\r\n").unwrap();
    let mut pong = [0u8; 7];
    idle.read_exact(&mut pong).unwrap();
    assert_eq!(&pong, b"+PONG\r\n");

    kv.signal("INT"); // what a terminal sends on Ctrl-C
    wait_for("the server to say it stopped accepting", || {
        kv.logged("stopped accepting connections").is_some()
    });
    // No new connections: refused (the listener is closed), or, on a
    // connection that raced the stop, closed without a reply.
    match TcpStream::connect(addr) {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
        Ok(mut late) => {
            late.set_read_timeout(Some(common::DEADLINE)).unwrap();
            let _ = late.write_all(b"PING\r\n");
            let mut said = Vec::new();
            let _ = late.read_to_end(&mut said);
            assert!(said.is_empty(), "a late connection was served: {said:?}");
        }
    }
    // The idle connection is closed; the busy one gets every reply it
    // asked for, then is closed.
    assert!(closed_by_peer(&mut idle), "idle connection left open");
    let mut replies = Vec::new();
    busy.read_to_end(&mut replies)
        .expect("the replies, then EOF");
    let one = [format!("${}\r\n", value.len()).as_bytes(), &value, b"\r\n"].concat();
    assert_eq!(replies.len(), 8 * one.len(), "every reply, whole");
    assert!(replies.chunks(one.len()).all(|r| r == one.as_slice()));
    let (status, printed) = kv.wait();
    assert!(status.success(), "exit status {status}: {printed:?}");
    assert!(
        printed
            .iter()
            .any(|l| l
                .contains("kv: stopped: 2 connections open at Ctrl-C, 2 closed after answering")),
        "the summary: {printed:?}"
    );
}

#[test]
fn ctrl_c_stops_gracefully_one_worker() {
    graceful_stop("1");
}

#[test]
fn ctrl_c_stops_gracefully_two_workers() {
    graceful_stop("2");
}
