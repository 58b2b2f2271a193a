//! spool: an async runtime written from scratch. (Crate tour written with the core executor.)
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
