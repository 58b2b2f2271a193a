//! Tasks (in progress).
