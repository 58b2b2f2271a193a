//! RESP2 replies: encoding them on the server, decoding them in clients.
//!
//! Encoding appends to a caller-owned `Vec<u8>` (the connection's output
//! buffer, reused for its whole life), and integers are formatted by hand
//! into a stack buffer, so a reply costs no heap allocation once the
//! output buffer has grown to its working size.
//!
//! Decoding ([`read`]) is for the self-test's load generator and for the
//! tests: it borrows from the input and only allocates for arrays.

/// Appends `+s\r\n` (a simple string; `s` must not contain CR or LF).
pub fn simple(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'+');
    out.extend_from_slice(s);
    out.extend_from_slice(b"\r\n");
}

/// Appends `+OK\r\n`.
pub fn ok(out: &mut Vec<u8>) {
    out.extend_from_slice(b"+OK\r\n");
}

/// Appends `-msg\r\n`, replacing any CR or LF in `msg` by a space so that
/// the error stays one line (as redis does).
pub fn error(out: &mut Vec<u8>, msg: &[u8]) {
    out.push(b'-');
    out.extend(msg.iter().map(|&b| match b {
        b'\r' | b'\n' => b' ',
        b => b,
    }));
    out.extend_from_slice(b"\r\n");
}

/// Appends `:n\r\n`.
pub fn integer(out: &mut Vec<u8>, n: i64) {
    out.push(b':');
    decimal(out, n);
    out.extend_from_slice(b"\r\n");
}

/// Appends `$len\r\nbytes\r\n`.
pub fn bulk(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'$');
    decimal(out, bytes.len() as i64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

/// Appends the null bulk string `$-1\r\n`.
pub fn null(out: &mut Vec<u8>) {
    out.extend_from_slice(b"$-1\r\n");
}

/// Appends an array header `*n\r\n`; the caller appends `n` replies.
pub fn array(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    decimal(out, n as i64);
    out.extend_from_slice(b"\r\n");
}

/// Appends the decimal form of `n` without allocating.
pub fn decimal(out: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut m = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[i..]);
}

/// Parses a whole byte string as a signed 64-bit decimal integer, with the
/// rules of redis's `string2ll`: an optional `-`, no `+`, no spaces, no
/// leading zeros (except `0` itself), no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    match digits {
        [] => return None,
        [b'0'] => return (!negative).then_some(0),
        [b'0', ..] => return None,
        _ => {}
    }
    let mut value: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    if negative {
        // -(2^63) is representable, 2^63 is not.
        if value <= i64::MAX as u64 + 1 {
            Some((value as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(value).ok()
    }
}

/// A decoded reply, borrowing its strings from the input buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply<'a> {
    /// `+...`
    Simple(&'a [u8]),
    /// `-...`
    Error(&'a [u8]),
    /// `:n`
    Integer(i64),
    /// `$n ...`, or `None` for `$-1`.
    Bulk(Option<&'a [u8]>),
    /// `*n ...`, or `None` for `*-1`.
    Array(Option<Vec<Reply<'a>>>),
}

/// A reply stream that is not RESP2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadReply;

impl std::fmt::Display for BadReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("malformed RESP reply")
    }
}

impl std::error::Error for BadReply {}

/// Decodes one reply from the front of `buf`: `Ok(Some((reply, consumed)))`,
/// `Ok(None)` if `buf` does not hold a whole reply yet.
pub fn read(buf: &[u8]) -> Result<Option<(Reply<'_>, usize)>, BadReply> {
    let Some(cr) = buf.iter().position(|&b| b == b'\r') else {
        return Ok(None);
    };
    if buf.len() < cr + 2 {
        return Ok(None);
    }
    if buf[cr + 1] != b'\n' || cr == 0 {
        return Err(BadReply);
    }
    let line = &buf[1..cr];
    let next = cr + 2;
    let number = || parse_i64(line).ok_or(BadReply);
    let reply = match buf[0] {
        b'+' => (Reply::Simple(line), next),
        b'-' => (Reply::Error(line), next),
        b':' => (Reply::Integer(number()?), next),
        b'$' => match number()? {
            -1 => (Reply::Bulk(None), next),
            n if n < 0 => return Err(BadReply),
            n => {
                let end = next + n as usize;
                if buf.len() < end + 2 {
                    return Ok(None);
                }
                if &buf[end..end + 2] != b"\r\n" {
                    return Err(BadReply);
                }
                (Reply::Bulk(Some(&buf[next..end])), end + 2)
            }
        },
        b'*' => match number()? {
            -1 => (Reply::Array(None), next),
            n if n < 0 => return Err(BadReply),
            n => {
                let mut items = Vec::with_capacity((n as usize).min(1024));
                let mut pos = next;
                for _ in 0..n {
                    match read(&buf[pos..])? {
                        Some((item, used)) => {
                            items.push(item);
                            pos += used;
                        }
                        None => return Ok(None),
                    }
                }
                (Reply::Array(Some(items)), pos)
            }
        },
        _ => return Err(BadReply),
    };
    Ok(Some(reply))
}

/// A reply as redis-cli would show it without a terminal, but with types
/// visible: `OK`, `(error) ERR ...`, `(integer) 3`, `"bytes"`, `(nil)`,
/// `[a, b]` (for the tests and for people reading their output).
pub fn show(reply: &Reply<'_>) -> String {
    match reply {
        Reply::Simple(s) => String::from_utf8_lossy(s).into_owned(),
        Reply::Error(s) => format!("(error) {}", String::from_utf8_lossy(s)),
        Reply::Integer(n) => format!("(integer) {n}"),
        Reply::Bulk(Some(b)) => format!("{:?}", String::from_utf8_lossy(b)),
        Reply::Bulk(None) | Reply::Array(None) => "(nil)".to_string(),
        Reply::Array(Some(items)) => {
            let items: Vec<_> = items.iter().map(show).collect();
            format!("[{}]", items.join(", "))
        }
    }
}
