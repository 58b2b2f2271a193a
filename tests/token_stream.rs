//! The token-streaming example's server, checked: every response arrives
//! byte-exact, the pooled server allocates (almost) nothing per token once
//! warm and reuses every buffer, and the naive server allocates at least one
//! `String` per token (which shows the counting allocator sees the server).
//!
//! One test function: the example's counting allocator is process-wide, so
//! a second test running in parallel would add its allocations to the
//! measured window.

#[allow(dead_code)]
#[path = "../examples/token_stream.rs"]
mod example;

use std::rc::Rc;

use example::{Config, Expected, Mode, Tokens, END};

#[test]
fn token_stream_pooled_and_naive() {
    // The verifier the clients use rejects a changed, missing or extra byte.
    let (seed, count) = (7, example::token_count(7));
    let text: Vec<u8> = Tokens::new(seed, count)
        .flat_map(str::bytes)
        .chain([END])
        .collect();
    let mut ok = Expected::new(Tokens::new(seed, count));
    for chunk in text.chunks(5) {
        ok.feed(chunk).unwrap();
    }
    assert!(ok.complete());
    let mut changed = text.clone();
    changed[text.len() / 2] ^= 1;
    assert!(Expected::new(Tokens::new(seed, count))
        .feed(&changed)
        .is_err());
    let mut short = Expected::new(Tokens::new(seed, count));
    short.feed(&text[..text.len() - 1]).unwrap();
    assert!(!short.complete());
    let mut long = text.clone();
    long.push(b'x');
    assert!(Expected::new(Tokens::new(seed, count)).feed(&long).is_err());

    let cfg = Config {
        clients: 8,
        warmup: 1,
        measured: 2,
    };
    let rt = spool::Runtime::new().unwrap();

    let pool = Rc::new(example::example_pool(cfg.clients));
    let pooled = rt.block_on(example::run(cfg, Mode::Pooled(pool))).unwrap();
    assert_eq!(pooled.responses, 16);
    assert!(pooled.tokens >= 16 * 256);
    assert!(
        pooled.allocs * 100 < pooled.tokens,
        "pooled: {} allocations for {} tokens",
        pooled.allocs,
        pooled.tokens
    );
    let stats = pooled.pool.expect("pool stats");
    assert_eq!(stats.rents, pooled.responses);
    assert_eq!(stats.reused, stats.rents, "warm pool: every rent reused");
    assert_eq!((stats.fresh, stats.discarded), (0, 0));
    assert_eq!(stats.returned, stats.rents);
    assert!(pooled.peak_buffers >= 1 && pooled.peak_buffers <= cfg.clients);

    let naive = rt.block_on(example::run(cfg, Mode::Naive)).unwrap();
    assert_eq!(naive.tokens, pooled.tokens, "same requests, same tokens");
    assert!(naive.allocs >= naive.tokens + naive.growths);
    assert!(naive.growths >= naive.responses);
}
