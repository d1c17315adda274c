//! Output: tables for people, JSON for scripts. Nothing here decides a rule.

pub mod csv;
pub mod hledger;
pub mod ics;
pub mod json;
pub mod rows;
pub mod table;
pub mod text;
pub mod views;

use crate::time::Zone;
use chrono::{DateTime, Utc};
use std::io::{self, Write};

/// Text written into an `io::Write` through a buffer of `SINK_BUFFER`
/// bytes, its first error kept.
struct IoSink<W: Write> {
    out: W,
    buf: Vec<u8>,
    error: Option<io::Error>,
    last: Option<u8>,
}

/// The bytes an `IoSink` gathers before it writes them.
const SINK_BUFFER: usize = 64 * 1024;

impl<W: Write> IoSink<W> {
    fn new(out: W) -> IoSink<W> {
        IoSink {
            out,
            buf: Vec::with_capacity(SINK_BUFFER),
            error: None,
            last: None,
        }
    }

    /// Writes what is gathered, then flushes.
    fn finish(&mut self) -> io::Result<()> {
        let buf = std::mem::take(&mut self.buf);
        self.out.write_all(&buf)?;
        self.out.flush()
    }

    fn put(&mut self, s: &[u8]) -> io::Result<()> {
        if self.buf.len() + s.len() > SINK_BUFFER {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
            if s.len() > SINK_BUFFER {
                return self.out.write_all(s);
            }
        }
        // A table is thousands of short pieces (a seam and its padding, a
        // duration): copied eight bytes at a time (a fixed-size copy is a
        // move, not a call) they cost less than a call to `memcpy` each,
        // whose fixed cost dominates in musl's (about 25 ns a call in the
        // benchmarks' VM, whatever the length).
        if s.len() <= 64 {
            let mut words = s.chunks_exact(8);
            for w in &mut words {
                if let Ok(w) = <[u8; 8]>::try_from(w) {
                    self.buf.extend_from_slice(&w);
                }
            }
            for &b in words.remainder() {
                self.buf.push(b);
            }
        } else {
            self.buf.extend_from_slice(s);
        }
        Ok(())
    }
}

impl<W: Write> std::fmt::Write for IoSink<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        match self.put(s.as_bytes()) {
            Ok(()) => {
                if let Some(&b) = s.as_bytes().last() {
                    self.last = Some(b);
                }
                Ok(())
            }
            Err(e) => {
                self.error = Some(e);
                Err(std::fmt::Error)
            }
        }
    }
}

/// How and where to print.
#[derive(Debug, Clone)]
pub struct Out {
    /// JSON instead of tables.
    pub json: bool,
    /// Colour allowed.
    pub color: bool,
    /// No notes on stderr.
    pub quiet: bool,
    /// Times in UTC.
    pub utc: bool,
    /// The local zone.
    pub zone: Zone,
}

impl Out {
    /// Prints to stdout; a closed pipe (`| head`) is not an error.
    pub fn print(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match out
            .write_all(text.as_bytes())
            .and_then(|_| {
                if text.ends_with('\n') {
                    Ok(())
                } else {
                    out.write_all(b"\n")
                }
            })
            .and_then(|_| out.flush())
        {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        }
    }

    /// Prints what `write` writes to stdout as it writes it (a long table
    /// need not be one string first), with a newline at its end; a closed
    /// pipe is not an error.
    pub fn print_with(
        &self,
        write: impl FnOnce(&mut dyn std::fmt::Write) -> std::fmt::Result,
    ) -> io::Result<()> {
        let mut sink = IoSink::new(io::stdout().lock());
        let written = write(&mut sink);
        let result = match (written, sink.error.take()) {
            (_, Some(e)) => Err(e),
            (Err(_), None) => Err(io::Error::other("a table could not be laid out")),
            (Ok(()), None) => {
                let end = if sink.last == Some(b'\n') {
                    &b""[..]
                } else {
                    b"\n"
                };
                sink.put(end).and_then(|_| sink.finish())
            }
        };
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            r => r,
        }
    }

    /// Prints a JSON document.
    pub fn print_json(&self, v: &impl serde::Serialize) -> io::Result<()> {
        let s = serde_json::to_string_pretty(v).unwrap_or_default();
        self.print(&text::json_safe(&s))
    }

    /// A note for people on stderr (not with -q).
    pub fn note(&self, text: &str) {
        if !self.quiet {
            eprintln!("{}", text::clean_lines(text));
        }
    }

    /// The display zone.
    pub fn zone(&self) -> Zone {
        if self.utc { Zone::Utc } else { self.zone }
    }

    /// An instant for tables: `2026-11-18 10:00` in the display zone.
    pub fn time(&self, t: DateTime<Utc>) -> String {
        self.zone().local(t).format("%Y-%m-%d %H:%M").to_string()
    }

    /// The zone's name for headers.
    pub fn zone_name(&self, at: DateTime<Utc>) -> String {
        self.zone().name(at)
    }
}

/// An instant in JSON: RFC 3339 UTC.
pub fn utc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub use crate::core::week::utc_words;

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// Pieces of every length, ASCII and not, past the buffer's size and
    /// one longer than it: what arrives is what was written, in order.
    #[test]
    fn a_sink_writes_every_piece_in_order() {
        let words = ["", "a", "┆", "seam │ ", "宽字符 and more", "x"];
        let mut expected = String::new();
        let mut sink = IoSink::new(Vec::new());
        let mut n = 0usize;
        while expected.len() < 3 * SINK_BUFFER {
            let w = words[n % words.len()];
            let piece = w.repeat(n % 23);
            sink.write_str(&piece).unwrap();
            expected.push_str(&piece);
            n += 1;
        }
        let huge = "z".repeat(SINK_BUFFER + 3);
        sink.write_str(&huge).unwrap();
        expected.push_str(&huge);
        sink.write_str("end").unwrap();
        expected.push_str("end");
        sink.finish().unwrap();
        assert_eq!(sink.last, Some(b'd'));
        assert!(sink.out == expected.as_bytes(), "the sink's bytes differ");
    }
}
