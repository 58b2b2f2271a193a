//! 100k spawned tasks run, join in order, and leave their slots for reuse.
mod util;

#[test]
fn hundred_thousand_tasks_join_with_their_outputs() {
    let rt = spool::Runtime::new().unwrap();
    let sum = rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|i| spool::spawn(async move { i * 3 }))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, 3 * (100_000 * 99_999 / 2));
    let m = rt.metrics();
    assert_eq!(m.tasks_spawned, 100_000);
    assert_eq!(m.tasks_completed, 100_000);
    assert_eq!(m.boxed_fallbacks, 0);

    // A second wave reuses the slots of the first instead of growing.
    rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|i| spool::spawn(async move { i }))
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i as u64);
        }
    });
    let m2 = rt.metrics();
    assert_eq!(
        m2.slots_allocated, m.slots_allocated,
        "the arena grew again"
    );
    assert_eq!(m2.slots_reused - m.slots_reused, 100_000);
}

#[test]
fn tasks_that_count_their_polls_and_drops() {
    let counters = util::Counters::default();
    spool::block_on(async {
        let h = spool::spawn(util::PollDrop::new(&counters, async {
            for _ in 0..3 {
                spool::task::yield_now().await;
            }
            7
        }));
        assert_eq!(h.await.unwrap(), 7);
    });
    assert_eq!(counters.polls(), 4, "one poll per yield plus the last");
    assert_eq!(counters.drops(), 1);
}

#[test]
fn yield_now_interleaves_tasks_in_fifo_order() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let log = Rc::new(RefCell::new(Vec::new()));
    spool::block_on({
        let log = log.clone();
        async move {
            let mut hs = Vec::new();
            for name in ["a", "b"] {
                let log = log.clone();
                hs.push(spool::spawn(async move {
                    for i in 0..3 {
                        log.borrow_mut().push(format!("{name}{i}"));
                        spool::task::yield_now().await;
                    }
                }));
            }
            for h in hs {
                h.await.unwrap();
            }
        }
    });
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}
