//! `diary import`: intervals from another tracker into one contract's
//! diary, each admitted through the one rule of [`super::admit`] — the same
//! door as `log` — all or nothing.

use super::billing::counting_until;
use super::entries::{Door, admit, refuse_before_latest};
use super::week_file::*;
use crate::core::error::{ImportProblem, ImportWhy, Refusal, RuleError, refused};
use crate::core::model::*;
use crate::core::week::Week;
use std::collections::{BTreeMap, HashSet};

/// One interval of an export, read by the shell.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Its place in the export (ties keep this order).
    pub n: usize,
    /// How a message names it.
    pub label: String,
    /// Start.
    pub start: Instant,
    /// End.
    pub end: Instant,
    /// The memo the entry gets.
    pub memo: String,
    /// Its identity in its source: the source and a stable id where the
    /// format has one, else its span with its tags and description — never
    /// the span alone. Kept with the entry ([`Entry::origin`]).
    pub origin: String,
    /// The identity an earlier version recorded for it (the span alone),
    /// recognised only in the contract it names.
    pub legacy: Option<String>,
}

/// What an import did to one contract, or would have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Entries added.
    pub added: usize,
    /// Intervals already in the ledger (imported before, to any contract).
    pub present: usize,
    /// Why intervals were refused, each naming the interval.
    pub problems: Vec<ImportProblem>,
}

/// Refuses the import if any interval was refused: all or nothing.
pub fn refuse_any(problems: Vec<ImportProblem>) -> Result<(), RuleError> {
    if problems.is_empty() {
        return Ok(());
    }
    refused(Refusal::Import { problems })
}

/// Only the freelancer imports time.
pub fn may_import(role: Role) -> Result<(), RuleError> {
    if role != Role::Freelancer {
        return refused(Refusal::NotTheParty {
            need: Role::Freelancer,
            name: None,
            doing: "imports time".into(),
            id: None,
        });
    }
    Ok(())
}

/// Imports `ivs` into `c`'s diary: `weeks` holds the contract's week files
/// of each interval's week and the weeks beside it (empty where there is no
/// file) and receives the new entries; `recent` are the entries of its
/// weeks near `now` (for the ledger's clock); `known` are the identities of
/// the entries the ledger held before the import, in every contract.
/// `history` is `--history`. Each interval is admitted as `diary log`
/// admits one, except that it is never a timer.
#[allow(clippy::too_many_arguments)]
pub fn import(
    c: &Contract,
    role: Role,
    weeks: &mut BTreeMap<Week, WeekFile>,
    recent: &[Entry],
    known: &HashSet<String>,
    mut ivs: Vec<Interval>,
    history: bool,
    now: Instant,
) -> Result<Imported, RuleError> {
    may_import(role)?;
    ivs.sort_by_key(|iv| (iv.start, iv.end, iv.n));
    let before = weeks.clone();
    // The clock rule holds for a change: told once, and only if something
    // would be added (a re-import that adds nothing changes nothing).
    let clock = refuse_before_latest(c, recent, now).err();
    let mut clock_told = false;
    let mut out = Imported::default();
    let mut added_here: HashSet<(&str, Instant, Instant)> = HashSet::new();
    let mut next: BTreeMap<Week, u64> = BTreeMap::new();
    let mut prev: Option<&Interval> = None;
    for iv in &ivs {
        let week = Week::of(iv.start);
        let near = [week.prev(), week, week.next()];
        let legacy = |e: &Entry| match &e.origin {
            Some(o) => Some(o) == iv.legacy.as_ref(),
            // Imported before entries kept their origin.
            None => e.end == Some(iv.end),
        };
        if known.contains(&iv.origin)
            || added_here.contains(&(iv.origin.as_str(), iv.start, iv.end))
            || before
                .get(&week)
                .is_some_and(|wf| starting_at(wf, iv.start).any(legacy))
        {
            out.present += 1;
            prev = Some(iv);
            continue;
        }
        let is_history = match admit(c, Door::Import { history }, iv.start, Some(iv.end), now) {
            Ok(h) => h,
            Err(why) => {
                out.problems.push(ImportProblem {
                    interval: Some(iv.label.clone()),
                    why: match why {
                        RuleError::Refused(r) => ImportWhy::Rule(Box::new(r)),
                        other => return Err(other),
                    },
                });
                continue;
            }
        };
        if let Some(p) = prev
            && p.end > iv.start
        {
            out.problems.push(ImportProblem {
                interval: Some(iv.label.clone()),
                why: ImportWhy::OverlapsInExport {
                    other: p.label.clone(),
                },
            });
            continue;
        }
        if let Some(e) = near
            .iter()
            .filter_map(|w| weeks.get(w))
            .find_map(|wf| overlapping(c, wf, iv.start, iv.end, now))
        {
            let in_diary = before
                .get(&Week::of(e.start))
                .is_some_and(|wf| wf.entries.iter().any(|x| x.id == e.id));
            let why = if in_diary {
                ImportWhy::OverlapsEntry {
                    entry: entry_ref(&c.id, &e.id),
                }
            } else {
                // Added by this import: name the interval it came from.
                let from = ivs
                    .iter()
                    .find(|x| e.origin.as_deref() == Some(x.origin.as_str()))
                    .map_or("another interval", |x| x.label.as_str());
                ImportWhy::OverlapsInExport {
                    other: from.to_string(),
                }
            };
            out.problems.push(ImportProblem {
                interval: Some(iv.label.clone()),
                why,
            });
            continue;
        }
        if let Some(why) = &clock {
            if !clock_told {
                out.problems.push(ImportProblem {
                    interval: None,
                    why: match why {
                        RuleError::Refused(r) => ImportWhy::Rule(Box::new(r.clone())),
                        other => return Err(other.clone()),
                    },
                });
                clock_told = true;
            }
            continue;
        }
        let Some(wf) = weeks.get_mut(&week) else {
            continue;
        };
        // Numbers given out in order, the highest found once per week (a
        // scan per entry made a large import quadratic).
        let n = next.entry(week).or_insert_with(|| wf.highest());
        *n += 1;
        let entry = Entry {
            id: wf.id_of(*n),
            start: iv.start,
            end: Some(iv.end),
            memo: iv.memo.clone(),
            manual: true,
            origin: Some(iv.origin.clone()),
            history: is_history,
            at: Some(now),
        };
        wf.insert(entry);
        added_here.insert((iv.origin.as_str(), iv.start, iv.end));
        out.added += 1;
        prev = Some(iv);
    }
    Ok(out)
}

/// The entries of `wf` that start at `at` (found by bisection: entries are
/// sorted by start).
fn starting_at(wf: &WeekFile, at: Instant) -> impl Iterator<Item = &Entry> {
    let from = wf.entries.partition_point(|e| e.start < at);
    wf.entries[from..].iter().take_while(move |e| e.start == at)
}

/// The entry of `wf` that [start, end) overlaps, if any. Entries of one
/// contract never overlap each other, so, sorted by start, their ends are
/// sorted too: only the last one starting before `end` can reach past
/// `start` (found by bisection, so an import stays linear in its size).
fn overlapping<'w>(
    c: &Contract,
    wf: &'w WeekFile,
    start: Instant,
    end: Instant,
    now: Instant,
) -> Option<&'w Entry> {
    let idx = wf.entries.partition_point(|e| e.start < end);
    let e = wf.entries[..idx].last()?;
    // A running timer counts up to now, or to its week's close.
    let until = e.end_or(counting_until(c, Week::of(e.start), now));
    (until > start).then_some(e)
}
