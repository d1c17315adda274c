//! Problems found in files, with `file:line:col` and the offending text.

use std::fmt;
use std::ops::Range;

/// A problem at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file, relative to the ledger directory.
    pub file: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column (in characters), if known.
    pub col: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// The source line, for context.
    pub snippet: Option<String>,
}

impl Located {
    /// A problem about a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Located {
        Located {
            file: file.to_string(),
            line: None,
            col: None,
            message: message.into(),
            snippet: None,
        }
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.col) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}", self.message)?;
        if let (Some(s), Some(l), Some(c)) = (&self.snippet, self.line, self.col) {
            let num = l.to_string();
            let pad = " ".repeat(num.len());
            write!(
                f,
                "\n {num} | {}\n {pad} | {}^",
                crate::safe_text::clean(s),
                " ".repeat(c.saturating_sub(1))
            )?;
        }
        Ok(())
    }
}

/// A file's text and name, to turn byte spans into places.
pub struct Source<'a> {
    /// The file, relative to the ledger directory.
    pub file: &'a str,
    /// Its text.
    pub text: &'a str,
}

impl Source<'_> {
    /// A problem at the start of `span` (or about the file when `None`).
    pub fn at(&self, span: Option<Range<usize>>, message: impl Into<String>) -> Located {
        let Some(span) = span else {
            return Located::file(self.file, message);
        };
        let start = span.start.min(self.text.len());
        let start = (0..=start)
            .rev()
            .find(|i| self.text.is_char_boundary(*i))
            .unwrap_or(0);
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..start].chars().count() + 1;
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        Located {
            file: self.file.to_string(),
            line: Some(line),
            col: Some(col),
            message: message.into(),
            snippet: Some(
                self.text[line_start..line_end]
                    .trim_end_matches('\r')
                    .to_string(),
            ),
        }
    }
}
