use spool::buf::BufferPool;
use std::time::Instant;
fn t(f: impl Fn()) -> f64 { let mut best=f64::MAX; for _ in 0..5 { let n=2_000_000; let s=Instant::now(); for _ in 0..n { f() } best=best.min(s.elapsed().as_nanos() as f64/n as f64);} best }
fn main() {
    let pool = BufferPool::new();
    for &size in &[64usize, 65536] {
        let p = t(|| { let mut l = pool.rent(size); l[0] = 1; std::hint::black_box(&mut l); });
        let w = t(|| { let v: Vec<u8> = Vec::with_capacity(size); std::hint::black_box(v); });
        println!("{size}: pool {p:.2} ns  with_capacity {w:.2} ns");
    }
}
