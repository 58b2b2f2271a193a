//! `spool::net` (work in progress).
