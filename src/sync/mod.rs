//! `spool::sync` (work in progress).
