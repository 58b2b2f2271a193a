//! The kv example's command engine without a network: every command's
//! reply, redis's error texts, arity checks, SET options, INCR edge cases,
//! and expiry driven by a fake clock (time is passed in, so no sleeping).

use crate::store;

use super::Flow;
use crate::keyspace::{Keyspace, Local, Shared};
use std::time::{Duration, Instant};

/// Runs `lines` in order at time `now`, returning the shown replies.
fn script<K: Keyspace>(ks: &K, now: Instant, lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| crate::testing::run(ks, now, l).0)
        .collect()
}

/// Both keyspaces must behave the same.
fn both(check: impl Fn(&dyn Fn(Instant, &[&str]) -> Vec<String>)) {
    let local = Local::new();
    check(&|now, lines| script(&local, now, lines));
    let shared = Shared::new();
    check(&|now, lines| script(&shared, now, lines));
}

#[test]
fn ping_echo_set_get_del_exists() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "PING",
                    "ping hello",
                    "ECHO \"a b\"",
                    "GET k",
                    "SET k v",
                    "GET k",
                    "set k v2",
                    "get k",
                    "EXISTS k k missing",
                    "DEL k missing",
                    "DEL k",
                    "EXISTS k",
                ]
            ),
            [
                "PONG",
                "\"hello\"",
                "\"a b\"",
                "(nil)",
                "OK",
                "\"v\"",
                "OK",
                "\"v2\"",
                "(integer) 2",
                "(integer) 1",
                "(integer) 0",
                "(integer) 0",
            ]
        );
    });
}

#[test]
fn set_options_nx_xx_get_keepttl() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "SET k a XX",
                    "GET k",
                    "SET k a NX",
                    "SET k b NX",
                    "GET k",
                    "SET k c XX",
                    "SET k d GET",
                    "SET fresh x GET",
                    "SET k e EX 100",
                    "SET k f KEEPTTL",
                    "TTL k",
                    "SET k g",
                    "TTL k",
                ]
            ),
            [
                "(nil)",
                "(nil)",
                "OK",
                "(nil)",
                "\"a\"",
                "OK",
                "\"c\"",
                "(nil)",
                "OK",
                "OK",
                "(integer) 100",
                "OK",
                "(integer) -1",
            ]
        );
    });
}

#[test]
fn set_option_errors_leave_the_key_alone() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "SET k v",
                    "SET k x NX XX",
                    "SET k x EX 10 PX 100",
                    "SET k x EX",
                    "SET k x EX ten",
                    "SET k x EX 0",
                    "SET k x PX -5",
                    "SET k x EX 9223372036854775807",
                    "SET k x BOGUS",
                    "SET k x EX 10 KEEPTTL",
                    "GET k",
                ]
            ),
            [
                "OK",
                "(error) ERR syntax error",
                "(error) ERR syntax error",
                "(error) ERR syntax error",
                "(error) ERR value is not an integer or out of range",
                "(error) ERR invalid expire time in 'set' command",
                "(error) ERR invalid expire time in 'set' command",
                "(error) ERR invalid expire time in 'set' command",
                "(error) ERR syntax error",
                "(error) ERR syntax error",
                "\"v\"",
            ]
        );
    });
}

#[test]
fn incr_decr_and_their_errors() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "INCR n",
                    "INCR n",
                    "DECR n",
                    "DECR fresh",
                    "INCRBY n 10",
                    "DECRBY n 20",
                    "GET n",
                    "SET s abc",
                    "INCR s",
                    "SET s 01",
                    "INCR s",
                    "SET s \" 1\"",
                    "INCR s",
                    "SET big 9223372036854775807",
                    "INCR big",
                    "GET big",
                    "SET small -9223372036854775808",
                    "DECR small",
                    "INCRBY n x",
                    "DECRBY n -9223372036854775808",
                ]
            ),
            [
                "(integer) 1",
                "(integer) 2",
                "(integer) 1",
                "(integer) -1",
                "(integer) 11",
                "(integer) -9",
                "\"-9\"",
                "OK",
                "(error) ERR value is not an integer or out of range",
                "OK",
                "(error) ERR value is not an integer or out of range",
                "OK",
                "(error) ERR value is not an integer or out of range",
                "OK",
                "(error) ERR increment or decrement would overflow",
                "\"9223372036854775807\"",
                "OK",
                "(error) ERR increment or decrement would overflow",
                "(error) ERR value is not an integer or out of range",
                "(error) ERR decrement would overflow",
            ]
        );
    });
}

