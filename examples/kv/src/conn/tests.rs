//! The kv example's per-connection buffering, without sockets: memory
//! follows the bytes actually received (not the lengths a client
//! declares), a grown buffer shrinks back once idle, and a long pipelined
//! batch is cut into bounded writes without losing or reordering replies.

use crate::reply;

use super::{Connection, Outcome, FLUSH_AT};
use crate::keyspace::Local;
use crate::resp::Limits;
use std::time::Instant;

/// Copies `bytes` into the connection as one read (several if it does not
/// fit), processing after each.
fn feed(conn: &mut Connection, ks: &Local, mut bytes: &[u8]) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    while !bytes.is_empty() {
        let buf = conn.read_buf();
        let n = buf.len().min(bytes.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        conn.filled(n);
        bytes = &bytes[n..];
        outcomes.push(conn.process(ks, Instant::now()));
    }
    outcomes
}

#[test]
fn a_large_value_grows_the_buffer_with_the_bytes_received() {
    let ks = Local::new();
    let mut conn = Connection::new(Limits::default(), 1 << 30, usize::MAX);
    let value = vec![b'x'; 1 << 20];
    let mut input = format!("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${}\r\n", value.len()).into_bytes();
    input.extend_from_slice(&value);
    input.extend_from_slice(b"\r\n");
    let mut received = 0;
    for chunk in input.chunks(4096) {
        received += chunk.len();
        let outcomes = feed(&mut conn, &ks, chunk);
        assert!(
            conn.buffered_capacity() <= 2 * received + 64 * 1024,
            "{} bytes buffered after receiving {received}",
            conn.buffered_capacity()
        );
        if received < input.len() {
            assert_eq!(outcomes, [Outcome::NeedInput]);
        }
    }
    assert_eq!(conn.out, b"+OK\r\n");
    conn.written();
    // Idle again: the next read shrinks the input buffer back.
    let _ = conn.read_buf();
    assert!(
        conn.buffered_capacity() <= 64 * 1024,
        "{}",
        conn.buffered_capacity()
    );
    // And the value is all there.
    feed(&mut conn, &ks, b"GET big\r\n");
    let (reply, _) = reply::read(&conn.out).unwrap().unwrap();
    assert_eq!(reply, reply::Reply::Bulk(Some(&value)));
}

#[test]
fn a_declared_huge_bulk_is_not_allocated_up_front() {
    let ks = Local::new();
    let mut conn = Connection::new(Limits::default(), 1 << 30, usize::MAX);
    // 500 MiB declared (under the 512 MiB limit), 10 KiB sent.
    let mut input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$524288000\r\n".to_vec();
    input.extend_from_slice(&[b'y'; 10 * 1024]);
    assert!(feed(&mut conn, &ks, &input)
        .iter()
        .all(|o| *o == Outcome::NeedInput));
    assert!(
        conn.buffered_capacity() <= 64 * 1024,
        "{} bytes buffered for 10 KiB received",
        conn.buffered_capacity()
    );
}

#[test]
fn a_long_pipeline_is_flushed_in_bounded_batches() {
    let ks = Local::new();
    let mut conn = Connection::new(Limits::default(), 1 << 30, usize::MAX);
    let value = vec![b'z'; 1000];
    let mut input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000\r\n".to_vec();
    input.extend_from_slice(&value);
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(&b"GET k\r\n".repeat(1000));
    // Feed it all first, then drain the way the server does.
    let buf = conn.read_buf();
    assert!(buf.len() >= input.len(), "one read holds the batch");
    buf[..input.len()].copy_from_slice(&input);
    conn.filled(input.len());
    let mut writes = Vec::new();
    loop {
        let outcome = conn.process(&ks, Instant::now());
        writes.push(conn.out.len());
        let mut pos = 0;
        while let Some((reply, n)) = reply::read(&conn.out[pos..]).unwrap() {
            if pos > 0 || writes.len() > 1 {
                assert_eq!(reply, reply::Reply::Bulk(Some(&value)));
            }
            pos += n;
        }
        assert_eq!(pos, conn.out.len(), "only whole replies per write");
        conn.written();
        if outcome == Outcome::NeedInput {
            break;
        }
        assert_eq!(outcome, Outcome::More);
    }
    assert!(writes.len() > 1, "the batch was cut: {writes:?}");
    assert!(writes.iter().all(|&w| w < FLUSH_AT + 2048), "{writes:?}");
    let total: usize = writes.iter().sum();
    assert_eq!(total, 5 + 1000 * (value.len() + 9));
}

