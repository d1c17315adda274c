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
}
