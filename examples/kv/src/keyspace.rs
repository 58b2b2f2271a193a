//! The keyspace: the [`Store`] shards every connection shares, and how a
//! command gets at the shard that owns a key.
//!
//! Two implementations of one trait, chosen once at start-up:
//!
//! - [`Local`] (one worker): a single `Rc<RefCell<Store>>`. Only the one
//!   worker thread touches it; a command borrows it for its own duration
//!   and never across an `.await`, so the borrow never fails.
//! - [`Shared`] (`--workers N`): [`SHARDS`] stores, each behind its own
//!   `Mutex`, a key going to the shard picked by a salted hash of its
//!   bytes. Connections on any worker lock the one shard they need, for
//!   the duration of one command, never across an `.await`; commands that
//!   need several shards at once (`MSET`, `MGET`, `DEL`, `EXISTS` with
//!   several keys, through [`Locked`]; `FLUSHALL`) lock them all first, in
//!   ascending order, so they are atomic and two of them cannot deadlock.
//!
//! The command engine is generic over [`Keyspace`], so the single-worker
//! build pays neither for atomics nor for hashing a key twice.

use crate::hash::SeededState;
use crate::store::Store;
use std::cell::{RefCell, RefMut};
use std::hash::BuildHasher;
use std::ops::DerefMut;
use std::rc::Rc;
use std::sync::{Arc, Mutex, MutexGuard};

/// Number of shards of a [`Shared`] keyspace (at most 64: multi-shard
/// commands track the shards they lock in a `u64`).
pub const SHARDS: usize = 32;

/// Access to the shards of a keyspace.
pub trait Keyspace: Clone + 'static {
    /// Exclusive access to one shard, released on drop.
    type Guard<'a>: DerefMut<Target = Store>
    where
        Self: 'a;

    /// How many shards there are (1 ..= 64).
    fn shard_count(&self) -> usize;

    /// The shard that owns `key`.
    fn shard_of(&self, key: &[u8]) -> usize;

    /// Locks shard `shard`. Callers lock several shards only in ascending
    /// order and never hold a guard across an `.await`.
    fn lock(&self, shard: usize) -> Self::Guard<'_>;

    /// Locks the shard that owns `key`.
    fn lock_key(&self, key: &[u8]) -> Self::Guard<'_> {
        self.lock(self.shard_of(key))
    }
}

/// The single-worker keyspace: one store, borrowed, no atomics.
#[derive(Debug, Clone, Default)]
pub struct Local(Rc<RefCell<Store>>);

impl Local {
    /// An empty keyspace.
    pub fn new() -> Local {
        Local::default()
    }
}

impl Keyspace for Local {
    type Guard<'a> = RefMut<'a, Store>;

    fn shard_count(&self) -> usize {
        1
    }

    fn shard_of(&self, _key: &[u8]) -> usize {
        0
    }

    fn lock(&self, _shard: usize) -> RefMut<'_, Store> {
        self.0.borrow_mut()
    }
}

/// The multi-worker keyspace: [`SHARDS`] mutex-protected stores.
#[derive(Debug, Clone)]
pub struct Shared {
    shards: Arc<[Mutex<Store>]>,
    /// Picks a key's shard (salted: independent of the maps' hash).
    chooser: SeededState,
}

impl Shared {
    /// An empty keyspace.
    pub fn new() -> Shared {
        Shared {
            shards: (0..SHARDS).map(|_| Mutex::new(Store::new())).collect(),
            chooser: SeededState::salted(0x5eed),
        }
    }
}

impl Default for Shared {
    fn default() -> Shared {
        Shared::new()
    }
}

impl Keyspace for Shared {
    type Guard<'a> = MutexGuard<'a, Store>;

    fn shard_count(&self) -> usize {
        self.shards.len()
    }

    fn shard_of(&self, key: &[u8]) -> usize {
        (self.chooser.hash_one(key) % self.shards.len() as u64) as usize
    }

    fn lock(&self, shard: usize) -> MutexGuard<'_, Store> {
        // A command never panics while holding a shard (it only touches
        // the map); if one did, the map is still structurally sound.
        self.shards[shard].lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The shards of several keys, locked together in ascending order, so that
/// a multi-key command (`MSET`, `MGET`, `DEL`, `EXISTS`) is atomic with
/// respect to every other command, as in redis.
pub struct Locked<'k, K: Keyspace> {
    ks: &'k K,
    guards: Vec<(usize, K::Guard<'k>)>,
}

impl<'k, K: Keyspace> Locked<'k, K> {
    /// Locks the shards owning `keys`.
    pub fn new<'a>(ks: &'k K, keys: impl Iterator<Item = &'a [u8]>) -> Locked<'k, K> {
        let mut involved: u64 = 0;
        for key in keys {
            involved |= 1 << ks.shard_of(key);
        }
        let guards = (0..ks.shard_count())
            .filter(|s| involved & (1 << s) != 0)
            .map(|s| (s, ks.lock(s)))
            .collect();
        Locked { ks, guards }
    }

    /// The (locked) shard owning `key`, one of the keys given to `new`.
    pub fn store(&mut self, key: &[u8]) -> &mut Store {
        let shard = self.ks.shard_of(key);
        let (_, guard) = self
            .guards
            .iter_mut()
            .find(|(s, _)| *s == shard)
            .expect("the key's shard was locked by Locked::new");
        guard
    }
}

impl<K: Keyspace> std::fmt::Debug for Locked<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shards: Vec<usize> = self.guards.iter().map(|(s, _)| *s).collect();
        f.debug_struct("Locked").field("shards", &shards).finish()
    }
}
