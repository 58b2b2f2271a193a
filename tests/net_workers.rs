//! Sockets and timers are `Send`: they run on other workers, and a
//! connection can be handed to another worker with into_std / from_std.

#[path = "util/net.rs"]
mod net;

use std::time::{Duration, Instant};

use spool::net::{TcpListener, TcpStream, UdpSocket};
use spool::time::{sleep, Sleep};

fn assert_send<T: Send>(_: &T) {}
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn time_and_net_types_and_futures_are_send() {
    assert_send_sync::<Sleep>();
    assert_send_sync::<spool::time::Interval>();
    assert_send_sync::<spool::time::Timeout<std::future::Ready<()>>>();
    assert_send_sync::<TcpStream>();
    assert_send_sync::<TcpListener>();
    assert_send_sync::<UdpSocket>();
    assert_send_sync::<spool::net::tcp::OwnedReadHalf>();
    assert_send_sync::<spool::net::tcp::OwnedWriteHalf>();
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 4];
        assert_send(&TcpStream::connect(addr));
        assert_send(&TcpListener::bind("127.0.0.1:0"));
        assert_send(&listener.accept());
        assert_send(&stream.read(&mut buf));
        assert_send(&stream.write(b"x"));
        assert_send(&stream.write_all(b"x"));
        assert_send(&stream.read_exact(&mut buf));
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert_send(&udp.send_to(b"x", addr));
        assert_send(&udp.recv_from(&mut buf));
        let mut iv = spool::time::interval(Duration::from_secs(1));
        assert_send(&iv.tick());
    });
}

#[test]
fn a_connection_handed_to_another_worker_with_from_std_echoes() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (conn, _) = listener.accept().await.unwrap();
        let std_conn = conn.into_std().unwrap();
        let server = spool::spawn_on(1, async move {
            let conn = TcpStream::from_std(std_conn).unwrap();
            (
                spool::task::current_worker(),
                net::echo(conn).await.unwrap(),
            )
        });
        for i in 0..50u8 {
            let msg = [i; 100];
            client.write_all(&msg).await.unwrap();
            let mut back = [0u8; 100];
            client.read_exact(&mut back).await.unwrap();
            assert_eq!(back, msg);
        }
        drop(client);
        assert_eq!(server.await.unwrap(), (1, 5000));
    });
}

#[test]
fn a_stream_moved_to_another_worker_still_works() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (conn, _) = listener.accept().await.unwrap();
        // `conn` stays registered with worker 0's reactor; worker 1 uses it.
        let server = spool::spawn_on(1, net::echo(conn));
        let mut client = client;
        for i in 0..20u8 {
            client.write_all(&[i; 10]).await.unwrap();
            let mut back = [0u8; 10];
            client.read_exact(&mut back).await.unwrap();
            assert_eq!(back, [i; 10]);
        }
        drop(client);
        assert_eq!(server.await.unwrap().unwrap(), 200);
    });
}

#[test]
fn an_armed_sleep_moved_to_another_worker_completes_there() {
    let rt = spool::Builder::new().workers(2).build().unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let mut s = sleep(Duration::from_millis(30));
        // Arm it here, on worker 0.
        let waker = futures_task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(std::future::Future::poll(std::pin::Pin::new(&mut s), &mut cx).is_pending());
        let done = spool::spawn_on(1, async move {
            s.await;
            spool::task::current_worker()
        });
        assert_eq!(done.await.unwrap(), 1);
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(30));
        assert!(took < Duration::from_secs(5));
        // Dropped sleeps on other workers are cancelled there too.
        let handles: Vec<_> = (0..100)
            .map(|i| {
                spool::spawn_on(i % 2, async move {
                    let _ = spool::time::timeout(
                        Duration::from_secs(30),
                        sleep(Duration::from_secs(60)),
                    )
                    .await;
                })
            })
            .collect();
        sleep(Duration::from_millis(5)).await;
        for h in handles {
            h.abort();
        }
    });
}
