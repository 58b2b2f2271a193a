//! The kv example with two workers: connections are dealt to both workers
//! (handed off with `into_std`/`from_std`), and all of them share one
//! keyspace: writes on one connection are seen on every other, concurrent
//! INCRs from many connections all count, and MSET/MGET stay atomic across
//! shards while other connections write.

mod common;

use common::Kv;

fn start() -> Kv {
    Kv::start(&["--workers", "2"])
}

#[test]
fn every_connection_sees_one_keyspace() {
    let server = start();
    // Consecutive connections land on alternate workers.
    let mut conns: Vec<_> = (0..6).map(|_| common::connect(server.addr())).collect();
    for (i, c) in conns.iter_mut().enumerate() {
        let set = format!("SET from:{i} {i}\r\n");
        assert_eq!(common::exchange(c, set.as_bytes(), 1), ["OK"]);
    }
    for c in conns.iter_mut() {
        let replies = common::exchange(c, b"MGET from:0 from:1 from:2 from:3 from:4 from:5\r\n", 1);
        assert_eq!(replies, ["[\"0\", \"1\", \"2\", \"3\", \"4\", \"5\"]"]);
        assert_eq!(common::exchange(c, b"DBSIZE\r\n", 1), ["(integer) 6"]);
    }
}

#[test]
fn concurrent_incrs_from_both_workers_all_count() {
    let server = start();
    let addr = server.addr();
    const CONNS: usize = 8;
    const BATCHES: usize = 50;
    const PER_BATCH: usize = 20;
    let threads: Vec<_> = (0..CONNS)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = common::connect(addr);
                let batch = "INCR counter\r\n".repeat(PER_BATCH);
                for _ in 0..BATCHES {
                    let replies = common::exchange(&mut c, batch.as_bytes(), PER_BATCH);
                    assert!(replies.iter().all(|r| r.starts_with("(integer) ")));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut c = common::connect(addr);
    let total = CONNS * BATCHES * PER_BATCH;
    assert_eq!(
        common::exchange(&mut c, b"GET counter\r\n", 1),
        [format!("\"{total}\"")]
    );
}

#[test]
fn mset_and_mget_are_atomic_across_shards() {
    let server = start();
    let addr = server.addr();
    // Keys chosen to span several shards.
    let keys: Vec<String> = (0..8).map(|i| format!("atomic:{i}")).collect();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let keys = keys.clone();
            std::thread::spawn(move || {
                let mut c = common::connect(addr);
                for round in 0..2000 {
                    let value = format!("w{w}r{round}");
                    let mut cmd = String::from("MSET");
                    for k in &keys {
                        cmd.push_str(&format!(" {k} {value}"));
                    }
                    cmd.push_str("\r\n");
                    assert_eq!(common::exchange(&mut c, cmd.as_bytes(), 1), ["OK"]);
                }
            })
        })
        .collect();
    let mut reader = common::connect(addr);
    let mget = format!("MGET {}\r\n", keys.join(" "));
    let mut consistent_reads = 0;
    while !writers.iter().all(|w| w.is_finished()) && consistent_reads < 10_000 {
        let shown = common::exchange(&mut reader, mget.as_bytes(), 1).remove(0);
        let values: Vec<&str> = shown
            .trim_matches(|c| c == '[' || c == ']')
            .split(", ")
            .collect();
        assert!(
            values.iter().all(|v| *v == values[0]),
            "MGET saw a half-applied MSET: {shown}"
        );
        consistent_reads += 1;
    }
    for w in writers {
        w.join().unwrap();
    }
    assert!(consistent_reads > 0);
}
