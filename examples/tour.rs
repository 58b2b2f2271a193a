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
use std::time::{Duration, Instant};

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
    (
        "waits",
        "three 300 ms waits overlap on one thread",
        section_waits,
    ),
    (
        "channels",
        "two tasks play ping-pong over bounded channels",
        section_channels,
    ),
    (
        "echo",
        "a TCP echo server and its clients on one thread",
        section_echo,
    ),
    ("pool", "rented buffers come back to the pool", section_pool),
    (
        "workers",
        "CPU-bound chunks on one worker, then two",
        section_workers,
    ),
    (
        "dump",
        "list the live tasks of a runtime to see what is stuck",
        section_dump,
    ),
    (
        "testing",
        "a paused clock and seeded schedules find a race",
        section_testing,
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

fn section_waits() {
    heading(
        "waits",
        "Waiting is not working: three 300 ms timer waits on one thread overlap, so they",
        "take 300 ms together, not 900 ms (the reactor parks until the next deadline).",
    );
    let t0 = Instant::now();
    let threads = spool::block_on(async {
        let waits: Vec<_> = (0..3)
            .map(|_| {
                spool::spawn(async {
                    spool::time::sleep(Duration::from_millis(300)).await;
                    std::thread::current().id()
                })
            })
            .collect();
        let mut threads = Vec::new();
        for w in waits {
            threads.push(w.await.unwrap());
        }
        threads
    });
    println!(
        "   3 x 300 ms of waiting took {:.0} ms, all on {:?}",
        t0.elapsed().as_secs_f64() * 1e3,
        threads[0]
    );
    assert!(threads.iter().all(|t| *t == threads[0]));
}

fn section_channels() {
    heading(
        "channels",
        "spool::sync::mpsc channels hand values between tasks; with capacity 1 every",
        "message is a full round trip through the scheduler (wake, queue, poll).",
    );
    const ROUNDS: u32 = 100_000;
    let t0 = Instant::now();
    spool::block_on(async {
        let (ping_tx, mut ping_rx) = spool::sync::mpsc::channel::<u32>(1);
        let (pong_tx, mut pong_rx) = spool::sync::mpsc::channel::<u32>(1);
        let echo = spool::spawn(async move {
            while let Some(v) = ping_rx.recv().await {
                pong_tx.send(v + 1).await.unwrap();
            }
        });
        for i in 0..ROUNDS {
            ping_tx.send(i).await.unwrap();
            assert_eq!(pong_rx.recv().await, Some(i + 1));
        }
        drop(ping_tx);
        echo.await.unwrap();
    });
    let dt = t0.elapsed();
    println!(
        "   {ROUNDS} round trips in {:.1} ms: {:.0} ns per round trip",
        dt.as_secs_f64() * 1e3,
        dt.as_nanos() as f64 / ROUNDS as f64
    );
}

fn section_echo() {
    heading(
        "echo",
        "spool::net on the mio reactor: 32 clients stream 2 MiB each through an echo",
        "server, all on one thread; every byte is checked.",
    );
    use spool::net::{TcpListener, TcpStream};
    const CLIENTS: usize = 32;
    const BYTES: usize = 2 << 20;
    let rt = spool::Runtime::new().expect("runtime");
    let dt = rt
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let server = spool::spawn(async move {
                while let Ok((mut s, _)) = listener.accept().await {
                    drop(spool::spawn(async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        loop {
                            let n = s.read(&mut buf).await?;
                            if n == 0 {
                                return Ok::<_, std::io::Error>(());
                            }
                            s.write_all(&buf[..n]).await?;
                        }
                    }));
                }
            });
            let t0 = Instant::now();
            let clients: Vec<_> = (0..CLIENTS)
                .map(|id| {
                    spool::spawn(async move {
                        let s = TcpStream::connect(addr).await?;
                        let (mut rd, mut wr) = s.into_split();
                        let writer = spool::spawn(async move {
                            let chunk: Vec<u8> = (0..16 * 1024).map(|i| (i + id) as u8).collect();
                            for _ in 0..BYTES / chunk.len() {
                                wr.write_all(&chunk).await?;
                            }
                            Ok::<_, std::io::Error>(())
                        });
                        let mut got = 0;
                        let mut buf = vec![0u8; 64 * 1024];
                        while got < BYTES {
                            let n = rd.read(&mut buf).await?;
                            assert!(n > 0, "server closed early");
                            for (k, b) in buf[..n].iter().enumerate() {
                                assert_eq!(*b, ((got + k) % (16 * 1024) + id) as u8);
                            }
                            got += n;
                        }
                        writer.await.unwrap()?;
                        Ok::<_, std::io::Error>(())
                    })
                })
                .collect();
            for c in clients {
                c.await.unwrap()?;
            }
            server.abort();
            Ok::<_, std::io::Error>(t0.elapsed())
        })
        .expect("echo section");
    let total = (2 * CLIENTS * BYTES) as f64;
    let m = rt.metrics();
    println!(
        "   {} MiB through the server in {:.0} ms: {:.0} MiB/s (both directions), {} I/O events",
        (2 * CLIENTS * BYTES) >> 20,
        dt.as_secs_f64() * 1e3,
        total / dt.as_secs_f64() / (1 << 20) as f64,
        m.io_events
    );
}