#[test]
fn mget_mset_dbsize_flushall() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "MSET a 1 b 2 c 3",
                    "MGET a b missing c",
                    "DBSIZE",
                    "MSET a",
                    "MSET a 1 b",
                    "FLUSHALL",
                    "DBSIZE",
                    "MGET a",
                    "FLUSHALL BOGUS",
                ]
            ),
            [
                "OK",
                "[\"1\", \"2\", (nil), \"3\"]",
                "(integer) 3",
                "(error) ERR wrong number of arguments for 'mset' command",
                "(error) ERR wrong number of arguments for 'mset' command",
                "OK",
                "(integer) 0",
                "[(nil)]",
                "(error) ERR syntax error",
            ]
        );
    });
}

#[test]
fn expire_and_ttl_follow_the_clock() {
    both(|run| {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        assert_eq!(
            run(t0, &["TTL k", "SET k v", "TTL k", "EXPIRE k 10", "TTL k"]),
            [
                "(integer) -2",
                "OK",
                "(integer) -1",
                "(integer) 1",
                "(integer) 10"
            ]
        );
        // TTL rounds like redis: 9.6 s left shows 10, 9.4 s shows 9.
        assert_eq!(
            run(at(400), &["TTL k", "PTTL k"]),
            ["(integer) 10", "(integer) 9600"]
        );
        assert_eq!(run(at(600), &["TTL k"]), ["(integer) 9"]);
        assert_eq!(
            run(at(9_999), &["GET k", "EXISTS k"]),
            ["\"v\"", "(integer) 1"]
        );
        // At the deadline the key is gone for every reader.
        assert_eq!(
            run(
                at(10_000),
                &[
                    "GET k",
                    "EXISTS k",
                    "TTL k",
                    "MGET k",
                    "KEYS *",
                    "EXPIRE k 5"
                ]
            ),
            [
                "(nil)",
                "(integer) 0",
                "(integer) -2",
                "[(nil)]",
                "[]",
                "(integer) 0"
            ]
        );
        // INCR on an expired key starts again from 0, without a deadline.
        assert_eq!(
            run(at(10_000), &["SET n 5 PX 100", "INCR n", "TTL n", "PTTL n"]),
            ["OK", "(integer) 6", "(integer) 0", "(integer) 100"]
        );
        assert_eq!(
            run(at(10_100), &["INCR n", "TTL n"]),
            ["(integer) 1", "(integer) -1"]
        );
    });
}

#[test]
fn expire_options_and_persist() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "SET k v",
                    "EXPIRE k 100 XX",
                    "EXPIRE k 100 NX",
                    "EXPIRE k 200 NX",
                    "EXPIRE k 50 GT",
                    "EXPIRE k 300 GT",
                    "EXPIRE k 400 LT",
                    "EXPIRE k 20 LT",
                    "TTL k",
                    "PERSIST k",
                    "PERSIST k",
                    "TTL k",
                    "EXPIRE k 10 NX XX",
                    "EXPIRE k 10 GT LT",
                    "EXPIRE k 10 SOON",
                    "EXPIRE k ten",
                    "PEXPIRE k 1500",
                    "PTTL k",
                    "EXPIRE k 0",
                    "EXISTS k",
                ]
            ),
            [
                "OK",
                "(integer) 0",
                "(integer) 1",
                "(integer) 0",
                "(integer) 0",
                "(integer) 1",
                "(integer) 0",
                "(integer) 1",
                "(integer) 20",
                "(integer) 1",
                "(integer) 0",
                "(integer) -1",
                "(error) ERR NX and XX, GT or LT options at the same time are not compatible",
                "(error) ERR GT and LT options at the same time are not compatible",
                "(error) ERR Unsupported option SOON",
                "(error) ERR value is not an integer or out of range",
                "(integer) 1",
                "(integer) 1500",
                "(integer) 1",
                "(integer) 0",
            ]
        );
    });
}

