//! RESP2 request parsing: multibulk frames (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`)
//! and inline commands (`GET k\r\n`), as redis-server accepts them.
//!
//! Invariants:
//!
//! - The [`Parser`] belongs to one connection. Each call to
//!   [`Parser::parse`] is given the connection's unconsumed input, which
//!   starts at the current frame. Between an `Incomplete` result and the
//!   next call the caller may only *append* bytes (and may move the whole
//!   unconsumed region, e.g. to the front of its buffer: every position the
//!   parser keeps is relative to the start of the frame). After
//!   `Complete(n)` the caller drops those `n` bytes before parsing again.
//! - A multibulk frame is parsed in place: its arguments are ranges into
//!   the caller's buffer, nothing is copied. An inline command is split
//!   (with redis's quoting rules) into a scratch buffer the parser owns and
//!   reuses. Either way [`Parser::args`] is valid until the next `parse`.
//! - Parsing resumes where it stopped: a frame whose arguments arrive over
//!   many reads is scanned once, not once per read, and `Incomplete`
//!   reports how many bytes the frame needs at least, so the caller need
//!   not call again before they are there.
//! - Nothing here buffers: the limits ([`Limits`]) are checked on the
//!   declared lengths, before the bytes arrive, so the caller can refuse a
//!   frame without ever holding it. Every [`ProtocolError`] is fatal for the
//!   connection (the stream cannot be resynchronised), exactly as in redis.

use std::fmt;

/// Size limits on requests. Exceeding one is a [`ProtocolError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest bulk string (one argument), in bytes. redis's
    /// `proto-max-bulk-len`, 512 MiB by default.
    pub max_bulk: usize,
    /// Longest inline command line, and longest `*`/`$` header line, in
    /// bytes. redis's `PROTO_INLINE_MAX_SIZE`, 64 KiB.
    pub max_inline: usize,
    /// Most arguments in one multibulk frame.
    pub max_args: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bulk: 512 << 20,
            max_inline: 64 << 10,
            max_args: 1 << 20,
        }
    }
}

/// Why a request stream was refused. The `Display` text is what redis
/// sends after `-ERR `.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolError {
    /// An inline line longer than `max_inline`.
    TooBigInline,
    /// An inline line with an unterminated quote.
    UnbalancedQuotes,
    /// A `*` header line longer than `max_inline`.
    TooBigMultibulkCount,
    /// A `*` count that is not an integer or exceeds `max_args`.
    InvalidMultibulkLength,
    /// A `$` header line longer than `max_inline`.
    TooBigBulkCount,
    /// An argument of a multibulk frame that does not start with `$`.
    ExpectedDollar(u8),
    /// A `$` length that is not an integer, negative, or over `max_bulk`.
    InvalidBulkLength,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Protocol error: ")?;
        match self {
            ProtocolError::TooBigInline => f.write_str("too big inline request"),
            ProtocolError::UnbalancedQuotes => f.write_str("unbalanced quotes in request"),
            ProtocolError::TooBigMultibulkCount => f.write_str("too big mbulk count string"),
            ProtocolError::InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            ProtocolError::TooBigBulkCount => f.write_str("too big bulk count string"),
            ProtocolError::ExpectedDollar(b) => {
                write!(f, "expected '$', got '{}'", char::from(*b).escape_default())
            }
            ProtocolError::InvalidBulkLength => f.write_str("invalid bulk length"),
        }
    }
}

impl std::error::Error for ProtocolError {}

/// The outcome of [`Parser::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A whole frame of this many bytes was parsed; its arguments are in
    /// [`Parser::args`] (possibly none: an empty line or `*0` is a no-op).
    Complete(usize),
    /// The frame is not all there; it is at least `need` bytes long.
    Incomplete {
        /// Lower bound on the frame's length, counted from its start.
        need: usize,
    },
}

/// Where the parser stands in the current frame.
#[derive(Debug, Clone, Copy)]
enum State {
    /// At the start of a frame.
    Start,
    /// Inside a multibulk frame: `remaining` arguments still to come, the
    /// next one's `$` header at offset `pos` from the frame start.
    Multibulk { remaining: usize, pos: usize },
}

