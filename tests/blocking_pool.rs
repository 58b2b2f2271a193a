//! The blocking pool starts threads lazily, reuses an idle one, and lets it
//! exit after the keep-alive.
use std::thread::ThreadId;
use std::time::Duration;

fn job_thread() -> ThreadId {
    std::thread::current().id()
}

#[test]
fn idle_threads_are_reused_then_exit_after_keep_alive() {
    let rt = spool::Builder::new()
        .max_blocking_threads(1)
        .blocking_keep_alive(Duration::from_millis(20))
        .build()
        .unwrap();
    rt.block_on(async {
        let first = spool::spawn_blocking(job_thread).await.unwrap();
        // One thread at most: the next job runs on the same thread.
        let second = spool::spawn_blocking(job_thread).await.unwrap();
        assert_eq!(first, second);
        // Once idle for longer than the keep-alive, the thread exits and a
        // new one is started. Bounded retry instead of one hopeful sleep.
        let mut replaced = false;
        for _ in 0..100 {
            spool::time::sleep(Duration::from_millis(20)).await;
            if spool::spawn_blocking(job_thread).await.unwrap() != first {
                replaced = true;
                break;
            }
        }
        assert!(replaced, "the idle blocking thread never exited");
    });
}

#[test]
fn queued_jobs_are_cancelled_at_shutdown_and_running_ones_finish() {
    let rt = spool::Builder::new()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (running, queued) = rt.block_on(async move {
        let running = spool::spawn_blocking(move || {
            started_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(300));
            "finished"
        });
        started_rx.recv().unwrap(); // the only thread is busy now
        let queued = spool::spawn_blocking(|| "never runs");
        (running, queued)
    });
    drop(rt); // waits for the running job, cancels the queued one
    spool::block_on(async move {
        assert_eq!(running.await.unwrap(), "finished");
        assert!(queued.await.unwrap_err().is_cancelled());
    });
}
