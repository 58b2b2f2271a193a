//! smol's multi-threaded executor for the benches that compare workers:
//! an `async_executor::Executor` run by `n` threads until dropped. Shared
//! by `benches/workers.rs` and `benches/sync.rs`.

use async_executor::Executor;
use std::sync::Arc;
use std::thread::JoinHandle;

/// smol's executor run by `n` threads, until it is dropped.
pub struct SmolThreads {
    pub ex: Arc<Executor<'static>>,
    stop: Option<async_channel::Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl SmolThreads {
    pub fn new(n: usize) -> Self {
        let ex = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..n)
            .map(|_| {
                let (ex, stopped) = (ex.clone(), stopped.clone());
                std::thread::spawn(move || {
                    // Runs tasks until `stop` is dropped (recv then fails).
                    let _ = async_io::block_on(ex.run(stopped.recv()));
                })
            })
            .collect();
        SmolThreads {
            ex,
            stop: Some(stop),
            threads,
        }
    }
}

impl Drop for SmolThreads {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            t.join().unwrap();
        }
    }
}