#[test]
fn keys_with_glob_patterns() {
    both(|run| {
        let t = Instant::now();
        run(t, &["MSET user:1 a user:2 b user:10 c admin x"]);
        let sorted = |line: &str| {
            let shown = &run(t, &[line])[0];
            let mut keys: Vec<String> = shown
                .trim_matches(|c| c == '[' || c == ']')
                .split(", ")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            keys.sort();
            keys
        };
        assert_eq!(
            sorted("KEYS *"),
            ["\"admin\"", "\"user:1\"", "\"user:10\"", "\"user:2\""]
        );
        assert_eq!(sorted("KEYS user:?"), ["\"user:1\"", "\"user:2\""]);
        assert_eq!(sorted("KEYS user:[2-9]*"), ["\"user:2\""]);
        assert_eq!(sorted("KEYS *[^0-9]"), ["\"admin\""]);
        assert!(sorted("KEYS nothing*").is_empty());
    });
}

#[test]
fn unknown_commands_and_wrong_arity() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "FOO a b", "GET", "GET a b", "SET k", "ECHO", "PING a b", "TTL", "DBSIZE x",
                    "SELECT 0", "SELECT 3",
                ]
            ),
            [
                "(error) ERR unknown command 'FOO', with args beginning with: 'a' 'b' ",
                "(error) ERR wrong number of arguments for 'get' command",
                "(error) ERR wrong number of arguments for 'get' command",
                "(error) ERR wrong number of arguments for 'set' command",
                "(error) ERR wrong number of arguments for 'echo' command",
                "(error) ERR wrong number of arguments for 'ping' command",
                "(error) ERR wrong number of arguments for 'ttl' command",
                "(error) ERR wrong number of arguments for 'dbsize' command",
                "OK",
                "(error) ERR DB index is out of range",
            ]
        );
    });
}

#[test]
fn command_and_config_for_the_redis_tools() {
    both(|run| {
        let t = Instant::now();
        let replies = run(
            t,
            &[
                "COMMAND",
                "COMMAND DOCS",
                "COMMAND COUNT",
                "CONFIG GET save",
                "CONFIG GET appendonly",
                "CONFIG GET maxmemory",
                "CONFIG SET x y",
            ],
        );
        assert_eq!(replies[0], "[]");
        assert_eq!(replies[1], "[]");
        assert!(replies[2].starts_with("(integer) "), "{}", replies[2]);
        assert_eq!(
            replies[3..6],
            ["[\"save\", \"\"]", "[\"appendonly\", \"no\"]", "[]"]
        );
        assert_eq!(
            replies[6],
            "(error) ERR unknown subcommand 'SET'. Try CONFIG HELP."
        );
    });
}

#[test]
fn quit_replies_ok_then_closes() {
    let ks = Local::new();
    assert_eq!(
        crate::testing::run(&ks, Instant::now(), "QUIT"),
        ("OK".to_string(), Flow::Close)
    );
    assert_eq!(
        crate::testing::run(&ks, Instant::now(), "PING"),
        ("PONG".to_string(), Flow::Continue)
    );
}

#[test]
fn the_sweep_removes_expired_keys_nobody_reads() {
    let mut store = store::Store::new();
    let t0 = Instant::now();
    let never = store::Expiry::Never;
    let always = store::Condition::Always;
    for i in 0..100u32 {
        let key = format!("k{i}");
        let expiry = if i % 2 == 0 {
            store::Expiry::At(t0 + Duration::from_millis(u64::from(i)))
        } else {
            never
        };
        store.set(key.as_bytes(), b"v", always, expiry, t0, false);
    }
    assert_eq!(store.len(), 100);
    assert_eq!(store.sweep(t0, usize::MAX), 1, "only k0 is due at t0");
    // A budget bounds one sweep; the next picks up the rest.
    let later = t0 + Duration::from_secs(1);
    assert_eq!(store.sweep(later, 10), 10);
    assert_eq!(store.sweep(later, usize::MAX), 39);
    assert_eq!(store.len(), 50);
    assert!((0..100u32).all(|i| store.contains(format!("k{i}").as_bytes(), later) == (i % 2 == 1)));
}

