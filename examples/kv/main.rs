//! kv (work in progress).

#![allow(dead_code)]

mod commands;
mod glob;
mod keyspace;
mod reply;
mod resp;
mod store;

fn main() {}
