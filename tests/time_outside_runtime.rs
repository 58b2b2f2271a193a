//! Time and net APIs used outside a runtime panic with a clear message; the
//! objects that outlive their runtime fail cleanly instead of crashing.

#[path = "util/net.rs"]
mod net;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

const MSG: &str = "there is no reactor running, must be called from the context of a spool runtime";

fn poll_once<F: Future>(f: F) -> Poll<F::Output> {
    let waker = futures_task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    pin!(f).poll(&mut cx)
}

#[test]
fn time_outside_a_runtime_panics_clearly() {
    let m = net::panic_message(|| drop(spool::time::sleep(Duration::from_millis(1))));
    assert!(m.contains(MSG), "{m}");
    let m = net::panic_message(|| drop(spool::time::timeout(Duration::from_millis(1), async {})));
    assert!(m.contains(MSG), "{m}");
    let m = net::panic_message(|| drop(spool::time::interval(Duration::from_millis(1))));
    assert!(m.contains(MSG), "{m}");
}

#[test]
fn net_outside_a_runtime_panics_clearly() {
    let m = net::panic_message(|| drop(poll_once(spool::net::TcpListener::bind("127.0.0.1:0"))));
    assert!(m.contains(MSG), "{m}");
    let m = net::panic_message(|| drop(poll_once(spool::net::UdpSocket::bind("127.0.0.1:0"))));
    assert!(m.contains(MSG), "{m}");
    let std_stream = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap()
    };
    let m = net::panic_message(move || drop(spool::net::TcpStream::from_std(std_stream)));
    assert!(m.contains(MSG), "{m}");
}

#[test]
fn objects_that_outlive_their_runtime_are_dropped_or_fail_cleanly() {
    let (sleep, stream, listener) = {
        let rt = spool::Runtime::new().unwrap();
        rt.block_on(async {
            let listener = net::listener().await;
            let addr = listener.local_addr().unwrap();
            let stream = spool::net::TcpStream::connect(addr).await.unwrap();
            let mut sleep = spool::time::sleep(Duration::from_secs(60));
            assert!(poll_once(&mut sleep).is_pending()); // armed
            (sleep, stream, listener)
        })
    };
    // The runtime is gone. Dropping the sleep touches nothing freed.
    drop(sleep);
    // Using the stream in a new runtime errs instead of hanging: its
    // readiness would come from the dead reactor.
    let mut stream = stream;
    spool::block_on(async {
        let mut buf = [0u8; 8];
        let r = spool::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("must not hang");
        assert!(r.is_err(), "{r:?}");
        assert!(r.unwrap_err().to_string().contains("shut down"));
    });
    drop(stream);
    drop(listener);
}
