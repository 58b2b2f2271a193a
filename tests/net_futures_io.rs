//! futures-io libraries on spool's TCP streams, with no glue: `copy`,
//! `BufReader::lines`, an `asynchronous-codec` framed round trip; and the
//! poll / readiness API underneath them.

#[path = "util/net.rs"]
mod net;
mod util;

use std::io::{self, IoSlice};
use std::time::Duration;

use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use futures_util::{SinkExt, StreamExt};
use spool::net::TcpStream;

/// A connected pair over 127.0.0.1: (client, server side).
async fn pair() -> (TcpStream, TcpStream) {
    let listener = net::listener().await;
    let addr = listener.local_addr().unwrap();
    let client = spool::spawn(async move { TcpStream::connect(addr).await.unwrap() });
    let (server, _) = listener.accept().await.unwrap();
    (client.await.unwrap(), server)
}

#[test]
fn copy_four_mib_byte_exact() {
    let _w = util::watchdog(Duration::from_secs(60), "copy 4 MiB");
    const LEN: usize = 4 << 20;
    spool::block_on(async {
        let (client, server) = pair().await;
        let data = net::pattern(3, LEN);
        // An echo server made of `futures::io::copy` over the server's halves.
        let echo = spool::spawn(async move {
            let (mut rd, mut wr) = server.into_split();
            let n = futures_util::io::copy(&mut rd, &mut wr).await.unwrap();
            wr.close().await.unwrap();
            n
        });
        let (mut rd, mut wr) = client.into_split();
        let writer = spool::spawn({
            let data = data.clone();
            async move {
                let n = futures_util::io::copy(&mut &data[..], &mut wr)
                    .await
                    .unwrap();
                // poll_close shuts down the write side: the echo sees EOF.
                wr.close().await.unwrap();
                n
            }
        });
        let mut back = Vec::with_capacity(LEN);
        rd.read_to_end(&mut back).await.unwrap();
        assert_eq!(writer.await.unwrap(), LEN as u64);
        assert_eq!(echo.await.unwrap(), LEN as u64);
        assert_eq!(back.len(), LEN);
        assert!(back == data, "the echoed bytes differ from the sent ones");
    });
}

#[test]
fn buf_reader_lines() {
    let _w = util::watchdog(Duration::from_secs(30), "BufReader lines");
    spool::block_on(async {
        let (mut client, server) = pair().await;
        let writer = spool::spawn(async move {
            for i in 0..500 {
                client
                    .write_all(format!("line {i}\n").as_bytes())
                    .await
                    .unwrap();
            }
            // The trait's close: the reader's `lines` ends.
            AsyncWriteExt::close(&mut client).await.unwrap();
        });
        let mut lines = BufReader::new(server).lines();
        let mut count = 0;
        while let Some(line) = lines.next().await {
            assert_eq!(line.unwrap(), format!("line {count}"));
            count += 1;
        }
        writer.await.unwrap();
        assert_eq!(count, 500);
    });
}

#[test]
fn asynchronous_codec_round_trips_a_thousand_lines() {
    use asynchronous_codec::{Framed, LinesCodec};
    let _w = util::watchdog(Duration::from_secs(30), "asynchronous-codec");
    spool::block_on(async {
        let (client, server) = pair().await;
        // The server echoes each line back through its own Framed.
        let echo = spool::spawn(async move {
            let mut framed = Framed::new(server, LinesCodec);
            let mut n = 0;
            while let Some(line) = framed.next().await {
                framed.send(line.unwrap()).await.unwrap();
                n += 1;
            }
            n
        });
        let mut framed = Framed::new(client, LinesCodec);
        for i in 0..1000 {
            framed.send(format!("message number {i}\n")).await.unwrap();
            let back = framed.next().await.unwrap().unwrap();
            assert_eq!(back, format!("message number {i}\n"));
        }
        framed.close().await.unwrap();
        assert_eq!(echo.await.unwrap(), 1000);
    });
}

#[test]
fn poll_read_and_poll_write_vectored() {
    let _w = util::watchdog(Duration::from_secs(30), "poll api");
    spool::block_on(async {
        let (mut client, mut server) = pair().await;
        let bufs = [IoSlice::new(b"vec"), IoSlice::new(b"tored")];
        let n = std::future::poll_fn(|cx| client.poll_write_vectored(cx, &bufs))
            .await
            .unwrap();
        assert_eq!(n, 8, "a fresh loopback socket takes 8 bytes in one writev");
        let mut buf = [0u8; 8];
        let mut filled = 0;
        while filled < 8 {
            let n = std::future::poll_fn(|cx| server.poll_read(cx, &mut buf[filled..]))
                .await
                .unwrap();
            assert!(n > 0);
            filled += n;
        }
        assert_eq!(&buf, b"vectored");
    });
}

#[test]
fn try_read_would_block_until_readable() {
    let _w = util::watchdog(Duration::from_secs(30), "readiness api");
    spool::block_on(async {
        let (client, server) = pair().await;
        let mut buf = [0u8; 16];
        // Nothing sent yet: WouldBlock, not a hang and not 0.
        let err = server.try_read(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        client.writable().await.unwrap();
        assert_eq!(client.try_write(b"ready").unwrap(), 5);
        let n = loop {
            server.readable().await.unwrap();
            match server.try_read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(&buf[..n], b"ready");
        // Halves have the same API.
        let (rd, wr) = (client, server);
        let (rd_half, _w) = rd.into_split();
        let (_r, wr_half) = wr.into_split();
        wr_half.writable().await.unwrap();
        assert_eq!(wr_half.try_write(b"x").unwrap(), 1);
        rd_half.readable().await.unwrap();
        let mut one = [0u8; 1];
        loop {
            match rd_half.try_read(&mut one) {
                Ok(n) => {
                    assert_eq!((n, one[0]), (1, b'x'));
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    rd_half.readable().await.unwrap()
                }
                Err(e) => panic!("{e}"),
            }
        }
    });
}

#[test]
fn borrowed_halves_implement_the_traits() {
    let _w = util::watchdog(Duration::from_secs(30), "borrowed halves");
    spool::block_on(async {
        let (mut client, mut server) = pair().await;
        // Spelled out: with `AsyncReadExt` in scope, `server.split()` would
        // pick the trait's by-value `split` over the inherent `&mut self` one.
        let (mut rd, mut wr) = TcpStream::split(&mut server);
        let echo = async {
            let mut buf = [0u8; 5];
            AsyncReadExt::read_exact(&mut rd, &mut buf).await.unwrap();
            AsyncWriteExt::write_all(&mut wr, &buf).await.unwrap();
            AsyncWriteExt::close(&mut wr).await.unwrap();
        };
        let talk = async {
            AsyncWriteExt::write_all(&mut client, b"split")
                .await
                .unwrap();
            let mut back = Vec::new();
            AsyncReadExt::read_to_end(&mut client, &mut back)
                .await
                .unwrap();
            back
        };
        let ((), back) = spool::future::join(echo, talk).await;
        assert_eq!(back, b"split");
    });
}
