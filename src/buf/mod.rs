//! Buffer pooling: [`BufferPool`], the `ArrayPool` of this runtime.
//!
//! A server that reads into a fresh `Vec` for every request spends a
//! `malloc`, a `memset` and a `free` per read. A [`BufferPool`] rents out
//! buffers in power-of-two size classes and takes them back when the
//! [`Lease`] is dropped, so a warm loop allocates nothing.
//!
//! # Shape (after .NET's `ArrayPool<T>.Shared`)
//!
//! ```text
//!   rent(n) ──► class = ceil_pow2(n)        (above max_size: plain allocation)
//!                 │
//!                 ▼
//!   thread cache: one slot per class   ── hit: no lock, no atomic RMW
//!                 │ miss
//!                 ▼
//!   shared stack per class (Mutex)     ── hit: reused
//!                 │ miss
//!                 ▼
//!   new zeroed buffer of the class     ── fresh (allocated fallibly:
//!                                          try_rent gives a RentError)
//! ```
//!
//! Dropping the lease walks the same way back: the thread's slot if it is
//! empty, else the shared stack if the class is under `max_per_class`,
//! else the buffer is freed (`discarded`).
//!
//! # Invariants (details in each file)
//!
//! - `pool.rs`: a class never holds more than `max_per_class` reservations;
//!   every idle buffer holds one, so the pool's idle memory is bounded.
//! - `local.rs`: a thread cache is touched only by its thread; it retires
//!   (buffers to the shared stacks, counters into the pool's) when the
//!   thread exits or finds the pool closed.
//! - `lease.rs`: a lease keeps its pool alive (`Arc`), so it may outlive the
//!   [`BufferPool`] handle and cross threads.
//! - `stats.rs`: every snapshot has `rents == reused + fresh + oversized`.
//!
//! There is no `unsafe` code in this module.

mod error;
mod lease;
mod local;
mod pool;
mod stats;

pub use error::RentError;
pub use lease::Lease;
pub use pool::{BufferPool, BufferPoolBuilder};
pub use stats::PoolStats;
