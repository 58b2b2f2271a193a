//! tokio's I/O traits on spool's streams (feature `tokio-io`): a
//! `tokio-util` `Framed` + `LinesCodec` round trip and tokio's extension
//! methods, all on spool's runtime (tokio contributes only its traits).
#![cfg(feature = "tokio-io")]

#[path = "util/net.rs"]
mod net;
mod util;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use spool::net::{TcpStream, UnixStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::codec::{Framed, LinesCodec};

#[test]
fn framed_lines_codec_round_trips_a_thousand_lines() {
    let _w = util::watchdog(Duration::from_secs(30), "tokio-util Framed");
    spool::block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let echo = spool::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            let mut framed = Framed::new(conn, LinesCodec::new());
            let mut n = 0;
            while let Some(line) = framed.next().await {
                framed.send(line.unwrap()).await.unwrap();
                n += 1;
            }
            n
        });
        let conn = TcpStream::connect(addr).await.unwrap();
        let mut framed = Framed::new(conn, LinesCodec::new());
        for i in 0..1000 {
            framed
                .send(format!("line {i} of a thousand"))
                .await
                .unwrap();
            let back = framed.next().await.unwrap().unwrap();
            assert_eq!(back, format!("line {i} of a thousand"));
        }
        // Dropping the client closes the connection: the echo's stream ends.
        drop(framed);
        assert_eq!(echo.await.unwrap(), 1000);
    });
}

#[test]
fn tokio_ext_methods_and_shutdown_on_halves() {
    let _w = util::watchdog(Duration::from_secs(30), "tokio ext");
    spool::block_on(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (mut rd, mut wr) = a.into_split();
        let writer = spool::spawn(async move {
            wr.write_all(b"through tokio's traits").await.unwrap();
            // poll_shutdown shuts down the write side: the peer reads EOF.
            AsyncWriteExt::shutdown(&mut wr).await.unwrap();
            wr
        });
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"through tokio's traits");
        let _wr = writer.await.unwrap();
        b.write_all(b"back").await.unwrap();
        let mut back = [0u8; 4];
        rd.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"back");
    });
}