/// An incremental request parser for one connection (see the module doc).
#[derive(Debug)]
pub struct Parser {
    limits: Limits,
    state: State,
    /// Argument ranges of the current frame: into the caller's buffer
    /// (multibulk) or into `scratch` (inline).
    ranges: Vec<(usize, usize)>,
    /// Whether `ranges` index `scratch`.
    inline: bool,
    /// Unquoted inline arguments, back to back.
    scratch: Vec<u8>,
}

impl Parser {
    /// A parser enforcing `limits`.
    pub fn new(limits: Limits) -> Parser {
        Parser {
            limits,
            state: State::Start,
            ranges: Vec::with_capacity(8),
            inline: false,
            scratch: Vec::new(),
        }
    }

    /// Parses the frame at the front of `buf` (see the module doc for what
    /// `buf` must hold between calls).
    pub fn parse(&mut self, buf: &[u8]) -> Result<Status, ProtocolError> {
        if let State::Start = self.state {
            self.ranges.clear();
            match buf.first() {
                None => return Ok(Status::Incomplete { need: 1 }),
                Some(b'*') => {
                    let Some((count, next)) =
                        self.header(buf, 0, ProtocolError::TooBigMultibulkCount)?
                    else {
                        return Ok(Status::Incomplete {
                            need: buf.len() + 1,
                        });
                    };
                    let count = count
                        .filter(|&n| n <= self.limits.max_args as i64)
                        .ok_or(ProtocolError::InvalidMultibulkLength)?;
                    if count <= 0 {
                        // `*0` and `*-1` are no-ops, as in redis.
                        return Ok(Status::Complete(next));
                    }
                    self.inline = false;
                    // Reserve for the declared count, but not a huge amount on the
                    // word of a ten-byte header (redis caps it the same way).
                    self.ranges.reserve((count as usize).min(1024));
                    self.state = State::Multibulk {
                        remaining: count as usize,
                        pos: next,
                    };
                }
                Some(_) => return self.parse_inline(buf),
            }
        }
        self.parse_multibulk(buf)
    }

    /// The arguments of the frame just parsed (`buf` as given to `parse`).
    pub fn args<'a>(&'a self, buf: &'a [u8]) -> Args<'a> {
        Args {
            data: if self.inline { &self.scratch } else { buf },
            ranges: &self.ranges,
        }
    }

    /// Continues a multibulk frame from `self.state`.
    fn parse_multibulk(&mut self, buf: &[u8]) -> Result<Status, ProtocolError> {
        let State::Multibulk {
            mut remaining,
            mut pos,
        } = self.state
        else {
            unreachable!("parse_multibulk outside a multibulk frame");
        };
        while remaining > 0 {
            let Some(&first) = buf.get(pos) else {
                self.state = State::Multibulk { remaining, pos };
                return Ok(Status::Incomplete { need: pos + 1 });
            };
            if first != b'$' {
                return Err(ProtocolError::ExpectedDollar(first));
            }
            let Some((len, start)) = self.header(buf, pos, ProtocolError::TooBigBulkCount)? else {
                self.state = State::Multibulk { remaining, pos };
                return Ok(Status::Incomplete {
                    need: buf.len() + 1,
                });
            };
            let len = len
                .filter(|&n| n >= 0 && n as u64 <= self.limits.max_bulk as u64)
                .ok_or(ProtocolError::InvalidBulkLength)? as usize;
            let end = start + len;
            if buf.len() < end + 2 {
                self.state = State::Multibulk { remaining, pos };
                return Ok(Status::Incomplete { need: end + 2 });
            }
            // Like redis, the two bytes after the data are taken to be CRLF.
            self.ranges.push((start, end));
            pos = end + 2;
            remaining -= 1;
        }
        self.state = State::Start;
        Ok(Status::Complete(pos))
    }

    /// Reads the header line (`*n\r\n` or `$n\r\n`) whose type byte is at
    /// `at`: `Ok(None)` if its CR has not arrived, else the number (`None`
    /// if it is not one) and the offset after the line.
    fn header(
        &self,
        buf: &[u8],
        at: usize,
        too_big: ProtocolError,
    ) -> Result<Option<(Option<i64>, usize)>, ProtocolError> {
        let body = &buf[at + 1..];
        match body.iter().position(|&b| b == b'\r') {
            Some(cr) if cr > self.limits.max_inline => Err(too_big),
            // Like redis: a header is complete once its CR and one more
            // byte (taken to be LF) are there.
            Some(cr) if body.len() > cr + 1 => Ok(Some((
                crate::reply::parse_i64(&body[..cr]),
                at + 1 + cr + 2,
            ))),
            Some(_) => Ok(None),
            None if body.len() > self.limits.max_inline => Err(too_big),
            None => Ok(None),
        }
    }

