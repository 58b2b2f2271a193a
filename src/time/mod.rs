//! `spool::time` (work in progress).
