//! The ledger's files <-> the model, through the shapes of
//! [`crate::core::schema`]: reading is [`super::de`] over the light tree
//! of [`super::tree`] then the shape's own checks, each problem placed at
//! its `file:line:col`; writing is [`super::ser`] into `toml_edit` tables
//! (for the format-preserving merge). No key is spelled here.

use super::de;
use super::located::{Located, Source};
use super::ser;
use super::tree::{self, ValueKind};
use crate::core::Settings;
use crate::core::diary::WeekFile;
use crate::core::model::{Contract, Event, Instant};
use crate::core::money::Currency;
use crate::core::schema::{ContractFile, Party, RawEvent, SettingsFile, WeekFileData};
use crate::core::validate::Problem;
use chrono::{Datelike, NaiveDate, TimeZone, Timelike};
use std::ops::Range;
use toml_edit::Table;

pub use crate::core::schema::VERSION;

/// Reading context: the file, the currency for money, and the problems found.
pub struct Cx<'a> {
    src: &'a Source<'a>,
    currency: Option<Currency>,
    /// Problems found so far.
    pub problems: Vec<Located>,
}

impl<'a> Cx<'a> {
    /// A context for one file.
    pub fn new(src: &'a Source<'a>, currency: Option<Currency>) -> Cx<'a> {
        Cx {
            src,
            currency,
            problems: Vec::new(),
        }
    }

    /// Reads `root` as the shape `T` and turns it into the model with
    /// `into`, whose problems name key paths.
    fn read<'t, T: serde::Deserialize<'t>, M>(
        &mut self,
        root: &'t tree::Table<'t>,
        into: impl FnOnce(T) -> Result<M, Vec<Problem>>,
    ) -> Option<M> {
        if !self.version(root) {
            return None;
        }
        let (shape, problems) = de::Reader::new(self.src, self.currency).read::<T>(root);
        self.problems.extend(problems);
        match into(shape?) {
            Ok(m) => Some(m),
            Err(ps) => {
                for p in ps {
                    let l = self.src.at(span_of(root, &p.path), p.message);
                    self.problems.push(l);
                }
                None
            }
        }
    }

    /// Whether the file's `version` is one this program reads; a newer one
    /// is the only problem reported (its keys may mean something else).
    fn version(&mut self, root: &tree::Table<'_>) -> bool {
        let Some(v) = root.get("version").and_then(tree::Item::as_value) else {
            return true;
        };
        let msg = match v.kind {
            ValueKind::Integer(n) if n > VERSION => format!(
                "written by a newer version of contracts (file version {n}; this program reads {VERSION}): upgrade contracts; the file is left as it is"
            ),
            ValueKind::Integer(n) if n < 1 => format!("unknown file version {n}"),
            _ => return true,
        };
        let l = self.src.at(v.span.clone(), msg);
        self.problems.push(l);
        false
    }
}

/// The UTC instant of a TOML datetime, which must have a date, a time and
/// an offset.
pub fn instant(dt: &toml_edit::Datetime) -> Result<Instant, String> {
    let (Some(d), Some(t)) = (dt.date, dt.time) else {
        return Err("expected a full date and time, such as 2026-11-23T09:00:00Z".into());
    };
    let offset_minutes = match dt.offset {
        Some(toml_edit::Offset::Z) => 0,
        Some(toml_edit::Offset::Custom { minutes }) => i32::from(minutes),
        None => {
            return Err(
                "datetime without offset: instants are UTC, write it with a Z (2026-11-23T09:00:00Z)"
                    .into(),
            );
        }
    };
    let bad = || "not a valid date and time".to_string();
    let date =
        NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into()).ok_or_else(bad)?;
    let naive = date
        .and_hms_nano_opt(
            t.hour.into(),
            t.minute.into(),
            t.second.unwrap_or(0).into(),
            t.nanosecond.unwrap_or(0),
        )
        .ok_or_else(bad)?;
    let off = chrono::FixedOffset::east_opt(offset_minutes * 60).ok_or_else(bad)?;
    off.from_local_datetime(&naive)
        .single()
        .map(|x| x.with_timezone(&chrono::Utc))
        .ok_or_else(bad)
}

fn first_key_span(t: &tree::Table<'_>) -> Option<Range<usize>> {
    t.entries.first().and_then(|e| e.key_span.clone())
}

