//! Spawning a large future does not overflow the stack (issue 12, defect
//! 5: the future used to be moved by value through half a dozen frames on
//! its way into the arena, so a 512 KiB future spawned on a worker thread,
//! whose stack is 2 MiB, overflowed it; in debug builds 256 KiB was
//! enough). Now it is copied once, straight into its slot (or into the
//! injection queue's box), however it is reached: `spool::spawn` and the
//! other task functions, and `Handle::spawn` / `spawn_on` from a worker or
//! from a plain thread.
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

/// Runs `f` on a thread with an 8 MiB stack, like a program's main thread.
fn on_main_sized_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 * 1024 * KIB)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// On worker 1 (a 2 MiB stack), with `spool::spawn`.
#[inline(never)]
fn worker_spawn() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let sum = rt.block_on(async {
        spool::spawn_on(1, async { spawn_big::<{ 512 * KIB }>().await.unwrap() })
            .await
            .unwrap()
    });
    assert_eq!(sum, 512 * KIB);
}

#[inline(never)]
fn spawn_big<const N: usize>() -> spool::JoinHandle<usize> {
    spool::spawn(big::<N>())
}

const MAIN: usize = 1024 * KIB;

/// On a main-sized thread, a 1 MiB future through every spawn entry point
/// (each in a frame of its own: the test's frames hold copies too).
#[inline(never)]
fn main_spawn() {
    #[inline(never)]
    fn try_spawn() -> spool::JoinHandle<usize> {
        spool::task::try_spawn(big::<MAIN>()).ok().unwrap()
    }
    #[inline(never)]
    fn builder_spawn() -> spool::JoinHandle<usize> {
        spool::task::Builder::new()
            .name("big")
            .spawn(big::<MAIN>())
            .unwrap()
    }
    #[inline(never)]
    fn join_set_spawn(set: &mut spool::task::JoinSet<usize>) {
        set.spawn(big::<MAIN>());
    }
    #[inline(never)]
    fn runtime_spawn(rt: &spool::Runtime) -> spool::JoinHandle<usize> {
        rt.spawn(big::<MAIN>())
    }
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        assert_eq!(spawn_big::<MAIN>().await.unwrap(), MAIN);
        assert_eq!(try_spawn().await.unwrap(), MAIN);
        assert_eq!(builder_spawn().await.unwrap(), MAIN);
        let mut set = spool::task::JoinSet::new();
        join_set_spawn(&mut set);
        assert_eq!(set.join_next().await.unwrap().unwrap(), MAIN);
    });
    let h = runtime_spawn(&rt);
    assert_eq!(rt.block_on(h).unwrap(), MAIN);
}

/// Sent from worker 0 to worker 1 through its injection queue.
#[inline(never)]
fn remote_spawn() {
    #[inline(never)]
    fn spawn_on_big() -> spool::JoinHandle<usize> {
        spool::spawn_on(1, big::<{ 512 * KIB }>())
    }
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let sum = rt.block_on(async { spawn_on_big().await.unwrap() });
    assert_eq!(sum, 512 * KIB);
}

/// A bigger stack for worker threads holds a bigger future.
#[inline(never)]
fn thread_stack_size() {
    let rt = spool::Builder::new()
        .workers(2)
        .thread_stack_size(32 * 1024 * KIB)
        .build()
        .unwrap();
    let sum = rt.block_on(async {
        spool::spawn_on(1, async { spawn_big::<{ 4096 * KIB }>().await.unwrap() })
            .await
            .unwrap()
    });
    assert_eq!(sum, 4096 * KIB);
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
fn handle_from_a_worker() {
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
fn handle_from_a_plain_thread() {
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
        "worker_spawn" => worker_spawn,
        "main_spawn" => main_spawn,
        "remote_spawn" => remote_spawn,
        "thread_stack_size" => thread_stack_size,
        "handle_from_a_worker" => handle_from_a_worker,
        "handle_from_a_plain_thread" => handle_from_a_plain_thread,
        other => panic!("unknown case {other}"),
    };
    on_main_sized_thread(f);
}

/// Runs `name` in a child process (this test binary, filtered to `child`).
fn run_in_child(name: &str) {
    let _w = util::watchdog(Duration::from_secs(60), "large spawn child");
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("SPOOL_LARGE_CASE", name)
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
    if let Ok(name) = std::env::var("SPOOL_LARGE_CASE") {
        case(&name);
    }
}

#[test]
fn large_future_on_a_worker_thread() {
    run_in_child("worker_spawn");
}

#[test]
fn large_future_on_the_main_thread() {
    run_in_child("main_spawn");
}

#[test]
fn large_future_to_another_worker() {
    run_in_child("remote_spawn");
}

#[test]
fn thread_stack_size_gives_worker_threads_more_stack() {
    run_in_child("thread_stack_size");
}

#[test]
fn large_future_through_handle_from_a_worker() {
    run_in_child("handle_from_a_worker");
}

#[test]
fn large_future_through_handle_from_a_plain_thread() {
    run_in_child("handle_from_a_plain_thread");
}
