//! Text that came from files or arguments is printed with control characters
//! escaped, so a shared ledger cannot drive the terminal.

use std::borrow::Cow;

/// `s` with every control character (including ESC, CR, TAB and newlines)
/// shown as an escape.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// Like `clean`, but keeps newlines (for multi-line messages we compose).
pub fn clean_lines(s: &str) -> String {
    s.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Seconds as `3h05m`, `29m59s`: one way of writing durations everywhere.
pub use crate::core::diary::hours_words as duration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("a\nb"), "a\\nb");
        assert_eq!(clean_lines("a\u{7}\nb"), "a\\u{7}\nb");
        assert!(!clean("\u{9b}x").contains('\u{9b}'));
    }

    #[test]
    fn durations() {
        assert_eq!(duration(45 * 60), "45m");
        assert_eq!(duration(185 * 60), "3h05m");
        assert_eq!(duration(29 * 60 + 59), "29m59s");
        assert_eq!(duration(4 * 3600 + 59 * 60 + 50), "4h59m50s");
    }
}
