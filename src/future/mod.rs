//! Combinators that run several futures inside one task.
//!
//! - [`join`]`(a, b)`: both outputs, in argument order.
//! - [`join_all`]`(iter)`: every output, in input order.
//! - [`select`]`(a, b)`: the first output as [`Either`]; the loser is dropped.
//!
//! None of these spawns: the futures run concurrently *within* the task
//! that awaits the combinator, each poll of which polls the unfinished
//! futures. They are `Send` when the futures (and outputs) are.

mod join;
mod join_all;
mod maybe_done;
mod select;

pub use join::{join, Join};
pub use join_all::{join_all, JoinAll};
pub use select::{select, Either, Select};
