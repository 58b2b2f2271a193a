//! Name resolution on the blocking pool: `lookup_host`, and `connect` /
//! `bind` with host names, trying every resolved address in turn.

mod util;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use spool::net::{lookup_host, TcpListener, TcpStream, UdpSocket};

#[test]
fn lookup_host_localhost() {
    let _w = util::watchdog(Duration::from_secs(30), "lookup_host");
    spool::block_on(async {
        let addrs: Vec<SocketAddr> = lookup_host("localhost:0").await.unwrap().collect();
        assert!(!addrs.is_empty(), "localhost resolved to nothing");
        assert!(
            addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 0),
            "{addrs:?}"
        );
        // A (host, port) tuple and a literal give the same kinds of answers.
        let tuple: Vec<SocketAddr> = lookup_host(("localhost", 80)).await.unwrap().collect();
        assert!(tuple.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
        let literal: Vec<SocketAddr> = lookup_host("127.0.0.1:5").await.unwrap().collect();
        assert_eq!(literal, [SocketAddr::from((Ipv4Addr::LOCALHOST, 5))]);
    });
}

#[test]
fn malformed_addresses_are_errors_not_panics() {
    spool::block_on(async {
        let err = lookup_host("no port here").await.map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        let err = TcpStream::connect("127.0.0.1:not-a-port")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
        let empty: &[SocketAddr] = &[];
        let err = TcpListener::bind(empty).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    });
}

/// `localhost` may resolve to `::1` before `127.0.0.1`; a server only on
/// 127.0.0.1 is still reached because `connect` tries each address.
#[test]
fn connect_by_name_tries_every_address() {
    let _w = util::watchdog(Duration::from_secs(30), "connect by name");
    spool::block_on(async {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = spool::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            conn.write_all(b"hi").await.unwrap();
        });
        let mut s = TcpStream::connect(format!("localhost:{port}"))
            .await
            .unwrap();
        let mut buf = [0u8; 2];
        s.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
        server.await.unwrap();

        // Binding by name works too.
        let udp = UdpSocket::bind("localhost:0").await.unwrap();
        assert!(udp.local_addr().unwrap().ip().is_loopback());
        let l = TcpListener::bind(String::from("localhost:0"))
            .await
            .unwrap();
        assert!(l.local_addr().unwrap().ip().is_loopback());
    });
}

/// A name goes to the blocking pool, never to the worker: with the pool's
/// only thread held by a job, `connect("localhost:PORT")` cannot finish (the
/// worker keeps running the test meanwhile), and finishes once the thread is
/// free. On a worker that resolved names itself, the connect would complete
/// at once.
#[test]
fn names_are_resolved_on_the_blocking_pool() {
    let _w = util::watchdog(Duration::from_secs(30), "resolution off the worker");
    let rt = spool::Builder::new()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let blocker = spool::spawn_blocking(move || held.recv().unwrap());
        let connect = spool::spawn(TcpStream::connect(format!("localhost:{port}")));
        let lookup = spool::spawn(lookup_host("localhost:7"));
        for _ in 0..50 {
            spool::task::yield_now().await;
        }
        assert!(
            !connect.is_finished(),
            "connect resolved its name on the worker"
        );
        assert!(!lookup.is_finished(), "lookup_host ran on the worker");
        // A literal needs no pool: it connects while the pool is still held.
        let literal = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        assert_eq!(literal.peer_addr().unwrap().port(), port);
        release.send(()).unwrap();
        blocker.await.unwrap();
        let stream = connect.await.unwrap().unwrap();
        assert_eq!(stream.peer_addr().unwrap().port(), port);
        assert!(lookup.await.unwrap().unwrap().all(|a| a.port() == 7));
    });
}
