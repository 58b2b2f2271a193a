//! Expiry in the running kv server: a key with a deadline disappears for
//! readers at once (lazy expiry) and is removed from the keyspace by the
//! periodic sweeper even if nobody reads it (DBSIZE drops). Waits are
//! bounded polls, not sleeps: the test ends as soon as the condition
//! holds, and fails after a generous bound.

mod common;

use common::Kv;
use std::time::{Duration, Instant};

/// Polls `probe` until it returns true, for at most 10 seconds.
fn eventually(mut probe: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !probe() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "condition not reached within 10 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    start.elapsed()
}

fn sweeper_removes_unread_keys(workers: usize) {
    let server = Kv::start(&["--workers", &workers.to_string()]);
    let mut c = common::connect(server.addr());
    let mut batch = String::new();
    for i in 0..500 {
        batch.push_str(&format!("SET short:{i} v PX 30\r\n"));
    }
    batch.push_str("SET forever v\r\n");
    let replies = common::exchange(&mut c, batch.as_bytes(), 501);
    assert!(replies.iter().all(|r| r == "OK"));
    // Readers see the keys vanish (lazy expiry)...
    eventually(|| common::exchange(&mut c, b"EXISTS short:0 short:499\r\n", 1)[0] == "(integer) 0");
    // ...and the sweeper removes them without anyone reading them.
    eventually(|| common::exchange(&mut c, b"DBSIZE\r\n", 1)[0] == "(integer) 1");
    assert_eq!(
        common::exchange(&mut c, b"KEYS *\r\n", 1),
        ["[\"forever\"]"]
    );
    assert_eq!(
        common::exchange(&mut c, b"TTL forever\r\n", 1),
        ["(integer) -1"]
    );
}

#[test]
fn the_sweeper_removes_unread_keys_one_worker() {
    sweeper_removes_unread_keys(1);
}

#[test]
fn the_sweeper_removes_unread_keys_two_workers() {
    sweeper_removes_unread_keys(2);
}

#[test]
fn ttl_counts_down_and_the_key_expires() {
    let server = Kv::start(&[]);
    let mut c = common::connect(server.addr());
    assert_eq!(
        common::exchange(&mut c, b"SET k v\r\nPEXPIRE k 200\r\n", 2),
        ["OK", "(integer) 1"]
    );
    let pttl = |c: &mut std::net::TcpStream| -> i64 {
        let shown = common::exchange(c, b"PTTL k\r\n", 1).remove(0);
        shown.trim_start_matches("(integer) ").parse().unwrap()
    };
    let first = pttl(&mut c);
    assert!((1..=200).contains(&first), "PTTL {first}");
    eventually(|| pttl(&mut c) < first);
    eventually(|| pttl(&mut c) == -2);
    assert_eq!(common::exchange(&mut c, b"GET k\r\n", 1), ["(nil)"]);
}
