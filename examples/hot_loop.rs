//! The hot-loop lesson: a per-item heap object in a loop over thousands of
//! streamed tokens costs time; a future that is ready completes without one.
//!
//! A token-streaming server looks each token up in an in-memory cache. Most
//! lookups hit (the answer is ready at once); some miss and must wait for a
//! slower source (here: a future that is pending once before it is ready,
//! like a real I/O wait). The example processes 100,000 tokens three ways
//! and prints allocations per token (a counting global allocator) and
//! nanoseconds per token:
//!
//! 1. `boxed`: each lookup is a `Pin<Box<dyn Future>>`, one heap
//!    allocation per token (the .NET `Task` per item);
//! 2. `inline`: an `async fn` awaited in place, no allocation on the ready
//!    path (the `ValueTask` fast path);
//! 3. `spawned`: a spawned task per token, on spool's warm arena: no
//!    allocation either, even though every token becomes a task.
//!
//! Run: `cargo run --release --example hot_loop`.
//!
//! A production server would batch tokens rather than spawn one task each;
//! the third strategy is here to show that the arena makes even that cheap.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
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

const TOKENS: u32 = 100_000;
/// One token in ten misses the cache.
const MISS_EVERY: u32 = 10;

/// The in-memory cache: token id -> embedding id (say).
struct Cache {
    values: Vec<u32>,
}

impl Cache {
    fn new() -> Cache {
        Cache {
            values: (0..TOKENS).map(|t| t.wrapping_mul(2_654_435_761)).collect(),
        }
    }
}

/// The slow path: a source that is not ready on first poll.
async fn fetch_slow(token: u32) -> u32 {
    spool::task::yield_now().await;
    token.rotate_left(7)
}

/// Looks a token up: ready at once on a hit, waits on a miss.
async fn lookup(cache: &Cache, token: u32) -> u32 {
    if token % MISS_EVERY != 0 {
        cache.values[token as usize]
    } else {
        fetch_slow(token).await
    }
}

struct Report {
    name: &'static str,
    allocs: u64,
    nanos: u128,
    checksum: u64,
}

fn measure<F: Future<Output = u64>>(rt: &spool::Runtime, name: &'static str, f: F) -> Report {
    let a0 = ALLOCS.load(Relaxed);
    let t0 = Instant::now();
    let checksum = rt.block_on(f);
    Report {
        name,
        nanos: t0.elapsed().as_nanos(),
        allocs: ALLOCS.load(Relaxed) - a0,
        checksum,
    }
}

fn main() {
    let rt = spool::Runtime::new().expect("runtime");
    let cache = Rc::new(Cache::new());

    let boxed = || {
        let cache = cache.clone();
        async move {
            let mut sum = 0u64;
            for t in 0..TOKENS {
                let fut: Pin<Box<dyn Future<Output = u32> + '_>> = Box::pin(lookup(&cache, t));
                sum += fut.await as u64;
            }
            sum
        }
    };
    let inline = || {
        let cache = cache.clone();
        async move {
            let mut sum = 0u64;
            for t in 0..TOKENS {
                sum += lookup(&cache, t).await as u64;
            }
            sum
        }
    };
    let spawned = || {
        let cache = cache.clone();
        async move {
            let mut sum = 0u64;
            for t in 0..TOKENS {
                let cache = cache.clone();
                sum += spool::spawn(async move { lookup(&cache, t).await })
                    .await
                    .unwrap() as u64;
            }
            sum
        }
    };

    // Warm up every path once (arena slots, caches), then measure.
    rt.block_on(boxed());
    rt.block_on(inline());
    rt.block_on(spawned());
    let reports = [
        measure(&rt, "boxed future per token", boxed()),
        measure(&rt, "async fn awaited inline", inline()),
        measure(&rt, "spawned task per token", spawned()),
    ];

    println!("{TOKENS} tokens, 1 in {MISS_EVERY} misses the cache and waits once\n");
    println!(
        "{:<26} {:>16} {:>14}",
        "strategy", "allocs / token", "ns / token"
    );
    for r in &reports {
        println!(
            "{:<26} {:>16.3} {:>14.1}",
            r.name,
            r.allocs as f64 / TOKENS as f64,
            r.nanos as f64 / TOKENS as f64
        );
    }
    assert!(reports.iter().all(|r| r.checksum == reports[0].checksum));
    let m = rt.metrics();
    println!(
        "\narena: {} slots created, {} reused, {} boxed fallbacks",
        m.slots_allocated, m.slots_reused, m.boxed_fallbacks
    );
}
