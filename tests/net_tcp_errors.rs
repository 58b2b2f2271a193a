//! End of stream, refused connections and resets surface as results.

#[path = "util/net.rs"]
mod net;

use std::io::ErrorKind;
use std::time::Duration;

use spool::net::TcpStream;

#[test]
fn read_returns_zero_after_the_peer_closes() {
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let client = spool::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(b"last words").await.unwrap();
            // Dropped: FIN.
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        client.await.unwrap();
        let mut buf = [0u8; 64];
        let mut got = Vec::new();
        loop {
            let n = conn.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"last words");
        // And it stays at 0.
        assert_eq!(conn.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn read_exact_reports_an_early_close() {
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let client = spool::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            s.write_all(b"short").await.unwrap();
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 64];
        let err = conn.read_exact(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
        client.await.unwrap();
    });
}

#[test]
fn connecting_to_a_closed_port_fails() {
    spool::block_on(async {
        // Bind, learn the port, close: nothing listens there now.
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let err = spool::time::timeout(Duration::from_secs(10), TcpStream::connect(addr))
            .await
            .expect("connect must fail, not hang")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn a_peer_reset_mid_write_is_an_error_not_a_hang() {
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (conn, _) = listener.accept().await.unwrap();
        // SO_LINGER 0 makes close send RST instead of FIN.
        let std_conn = conn.into_std().unwrap();
        set_linger_zero(&std_conn);
        drop(std_conn);
        let chunk = vec![7u8; 64 * 1024];
        let result = spool::time::timeout(Duration::from_secs(10), async {
            // Bounded: the reset is seen within a few writes.
            for _ in 0..10_000 {
                client.write_all(&chunk).await?;
            }
            Ok::<(), std::io::Error>(())
        })
        .await
        .expect("the write must fail, not hang");
        let err = result.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
    });
}

fn set_linger_zero(s: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    #[repr(C)]
    struct Linger {
        l_onoff: i32,
        l_linger: i32,
    }
    extern "C" {
        fn setsockopt(fd: i32, level: i32, name: i32, val: *const Linger, len: u32) -> i32;
    }
    const SOL_SOCKET: i32 = 1;
    const SO_LINGER: i32 = 13;
    let linger = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized `struct linger`.
    let rc = unsafe {
        setsockopt(
            s.as_raw_fd(),
            SOL_SOCKET,
            SO_LINGER,
            &linger,
            std::mem::size_of::<Linger>() as u32,
        )
    };
    assert_eq!(rc, 0);
}
