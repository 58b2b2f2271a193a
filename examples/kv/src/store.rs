//! One shard of the keyspace: a hash map of byte-string keys to byte-string
//! values with optional deadlines, and a min-heap of those deadlines for
//! the periodic sweep.
//!
//! Invariants:
//!
//! - A [`Store`] is owned by whoever holds its lock or borrow (see
//!   `keyspace.rs`); it does no synchronisation of its own and never
//!   blocks.
//! - Time is passed in (`now`), never read here, so that the tests can
//!   drive expiry deterministically.
//! - An entry whose deadline is `<= now` is *expired*: every read treats it
//!   as absent (lazy expiry), every write that finds it replaces or removes
//!   it, and [`Store::sweep`] removes it within a tick even if nobody looks.
//! - Every entry with a deadline has a matching `(deadline, key)` in
//!   `deadlines`. The heap may also hold stale pairs (the key was deleted,
//!   overwritten or given another deadline): a popped pair only expires
//!   the key if the entry's deadline is still exactly that one. The heap is
//!   rebuilt when stale pairs outnumber the entries, so it stays O(keys).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ops::ControlFlow;
use std::time::Instant;

use crate::hash::SeededState;

/// A stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The value's bytes.
    pub value: Vec<u8>,
    /// When it expires, if ever.
    pub deadline: Option<Instant>,
}

impl Entry {
    /// Whether the entry is expired at `now`.
    pub fn is_expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| d <= now)
    }
}

/// What [`Store::set`] does with an existing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Set in any case.
    Always,
    /// `NX`: only if the key does not exist.
    IfAbsent,
    /// `XX`: only if the key exists.
    IfPresent,
}

/// What [`Store::set`] does with the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No deadline (clears an existing one).
    Never,
    /// Expire at this instant.
    At(Instant),
    /// `KEEPTTL`: keep the existing key's deadline.
    Keep,
}

impl Expiry {
    /// The deadline to store, given the existing live key's one.
    fn resolve(self, kept: Option<Instant>) -> Option<Instant> {
        match self {
            Expiry::Never => None,
            Expiry::At(at) => Some(at),
            Expiry::Keep => kept,
        }
    }
}

/// Why an `INCR`-family command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncrError {
    /// The value is not a decimal integer in range.
    NotAnInteger,
    /// The result would overflow an `i64`.
    Overflow,
}

/// One shard of the keyspace (see the module doc).
#[derive(Debug, Default)]
pub struct Store {
    map: HashMap<Vec<u8>, Entry, SeededState>,
    deadlines: BinaryHeap<Reverse<(Instant, Vec<u8>)>>,
}

impl Store {
    /// An empty store.
    pub fn new() -> Store {
        Store::default()
    }

    /// The live value of `key`.
    pub fn get(&self, key: &[u8], now: Instant) -> Option<&[u8]> {
        match self.map.get(key) {
            Some(e) if !e.is_expired(now) => Some(&e.value),
            _ => None,
        }
    }

    /// Whether `key` exists (and is not expired).
    pub fn contains(&self, key: &[u8], now: Instant) -> bool {
        self.get(key, now).is_some()
    }

    /// Sets `key` to `value` under `cond`, with `expiry`. Returns whether
    /// it was set, and the old live value if `want_old`.
    pub fn set(
        &mut self,
        key: &[u8],
        value: &[u8],
        cond: Condition,
        expiry: Expiry,
        now: Instant,
        want_old: bool,
    ) -> (bool, Option<Vec<u8>>) {
        let (deadline, kept, old) = match self.map.get_mut(key) {
            Some(entry) => {
                let live = !entry.is_expired(now);
                let old = (want_old && live).then(|| entry.value.clone());
                let allowed = match cond {
                    Condition::Always => true,
                    Condition::IfAbsent => !live,
                    Condition::IfPresent => live,
                };
                if !allowed {
                    return (false, old);
                }
                let kept = if live { entry.deadline } else { None };
                let deadline = expiry.resolve(kept);
                // Overwrite in place: the value's buffer is reused, so a SET
                // of a same-sized value to an existing key does not allocate.
                entry.value.clear();
                entry.value.extend_from_slice(value);
                entry.deadline = deadline;
                (deadline, kept, old)
            }
            None => {
                if cond == Condition::IfPresent {
                    return (false, None);
                }
                let deadline = expiry.resolve(None);
                let entry = Entry {
                    value: value.to_vec(),
                    deadline,
                };
                self.map.insert(key.to_vec(), entry);
                (deadline, None, None)
            }
        };
        if let Some(at) = deadline {
            if Some(at) != kept {
                self.push_deadline(at, key);
            }
        }
        (true, old)
    }

