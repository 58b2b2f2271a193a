//! Compile-time proof that the sync types are `Send + Sync` and their
//! futures `Send` when `T: Send`, so they can cross workers.

use spool::future::{join, join_all, select};
use spool::sync::{broadcast, mpsc, oneshot, watch, Barrier, Mutex, Notify, RwLock, Semaphore};
use std::sync::Arc;

fn send_sync<T: Send + Sync>(_: &T) {}
fn send<T: Send>(_: &T) {}

#[test]
fn handles_and_futures_are_send() {
    let (tx, mut rx) = mpsc::channel::<String>(1);
    send_sync(&tx);
    send_sync(&rx);
    send(&tx.send(String::new()));
    send(&rx.recv());
    let (utx, mut urx) = mpsc::unbounded_channel::<String>();
    send_sync(&utx);
    send_sync(&urx);
    send(&urx.recv());
    let (otx, orx) = oneshot::channel::<String>();
    send_sync(&otx);
    send_sync(&orx);
    let sem = Semaphore::new(1);
    send_sync(&sem);
    send(&sem.acquire());
    send_sync(&sem.try_acquire().unwrap());
    send(&sem.acquire_many(2));
    let sem = Arc::new(sem);
    send(&sem.clone().acquire_owned());
    send_sync(&sem.clone().try_acquire_owned().unwrap());
    send(&tx.reserve());
    send_sync(&tx.try_reserve().unwrap());
    let m = Arc::new(Mutex::new(String::new()));
    send_sync(&*m);
    send(&m.lock());
    send(&m.clone().lock_owned());
    send_sync(&m.try_lock().unwrap());
    send_sync(&m.clone().try_lock_owned().unwrap());
    let l = RwLock::new(String::new());
    send_sync(&l);
    send(&l.read());
    send(&l.write());
    send_sync(&l.try_read().unwrap());
    send_sync(&l.try_write().unwrap());
    let n = Notify::new();
    send_sync(&n);
    send(&n.notified());
    let b = Barrier::new(1);
    send_sync(&b);
    send(&b.wait());
    let (wtx, mut wrx) = watch::channel(String::new());
    send_sync(&wtx);
    send_sync(&wrx);
    send(&wrx.changed());
    let (btx, mut brx) = broadcast::channel::<String>(4);
    send_sync(&btx);
    send_sync(&brx);
    send(&brx.recv());
    send(&join(async {}, async {}));
    send(&join_all(vec![async {}]));
    send(&select(async {}, async {}));
    let mut set = spool::task::JoinSet::<String>::new();
    send_sync(&set);
    send(&set.join_next());
}
