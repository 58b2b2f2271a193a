//! `spool::spawn` takes futures that are not `Send`.
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn rc_inside_a_task() {
    let shared = Rc::new(Cell::new(0));
    let seen = spool::block_on({
        let shared = shared.clone();
        async move {
            let a = {
                let s = shared.clone();
                spool::spawn(async move {
                    spool::task::yield_now().await;
                    s.set(s.get() + 1);
                    Rc::strong_count(&s)
                })
            };
            let b = {
                let s = shared.clone();
                spool::spawn(async move {
                    s.set(s.get() + 10);
                })
            };
            b.await.unwrap();
            a.await.unwrap()
        }
    });
    assert_eq!(shared.get(), 11);
    assert!(seen >= 2);
}