    /// Removes `key`; whether a live key was removed.
    pub fn remove(&mut self, key: &[u8], now: Instant) -> bool {
        self.map.remove(key).is_some_and(|e| !e.is_expired(now))
    }

    /// Adds `delta` to the integer at `key` (a missing key counts as 0) and
    /// returns the new value. The key's deadline is kept, as in redis.
    pub fn incr_by(&mut self, key: &[u8], delta: i64, now: Instant) -> Result<i64, IncrError> {
        let mut digits = Vec::new();
        match self.map.get_mut(key) {
            Some(entry) if !entry.is_expired(now) => {
                let current =
                    crate::reply::parse_i64(&entry.value).ok_or(IncrError::NotAnInteger)?;
                let new = current.checked_add(delta).ok_or(IncrError::Overflow)?;
                entry.value.clear();
                crate::reply::decimal(&mut entry.value, new);
                Ok(new)
            }
            stale => {
                crate::reply::decimal(&mut digits, delta);
                match stale {
                    Some(entry) => {
                        entry.value = digits;
                        entry.deadline = None;
                    }
                    None => {
                        let entry = Entry {
                            value: digits,
                            deadline: None,
                        };
                        self.map.insert(key.to_vec(), entry);
                    }
                }
                Ok(delta)
            }
        }
    }

    /// Gives a live `key` the deadline `at` (`None`: persist), or deletes it
    /// if `at` is already past. Returns whether the key exists. `decide`
    /// sees the current deadline and may veto the change (EXPIRE's NX / XX
    /// / GT / LT), in which case this returns `false`.
    pub fn set_deadline(
        &mut self,
        key: &[u8],
        at: Option<Instant>,
        now: Instant,
        decide: impl FnOnce(Option<Instant>) -> bool,
    ) -> bool {
        let Some(entry) = self.map.get_mut(key) else {
            return false;
        };
        if entry.is_expired(now) {
            self.map.remove(key);
            return false;
        }
        if !decide(entry.deadline) {
            return false;
        }
        match at {
            Some(at) if at <= now => {
                self.map.remove(key);
            }
            Some(at) => {
                entry.deadline = Some(at);
                self.push_deadline(at, key);
            }
            None => entry.deadline = None,
        }
        true
    }

    /// The deadline of a live `key`: `None` if the key does not exist,
    /// `Some(None)` if it never expires.
    pub fn deadline(&self, key: &[u8], now: Instant) -> Option<Option<Instant>> {
        match self.map.get(key) {
            Some(e) if !e.is_expired(now) => Some(e.deadline),
            _ => None,
        }
    }

    /// Calls `f` with every live key matching the glob `pattern`, until
    /// `f` breaks (which this returns).
    pub fn keys(
        &self,
        pattern: &[u8],
        now: Instant,
        mut f: impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        for (key, entry) in &self.map {
            if !entry.is_expired(now) && crate::glob::matches(pattern, key) {
                f(key)?;
            }
        }
        ControlFlow::Continue(())
    }

    /// How many keys are stored (expired ones not yet swept included, as
    /// in redis's `DBSIZE`).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no key is stored.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many `(deadline, key)` pairs the heap holds, stale ones included
    /// (at most about `2 * len() + 1024`).
    pub fn pending_deadlines(&self) -> usize {
        self.deadlines.len()
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.map.clear();
        self.deadlines.clear();
    }

    /// Removes keys whose deadline is `<= now`, at most `budget` of them;
    /// returns how many were removed. A result equal to `budget` means
    /// there may be more.
    pub fn sweep(&mut self, now: Instant, budget: usize) -> usize {
        let mut removed = 0;
        while removed < budget {
            match self.deadlines.peek() {
                Some(Reverse((at, _))) if *at <= now => {}
                _ => break,
            }
            let Some(Reverse((at, key))) = self.deadlines.pop() else {
                break;
            };
            // Only if the deadline is still this one (else the pair is stale).
            if self.map.get(&key).is_some_and(|e| e.deadline == Some(at)) {
                self.map.remove(&key);
                removed += 1;
            }
        }
        removed
    }

    /// Records a new deadline, rebuilding the heap if stale pairs dominate.
    fn push_deadline(&mut self, at: Instant, key: &[u8]) {
        if self.deadlines.len() > 2 * self.map.len() + 1024 {
            self.deadlines = self
                .map
                .iter()
                .filter_map(|(k, e)| e.deadline.map(|d| Reverse((d, k.clone()))))
                .collect();
        }
        self.deadlines.push(Reverse((at, key.to_vec())));
    }
}
