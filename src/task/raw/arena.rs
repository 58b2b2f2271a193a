//! The task arena: where spawned futures live.
//!
//! Task memory comes from *size classes*, powers of two from 64 B to 4 KiB.
//! Each class carves fixed-size slots out of 64 KiB *chunks*. A chunk is
//! never moved or reallocated, so a task's future stays pinned wherever it
//! was written, and a chunk is freed only when the whole arena is (see
//! below). A finished task's slot goes onto its class's free list and the
//! next spawn of that class takes it back: after warm-up, spawning costs no
//! heap allocation.
//!
//! ```text
//!  class 64 B   free ─▶ [slot] ─▶ [slot] ─▶ ∅      chunks: [64 KiB][64 KiB]
//!  class 128 B  free ─▶ [slot] ─▶ ∅                 chunks: [64 KiB]
//!  ...
//!  class 4 KiB  free ─▶ ∅                           chunks: [64 KiB]
//!  > 4 KiB      one allocation per slot ("boxed fallback"), same free lists
//! ```
//!
//! A future too large for 4 KiB gets a dedicated allocation of its own
//! power-of-two class (counted in `boxed_fallbacks`); such slots are kept on
//! their class's free list too, for the same reason as every slot: their
//! header must stay readable by stale wakers.
//!
//! # Invariants
//!
//! - Owner thread only: the arena belongs to its scheduler's owner (the
//!   runtime's worker `Core`).
//! - Every slot handed out has a valid [`Header`] (written once when it is
//!   carved) whose `state` stays readable until the arena is dropped, even
//!   while the slot is free.
//! - The free list is intrusive: a free slot stores the next free slot's
//!   address right after its header (the stage area, unused while free).
//! - The chunks outlive every waker: when its owner goes, the arena is
//!   moved into the scheduler that wakers and handles count on (the
//!   runtime's `Shared::retire`), which frees it only when the last waker
//!   or handle pointing into it is gone.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::fmt;
use std::mem::size_of;
use std::ptr::NonNull;

use super::slot::Header;
use super::Schedule;

/// log2 of the smallest class (64 B: a cache line).
const MIN_SHIFT: u32 = 6;
/// log2 of the largest class carved from shared chunks (4 KiB).
const MAX_CHUNKED_SHIFT: u32 = 12;
/// Bytes per chunk for chunked classes.
const CHUNK_BYTES: usize = 64 * 1024;

/// How a slot was obtained, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Taken from the free list: used before by a finished task.
    Reused,
    /// Never used before (carved from a chunk, or a new boxed allocation).
    Fresh,
}

/// A slot handed out by [`Arena::alloc`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub(crate) ptr: NonNull<Header>,
    pub(crate) class: u8,
    pub(crate) origin: Origin,
    /// The future did not fit the largest chunked class.
    pub(crate) boxed: bool,
}

struct Class {
    /// Head of the intrusive free list.
    free: Option<NonNull<Header>>,
    /// Never-used slots left in the newest chunk: `[next, end)`.
    next: *mut u8,
    end: *mut u8,
}

/// One allocation backing slots; freed when the arena is dropped.
struct Chunk {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: a chunk is plain memory; which thread frees it does not matter,
// and it is freed exactly once (in `Drop`).
unsafe impl Send for Chunk {}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `alloc(layout)` and is freed only here.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// Size-classed storage for task slots. See the module docs.
pub(crate) struct Arena {
    classes: Vec<Class>,
    chunks: Vec<Chunk>,
    /// The scheduler every slot's header points at (an `S: Schedule`).
    scheduler: *const (),
}

// SAFETY: the arena's raw pointers only point into its own chunks (and to
// the scheduler that outlives it); it is moved to another thread only as a
// whole (the runtime's `Shared::retire`), after which nobody uses it except
// to drop it.
unsafe impl Send for Arena {}

impl Arena {
    /// An empty arena whose slots will belong to `scheduler`: their
    /// `TaskRef`s are `TaskRef<S>`, and `scheduler` must outlive the slots'
    /// memory (see the module invariants).
    pub(crate) fn new<S: Schedule>(scheduler: *const S) -> Arena {
        Arena {
            classes: Vec::new(),
            chunks: Vec::new(),
            scheduler: scheduler.cast(),
        }
    }