#[test]
fn input_buffers_come_from_the_shared_pool_and_return_to_it() {
    let pool = spool::buf::BufferPool::shared();
    let before = pool.stats();
    drop(Connection::new(Limits::default(), 1 << 30, usize::MAX));
    let _second = Connection::new(Limits::default(), 1 << 30, usize::MAX);
    let after = pool.stats();
    assert!(after.rents >= before.rents + 2, "{before:?} -> {after:?}");
    assert!(after.returned > before.returned, "{before:?} -> {after:?}");
    assert!(after.reused > before.reused, "{before:?} -> {after:?}");
}

/// A connection with `limit` on its output, with `key` set to `size` bytes.
fn with_value(limit: usize, key: &str, size: usize) -> (Connection, Local) {
    let ks = Local::new();
    let mut conn = Connection::new(Limits::default(), 1 << 30, limit);
    let mut input =
        format!("*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${size}\r\n", key.len()).into_bytes();
    input.resize(input.len() + size, b'v');
    input.extend_from_slice(b"\r\n");
    feed(&mut conn, &ks, &input);
    assert_eq!(conn.out, b"+OK\r\n");
    conn.written();
    (conn, ks)
}

#[test]
fn an_mget_stops_at_the_output_limit_instead_of_building_the_whole_reply() {
    // Regression (issue 12, defect 7): one MGET naming a 1 MiB value 3,000
    // times made the server build a 3 GiB reply.
    let limit = 8 << 20;
    let (mut conn, ks) = with_value(limit, "k", 1 << 20);
    let mut request = b"*3001\r\n$4\r\nMGET\r\n".to_vec();
    for _ in 0..3000 {
        request.extend_from_slice(b"$1\r\nk\r\n");
    }
    let outcomes = feed(&mut conn, &ks, &request);
    let Some(&Outcome::OutputLimit { held }) = outcomes.last() else {
        panic!("not stopped at the limit: {outcomes:?}");
    };
    assert!(
        held > limit && held <= limit + (1 << 20) + 64,
        "stopped with {held} bytes held"
    );
    assert!(conn.out.is_empty(), "nothing of the reply is sent");
    assert!(
        conn.buffered_capacity() < 1 << 20,
        "{} bytes still held",
        conn.buffered_capacity()
    );
}

#[test]
fn keys_stops_at_the_output_limit() {
    let limit = 64 << 10;
    let ks = Local::new();
    let mut conn = Connection::new(Limits::default(), 1 << 30, limit);
    // 2,000 keys of 100 bytes: a KEYS reply of about 210 KB.
    let mut input = Vec::new();
    for i in 0..2000 {
        input.extend_from_slice(format!("SET {i:0>100} v\r\n").as_bytes());
    }
    feed(&mut conn, &ks, &input);
    conn.written();
    assert_eq!(
        feed(&mut conn, &ks, b"KEYS *1999\r\n").last(),
        Some(&Outcome::NeedInput),
        "a small KEYS reply is fine"
    );
    conn.written();
    let outcomes = feed(&mut conn, &ks, b"KEYS *\r\n");
    let Some(&Outcome::OutputLimit { held }) = outcomes.last() else {
        panic!("not stopped at the limit: {outcomes:?}");
    };
    assert!(
        held > limit && held < limit + 200,
        "stopped with {held} bytes held"
    );
}

#[test]
fn replies_under_the_limit_are_unaffected_and_the_batch_flushes_below_it() {
    let limit = 64 << 10;
    let (mut conn, ks) = with_value(limit, "k", 10_000);
    // A pipelined batch whose replies add up to 30x the limit: written in
    // pieces of at most half the limit, never refused.
    let outcomes = feed(&mut conn, &ks, &b"GET k\r\n".repeat(200));
    assert!(outcomes.iter().all(|o| *o != Outcome::Close));
    let mut total = conn.out.len();
    assert!(conn.out.len() <= limit / 2 + 10_100, "{}", conn.out.len());
    conn.written();
    while conn.process(&ks, Instant::now()) == Outcome::More {
        assert!(conn.out.len() <= limit / 2 + 10_100, "{}", conn.out.len());
        total += conn.out.len();
        conn.written();
    }
    total += conn.out.len();
    assert_eq!(total, 200 * (10_000 + 10));
    // One reply over the limit is refused.
    let (mut conn, ks) = with_value(limit, "big", limit + 1);
    let outcomes = feed(&mut conn, &ks, b"GET big\r\n");
    assert!(matches!(outcomes.last(), Some(Outcome::OutputLimit { .. })));
}
