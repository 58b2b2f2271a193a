//! Unix domain sockets: [`UnixListener`], [`UnixStream`] (and the halves of
//! a split stream), [`UnixDatagram`], with the same surface as TCP and UDP.
//!
//! Addresses are paths (or unnamed, for `pair` and `unbound` sockets); the
//! [`SocketAddr`] type is std's, with `as_pathname()` and `is_unnamed()`.
//!
//! ```
//! use spool::net::{UnixListener, UnixStream};
//!
//! spool::block_on(async {
//!     let dir = std::env::temp_dir().join(format!("spool-doc-{}", std::process::id()));
//!     std::fs::create_dir_all(&dir)?;
//!     let path = dir.join("echo.sock");
//!     let _ = std::fs::remove_file(&path);
//!     let listener = UnixListener::bind(&path)?;
//!     let client = spool::spawn({
//!         let path = path.clone();
//!         async move {
//!             let mut s = UnixStream::connect(&path).await?;
//!             s.write_all(b"ping").await?;
//!             let mut buf = [0; 4];
//!             s.read_exact(&mut buf).await?;
//!             std::io::Result::Ok(buf)
//!         }
//!     });
//!     let (mut conn, _) = listener.accept().await?;
//!     let mut buf = [0; 4];
//!     conn.read_exact(&mut buf).await?;
//!     conn.write_all(&buf).await?;
//!     assert_eq!(&client.await.unwrap()?, b"ping");
//!     std::fs::remove_dir_all(&dir)
//! })
//! .unwrap();
//! ```

mod datagram;
mod listener;
mod split;
mod stream;

pub use self::datagram::UnixDatagram;
pub use self::listener::UnixListener;
pub use self::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use self::stream::UnixStream;
pub use std::os::unix::net::SocketAddr;
