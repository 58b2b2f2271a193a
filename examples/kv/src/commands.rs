//! The command engine: one request's arguments in, one RESP reply appended
//! to the connection's output buffer.
//!
//! [`execute`] looks the command up (case-insensitively, without
//! allocating), checks its arity the way redis does (a positive arity is
//! exact, a negative one is a minimum), and runs it against the keyspace.
//! Every failure a client can cause is an error *reply*: nothing here
//! closes the connection except `QUIT`, and nothing panics on any input.
//! Error texts are redis's.
//!
//! A command locks the shard(s) it needs for its own duration only (see
//! `keyspace.rs`); `now` is read once per batch by the caller and passed
//! in, which also lets the tests drive expiry without sleeping.

use crate::keyspace::{Keyspace, Locked};
use crate::reply;
use crate::resp::Args;
use crate::store::{Condition, Expiry, IncrError};
use std::ops::ControlFlow;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the connection does after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Read the next request.
    Continue,
    /// Send what is buffered, then close (`QUIT`).
    Close,
    /// The reply was cut short because the output reached the limit
    /// given to [`execute_limited`]: send nothing of it, close.
    OutputLimit,
}

/// The commands this server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Ping,
    Echo,
    Set,
    Get,
    Del,
    Exists,
    Incr,
    Decr,
    IncrBy,
    DecrBy,
    MGet,
    MSet,
    Expire,
    PExpire,
    ExpireAt,
    PExpireAt,
    Ttl,
    PTtl,
    Persist,
    Keys,
    DbSize,
    FlushAll,
    FlushDb,
    Command,
    Config,
    Select,
    Quit,
}

/// Every command with its lowercase name (for messages) and redis arity.
const COMMANDS: &[(Cmd, &str, i32)] = &[
    (Cmd::Ping, "ping", -1),
    (Cmd::Echo, "echo", 2),
    (Cmd::Set, "set", -3),
    (Cmd::Get, "get", 2),
    (Cmd::Del, "del", -2),
    (Cmd::Exists, "exists", -2),
    (Cmd::Incr, "incr", 2),
    (Cmd::Decr, "decr", 2),
    (Cmd::IncrBy, "incrby", 3),
    (Cmd::DecrBy, "decrby", 3),
    (Cmd::MGet, "mget", -2),
    (Cmd::MSet, "mset", -3),
    (Cmd::Expire, "expire", -3),
    (Cmd::PExpire, "pexpire", -3),
    (Cmd::ExpireAt, "expireat", -3),
    (Cmd::PExpireAt, "pexpireat", -3),
    (Cmd::Ttl, "ttl", 2),
    (Cmd::PTtl, "pttl", 2),
    (Cmd::Persist, "persist", 2),
    (Cmd::Keys, "keys", 2),
    (Cmd::DbSize, "dbsize", 1),
    (Cmd::FlushAll, "flushall", -1),
    (Cmd::FlushDb, "flushdb", -1),
    (Cmd::Command, "command", -1),
    (Cmd::Config, "config", -2),
    (Cmd::Select, "select", 2),
    (Cmd::Quit, "quit", -1),
];

const NOT_AN_INTEGER: &[u8] = b"ERR value is not an integer or out of range";
const SYNTAX: &[u8] = b"ERR syntax error";

/// Runs one request (`args` non-empty) and appends its reply to `out`,
/// with no limit on the output.
pub fn execute<K: Keyspace>(ks: &K, args: &Args<'_>, now: Instant, out: &mut Vec<u8>) -> Flow {
    execute_limited(ks, args, now, out, usize::MAX)
}

