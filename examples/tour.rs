//! The guided tour: one command that runs through what spool can do.
//!
//! Each section says in two lines what it shows, then prints a figure it
//! measured just now. Run everything, or one section:
//!
//! ```text
//! cargo run --release --example tour
//! cargo run --release --example tour -- --section spawn
//! cargo run --release --example tour -- --list
//! ```
//!
//! The figures come from this machine and this run; BENCHMARKS.md has the
//! careful, side-by-side-with-tokio numbers. A production runtime would
//! offer the same features with more knobs (work stealing, io_uring,
//! tracing hooks); spool keeps each piece small enough to read.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

type Section = (&'static str, &'static str, fn());

const SECTIONS: &[Section] = &[
    (
        "spawn",
        "10,000 tasks spawned and joined on one thread",
        section_spawn,
    ),
    (
        "interleave",
        "two tasks take turns through yield_now",
        section_interleave,
    ),
];

fn heading(name: &str, line1: &str, line2: &str) {
    println!("\n== {name} ==");
    println!("   {line1}");
    println!("   {line2}");
}

fn section_spawn() {
    heading(
        "spawn",
        "Spawned tasks live in a slab-backed arena: a finished task's slot is reused by",
        "the next spawn, so after warm-up a spawn allocates nothing on the heap.",
    );
    const N: usize = 10_000;
    let rt = spool::Runtime::new().expect("runtime");
    let round = || async {
        let handles: Vec<_> = (0..N).map(|i| spool::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    };
    let t0 = Instant::now();
    let sum = rt.block_on(round());
    let cold = t0.elapsed();
    assert_eq!(sum, N * (N - 1) / 2);
    let t1 = Instant::now();
    let (sum, allocs) = rt.block_on(async {
        let mut handles = Vec::with_capacity(N);
        let a = ALLOCS.load(Relaxed);
        for i in 0..N {
            handles.push(spool::spawn(async move { i }));
        }
        let mut sum = 0;
        for h in handles.drain(..) {
            sum += h.await.unwrap();
        }
        (sum, ALLOCS.load(Relaxed) - a)
    });
    let warm = t1.elapsed();
    assert_eq!(sum, N * (N - 1) / 2);
    let m = rt.metrics();
    println!(
        "   first round (cold arena): {:>8.1} ns per spawn+join",
        cold.as_nanos() as f64 / N as f64
    );
    println!(
        "   second round (warm):      {:>8.1} ns per spawn+join, {:.3} allocations per spawn",
        warm.as_nanos() as f64 / N as f64,
        allocs as f64 / N as f64
    );
    println!(
        "   arena: {} slots created, {} reused, {} boxed fallbacks",
        m.slots_allocated, m.slots_reused, m.boxed_fallbacks
    );
}

fn section_interleave() {
    heading(
        "interleave",
        "One thread, two tasks: each yield_now sends a task to the back of the FIFO run",
        "queue, so the two take turns (concurrency without a second thread).",
    );
    let log = Rc::new(RefCell::new(Vec::new()));
    spool::block_on({
        let log = log.clone();
        async move {
            let tasks: Vec<_> = ["A", "B"]
                .into_iter()
                .map(|name| {
                    let log = log.clone();
                    spool::spawn(async move {
                        for step in 1..=3 {
                            log.borrow_mut().push(format!("{name}{step}"));
                            spool::task::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        }
    });
    println!(
        "   order of steps: {}   (thread {:?})",
        log.borrow().join(" "),
        std::thread::current().id()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, what, _) in SECTIONS {
            println!("{name:<12} {what}");
        }
        return;
    }
    let only = args
        .iter()
        .position(|a| a == "--section")
        .map(|i| args.get(i + 1).cloned().unwrap_or_default());
    if let Some(name) = &only {
        if !SECTIONS.iter().any(|(n, _, _)| n == name) {
            eprintln!("unknown section {name:?}; --list shows them");
            std::process::exit(2);
        }
    }
    println!("spool tour: {} sections", SECTIONS.len());
    let t0 = Instant::now();
    for (name, _, run) in SECTIONS {
        if only.as_deref().is_none_or(|o| o == *name) {
            run();
        }
    }
    println!("\ntour finished in {:.2} s", t0.elapsed().as_secs_f64());
}
