//! iCalendar (RFC 5545): every pending deadline as an event with a UID that
//! stays the same across exports, so a subscribed calendar updates instead
//! of duplicating. A small writer: text escaped (§3.3.11), lines folded at
//! 75 octets (§3.1), CRLF line ends, times in UTC.

use crate::core::model::Instant;

/// One deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// Stable across exports: what falls due, not when it was exported.
    pub uid: String,
    /// When it falls due.
    pub at: Instant,
    /// One line for the calendar.
    pub summary: String,
    /// What happens then, and what can be done before.
    pub description: String,
}

/// TEXT escaping: backslash, semicolon, comma and newlines.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            // Control and bidirectional characters never reach a calendar raw.
            c if crate::safe_text::is_unsafe(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A content line, folded so that no line is longer than 75 octets (a
/// fold never splits a character).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn stamp(t: Instant) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar of `deadlines`, stamped `now`.
pub fn calendar(deadlines: &[Deadline], now: Instant) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        &format!(
            "PRODID:-//contracts//contracts {}//EN",
            env!("CARGO_PKG_VERSION")
        ),
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "X-WR-CALNAME:contracts deadlines");
    for d in deadlines {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&d.uid)));
        line(&mut out, &format!("DTSTAMP:{}", stamp(now)));
        line(&mut out, &format!("DTSTART:{}", stamp(d.at)));
        // No DTEND: a deadline is an instant, and RFC 5545 wants a DTEND
        // later than DTSTART; without one the event ends where it starts.
        line(&mut out, &format!("SUMMARY:{}", escape(&d.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&d.description)));
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded_between_characters() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(escape("a\u{202E}b\u{2066}c\u{7}d\u{9b}e"), "a b c d e");
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "é".repeat(60));
        line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
    }
}
