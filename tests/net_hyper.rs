//! hyper 1.x on spool through `spool::compat::hyper` (feature `hyper`):
//! HTTP/1.1 keep-alive, HTTP/2 with concurrent streams, a header read
//! timeout, `SpoolTimer` resetting spool's `Sleep` in place, and `SpoolIo`
//! passing futures-io reads and writes through.
#![cfg(feature = "hyper")]

mod util;

use std::convert::Infallible;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::rt::Timer;
use hyper::{Request, Response};
use spool::compat::hyper::{SpoolExecutor, SpoolIo, SpoolTimer};
use spool::net::{TcpListener, TcpStream};

/// Answers with the request's path and body length: `"/path 12"`.
async fn service(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    let body = req.into_body().collect().await.unwrap().to_bytes();
    Ok(Response::new(Full::new(Bytes::from(format!(
        "{path} {}",
        body.len()
    )))))
}

#[test]
fn http1_two_hundred_keep_alive_requests() {
    let _w = util::watchdog(Duration::from_secs(60), "hyper http1");
    spool::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spool::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http1::Builder::new()
                .timer(SpoolTimer::new())
                .serve_connection(SpoolIo::new(stream), hyper::service::service_fn(service))
                .await
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = hyper::client::conn::http1::handshake(SpoolIo::new(stream))
            .await
            .unwrap();
        let driver = spool::spawn(conn);
        for i in 0..200 {
            let body = vec![b'x'; i * 13];
            let req = Request::post(format!("/r{i}"))
                .body(Full::new(Bytes::from(body)))
                .unwrap();
            let res = sender.send_request(req).await.unwrap();
            assert_eq!(res.status(), 200);
            let got = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(got, format!("/r{i} {}", i * 13), "response {i}");
        }
        // One connection served all 200: closing the client ends the server.
        drop(sender);
        driver.await.unwrap().unwrap();
        server.await.unwrap().unwrap();
    });
}

#[test]
fn http2_fifty_concurrent_requests() {
    let _w = util::watchdog(Duration::from_secs(60), "hyper http2");
    spool::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spool::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http2::Builder::new(SpoolExecutor::new())
                .timer(SpoolTimer::new())
                .serve_connection(SpoolIo::new(stream), hyper::service::service_fn(service))
                .await
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) =
            hyper::client::conn::http2::handshake(SpoolExecutor::new(), SpoolIo::new(stream))
                .await
                .unwrap();
        let driver = spool::spawn(conn);
        let requests: Vec<_> = (0..50)
            .map(|i| {
                let mut sender = sender.clone();
                spool::spawn(async move {
                    let req = Request::post(format!("/s{i}"))
                        .body(Full::new(Bytes::from(vec![0u8; i * 100])))
                        .unwrap();
                    let res = sender.send_request(req).await.unwrap();
                    assert_eq!(res.version(), hyper::Version::HTTP_2);
                    let got = res.into_body().collect().await.unwrap().to_bytes();
                    assert_eq!(got, format!("/s{i} {}", i * 100));
                    i
                })
            })
            .collect();
        let done = spool::future::join_all(requests).await;
        let mut ids: Vec<usize> = done.into_iter().map(|r| r.unwrap()).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..50).collect::<Vec<_>>());
        drop(sender);
        driver.await.unwrap().unwrap();
        server.await.unwrap().unwrap();
    });
}

#[test]
fn header_read_timeout_fires() {
    let _w = util::watchdog(Duration::from_secs(30), "header read timeout");
    spool::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spool::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            hyper::server::conn::http1::Builder::new()
                .timer(SpoolTimer::new())
                .header_read_timeout(Duration::from_millis(100))
                .serve_connection(SpoolIo::new(stream), hyper::service::service_fn(service))
                .await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        // Half a request head, then silence.
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n")
            .await
            .unwrap();
        let start = Instant::now();
        let err = server.await.unwrap().unwrap_err();
        assert!(err.is_timeout(), "expected a timeout, got {err}");
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(90),
            "fired early: {waited:?}"
        );
        // The server closed the connection: the client reads the end (a
        // 408 response may come first).
        let mut rest = Vec::new();
        let mut buf = [0u8; 256];
        loop {
            match client.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => rest.extend_from_slice(&buf[..n]),
            }
        }
        assert!(
            rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"),
            "{rest:?}"
        );
    });
}

#[test]
fn timer_resets_spools_sleep_in_place() {
    let _w = util::watchdog(Duration::from_secs(30), "timer reset");
    spool::block_on(async {
        let timer = SpoolTimer::new();
        let mut sleep = timer.sleep(Duration::from_secs(3600));
        assert!(sleep
            .as_mut()
            .downcast_mut_pin::<spool::time::Sleep>()
            .is_some());
        let before: *const () = (&*sleep as *const dyn hyper::rt::Sleep).cast();
        let start = Instant::now();
        timer.reset(&mut sleep, Instant::now() + Duration::from_millis(20));
        let after: *const () = (&*sleep as *const dyn hyper::rt::Sleep).cast();
        assert_eq!(
            before, after,
            "reset replaced the sleep instead of moving it"
        );
        sleep.await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(20) && waited < Duration::from_secs(60));
    });
}

#[test]
fn spool_io_gives_back_its_stream() {
    spool::block_on(async {
        let (a, _b) = spool::net::UnixStream::pair().unwrap();
        let io = SpoolIo::new(a);
        assert!(io.inner().peer_addr().is_ok());
        let _a: spool::net::UnixStream = io.into_inner();
        fn clone_and_default<T: Clone + Default>() -> T {
            T::default().clone()
        }
        let _: SpoolExecutor = clone_and_default();
        let _: SpoolTimer = clone_and_default();
    });
}

#[test]
fn spool_io_passes_futures_io_through() {
    use futures_lite::io::{AsyncReadExt, AsyncWriteExt};
    use std::io::IoSlice;
    let _w = util::watchdog(Duration::from_secs(30), "SpoolIo futures-io");
    spool::block_on(async {
        let (a, b) = spool::net::UnixStream::pair().unwrap();
        let (mut a, mut b) = (SpoolIo::new(a), SpoolIo::new(b));
        a.write_all(b"hello").await.unwrap();
        let slices = [IoSlice::new(b" wor"), IoSlice::new(b"ld")];
        let n = a.write_vectored(&slices).await.unwrap();
        assert_eq!(n, 6, "one writev takes both small slices");
        a.flush().await.unwrap();
        // `close` is the stream's write shutdown: the reader sees the end.
        a.close().await.unwrap();
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"hello world");
    });
}
