//! spawn + join in a plain loop, for an instruction profile under callgrind.
//!
//! `spawn_many`'s shape without criterion around it: rounds of 10,000 empty
//! tasks spawned and then joined, on a warm runtime (one round runs before
//! the measured ones, so the arena, the run queue and the handle vector
//! have their capacity). The measured rounds run inside `measured_rounds`,
//! which `benches/spawn_profile.sh` names to callgrind's `--toggle-collect`
//! so that only they are counted; the script divides by the number of
//! spawn + join pairs.
//!
//! Run: `target/release/deps/spawn_profile-* RUNTIME ROUNDS` with RUNTIME one
//! of `spool`, `tokio` (current_thread), `tokio_local` or `smol`
//! (`LocalExecutor` in `async_io::block_on(ex.run(..))`). Without a runtime
//! argument (as under `cargo bench`) it runs each for 20 rounds and prints
//! nanoseconds per spawn + join, a quick sanity figure, not a benchmark.
//! Results: BENCHMARKS.md, "Where a spawn+join goes".

use std::hint::black_box;
use std::time::Instant;

use async_executor::LocalExecutor;

/// Tasks spawned and then joined per round (as in `spawn_many`).
const NUM_SPAWN: usize = 10_000;

/// Which runtime a run measures.
#[derive(Clone, Copy, Debug)]
enum Which {
    Spool,
    Tokio,
    TokioLocal,
    Smol,
}

impl Which {
    fn parse(s: &str) -> Option<Which> {
        match s {
            "spool" => Some(Which::Spool),
            "tokio" => Some(Which::Tokio),
            "tokio_local" => Some(Which::TokioLocal),
            "smol" => Some(Which::Smol),
            _ => None,
        }
    }
}

/// One round: spawn `NUM_SPAWN` tasks, then join them all.
trait Round {
    fn round(&mut self);
}

struct SpoolRun {
    rt: spool::Runtime,
    handles: Vec<spool::task::JoinHandle<usize>>,
}

impl Round for SpoolRun {
    fn round(&mut self) {
        let handles = &mut self.handles;
        self.rt.block_on(async {
            for i in 0..NUM_SPAWN {
                handles.push(spool::spawn(async move { i }));
            }
            for h in handles.drain(..) {
                black_box(h.await.unwrap());
            }
        })
    }
}

struct TokioRun {
    rt: tokio::runtime::Runtime,
    local: bool,
    handles: Vec<tokio::task::JoinHandle<usize>>,
}

impl Round for TokioRun {
    fn round(&mut self) {
        let handles = &mut self.handles;
        if self.local {
            let local = tokio::task::LocalSet::new();
            local.block_on(&self.rt, async {
                for i in 0..NUM_SPAWN {
                    handles.push(tokio::task::spawn_local(async move { i }));
                }
                for h in handles.drain(..) {
                    black_box(h.await.unwrap());
                }
            })
        } else {
            self.rt.block_on(async {
                for i in 0..NUM_SPAWN {
                    handles.push(tokio::spawn(async move { i }));
                }
                for h in handles.drain(..) {
                    black_box(h.await.unwrap());
                }
            })
        }
    }
}

struct SmolRun {
    ex: LocalExecutor<'static>,
    handles: Vec<async_executor::Task<usize>>,
}

impl Round for SmolRun {
    fn round(&mut self) {
        let (ex, handles) = (&self.ex, &mut self.handles);
        async_io::block_on(ex.run(async {
            for i in 0..NUM_SPAWN {
                handles.push(ex.spawn(async move { i }));
            }
            for h in handles.drain(..) {
                black_box(h.await);
            }
        }))
    }
}

fn make(which: Which) -> Box<dyn Round> {
    match which {
        Which::Spool => Box::new(SpoolRun {
            rt: spool::Runtime::new().unwrap(),
            handles: Vec::with_capacity(NUM_SPAWN),
        }),
        Which::Tokio | Which::TokioLocal => Box::new(TokioRun {
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
            local: matches!(which, Which::TokioLocal),
            handles: Vec::with_capacity(NUM_SPAWN),
        }),
        Which::Smol => Box::new(SmolRun {
            ex: LocalExecutor::new(),
            handles: Vec::with_capacity(NUM_SPAWN),
        }),
    }
}

/// The rounds callgrind counts (`--toggle-collect=*measured_rounds*`).
#[inline(never)]
fn measured_rounds(run: &mut dyn Round, rounds: usize) {
    for _ in 0..rounds {
        run.round();
    }
}

/// Warms `which` up with one round, then runs `rounds` measured rounds;
/// returns nanoseconds per spawn + join.
fn profile(which: Which, rounds: usize) -> f64 {
    let mut run = make(which);
    run.round();
    let start = Instant::now();
    measured_rounds(&mut *run, rounds);
    start.elapsed().as_nanos() as f64 / (rounds * NUM_SPAWN) as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().and_then(|a| Which::parse(a)) {
        Some(which) => {
            let rounds = match args.get(1).map(|r| r.parse::<usize>()) {
                None => 20,
                Some(Ok(r)) if r > 0 => r,
                Some(_) => {
                    eprintln!("spawn_profile: ROUNDS must be a positive integer");
                    std::process::exit(2);
                }
            };
            let ns = profile(which, rounds);
            println!("{which:?}: {rounds} rounds x {NUM_SPAWN} spawn+join, {ns:.1} ns each");
        }
        None => {
            for which in [Which::Spool, Which::Tokio, Which::TokioLocal, Which::Smol] {
                let ns = profile(which, 20);
                println!("{which:?}: {ns:.1} ns per spawn+join (20 rounds x {NUM_SPAWN}, not a benchmark)");
            }
        }
    }
}