/// Runs one request (`args` non-empty) and appends its reply to `out`. A
/// reply that can grow with the keyspace (`MGET`, `KEYS`) is produced one
/// element at a time and abandoned as soon as `out` holds more than
/// `limit` bytes ([`Flow::OutputLimit`]; `out` then holds a partial reply
/// that must not be sent), so a request never makes the server build
/// more than `limit` bytes plus one value.
pub fn execute_limited<K: Keyspace>(
    ks: &K,
    args: &Args<'_>,
    now: Instant,
    out: &mut Vec<u8>,
    limit: usize,
) -> Flow {
    let name = args.get(0);
    let Some(&(cmd, lower, arity)) = COMMANDS
        .iter()
        .find(|(_, n, _)| n.len() == name.len() && name.eq_ignore_ascii_case(n.as_bytes()))
    else {
        unknown_command(args, out);
        return Flow::Continue;
    };
    // No cast that could wrap, whatever `--max-args` allows.
    let n = i64::try_from(args.len()).unwrap_or(i64::MAX);
    let arity = i64::from(arity);
    if (arity > 0 && n != arity) || n < -arity || (cmd == Cmd::MSet && n % 2 == 0) {
        let mut msg = b"ERR wrong number of arguments for '".to_vec();
        msg.extend_from_slice(lower.as_bytes());
        msg.extend_from_slice(b"' command");
        reply::error(out, &msg);
        return Flow::Continue;
    }
    match cmd {
        Cmd::Ping => match args.len() {
            1 => reply::simple(out, b"PONG"),
            2 => reply::bulk(out, args.get(1)),
            _ => reply::error(out, b"ERR wrong number of arguments for 'ping' command"),
        },
        Cmd::Echo => reply::bulk(out, args.get(1)),
        Cmd::Set => set(ks, args, now, out),
        Cmd::Get => match ks.lock_key(args.get(1)).get(args.get(1), now) {
            Some(value) => reply::bulk(out, value),
            None => reply::null(out),
        },
        Cmd::Del => {
            let mut locked = Locked::new(ks, args.iter().skip(1));
            let removed = args
                .iter()
                .skip(1)
                .filter(|k| locked.store(k).remove(k, now));
            reply::integer(out, removed.count() as i64);
        }
        Cmd::Exists => {
            let mut locked = Locked::new(ks, args.iter().skip(1));
            let found = args
                .iter()
                .skip(1)
                .filter(|k| locked.store(k).contains(k, now));
            reply::integer(out, found.count() as i64);
        }
        Cmd::Incr => incr(ks, args.get(1), Some(1), now, out),
        Cmd::Decr => incr(ks, args.get(1), Some(-1), now, out),
        Cmd::IncrBy => incr(ks, args.get(1), reply::parse_i64(args.get(2)), now, out),
        Cmd::DecrBy => match reply::parse_i64(args.get(2)) {
            Some(i64::MIN) => reply::error(out, b"ERR decrement would overflow"),
            delta => incr(ks, args.get(1), delta.map(|d| -d), now, out),
        },
        Cmd::MGet => {
            let mut locked = Locked::new(ks, args.iter().skip(1));
            reply::array(out, args.len() - 1);
            for key in args.iter().skip(1) {
                match locked.store(key).get(key, now) {
                    Some(value) => reply::bulk(out, value),
                    None => reply::null(out),
                }
                if out.len() > limit {
                    return Flow::OutputLimit;
                }
            }
        }
        Cmd::MSet => mset(ks, args, now, out),
        Cmd::Expire => expire(ks, args, Unit::Seconds, Base::Now, lower, now, out),
        Cmd::PExpire => expire(ks, args, Unit::Millis, Base::Now, lower, now, out),
        Cmd::ExpireAt => expire(ks, args, Unit::Seconds, Base::Epoch, lower, now, out),
        Cmd::PExpireAt => expire(ks, args, Unit::Millis, Base::Epoch, lower, now, out),
        Cmd::Ttl | Cmd::PTtl => {
            let key = args.get(1);
            let ttl = match ks.lock_key(key).deadline(key, now) {
                None => -2,
                Some(None) => -1,
                Some(Some(at)) => {
                    // Deadlines are validated to lie within i64 milliseconds
                    // of the epoch; saturate anyway rather than wrap.
                    let ms = at.saturating_duration_since(now).as_millis();
                    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
                    if cmd == Cmd::Ttl {
                        // redis's (ms + 500) / 1000, without the overflow.
                        ms / 1000 + i64::from(ms % 1000 >= 500)
                    } else {
                        ms
                    }
                }
            };
            reply::integer(out, ttl);
        }
        Cmd::Persist => {
            let key = args.get(1);
            let changed = ks
                .lock_key(key)
                .set_deadline(key, None, now, |d| d.is_some());
            reply::integer(out, i64::from(changed));
        }
        Cmd::Keys => return keys(ks, args.get(1), now, out, limit),
        Cmd::DbSize => {
            let total: usize = (0..ks.shard_count()).map(|s| ks.lock(s).len()).sum();
            reply::integer(out, total as i64);
        }
        Cmd::FlushAll | Cmd::FlushDb => {
            let valid = args
                .iter()
                .skip(1)
                .all(|a| a.eq_ignore_ascii_case(b"sync") || a.eq_ignore_ascii_case(b"async"));
            if args.len() > 2 || !valid {
                reply::error(out, SYNTAX);
            } else {
                // Lock every shard (ascending) so no reader sees half a flush.
                let mut guards: Vec<_> = (0..ks.shard_count()).map(|s| ks.lock(s)).collect();
                guards.iter_mut().for_each(|g| g.clear());
                reply::ok(out);
            }
        }
        Cmd::Command => command(args, out),
        Cmd::Config => config(args, out),
        Cmd::Select => match reply::parse_i64(args.get(1)) {
            Some(0) => reply::ok(out),
            Some(_) => reply::error(out, b"ERR DB index is out of range"),
            None => reply::error(out, NOT_AN_INTEGER),
        },
        Cmd::Quit => {
            reply::ok(out);
            return Flow::Close;
        }
    }
    Flow::Continue
}

