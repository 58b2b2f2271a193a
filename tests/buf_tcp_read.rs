//! A lease is a `&mut [u8]`: a socket reads straight into it (std's blocking
//! `TcpStream` on 127.0.0.1 here; spool's own `TcpStream::read` takes the
//! same `&mut [u8]`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use spool::buf::BufferPool;

#[test]
fn read_from_a_socket_into_a_lease() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let payload: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let expected = payload.clone();
    let writer = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.write_all(&payload).unwrap();
    });

    let pool = BufferPool::new();
    let mut sock = TcpStream::connect(addr).unwrap();
    let mut received = Vec::new();
    // Bounded: at most one read per byte, stops at end of stream.
    for _ in 0..=expected.len() {
        let mut lease = pool.rent(4096);
        let n = sock.read(&mut lease).unwrap();
        if n == 0 {
            break;
        }
        received.extend_from_slice(&lease[..n]);
    }
    writer.join().unwrap();
    assert_eq!(received, expected);
    let stats = pool.stats();
    assert_eq!(stats.fresh, 1, "one buffer served every read: {stats:?}");
}