    /// An arena that will never hand out a slot's `TaskRef` (an empty
    /// placeholder, or a test's).
    pub(crate) fn unowned() -> Arena {
        Arena {
            classes: Vec::new(),
            chunks: Vec::new(),
            scheduler: std::ptr::null(),
        }
    }

    /// The class for a task needing `layout`.
    ///
    /// # Panics
    ///
    /// If `layout` is aligned to more than 4 KiB.
    pub(crate) fn class_for(layout: Layout) -> u8 {
        match class_of_layout(layout) {
            Some(class) => class,
            None => panic!("spool: a future aligned to more than 4 KiB cannot be spawned"),
        }
    }

    /// Bytes in a slot of `class`.
    pub(crate) fn class_size(class: u8) -> usize {
        1 << (class as u32 + MIN_SHIFT)
    }

    /// True if `class` is beyond the chunked classes (a boxed fallback).
    pub(crate) fn is_boxed(class: u8) -> bool {
        class as u32 + MIN_SHIFT > MAX_CHUNKED_SHIFT
    }

    /// A free slot of `class`, reusing one if possible.
    #[inline]
    pub(crate) fn alloc(&mut self, class: u8) -> Slot {
        // The common case, kept small enough to inline: a free-list pop.
        if let Some(c) = self.classes.get_mut(class as usize) {
            if let Some(head) = c.free {
                // SAFETY: every pointer on the free list is a free slot of
                // this class whose link word (after the header) we wrote in
                // `free`.
                c.free = unsafe { link(head).read() };
                return Slot {
                    ptr: head,
                    class,
                    origin: Origin::Reused,
                    boxed: Self::is_boxed(class),
                };
            }
        }
        self.alloc_fresh(class)
    }

    /// [`Arena::alloc`] when the class's free list is empty (or the class
    /// was never used): a slot carved from a chunk. Only `alloc` calls it,
    /// after its free-list pop found nothing, so there is no list to try.
    #[inline(never)]
    fn alloc_fresh(&mut self, class: u8) -> Slot {
        let idx = class as usize;
        if idx >= self.classes.len() {
            self.classes.resize_with(idx + 1, || Class {
                free: None,
                next: std::ptr::null_mut(),
                end: std::ptr::null_mut(),
            });
        }
        let c = &self.classes[idx];
        debug_assert!(c.free.is_none(), "alloc_fresh with a non-empty free list");
        if c.next == c.end {
            self.grow(class);
        }
        let c = &mut self.classes[idx];
        let ptr = c.next;
        // SAFETY: `next < end`, both inside the newest chunk of this class,
        // and slots are `class_size` apart.
        c.next = unsafe { ptr.add(Self::class_size(class)) };
        let ptr = NonNull::new(ptr).expect("chunk pointers are never null");
        let ptr = ptr.cast::<Header>();
        // SAFETY: the slot is fresh, aligned (chunks are aligned to the class
        // size, up to 4 KiB, and slots are multiples of it) and unshared.
        unsafe { Header::init_free(ptr, self.scheduler) };
        Slot {
            ptr,
            class,
            origin: Origin::Fresh,
            boxed: Self::is_boxed(class),
        }
    }

    /// Returns a slot to its class's free list.
    ///
    /// # Safety
    ///
    /// `ptr` must be a slot of `class` handed out by this arena, its task
    /// released (stage emptied, state freed), and not already free.
    pub(crate) unsafe fn free(&mut self, class: u8, ptr: NonNull<Header>) {
        let c = &mut self.classes[class as usize];
        // SAFETY: the slot is ours and free, so its stage area is unused and
        // large enough for the link (see `class_for`).
        unsafe { link(ptr).write(c.free) };
        c.free = Some(ptr);
    }