/// The byte span of the value at a key path such as `milestones[0].funded`
/// (the empty path: the file's start; a key not written: its table).
pub fn span_of(root: &tree::Table<'_>, path: &str) -> Option<Range<usize>> {
    if path.is_empty() {
        return Some(0..0);
    }
    let mut cur = root;
    let mut last = None;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let (name, idx) = match seg.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*seg, None),
        };
        // A key that is not there: the nearest place that is.
        let Some(entry) = cur.entry(name) else {
            return last;
        };
        let item = &entry.item;
        last = item.span().or_else(|| entry.key_span.clone()).or(last);
        let item_table = match idx {
            Some(n) => match item {
                tree::Item::ArrayOfTables(a) => a.get(n).inspect(|t| {
                    last = t
                        .span
                        .clone()
                        .or_else(|| first_key_span(t))
                        .or(last.clone());
                }),
                tree::Item::Value(tree::Value {
                    kind: ValueKind::Array(a),
                    ..
                }) => a.get(n).and_then(|v| {
                    last = v.span.clone().or(last.clone());
                    match &v.kind {
                        ValueKind::InlineTable(t) => Some(t),
                        _ => None,
                    }
                }),
                _ => None,
            },
            None => item.as_table_like(),
        };
        if i + 1 < segs.len() {
            cur = item_table?;
        }
    }
    last
}

