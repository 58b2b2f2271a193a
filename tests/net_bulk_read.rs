//! A bulk TCP stream is read in runs, not one TCP window per reactor turn.
//!
//! A read that fills only part of a large buffer used to clear the
//! socket's readiness, so the reader waited for the next reactor turn even
//! though that very read had opened the TCP window and the (backlogged)
//! peer had already sent more. On loopback that made every turn move about
//! one window (~90 KiB) per connection: 16 MiB took ~180 reactor turns.
//! A short read of 16 KiB or more now keeps readiness (see
//! `Registration::poll_rw`), and the same stream takes a few turns.

use std::time::Duration;

#[path = "util/mod.rs"]
mod util;

const BYTES: usize = 16 << 20;
const CHUNK: usize = 64 << 10;

#[test]
fn a_backlogged_stream_is_read_without_a_reactor_turn_per_window() {
    let _w = util::watchdog(Duration::from_secs(60), "bulk read");
    {
        let rt = spool::Runtime::new().unwrap();
        let before = rt.metrics().reactor_parks;
        rt.block_on(async {
            let listener = spool::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let writer = spool::spawn(async move {
                let mut s = spool::net::TcpStream::connect(addr).await.unwrap();
                let chunk = vec![5u8; CHUNK];
                for _ in 0..BYTES / CHUNK {
                    s.write_all(&chunk).await.unwrap();
                }
            });
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; CHUNK];
            let mut got = 0;
            while got < BYTES {
                let n = conn.read(&mut buf).await.unwrap();
                assert!(n > 0, "the stream ended after {got} bytes");
                assert!(buf[..n].iter().all(|&b| b == 5));
                got += n;
            }
            writer.await.unwrap();
        });
        let parks = rt.metrics().reactor_parks - before;
        eprintln!("{parks} reactor parks for {BYTES} bytes");
        // The old code parked once per TCP window (about 180 times for
        // 16 MiB); now each wake reads megabytes.
        assert!(parks < 60, "{parks} reactor parks for {BYTES} bytes");
    }
}
