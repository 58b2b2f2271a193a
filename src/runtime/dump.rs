//! Task dumps: what is every live task doing?
//!
//! [`Runtime::dump`](crate::Runtime::dump) asks every worker for a list of
//! its live tasks (worker 0 answers directly; the others answer through
//! their injection queue, on their own thread, since only a worker may read
//! its task table). Each entry gives the task's id, its name if it was
//! spawned with [`task::Builder::name`](crate::task::Builder::name), its
//! state, how often it was polled and how long ago it was spawned, which is
//! usually enough to see which task a stuck program is waiting on.
//!
//! Ages come from the worker's clock, which is refreshed after each park
//! and every batch of polls (reading the system clock on every spawn would
//! cost more than the spawn itself), so they are accurate to a batch.

use std::fmt;
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use super::executor::Core;
use crate::task::remote::WorkerJob;

/// What a task is doing at the moment of the dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskState {
    /// Waiting for a wake (a timer, I/O, a channel, another task...).
    Idle,
    /// Woken, waiting in the run queue for its turn.
    Scheduled,
    /// Being polled right now (the dump was taken from inside it).
    Running,
    /// Aborted; the future will be dropped at its next turn.
    Cancelling,
    /// Finished; the output waits for its `JoinHandle`.
    Complete,
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
            TaskState::Cancelling => "cancelling",
            TaskState::Complete => "complete",
        })
    }
}

/// One live task in a [`Dump`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskInfo {
    /// The worker that owns the task.
    pub worker: usize,
    /// The task's key in its worker's slab (reused after the task is gone).
    pub key: usize,
    /// The generation of the task's arena slot: `(worker, key, generation)`
    /// identifies one task.
    pub generation: u16,
    /// The name given with `task::Builder::name`.
    pub name: Option<String>,
    /// What the task is doing.
    pub state: TaskState,
    /// How many times it was polled.
    pub polls: u32,
    /// How long ago it was spawned (see the module docs for the accuracy).
    pub age: Duration,
}

/// The live tasks of a runtime, from [`Runtime::dump`](crate::Runtime::dump).
///
/// `Display` prints a table, one task per line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dump {
    /// Every live task, by worker and key.
    pub tasks: Vec<TaskInfo>,
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<6} {:<12} {:<20} {:<10} {:>7} {:>10}",
            "worker", "task", "name", "state", "polls", "age"
        )?;
        for t in &self.tasks {
            writeln!(
                f,
                "{:<6} {:<12} {:<20} {:<10} {:>7} {:>10.3?}",
                t.worker,
                format!("{}#{}", t.key, t.generation),
                t.name.as_deref().unwrap_or("-"),
                t.state.to_string(),
                t.polls,
                t.age
            )?;
        }
        Ok(())
    }
}

/// A dump request travelling through a worker's injection queue.
pub(crate) struct DumpRequest {
    reply: Mutex<Option<mpsc::Sender<Vec<TaskInfo>>>>,
}

impl DumpRequest {
    pub(crate) fn new(reply: mpsc::Sender<Vec<TaskInfo>>) -> DumpRequest {
        DumpRequest {
            reply: Mutex::new(Some(reply)),
        }
    }
}

impl WorkerJob for DumpRequest {
    fn run(&self, core: &Core) {
        if let Some(tx) = self.reply.lock().unwrap().take() {
            let _ = tx.send(core.dump_local());
        }
    }

    fn cancel(&self) {
        // Dropping the sender tells the requester the worker is gone.
        self.reply.lock().unwrap().take();
    }
}
