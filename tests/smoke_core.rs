use spool::task;
#[test]
fn basic() {
    let rt = spool::Runtime::new().unwrap();
    let v = rt.block_on(async {
        let mut hs = Vec::new();
        for i in 0..1000u64 {
            hs.push(spool::spawn(async move {
                task::yield_now().await;
                i * 2
            }));
        }
        let mut s = 0;
        for h in hs {
            s += h.await.unwrap();
        }
        s
    });
    assert_eq!(v, 999 * 1000);
    let m = rt.metrics();
    println!("{m:?}");
    let v = rt.block_on(async {
        let mut hs = Vec::new();
        for i in 0..1000u64 {
            hs.push(spool::spawn(async move { i }));
        }
        let mut s = 0;
        for h in hs {
            s += h.await.unwrap();
        }
        s
    });
    assert_eq!(v, 999 * 1000 / 2);
    println!("{:?}", rt.metrics());
}
