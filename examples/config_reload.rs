//! Configuration reload with `watch`, token fan-out with `broadcast`.
//!
//! Part 1 (`watch`): four worker tasks on a two-worker runtime process
//! 20,000 jobs from a channel; each job is scaled by the *current*
//! configuration, which a reloader task replaces 20 times while they run.
//! Workers pick up a new configuration between jobs with
//! `has_changed` / `borrow_and_update` (no lock held across an `.await`)
//! and tally, under a shared `sync::Mutex`, how many jobs ran under each
//! version. It prints the reload count, how many versions each worker saw,
//! and the slowest time from `send` to a worker applying it.
//!
//! Part 2 (`broadcast`): one producer emits 50,000 tokens into a ring of
//! 256; three subscribers consume them: a counter and a length histogram
//! that keep up, and a deliberately slow one that falls behind and gets
//! `Lagged(n)`. For each it prints tokens received and missed; received +
//! missed always equals what was sent, so a lagging subscriber knows
//! exactly what it lost.
//!
//! Run: `cargo run --release --example config_reload` (exits 0 by itself,
//! in well under a second).
//!
//! A production service would load the configuration from a file or a
//! control plane on a signal (`spool::signal`), validate it before `send`,
//! and size the broadcast ring from the slowest subscriber it must not
//! lose data for, or give that one an mpsc queue of its own.

use spool::sync::broadcast::{self, error::RecvError};
use spool::sync::{mpsc, watch, Mutex};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The configuration the workers apply to every job.
#[derive(Debug, Clone)]
struct Config {
    version: u32,
    multiplier: u64,
    /// When the reloader published it, to measure pick-up latency.
    published: Instant,
}

const JOBS: u64 = 20_000;
const WORKERS: usize = 4;
const RELOADS: u32 = 20;
const TOKENS: u64 = 50_000;

fn main() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(config_reload());
    spool::block_on(token_fan_out());
}

async fn config_reload() {
    let start = Instant::now();
    let (cfg_tx, cfg_rx) = watch::channel(Config {
        version: 0,
        multiplier: 1,
        published: Instant::now(),
    });
    let (job_tx, job_rx) = mpsc::channel::<u64>(256);
    let job_rx = Arc::new(Mutex::new(job_rx));
    // Jobs per configuration version, and the slowest pick-up of a reload.
    let per_version = Arc::new(Mutex::new(BTreeMap::<u32, u64>::new()));
    let slowest = Arc::new(Mutex::new(Duration::ZERO));

    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (mut cfg_rx, job_rx) = (cfg_rx.clone(), job_rx.clone());
            let (per_version, slowest) = (per_version.clone(), slowest.clone());
            spool::spawn_on(w % 2, async move {
                let mut cfg = cfg_rx.borrow_and_update().clone();
                let (mut versions_seen, mut checksum) = (1u32, 0u64);
                loop {
                    // One job at a time from the shared queue (a fair
                    // Mutex: workers take turns in the order they asked).
                    let Some(job) = job_rx.lock().await.recv().await else {
                        break;
                    };
                    if cfg_rx.has_changed().unwrap_or(false) {
                        cfg = cfg_rx.borrow_and_update().clone();
                        versions_seen += 1;
                        let lag = cfg.published.elapsed();
                        let mut s = slowest.lock().await;
                        *s = (*s).max(lag);
                    }
                    checksum = checksum.wrapping_add(job * cfg.multiplier);
                    *per_version.lock().await.entry(cfg.version).or_default() += 1;
                }
                (versions_seen, checksum)
            })
        })
        .collect();
    drop(cfg_rx);

    let reloader = spool::spawn(async move {
        for version in 1..=RELOADS {
            spool::time::sleep(Duration::from_millis(2)).await;
            cfg_tx.send_modify(|c| {
                c.version = version;
                c.multiplier = u64::from(version) + 1;
                c.published = Instant::now();
            });
        }
    });
    for job in 0..JOBS {
        job_tx.send(job).await.unwrap();
        if job % 1_000 == 999 {
            // Let the reloader's timer fire between batches of jobs.
            spool::time::sleep(Duration::from_micros(500)).await;
        }
    }
    drop(job_tx);
    reloader.await.unwrap();

    println!("watch: {JOBS} jobs, {WORKERS} workers on 2 threads, {RELOADS} reloads");
    for (w, t) in workers.into_iter().enumerate() {
        let (seen, checksum) = t.await.unwrap();
        println!("  worker {w}: saw {seen:>2} configuration versions (checksum {checksum:#x})");
    }
    let per_version = per_version.lock().await;
    let total: u64 = per_version.values().sum();
    assert_eq!(total, JOBS, "every job ran under exactly one version");
    println!(
        "  jobs ran under {} versions; slowest reload pick-up {:?}; took {:?}",
        per_version.len(),
        *slowest.lock().await,
        start.elapsed()
    );
}

async fn token_fan_out() {
    let start = Instant::now();
    let (tx, _) = broadcast::channel::<String>(256);
    let mut subscribers = Vec::new();
    for (name, slow) in [("counter", false), ("histogram", false), ("slow", true)] {
        let mut rx = tx.subscribe();
        subscribers.push(spool::spawn(async move {
            let (mut got, mut missed) = (0u64, 0u64);
            let mut lengths = [0u64; 8];
            loop {
                match rx.recv().await {
                    Ok(token) => {
                        got += 1;
                        lengths[token.len().min(7)] += 1;
                        if slow && got % 16 == 0 {
                            spool::time::sleep(Duration::from_micros(50)).await;
                        }
                    }
                    Err(RecvError::Lagged(n)) => missed += n,
                    Err(RecvError::Closed) => break,
                }
            }
            (name, got, missed, lengths)
        }));
    }
    let words = [
        "the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog",
    ];
    for i in 0..TOKENS {
        tx.send(words[(i % words.len() as u64) as usize].to_string())
            .unwrap();
        if i % 128 == 127 {
            spool::task::yield_now().await;
        }
    }
    drop(tx);
    let elapsed = start.elapsed();
    println!("broadcast: {TOKENS} tokens, ring of 256, 3 subscribers");
    for s in subscribers {
        let (name, got, missed, lengths) = s.await.unwrap();
        assert_eq!(got + missed, TOKENS, "{name}: received + missed = sent");
        println!(
            "  {name:>9}: received {got:>6}, missed {missed:>6} (lengths 1..7: {:?})",
            &lengths[1..]
        );
    }
    println!(
        "  {:.1} M tokens/s delivered to the fast subscribers",
        (2 * TOKENS) as f64 / elapsed.as_secs_f64() / 1e6
    );
}
