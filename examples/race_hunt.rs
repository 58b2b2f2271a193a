//! Hunting a race with seeded schedules: `spool::testing::explore`.
//!
//! A tiny bank keeps balances in a `RefCell<HashMap>` on one thread. Its
//! `transfer` reads both balances, awaits a (simulated) audit log write,
//! then writes both balances back: a read-modify-write with an `.await` in
//! the middle. Two transfers and a deposit run as three tasks with
//! staggered starts. Under spool's default FIFO order each one finishes
//! before the next one reads, so a plain test passes; under other orders
//! a transfer or the deposit lands between a transfer's read and its
//! write, and money is lost or created.
//!
//! The program:
//! 1. runs the buggy bank once under FIFO order: it passes;
//! 2. runs it under seeds 0..500 with `explore` (paused clock, seeded
//!    run queue): a seed fails, and `explore` names it;
//! 3. replays that seed twice: the same failure, with the same final
//!    balances, both times;
//! 4. runs the fixed bank (the write is computed from balances read after
//!    the await, in one step) under all 500 seeds: every one passes.
//!
//! Run it with `cargo run --example race_hunt`; it exits 0 when all four
//! steps went as described. A production test would just call
//! `explore(0..500, || async { ... })` inside a `#[test]` and let its
//! panic message (`SPOOL_SEED=<seed> cargo test NAME`) say how to replay.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic;
use std::rc::Rc;

use spool::testing::explore;

type Bank = Rc<RefCell<HashMap<&'static str, i64>>>;

/// Writing an audit record: an await (here one trip through the run queue).
async fn audit() {
    spool::task::yield_now().await;
}

/// Arrives a little later: `n` trips through the run queue first.
async fn after(n: u32) {
    for _ in 0..n {
        spool::task::yield_now().await;
    }
}

/// The bug: balances read before the await are written back after it.
async fn transfer_buggy(bank: Bank, from: &'static str, to: &'static str, amount: i64) {
    let (a, b) = {
        let bank = bank.borrow();
        (bank[from], bank[to])
    };
    audit().await;
    let mut bank = bank.borrow_mut();
    bank.insert(from, a - amount);
    bank.insert(to, b + amount);
}

/// The fix: audit first, then read and write in one step (no await
/// between them, so no other task can run in the middle).
async fn transfer_fixed(bank: Bank, from: &'static str, to: &'static str, amount: i64) {
    audit().await;
    let mut bank = bank.borrow_mut();
    *bank.get_mut(from).unwrap() -= amount;
    *bank.get_mut(to).unwrap() += amount;
}

/// Two transfers and a deposit; panics if money was created or lost.
async fn scenario(fixed: bool) {
    let bank: Bank = Rc::new(RefCell::new(HashMap::from([("alice", 100), ("bob", 100)])));
    let transfer = |from, to, amount, delay| {
        let bank = bank.clone();
        spool::spawn(async move {
            after(delay).await;
            if fixed {
                transfer_fixed(bank, from, to, amount).await
            } else {
                transfer_buggy(bank, from, to, amount).await
            }
        })
    };
    // Staggered starts: under FIFO order each one's read and write happen
    // before the next one reads.
    let t1 = transfer("alice", "bob", 30, 0);
    let t2 = transfer("bob", "alice", 10, 2);
    let deposit = {
        let bank = bank.clone();
        spool::spawn(async move {
            after(4).await;
            *bank.borrow_mut().get_mut("alice").unwrap() += 50;
        })
    };
    for t in [t1, t2, deposit] {
        t.await.unwrap();
    }
    let bank = bank.borrow();
    let total = bank["alice"] + bank["bob"];
    assert_eq!(
        total, 250,
        "money went missing: alice {} + bob {} = {total}, expected 250",
        bank["alice"], bank["bob"]
    );
}

/// Runs `f`, returning its panic message if it panicked.
fn panic_message(f: impl FnOnce() + panic::UnwindSafe) -> Option<String> {
    let payload = panic::catch_unwind(f).err()?;
    Some(
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    )
}

fn main() {
    // explore prints nothing itself; keep the expected panics quiet and say
    // what happened below instead.
    panic::set_hook(Box::new(|_| {}));
    if std::env::var_os("SPOOL_SEED").is_some() {
        eprintln!("race_hunt: unset SPOOL_SEED to run the whole hunt");
    }

    // 1. FIFO order: the race stays hidden.
    let fifo = panic_message(|| spool::block_on(scenario(false)));
    println!(
        "1. buggy bank, FIFO order: {}",
        fifo.as_deref().unwrap_or("passes")
    );
    assert!(fifo.is_none(), "the race should hide under FIFO order");

    // 2. Seeds 0..500: explore finds a failing one.
    let found = panic_message(|| explore(0..500, || scenario(false)))
        .expect("explore should find the race within 500 seeds");
    println!(
        "2. explore over seeds 0..500:\n   {}",
        found.replace('\n', "\n   ")
    );
    let seed: u64 = found
        .split("the run with seed ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .expect("explore's message names the seed");

    // 3. The seed replays the same failure, twice.
    let mut replays = Vec::new();
    for n in 1..=2 {
        let again = panic_message(|| explore([seed], || scenario(false)))
            .expect("the failing seed should fail again");
        println!(
            "3. replay {n} of seed {seed}: {}",
            again.lines().next().unwrap_or("")
        );
        replays.push(again);
    }
    assert_eq!(replays[0], replays[1], "a replay must fail the same way");
    assert_eq!(replays[0], found, "the replay must match the hunt");

    // 4. The fixed bank passes under every seed.
    let fixed = panic_message(|| explore(0..500, || scenario(true)));
    println!(
        "4. fixed bank, seeds 0..500: {}",
        fixed.as_deref().unwrap_or("all pass")
    );
    assert!(fixed.is_none());
}
