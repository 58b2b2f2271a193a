//! The kv example in nap mode (poll mode off): with more clients than
//! the nap threshold, each sending pipelined batches at once, the worker
//! naps between batches, and every reply is still the right one, on one
//! worker and on two. The nap is made long (1 ms, the most `--nap-us`
//! allows) so that many requests arrive during each one. A nap longer
//! than that is refused at start-up.

mod common;

use common::Kv;
use std::process::{Command, Stdio};

/// More than `kv::spin::NAP_MIN_CONNECTIONS`, so the workers nap.
const CONNS: usize = 24;
const BATCHES: usize = 40;
const PER_BATCH: usize = 16;

fn clients_all_answered(args: &[&str]) {
    let _watchdog = common::watchdog(common::DEADLINE, "kv nap-mode clients");
    let server = Kv::start(args);
    let addr = server.addr();
    let threads: Vec<_> = (0..CONNS)
        .map(|c| {
            std::thread::spawn(move || {
                let mut conn = common::connect(addr);
                for b in 0..BATCHES {
                    // SET then GET of this client's key: the GET must see
                    // this batch's value, whatever the other clients did.
                    let mut batch = String::new();
                    for i in 0..PER_BATCH / 2 {
                        batch.push_str(&format!("SET k{c}:{i} v{c}:{b}:{i}\r\nGET k{c}:{i}\r\n"));
                    }
                    let replies = common::exchange(&mut conn, batch.as_bytes(), PER_BATCH);
                    for (i, pair) in replies.chunks(2).enumerate() {
                        assert_eq!(pair[0], "OK");
                        assert_eq!(pair[1], format!("\"v{c}:{b}:{i}\""));
                    }
                }
                let incr = common::exchange(&mut conn, b"INCR clients\r\n", 1);
                assert!(incr[0].starts_with("(integer) "), "{incr:?}");
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let mut conn = common::connect(addr);
    assert_eq!(
        common::exchange(&mut conn, b"GET clients\r\n", 1),
        [format!("\"{CONNS}\"")]
    );
    assert_eq!(
        common::exchange(&mut conn, b"DBSIZE\r\n", 1),
        [format!("(integer) {}", CONNS * PER_BATCH / 2 + 1)]
    );
}

#[test]
fn one_worker_napping_answers_every_client() {
    assert!(CONNS as u32 > kv::spin::NAP_MIN_CONNECTIONS);
    clients_all_answered(&["--spin-us", "0", "--nap-us", "1000"]);
}

#[test]
fn two_workers_napping_answer_every_client() {
    clients_all_answered(&["--workers", "2", "--spin-us", "0", "--nap-us", "1000"]);
}

#[test]
fn a_nap_over_the_cap_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_kv"))
        .args(["--listen", "127.0.0.1:0", "--nap-us", "1001"])
        .stdin(Stdio::null())
        .output()
        .expect("kv runs");
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--nap-us 1001: at most 1000"),
        "the error says why: {stderr}"
    );
}
