//! A parsed TOML document reduced to what the codec reads: tables, values
//! and their byte spans (for `file:line:col` messages).
//!
//! Reading is the hot path of `list`, `sweep` and `check`, which read every
//! contract file. Files this program wrote have a small, fixed shape, so
//! [`parse`] first tries a strict line reader for exactly that shape (a few
//! microseconds per file) and hands anything else — comments, other quoting,
//! inline tables, a syntax error — to `toml_edit`, the full parser, whose
//! result and error messages it then uses. Both build the same tree; a
//! property test holds them equal on every text the line reader accepts.

use std::borrow::Cow;
use std::ops::Range;
use toml_edit::{Date, Datetime, Offset, TableLike, Time};

/// A byte range in the file, when known.
pub type Span = Option<Range<usize>>;

/// A table: its entries in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table<'s> {
    /// The header (`[name]`, `[[name]]`), the braces of an inline table, the
    /// key of a table only implied by a dotted header; `0..0` for the root.
    pub span: Span,
    /// Keys and what they hold.
    pub entries: Vec<Entry<'s>>,
}

/// One key of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry<'s> {
    /// The key, unquoted.
    pub key: Cow<'s, str>,
    /// Where the key is written.
    pub key_span: Span,
    /// What it holds.
    pub item: Item<'s>,
}

/// What a key holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Item<'s> {
    /// `key = value`.
    Value(Value<'s>),
    /// `[key]` (or a table implied by `[key.sub]` or a dotted key).
    Table(Table<'s>),
    /// `[[key]]`.
    ArrayOfTables(Vec<Table<'s>>),
}

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Value<'s> {
    /// The value's text, quotes included.
    pub span: Span,
    /// The value.
    pub kind: ValueKind<'s>,
}

/// The kinds of TOML value.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind<'s> {
    /// A string, unescaped.
    String(Cow<'s, str>),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Boolean(bool),
    /// A date, time or both.
    Datetime(Datetime),
    /// `[ ... ]`.
    Array(Vec<Value<'s>>),
    /// `{ ... }`.
    InlineTable(Table<'s>),
}

/// Why a text is not TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where.
    pub span: Span,
    /// What `toml_edit` says.
    pub message: String,
}

impl<'s> Table<'s> {
    /// The entry of `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry<'s>> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// What `key` holds.
    pub fn get(&self, key: &str) -> Option<&Item<'s>> {
        self.entry(key).map(|e| &e.item)
    }

    /// Where `key` is written.
    pub fn key_span(&self, key: &str) -> Span {
        self.entry(key).and_then(|e| e.key_span.clone())
    }
}

impl<'s> Item<'s> {
    /// The value, if this is one.
    pub fn as_value(&self) -> Option<&Value<'s>> {
        match self {
            Item::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The table, if this is one (`[key]` or an inline table).
    pub fn as_table_like(&self) -> Option<&Table<'s>> {
        match self {
            Item::Table(t) => Some(t),
            Item::Value(Value {
                kind: ValueKind::InlineTable(t),
                ..
            }) => Some(t),
            _ => None,
        }
    }

    /// Where the item is written: a value's text or a table's header.
    pub fn span(&self) -> Span {
        match self {
            Item::Value(v) => v.span.clone(),
            Item::Table(t) => t.span.clone(),
            // As `toml_edit` has it: from the first header to the last.
            Item::ArrayOfTables(ts) => {
                let first = ts.first()?.span.clone()?;
                let last = ts.last()?.span.clone()?;
                Some(first.start..last.end)
            }
        }
    }
}

impl Value<'_> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_integer(&self) -> Option<i64> {
        match self.kind {
            ValueKind::Integer(i) => Some(i),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            ValueKind::Boolean(b) => Some(b),
            _ => None,
        }
    }

    /// The kind's name, for messages (as `toml_edit` names them).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ValueKind::String(_) => "string",
            ValueKind::Integer(_) => "integer",
            ValueKind::Float(_) => "float",
            ValueKind::Boolean(_) => "boolean",
            ValueKind::Datetime(_) => "datetime",
            ValueKind::Array(_) => "array",
            ValueKind::InlineTable(_) => "inline table",
        }
    }
}

/// Parses a document: the line reader when the text has the shape this
/// program writes, the full parser otherwise.
pub fn parse(text: &str) -> Result<Table<'_>, SyntaxError> {
    match fast(text) {
        Some(t) => Ok(t),
        None => full(text),
    }
}

/// Parses with `toml_edit` (any valid TOML).
pub fn full(text: &str) -> Result<Table<'static>, SyntaxError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| SyntaxError {
        span: e.span(),
        message: e.message().trim().to_string(),
    })?;
    Ok(convert_table(doc.as_table(), Some(0..0)))
}

