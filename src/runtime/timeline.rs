//! The timeline: a record of every poll, drawn as a Gantt chart.
//!
//! When enabled ([`Builder::timeline`](crate::Builder::timeline) or the
//! `SPOOL_TIMELINE` environment variable), each worker writes one event per
//! poll, `(task, start, end)`, into a ring it allocated up front (no
//! allocation while recording; the oldest events are overwritten when the
//! ring is full). [`Runtime::timeline`](crate::Runtime::timeline) copies the
//! rings out, and [`Timeline::to_svg`] draws them: one row per worker, one
//! colour per task, so interleaving on one thread and parallel rows across
//! workers are visible at a glance.
//!
//! With recording off, the executor pays one predictable branch per poll.

use std::fmt::{self, Write as _};
use std::io;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The environment variable that turns the timeline on for runtimes built
/// without [`Builder::timeline`](crate::Builder::timeline).
const ENV: &str = "SPOOL_TIMELINE";

/// Events per worker asked for by `SPOOL_TIMELINE`: `None` when it is
/// unset, empty or `0`; an `InvalidInput` error naming the variable when it
/// is not a number (a typo should not silently turn recording off).
pub(crate) fn from_env() -> io::Result<Option<usize>> {
    match std::env::var(ENV) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(v)) => Err(bad_env(&format!("{v:?}"))),
        Ok(v) => parse_env(&v),
    }
}

/// The parsing half of [`from_env`].
fn parse_env(v: &str) -> io::Result<Option<usize>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<usize>() {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(_) => Err(bad_env(&format!("{v:?}"))),
    }
}

fn bad_env(v: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{ENV} must be a number of poll events to record per worker (e.g. {ENV}=100000; \
             0 or unset: off), not {v}"
        ),
    )
}

/// The `block_on` future's polls are recorded under this task key.
pub(crate) const MAIN_KEY: u32 = u32::MAX;

/// One poll of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollEvent {
    /// The worker that polled.
    pub worker: usize,
    /// The task's slab key, or `None` for the `block_on` future.
    pub task: Option<u32>,
    /// The task slot's generation (with `task`, identifies the task).
    pub generation: u16,
    /// When the poll started, since the runtime was built.
    pub start: Duration,
    /// When it returned.
    pub end: Duration,
}

/// A per-worker ring of poll events, preallocated.
pub(crate) struct Ring {
    epoch: Instant,
    events: Vec<PollEvent>,
    capacity: usize,
    next: usize,
}

impl Ring {
    /// A ring of `capacity` events, allocated now. A size the allocator
    /// refuses (or that no allocation may hold) is an error, not an abort.
    pub(crate) fn new(epoch: Instant, capacity: usize) -> io::Result<Ring> {
        let capacity = capacity.max(1);
        let mut events = Vec::new();
        events.try_reserve_exact(capacity).map_err(|e| {
            io::Error::new(
                io::ErrorKind::OutOfMemory,
                format!(
                    "spool timeline: cannot allocate a ring of {capacity} poll events per worker \
                     ({} bytes each): {e}; ask for fewer with Builder::timeline or SPOOL_TIMELINE",
                    std::mem::size_of::<PollEvent>()
                ),
            )
        })?;
        Ok(Ring {
            epoch,
            events,
            capacity,
            next: 0,
        })
    }

    pub(crate) fn record(
        &mut self,
        worker: usize,
        key: u32,
        generation: u16,
        t0: Instant,
        t1: Instant,
    ) {
        let ev = PollEvent {
            worker,
            task: (key != MAIN_KEY).then_some(key),
            generation,
            start: t0.saturating_duration_since(self.epoch),
            end: t1.saturating_duration_since(self.epoch),
        };
        if self.events.len() < self.capacity {
            self.events.push(ev);
        } else {
            self.events[self.next] = ev;
        }
        self.next = (self.next + 1) % self.capacity;
    }

    /// The events, oldest first.
    fn snapshot(&self) -> Vec<PollEvent> {
        if self.events.len() < self.capacity {
            self.events.clone()
        } else {
            let (newer, older) = self.events.split_at(self.next);
            older.iter().chain(newer).copied().collect()
        }
    }
}

/// A worker's recorder: the ring behind a mutex that only the owner locks
/// while running (uncontended), so that `Runtime::timeline` can copy it.
pub(crate) struct Recorder {
    ring: Mutex<Ring>,
}

impl Recorder {
    /// See [`Ring::new`] for the error.
    pub(crate) fn new(epoch: Instant, capacity: usize) -> io::Result<Recorder> {
        Ok(Recorder {
            ring: Mutex::new(Ring::new(epoch, capacity)?),
        })
    }

