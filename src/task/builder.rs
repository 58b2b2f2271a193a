//! `task::Builder`: spawn a task with a name (for the task dump).

use std::borrow::Cow;
use std::future::Future;
use std::io;

use super::raw::{spawn_in_place, Pinned};
use super::JoinHandle;
use crate::runtime::context;

/// Configures a task before spawning it, like tokio's `task::Builder`.
///
/// ```
/// spool::block_on(async {
///     let h = spool::task::Builder::new()
///         .name("acceptor")
///         .spawn(async { 1 })
///         .unwrap();
///     assert_eq!(h.await.unwrap(), 1);
/// });
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<Cow<'static, str>>,
}

impl Builder {
    /// A builder with no name set.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task; the name shows in [`Runtime::dump`](crate::Runtime::dump).
    /// A `&'static str` costs no allocation.
    pub fn name(mut self, name: impl Into<Cow<'static, str>>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Spawns the task on the current worker, like [`spawn`](super::spawn).
    ///
    /// Errors with `io::ErrorKind::OutOfMemory` when the arena is capped and full (see
    /// [`Builder::max_tasks`](crate::Builder::max_tasks)); the future is
    /// dropped then. Use [`try_spawn`](super::try_spawn) to get it back.
    ///
    /// # Panics
    ///
    /// Outside a spool runtime.
    #[track_caller]
    pub fn spawn<F>(self, mut future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        spawn_in_place!(future, |future| {
            context::expect_core("`spool::task::Builder::spawn`", |core| {
                core.spawn_with::<F, Pinned>(future, self.name)
                    .map(JoinHandle::local)
                    .map_err(|_| {
                        io::Error::new(
                            io::ErrorKind::OutOfMemory,
                            "the task arena is full (Builder::max_tasks reached)",
                        )
                    })
            })
        })
    }
}