fn convert_table(t: &dyn TableLike, span: Span) -> Table<'static> {
    let entries = t
        .iter()
        .map(|(k, item)| Entry {
            key: Cow::Owned(k.to_string()),
            key_span: t.key(k).and_then(|k| k.span()),
            item: convert_item(item),
        })
        .collect();
    Table { span, entries }
}

fn convert_item(item: &toml_edit::Item) -> Item<'static> {
    match item {
        toml_edit::Item::Value(v) => Item::Value(convert_value(v)),
        toml_edit::Item::Table(t) => Item::Table(convert_table(t, t.span())),
        toml_edit::Item::ArrayOfTables(a) => {
            Item::ArrayOfTables(a.iter().map(|t| convert_table(t, t.span())).collect())
        }
        // A parsed document holds no `None` items.
        toml_edit::Item::None => Item::Table(Table::default()),
    }
}

fn convert_value(v: &toml_edit::Value) -> Value<'static> {
    use toml_edit::Value as V;
    let kind = match v {
        V::String(s) => ValueKind::String(Cow::Owned(s.value().clone())),
        V::Integer(i) => ValueKind::Integer(*i.value()),
        V::Float(f) => ValueKind::Float(*f.value()),
        V::Boolean(b) => ValueKind::Boolean(*b.value()),
        V::Datetime(d) => ValueKind::Datetime(*d.value()),
        V::Array(a) => ValueKind::Array(a.iter().map(convert_value).collect()),
        V::InlineTable(t) => ValueKind::InlineTable(convert_table(t, t.span())),
    };
    Value {
        span: v.span(),
        kind,
    }
}

// ------------------------------------------------------------ line reader

/// Reads the shape this program writes, or gives up (`None`) at the first
/// thing outside it. Lines are `key = value`, `[name]`, `[a.b]`, `[[name]]`
/// or empty; values are one-line strings, decimal integers, booleans and
/// `YYYY-MM-DDTHH:MM:SS[.f]Z` datetimes.
pub fn fast(text: &str) -> Option<Table<'_>> {
    let mut root = Table {
        span: Some(0..0),
        entries: Vec::new(),
    };
    // Where `key = value` lines go: entry indexes from the root (`current`).
    let mut path: Vec<usize> = Vec::new();
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let end = text[pos..].find('\n').map_or(bytes.len(), |i| pos + i);
        let line = &text[pos..end];
        let next = if end < bytes.len() { end + 1 } else { end };
        if line.is_empty() {
            pos = next;
            continue;
        }
        match line.as_bytes()[0] {
            b'[' => path = header(&mut root, line, pos)?,
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => {
                let k = line.bytes().position(|b| !is_bare(b)).unwrap_or(line.len());
                let (key, rest) = line.split_at(k);
                let rest = rest.strip_prefix(" = ")?;
                let value = value(rest, pos + k + 3)?;
                let table = current(&mut root, &path)?;
                if table.entry(key).is_some() {
                    return None;
                }
                table.entries.push(Entry {
                    key: Cow::Borrowed(key),
                    key_span: Some(pos..pos + key.len()),
                    item: Item::Value(value),
                });
            }
            _ => return None,
        }
        pos = next;
    }
    Some(root)
}

fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn bare(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(is_bare)
}

/// The table that `path` leads to: each step an entry index; an array of
/// tables steps into its last table.
fn current<'a, 's>(root: &'a mut Table<'s>, path: &[usize]) -> Option<&'a mut Table<'s>> {
    let mut t = root;
    for &i in path {
        t = match &mut t.entries.get_mut(i)?.item {
            Item::Table(sub) => sub,
            Item::ArrayOfTables(ts) => ts.last_mut()?,
            Item::Value(_) => return None,
        };
    }
    Some(t)
}

