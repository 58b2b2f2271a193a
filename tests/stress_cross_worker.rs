//! Stress: handles to tasks on another worker are awaited, aborted or
//! dropped while the tasks run; every future is dropped exactly once and
//! every awaited handle gets an answer (no lost wake-up, no double drop).
mod util;
use std::time::Duration;

#[test]
fn await_abort_and_drop_handles_across_workers() {
    let _w = util::watchdog(Duration::from_secs(120), "cross-worker stress");
    let counters = util::Counters::default();
    let rt = spool::Builder::new().workers(2).build().unwrap();
    const N: usize = 3_000;
    let (ok, cancelled) = rt.block_on({
        let counters = counters.clone();
        async move {
            let mut handles = Vec::with_capacity(N);
            for i in 0..N {
                let c = counters.clone();
                // The counting wrapper exists before the spawn, so a task
                // aborted before its first poll is counted when dropped too.
                handles.push(spool::spawn_on(
                    1,
                    util::PollDrop::new(&c, async move {
                        for _ in 0..(i % 7) {
                            spool::task::yield_now().await;
                        }
                        i
                    }),
                ));
            }
            let (mut ok, mut cancelled) = (0, 0);
            for (i, h) in handles.into_iter().enumerate() {
                match i % 3 {
                    0 => {
                        assert_eq!(h.await.unwrap(), i);
                        ok += 1;
                    }
                    1 => {
                        h.abort();
                        match h.await {
                            Ok(v) => {
                                assert_eq!(v, i);
                                ok += 1
                            }
                            Err(e) => {
                                assert!(e.is_cancelled());
                                cancelled += 1
                            }
                        }
                    }
                    _ => drop(h),
                }
                if i % 64 == 0 {
                    spool::task::yield_now().await;
                }
            }
            (ok, cancelled)
        }
    });
    assert_eq!(ok + cancelled, 2 * N / 3);
    drop(rt);
    assert_eq!(counters.drops(), N, "every future dropped exactly once");
}
