//! Words for the terminal: safe text (see [`crate::safe_text`]) and durations.

pub use crate::safe_text::{clean, clean_lines, json_safe};

/// Seconds as `3h05m`, `29m59s`: one way of writing durations everywhere.
pub use crate::core::diary::hours_words as duration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(45 * 60), "45m");
        assert_eq!(duration(185 * 60), "3h05m");
        assert_eq!(duration(29 * 60 + 59), "29m59s");
        assert_eq!(duration(4 * 3600 + 59 * 60 + 50), "4h59m50s");
    }

    /// The hand-written digits against `format!`'s, for every second of
    /// the first days, either sign, and the extremes.
    #[test]
    fn durations_as_format_writes_them() {
        fn reference(seconds: i64) -> String {
            let sign = if seconds < 0 { "-" } else { "" };
            let s = seconds.unsigned_abs();
            let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
            let secs = if sec == 0 {
                String::new()
            } else {
                format!("{sec:02}s")
            };
            if h == 0 {
                format!("{sign}{m}m{secs}")
            } else {
                format!("{sign}{h}h{m:02}m{secs}")
            }
        }
        let extremes = [i64::MIN, i64::MIN + 1, i64::MAX, 1 << 40, -(1 << 40)];
        for n in (-200_000..200_000).chain(extremes) {
            assert_eq!(duration(n), reference(n), "{n}");
        }
        // The `Display` form, with and without a width.
        for n in [0, 59, 3600, -5405, i64::MIN] {
            let h = crate::core::diary::HoursWords(n);
            assert_eq!(h.to_string(), reference(n));
            assert_eq!(
                format!("{h:>12}|{h:<12}|"),
                format!("{0:>12}|{0:<12}|", reference(n))
            );
        }
    }
}
