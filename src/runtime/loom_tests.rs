//! Model-checked tests of the cross-thread paths, run with
//! `RUSTFLAGS="--cfg loom" cargo test --lib --release loom`.
//!
//! loom explores every interleaving (within its bounds) of the atomic and
//! mutex operations of `Shared` (remote queue, injection queue, parking
//! handshake) and of the task state word, and fails if an assertion breaks
//! in any of them: a lost wake-up, a task queued twice, an injected task
//! lost or run twice.

use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::sync::Arc;

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;

use super::shared::{RemoteBatch, Shared};
use crate::reactor::Reactor;
use crate::task::raw::Header;
use crate::task::remote::Injected;
use crate::task::state::{self, Schedule};

/// A slot header on the heap, owned by the test.
struct TestSlot(NonNull<Header>);

// SAFETY: the header is only touched through its atomic state by the
// threads of one model run, and freed after they are joined.
unsafe impl Send for TestSlot {}
// SAFETY: as above.
unsafe impl Sync for TestSlot {}

impl TestSlot {
    fn new(shared: &Arc<Shared>) -> TestSlot {
        let raw = Box::into_raw(Box::new(MaybeUninit::<Header>::uninit())).cast::<Header>();
        let ptr = NonNull::new(raw).unwrap();
        // SAFETY: fresh, aligned, unshared memory for a Header.
        unsafe { Header::init_free(ptr, Arc::as_ptr(shared)) };
        TestSlot(ptr)
    }
    fn header(&self) -> &Header {
        // SAFETY: alive until `drop`.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for TestSlot {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` as a `MaybeUninit<Header>`; the header
        // holds no value that needs dropping (no join waker was stored).
        drop(unsafe { Box::from_raw(self.0.as_ptr().cast::<MaybeUninit<Header>>()) });
    }
}

fn new_shared() -> Arc<Shared> {
    let reactor = Reactor::new().expect("reactor");
    Arc::new(Shared::new(0, reactor.unparker()))
}

/// A remote wake racing with the owner going to sleep is never lost: either
/// the owner sees the queued task before parking, or the waker sees that
/// the owner is parked and unparks it.
#[test]
fn loom_remote_wake_vs_park() {
    loom::model(|| {
        let shared = new_shared();
        let slot = Arc::new(TestSlot::new(&shared));
        let generation = slot.header().state.occupy();
        slot.header().state.start_poll();
        assert!(!slot.header().state.end_poll_pending()); // idle, waiting

        let waker = {
            let (shared, slot) = (shared.clone(), slot.clone());
            thread::spawn(move || {
                if slot.header().state.schedule(generation) == Schedule::Push {
                    assert!(shared.push_remote(slot.0));
                }
            })
        };

        let mut batch = RemoteBatch::default();
        shared.take_remote(&mut batch);
        let seen_early = !batch.woken.is_empty();
        let parks = !seen_early && shared.prepare_park();
        waker.join().unwrap();
        if parks {
            assert!(shared.unparks() >= 1, "owner parked and nobody unparked it");
            shared.after_park();
        }
        shared.take_remote(&mut batch);
        assert_eq!(batch.woken.len(), 1, "the task must be queued exactly once");
    });
}

/// A wake during the task's own poll is turned into exactly one requeue,
/// whichever side of `end_poll_pending` it lands on.
#[test]
fn loom_wake_while_running_is_queued_once() {
    loom::model(|| {
        let shared = new_shared();
        let slot = Arc::new(TestSlot::new(&shared));
        let generation = slot.header().state.occupy();
        slot.header().state.start_poll();
        let waker = {
            let slot = slot.clone();
            thread::spawn(move || slot.header().state.schedule(generation) == Schedule::Push)
        };
        let requeue = slot.header().state.end_poll_pending();
        let pushed = waker.join().unwrap();
        assert!(requeue ^ pushed, "requeue={requeue} pushed={pushed}");
        assert_ne!(
            state::flags(slot.header().state.load()) & state::SCHEDULED,
            0
        );
    });
}

struct CountPlace(Arc<AtomicUsize>);

impl Injected for CountPlace {
    fn place(&self, _core: &super::executor::Core) {
        unreachable!("the test drains without placing")
    }
    fn cancel(&self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Tasks injected from two threads while the owner drains are each handed
/// over exactly once, and a closed worker refuses (returns) late ones.
#[test]
fn loom_injection_queue_hands_over_each_task_once() {
    loom::model(|| {
        let shared = new_shared();
        let refused = Arc::new(AtomicUsize::new(0));
        let injectors: Vec<_> = (0..2)
            .map(|_| {
                let (shared, refused) = (shared.clone(), refused.clone());
                thread::spawn(move || {
                    let task: Arc<dyn Injected> = Arc::new(CountPlace(refused.clone()));
                    if let Err(task) = shared.push_injected(task) {
                        task.cancel();
                    }
                })
            })
            .collect();
        let mut batch = RemoteBatch::default();
        shared.take_remote(&mut batch);
        let early = batch.injected.len();
        batch.injected.clear();
        let late = shared.close().injected.len();
        for t in injectors {
            t.join().unwrap();
        }
        assert_eq!(early + late + refused.load(SeqCst), 2);
    });
}
