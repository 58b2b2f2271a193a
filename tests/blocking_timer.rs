//! A blocking call sent to `spawn_blocking` does not delay a 10 ms timer on
//! the worker (it would, if it ran on the worker itself).
use std::time::{Duration, Instant};

#[test]
fn blocking_job_does_not_delay_a_timer() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        for worker in [0, 1] {
            let (timer_done, blocking_done) = spool::spawn_on(worker, async {
                let t0 = Instant::now();
                let blocking = spool::spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(400));
                    Instant::now()
                });
                spool::time::sleep(Duration::from_millis(10)).await;
                let timer_done = Instant::now();
                let blocking_done = blocking.await.unwrap();
                (timer_done - t0, blocking_done - t0)
            })
            .await
            .unwrap();
            // Ordering, not speed: the timer fired while the blocking job ran.
            assert!(
                timer_done < blocking_done,
                "worker {worker}: {timer_done:?} vs {blocking_done:?}"
            );
            // Generous bound: a 10 ms timer, a 400 ms blocking job.
            assert!(
                timer_done < Duration::from_millis(200),
                "worker {worker}: {timer_done:?}"
            );
        }
    });
}
