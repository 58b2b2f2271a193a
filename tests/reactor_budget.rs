//! The cooperative budget: a task reading an endless stream must not starve
//! a timer on the same thread.

#[path = "util/net.rs"]
mod net;

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn an_endless_reader_does_not_delay_a_ten_ms_timer() {
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        // A std thread writes without pause (bounded by `stop` and a count).
        let writer = std::thread::spawn({
            let stop = stop.clone();
            move || {
                let mut s = std::net::TcpStream::connect(addr).unwrap();
                let chunk = [1u8; 16 * 1024];
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) && n < 1_000_000 {
                    if s.write_all(&chunk).is_err() {
                        break;
                    }
                    n += 1;
                }
            }
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        // Wait until bytes are flowing so reads are always ready.
        let mut buf = [0u8; 64];
        conn.read_exact(&mut buf).await.unwrap();
        let reader = spool::spawn({
            let stop = stop.clone();
            async move {
                let mut buf = [0u8; 64];
                let mut reads = 0u64;
                // Tiny reads: the socket practically never runs dry, so only
                // the budget makes this task yield.
                while !stop.load(Ordering::Relaxed) {
                    if conn.read(&mut buf).await.unwrap() == 0 {
                        break;
                    }
                    reads += 1;
                }
                reads
            }
        });
        let start = Instant::now();
        spool::time::sleep(Duration::from_millis(10)).await;
        let took = start.elapsed();
        stop.store(true, Ordering::Relaxed);
        let reads = reader.await.unwrap();
        writer.join().unwrap();
        assert!(
            reads > 128,
            "the reader did not keep finding data ({reads} reads)"
        );
        assert!(
            took < Duration::from_millis(100),
            "timer delayed to {took:?}"
        );
    });
}
