//! A task blocked in `accept` does not block a timer, and a std::thread
//! client can talk to a spool server.

#[path = "util/net.rs"]
mod net;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

#[test]
fn a_task_waiting_in_accept_does_not_block_a_timer() {
    spool::block_on(async {
        let listener = net::listener().await;
        let acceptor = spool::spawn(async move {
            let _ = listener.accept().await;
        });
        let start = Instant::now();
        spool::time::sleep(Duration::from_millis(20)).await;
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(20));
        assert!(took < Duration::from_secs(2), "timer delayed to {took:?}");
        assert!(!acceptor.is_finished());
        acceptor.abort();
    });
}

#[test]
fn a_std_thread_client_talks_to_a_spool_server() {
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut replies = Vec::new();
            for i in 0..20u8 {
                let msg = [i; 300];
                s.write_all(&msg).unwrap();
                let mut back = [0u8; 300];
                s.read_exact(&mut back).unwrap();
                replies.push(back == msg);
            }
            replies
        });
        let (conn, peer) = listener.accept().await.unwrap();
        assert_eq!(peer.ip(), addr.ip());
        let echoed = net::echo(conn).await.unwrap();
        assert_eq!(echoed, 20 * 300);
        // The client thread is done once the echo saw it close.
        let replies = spool::spawn_blocking(move || client.join().unwrap())
            .await
            .unwrap();
        assert_eq!(replies, vec![true; 20]);
    });
}
