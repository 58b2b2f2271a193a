//! 200 clients echo through one server, all on one thread, byte-exact.

#[path = "util/net.rs"]
mod net;

use std::time::Duration;

use spool::net::TcpStream;

const CLIENTS: usize = 200;
const BYTES: usize = 64 * 1024;

#[test]
fn two_hundred_clients_echo_byte_exact_on_one_thread() {
    let rt = spool::Runtime::new().unwrap();
    let echoed = rt.block_on(async {
        let listener = net::listener().await;
        let addr = listener.local_addr().unwrap();
        let server = spool::spawn(net::serve_echo(listener, CLIENTS));
        let thread = std::thread::current().id();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                spool::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    let (mut rd, mut wr) = stream.into_split();
                    let data = net::pattern(c, BYTES);
                    // Write and read concurrently: a client that wrote
                    // everything first could fill both socket buffers.
                    let writer = spool::spawn({
                        let data = data.clone();
                        async move {
                            for chunk in data.chunks(1000 + c) {
                                wr.write_all(chunk).await.unwrap();
                            }
                            wr
                        }
                    });
                    let mut back = vec![0u8; BYTES];
                    rd.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, data, "client {c} got different bytes back");
                    let wr = writer.await.unwrap();
                    let mut stream = rd.reunite(wr).unwrap();
                    stream.shutdown(std::net::Shutdown::Write).unwrap();
                    assert_eq!(stream.read(&mut [0u8; 1]).await.unwrap(), 0);
                    assert_eq!(std::thread::current().id(), thread);
                    BYTES
                })
            })
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.unwrap();
        }
        server.await.unwrap();
        // Let the echo tasks see their connections close.
        spool::time::sleep(Duration::from_millis(10)).await;
        total
    });
    assert_eq!(echoed, CLIENTS * BYTES);
    assert!(rt.metrics().io_events > 0);
}