#[test]
fn a_rewritten_deadline_is_not_swept_early() {
    let mut store = store::Store::new();
    let t0 = Instant::now();
    let always = store::Condition::Always;
    let soon = store::Expiry::At(t0 + Duration::from_millis(10));
    store.set(b"k", b"v", always, soon, t0, false);
    // Re-set without a deadline, then with a later one: the stale
    // heap entries must not expire the key.
    store.set(b"k", b"v", always, store::Expiry::Never, t0, false);
    assert_eq!(store.sweep(t0 + Duration::from_millis(20), usize::MAX), 0);
    let later = store::Expiry::At(t0 + Duration::from_millis(50));
    store.set(b"k", b"v", always, later, t0, false);
    assert_eq!(store.sweep(t0 + Duration::from_millis(40), usize::MAX), 0);
    assert!(store.contains(b"k", t0 + Duration::from_millis(40)));
    assert_eq!(store.sweep(t0 + Duration::from_millis(50), usize::MAX), 1);
    assert!(store.is_empty());
}

#[test]
fn the_deadline_heap_stays_bounded_under_rewrites() {
    let mut store = store::Store::new();
    let t0 = Instant::now();
    for i in 0..100_000u64 {
        let at = store::Expiry::At(t0 + Duration::from_secs(1000 + i));
        store.set(b"k", b"v", store::Condition::Always, at, t0, false);
        assert!(store.pending_deadlines() <= 2 * store.len() + 1025);
    }
    // One key, 100k deadline rewrites: the heap was rebuilt along the way;
    // sweeping removes exactly the one key.
    assert_eq!(
        store.sweep(t0 + Duration::from_secs(1_000_000), usize::MAX),
        1
    );
    assert!(store.is_empty());
}

/// Milliseconds since the Unix epoch, as the server reads them.
fn unix_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// Parses `(integer) n`.
fn integer(shown: &str) -> i64 {
    shown
        .strip_prefix("(integer) ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an integer reply: {shown}"))
}

#[test]
fn expire_times_that_overflow_are_refused_and_leave_the_key_alone() {
    // Regression (issue 12, defect 7): `PEXPIRE k 9223372036854775807` was
    // accepted, then TTL overflowed (garbage in release, a panic in debug).
    both(|run| {
        let t = Instant::now();
        let invalid = |cmd: &str| format!("(error) ERR invalid expire time in '{cmd}' command");
        assert_eq!(
            run(
                t,
                &[
                    "SET k v",
                    "PEXPIRE k 9223372036854775807",
                    // Fits in i64 ms, but not once added to the current time.
                    "EXPIRE k 9223372036854775",
                    // Overflows i64 when converted to milliseconds.
                    "EXPIRE k 9223372036854775807",
                    "EXPIRE k -9223372036854775808",
                    "EXPIREAT k 9223372036854775807",
                    "TTL k",
                    "PTTL k",
                    "GET k",
                    "PEXPIRE k 9223372036854775808",
                    "TTL k",
                ]
            ),
            [
                "OK".to_string(),
                invalid("pexpire"),
                invalid("expire"),
                invalid("expire"),
                invalid("expire"),
                invalid("expireat"),
                "(integer) -1".to_string(),
                "(integer) -1".to_string(),
                "\"v\"".to_string(),
                "(error) ERR value is not an integer or out of range".to_string(),
                "(integer) -1".to_string(),
            ]
        );
        // The most negative times are in the past: the key is deleted.
        assert_eq!(
            run(t, &["PEXPIRE k -9223372036854775808", "EXISTS k", "TTL k"]),
            ["(integer) 1", "(integer) 0", "(integer) -2"]
        );
    });
}

#[test]
fn the_farthest_valid_expire_times_answer_ttl_without_overflow() {
    both(|run| {
        let t = Instant::now();
        // Read the wall clock before the commands run: the server's "now"
        // is no earlier, so its PTTL is no larger than this bound (+1 for
        // the millisecond rounding of the two clocks).
        let max_ahead = i64::MAX - unix_ms() + 1;
        // PEXPIREAT counts from the epoch, so i64::MAX itself is valid
        // (as in redis): about 292 million years from now.
        let replies = run(
            t,
            &[
                "SET k v",
                "PEXPIREAT k 9223372036854775807",
                "PTTL k",
                "TTL k",
            ],
        );
        assert_eq!(replies[..2], ["OK", "(integer) 1"]);
        let pttl = integer(&replies[2]);
        assert!(
            (max_ahead - 60_000..=max_ahead).contains(&pttl),
            "PTTL {pttl}, expected about {max_ahead}"
        );
        let ttl = integer(&replies[3]);
        assert!(
            (max_ahead / 1000 - 60..=max_ahead / 1000 + 1).contains(&ttl),
            "TTL {ttl}"
        );
        // The largest relative time that still fits.
        let far = (i64::MAX - unix_ms() - 3_600_000).to_string();
        let replies = run(t, &[&format!("PEXPIRE k {far}"), "PTTL k"]);
        assert_eq!(replies[0], "(integer) 1");
        let pttl = integer(&replies[1]);
        let far: i64 = far.parse().unwrap();
        assert!(
            (far - 60_000..=far).contains(&pttl),
            "PTTL {pttl} for {far}"
        );
    });
}