/// `[[name]]`, `[name]` or `[a.b]`: adds the table, returns the new path.
fn header<'s>(root: &mut Table<'s>, line: &'s str, pos: usize) -> Option<Vec<usize>> {
    let span = Some(pos..pos + line.len());
    if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
        if !bare(name) {
            return None;
        }
        let key_span = Some(pos + 2..pos + 2 + name.len());
        let table = Table {
            span,
            entries: Vec::new(),
        };
        return match root.entries.iter().position(|e| e.key == name) {
            Some(i) => match &mut root.entries[i].item {
                Item::ArrayOfTables(ts) => {
                    ts.push(table);
                    Some(vec![i])
                }
                _ => None,
            },
            None => {
                root.entries.push(Entry {
                    key: Cow::Borrowed(name),
                    key_span,
                    item: Item::ArrayOfTables(vec![table]),
                });
                Some(vec![root.entries.len() - 1])
            }
        };
    }
    let name = line.strip_prefix('[')?.strip_suffix(']')?;
    let table = Table {
        span,
        entries: Vec::new(),
    };
    match name.split_once('.') {
        None => {
            if !bare(name) || root.entry(name).is_some() {
                return None;
            }
            root.entries.push(Entry {
                key: Cow::Borrowed(name),
                key_span: Some(pos + 1..pos + 1 + name.len()),
                item: Item::Table(table),
            });
            Some(vec![root.entries.len() - 1])
        }
        Some((outer, inner)) => {
            if !bare(outer) || !bare(inner) {
                return None;
            }
            // The outer table is implied by its first dotted header, and
            // spans that header's key (an explicit `[outer]` spans its header).
            let outer_span = Some(pos + 1..pos + 1 + outer.len());
            let i = match root.entries.iter().position(|e| e.key == outer) {
                Some(i) => match &root.entries[i].item {
                    Item::Table(t) if t.span == root.entries[i].key_span => i,
                    _ => return None,
                },
                None => {
                    root.entries.push(Entry {
                        key: Cow::Borrowed(outer),
                        key_span: outer_span.clone(),
                        item: Item::Table(Table {
                            span: outer_span,
                            entries: Vec::new(),
                        }),
                    });
                    root.entries.len() - 1
                }
            };
            let Item::Table(outer_table) = &mut root.entries[i].item else {
                return None;
            };
            if outer_table.entry(inner).is_some() {
                return None;
            }
            let start = pos + 2 + outer.len();
            outer_table.entries.push(Entry {
                key: Cow::Borrowed(inner),
                key_span: Some(start..start + inner.len()),
                item: Item::Table(table),
            });
            Some(vec![i, outer_table.entries.len() - 1])
        }
    }
}

/// A value that fills the rest of its line, starting at byte `at`.
fn value(s: &str, at: usize) -> Option<Value<'_>> {
    let span = Some(at..at + s.len());
    let kind = match s.as_bytes().first()? {
        b'"' => ValueKind::String(basic_string(s.strip_prefix('"')?.strip_suffix('"')?)?),
        b'\'' => {
            let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
            if inner.contains('\'') || inner.bytes().any(forbidden) {
                return None;
            }
            ValueKind::String(Cow::Borrowed(inner))
        }
        b't' if s == "true" => ValueKind::Boolean(true),
        b'f' if s == "false" => ValueKind::Boolean(false),
        b'0'..=b'9' | b'-' => match integer(s) {
            Some(i) => ValueKind::Integer(i),
            None => ValueKind::Datetime(datetime(s)?),
        },
        _ => return None,
    };
    Some(Value { span, kind })
}

/// Control characters other than tab may not appear raw in a string (the
/// C1 controls may: TOML forbids only U+0000-U+001F and U+007F).
fn forbidden(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

/// The inside of a one-line `"..."` string, unescaped.
fn basic_string(inner: &str) -> Option<Cow<'_, str>> {
    if !inner.contains('\\') {
        if inner.bytes().any(|b| b == b'"' || forbidden(b)) {
            return None;
        }
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => {
                let e = chars.next()?;
                out.push(match e {
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'f' => '\u{c}',
                    'r' => '\r',
                    '"' => '"',
                    '\\' => '\\',
                    'u' | 'U' => {
                        let n = if e == 'u' { 4 } else { 8 };
                        let hex: String = chars.by_ref().take(n).collect();
                        if hex.len() != n || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                            return None;
                        }
                        char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                    }
                    // \e, \x.. (TOML 1.1) and anything else: the full parser.
                    _ => return None,
                });
            }
            c if c.is_ascii() && forbidden(c as u8) => return None,
            c => out.push(c),
        }
    }
    Some(Cow::Owned(out))
}

/// `0` or `-?[1-9][0-9]*` that fits an i64; `None` for anything else.
fn integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && !(digits == "0" && s.starts_with('-'));
    if ok { s.parse().ok() } else { None }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, a real date and time.
