//! Issue 15, item 5: `spool::signal::ctrl_c()` resolves on SIGINT. Alone in
//! its binary: SIGINT is raised in this process, after the future's first
//! poll installed the handler (without it, SIGINT would end the process and
//! the test would fail by signal).
#![cfg(feature = "signal")]
mod util;

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

#[test]
fn ctrl_c_resolves_on_sigint_once_polled() {
    let _w = util::watchdog(Duration::from_secs(30), "ctrl_c");
    spool::block_on(async {
        let mut ctrl_c = pin!(spool::signal::ctrl_c());
        // The first poll installs the handler; no Ctrl-C yet.
        std::future::poll_fn(|cx| {
            assert!(ctrl_c.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        })
        .await;
        signal_hook::low_level::raise(signal_hook::consts::SIGINT).unwrap();
        ctrl_c.await.unwrap();
        // A second ctrl_c waits for the next one.
        let mut again = pin!(spool::signal::ctrl_c());
        std::future::poll_fn(|cx| {
            assert!(again.as_mut().poll(cx).is_pending());
            Poll::Ready(())
        })
        .await;
        signal_hook::low_level::raise(signal_hook::consts::SIGINT).unwrap();
        again.await.unwrap();
    });
}
