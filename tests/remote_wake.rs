//! A wake from another thread reaches a parked executor; no wake-up is lost
//! when wakes race with the executor going to sleep.
mod util;
use std::time::Duration;

#[test]
fn wake_from_another_thread_while_parked() {
    let _w = util::watchdog(Duration::from_secs(30), "remote wake");
    let rt = spool::Runtime::new().unwrap();
    let gate = util::Gate::new();
    let opener = {
        let gate = gate.clone();
        std::thread::spawn(move || {
            while !gate.has_waiter() {
                std::thread::yield_now();
            }
            // Give the executor time to run out of work and park; the test
            // does not depend on it, but this is the case it is about.
            std::thread::sleep(Duration::from_millis(20));
            gate.open();
        })
    };
    let h = rt.block_on(async {
        let h = spool::spawn({
            let gate = gate.clone();
            async move {
                gate.wait().await;
                "woken"
            }
        });
        h.await.unwrap()
    });
    opener.join().unwrap();
    assert_eq!(h, "woken");
    let m = rt.metrics();
    assert!(m.reactor_parks >= 1, "the executor never parked: {m:?}");
    assert!(m.wakes_remote >= 1, "{m:?}");
}

#[test]
fn racing_remote_wakes_are_never_lost() {
    let _w = util::watchdog(Duration::from_secs(60), "racing remote wakes");
    let rt = spool::Runtime::new().unwrap();
    for round in 0..2_000 {
        let gate = util::Gate::new();
        let opener = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                while !gate.has_waiter() {
                    std::hint::spin_loop();
                }
                gate.open();
            })
        };
        let got = rt.block_on(async {
            let gate2 = gate.clone();
            spool::spawn(async move {
                gate2.wait().await;
                round
            })
            .await
            .unwrap()
        });
        opener.join().unwrap();
        assert_eq!(got, round);
    }
}

#[test]
fn block_on_future_woken_from_another_thread() {
    let _w = util::watchdog(Duration::from_secs(30), "main wake");
    for _ in 0..500 {
        let gate = util::Gate::new();
        let g2 = gate.clone();
        let t = std::thread::spawn(move || {
            while !g2.has_waiter() {
                std::hint::spin_loop();
            }
            g2.open();
        });
        spool::block_on(gate.wait());
        t.join().unwrap();
    }
}
