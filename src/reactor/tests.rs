//! Unit tests of the reactor alone (no executor): counting wakers stand in
//! for tasks.

use super::*;
use std::sync::atomic::AtomicUsize;
use std::task::Wake;

/// A waker that counts its wakes.
#[derive(Default)]
struct CountWaker(AtomicUsize);

impl Wake for CountWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<CountWaker>, Waker) {
    let c = Arc::new(CountWaker::default());
    (c.clone(), Waker::from(c))
}

#[test]
#[should_panic(expected = "there is no reactor running")]
fn with_current_outside_a_runtime_panics() {
    with_current(|_| ());
}

#[test]
fn enter_sets_and_restores_the_current_reactor() {
    let a = Reactor::new().unwrap();
    let b = Reactor::new().unwrap();
    assert!(try_with_current(|_| ()).is_none());
    {
        let _ga = a.enter();
        assert_eq!(with_current(|d| d.id()), a.driver.id());
        {
            let _gb = b.enter();
            assert_eq!(with_current(|d| d.id()), b.driver.id());
        }
        assert_eq!(with_current(|d| d.id()), a.driver.id());
    }
    assert!(try_with_current(|_| ()).is_none());
}

#[test]
fn timers_fire_in_park_and_wake_after_the_deadline() {
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let (count, waker) = counting();
    let start = Instant::now();
    let deadline = start + Duration::from_millis(20);
    let key = with_current(|d| d.timer_insert(deadline, &waker));
    // A zero-timeout park before the deadline fires nothing. On a slow
    // machine (valgrind, a loaded CI box) the deadline may already have
    // passed by then; the park must then fire it, never more than once.
    let report = r.park(Some(Duration::ZERO));
    let fired_early = if Instant::now() < deadline {
        assert_eq!(report.timers_fired, 0);
        assert_eq!(count.0.load(Ordering::SeqCst), 0);
        0
    } else {
        assert_eq!(report.timers_fired, 1);
        1
    };
    // A blocking park returns once the deadline passed.
    if fired_early == 0 {
        let report = r.park(None);
        assert_eq!(report.timers_fired, 1);
    }
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    assert!(with_current(|d| d.timer_poll(key, &waker)));
    release_timer(r.driver.id(), key);
    assert_eq!(r.driver.timers.borrow().queued(), 0);
}

#[test]
fn unpark_from_another_thread_ends_a_blocking_park() {
    let r = Reactor::new().unwrap();
    let unparker = r.unparker();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(10));
        unparker.unpark();
    });
    let report = r.park(None);
    assert_eq!(report.io_events, 0);
    t.join().unwrap();
}

#[test]
fn a_timer_released_from_another_thread_is_freed_at_the_next_park() {
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let (_count, waker) = counting();
    let id = r.driver.id();
    let key = with_current(|d| d.timer_insert(Instant::now() + Duration::from_secs(60), &waker));
    std::thread::spawn(move || release_timer(id, key))
        .join()
        .unwrap();
    assert_eq!(r.driver.timers.borrow().queued(), 1);
    r.park(Some(Duration::ZERO));
    assert_eq!(r.driver.timers.borrow().queued(), 0);
}

#[test]
fn socket_readiness_wakes_the_registered_waker() {
    use std::io::{Read, Write};
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    server.set_nonblocking(true).unwrap();
    let mut server = mio::net::TcpStream::from_std(server);
    let reg = io::Registration::new(&mut server, mio::Interest::READABLE).unwrap();
    let (count, waker) = counting();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut buf = [0u8; 8];
    // Optimistically ready: the first attempt hits WouldBlock, then waits.
    let poll = reg.poll_io(io::Direction::Read, &mut cx, || (&server).read(&mut buf));
    assert!(poll.is_pending());
    client.write_all(b"hi").unwrap();
    let mut events = 0;
    for _ in 0..100 {
        events += r.park(Some(Duration::from_millis(50))).io_events;
        if count.0.load(Ordering::SeqCst) > 0 {
            break;
        }
    }
    assert!(events >= 1);
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    let poll = reg.poll_io(io::Direction::Read, &mut cx, || (&server).read(&mut buf));
    assert!(matches!(poll, std::task::Poll::Ready(Ok(2))));
    reg.deregister(&mut server).unwrap();
    drop(reg);
    assert!(r.driver.io.borrow().is_empty());
}

#[test]
fn shutdown_wakes_io_waiters_who_then_see_an_error() {
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let mut socket = mio::net::UdpSocket::from_std(socket);
    let reg = io::Registration::new(&mut socket, mio::Interest::READABLE).unwrap();
    let (count, waker) = counting();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut buf = [0u8; 8];
    assert!(reg
        .poll_io(io::Direction::Read, &mut cx, || socket.recv(&mut buf))
        .is_pending());
    r.shutdown();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    let poll = reg.poll_io(io::Direction::Read, &mut cx, || socket.recv(&mut buf));
    assert!(matches!(poll, std::task::Poll::Ready(Err(_))));
}

/// A blocking park with nothing else to wake it: an unpark queued first
/// makes it return at once (the mio waker stays readable until polled).
#[cfg(target_os = "linux")]
fn park_blocking_once(r: &Reactor) -> ParkReport {
    r.unparker().unpark();
    r.park(None)
}

