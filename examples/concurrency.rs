//! The concurrency lesson: waiting is not working, so one thread can wait
//! for many things at once.
//!
//! Three "I/O waits" of 300 ms each run twice. First one after another with
//! `std::thread::sleep`, which blocks the thread: about 900 ms. Then as
//! three spool tasks using `spool::time::sleep`, which only registers a
//! timer with the reactor and returns `Pending`: the one thread starts all
//! three, parks in the reactor until the deadline, and finishes all three
//! after about 300 ms. Every line prints the time since the start of its
//! part and the id of the thread that ran it, so you can see one thread
//! doing all three.
//!
//! Run: `cargo run --release --example concurrency`.
//!
//! A production service would do the same with real sockets (the reactor
//! treats a socket wait exactly like a timer wait) and would typically use
//! one such thread per core (`spool::Builder::new().workers(n)`).

use std::thread;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_millis(300);

fn log(start: Instant, what: &str) {
    println!(
        "  {:>6.1} ms  {:?}  {what}",
        start.elapsed().as_secs_f64() * 1e3,
        thread::current().id()
    );
}

fn main() {
    println!("sequential: std::thread::sleep blocks the thread");
    let start = Instant::now();
    for i in 1..=3 {
        log(start, &format!("wait {i} begins"));
        thread::sleep(WAIT);
        log(start, &format!("wait {i} done"));
    }
    let sequential = start.elapsed();
    println!("  total {:.0} ms\n", sequential.as_secs_f64() * 1e3);

    println!("concurrent: spool::time::sleep on one thread");
    let concurrent = spool::block_on(async {
        let start = Instant::now();
        let tasks: Vec<_> = (1..=3)
            .map(|i| {
                spool::spawn(async move {
                    log(start, &format!("wait {i} begins"));
                    spool::time::sleep(WAIT).await;
                    log(start, &format!("wait {i} done"));
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        start.elapsed()
    });
    println!("  total {:.0} ms\n", concurrent.as_secs_f64() * 1e3);
    println!(
        "same three waits: {:.0} ms blocking, {:.0} ms concurrent ({:.1}x)",
        sequential.as_secs_f64() * 1e3,
        concurrent.as_secs_f64() * 1e3,
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
}
