//! UDP round trips.

use std::time::Duration;

use spool::net::UdpSocket;

#[test]
fn udp_round_trip() {
    spool::block_on(async {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server_addr = server.local_addr().unwrap();
        let client_addr = client.local_addr().unwrap();
        let echo = spool::spawn(async move {
            let mut buf = [0u8; 1500];
            for _ in 0..10 {
                let (n, from) = server.recv_from(&mut buf).await.unwrap();
                server.send_to(&buf[..n], from).await.unwrap();
            }
            server
        });
        for i in 0..10u8 {
            let msg = [i; 100];
            client.send_to(&msg, server_addr).await.unwrap();
            let mut buf = [0u8; 1500];
            // Loopback does not lose datagrams, but never hang on it.
            let (n, from) =
                spool::time::timeout(Duration::from_secs(10), client.recv_from(&mut buf))
                    .await
                    .expect("reply lost")
                    .unwrap();
            assert_eq!(from, server_addr);
            assert_eq!(&buf[..n], &msg[..]);
        }
        let server = echo.await.unwrap();
        // Connected sockets: send/recv.
        client.connect(server_addr).await.unwrap();
        assert_eq!(client.peer_addr().unwrap(), server_addr);
        client.send(b"hi").await.unwrap();
        let mut buf = [0u8; 8];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"hi"[..], client_addr));
    });
}

#[test]
fn udp_from_std_and_back() {
    spool::block_on(async {
        let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = std_socket.local_addr().unwrap();
        let socket = UdpSocket::from_std(std_socket).unwrap();
        let peer = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        peer.send_to(b"x", addr).await.unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(socket.recv_from(&mut buf).await.unwrap().0, 1);
        let back = socket.into_std().unwrap();
        assert_eq!(back.local_addr().unwrap(), addr);
    });
}