/// `-ERR unknown command 'x', with args beginning with: 'a' 'b' `, with
/// redis's truncation at 128 bytes.
fn unknown_command(args: &Args<'_>, out: &mut Vec<u8>) {
    let mut msg = b"ERR unknown command '".to_vec();
    let name = args.get(0);
    msg.extend_from_slice(&name[..name.len().min(128)]);
    msg.extend_from_slice(b"', with args beginning with: ");
    let mut listed = 0;
    for arg in args.iter().skip(1) {
        if listed >= 128 {
            break;
        }
        let take = arg.len().min(128 - listed);
        msg.push(b'\'');
        msg.extend_from_slice(&arg[..take]);
        msg.extend_from_slice(b"' ");
        listed += take + 3;
    }
    reply::error(out, &msg);
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT unix-s|PXAT unix-ms|KEEPTTL]`.
fn set<K: Keyspace>(ks: &K, args: &Args<'_>, now: Instant, out: &mut Vec<u8>) {
    let mut cond = Condition::Always;
    let mut expiry = Expiry::Never;
    let mut expiry_given = false;
    let mut want_old = false;
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        let is = |name: &[u8]| opt.eq_ignore_ascii_case(name);
        if is(b"NX") && cond != Condition::IfPresent {
            cond = Condition::IfAbsent;
        } else if is(b"XX") && cond != Condition::IfAbsent {
            cond = Condition::IfPresent;
        } else if is(b"GET") {
            want_old = true;
        } else if is(b"KEEPTTL") && !expiry_given {
            expiry = Expiry::Keep;
            expiry_given = true;
        } else if (is(b"EX") || is(b"PX") || is(b"EXAT") || is(b"PXAT"))
            && !expiry_given
            && i + 1 < args.len()
        {
            let Some(n) = reply::parse_i64(args.get(i + 1)) else {
                return reply::error(out, NOT_AN_INTEGER);
            };
            let unit = if is(b"EX") || is(b"EXAT") {
                Unit::Seconds
            } else {
                Unit::Millis
            };
            let base = if is(b"EX") || is(b"PX") {
                Base::Now
            } else {
                Base::Epoch
            };
            // As redis: the number must be positive, and the deadline must
            // fit in i64 milliseconds since the epoch.
            let at = Some(n)
                .filter(|&n| n > 0)
                .and_then(|n| deadline(n, unit, base, now));
            let Some(at) = at else {
                return reply::error(out, b"ERR invalid expire time in 'set' command");
            };
            expiry = Expiry::At(at);
            expiry_given = true;
            i += 1;
        } else {
            return reply::error(out, SYNTAX);
        }
        i += 1;
    }
    let key = args.get(1);
    let (done, old) = ks
        .lock_key(key)
        .set(key, args.get(2), cond, expiry, now, want_old);
    match (want_old, done) {
        (true, _) => match old {
            Some(old) => reply::bulk(out, &old),
            None => reply::null(out),
        },
        (false, true) => reply::ok(out),
        (false, false) => reply::null(out),
    }
}

/// `INCR`, `DECR`, `INCRBY`, `DECRBY` (`delta` is `None` if the argument
/// was not an integer).
fn incr<K: Keyspace>(ks: &K, key: &[u8], delta: Option<i64>, now: Instant, out: &mut Vec<u8>) {
    let Some(delta) = delta else {
        return reply::error(out, NOT_AN_INTEGER);
    };
    match ks.lock_key(key).incr_by(key, delta, now) {
        Ok(n) => reply::integer(out, n),
        Err(IncrError::NotAnInteger) => reply::error(out, NOT_AN_INTEGER),
        Err(IncrError::Overflow) => reply::error(out, b"ERR increment or decrement would overflow"),
    }
}

/// `MSET k v [k v ...]`: atomic, every shard involved locked first.
fn mset<K: Keyspace>(ks: &K, args: &Args<'_>, now: Instant, out: &mut Vec<u8>) {
    let mut locked = Locked::new(ks, args.iter().skip(1).step_by(2));
    for pair in (1..args.len()).step_by(2) {
        let (key, value) = (args.get(pair), args.get(pair + 1));
        let store = locked.store(key);
        store.set(key, value, Condition::Always, Expiry::Never, now, false);
    }
    reply::ok(out);
}

/// The unit of an expiry argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
}

/// What an expiry argument counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// A time to live (`EXPIRE`, `SET EX`).
    Now,
    /// A Unix time (`EXPIREAT`, `SET EXAT`).
    Epoch,
}

/// Milliseconds since the Unix epoch (redis's `mstime()`).
fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The deadline an expiry argument `n` names, with redis 7's overflow
/// rules: `n` in `unit` must fit in i64 milliseconds, and so must the
/// absolute deadline (milliseconds since the epoch); otherwise `None`
/// (`invalid expire time`). A deadline not after now is `now` (the key
/// expires at once).
fn deadline(n: i64, unit: Unit, base: Base, now: Instant) -> Option<Instant> {
    let ms = match unit {
        Unit::Seconds => n.checked_mul(1000)?,
        Unit::Millis => n,
    };
    let now_ms = unix_ms();
    let at_ms = match base {
        Base::Now => ms.checked_add(now_ms)?,
        Base::Epoch => ms,
    };
    match at_ms.saturating_sub(now_ms) {
        ahead if ahead <= 0 => Some(now),
        ahead => now.checked_add(Duration::from_millis(ahead.unsigned_abs())),
    }
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`, `PEXPIRE` (milliseconds),
/// `EXPIREAT` and `PEXPIREAT` (Unix time); `name` is the command's, for
/// the error text. A deadline not in the future deletes the key; one out
/// of range is refused and the key left untouched.
fn expire<K: Keyspace>(
    ks: &K,
    args: &Args<'_>,
    unit: Unit,
    base: Base,
    name: &str,
    now: Instant,
    out: &mut Vec<u8>,
) {
    let Some(n) = reply::parse_i64(args.get(2)) else {
        return reply::error(out, NOT_AN_INTEGER);
    };
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in args.iter().skip(3) {
        match opt.to_ascii_uppercase().as_slice() {
            b"NX" => nx = true,
            b"XX" => xx = true,
            b"GT" => gt = true,
            b"LT" => lt = true,
            _ => {
                let mut msg = b"ERR Unsupported option ".to_vec();
                msg.extend_from_slice(opt);
                return reply::error(out, &msg);
            }
        }
    }
    if nx && (xx || gt || lt) {
        return reply::error(
            out,
            b"ERR NX and XX, GT or LT options at the same time are not compatible",
        );
    }
    if gt && lt {
        return reply::error(
            out,
            b"ERR GT and LT options at the same time are not compatible",
        );
    }
    let Some(at) = deadline(n, unit, base, now) else {
        let mut msg = b"ERR invalid expire time in '".to_vec();
        msg.extend_from_slice(name.as_bytes());
        msg.extend_from_slice(b"' command");
        return reply::error(out, &msg);
    };
    let key = args.get(1);
    let decide = |current: Option<Instant>| {
        (!nx || current.is_none())
            && (!xx || current.is_some())
            && (!gt || current.is_some_and(|c| at > c))
            && (!lt || current.is_none_or(|c| at < c))
    };
    let changed = ks.lock_key(key).set_deadline(key, Some(at), now, decide);
    reply::integer(out, i64::from(changed));
}