/// Reads `ledger.toml`.
pub fn read_settings(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<Settings> {
    cx.read(root, SettingsFile::into_settings)
}

/// Reads `ledger.toml` with the parties of a shared ledger.
pub fn read_ledger(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<(Settings, Vec<Party>)> {
    cx.read(root, SettingsFile::into_ledger)
}

/// `ledger.toml` with its parties, in canonical form.
pub fn write_ledger(s: &Settings, parties: &[Party]) -> Result<Table, ser::Error> {
    ser::to_table(&SettingsFile::of(s, parties), &s.currency)
}

/// Reads a contract file.
pub fn read_contract(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<Contract> {
    cx.read(root, ContractFile::into_contract)
}

/// The `[[history]]` and `[[effects]]` tables of contract files read
/// before, each by its exact text: a contract's versions along a history
/// share all but their newest events, which `verify` would otherwise read
/// again at every commit (quadratic in a contract's history). Only bytes
/// are trusted: a table whose text differs at all is read anew.
#[derive(Default)]
pub struct EventMemo {
    index: std::collections::HashMap<Box<str>, usize, std::hash::BuildHasherDefault<Fx>>,
    events: Vec<Memo>,
    bytes: usize,
}

/// One event table read: as the file holds it, and the event it is alone
/// (for files of versions before 3, then from 3 on), once asked.
struct Memo {
    raw: RawEvent,
    lone: [Option<Option<Event>>; 2],
}

/// Text kept in an [`EventMemo`] before it is forgotten.
const MEMO_BYTES: usize = 64 << 20;

/// A quick hash of short texts (the memo's keys), as rustc's `FxHasher`.
#[derive(Default)]
pub struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Which array of events a table belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Events {
    History,
    Effects,
}

/// Reads the contract file `text` (at `file`) as [`read_contract`] would,
/// its `[[history]]` and `[[effects]]` tables taken from `memo` where their
/// text was read before: the rest of the file is read with them left out,
/// each event table alone, then the two joined. `None` where anything is
/// outside the shape this program writes or has a problem: the caller
/// then reads the file whole (its messages placed in the whole file).
/// Where it gives a contract, it is the one reading the file whole gives:
/// each event table's lines are its own in either reading, and the
/// tables' order is the file's.
pub fn read_contract_memo(
    file: &str,
    text: &str,
    currency: Currency,
    memo: &mut EventMemo,
) -> Option<Contract> {
    // The file cut at its table headers (lines starting with `[`).
    let mut rest = String::with_capacity(text.len());
    let mut blocks: Vec<(Events, &str)> = Vec::new();
    let bytes = text.as_bytes();
    let headers = std::iter::once(0)
        .filter(|_| bytes.first() == Some(&b'['))
        .chain(memchr::memmem::find_iter(bytes, b"\n[").map(|i| i + 1));
    // Where the text before the first header ends, then each block.
    let mut starts: Vec<usize> = headers.collect();
    starts.push(bytes.len());
    let first = starts.first().copied().unwrap_or(0);
    rest.push_str(&text[..first]);
    for w in starts.windows(2) {
        let block = &text[w[0]..w[1]];
        let header = block.split('\n').next().unwrap_or_default();
        match header {
            "[[history]]" => blocks.push((Events::History, block)),
            "[[effects]]" => blocks.push((Events::Effects, block)),
            _ => rest.push_str(block),
        }
    }
    let root = tree::fast(&rest)?;
    if root.get("history").is_some() || root.get("effects").is_some() {
        return None;
    }
    // Each table read once, by its text (forgotten past a bound, between
    // files).
    if memo.bytes > MEMO_BYTES {
        memo.index.clear();
        memo.events.clear();
        memo.bytes = 0;
    }
    let mut keys = Vec::with_capacity(blocks.len());
    for (kind, block) in blocks {
        let key = block.trim_end_matches('\n');
        let i = match memo.index.get(key) {
            Some(&i) => i,
            None => {
                let raw = read_event(file, key, currency)?;
                memo.bytes += key.len();
                let lone = [None, None];
                memo.events.push(Memo { raw, lone });
                memo.index.insert(key.into(), memo.events.len() - 1);
                memo.events.len() - 1
            }
        };
        keys.push((kind, i));
    }
    let src = Source { file, text: &rest };
    let mut cx = Cx::new(&src, Some(currency));
    let mut all = true;
    let c = cx.read(&root, |mut f: ContractFile| {
        // Without effects, each event is its own: joined already, where
        // each is alone what it is among the others (else joined here).
        let lone = keys.iter().all(|(kind, _)| *kind == Events::History);
        let class = usize::from(f.version >= 3);
        let mut events = Vec::with_capacity(if lone { keys.len() } else { 0 });
        for (_, key) in keys.iter().filter(|_| lone) {
            let Some(m) = memo.events.get_mut(*key) else {
                break;
            };
            let e = m.lone[class]
                .get_or_insert_with(|| crate::core::schema::lone_event(f.version, m.raw.clone()));
            match e {
                Some(e) => events.push(e.clone()),
                None => break,
            }
        }
        if lone && events.len() == keys.len() {
            return f.into_contract_joined(events, Vec::new());
        }
        for (kind, key) in &keys {
            let Some(m) = memo.events.get(*key) else {
                all = false;
                continue;
            };
            match kind {
                Events::History => f.history.push(m.raw.clone()),
                Events::Effects => f.effects.push(m.raw.clone()),
            }
        }
        f.into_contract()
    });
    c.filter(|_| all && cx.problems.is_empty())
}

/// One event table (`[[history]]` or `[[effects]]` and its lines) read
/// alone, if it reads without a problem.
fn read_event(file: &str, block: &str, currency: Currency) -> Option<RawEvent> {
    let root = tree::fast(block)?;
    let [entry] = root.entries.as_slice() else {
        return None;
    };
    let tree::Item::ArrayOfTables(tables) = &entry.item else {
        return None;
    };
    let [table] = tables.as_slice() else {
        return None;
    };
    let src = Source { file, text: block };
    let (event, problems) = de::Reader::new(&src, Some(currency)).read::<RawEvent>(table);
    event.filter(|_| problems.is_empty())
}

/// Reads a week file.
pub fn read_week(cx: &mut Cx<'_>, root: &tree::Table<'_>) -> Option<WeekFile> {
    cx.read(root, |w: WeekFileData| Ok(WeekFile::from(w)))
}

/// A UTC instant as a native TOML datetime.
pub fn datetime(t: Instant) -> toml_edit::Datetime {
    let nanos = t.nanosecond();
    toml_edit::Datetime {
        date: Some(toml_edit::Date {
            year: t.year() as u16,
            month: t.month() as u8,
            day: t.day() as u8,
        }),
        time: Some(toml_edit::Time {
            hour: t.hour() as u8,
            minute: t.minute() as u8,
            second: Some(t.second() as u8),
            nanosecond: (nanos != 0).then_some(nanos),
        }),
        offset: Some(toml_edit::Offset::Z),
    }
}

/// `ledger.toml` in canonical form.
pub fn write_settings(s: &Settings) -> Result<Table, ser::Error> {
    ser::to_table(&SettingsFile::from(s), &s.currency)
}

/// A contract file in canonical form.
pub fn write_contract(c: &Contract, cur: &Currency) -> Result<Table, ser::Error> {
    ser::to_table(&ContractFile::from(c), cur)
}

/// A week file in canonical form.
pub fn write_week(wf: &WeekFile, cur: &Currency) -> Result<Table, ser::Error> {
    ser::to_table(&WeekFileData::from(wf), cur)
}

#[cfg(test)]
mod tests;