fn section_pool() {
    heading(
        "pool",
        "spool::buf::BufferPool rents power-of-two buffers that return on drop (.NET's",
        "ArrayPool): a request loop reuses the same few buffers instead of allocating.",
    );
    use spool::buf::BufferPool;
    let pool = BufferPool::builder().max_per_class(64).build();
    const REQUESTS: usize = 100_000;
    let a0 = ALLOCS.load(Relaxed);
    let mut checksum = 0u64;
    for i in 0..REQUESTS {
        // A "request" needs a buffer of a size that varies: 1 B .. 16 KiB.
        let mut lease = pool.rent(1 + (i * 7919) % (16 * 1024));
        lease[0] = i as u8;
        checksum += lease.len() as u64 + lease[0] as u64;
    }
    let allocs = ALLOCS.load(Relaxed) - a0;
    let s = pool.stats();
    println!(
        "   {REQUESTS} rents of 1 B..16 KiB: {} reused, {} fresh, reuse rate {:.2}%",
        s.reused,
        s.fresh,
        100.0 * s.reused as f64 / s.rents as f64
    );
    println!(
        "   heap allocations: {allocs} for {REQUESTS} rents ({:.4} per rent)",
        allocs as f64 / REQUESTS as f64
    );
    std::hint::black_box(checksum);
}

fn cpu_chunk(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..300_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

fn section_workers() {
    heading(
        "workers",
        "Builder::workers(n) runs one executor per thread; Runtime::spawn places each",
        "task on the least-loaded worker, so CPU-bound work spreads over the cores.",
    );
    let mut times = Vec::new();
    for workers in [1, 2] {
        let rt = spool::Builder::new()
            .workers(workers)
            .build()
            .expect("runtime");
        rt.block_on(async {});
        let t0 = Instant::now();
        let hs: Vec<_> = (0..32u64)
            .map(|i| rt.spawn(async move { cpu_chunk(i) }))
            .collect();
        rt.block_on(async move {
            for h in hs {
                h.await.unwrap();
            }
        });
        let dt = t0.elapsed();
        let per_worker: Vec<u64> = rt
            .metrics()
            .per_worker
            .iter()
            .map(|w| w.tasks_completed)
            .collect();
        println!(
            "   workers({workers}): 32 chunks in {:>6.1} ms, chunks per worker {per_worker:?}",
            dt.as_secs_f64() * 1e3
        );
        times.push(dt.as_secs_f64());
    }
    println!(
        "   speedup with two workers: {:.2}x on {} available cores",
        times[0] / times[1],
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

fn section_dump() {
    heading(
        "dump",
        "Runtime::dump lists every live task: name (task::Builder::name), state, polls,",
        "age. Here a named task waits on a channel nobody sends to, so it shows as idle.",
    );
    let rt = spool::Builder::new().workers(2).build().expect("runtime");
    let (tx, keep) = rt.block_on(async {
        let (tx, mut rx) = spool::sync::mpsc::channel::<u32>(1);
        let waiter = spool::task::Builder::new()
            .name("waits-for-order")
            .spawn(async move { rx.recv().await })
            .unwrap();
        let worker = spool::spawn_on(1, async {
            for _ in 0..3 {
                spool::task::yield_now().await;
            }
        });
        worker.await.unwrap();
        spool::task::yield_now().await;
        (tx, waiter)
    });
    for line in rt.dump().to_string().lines() {
        println!("   {line}");
    }
    drop((tx, keep));
}

fn section_testing() {
    heading(
        "testing",
        "A paused clock runs an hour of timers in microseconds; seeded schedules try",
        "other task orders, and explore() names the seed that breaks a racy counter.",
    );
    let real = Instant::now();
    let rt = spool::Builder::new()
        .start_paused(true)
        .build()
        .expect("runtime");
    let virtual_elapsed = rt.block_on(async {
        let start = spool::time::Instant::now();
        spool::time::sleep(Duration::from_secs(3600)).await;
        start.elapsed()
    });
    println!(
        "   slept {:?} of virtual time in {:?} of real time",
        virtual_elapsed,
        real.elapsed()
    );
    // Read, await, write: a lost update, but only under some task orders.
    let racy = || async {
        let n = Rc::new(RefCell::new(0));
        let bump = |delay: u32| {
            let n = n.clone();
            spool::spawn(async move {
                for _ in 0..delay {
                    spool::task::yield_now().await;
                }
                let v = *n.borrow();
                spool::task::yield_now().await;
                *n.borrow_mut() = v + 1;
            })
        };
        let (a, b) = (bump(0), bump(2));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(*n.borrow(), 2, "lost update");
    };
    spool::block_on(racy()); // FIFO order: passes
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let found = std::panic::catch_unwind(|| spool::testing::explore(0..200, racy));
    std::panic::set_hook(hook);
    let msg = found.expect_err("explore finds the race");
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    println!("   FIFO order passes; explore(0..200) says:");
    for line in msg.lines() {
        println!("     {line}");
    }
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