#[test]
fn set_expiry_options_at_their_limits() {
    both(|run| {
        let t = Instant::now();
        let invalid = "(error) ERR invalid expire time in 'set' command";
        assert_eq!(
            run(
                t,
                &[
                    "SET k v PX 9223372036854775807",
                    "SET k v EX 9223372036854775",
                    "SET k v EX 9223372036854775807",
                    "SET k v EXAT 9223372036854775807",
                    "SET k v PXAT 0",
                    "SET k v EXAT -1",
                    "SET k v PXAT 9223372036854775808",
                    "EXISTS k",
                ]
            ),
            [
                invalid,
                invalid,
                invalid,
                invalid,
                invalid,
                invalid,
                "(error) ERR value is not an integer or out of range",
                "(integer) 0",
            ]
        );
        // PXAT i64::MAX is valid; a time in the past sets a key that is
        // already expired.
        let replies = run(
            t,
            &[
                "SET k v PXAT 9223372036854775807",
                "PTTL k",
                "SET k v PXAT 1",
                "EXISTS k",
            ],
        );
        assert_eq!(replies[0], "OK");
        assert!(integer(&replies[1]) > i64::MAX - unix_ms() - 60_000);
        assert_eq!(replies[2..], ["OK", "(integer) 0"]);
        // EXAT and PXAT name a Unix time.
        let in_100_s = (unix_ms() / 1000 + 100).to_string();
        let replies = run(t, &[&format!("SET k v EXAT {in_100_s}"), "TTL k"]);
        assert_eq!(replies[0], "OK");
        assert!((98..=101).contains(&integer(&replies[1])), "{replies:?}");
        let in_5_s = (unix_ms() + 5000).to_string();
        let replies = run(t, &[&format!("SET k v PXAT {in_5_s} GET"), "PTTL k"]);
        assert_eq!(replies[0], "\"v\"");
        assert!((3000..=5000).contains(&integer(&replies[1])), "{replies:?}");
    });
}

#[test]
fn incr_family_at_the_integer_limits() {
    both(|run| {
        let t = Instant::now();
        assert_eq!(
            run(
                t,
                &[
                    "SET n 9223372036854775806",
                    "INCR n",
                    "INCR n",
                    "INCRBY n -9223372036854775807",
                    "INCRBY n -9223372036854775808",
                    "INCRBY n 1",
                    "SET n -9223372036854775807",
                    "DECR n",
                    "DECR n",
                    "DECRBY n 1",
                    "DECRBY n -9223372036854775807",
                    "SET n 0",
                    "DECRBY n -9223372036854775808",
                    "DECRBY n 9223372036854775807",
                    "DECR n",
                    "DECR n",
                    "INCRBY n 9223372036854775808",
                    "INCRBY fresh -9223372036854775808",
                    "GET fresh",
                ]
            ),
            [
                "OK",
                "(integer) 9223372036854775807",
                "(error) ERR increment or decrement would overflow",
                "(integer) 0",
                "(integer) -9223372036854775808",
                "(integer) -9223372036854775807",
                "OK",
                "(integer) -9223372036854775808",
                "(error) ERR increment or decrement would overflow",
                "(error) ERR increment or decrement would overflow",
                "(integer) -1",
                "OK",
                "(error) ERR decrement would overflow",
                "(integer) -9223372036854775807",
                "(integer) -9223372036854775808",
                "(error) ERR increment or decrement would overflow",
                "(error) ERR value is not an integer or out of range",
                "(integer) -9223372036854775808",
                "\"-9223372036854775808\"",
            ]
        );
    });
}