fn datetime(s: &str) -> Option<Datetime> {
    if !s.is_ascii() {
        return None;
    }
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let num = |r: Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let nanosecond = match &s[19..s.len() - 1] {
        "" => None,
        frac => {
            let digits = frac.strip_prefix('.')?;
            if digits.is_empty() || digits.len() > 9 {
                return None;
            }
            let n: u32 = num(20..20 + digits.len())?;
            Some(n * 10u32.pow(9 - digits.len() as u32))
        }
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(Datetime {
        date: Some(Date {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        }),
        time: Some(Time {
            hour: hour as u8,
            minute: minute as u8,
            second: Some(second as u8),
            nanosecond,
        }),
        offset: Some(Offset::Z),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Any text the writer can produce for these values: `toml_edit` picks
    /// basic, literal or multi-line quoting by the string's content.
    fn written(strings: &[String], ints: &[i64], nested: bool) -> String {
        let mut doc = toml_edit::DocumentMut::new();
        for (i, v) in strings.iter().enumerate() {
            doc[&format!("s{i}")] = toml_edit::value(v.as_str());
        }
        for (i, v) in ints.iter().enumerate() {
            doc[&format!("n{i}")] = toml_edit::value(*v);
        }
        if nested {
            let mut aot = toml_edit::ArrayOfTables::new();
            for v in strings {
                let mut t = toml_edit::Table::new();
                t["memo"] = toml_edit::value(v.as_str());
                aot.push(t);
            }
            doc["entries"] = toml_edit::Item::ArrayOfTables(aot);
        }
        doc.to_string()
    }

    proptest! {
        /// Whatever the strings hold (quotes, backslashes, control and
        /// non-ASCII characters), the line reader either reads the written
        /// file exactly as the full parser does, or leaves it to it.
        #[test]
        fn the_line_reader_agrees_with_the_full_parser_on_written_files(
            strings in proptest::collection::vec(
                prop_oneof![
                    any::<String>(),
                    "[ -~]{0,12}",
                    "[\\\"'\t\n\r\u{1}\u{7f}\u{85}é😀 a=#\\[\\]]{0,10}",
                ],
                0..6,
            ),
            ints in proptest::collection::vec(any::<i64>(), 0..4),
            nested in any::<bool>(),
        ) {
            let text = written(&strings, &ints, nested);
            let full = full(&text).expect("the writer's output parses");
            if let Some(fast) = fast(&text) {
                prop_assert_eq!(&fast, &full);
            }
            for (i, v) in strings.iter().enumerate() {
                let got = full.get(&format!("s{i}")).and_then(Item::as_value).and_then(Value::as_str);
                prop_assert_eq!(got, Some(v.as_str()));
            }
        }
    }

    fn same(text: &str) {
        let fast = fast(text).unwrap_or_else(|| panic!("line reader refused:\n{text}"));
        assert_eq!(Ok(fast), full(text), "for:\n{text}");
    }

    #[test]
    fn line_reader_matches_the_full_parser() {
        same("version = 1\nid = \"c1\"\nok = true\nno = false\nn = -42\nz = 0\n");
        same(
            "at = 2026-11-23T09:00:00Z\nfrac = 2026-11-23T09:00:00.5Z\nns = 2026-11-23T09:00:00.123456789Z\n",
        );
        same("c1 = \"\u{85}\"\nc1l = '\u{9f}'\n");
        same(
            "s = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600 \\n\"\nl = 'it said \"hi\"'\nu = \"héllo\"\n",
        );
        same(
            "a = 1\n\n[[history]]\nat = 2026-01-01T00:00:00Z\n\n[[history]]\nat = 2026-01-02T00:00:00Z\n",
        );
        same(
            "a = 1\n[feedback.client]\nstars = 5\n\n[feedback.freelancer]\nstars = 4\n[[h]]\nx = 1",
        );
        same("[t]\nk = \"v\"\n");
        same("");
    }

    #[test]
    fn line_reader_leaves_the_rest_to_the_full_parser() {
        for text in [
            "a = 1 # comment\n",
            "# comment\na = 1\n",
            "a = 1.5\n",
            "a = +1\n",
            "a = 1_000\n",
            "a = 0x1f\n",
            "a = 01\n",
            "a = -0\n",
            "a = [1, 2]\n",
            "a = { b = 1 }\n",
            "\"quoted\" = 1\n",
            "a.b = 1\n",
            "a=1\n",
            " a = 1\n",
            "a = 1\r\n",
            "a = 1\na = 2\n",
            "a = \"\"\"x\"\"\"\n",
            "a = \"x\\e\"\n",
            "a = \"unterminated\n",
            "a = 2026-02-30T00:00:00Z\n",
            "a = 2026-01-01T24:00:00Z\n",
            "a = 2026-01-01T00:00:60Z\n",
            "a = 2026-01-01T00:00:00+01:00\n",
            "a = 2026-01-01 00:00:00Z\n",
            "a = 2026-01-01\n",
            "[t]\n[t]\n",
            "[t]\n[[t]]\n",
            "[[t]]\n[t]\n",
            "[a.b]\n[a.b]\n",
            "[a]\n[a.b]\n",
            "[a.b.c]\n",
            "a = 1\n[a.b]\n",
            "a = tru\n",
            "a = \"ctl\u{1}\"\n",
            "a = \"del\u{7f}\"\n",
            "a = 'ctl\u{1f}'\n",
        ] {
            assert!(fast(text).is_none(), "line reader accepted {text:?}");
        }
    }
}
