//! Dropping a `BufferPool` while leases are out and other threads still cache
//! its buffers: nothing dangles, and every buffer is freed (the outstanding
//! lease on its drop, another thread's cached buffer on that thread's next
//! pool operation or exit). Measured with a live-bytes allocator, so this
//! binary has a single test.

#[path = "util/buf.rs"]
mod buf;

#[global_allocator]
static A: buf::LiveBytes = buf::LiveBytes;

use std::sync::mpsc;

use spool::buf::{BufferPool, Lease};

const MIB: isize = 1 << 20;
/// Slack for the small allocations around the buffers (channels, threads,
/// thread caches, the test harness).
const SLACK: isize = MIB / 4;

enum Cmd {
    /// Drop this lease (so the thread caches its buffer).
    Take(Lease),
    /// Rent and return on a pool of the thread's own.
    UseOtherPool,
    Exit,
}

fn worker(cmds: mpsc::Receiver<Cmd>, acks: mpsc::Sender<()>) {
    let own = BufferPool::builder().max_size(64).build();
    for cmd in cmds {
        match cmd {
            Cmd::Take(lease) => drop(lease),
            Cmd::UseOtherPool => {
                drop(own.rent(1));
                drop(own.rent(1));
            }
            Cmd::Exit => break,
        }
        acks.send(()).unwrap();
    }
}

fn spawn_worker() -> (
    mpsc::Sender<Cmd>,
    mpsc::Receiver<()>,
    std::thread::JoinHandle<()>,
) {
    let (cmd_tx, cmd_rx) = mpsc::channel();
    let (ack_tx, ack_rx) = mpsc::channel();
    let handle = std::thread::spawn(move || worker(cmd_rx, ack_tx));
    (cmd_tx, ack_rx, handle)
}

#[test]
fn dropping_the_pool_frees_everything_eventually() {
    let (cmd, ack, handle) = spawn_worker();
    // Let the worker set up its own pool's cache before the baseline.
    cmd.send(Cmd::UseOtherPool).unwrap();
    ack.recv().unwrap();
    let baseline = buf::live_bytes();

    let pool = BufferPool::new();
    // The worker caches one 1 MiB buffer; the main thread holds another.
    cmd.send(Cmd::Take(pool.rent(1 << 20))).unwrap();
    ack.recv().unwrap();
    let mut held = pool.rent(1 << 20);
    held[0] = 1;
    assert_eq!(pool.stats().returned, 1);
    assert!(buf::live_bytes() - baseline >= 2 * MIB);

    drop(pool);
    // The lease outlives the pool handle: still usable, freed on drop.
    held[1] = 2;
    assert_eq!(&held[..2], &[1, 2]);
    drop(held);
    let after_lease = buf::live_bytes() - baseline;
    assert!((MIB..MIB + SLACK).contains(&after_lease), "{after_lease}");

    // The worker's next pool operation notices the closed pool and frees
    // what it cached for it.
    cmd.send(Cmd::UseOtherPool).unwrap();
    ack.recv().unwrap();
    let after_sweep = buf::live_bytes() - baseline;
    assert!(after_sweep < SLACK, "{after_sweep}");

    cmd.send(Cmd::Exit).unwrap();
    handle.join().unwrap();

    // Second case: the caching thread exits instead.
    let (cmd, ack, handle) = spawn_worker();
    let pool = BufferPool::new();
    cmd.send(Cmd::Take(pool.rent(1 << 20))).unwrap();
    ack.recv().unwrap();
    let base2 = buf::live_bytes();
    drop(pool);
    cmd.send(Cmd::Exit).unwrap();
    handle.join().unwrap();
    let freed = base2 - buf::live_bytes();
    assert!(freed >= MIB, "{freed}");
}
