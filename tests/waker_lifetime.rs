//! Wakers that outlive their task or their runtime stay harmless.
mod util;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Stores a clone of its waker in `slot`, then completes.
struct StealWaker(Rc<RefCell<Option<Waker>>>);
impl Future for StealWaker {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        *self.0.borrow_mut() = Some(cx.waker().clone());
        Poll::Ready(())
    }
}

/// Pending until woken; counts its polls.
struct CountPolls(Rc<Cell<u32>>);
impl Future for CountPolls {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        self.0.set(self.0.get() + 1);
        Poll::Pending
    }
}

#[test]
fn stale_waker_does_not_wake_the_slots_next_occupant() {
    let rt = spool::Runtime::new().unwrap();
    let stolen = Rc::new(RefCell::new(None));
    let polls = Rc::new(Cell::new(0));
    rt.block_on({
        let stolen = stolen.clone();
        let polls = polls.clone();
        async move {
            spool::spawn(StealWaker(stolen.clone())).await.unwrap();
            let reused_before = spool::task::metrics().slots_reused;
            // Same size class: takes the slot the first task left.
            let b = spool::spawn(CountPolls(polls.clone()));
            assert_eq!(spool::task::metrics().slots_reused, reused_before + 1);
            spool::task::yield_now().await;
            assert_eq!(polls.get(), 1);
            let stale = stolen.borrow_mut().take().unwrap();
            stale.wake_by_ref();
            let clone = stale.clone(); // a clone of a stale waker is stale too
            clone.wake();
            drop(stale);
            for _ in 0..5 {
                spool::task::yield_now().await;
            }
            assert_eq!(polls.get(), 1, "a stale waker polled the new occupant");
            b.abort();
        }
    });
}

#[test]
fn waker_outliving_its_runtime_is_harmless() {
    let stolen = Rc::new(RefCell::new(None));
    let pending_waker = Rc::new(RefCell::new(None::<Waker>));
    {
        let rt = spool::Runtime::new().unwrap();
        rt.block_on({
            let stolen = stolen.clone();
            let pending_waker = pending_waker.clone();
            async move {
                spool::spawn(StealWaker(stolen)).await.unwrap();
                // A task that is still pending when the runtime goes away.
                drop(spool::spawn(async move {
                    std::future::poll_fn(|cx| {
                        *pending_waker.borrow_mut() = Some(cx.waker().clone());
                        Poll::<()>::Pending
                    })
                    .await
                }));
                spool::task::yield_now().await;
            }
        });
    } // runtime dropped here
    let a = stolen.borrow_mut().take().unwrap();
    let b = pending_waker.borrow_mut().take().unwrap();
    // Waking after the runtime is gone does nothing, from any thread.
    a.wake_by_ref();
    b.wake_by_ref();
    let b2 = b.clone();
    std::thread::spawn(move || b2.wake()).join().unwrap();
    assert!(a.will_wake(&a));
    drop(a);
    drop(b); // the last reference frees the arena (valgrind checks this)
}

#[test]
fn main_waker_outliving_block_on() {
    let kept = Rc::new(RefCell::new(None::<Waker>));
    spool::block_on({
        let kept = kept.clone();
        std::future::poll_fn(move |cx| {
            *kept.borrow_mut() = Some(cx.waker().clone());
            Poll::Ready(())
        })
    });
    let w = kept.borrow_mut().take().unwrap();
    w.wake_by_ref();
    std::thread::spawn(move || w.wake()).join().unwrap();
}
