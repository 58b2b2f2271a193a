//! `spool::buf` (work in progress).
