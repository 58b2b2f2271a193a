//! Unbounded channel: 100k messages from two producer tasks arrive with
//! each producer's order kept, and the stream ends when both are gone.

#[test]
fn hundred_thousand_messages_from_two_producers() {
    const N: u64 = 50_000;
    let seen = spool::block_on(async {
        let (tx, mut rx) = spool::sync::mpsc::unbounded_channel::<(u8, u64)>();
        for id in 0..2u8 {
            let tx = tx.clone();
            let _producer = spool::spawn(async move {
                for i in 0..N {
                    tx.send((id, i)).unwrap();
                    if i % 1000 == 0 {
                        spool::task::yield_now().await;
                    }
                }
            });
        }
        drop(tx);
        let mut next = [0u64; 2];
        let mut total = 0;
        while let Some((id, i)) = rx.recv().await {
            assert_eq!(i, next[id as usize], "per-producer order");
            next[id as usize] += 1;
            total += 1;
        }
        (next, total)
    });
    assert_eq!(seen, ([N, N], 2 * N));
}
