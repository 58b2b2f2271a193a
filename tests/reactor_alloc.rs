//! After warm-up, sleeping and echoing over an established connection
//! allocate nothing (counted by a per-thread counting allocator).

mod util;

#[path = "util/net.rs"]
mod net;

use std::time::Duration;

use spool::net::TcpStream;
use spool::time::{sleep, timeout};

#[global_allocator]
static A: util::CountingAlloc = util::CountingAlloc;

const MSG: usize = 64;

async fn round_trip(client: &mut TcpStream, msg: &[u8; MSG], back: &mut [u8; MSG]) {
    client.write_all(msg).await.unwrap();
    client.read_exact(back).await.unwrap();
    assert_eq!(msg, back);
}

#[test]
fn steady_state_sleeps_and_echo_round_trips_allocate_nothing() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (conn, _) = listener.accept().await.unwrap();
        let server = spool::spawn(net::echo(conn));
        let msg = [42u8; MSG];
        let mut back = [0u8; MSG];

        // Warm-up: grow the timer slab and heap, the wake lists, the run
        // queue and the task arena to their working sizes.
        for _ in 0..50 {
            sleep(Duration::from_micros(100)).await;
            round_trip(&mut client, &msg, &mut back).await;
            let _ = timeout(Duration::from_secs(1), spool::task::yield_now()).await;
        }

        let before = util::allocations();
        for _ in 0..1000 {
            sleep(Duration::from_micros(100)).await;
        }
        let sleeps = util::allocations() - before;

        let before = util::allocations();
        for _ in 0..1000 {
            round_trip(&mut client, &msg, &mut back).await;
        }
        let echoes = util::allocations() - before;

        let before = util::allocations();
        for _ in 0..1000 {
            // An armed-then-cancelled timer.
            timeout(Duration::from_secs(1), spool::task::yield_now())
                .await
                .unwrap();
        }
        let timeouts = util::allocations() - before;

        assert_eq!(sleeps, 0, "1,000 sleeps allocated {sleeps} times");
        assert_eq!(echoes, 0, "1,000 echo round trips allocated {echoes} times");
        assert_eq!(timeouts, 0, "1,000 timeouts allocated {timeouts} times");

        drop(client);
        assert_eq!(server.await.unwrap().unwrap(), 1050 * MSG as u64);
    });
}
