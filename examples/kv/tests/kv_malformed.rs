//! Malformed input sent raw over std sockets to the kv server binary:
//! recoverable mistakes (unknown command, wrong arity, non-integer INCR,
//! bad SET options) get an error reply and the connection keeps working;
//! broken frames (bad `*`/`$` lengths, a bulk over `--max-bulk`, an
//! overlong inline line, unbalanced quotes) get `-ERR Protocol error: ...`
//! and the connection is closed, after the replies to the commands before
//! them, as redis-server does. Also: requests split at every byte, and a
//! large pipelined batch.

mod common;

use common::Kv;
use std::io::Write;

/// A server with small limits so that over-limit input is cheap to send.
fn start() -> Kv {
    Kv::start(&[
        "--max-bulk",
        "1024",
        "--max-inline",
        "256",
        "--max-args",
        "16",
        "--max-query",
        "4096",
    ])
}

#[test]
fn recoverable_errors_keep_the_connection() {
    let server = start();
    let mut s = common::connect(server.addr());
    let replies = common::exchange(
        &mut s,
        b"NOSUCH a\r\n\
          *1\r\n$3\r\nGET\r\n\
          SET n abc\r\nINCR n\r\n\
          SET k v EX\r\nSET k v EX -1\r\nSET k v NX XX\r\n\
          *0\r\n\r\n\
          PING\r\n",
        8,
    );
    assert_eq!(
        replies,
        [
            "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a' ",
            "(error) ERR wrong number of arguments for 'get' command",
            "OK",
            "(error) ERR value is not an integer or out of range",
            "(error) ERR syntax error",
            "(error) ERR invalid expire time in 'set' command",
            "(error) ERR syntax error",
            "PONG",
        ]
    );
    // Still usable afterwards, in a later write.
    assert_eq!(common::exchange(&mut s, b"GET n\r\n", 1), ["\"abc\""]);
}

/// Sends `bytes` after a good command; expects the good reply, then
/// `error`, then the connection closed.
fn fatal(bytes: &[u8], error: &str) {
    let server = start();
    let mut s = common::connect(server.addr());
    let mut input = b"SET before 1\r\n".to_vec();
    input.extend_from_slice(bytes);
    let replies = common::exchange(&mut s, &input, 2);
    assert_eq!(replies[0], "OK");
    assert_eq!(replies[1], format!("(error) {error}"));
    assert!(
        common::closed_by_peer(&mut s),
        "connection left open after {error}"
    );
    // The server itself is fine: a new connection works and saw the SET.
    let mut s = common::connect(server.addr());
    assert_eq!(common::exchange(&mut s, b"GET before\r\n", 1), ["\"1\""]);
}

#[test]
fn a_bad_bulk_length_closes_the_connection() {
    fatal(
        b"*2\r\n$3\r\nGET\r\n$x\r\nk\r\n",
        "ERR Protocol error: invalid bulk length",
    );
}

#[test]
fn a_negative_bulk_length_closes_the_connection() {
    fatal(b"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length");
}

#[test]
fn a_bad_multibulk_length_closes_the_connection() {
    fatal(b"*two\r\n", "ERR Protocol error: invalid multibulk length");
}

#[test]
fn too_many_arguments_close_the_connection() {
    fatal(b"*17\r\n", "ERR Protocol error: invalid multibulk length");
}

#[test]
fn a_missing_dollar_closes_the_connection() {
    fatal(b"*1\r\n:3\r\n", "ERR Protocol error: expected '$', got ':'");
}

#[test]
fn unbalanced_quotes_close_the_connection() {
    fatal(
        b"SET k \"oops\r\n",
        "ERR Protocol error: unbalanced quotes in request",
    );
}

#[test]
fn an_overlong_inline_line_closes_the_connection() {
    let mut line = vec![b'x'; 300];
    line.extend_from_slice(b"\r\n");
    fatal(&line, "ERR Protocol error: too big inline request");
}

#[test]
fn an_over_limit_bulk_is_refused_before_its_payload() {
    let server = start();
    let mut s = common::connect(server.addr());
    // Only the header is sent: the refusal cannot have waited for the
    // 1025 payload bytes.
    let replies = common::exchange(&mut s, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n", 1);
    assert_eq!(replies, ["(error) ERR Protocol error: invalid bulk length"]);
    assert!(common::closed_by_peer(&mut s));
}

#[test]
fn a_bulk_at_the_limit_is_accepted() {
    let server = start();
    let mut s = common::connect(server.addr());
    let value = vec![b'v'; 1024];
    let mut input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1024\r\n".to_vec();
    input.extend_from_slice(&value);
    input.extend_from_slice(b"\r\nSTRLEN_IS_UNKNOWN\r\nGET k\r\n");
    let replies = common::exchange(&mut s, &input, 3);
    assert_eq!(replies[0], "OK");
    assert!(replies[1].starts_with("(error) ERR unknown command"));
    assert_eq!(
        replies[2],
        format!("{:?}", String::from_utf8(value).unwrap())
    );
}

#[test]
fn a_request_larger_than_the_query_limit_is_refused() {
    let server = start();
    let mut s = common::connect(server.addr());
    // Six 1000-byte bulks are each under --max-bulk, but the frame would
    // exceed --max-query (4096): refused as soon as its declared size
    // passes the limit (at the fifth bulk's header).
    let mut input = b"*7\r\n$4\r\nMSET\r\n".to_vec();
    for _ in 0..6 {
        input.extend_from_slice(b"$1000\r\n");
        input.extend_from_slice(&[b'a'; 1000]);
        input.extend_from_slice(b"\r\n");
    }
    s.write_all(&input).unwrap_or(()); // the server may close mid-write
    let replies = common::read_replies(&mut s, 1);
    assert_eq!(
        replies,
        ["(error) ERR Protocol error: request larger than the query buffer limit"]
    );
    assert!(common::closed_by_peer(&mut s));
}

#[test]
fn requests_split_at_every_byte_still_parse() {
    let server = start();
    let mut s = common::connect(server.addr());
    let input = b"*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$3\r\nyes\r\nGET split\r\n";
    for &byte in input.iter() {
        s.write_all(&[byte]).unwrap();
        s.flush().unwrap();
    }
    assert_eq!(common::read_replies(&mut s, 2), ["OK", "\"yes\""]);
}

#[test]
fn a_large_pipelined_batch_gets_every_reply_in_order() {
    let server = start();
    let mut s = common::connect(server.addr());
    let mut input = Vec::new();
    for i in 0..5000 {
        input.extend_from_slice(format!("INCR counter\r\nECHO m{i}\r\n").as_bytes());
    }
    // Written from another thread: the replies (about 80 KiB) flow back
    // while the requests are still going out.
    let mut writer = s.try_clone().unwrap();
    let sender = std::thread::spawn(move || writer.write_all(&input));
    let replies = common::read_replies(&mut s, 10_000);
    sender.join().unwrap().unwrap();
    for (i, pair) in replies.chunks(2).enumerate() {
        assert_eq!(pair[0], format!("(integer) {}", i + 1));
        assert_eq!(pair[1], format!("\"m{i}\""));
    }
}

#[test]
fn quit_closes_after_ok() {
    let server = start();
    let mut s = common::connect(server.addr());
    assert_eq!(
        common::exchange(&mut s, b"PING\r\nQUIT\r\nPING\r\n", 2),
        ["PONG", "OK"]
    );
    assert!(common::closed_by_peer(&mut s));
}
