//! `Handle::spawn` / `spawn_on` copy a large future once on its way into
//! the arena or the injection queue, however it is reached (issue 12,
//! defect 5, applied to the `Handle` entry points): a 512 KiB future from a
//! worker thread (2 MiB stack) and a 1 MiB one from a main-sized thread do
//! not overflow the stack.
//!
//! Each case runs in a child process: a stack overflow kills the process,
//! which must fail the test rather than the whole test binary.
mod util;

use spool::runtime::Handle;
use std::process::Command;
use std::time::Duration;

const KIB: usize = 1024;

/// A future holding `N` bytes across an await.
async fn big<const N: usize>() -> usize {
    let buf = [1u8; N];
    spool::task::yield_now().await;
    buf.iter().map(|&b| b as usize).sum()
}

#[inline(never)]
fn handle_spawn<const N: usize>(handle: &Handle) -> spool::JoinHandle<usize> {
    handle.spawn(big::<N>())
}

#[inline(never)]
fn handle_spawn_on<const N: usize>(handle: &Handle, worker: usize) -> spool::JoinHandle<usize> {
    handle.spawn_on(worker, big::<N>())
}

/// On worker 1 (a 2 MiB stack): to the least-loaded worker, to worker 1
/// itself (its arena) and to worker 0 (its injection queue).
fn from_a_worker() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let sum = rt.block_on(async {
        spool::spawn_on(1, async {
            let handle = Handle::current();
            let a = handle_spawn::<{ 512 * KIB }>(&handle).await.unwrap();
            let b = handle_spawn_on::<{ 512 * KIB }>(&handle, 1).await.unwrap();
            let c = handle_spawn_on::<{ 512 * KIB }>(&handle, 0).await.unwrap();
            a + b + c
        })
        .await
        .unwrap()
    });
    assert_eq!(sum, 3 * 512 * KIB);
}

/// On a thread with a main thread's 8 MiB stack, a 1 MiB future.
fn from_a_plain_thread() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let handle = rt.handle();
    let tasks = std::thread::Builder::new()
        .stack_size(8 * 1024 * KIB)
        .spawn(move || {
            [
                handle_spawn::<{ 1024 * KIB }>(&handle),
                handle_spawn_on::<{ 1024 * KIB }>(&handle, 1),
            ]
        })
        .unwrap()
        .join()
        .unwrap();
    let sum = rt.block_on(async {
        let mut sum = 0;
        for t in tasks {
            sum += t.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, 2 * 1024 * KIB);
}

fn case(name: &str) {
    let f = match name {
        "from_a_worker" => from_a_worker,
        "from_a_plain_thread" => from_a_plain_thread,
        other => panic!("unknown case {other}"),
    };
    // The test itself on a main-sized stack, like a program's main thread.
    std::thread::Builder::new()
        .stack_size(8 * 1024 * KIB)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// Runs `name` in a child process (this test binary, filtered to `child`).
fn run_in_child(name: &str) {
    let _w = util::watchdog(Duration::from_secs(60), "large Handle::spawn child");
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("SPOOL_HANDLE_LARGE_CASE", name)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "case {name} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn child() {
    if let Ok(name) = std::env::var("SPOOL_HANDLE_LARGE_CASE") {
        case(&name);
    }
}

#[test]
fn large_future_through_handle_from_a_worker() {
    run_in_child("from_a_worker");
}

#[test]
fn large_future_through_handle_from_a_plain_thread() {
    run_in_child("from_a_plain_thread");
}
