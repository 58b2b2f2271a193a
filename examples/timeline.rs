//! Pictures of the schedule: record every poll and draw a Gantt chart.
//!
//! Builds a two-worker runtime with the timeline on, runs a small mixed
//! workload, and writes an SVG (default `target/timeline.svg`, or the path
//! given with `--out`; the README's picture is
//! `--out docs/timeline.svg`): one row per worker, one rectangle per poll, one
//! colour per task.
//!
//! - On worker 0, three tasks take turns through `yield_now` while the
//!   `block_on` future waits: interleaving on one thread.
//! - CPU-bound chunks spread over both workers: parallel rows.
//!
//! Run: `cargo run --release --example timeline [-- --out FILE]`.
//! The README embeds the file it produced. A production runtime would
//! stream such events to a tracing backend instead of a fixed ring.

fn cpu_chunk(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..150_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| "target/timeline.svg".to_string());

    let rt = spool::Builder::new().workers(2).timeline(10_000).build()?;
    rt.block_on(async {
        // Interleaving: three tasks on worker 0, each yielding between steps.
        let steps: Vec<_> = (0..3u64)
            .map(|t| {
                spool::spawn(async move {
                    let mut acc = 0;
                    for i in 0..6 {
                        acc ^= cpu_chunk(t * 100 + i);
                        spool::task::yield_now().await;
                    }
                    acc
                })
            })
            .collect();
        for s in steps {
            s.await.unwrap();
        }
        // Parallelism: chunks placed on both workers.
        let chunks: Vec<_> = (0..8u64)
            .map(|i| spool::spawn_on((i % 2) as usize, async move { cpu_chunk(i) }))
            .collect();
        for c in chunks {
            c.await.unwrap();
        }
    });
    let timeline = rt.timeline();
    let svg = timeline.to_svg();
    if let Some(dir) = std::path::Path::new(&out).parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    std::fs::write(&out, &svg)?;
    let per_worker: Vec<usize> = (0..timeline.workers)
        .map(|w| timeline.events.iter().filter(|e| e.worker == w).count())
        .collect();
    println!(
        "recorded {} polls (per worker: {:?}); wrote {} ({} bytes)",
        timeline.events.len(),
        per_worker,
        out,
        svg.len()
    );
    Ok(())
}
