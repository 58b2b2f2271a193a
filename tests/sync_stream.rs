//! `mpsc::Receiver` and `UnboundedReceiver` are `futures_core::Stream`s,
//! so `StreamExt` combinators work on them: every value in order, the
//! stream ends when every sender is gone.

use futures_lite::StreamExt;
use spool::sync::mpsc;

#[test]
fn bounded_receiver_is_a_stream() {
    let got = spool::block_on(async {
        let (tx, rx) = mpsc::channel::<u32>(4);
        let producer = spool::spawn(async move {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        });
        let got: Vec<u32> = rx.map(|v| v * 2).filter(|v| v % 3 == 0).collect().await;
        producer.await.unwrap();
        got
    });
    let want: Vec<u32> = (0..100).map(|v| v * 2).filter(|v| v % 3 == 0).collect();
    assert_eq!(got, want);
}

#[test]
fn unbounded_receiver_is_a_stream() {
    spool::block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel::<&str>();
        tx.send("a").unwrap();
        tx.send("b").unwrap();
        assert_eq!(rx.next().await, Some("a"));
        drop(tx);
        assert_eq!(rx.next().await, Some("b"));
        assert_eq!(rx.next().await, None, "ends once every sender is gone");
    });
}
