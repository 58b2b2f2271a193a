//! A token-streaming server: simulated LLM output sent to 64 concurrent
//! clients, with each response built in a pooled buffer, against the naive
//! `String` per response.
//!
//! The server reads a request (a 64-bit seed and a token count), and a
//! deterministic word generator seeded by it plays the model: it emits one
//! word per token and pauses 1 ms (`spool::time::sleep`) every 8 tokens.
//! The example runs the same load twice on one worker:
//!
//! 1. `pooled`: each response rents a 4 KiB [`Lease`] from a `BufferPool`
//!    built for the example, copies every token (a `&'static str` from the
//!    vocabulary) into it, and `write_all`s it whenever the next token would
//!    not fit, and at the end. The lease is held across the pauses and
//!    returned when the response ends.
//! 2. `naive`, the shape a newcomer writes: the generator hands out every
//!    token as an owned `String` (as most model SDKs do), the handler
//!    `push_str`s it onto a `String` that grows for the whole response, and
//!    sends that with one `write_all` at the end.
//!
//! The clients (64 spool tasks on the same runtime, over 127.0.0.1) send one
//! request at a time on a kept-alive connection, read each whole response
//! into one reused buffer and check it byte for byte against the generator.
//! After a warm-up of one response per client, the measured phase is five
//! responses per client (about 415,000 tokens per run). It prints, per run:
//! tokens per second, heap allocations and allocated bytes per token (a
//! counting global allocator, whole process, measured phase only), the
//! worker thread's CPU time per token (Linux), the peak number of response
//! buffers in use (an atomic gauge) and the bytes they held; then the pool's
//! counters (rents, reused, fresh, returned, discarded; reuse rate =
//! reused / rents) for the whole run and for the measured phase, and how
//! much of the naive run's allocation count is the growing `String`.
//! Tokens per second are set by the model's pauses, the same in both runs;
//! the buffer strategy shows in the allocations, the CPU time and the
//! memory held. `tests/token_stream.rs` runs the same server, smaller, and
//! asserts the byte-exactness, the pool's reuse and the allocation counts.
//!
//! Run: `cargo run --release --example token_stream` (about 3.5 seconds).
//!
//! A production server would flush before every pause (or on a short
//! deadline) so tokens reach the client as they are produced rather than
//! 4 KiB at a time, frame the stream (chunked HTTP or SSE) instead of ending
//! it with a newline, bound connections and time out idle ones, write
//! through `writev` rather than a copy, and size the pool's `max_per_class`
//! to its connection limit, as this example does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use spool::buf::{BufferPool, Lease, PoolStats};
use spool::net::{TcpListener, TcpStream};

// The `pub(crate)` items below are also used by tests/token_stream.rs, which
// includes this file as a module.

// ---------------------------------------------------------------------------
// Counting allocator

struct Counting;
/// Allocations (including reallocations) since the process started.
static ALLOCS: AtomicU64 = AtomicU64::new(0);
/// Bytes requested by those allocations (the new size, for a reallocation).
static ALLOC_BYTES: AtomicU64 = AtomicU64::new(0);

