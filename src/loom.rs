//! A small shim so that the cross-thread parts (remote queue, remote wakes)
//! can run under the [loom](https://docs.rs/loom) model checker.
//!
//! Normal builds re-export `std`; `RUSTFLAGS="--cfg loom"` builds swap in
//! loom's instrumented types.

#[cfg(loom)]
pub(crate) use loom::sync;

#[cfg(not(loom))]
pub(crate) use std::sync;
