//! The kv server as a library: everything but the command line, which is
//! `main.rs`. A Redis-protocol (RESP2) key-value server on spool; see the
//! binary's documentation for the commands, the flags and the limits.
//!
//! The modules: `resp.rs` parses requests in place, `reply.rs` encodes
//! replies, `conn.rs` batches one connection's pipelined requests into one
//! write, `commands.rs` runs them against the keyspace (`keyspace.rs`:
//! shards of `store.rs`, hashed by `hash.rs`), `server.rs` accepts
//! connections and sweeps expired keys, `spin.rs` is poll mode and nap mode (what a worker does between
//! batches),
//! `selftest.rs` is the load generator.
//!
//! `testing.rs` (tests only) runs command lines through the engine.
//!
//! Unit tests sit next to the code they test (`#[cfg(test)]` modules, the
//! larger ones in `<module>/tests.rs`); the end-to-end tests in `tests/`
//! start the real `kv` binary and talk to it over loopback sockets and
//! with `redis-cli`.

pub mod commands;
pub mod conn;
pub mod glob;
pub mod hash;
pub mod keyspace;
pub mod reply;
pub mod resp;
pub mod selftest;
pub mod server;
pub mod spin;
pub mod store;
#[cfg(test)]
mod testing;
