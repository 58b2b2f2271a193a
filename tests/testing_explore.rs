//! `spool::testing::explore`: finds a race by trying seeds, names the seed,
//! and the seed replays the failure.

mod util;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use spool::testing::explore;

/// Two tasks increment a shared counter with an await between the read and
/// the write: a lost update under some interleavings. The second task
/// yields twice first, so that FIFO order never interleaves them.
async fn racy_counter() {
    let n = Rc::new(Cell::new(0));
    let slow = {
        let n = n.clone();
        spool::spawn(async move {
            let v = n.get();
            spool::task::yield_now().await;
            n.set(v + 1);
        })
    };
    let late = {
        let n = n.clone();
        spool::spawn(async move {
            spool::task::yield_now().await;
            spool::task::yield_now().await;
            let v = n.get();
            spool::task::yield_now().await;
            n.set(v + 1);
        })
    };
    slow.await.unwrap();
    late.await.unwrap();
    assert_eq!(n.get(), 2, "lost update");
}

fn panic_message(r: std::thread::Result<()>) -> String {
    let payload = r.expect_err("explore should have panicked");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap()
}

#[test]
fn explore_finds_the_race_and_the_seed_replays_it() {
    let _w = util::watchdog(Duration::from_secs(60), "explore");
    if std::env::var_os("SPOOL_SEED").is_some() {
        return; // a replay run: explore would try that one seed only
    }
    // FIFO order passes.
    spool::block_on(racy_counter());
    let found = std::panic::catch_unwind(|| explore(0..500, racy_counter));
    let msg = panic_message(found);
    assert!(msg.contains("lost update"), "{msg}");
    assert!(msg.contains("SPOOL_SEED="), "{msg}");
    assert!(msg.contains("cargo test"), "{msg}");
    let seed: u64 = msg
        .split("the run with seed ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no seed in: {msg}"));
    // The seed fails again, every time.
    for _ in 0..2 {
        let again = std::panic::catch_unwind(|| explore([seed], racy_counter));
        assert!(panic_message(again).contains(&format!("seed {seed} ")));
    }
}

#[test]
fn explore_passes_a_correct_program_for_200_seeds() {
    let _w = util::watchdog(Duration::from_secs(60), "explore");
    let runs = Cell::new(0);
    explore(0..200, || {
        runs.set(runs.get() + 1);
        async {
            let n = Rc::new(Cell::new(0));
            let tasks: Vec<_> = (0..3)
                .map(|_| {
                    let n = n.clone();
                    spool::spawn(async move {
                        spool::task::yield_now().await;
                        n.set(n.get() + 1); // read and write in one step
                        spool::time::sleep(Duration::from_secs(1)).await;
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(n.get(), 3);
        }
    });
    if std::env::var_os("SPOOL_SEED").is_none() {
        assert_eq!(runs.get(), 200);
    }
}
