//! One client connection's buffering and batching, without the socket: the
//! server's read loop (`server.rs`) feeds it bytes and writes out what it
//! produces, and the tests can drive it directly.
//!
//! Invariants:
//!
//! - `input[start..end]` is the unconsumed input; it begins at a frame
//!   boundary (the parser's positions are relative to `start`, so the
//!   region may be moved to the front of the buffer between reads).
//! - `need` is the least number of unconsumed bytes the current frame
//!   needs; [`Connection::process`] does not re-parse before they are
//!   there, so a large bulk string arriving in many reads is parsed once.
//! - The input buffer is a [`Lease`] from spool's shared buffer pool. It
//!   grows (a bigger lease, the pending bytes copied over) by doubling
//!   while a frame needs it and the received bytes fill it, never past the
//!   frame's declared size: memory follows the bytes received, not the
//!   lengths declared. A frame longer than `max_query` is refused as soon
//!   as its headers show it (before its payload is buffered), or when it
//!   completes if it arrived whole. Once idle, a grown buffer goes back to
//!   the pool for a small one; on close, to the pool as well.
//! - Every complete frame buffered is executed before the next read
//!   (pipelining), and all their replies go out in one write; the batch is
//!   cut short when the replies reach [`FLUSH_AT`] bytes (or half the
//!   output limit, if that is smaller), and nothing more is produced until
//!   they are written: a client that does not read stalls only itself.
//! - `out` never holds much more than the output limit (redis's
//!   `client-output-buffer-limit`): the commands whose reply can grow
//!   (`MGET`, `KEYS`) check it after every element and stop, and any
//!   other reply is checked once appended (its size is bounded by the
//!   largest value, i.e. by `--proto-max-bulk-len`). A reply over the limit
//!   is never sent in part: [`Outcome::OutputLimit`] drops the whole output
//!   and the connection is closed, as redis closes a client over its hard
//!   limit.

use crate::commands::{execute_limited, Flow};
use crate::keyspace::Keyspace;
use crate::reply;
use crate::resp::{Limits, Parser, Status};
use spool::buf::{BufferPool, Lease};
use std::time::Instant;

/// Initial (and idle) size of the input buffer.
const INITIAL: usize = 16 << 10;
/// Least free space offered to a read.
const MIN_READ: usize = 4 << 10;
/// Replies are written once they reach this many bytes, even mid-batch.
pub const FLUSH_AT: usize = 64 << 10;

/// What the server does after [`Connection::process`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Write `out`, then read more input.
    NeedInput,
    /// Write `out`, then call `process` again: whole frames remain.
    More,
    /// Write `out`, then close (`QUIT`, or a protocol error whose reply is
    /// the last thing in `out`).
    Close,
    /// A reply would have taken the output past the limit: `out` was
    /// emptied; close without writing anything more.
    OutputLimit {
        /// How many bytes of output were held when production stopped.
        held: usize,
    },
}

/// Buffers and parser state of one connection.
#[derive(Debug)]
pub struct Connection {
    parser: Parser,
    /// Rented from `spool::buf::BufferPool::shared()`: a connection's
    /// buffer goes back to the pool when it closes or shrinks, and the
    /// next connection reuses it instead of allocating.
    input: Lease,
    start: usize,
    end: usize,
    need: usize,
    max_query: usize,
    /// Most bytes of replies held at once (`usize::MAX`: no limit).
    output_limit: usize,
    /// Replies are written once they reach this many bytes.
    flush_at: usize,
    /// Replies not yet written.
    pub out: Vec<u8>,
}

impl Connection {
    /// A connection enforcing `limits` on each frame, `max_query` on the
    /// bytes one frame may occupy and `output_limit` on the bytes of
    /// replies held at once (`usize::MAX` for none).
    pub fn new(limits: Limits, max_query: usize, output_limit: usize) -> Connection {
        Connection {
            parser: Parser::new(limits),
            input: BufferPool::shared().rent(INITIAL),
            start: 0,
            end: 0,
            need: 1,
            max_query,
            output_limit,
            flush_at: FLUSH_AT.min(output_limit / 2).max(1),
            out: Vec::with_capacity(INITIAL),
        }
    }

    /// Free space to read into (at least `MIN_READ` bytes). Only when
    /// the tail is nearly full is the pending frame moved to the front
    /// and, if that is not enough, the buffer doubled (capped at what the
    /// frame needs): memory follows the bytes actually received, not the
    /// lengths a client declares.
    pub fn read_buf(&mut self) -> &mut [u8] {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.input.len() > 4 * INITIAL {
                self.input = BufferPool::shared().rent(INITIAL);
            }
        }
        if self.input.len() - self.end < MIN_READ {
            if self.start > 0 {
                self.input.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.input.len() - self.end < MIN_READ {
                let floor = self.end + MIN_READ;
                let grown = (2 * self.input.len()).min(self.need.max(floor)).max(floor);
                let mut bigger = BufferPool::shared().rent(grown);
                bigger[..self.end].copy_from_slice(&self.input[..self.end]);
                self.input = bigger;
            }
        }
        &mut self.input[self.end..]
    }

    /// Records that `n` bytes were read into [`read_buf`](Self::read_buf).
    pub fn filled(&mut self, n: usize) {
        self.end += n;
        debug_assert!(self.end <= self.input.len());
    }

    /// Executes every whole frame buffered, appending replies to `out`.
    pub fn process<K: Keyspace>(&mut self, ks: &K, now: Instant) -> Outcome {
        loop {
            if self.end - self.start < self.need {
                return Outcome::NeedInput;
            }
            let frame = &self.input[self.start..self.end];
            match self.parser.parse(frame) {
                Ok(Status::Complete(n) | Status::Incomplete { need: n }) if n > self.max_query => {
                    reply::error(
                        &mut self.out,
                        b"ERR Protocol error: request larger than the query buffer limit",
                    );
                    return Outcome::Close;
                }
                Ok(Status::Complete(n)) => {
                    let args = self.parser.args(frame);
                    let flow = if args.is_empty() {
                        Flow::Continue
                    } else {
                        execute_limited(ks, &args, now, &mut self.out, self.output_limit)
                    };
                    self.start += n;
                    self.need = 1;
                    if flow == Flow::OutputLimit || self.out.len() > self.output_limit {
                        let held = self.out.len();
                        self.out = Vec::new();
                        return Outcome::OutputLimit { held };
                    }
                    if flow == Flow::Close {
                        return Outcome::Close;
                    }
                    if self.out.len() >= self.flush_at {
                        return Outcome::More;
                    }
                }
                Ok(Status::Incomplete { need }) => {
                    self.need = need;
                    return Outcome::NeedInput;
                }
                Err(e) => {
                    reply::error(&mut self.out, format!("ERR {e}").as_bytes());
                    return Outcome::Close;
                }
            }
        }
    }

    /// Empties `out` after it was written, shrinking it if one huge reply
    /// grew it.
    pub fn written(&mut self) {
        self.out.clear();
        if self.out.capacity() > 64 * INITIAL {
            self.out.shrink_to(INITIAL);
        }
    }

    /// Bytes held for this connection (input and output buffers).
    pub fn buffered_capacity(&self) -> usize {
        self.input.len() + self.out.capacity()
    }
}

#[cfg(test)]
mod tests;