    /// Adds a chunk (or, for boxed classes, a single slot) to `class`.
    fn grow(&mut self, class: u8) {
        let size = Self::class_size(class);
        let (bytes, align) = if Self::is_boxed(class) {
            (size, 1 << MAX_CHUNKED_SHIFT)
        } else {
            (CHUNK_BYTES, size)
        };
        let layout = Layout::from_size_align(bytes, align).expect("task class layout");
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { alloc(layout) };
        let Some(ptr) = NonNull::new(raw) else {
            handle_alloc_error(layout)
        };
        super::waker::check_address(raw.wrapping_add(bytes));
        self.chunks.push(Chunk { ptr, layout });
        let c = &mut self.classes[class as usize];
        c.next = raw;
        // SAFETY: one past the end of the allocation.
        c.end = unsafe { raw.add(bytes) };
    }

    /// Allocations made so far: 64 KiB chunks (each carved into many
    /// slots) plus one per boxed fallback slot; not a count of slots.
    #[cfg(all(test, not(spool_loom)))]
    fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

/// The class for a task needing `layout`, or `None` if it is aligned to
/// more than 4 KiB. A `const fn`, so that a spawn finds its class in a
/// constant (`slot::class_of`) instead of computing it each time.
pub(crate) const fn class_of_layout(layout: Layout) -> Option<u8> {
    if layout.align() > 1 << MAX_CHUNKED_SHIFT {
        return None;
    }
    let mut need = layout.size();
    if layout.align() > need {
        need = layout.align();
    }
    if size_of::<Header>() + size_of::<usize>() > need {
        need = size_of::<Header>() + size_of::<usize>();
    }
    let mut shift = need.next_power_of_two().trailing_zeros();
    if shift < MIN_SHIFT {
        shift = MIN_SHIFT;
    }
    Some((shift - MIN_SHIFT) as u8)
}

/// The free-list link of a slot: the word right after its header.
///
/// # Safety
///
/// `slot` must be a slot of this arena (at least `class_for`'s minimum size).
unsafe fn link(slot: NonNull<Header>) -> *mut Option<NonNull<Header>> {
    // SAFETY: `size_of::<Header>()` is within the slot (see `class_for`) and
    // a multiple of the pointer alignment (Header is `repr(C)` with pointer
    // fields).
    unsafe { slot.as_ptr().cast::<u8>().add(size_of::<Header>()).cast() }
}

impl fmt::Debug for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("classes", &self.classes.len())
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

#[cfg(all(test, not(spool_loom)))]
mod tests {
    use super::*;

    #[test]
    fn classes_round_up_to_powers_of_two() {
        assert_eq!(Arena::class_size(Arena::class_for(Layout::new::<u8>())), 64);
        let l = Layout::from_size_align(65, 8).unwrap();
        assert_eq!(Arena::class_size(Arena::class_for(l)), 128);
        let l = Layout::from_size_align(4096, 8).unwrap();
        assert!(!Arena::is_boxed(Arena::class_for(l)));
        let l = Layout::from_size_align(4097, 8).unwrap();
        assert!(Arena::is_boxed(Arena::class_for(l)));
    }

    #[test]
    fn freed_slots_are_reused_lifo() {
        let mut arena = Arena::unowned();
        let a = arena.alloc(0);
        let b = arena.alloc(0);
        assert_eq!(a.origin, Origin::Fresh);
        assert_ne!(a.ptr, b.ptr);
        // SAFETY: `b` came from this arena and is not free.
        unsafe { arena.free(0, b.ptr) };
        let c = arena.alloc(0);
        assert_eq!(c.ptr, b.ptr);
        assert_eq!(c.origin, Origin::Reused);
        assert_eq!(arena.chunk_count(), 1);
    }
}
