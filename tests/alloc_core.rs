//! Allocation counting: after warm-up, spawning and joining tasks and
//! yielding allocate nothing. (Own test binary: it installs a counting
//! global allocator.)
mod util;

#[global_allocator]
static ALLOC: util::CountingAlloc = util::CountingAlloc;

const N: usize = 10_000;

async fn spawn_and_join(handles: &mut Vec<spool::JoinHandle<usize>>) -> usize {
    for i in 0..N {
        handles.push(spool::spawn(async move { i }));
    }
    let mut sum = 0;
    for h in handles.drain(..) {
        sum += h.await.unwrap();
    }
    sum
}

#[test]
fn spawn_and_join_10k_allocates_nothing_when_warm() {
    let rt = spool::Runtime::new().unwrap();
    let allocs = rt.block_on(async {
        let mut handles = Vec::with_capacity(N);
        spawn_and_join(&mut handles).await; // warm-up: arena, slab, run queue grow
        let (sum, allocs) = {
            let before = util::allocations();
            let sum = spawn_and_join(&mut handles).await;
            (sum, util::allocations() - before)
        };
        assert_eq!(sum, N * (N - 1) / 2);
        allocs
    });
    assert_eq!(
        allocs, 0,
        "spawning and joining {N} tasks allocated {allocs} times"
    );
    let m = rt.metrics();
    assert_eq!(m.slots_reused, N as u64);
}

#[test]
fn ten_thousand_yields_allocate_nothing() {
    let allocs = spool::block_on(async {
        let task = || async {
            for _ in 0..N {
                spool::task::yield_now().await;
            }
        };
        spool::spawn(task()).await.unwrap(); // warm-up
        let before = util::allocations();
        spool::spawn(task()).await.unwrap();
        util::allocations() - before
    });
    assert_eq!(allocs, 0, "yielding {N} times allocated {allocs} times");
}

#[test]
fn ready_future_in_block_on_allocates_nothing_but_the_runtime() {
    let rt = spool::Runtime::new().unwrap();
    rt.block_on(async {});
    let (v, allocs) = util::count_allocs(|| rt.block_on(async { 5 }));
    assert_eq!(v, 5);
    assert_eq!(allocs, 0);
}

/// A name given as a `&'static str` costs no allocation once warm (names
/// live in a side table whose capacity stays).
#[test]
fn named_spawns_allocate_nothing_when_warm() {
    let rt = spool::Runtime::new().unwrap();
    let allocs = rt.block_on(async {
        let round = || async {
            let mut handles = Vec::with_capacity(100);
            for i in 0..100usize {
                let h = spool::task::Builder::new()
                    .name("worker")
                    .spawn(async move { i })
                    .unwrap();
                handles.push(h);
            }
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        };
        round().await; // warm-up
        let before = util::allocations();
        let sum = round().await;
        let allocs = util::allocations() - before;
        assert_eq!(sum, 4950);
        allocs
    });
    // One allocation is the round's own `Vec` of handles.
    assert_eq!(allocs, 1, "100 named spawns allocated {} times", allocs - 1);
}
