//! [`JoinSet`]: spawn many tasks, collect their results as they finish.
//!
//! # Design
//!
//! The set keeps its [`JoinHandle`]s in a [`Slab`]. Polling all of them on
//! every `join_next` would cost O(n) per result, so, like `FuturesUnordered`,
//! each entry gets its own waker ([`EntryWaker`]) that pushes the entry's
//! key onto a shared *ready queue* and wakes the task awaiting the set.
//! `join_next` polls only the handles whose keys it pops, so results come
//! out in completion order at O(1) cost each.
//!
//! # Invariants
//!
//! - An entry's key is in the ready queue at most once while its `queued`
//!   flag is set; `join_next` clears the flag *before* polling the handle,
//!   so a completion that races with the poll queues the key again rather
//!   than being lost.
//! - A new entry starts queued, so its handle is polled once and learns its
//!   entry waker.
//! - A key may be stale (its entry was removed, or the slot reused by a new
//!   entry): popping it then finds nothing, or causes one spurious poll.
//! - `join_next` handles at most the keys that were queued when it started,
//!   so a handle that re-queues itself at once (out of cooperative budget)
//!   cannot keep it looping; it returns `Pending` with the set's task
//!   already woken.
//! - Dropping the set aborts every task still in it.

use super::raw::spawn_in_place;
use super::{spawn_incoming, AbortHandle, JoinError, JoinHandle};
use slab::Slab;
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

/// A set of spawned tasks whose outputs are collected in completion order.
///
/// ```
/// spool::block_on(async {
///     let mut set = spool::task::JoinSet::new();
///     for i in 0..3u32 {
///         set.spawn(async move { i * 2 });
///     }
///     let mut sum = 0;
///     while let Some(res) = set.join_next().await {
///         sum += res.unwrap();
///     }
///     assert_eq!(sum, 6);
/// });
/// ```
pub struct JoinSet<T> {
    entries: Slab<Entry<T>>,
    ready: Arc<ReadyQueue>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Waker,
    wake: Arc<EntryWaker>,
}

/// Keys of entries that were woken, and the waker of the task awaiting the
/// set.
#[derive(Debug, Default)]
struct ReadyQueue {
    inner: Mutex<ReadyInner>,
}

#[derive(Debug, Default)]
struct ReadyInner {
    keys: VecDeque<usize>,
    waker: Option<Waker>,
}

impl ReadyQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, ReadyInner> {
        // Nothing under this lock can leave the queue half-updated.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The waker of one entry: queues its key and wakes the set's task.
#[derive(Debug)]
struct EntryWaker {
    key: usize,
    queued: AtomicBool,
    ready: Arc<ReadyQueue>,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let waker = {
            let mut inner = self.ready.lock();
            inner.keys.push_back(self.key);
            inner.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> Self {
        JoinSet {
            entries: Slab::new(),
            ready: Arc::new(ReadyQueue::default()),
        }
    }

    /// Tasks in the set: running, or finished but not yet joined.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Spawns `future` on the current worker (like [`spawn`](crate::spawn))
    /// and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime, or when the worker's task arena is capped
    /// and full.
    #[track_caller]
    pub fn spawn<F>(&mut self, mut future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        let handle = spawn_in_place!(future, |future| spawn_incoming(future));
        let abort = handle.abort_handle();
        let slot = self.entries.vacant_entry();
        let key = slot.key();
        // Starts queued: the first `join_next` polls it to register.
        let wake = Arc::new(EntryWaker {
            key,
            queued: AtomicBool::new(true),
            ready: self.ready.clone(),
        });
        slot.insert(Entry {
            handle,
            waker: Waker::from(wake.clone()),
            wake,
        });
        self.ready.lock().keys.push_back(key);
        abort
    }

    /// Waits for the next task to finish and returns its result, or `None`
    /// if the set is empty. Cancellation-safe: dropping the future loses no
    /// result.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Polls for the next finished task; the building block of
    /// [`join_next`](Self::join_next).
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.entries.is_empty() {
            return Poll::Ready(None);
        }
        let budget = {
            let mut inner = self.ready.lock();
            match &inner.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => inner.waker = Some(cx.waker().clone()),
            }
            inner.keys.len()
        };
        for _ in 0..budget {
            let Some(key) = self.ready.lock().keys.pop_front() else {
                break;
            };
            let Some(entry) = self.entries.get_mut(key) else {
                continue; // stale key of a removed entry
            };
            entry.wake.queued.store(false, Ordering::Release);
            let mut cx = Context::from_waker(&entry.waker);
            if let Poll::Ready(res) = Pin::new(&mut entry.handle).poll(&mut cx) {
                self.entries.remove(key);
                return Poll::Ready(Some(res));
            }
        }
        Poll::Pending
    }

    /// Aborts every task in the set. They stay in the set: `join_next`
    /// still returns each (as a cancelled [`JoinError`] unless it finished
    /// first).
    pub fn abort_all(&mut self) {
        for (_, entry) in self.entries.iter() {
            entry.handle.abort();
        }
    }

    /// Aborts every task and waits until all have left the set.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet")
            .field("len", &self.entries.len())
            .finish()
    }
}