    #[inline]
    pub(crate) fn record(
        &self,
        worker: usize,
        key: u32,
        generation: u16,
        t0: Instant,
        t1: Instant,
    ) {
        if let Ok(mut ring) = self.ring.lock() {
            ring.record(worker, key, generation, t0, t1);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<PollEvent> {
        self.ring.lock().map(|r| r.snapshot()).unwrap_or_default()
    }
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

/// Recorded polls of every worker, from [`Runtime::timeline`](crate::Runtime::timeline).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    /// Number of workers (rows).
    pub workers: usize,
    /// Every recorded poll, by worker, oldest first.
    pub events: Vec<PollEvent>,
}

impl Timeline {
    /// Draws the timeline as a standalone SVG Gantt chart: one row per
    /// worker, one rectangle per poll, one colour per task, a time axis in
    /// milliseconds, and a legend of the busiest tasks.
    pub fn to_svg(&self) -> String {
        const LEFT: f64 = 90.0;
        const WIDTH: f64 = 900.0;
        const ROW: f64 = 46.0;
        const TOP: f64 = 40.0;
        let rows = self.workers.max(1);
        let t_min = self
            .events
            .iter()
            .map(|e| e.start)
            .min()
            .unwrap_or_default();
        let t_max = self.events.iter().map(|e| e.end).max().unwrap_or_default();
        let span = (t_max - t_min).as_secs_f64().max(1e-6);
        let x = |d: Duration| LEFT + (d - t_min).as_secs_f64() / span * WIDTH;
        let height = TOP + rows as f64 * ROW + 60.0;
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" viewBox="0 0 {w} {height}" font-family="monospace" font-size="12">"#,
            w = LEFT + WIDTH + 20.0
        );
        let _ = writeln!(
            svg,
            r#"<rect x="0" y="0" width="100%" height="100%" fill="white"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="20">spool timeline: {} polls on {} worker(s), {:.3} ms</text>"#,
            self.events.len(),
            rows,
            span * 1e3
        );
        for w in 0..rows {
            let y = TOP + w as f64 * ROW;
            let _ = writeln!(svg, r#"<g class="worker" data-worker="{w}">"#);
            let _ = writeln!(
                svg,
                r##"<rect x="{LEFT}" y="{y}" width="{WIDTH}" height="{h}" fill="#f3f3f3"/>"##,
                h = ROW - 8.0
            );
            let _ = writeln!(
                svg,
                r#"<text x="8" y="{}">worker {w}</text>"#,
                y + ROW / 2.0
            );
            for e in self.events.iter().filter(|e| e.worker == w) {
                let x0 = x(e.start);
                let width = (x(e.end) - x0).max(0.6);
                let (fill, label) = match e.task {
                    None => ("#444444".to_string(), "block_on".to_string()),
                    Some(k) => (
                        colour(k, e.generation),
                        format!("task {k}#{}", e.generation),
                    ),
                };
                let _ = writeln!(
                    svg,
                    r#"<rect x="{x0:.2}" y="{y1}" width="{width:.2}" height="{h}" fill="{fill}"><title>{label}: {:.1} µs at {:.3} ms</title></rect>"#,
                    (e.end - e.start).as_secs_f64() * 1e6,
                    (e.start - t_min).as_secs_f64() * 1e3,
                    y1 = y + 4.0,
                    h = ROW - 16.0
                );
            }
            let _ = writeln!(svg, "</g>");
        }
        let axis_y = TOP + rows as f64 * ROW + 10.0;
        for i in 0..=4 {
            let frac = i as f64 / 4.0;
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{:.2} ms</text>"#,
                LEFT + frac * WIDTH,
                axis_y + 14.0,
                frac * span * 1e3
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="{:.1}">one row per worker; one colour per task; dark grey: the block_on future</text>"#,
            axis_y + 36.0
        );
        svg.push_str("</svg>\n");
        svg
    }
}

/// A stable, well-spread colour for a task.
fn colour(key: u32, generation: u16) -> String {
    let h = (key.wrapping_mul(2_654_435_761) ^ (generation as u32).wrapping_mul(40_503)) % 360;
    format!("hsl({h},65%,55%)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values() {
        assert_eq!(parse_env("").unwrap(), None);
        assert_eq!(parse_env("0").unwrap(), None);
        assert_eq!(parse_env(" 5000 ").unwrap(), Some(5000));
        let e = parse_env("lots").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("SPOOL_TIMELINE"), "{e}");
        // More than usize holds: not a number of events either.
        assert!(parse_env("99999999999999999999999").is_err());
    }

    #[test]
    fn a_ring_too_large_is_an_error() {
        let e = Ring::new(Instant::now(), usize::MAX).err().unwrap();
        assert_eq!(e.kind(), io::ErrorKind::OutOfMemory);
        assert!(e.to_string().contains("Builder::timeline"), "{e}");
    }
}
