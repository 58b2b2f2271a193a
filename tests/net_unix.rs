//! Unix domain sockets: a stream echo through a listener, `pair`, split
//! halves, and datagrams (bound, unbound, pair). Socket files live in a
//! fresh temporary directory per test.
#![cfg(unix)]

mod util;

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use spool::net::{UnixDatagram, UnixListener, UnixStream};

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "spool-net-unix-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn stream_echo_through_a_listener() {
    let _w = util::watchdog(Duration::from_secs(30), "unix echo");
    let dir = TempDir::new();
    let path = dir.path("echo.sock");
    spool::block_on(async {
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let server = spool::spawn(async move {
            let mut total = 0;
            for _ in 0..10 {
                let (mut conn, peer) = listener.accept().await.unwrap();
                assert!(peer.is_unnamed());
                let mut buf = [0u8; 1024];
                loop {
                    let n = conn.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    conn.write_all(&buf[..n]).await.unwrap();
                    total += n;
                }
            }
            total
        });
        for c in 0..10 {
            let mut s = UnixStream::connect(&path).await.unwrap();
            assert_eq!(s.peer_addr().unwrap().as_pathname(), Some(path.as_path()));
            let msg = format!("client {c} says hello").into_bytes();
            s.write_all(&msg).await.unwrap();
            let mut back = vec![0u8; msg.len()];
            s.read_exact(&mut back).await.unwrap();
            assert_eq!(back, msg);
            s.shutdown(std::net::Shutdown::Write).unwrap();
            assert_eq!(s.read(&mut [0u8; 1]).await.unwrap(), 0);
        }
        let expected: usize = (0..10)
            .map(|c| format!("client {c} says hello").len())
            .sum();
        assert_eq!(server.await.unwrap(), expected);
    });
}

#[test]
fn connect_to_a_missing_path_is_an_error() {
    let dir = TempDir::new();
    spool::block_on(async {
        let err = UnixStream::connect(dir.path("nobody.sock"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        // Binding twice to one path fails cleanly.
        let path = dir.path("taken.sock");
        let _l = UnixListener::bind(&path).unwrap();
        let err = UnixListener::bind(&path).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    });
}

#[test]
fn pair_with_split_halves_streams_a_mebibyte() {
    let _w = util::watchdog(Duration::from_secs(30), "unix pair");
    const LEN: usize = 1 << 20;
    spool::block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (mut rd, mut wr) = a.into_split();
        let data: Vec<u8> = (0..LEN).map(|i| (i * 7 % 251) as u8).collect();
        let writer = spool::spawn({
            let data = data.clone();
            async move {
                for chunk in data.chunks(10_000) {
                    wr.write_all(chunk).await.unwrap();
                }
                // Dropping the owned write half shuts the write side.
            }
        });
        // b echoes with its borrowed halves, concurrently.
        let echo = async {
            let (mut brd, mut bwr) = b.split();
            let mut buf = vec![0u8; 8192];
            loop {
                let n = brd.read(&mut buf).await.unwrap();
                if n == 0 {
                    bwr.shutdown().unwrap();
                    break;
                }
                bwr.write_all(&buf[..n]).await.unwrap();
            }
        };
        let collect = async {
            let mut back = Vec::with_capacity(LEN);
            let mut buf = vec![0u8; 8192];
            loop {
                let n = rd.read(&mut buf).await.unwrap();
                if n == 0 {
                    break back;
                }
                back.extend_from_slice(&buf[..n]);
            }
        };
        let ((), back) = spool::future::join(echo, collect).await;
        writer.await.unwrap();
        assert_eq!(back.len(), LEN);
        assert!(back == data, "bytes differ after the round trip");
    });
}

#[test]
fn datagrams_bound_unbound_and_pair() {
    let _w = util::watchdog(Duration::from_secs(30), "unix datagrams");
    let dir = TempDir::new();
    let server_path = dir.path("server.sock");
    let client_path = dir.path("client.sock");
    spool::block_on(async {
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        for i in 0..100u32 {
            let sent = client
                .send_to(&i.to_be_bytes(), &server_path)
                .await
                .unwrap();
            assert_eq!(sent, 4);
            let mut buf = [0u8; 8];
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], i.to_be_bytes());
            assert_eq!(from.as_pathname(), Some(client_path.as_path()));
            server
                .send_to(&buf[..n], from.as_pathname().unwrap())
                .await
                .unwrap();
            let (n, _) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(u32::from_be_bytes(buf[..n].try_into().unwrap()), i);
        }

        // An unbound socket can send; its sender address is unnamed.
        let anon = UnixDatagram::unbound().unwrap();
        anon.send_to(b"anon", &server_path).await.unwrap();
        let mut buf = [0u8; 8];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"anon");
        assert!(from.is_unnamed());

        // A connected pair; try_recv is WouldBlock when nothing is queued.
        let (a, b) = UnixDatagram::pair().unwrap();
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        let recv = spool::spawn(async move {
            let mut buf = [0u8; 8];
            let n = b.recv(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        spool::task::yield_now().await;
        a.send(b"paired").await.unwrap();
        assert_eq!(recv.await.unwrap(), b"paired");
    });
}

#[test]
fn futures_io_on_a_unix_stream() {
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    let _w = util::watchdog(Duration::from_secs(30), "unix futures-io");
    spool::block_on(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let writer = spool::spawn(async move {
            AsyncWriteExt::write_all(&mut a, b"futures-io over unix")
                .await
                .unwrap();
            AsyncWriteExt::close(&mut a).await.unwrap();
        });
        let mut got = String::new();
        AsyncReadExt::read_to_string(&mut b, &mut got)
            .await
            .unwrap();
        writer.await.unwrap();
        assert_eq!(got, "futures-io over unix");
    });
}
