//! The fan-out / fan-in lesson: .NET's `Parallel.ForEachAsync` with a
//! `MaxDegreeOfParallelism`, on spool.
//!
//! 1,000 simulated document jobs go through four stages each: *read* (a
//! storage round trip), *chunk* (real CPU work: splitting the text),
//! *embed* (a model-service round trip plus real CPU work: hashing every
//! chunk into a vector) and *index* (another round trip). The round trips
//! are simulated by a small "remote service" thread that completes each
//! request after a fixed latency by sending on a `oneshot` channel, so the
//! waits are real time and every completion is a cross-thread wake into
//! spool. Each stage also yields to the scheduler a few times, as a real
//! client library would between reads.
//!
//! The jobs run twice: one after another (the sequential baseline), then
//! all spawned at once with a `Semaphore` bounding how many are in flight
//! (the degree of parallelism). Results are gathered in input order by
//! awaiting the `JoinHandle`s in order, and both runs must agree.
//!
//! Run: `cargo run --release --example fan_out`. It prints the sequential
//! time, the fan-out time, the speed-up, and the maximum number of jobs
//! observed in flight at once (never more than the degree of parallelism).
//!
//! A production runtime would do differently: the waits would be real
//! sockets and timers in the reactor rather than a helper thread; the CPU
//! stages would spread over several workers (or `spawn_blocking`) instead
//! of sharing one thread; and for millions of inputs it would not spawn one
//! task per input up front but keep only `DEGREE` tasks alive, each pulling
//! the next input from a channel, so memory stays bounded too.

use spool::sync::{oneshot, Semaphore};
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc as std_mpsc, Arc};
use std::time::{Duration, Instant};

/// Documents to process.
const JOBS: usize = 1_000;
/// Jobs allowed in flight at once (`MaxDegreeOfParallelism`).
const DEGREE: usize = 32;
/// Simulated latencies of the remote stages.
const READ_LATENCY: Duration = Duration::from_micros(300);
const EMBED_LATENCY: Duration = Duration::from_micros(600);
const INDEX_LATENCY: Duration = Duration::from_micros(200);
/// Yields per stage (scheduling points of a real client library).
const YIELDS_PER_STAGE: usize = 3;
/// Bytes per chunk and dimensions per embedding.
const CHUNK_LEN: usize = 256;
const DIMS: usize = 16;

fn main() {
    let service = RemoteService::start();

    let start = Instant::now();
    let sequential: Vec<DocResult> = spool::block_on(async {
        let mut out = Vec::with_capacity(JOBS);
        for id in 0..JOBS {
            out.push(process(&service, id).await);
        }
        out
    });
    let sequential_time = start.elapsed();

    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let fanned_out: Vec<DocResult> = spool::block_on(async {
        let sem = Arc::new(Semaphore::new(DEGREE));
        // Fan out: one task per document, each waiting for a permit.
        let handles: Vec<_> = (0..JOBS)
            .map(|id| {
                let (sem, service) = (sem.clone(), service.clone());
                let (in_flight, max_in_flight) = (in_flight.clone(), max_in_flight.clone());
                spool::spawn(async move {
                    let _permit = sem.acquire().await.unwrap();
                    let now = in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                    max_in_flight.fetch_max(now, Ordering::Relaxed);
                    let result = process(&service, id).await;
                    in_flight.fetch_sub(1, Ordering::Relaxed);
                    result
                })
            })
            .collect();
        // Fan in: await in input order, so results come back in order.
        let mut out = Vec::with_capacity(JOBS);
        for h in handles {
            out.push(h.await.expect("a job panicked"));
        }
        out
    });
    let fan_out_time = start.elapsed();

    assert_eq!(
        sequential, fanned_out,
        "both runs must produce the same results"
    );
    assert!(fanned_out.iter().enumerate().all(|(i, r)| r.id == i));
    let max_seen = max_in_flight.load(Ordering::Relaxed);
    assert!(max_seen <= DEGREE);
    let chunks: usize = fanned_out.iter().map(|r| r.chunks).sum();

    println!("{JOBS} documents, {chunks} chunks, degree of parallelism {DEGREE}");
    println!(
        "sequential: {:>8.1} ms",
        sequential_time.as_secs_f64() * 1e3
    );
    println!("fan-out:    {:>8.1} ms", fan_out_time.as_secs_f64() * 1e3);
    println!(
        "speed-up:   {:>8.1}x",
        sequential_time.as_secs_f64() / fan_out_time.as_secs_f64()
    );
    println!("max jobs in flight observed: {max_seen} (bound {DEGREE})");
}

