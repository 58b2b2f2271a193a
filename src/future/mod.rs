//! `spool::future` (work in progress).
