//! `#[spool::main]` and `#[spool::test]`: every form compiles and runs;
//! mistakes are compile errors that point at the wrong argument
//! (`tests/macros_ui/*.rs`, checked with trybuild).
#![cfg(feature = "macros")]

use std::time::Duration;

use spool::time::{sleep, Instant};

#[spool::test]
async fn plain_test_runs_on_one_worker() {
    assert_eq!(spool::task::worker_count(), 1);
    assert_eq!(spool::spawn(async { 2 }).await.unwrap(), 2);
}

#[spool::test(workers = 2)]
async fn workers_test_runs_the_body_on_worker_0() {
    assert_eq!(spool::task::worker_count(), 2);
    assert_eq!(spool::task::current_worker(), 0);
    let other = spool::spawn_on(1, async { spool::task::current_worker() });
    assert_eq!(other.await.unwrap(), 1);
}

#[spool::test(start_paused = true)]
async fn start_paused_test_sleeps_an_hour_at_once() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert!(real.elapsed() < Duration::from_secs(1));
}

#[spool::test(seed = 7)]
async fn seeded_test_runs() {
    let h = spool::spawn(async { 5 });
    assert_eq!(h.await.unwrap(), 5);
}

#[spool::test(start_paused = true, seed = 7)]
async fn paused_and_seeded_test_returns_a_result() -> Result<(), std::io::Error> {
    spool::time::timeout(Duration::from_secs(1), async {
        Ok::<_, std::io::Error>(())
    })
    .await
    .map_err(std::io::Error::from)??;
    Ok(())
}

#[spool::test(start_paused = false, workers = 1)]
async fn explicit_defaults_are_accepted() {
    let start = Instant::now();
    sleep(Duration::from_millis(1)).await;
    assert!(start.elapsed() >= Duration::from_millis(1));
}

#[spool::test]
#[should_panic(expected = "boom")]
async fn other_attributes_are_kept() {
    panic!("boom");
}

#[spool::main]
async fn main_default() -> u32 {
    spool::task::worker_count() as u32
}

#[spool::main(workers = 3)]
async fn main_three_workers() -> (usize, usize) {
    (spool::task::worker_count(), spool::task::current_worker())
}

#[test]
fn main_forms_build_a_runtime_and_return_the_output() {
    assert_eq!(main_default(), 1);
    assert_eq!(main_three_workers(), (3, 0));
}

#[test]
fn mistakes_are_compile_errors_at_the_argument() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/macros_ui/*.rs");
}