/// What one job produces.
#[derive(Debug, PartialEq)]
struct DocResult {
    id: usize,
    chunks: usize,
    checksum: u64,
}

/// Read, chunk, embed, index one document.
async fn process(service: &RemoteService, id: usize) -> DocResult {
    // read
    service.call(READ_LATENCY).await;
    let text = document_text(id);
    yield_a_few().await;
    // chunk
    let chunks: Vec<&[u8]> = text.as_bytes().chunks(CHUNK_LEN).collect();
    yield_a_few().await;
    // embed
    service.call(EMBED_LATENCY).await;
    let embeddings: Vec<[u32; DIMS]> = chunks.iter().map(|c| embed(c)).collect();
    yield_a_few().await;
    // index
    service.call(INDEX_LATENCY).await;
    let checksum = embeddings
        .iter()
        .flatten()
        .fold(0u64, |acc, &x| acc.rotate_left(5) ^ u64::from(x));
    yield_a_few().await;
    DocResult {
        id,
        chunks: chunks.len(),
        checksum,
    }
}

async fn yield_a_few() {
    for _ in 0..YIELDS_PER_STAGE {
        spool::task::yield_now().await;
    }
}

/// A deterministic pseudo-text of 2-6 KiB for document `id`.
fn document_text(id: usize) -> String {
    const WORDS: [&str; 8] = [
        "async", "runtime", "task", "waker", "slab", "queue", "poll", "io",
    ];
    let mut state = id as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let len = 2048 + (id % 5) * 1024;
    let mut text = String::with_capacity(len + 16);
    while text.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(WORDS[(state % 8) as usize]);
        text.push(' ');
    }
    text
}

/// A toy embedding: FNV-1a hashes of the chunk under `DIMS` seeds.
fn embed(chunk: &[u8]) -> [u32; DIMS] {
    let mut v = [0u32; DIMS];
    for (d, slot) in v.iter_mut().enumerate() {
        let mut h: u32 = 0x811C_9DC5 ^ d as u32;
        for &b in chunk {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        *slot = h;
    }
    v
}

/// A simulated remote service: a thread that answers each request after
/// its latency, by sending on the request's oneshot channel (which wakes
/// the waiting task on the spool thread).
#[derive(Clone)]
struct RemoteService {
    requests: std_mpsc::Sender<(Instant, oneshot::Sender<()>)>,
}

impl RemoteService {
    fn start() -> Self {
        let (requests, incoming) = std_mpsc::channel::<(Instant, oneshot::Sender<()>)>();
        std::thread::spawn(move || {
            let mut due: BinaryHeap<Due> = BinaryHeap::new();
            let mut seq = 0u64;
            loop {
                let next = due.peek().map(|d| d.at);
                let received = match next {
                    Some(at) => incoming.recv_timeout(at.saturating_duration_since(Instant::now())),
                    None => incoming
                        .recv()
                        .map_err(|_| std_mpsc::RecvTimeoutError::Disconnected),
                };
                match received {
                    Ok((at, reply)) => {
                        seq += 1;
                        due.push(Due { at, seq, reply });
                    }
                    Err(std_mpsc::RecvTimeoutError::Timeout) => {}
                    Err(std_mpsc::RecvTimeoutError::Disconnected) if due.is_empty() => return,
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => {}
                }
                let now = Instant::now();
                while due.peek().is_some_and(|d| d.at <= now) {
                    let _ = due.pop().unwrap().reply.send(());
                }
            }
        });
        RemoteService { requests }
    }

    /// One round trip taking `latency`.
    async fn call(&self, latency: Duration) {
        let (reply, done) = oneshot::channel();
        self.requests
            .send((Instant::now() + latency, reply))
            .expect("service thread is alive");
        done.await.expect("service answers every request");
    }
}

/// A pending reply, ordered by due time (earliest first in the heap).
struct Due {
    at: Instant,
    seq: u64,
    reply: oneshot::Sender<()>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        // Reversed: BinaryHeap is a max-heap, we want the earliest first.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}
