//! spool: an async runtime written from scratch.
//! (The guided crate tour is written once the core is in place.)
#![deny(unsafe_op_in_unsafe_fn)]

pub mod buf;
pub(crate) mod coop;
pub mod future;
pub(crate) mod loom;
pub mod net;
pub(crate) mod reactor;
pub mod runtime;
pub mod sync;
pub mod task;
pub mod time;

pub use runtime::{block_on, Builder, Metrics, Runtime, WorkerMetrics};
pub use task::{spawn, JoinHandle};
