//! `spool::time::Instant`: the runtime's clock type (API.md, Time).

use std::collections::HashSet;
use std::time::Duration;

use spool::time::{sleep_until, Instant};

#[test]
fn arithmetic_conversions_and_ordering() {
    let a = Instant::now();
    let b = a + Duration::from_millis(5);
    assert!(b > a);
    assert_eq!(b - a, Duration::from_millis(5));
    assert_eq!(a - b, Duration::ZERO, "earlier - later saturates to zero");
    assert_eq!(b - Duration::from_millis(5), a);
    assert_eq!(a.checked_add(Duration::from_millis(5)), Some(b));
    assert_eq!(b.checked_sub(Duration::from_millis(5)), Some(a));
    assert_eq!(a.checked_add(Duration::MAX), None);
    assert_eq!(b.duration_since(a), Duration::from_millis(5));
    assert_eq!(a.checked_duration_since(b), None);
    // Overflow is "far future" / "far past", never a panic.
    assert!(a + Duration::MAX > a + Duration::from_secs(86_400 * 365 * 10));
    assert!(a - Duration::MAX < a);
    let mut c = a;
    c += Duration::from_secs(1);
    c -= Duration::from_millis(500);
    assert_eq!(c - a, Duration::from_millis(500));
    // To and from std.
    let std_a: std::time::Instant = a.into();
    assert_eq!(Instant::from(std_a), a);
    assert_eq!(a.into_std(), std_a);
    // Copy + Hash + Ord.
    let set: HashSet<Instant> = [a, b, a].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert_eq!([b, a].iter().min(), Some(&a));
    assert!(format!("{a:?}").contains("Instant"));
}

#[test]
fn sleep_until_takes_both_instants_and_elapsed_follows_the_clock() {
    spool::block_on(async {
        let start = Instant::now();
        sleep_until(start + Duration::from_millis(2)).await;
        sleep_until(std::time::Instant::now() + Duration::from_millis(2)).await;
        assert!(start.elapsed() >= Duration::from_millis(4));
        let mut iv = spool::time::interval(Duration::from_millis(1));
        let t: Instant = iv.tick().await;
        assert!(t >= start);
        // `Interval` is a `futures_core::Stream` of the same instants.
        let next = std::future::poll_fn(|cx| {
            futures_core::Stream::poll_next(std::pin::Pin::new(&mut iv), cx)
        })
        .await;
        assert_eq!(next, Some(t + Duration::from_millis(1)));
    });
}