fn count(bytes: usize) {
    ALLOCS.fetch_add(1, Relaxed);
    ALLOC_BYTES.fetch_add(bytes as u64, Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        count(l.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        count(l.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(p, l, new_size) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

// ---------------------------------------------------------------------------
// The simulated model

/// The vocabulary: every token is one of these words and its trailing space.
#[rustfmt::skip]
const WORDS: [&str; 64] = [
    "the ", "a ", "model ", "token ", "stream ", "of ", "and ", "to ", "in ", "is ", "that ",
    "it ", "for ", "on ", "with ", "as ", "runtime ", "buffer ", "pool ", "lease ", "task ",
    "waker ", "reactor ", "timer ", "socket ", "async ", "future ", "poll ", "ready ", "pending ",
    "worker ", "queue ", "slab ", "arena ", "heap ", "byte ", "word ", "answer ", "question ",
    "because ", "therefore ", "however, ", "indeed ", "perhaps ", "quickly ", "slowly ",
    "carefully ", "every ", "some ", "no ", "one ", "two ", "three ", "many ", "few ", "server ",
    "client ", "request ", "response ", "latency ", "throughput ", "allocation ", "memory ",
    "cache. ",
];

/// Tokens per response: `MIN_TOKENS ..= MIN_TOKENS + TOKEN_SPREAD - 1`.
const MIN_TOKENS: u32 = 256;
const TOKEN_SPREAD: u64 = 2048;
/// The model pauses for `PAUSE` after every `PAUSE_EVERY` tokens.
const PAUSE_EVERY: usize = 8;
const PAUSE: Duration = Duration::from_millis(1);
/// The marker that ends a response (no word contains it).
pub(crate) const END: u8 = b'\n';
/// The pooled server's response buffer, and the clients' read buffer.
const BUF_SIZE: usize = 4096;

/// SplitMix64's finaliser: a good 64-bit mix of `x`.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// How many tokens the client asks for in request `seed`.
pub(crate) fn token_count(seed: u64) -> u32 {
    MIN_TOKENS + (mix(seed ^ 0x5eed) % TOKEN_SPREAD) as u32
}

/// The model's output for one request: `count` words chosen by a
/// SplitMix64 sequence seeded with the request's seed. Allocates nothing.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    state: u64,
    left: u32,
}

impl Tokens {
    pub(crate) fn new(seed: u64, count: u32) -> Tokens {
        Tokens {
            state: seed,
            left: count,
        }
    }
}

impl Iterator for Tokens {
    type Item = &'static str;

    fn next(&mut self) -> Option<&'static str> {
        self.left = self.left.checked_sub(1)?;
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        Some(WORDS[(mix(self.state) >> 58) as usize])
    }
}

// ---------------------------------------------------------------------------
// Gauges

/// A count of things in use and the most seen at once since `reset_peak`.
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    const fn new() -> Gauge {
        Gauge {
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    fn add(&self, n: usize) {
        let now = self.now.fetch_add(n, Relaxed) + n;
        self.peak.fetch_max(now, Relaxed);
    }

    fn sub(&self, n: usize) {
        self.now.fetch_sub(n, Relaxed);
    }

    fn reset_peak(&self) {
        self.peak.store(self.now.load(Relaxed), Relaxed);
    }

    fn peak(&self) -> usize {
        self.peak.load(Relaxed)
    }
}

/// Response buffers (leases or `String`s) alive right now.
static BUFFERS: Gauge = Gauge::new();
/// Bytes those buffers hold (lease length or `String` capacity).
static HELD: Gauge = Gauge::new();
/// Times a naive response `String` had to grow (allocate or reallocate).
static GROWTHS: AtomicU64 = AtomicU64::new(0);

/// A [`Lease`] counted in [`BUFFERS`] and [`HELD`] while it lives.
struct CountedLease(Lease);

impl CountedLease {
    fn rent(pool: &BufferPool, len: usize) -> CountedLease {
        let lease = pool.rent(len);
        BUFFERS.add(1);
        HELD.add(lease.len());
        CountedLease(lease)
    }
}

impl Drop for CountedLease {
    fn drop(&mut self) {
        BUFFERS.sub(1);
        HELD.sub(self.0.len());
    }
}

// ---------------------------------------------------------------------------
// Server

/// How the server builds its responses.
#[derive(Clone)]
pub(crate) enum Mode {
    /// A 4 KiB lease from this pool per response, flushed when full.
    Pooled(Rc<BufferPool>),
    /// A `String` per response grown token by token, written at the end.
    Naive,
}

/// Streams one response into a rented buffer, flushing it when full.
async fn respond_pooled(conn: &mut TcpStream, pool: &BufferPool, tokens: Tokens) -> io::Result<()> {
    let mut buf = CountedLease::rent(pool, BUF_SIZE);
    let buf = &mut buf.0[..];
    let mut len = 0;
    for (i, word) in tokens.enumerate() {
        let word = word.as_bytes();
        if len + word.len() > buf.len() {
            conn.write_all(&buf[..len]).await?;
            len = 0;
        }
        buf[len..len + word.len()].copy_from_slice(word);
        len += word.len();
        if (i + 1) % PAUSE_EVERY == 0 {
            spool::time::sleep(PAUSE).await;
        }
    }
    if len == buf.len() {
        conn.write_all(buf).await?;
        len = 0;
    }
    buf[len] = END;
    conn.write_all(&buf[..=len]).await
}

/// The newcomer's version: an owned `String` per token, pushed onto a
/// `String` per response, sent in one piece at the end.
async fn respond_naive(conn: &mut TcpStream, tokens: Tokens) -> io::Result<()> {
    let mut text = String::new();
    BUFFERS.add(1);
    for (i, token) in tokens.map(String::from).enumerate() {
        let before = text.capacity();
        text.push_str(&token);
        // Instrumentation only (the newcomer's code is the line above).
        if text.capacity() != before {
            GROWTHS.fetch_add(1, Relaxed);
            HELD.add(text.capacity() - before);
        }
        if (i + 1) % PAUSE_EVERY == 0 {
            spool::time::sleep(PAUSE).await;
        }
    }
    text.push(END as char);
    let result = conn.write_all(text.as_bytes()).await;
    BUFFERS.sub(1);
    HELD.sub(text.capacity());
    result
}

/// Serves requests on one connection until the client closes it.
async fn serve_conn(mut conn: TcpStream, mode: Mode) -> io::Result<()> {
    conn.set_nodelay(true)?;
    loop {
        let mut req = [0u8; 12];
        match conn.read_exact(&mut req).await {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let seed = u64::from_le_bytes(req[..8].try_into().unwrap());
        let count = u32::from_le_bytes(req[8..].try_into().unwrap());
        let tokens = Tokens::new(seed, count);
        match &mode {
            Mode::Pooled(pool) => respond_pooled(&mut conn, pool, tokens).await?,
            Mode::Naive => respond_naive(&mut conn, tokens).await?,
        }
    }
}

/// Accepts `clients` connections, serves each in its own task, and returns
/// once all of them have been closed.
async fn serve(listener: TcpListener, clients: usize, mode: Mode) -> io::Result<()> {
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (conn, _) = listener.accept().await?;
        conns.push(spool::spawn(serve_conn(conn, mode.clone())));
    }
    for conn in conns {
        conn.await.expect("connection task")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Clients

/// Checks a response as it arrives against what the generator produces.
pub(crate) struct Expected {
    tokens: Tokens,
    /// The part of the current word not yet matched.
    rest: &'static [u8],
    /// Whether `rest` is (the rest of) the end marker.
    at_end: bool,
}

impl Expected {
    pub(crate) fn new(tokens: Tokens) -> Expected {
        Expected {
            tokens,
            rest: b"",
            at_end: false,
        }
    }

    pub(crate) fn complete(&self) -> bool {
        self.at_end && self.rest.is_empty()
    }

    /// Matches `got`, the next bytes of the response.
    pub(crate) fn feed(&mut self, mut got: &[u8]) -> io::Result<()> {
        while !got.is_empty() {
            if self.rest.is_empty() {
                if self.at_end {
                    return Err(io::Error::other("bytes after the end of the response"));
                }
                self.rest = match self.tokens.next() {
                    Some(word) => word.as_bytes(),
                    None => {
                        self.at_end = true;
                        &[END]
                    }
                };
            }
            let n = self.rest.len().min(got.len());
            if self.rest[..n] != got[..n] {
                return Err(io::Error::other("response differs from the generator"));
            }
            self.rest = &self.rest[n..];
            got = &got[n..];
        }
        Ok(())
    }
}

/// One client connection, kept alive across requests.
struct Client {
    conn: TcpStream,
    id: u64,
    /// The read buffer, reused for every response.
    buf: Vec<u8>,
}

impl Client {
    async fn connect(addr: SocketAddr, id: u64) -> io::Result<Client> {
        let conn = TcpStream::connect(addr).await?;
        conn.set_nodelay(true)?;
        Ok(Client {
            conn,
            id,
            buf: vec![0; BUF_SIZE],
        })
    }

    /// Sends request `n` and reads and checks the whole response; returns
    /// its token count.
    async fn request(&mut self, n: u64) -> io::Result<u64> {
        let seed = self.id << 32 | n;
        let count = token_count(seed);
        let mut req = [0u8; 12];
        req[..8].copy_from_slice(&seed.to_le_bytes());
        req[8..].copy_from_slice(&count.to_le_bytes());
        self.conn.write_all(&req).await?;
        let mut expected = Expected::new(Tokens::new(seed, count));
        while !expected.complete() {
            let n = self.conn.read(&mut self.buf).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            expected.feed(&self.buf[..n])?;
        }
        Ok(count.into())
    }
}

// ---------------------------------------------------------------------------
// One run

/// The load of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Config {
    pub(crate) clients: usize,
    /// Responses per client before measuring.
    pub(crate) warmup: u64,
    /// Responses per client measured.
    pub(crate) measured: u64,
}

const EXAMPLE: Config = Config {
    clients: 64,
    warmup: 1,
    measured: 5,
};

/// What one run measured.
#[derive(Debug)]
pub(crate) struct Report {
    /// Tokens streamed and checked in the measured phase.
    pub(crate) tokens: u64,
    /// Responses in the measured phase.
    pub(crate) responses: u64,
    /// Wall-clock length of the measured phase.
    pub(crate) secs: f64,
    /// Heap allocations (and reallocations) in the whole process meanwhile.
    pub(crate) allocs: u64,
    /// Bytes those allocations asked for.
    pub(crate) alloc_bytes: u64,
    /// How many of `allocs` grew a naive response `String`.
    pub(crate) growths: u64,
    /// Most response buffers alive at once.
    pub(crate) peak_buffers: usize,
    /// Most bytes held by response buffers at once.
    pub(crate) peak_held: usize,
    /// CPU time of the worker thread, if the OS tells (Linux).
    pub(crate) cpu_ns: Option<u64>,
    /// The pool's counters over the measured phase (pooled mode).
    pub(crate) pool: Option<PoolStats>,
}

impl Report {
    fn per_token(&self, n: u64) -> f64 {
        n as f64 / self.tokens as f64
    }
}

/// Starts a server in `mode`, warms it up, and measures `cfg.measured`
/// responses per client, every one checked.
pub(crate) async fn run(cfg: Config, mode: Mode) -> io::Result<Report> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let pool = match &mode {
        Mode::Pooled(pool) => Some(pool.clone()),
        Mode::Naive => None,
    };
    let server = spool::spawn(serve(listener, cfg.clients, mode));

    let warm: Vec<_> = (0..cfg.clients as u64)
        .map(|id| {
            spool::spawn(async move {
                let mut client = Client::connect(addr, id).await?;
                for n in 0..cfg.warmup {
                    client.request(n).await?;
                }
                io::Result::Ok(client)
            })
        })
        .collect();
    let mut clients = Vec::with_capacity(cfg.clients);
    for c in warm {
        clients.push(c.await.expect("client task")?);
    }
    let mut measured = Vec::with_capacity(cfg.clients);
    let mut done = Vec::with_capacity(cfg.clients);

    // Measured phase: from `a0` to the report, every allocation in the
    // process counts (the spawns below included).
    let pool_before = pool.as_ref().map(|p| p.stats());
    let cpu0 = thread_cpu_ns();
    BUFFERS.reset_peak();
    HELD.reset_peak();
    let (a0, b0, g0) = (
        ALLOCS.load(Relaxed),
        ALLOC_BYTES.load(Relaxed),
        GROWTHS.load(Relaxed),
    );
    let t0 = Instant::now();
    for mut client in clients {
        measured.push(spool::spawn(async move {
            let mut tokens = 0;
            for n in cfg.warmup..cfg.warmup + cfg.measured {
                tokens += client.request(n).await?;
            }
            io::Result::Ok((client, tokens))
        }));
    }
    let mut tokens = 0;
    for c in measured {
        let (client, t) = c.await.expect("client task")?;
        tokens += t;
        done.push(client);
    }
    let secs = t0.elapsed().as_secs_f64();
    let (a1, b1) = (ALLOCS.load(Relaxed), ALLOC_BYTES.load(Relaxed));
    let cpu1 = thread_cpu_ns();
    let report = Report {
        tokens,
        responses: cfg.clients as u64 * cfg.measured,
        secs,
        allocs: a1 - a0,
        alloc_bytes: b1 - b0,
        growths: GROWTHS.load(Relaxed) - g0,
        peak_buffers: BUFFERS.peak(),
        peak_held: HELD.peak(),
        cpu_ns: cpu0.zip(cpu1).map(|(a, b)| b - a),
        pool: pool
            .as_ref()
            .zip(pool_before)
            .map(|(p, b)| diff(p.stats(), b)),
    };

    drop(done); // closes every connection: the server's tasks end.
    server.await.expect("server task")?;
    Ok(report)
}

/// Nanoseconds this thread has run on a CPU (Linux's schedstat), the
/// runtime's only worker being this thread. Allocates: call it outside the
/// counted window.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The pool for the example: one 4 KiB class, room for one idle buffer per
/// connection (the default of 32 per class would discard half of them when
/// 64 responses end together).
pub(crate) fn example_pool(clients: usize) -> BufferPool {
    BufferPool::builder()
        .min_size(BUF_SIZE)
        .max_size(BUF_SIZE)
        .max_per_class(clients)
        .build()
}

fn diff(a: PoolStats, b: PoolStats) -> PoolStats {
    PoolStats {
        rents: a.rents - b.rents,
        reused: a.reused - b.reused,
        fresh: a.fresh - b.fresh,
        returned: a.returned - b.returned,
        discarded: a.discarded - b.discarded,
        oversized: a.oversized - b.oversized,
    }
}

fn print_pool(label: &str, s: PoolStats) {
    println!(
        "{label:<16} {:>5} rents, {:>5} reused, {:>3} fresh, {:>5} returned, {} discarded; \
         reuse rate {:.1}%",
        s.rents,
        s.reused,
        s.fresh,
        s.returned,
        s.discarded,
        100.0 * s.reused as f64 / s.rents.max(1) as f64
    );
}

fn main() -> io::Result<()> {
    let cfg = EXAMPLE;
    let rt = spool::Runtime::new()?;
    println!(
        "{} clients on 127.0.0.1, one worker; {MIN_TOKENS}..{} tokens per response, \
         a {} ms pause every {PAUSE_EVERY} tokens",
        cfg.clients,
        MIN_TOKENS as u64 + TOKEN_SPREAD - 1,
        PAUSE.as_millis()
    );
    println!(
        "warm-up: {} response(s) per client; measured: {} per client; every byte checked\n",
        cfg.warmup, cfg.measured
    );

    let pool = Rc::new(example_pool(cfg.clients));
    let pooled = rt.block_on(run(cfg, Mode::Pooled(pool.clone())))?;
    let naive = rt.block_on(run(cfg, Mode::Naive))?;

    println!(
        "{:<30} {:>18} {:>18}",
        "", "pooled (4 KiB)", "naive (String)"
    );
    let row = |name: &str, p: String, n: String| println!("{name:<30} {p:>18} {n:>18}");
    row(
        "tokens (responses)",
        format!("{} ({})", pooled.tokens, pooled.responses),
        format!("{} ({})", naive.tokens, naive.responses),
    );
    row(
        "time",
        format!("{:.0} ms", pooled.secs * 1e3),
        format!("{:.0} ms", naive.secs * 1e3),
    );
    row(
        "tokens / s",
        format!("{:.0}", pooled.tokens as f64 / pooled.secs),
        format!("{:.0}", naive.tokens as f64 / naive.secs),
    );
    row(
        "heap allocations",
        pooled.allocs.to_string(),
        naive.allocs.to_string(),
    );
    row(
        "heap allocations / token",
        format!("{:.5}", pooled.per_token(pooled.allocs)),
        format!("{:.5}", naive.per_token(naive.allocs)),
    );
    row(
        "bytes allocated / token",
        format!("{:.2}", pooled.per_token(pooled.alloc_bytes)),
        format!("{:.2}", naive.per_token(naive.alloc_bytes)),
    );
    let cpu = |r: &Report| match r.cpu_ns {
        Some(ns) => format!("{:.0} ns", ns as f64 / r.tokens as f64),
        None => "n/a".to_string(),
    };
    row("worker CPU time / token", cpu(&pooled), cpu(&naive));
    row(
        "peak leases / Strings in use",
        pooled.peak_buffers.to_string(),
        naive.peak_buffers.to_string(),
    );
    row(
        "peak bytes they held",
        format!("{} KiB", pooled.peak_held >> 10),
        format!("{} KiB", naive.peak_held >> 10),
    );

    let total = pool.stats();
    println!();
    print_pool("pool, whole run:", total);
    if let Some(measured) = pooled.pool {
        print_pool("measured phase:", measured);
    }
    println!(
        "naive: {:.3} allocations / token: {:.3} growing the response String \
         ({:.1} growths per response),\n       {:.3} everything else (the owned String per token)",
        naive.per_token(naive.allocs),
        naive.per_token(naive.growths),
        naive.growths as f64 / naive.responses as f64,
        naive.per_token(naive.allocs - naive.growths),
    );
    assert_eq!(total.rents, total.reused + total.fresh + total.oversized);
    Ok(())
}
