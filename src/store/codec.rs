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
use crate::core::model::{Contract, Instant};
use crate::core::money::Currency;
use crate::core::schema::{ContractFile, Party, SettingsFile, WeekFileData};
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
