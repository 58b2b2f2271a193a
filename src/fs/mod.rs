//! Files: tokio's `fs` functions, run on the blocking pool.
//!
//! Linux has no readiness model for regular files: epoll reports a file as
//! always ready and a `read(2)` on it blocks the thread on the disk. So, as
//! tokio does, each function here sends the `std::fs` call to the runtime's
//! blocking pool ([`spawn_blocking`](crate::spawn_blocking)) and awaits its
//! result: the worker keeps running its other tasks while the disk works.
//!
//! The signatures are tokio's, and the errors are exactly the [`io::Error`]s
//! `std::fs` gives (a missing file is [`io::ErrorKind::NotFound`], invalid
//! UTF-8 in [`read_to_string`] is [`io::ErrorKind::InvalidData`], ...). If
//! the runtime shuts down before the call ran, the error says so.
//!
//! Each call costs a trip to a pool thread and back (a few microseconds);
//! for many small operations, do them in one `spawn_blocking` closure
//! instead.
//!
//! ```
//! # spool::block_on(async {
//! let dir = std::env::temp_dir().join(format!("spool-fs-doc-{}", std::process::id()));
//! spool::fs::create_dir_all(&dir).await?;
//! let file = dir.join("hello.txt");
//! spool::fs::write(&file, "hello, disk").await?;
//! assert_eq!(spool::fs::read_to_string(&file).await?, "hello, disk");
//! assert_eq!(spool::fs::metadata(&file).await?.len(), 11);
//! spool::fs::remove_file(&file).await?;
//! # std::fs::remove_dir(&dir)?;
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Panics
//!
//! Every function panics when awaited outside a spool worker, as
//! [`spawn_blocking`](crate::spawn_blocking) does.

use std::fs::Metadata;
use std::io;
use std::path::Path;

/// Runs `f` on the blocking pool and returns its result; a job the pool
/// dropped (the runtime shut down) or that panicked becomes an `io::Error`.
async fn asyncify<F, T>(what: &'static str, f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match crate::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) if e.is_cancelled() => Err(io::Error::other(format!(
            "spool::fs::{what}: the runtime shut down before the blocking pool ran the call"
        ))),
        Err(_) => Err(io::Error::other(format!(
            "spool::fs::{what}: the call panicked on the blocking pool"
        ))),
    }
}

/// Reads the whole file at `path` into a `Vec<u8>`; [`std::fs::read`] on
/// the blocking pool.
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    asyncify("read", move || std::fs::read(path)).await
}

/// Reads the whole file at `path` into a `String`;
/// [`std::fs::read_to_string`] on the blocking pool. Invalid UTF-8 is an
/// error of kind [`io::ErrorKind::InvalidData`].
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    asyncify("read_to_string", move || std::fs::read_to_string(path)).await
}

/// Writes `contents` as the whole content of the file at `path`, creating
/// it or truncating it; [`std::fs::write`] on the blocking pool. The bytes
/// are copied first (the call outlives the borrow).
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    asyncify("write", move || std::fs::write(path, contents)).await
}

/// Creates the directory `path` and every missing parent;
/// [`std::fs::create_dir_all`] on the blocking pool.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify("create_dir_all", move || std::fs::create_dir_all(path)).await
}

/// Removes the file at `path`; [`std::fs::remove_file`] on the blocking
/// pool.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    asyncify("remove_file", move || std::fs::remove_file(path)).await
}

/// Renames `from` to `to`, replacing `to` if it is a file;
/// [`std::fs::rename`] on the blocking pool.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let from = from.as_ref().to_owned();
    let to = to.as_ref().to_owned();
    asyncify("rename", move || std::fs::rename(from, to)).await
}

/// The metadata of `path`, following symbolic links; [`std::fs::metadata`]
/// on the blocking pool.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    asyncify("metadata", move || std::fs::metadata(path)).await
}
