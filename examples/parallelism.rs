//! The kitchen lesson: concurrency is not parallelism.
//!
//! A kitchen with one cook can still have six dishes in six ovens at once:
//! waiting does not need the cook (concurrency). Chopping a mountain of
//! vegetables does: two cooks chop twice as fast (parallelism). And a cook
//! who stands at the phone waiting for the supplier stops the whole kitchen,
//! unless someone else takes the call (`spawn_blocking`).
//!
//! The example prints, for each part, which worker ran each job and the
//! measured times:
//!
//! 1. six 100 ms "oven" waits (`spool::time::sleep`) on one worker: about
//!    100 ms in total, all on the same thread;
//! 2. 32 CPU-bound chunks on `workers(1)` and then `workers(2)`: the speedup
//!    (about 2x on two free cores);
//! 3. a 200 ms blocking call while a 10 ms timer ticks on the worker: inline
//!    it stalls the ticks; through `spawn_blocking` they keep coming.
//!
//! Run: `cargo run --release --example parallelism`.
//! A production runtime would add work stealing between workers; spool keeps
//! tasks where they were spawned (thread per core) and places new ones on
//! the least-loaded worker.

use std::time::{Duration, Instant};

fn chop(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..400_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

fn main() -> std::io::Result<()> {
    // 1. Concurrency: six waits overlap on one worker.
    println!("1. six 100 ms oven waits on one worker (concurrency)");
    let rt = spool::Runtime::new()?;
    let t0 = Instant::now();
    rt.block_on(async {
        let dishes: Vec<_> = (1..=6)
            .map(|dish| {
                spool::spawn(async move {
                    spool::time::sleep(Duration::from_millis(100)).await;
                    (
                        dish,
                        spool::task::current_worker(),
                        std::thread::current().id(),
                    )
                })
            })
            .collect();
        for d in dishes {
            let (dish, worker, thread) = d.await.unwrap();
            println!("   dish {dish} out of the oven on worker {worker} ({thread:?})");
        }
    });
    println!(
        "   total {:.0} ms for 6 x 100 ms of waiting\n",
        t0.elapsed().as_secs_f64() * 1e3
    );

    // 2. Parallelism: CPU-bound chunks over one and two workers.
    println!("2. 32 chunks of chopping (CPU-bound) on 1 and 2 workers (parallelism)");
    let mut times = Vec::new();
    for workers in [1, 2] {
        let rt = spool::Builder::new().workers(workers).build()?;
        rt.block_on(async {}); // start-up out of the measurement
        let t0 = Instant::now();
        let hs: Vec<_> = (0..32u64)
            .map(|i| rt.spawn(async move { (chop(i), spool::task::current_worker()) }))
            .collect();
        let per_worker = rt.block_on(async move {
            let mut per_worker = vec![0; workers];
            for h in hs {
                let (_, w) = h.await.unwrap();
                per_worker[w] += 1;
            }
            per_worker
        });
        let dt = t0.elapsed();
        println!(
            "   workers({workers}): {:>6.1} ms, chunks per worker {per_worker:?}",
            dt.as_secs_f64() * 1e3
        );
        times.push(dt);
    }
    println!(
        "   speedup with two workers: {:.2}x\n",
        times[0].as_secs_f64() / times[1].as_secs_f64()
    );

    // 3. Blocking: a 200 ms phone call, inline and through spawn_blocking.
    println!("3. a 200 ms blocking call while a 10 ms timer ticks on the worker");
    let rt = spool::Runtime::new()?;
    for offload in [false, true] {
        let ticks = rt.block_on(async move {
            let ticker = spool::spawn(async {
                let mut iv = spool::time::interval(Duration::from_millis(10));
                let mut ticks = 0u32;
                let until = Instant::now() + Duration::from_millis(200);
                while Instant::now() < until {
                    iv.tick().await;
                    ticks += 1;
                }
                ticks
            });
            spool::task::yield_now().await; // let the ticker start
            let call = || std::thread::sleep(Duration::from_millis(200));
            if offload {
                spool::spawn_blocking(call).await.unwrap();
            } else {
                call();
            }
            ticker.await.unwrap()
        });
        println!(
            "   {:<28} timer ticks during the call: {ticks}",
            if offload {
                "spawn_blocking(call):"
            } else {
                "call() inline on the worker:"
            }
        );
    }
    Ok(())
}