#[cfg(target_os = "linux")]
#[test]
fn the_deadline_alarm_is_set_only_when_it_must_move_earlier() {
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let (_count, waker) = counting();
    let sets = || r.driver.deadline.sets();
    let now = Instant::now();
    let at = |secs| now + Duration::from_secs(secs);

    // No timer: a blocking park sets no alarm; neither does a park that
    // does not block, timer or not.
    park_blocking_once(&r);
    assert_eq!(sets(), 0);
    let k60 = with_current(|d| d.timer_insert(at(60), &waker));
    r.park(Some(Duration::ZERO));
    assert_eq!(sets(), 0);

    // The first blocking park with a timer sets the alarm once...
    park_blocking_once(&r);
    assert_eq!(sets(), 1);
    // ...and the same earliest deadline does not set it again.
    park_blocking_once(&r);
    park_blocking_once(&r);
    assert_eq!(sets(), 1);

    // A later timer changes nothing; an earlier one moves the alarm.
    let k90 = with_current(|d| d.timer_insert(at(90), &waker));
    park_blocking_once(&r);
    assert_eq!(sets(), 1);
    let k30 = with_current(|d| d.timer_insert(at(30), &waker));
    park_blocking_once(&r);
    assert_eq!(sets(), 2);

    // Cancelling the earliest timer keeps the (now early) alarm: at worst
    // one spurious wake-up, never a system call per cancel.
    with_current(|d| d.timer_remove(k30));
    park_blocking_once(&r);
    assert_eq!(sets(), 2);

    // A `Sleep::reset` to an earlier deadline moves it again.
    with_current(|d| d.timer_reset(k90, at(10), None));
    park_blocking_once(&r);
    assert_eq!(sets(), 3);

    with_current(|d| {
        d.timer_remove(k60);
        d.timer_remove(k90);
    });
    park_blocking_once(&r);
    assert_eq!(sets(), 3);
}

/// The alarm ends a blocking park at a sub-millisecond deadline; with
/// epoll's millisecond timeout (mio rounds up) no such park could take
/// less than 1 ms. One quick wake-up in a bounded number of tries is
/// enough, so a loaded machine delays the test, not fails it.
#[cfg(target_os = "linux")]
#[test]
fn a_sub_millisecond_deadline_ends_a_blocking_park_within_the_millisecond() {
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let (count, waker) = counting();
    let mut quickest = Duration::MAX;
    for _ in 0..200 {
        let start = std::time::Instant::now();
        let key =
            with_current(|d| d.timer_insert(Instant::now() + Duration::from_micros(200), &waker));
        let before = count.0.load(Ordering::SeqCst);
        while count.0.load(Ordering::SeqCst) == before {
            r.park(None);
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_micros(200), "fired early: {took:?}");
        release_timer(r.driver.id(), key);
        quickest = quickest.min(took);
        if quickest < Duration::from_micros(900) {
            break;
        }
    }
    assert!(
        quickest < Duration::from_micros(900),
        "no 200 µs timer ended its park within 900 µs (quickest {quickest:?})"
    );
}

/// `poll_rw`'s readiness rule: a short write, or a short read of fewer than
/// `REFILL_READ` bytes, clears readiness (the next attempt waits for an
/// edge without a syscall); a larger short read keeps it (the next read
/// tries the socket again, where the peer has often sent more already).
#[test]
fn a_large_short_read_keeps_readiness_and_a_small_one_clears_it() {
    use std::task::Poll;
    const LEN: usize = 64 * 1024;
    let r = Reactor::new().unwrap();
    let _g = r.enter();
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let mut socket = mio::net::UdpSocket::from_std(socket);
    let interest = mio::Interest::READABLE | mio::Interest::WRITABLE;
    let reg = io::Registration::new(&mut socket, interest).unwrap();
    let (_count, waker) = counting();
    let mut cx = std::task::Context::from_waker(&waker);
    let calls = std::cell::Cell::new(0);
    let mut rw = |dir, n: usize| {
        reg.poll_rw(dir, &mut cx, LEN, || {
            calls.set(calls.get() + 1);
            Ok(n)
        })
    };
    // New registrations are optimistically ready in both directions.
    let large = io::REFILL_READ;
    assert!(matches!(rw(io::Direction::Read, large), Poll::Ready(Ok(n)) if n == large));
    // Still ready: the next read runs its syscall.
    assert!(matches!(rw(io::Direction::Read, 100), Poll::Ready(Ok(100))));
    assert_eq!(calls.get(), 2);
    // A small short read cleared readiness: the next read waits.
    assert!(rw(io::Direction::Read, LEN).is_pending());
    assert_eq!(calls.get(), 2);
    // Full reads and full writes keep readiness; a short write of any
    // size clears it.
    assert!(matches!(
        rw(io::Direction::Write, LEN),
        Poll::Ready(Ok(LEN))
    ));
    assert!(matches!(
        rw(io::Direction::Write, large * 2),
        Poll::Ready(Ok(_))
    ));
    assert_eq!(calls.get(), 4);
    assert!(rw(io::Direction::Write, LEN).is_pending());
    assert_eq!(calls.get(), 4);
    reg.deregister(&mut socket).unwrap();
}
