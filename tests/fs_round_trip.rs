//! Issue 15, item 4: `spool::fs` round trips in a temporary directory, with
//! the errors std gives, on one worker and from worker 1 of two.
mod util;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A fresh directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("spool-fs-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn round_trip(dir: PathBuf) {
    use spool::fs;
    // create_dir_all: nested, and again (already there is fine).
    let nested = dir.join("a/b/c");
    fs::create_dir_all(&nested).await.unwrap();
    fs::create_dir_all(&nested).await.unwrap();
    assert!(fs::metadata(&nested).await.unwrap().is_dir());

    // write + read, byte-exact, every byte value.
    let file = nested.join("data.bin");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    fs::write(&file, &bytes).await.unwrap();
    assert_eq!(fs::read(&file).await.unwrap(), bytes);
    let meta = fs::metadata(&file).await.unwrap();
    assert!(meta.is_file());
    assert_eq!(meta.len(), 100_000);

    // write truncates; read_to_string.
    fs::write(&file, "short text").await.unwrap();
    assert_eq!(fs::read_to_string(&file).await.unwrap(), "short text");

    // Invalid UTF-8 is InvalidData, as in std.
    fs::write(&file, [0xff, 0xfe, 0x00]).await.unwrap();
    let err = fs::read_to_string(&file).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidData);

    // rename: the old name is gone, the new one has the contents.
    let moved = dir.join("moved.bin");
    fs::rename(&file, &moved).await.unwrap();
    assert_eq!(fs::read(&moved).await.unwrap(), [0xff, 0xfe, 0x00]);
    assert_eq!(
        fs::metadata(&file).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // remove_file, then every function on the missing file says NotFound.
    fs::remove_file(&moved).await.unwrap();
    assert_eq!(
        fs::read(&moved).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        fs::read_to_string(&moved).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        fs::remove_file(&moved).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        fs::rename(&moved, &file).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Writing into a directory that does not exist: NotFound too.
    let err = fs::write(dir.join("no/such/dir/f"), b"x")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    // The same error std gives, not a wrapped one.
    let std_err = std::fs::read(&moved).unwrap_err();
    let our_err = fs::read(&moved).await.unwrap_err();
    assert_eq!(our_err.raw_os_error(), std_err.raw_os_error());
}

#[test]
fn round_trips_on_a_single_worker() {
    let _w = util::watchdog(Duration::from_secs(30), "fs round trip");
    let dir = TempDir::new("one");
    spool::block_on(round_trip(dir.path().to_owned()));
}

#[test]
fn round_trips_from_another_worker() {
    let _w = util::watchdog(Duration::from_secs(30), "fs round trip on worker 1");
    let dir = TempDir::new("two");
    let rt = spool::Builder::new().workers(2).build().unwrap();
    let path = dir.path().to_owned();
    rt.block_on(async move {
        spool::spawn_on(1, round_trip(path)).await.unwrap();
    });
}

#[test]
fn many_calls_in_flight_from_one_worker_all_complete() {
    let _w = util::watchdog(Duration::from_secs(30), "fs concurrency");
    let dir = TempDir::new("concurrent");
    let path = dir.path().to_owned();
    spool::block_on(async move {
        // Many operations in flight at once from one worker, all complete.
        let writes: Vec<_> = (0..32)
            .map(|i| {
                let f = path.join(format!("f{i}"));
                spool::spawn(async move {
                    spool::fs::write(&f, i.to_string()).await.unwrap();
                    spool::fs::read_to_string(&f).await.unwrap()
                })
            })
            .collect();
        for (i, w) in writes.into_iter().enumerate() {
            assert_eq!(w.await.unwrap(), i.to_string());
        }
    });
}
