//! Helpers for the unit tests: run command lines through the command
//! engine, without a network, and read the replies as redis-cli shows
//! them.

use crate::commands::{execute, Flow};
use crate::keyspace::Keyspace;
use crate::reply::{self, show};
use crate::resp::{Limits, Parser, Status};
use std::time::Instant;

/// Runs one inline command line (`"SET k v"`, quoting allowed) against
/// `ks` at time `now`; returns the reply decoded into a readable string
/// (see [`show`]) and whether the connection would stay open.
pub fn run<K: Keyspace>(ks: &K, now: Instant, line: &str) -> (String, Flow) {
    let mut parser = Parser::new(Limits::default());
    let input = format!("{line}\r\n").into_bytes();
    let Ok(Status::Complete(n)) = parser.parse(&input) else {
        panic!("not one command: {line:?}");
    };
    assert_eq!(n, input.len());
    let mut out = Vec::new();
    let flow = execute(ks, &parser.args(&input), now, &mut out);
    let (reply, used) = reply::read(&out).unwrap().expect("a whole reply");
    assert_eq!(used, out.len(), "exactly one reply");
    (show(&reply), flow)
}
