//! A small shim so that the cross-thread parts (remote queue, remote wakes)
//! can run under the [loom](https://docs.rs/loom) model checker.
//!
//! Normal builds re-export `std`; `RUSTFLAGS="--cfg spool_loom"` builds swap in
//! loom's instrumented types.

#[cfg(spool_loom)]
pub(crate) use loom::sync;

#[cfg(not(spool_loom))]
pub(crate) use std::sync;
