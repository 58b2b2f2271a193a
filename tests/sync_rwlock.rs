//! `sync::RwLock`: many readers at once, a waiting writer is not starved by
//! readers that come after it, and cancelling a pending write gives back
//! the read permits it had collected.

#[path = "util/sync.rs"]
mod sync_util;
mod util;

use spool::sync::RwLock;
use std::sync::Arc;
use std::task::Poll;
use sync_util::{counting_waker, poll_unpin};

#[test]
fn readers_share_writers_exclude() {
    let lock = RwLock::new(1);
    let a = lock.try_read().unwrap();
    let b = lock.try_read().unwrap();
    assert_eq!(*a + *b, 2);
    assert!(lock.try_write().is_err());
    drop((a, b));
    let mut w = lock.try_write().unwrap();
    *w = 5;
    assert!(lock.try_read().is_err());
    drop(w);
    assert_eq!(*lock.try_read().unwrap(), 5);
    assert_eq!(lock.into_inner(), 5);
}

#[test]
fn a_waiting_writer_is_not_starved_by_later_readers() {
    let lock = RwLock::new(0);
    let r1 = lock.try_read().unwrap();
    let (w, woken) = counting_waker();
    let mut writer = lock.write();
    assert!(poll_unpin(&mut writer, &w).is_pending());
    // Readers arriving after the writer wait behind it.
    assert!(lock.try_read().is_err());
    let (rw, rwoken) = counting_waker();
    let mut late_reader = lock.read();
    assert!(poll_unpin(&mut late_reader, &rw).is_pending());
    drop(r1);
    assert_eq!(woken.get(), 1);
    assert_eq!(rwoken.get(), 0, "the late reader stays behind the writer");
    let mut g = match poll_unpin(&mut writer, &w) {
        Poll::Ready(g) => g,
        Poll::Pending => panic!("the writer goes first"),
    };
    *g = 7;
    drop(g);
    assert_eq!(rwoken.get(), 1);
    let r = match poll_unpin(&mut late_reader, &rw) {
        Poll::Ready(r) => r,
        Poll::Pending => panic!("the reader follows the writer"),
    };
    assert_eq!(*r, 7);
}

#[test]
fn a_stream_of_readers_on_a_runtime_lets_the_writer_in() {
    let (writer_at, reads_before) = spool::block_on(async {
        let lock = Arc::new(RwLock::new(0u32));
        let reads = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut tasks = Vec::new();
        // Readers keep arriving, each holding the lock over a yield.
        for _ in 0..50 {
            let (lock, reads) = (lock.clone(), reads.clone());
            tasks.push(spool::spawn(async move {
                let _r = lock.read().await;
                reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                spool::task::yield_now().await;
            }));
        }
        spool::task::yield_now().await;
        let before = reads.load(std::sync::atomic::Ordering::SeqCst);
        let writer = {
            let (lock, reads) = (lock.clone(), reads.clone());
            spool::spawn(async move {
                let mut w = lock.write().await;
                *w = reads.load(std::sync::atomic::Ordering::SeqCst);
            })
        };
        for _ in 0..50 {
            let (lock, reads) = (lock.clone(), reads.clone());
            tasks.push(spool::spawn(async move {
                let _r = lock.read().await;
                reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }));
        }
        writer.await.unwrap();
        for t in tasks {
            t.await.unwrap();
        }
        let at = *lock.read().await;
        (at, before)
    });
    assert_eq!(reads_before, 50);
    assert_eq!(writer_at, 50, "the writer ran before any later reader");
}

#[test]
fn a_cancelled_write_gives_back_the_read_permits_it_collected() {
    let lock = RwLock::new(());
    let r1 = lock.try_read().unwrap();
    let r2 = lock.try_read().unwrap();
    let (w, _) = counting_waker();
    let mut writer = lock.write();
    assert!(poll_unpin(&mut writer, &w).is_pending());
    drop(r1); // one read permit set aside for the writer
    drop(writer);
    drop(r2);
    assert!(lock.try_write().is_ok(), "every permit came back");
}
