//! The paused clock: `Builder::start_paused`, `time::pause`, `resume`,
//! `advance`, and auto-advance (API.md, Time and Testing).

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use spool::time::{advance, pause, resume, sleep, sleep_until, timeout, Instant};

fn paused_runtime() -> spool::Runtime {
    spool::Builder::new().start_paused(true).build().unwrap()
}

#[test]
fn an_hour_of_sleep_takes_no_real_time() {
    let _w = util::watchdog(Duration::from_secs(20), "paused hour-long sleep");
    let real = std::time::Instant::now();
    paused_runtime().block_on(async {
        let start = Instant::now();
        sleep(Duration::from_secs(3600)).await;
        assert_eq!(Instant::now() - start, Duration::from_secs(3600));
        // A timeout of an hour around something slower: Err, an hour later.
        let slow = sleep(Duration::from_secs(7200));
        assert!(timeout(Duration::from_secs(3600), slow).await.is_err());
        assert_eq!(start.elapsed(), Duration::from_secs(7200));
    });
    assert!(
        real.elapsed() < Duration::from_secs(1),
        "{:?}",
        real.elapsed()
    );
}

#[test]
fn advance_fires_what_it_passes_and_nothing_more() {
    let _w = util::watchdog(Duration::from_secs(20), "advance");
    paused_runtime().block_on(async {
        let start = Instant::now();
        let five = spool::spawn(sleep(Duration::from_secs(5)));
        let twenty = spool::spawn(sleep(Duration::from_secs(20)));
        spool::task::yield_now().await; // both armed
        advance(Duration::from_secs(10)).await;
        assert!(five.is_finished(), "the 5 s sleep did not fire");
        assert!(!twenty.is_finished(), "the 20 s sleep fired at 10 s");
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(10),
            "advance moves exactly d"
        );
        twenty.await.unwrap(); // auto-advance
        assert_eq!(start.elapsed(), Duration::from_secs(20));
    });
}

#[test]
fn auto_advance_fires_timers_in_deadline_order_ties_in_arming_order() {
    let _w = util::watchdog(Duration::from_secs(20), "auto-advance order");
    let log = Rc::new(RefCell::new(Vec::new()));
    paused_runtime().block_on({
        let log = log.clone();
        async move {
            let start = Instant::now();
            let mut tasks = Vec::new();
            // (name, deadline in ms), spawned in this order.
            for (name, ms) in [("c", 30), ("a", 10), ("d", 30), ("b", 20), ("e", 5000)] {
                let log = log.clone();
                tasks.push(spool::spawn(async move {
                    sleep_until(start + Duration::from_millis(ms)).await;
                    // Auto-advance lands on the deadline, never before it.
                    log.borrow_mut().push((name, Instant::now() - start));
                }));
            }
            for t in tasks {
                t.await.unwrap();
            }
        }
    });
    let ms = Duration::from_millis;
    assert_eq!(
        *log.borrow(),
        [
            ("a", ms(10)),
            ("b", ms(20)),
            ("c", ms(30)),
            ("d", ms(30)),
            ("e", ms(5000))
        ]
    );
}

#[test]
fn pause_and_resume_inside_a_runtime() {
    let _w = util::watchdog(Duration::from_secs(20), "pause/resume");
    spool::block_on(async {
        pause();
        let frozen = Instant::now();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(Instant::now(), frozen, "a paused clock stands still");
        advance(Duration::from_secs(100)).await;
        assert_eq!(Instant::now() - frozen, Duration::from_secs(100));
        resume();
        // Continues from the frozen time, then follows real time.
        let after = Instant::now();
        assert!(after >= frozen + Duration::from_secs(100));
        sleep(Duration::from_millis(2)).await;
        assert!(Instant::now() >= after + Duration::from_millis(2));
        assert!(Instant::now() < after + Duration::from_secs(60));
    });
}

#[test]
fn interval_ticks_exactly_one_period_apart() {
    let _w = util::watchdog(Duration::from_secs(20), "paused interval");
    paused_runtime().block_on(async {
        let mut iv = spool::time::interval(Duration::from_secs(60));
        let t0 = iv.tick().await;
        for n in 1..=5u32 {
            let t = iv.tick().await;
            assert_eq!(t - t0, Duration::from_secs(60) * n);
            assert_eq!(Instant::now(), t);
        }
    });
}

#[test]
fn auto_advance_waits_for_a_blocking_job() {
    let _w = util::watchdog(Duration::from_secs(20), "paused spawn_blocking");
    paused_runtime().block_on(async {
        let start = Instant::now();
        let job = spool::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(50));
            7
        });
        // Without the hold, auto-advance would fire this 1 s timeout at once.
        let r = timeout(Duration::from_secs(1), job).await;
        assert_eq!(r.unwrap().unwrap(), 7);
        assert_eq!(Instant::now(), start, "the clock moved while a job ran");
    });
}

#[test]
fn loopback_io_completes_while_paused() {
    use std::io::{Read, Write};
    let _w = util::watchdog(Duration::from_secs(20), "paused loopback");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(30)); // real time passes
        s.write_all(b"ping").unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        buf
    });
    paused_runtime().block_on(async move {
        let start = Instant::now();
        let mut s = spool::net::TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        s.write_all(b"pong").await.unwrap();
        assert_eq!(Instant::now(), start, "no timer, so no auto-advance");
    });
    assert_eq!(&peer.join().unwrap(), b"pong");
}

#[test]
#[should_panic(expected = "single-worker runtime")]
fn pause_on_two_workers_panics_clearly() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async { pause() });
}

#[test]
#[should_panic(expected = "outside a runtime")]
fn pause_outside_a_runtime_panics_clearly() {
    pause();
}

#[test]
fn start_paused_with_two_workers_is_an_invalid_input() {
    let err = spool::Builder::new()
        .workers(2)
        .start_paused(true)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("single-worker"), "{err}");
}
