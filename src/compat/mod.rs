//! Adapters that plug spool into other crates' runtime traits.
//!
//! - [`hyper`] (feature `hyper`): hyper 1.x's `rt` traits, so a hyper
//!   server or client runs on spool with no code of the user's own.
//!
//! The I/O traits of futures-io (always) and tokio (feature `tokio-io`)
//! need no adapter: spool's streams implement them directly (see
//! [`crate::net`]).

#[cfg(feature = "hyper")]
pub mod hyper;
