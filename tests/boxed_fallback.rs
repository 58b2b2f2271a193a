//! A future larger than the largest slot class (4 KiB) gets an allocation of
//! its own, counted in `boxed_fallbacks`, and still runs normally; its slot
//! is reused by the next future of that size.
#[test]
fn large_future_falls_back_to_its_own_allocation() {
    let rt = spool::Runtime::new().unwrap();
    let sum = rt.block_on(async {
        let mut total = 0u64;
        for round in 0..3u64 {
            let big = [round as u8; 16 * 1024];
            total += spool::spawn(async move {
                spool::task::yield_now().await; // `big` lives across an await
                big.iter().map(|&b| b as u64).sum::<u64>()
            })
            .await
            .unwrap();
        }
        total
    });
    assert_eq!(sum, 16 * 1024 * (1 + 2));
    let m = rt.metrics();
    assert_eq!(m.boxed_fallbacks, 3, "{m:?}");
    assert_eq!(m.slots_allocated, 1, "the large slot is reused: {m:?}");
    assert_eq!(m.slots_reused, 2);
}

#[test]
fn small_futures_never_fall_back() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {
        let mid = [7u8; 3000]; // fits the 4 KiB class with the header
        spool::spawn(async move { mid[0] }).await.unwrap();
        spool::spawn(async {}).await.unwrap();
    });
    assert_eq!(rt.metrics().boxed_fallbacks, 0);
}