    /// Parses an inline command line (everything up to LF, CR stripped).
    fn parse_inline(&mut self, buf: &[u8]) -> Result<Status, ProtocolError> {
        let Some(lf) = buf.iter().position(|&b| b == b'\n') else {
            if buf.len() > self.limits.max_inline {
                return Err(ProtocolError::TooBigInline);
            }
            return Ok(Status::Incomplete {
                need: buf.len() + 1,
            });
        };
        if lf > self.limits.max_inline {
            return Err(ProtocolError::TooBigInline);
        }
        let line = match &buf[..lf] {
            [rest @ .., b'\r'] => rest,
            line => line,
        };
        self.inline = true;
        self.scratch.clear();
        split_args(line, &mut self.scratch, &mut self.ranges)?;
        Ok(Status::Complete(lf + 1))
    }
}

/// Splits an inline line into arguments with redis's `sdssplitargs` rules:
/// blanks separate; `"..."` understands `\n \r \t \b \a \\ \" \xHH`;
/// `'...'` understands `\'`; a closing quote must be followed by a blank or
/// the end of the line.
fn split_args(
    line: &[u8],
    out: &mut Vec<u8>,
    ranges: &mut Vec<(usize, usize)>,
) -> Result<(), ProtocolError> {
    let is_blank = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c | 0);
    let mut i = 0;
    loop {
        while i < line.len() && is_blank(line[i]) {
            i += 1;
        }
        if i == line.len() {
            return Ok(());
        }
        let start = out.len();
        match line[i] {
            b'"' => {
                i += 1;
                loop {
                    match line.get(i..) {
                        None | Some([]) => return Err(ProtocolError::UnbalancedQuotes),
                        Some([b'\\', b'x', h, l, ..])
                            if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() =>
                        {
                            out.push(hex(*h) << 4 | hex(*l));
                            i += 4;
                        }
                        Some([b'\\', c, ..]) => {
                            out.push(match c {
                                b'n' => b'\n',
                                b'r' => b'\r',
                                b't' => b'\t',
                                b'b' => 0x08,
                                b'a' => 0x07,
                                c => *c,
                            });
                            i += 2;
                        }
                        Some([b'"', rest @ ..]) => {
                            if rest.first().is_some_and(|&b| !is_blank(b)) {
                                return Err(ProtocolError::UnbalancedQuotes);
                            }
                            i += 1;
                            break;
                        }
                        Some([c, ..]) => {
                            out.push(*c);
                            i += 1;
                        }
                    }
                }
            }
            b'\'' => {
                i += 1;
                loop {
                    match line.get(i..) {
                        None | Some([]) => return Err(ProtocolError::UnbalancedQuotes),
                        Some([b'\\', b'\'', ..]) => {
                            out.push(b'\'');
                            i += 2;
                        }
                        Some([b'\'', rest @ ..]) => {
                            if rest.first().is_some_and(|&b| !is_blank(b)) {
                                return Err(ProtocolError::UnbalancedQuotes);
                            }
                            i += 1;
                            break;
                        }
                        Some([c, ..]) => {
                            out.push(*c);
                            i += 1;
                        }
                    }
                }
            }
            _ => {
                while i < line.len() && !is_blank(line[i]) {
                    out.push(line[i]);
                    i += 1;
                }
            }
        }
        ranges.push((start, out.len()));
    }
}

/// The value of one hexadecimal digit.
fn hex(d: u8) -> u8 {
    match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        _ => d - b'A' + 10,
    }
}

/// The arguments of one request (`args.get(0)` is the command name).
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    data: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl<'a> Args<'a> {
    /// How many arguments, the command name included.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are none (an empty request: ignored).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Argument `i`. Panics if `i >= len()`.
    pub fn get(&self, i: usize) -> &'a [u8] {
        let (start, end) = self.ranges[i];
        &self.data[start..end]
    }

    /// The arguments in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a [u8]> + 'a {
        let data = self.data;
        self.ranges.iter().map(move |&(s, e)| &data[s..e])
    }
}

#[cfg(test)]
mod tests;
