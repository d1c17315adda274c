//! Terminal safety: text that came from files or arguments is printed with
//! control characters escaped, so a shared ledger cannot drive the terminal.
//! Both the store (in load errors) and the renderers use it.

use std::borrow::Cow;

/// Characters that reorder what a terminal shows (Unicode bidirectional
/// embeddings, overrides and isolates, and the marks).
pub fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A control character (C0, DEL, C1) or a bidirectional control: what
/// never reaches a terminal, a journal or a calendar raw.
pub fn is_unsafe(ch: char) -> bool {
    ch.is_control() || is_bidi_control(ch)
}

/// `s` with every control character (including ESC, CR, TAB and newlines)
/// and every bidirectional control shown as an escape.
pub fn clean(s: &str) -> Cow<'_, str> {
    // Printable ASCII (most text) holds neither, and is checked a byte
    // at a time.
    if printable_ascii(s) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if is_unsafe(ch) {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// Whether `s` is printable ASCII only (space to `~`): no control and no
/// bidirectional control, and as wide on a terminal as it is long.
pub fn printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// JSON text with bidirectional controls written as `\uXXXX` escapes (the
/// same string to a JSON reader; inert on a terminal). serde_json already
/// escapes control characters.
pub fn json_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_bidi_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if is_bidi_control(ch) {
            out.push_str(&format!("\\u{:04x}", u32::from(ch)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_ascii_that_needs_no_escape_and_is_one_column_a_char() {
        use unicode_width::UnicodeWidthStr;
        for b in 0u8..=127 {
            let s = char::from(b).to_string();
            let plain = !s.chars().any(is_unsafe) && s.width() == 1;
            assert_eq!(printable_ascii(&s), plain, "{b:#x}");
        }
        assert!(printable_ascii("Storefront redesign, 50.00/h"));
        for s in ["é", "宽", "a\u{202e}b", "tab\there", "\u{7f}"] {
            assert!(!printable_ascii(s), "{s:?}");
        }
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(clean("plain"), "plain");
        assert_eq!(clean("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(clean("a\nb"), "a\\nb");
        assert_eq!(clean_lines("a\u{7}\nb"), "a\\u{7}\nb");
        assert!(!clean("\u{9b}x").contains('\u{9b}'));
        assert_eq!(clean("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(clean("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
        let j = json_safe("{\"t\": \"a\u{202E}b\"}");
        assert_eq!(j, "{\"t\": \"a\\u202eb\"}");
        let back: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(back["t"], "a\u{202E}b");
    }
}