/// `KEYS pattern`: every shard in turn, the keys appended to `out` as
/// they are found (stopping past `limit`), the array header put in front
/// once their number is known.
fn keys<K: Keyspace>(
    ks: &K,
    pattern: &[u8],
    now: Instant,
    out: &mut Vec<u8>,
    limit: usize,
) -> Flow {
    let start = out.len();
    let mut count = 0;
    for shard in 0..ks.shard_count() {
        let flow = ks.lock(shard).keys(pattern, now, |key| {
            reply::bulk(out, key);
            count += 1;
            if out.len() > limit {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if flow.is_break() {
            return Flow::OutputLimit;
        }
    }
    let mut header = Vec::with_capacity(24);
    reply::array(&mut header, count);
    out.splice(start..start, header);
    if out.len() > limit {
        return Flow::OutputLimit;
    }
    Flow::Continue
}

/// `COMMAND [COUNT|DOCS|INFO|LIST]`: enough for redis-cli's start-up.
fn command(args: &Args<'_>, out: &mut Vec<u8>) {
    if args.len() == 1 {
        return reply::array(out, 0);
    }
    let sub = args.get(1);
    if sub.eq_ignore_ascii_case(b"COUNT") {
        reply::integer(out, COMMANDS.len() as i64);
    } else if sub.eq_ignore_ascii_case(b"DOCS") {
        reply::array(out, 0);
    } else if sub.eq_ignore_ascii_case(b"LIST") {
        reply::array(out, COMMANDS.len());
        for (_, name, _) in COMMANDS {
            reply::bulk(out, name.as_bytes());
        }
    } else if sub.eq_ignore_ascii_case(b"INFO") {
        reply::array(out, args.len() - 2);
        (2..args.len()).for_each(|_| reply::null(out));
    } else {
        unknown_subcommand(sub, "COMMAND", out);
    }
}

/// `CONFIG GET param`: `save` and `appendonly` (which redis-benchmark asks
/// for); other parameters give an empty array, as unknown ones do in redis.
fn config(args: &Args<'_>, out: &mut Vec<u8>) {
    let sub = args.get(1);
    if !sub.eq_ignore_ascii_case(b"GET") {
        return unknown_subcommand(sub, "CONFIG", out);
    }
    if args.len() != 3 {
        return reply::error(
            out,
            b"ERR wrong number of arguments for 'config|get' command",
        );
    }
    let param = args.get(2);
    let value: &[u8] = if param.eq_ignore_ascii_case(b"save") {
        b""
    } else if param.eq_ignore_ascii_case(b"appendonly") {
        b"no"
    } else {
        return reply::array(out, 0);
    };
    reply::array(out, 2);
    reply::bulk(out, &param.to_ascii_lowercase());
    reply::bulk(out, value);
}

/// `-ERR unknown subcommand 'x'. Try CMD HELP.`
fn unknown_subcommand(sub: &[u8], cmd: &str, out: &mut Vec<u8>) {
    let mut msg = b"ERR unknown subcommand '".to_vec();
    msg.extend_from_slice(&sub[..sub.len().min(128)]);
    msg.extend_from_slice(b"'. Try ");
    msg.extend_from_slice(cmd.as_bytes());
    msg.extend_from_slice(b" HELP.");
    reply::error(out, &msg);
}

#[cfg(test)]
mod tests;
