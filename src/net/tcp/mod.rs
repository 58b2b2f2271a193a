//! TCP: [`TcpListener`], [`TcpStream`] and the halves of a split stream.

mod listener;
mod split;
mod stream;

pub use self::listener::TcpListener;
pub use self::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use self::stream::TcpStream;
