//! A contract's entries in one billing week, and the names of entries.

use crate::core::model::*;
use crate::core::week::Week;

/// The longest an entry may last.
pub const MAX_ENTRY: chrono::Duration = chrono::Duration::days(7);

/// One interval of work.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    /// Stable within its week file, e.g. `2026W47-3`.
    pub id: String,
    /// When work started.
    #[serde(with = "crate::core::model::instant_serde")]
    pub start: Instant,
    /// When it stopped; `None` while a timer runs.
    #[serde(default, with = "crate::core::model::instant_serde::opt")]
    pub end: Option<Instant>,
    /// What was done.
    #[serde(default)]
    pub memo: String,
    /// Logged after the fact (needs the contract's permission) rather than tracked.
    #[serde(default)]
    pub manual: bool,
    /// Where an import found it: the tracker and the interval as it was
    /// there (`timew 20261118T130000Z 20261118T133000Z`, `watson 3f2a9c1`).
    /// An edit keeps it, so re-importing the same export knows the entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Moved over from another tracker into a week already past review
    /// (`diary import --history`): shown and counted in hours, never billed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
    /// The instant of the operation that made it or last changed it (log,
    /// start, stop, edit, import; a pause or end that stopped its timer).
    /// Absent in files written before operations were recorded.
    #[serde(
        default,
        with = "crate::core::model::instant_serde::opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub at: Option<Instant>,
}

/// The record an entry's removal leaves (`diary rm`): so that a merge or a
/// re-import of the same interval cannot bring it back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Removed {
    /// The entry's id.
    pub id: String,
    /// When it was removed.
    #[serde(with = "crate::core::model::instant_serde")]
    pub at: Instant,
    /// Its origin, if it was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Entry {
    /// Seconds worked, counting a running entry up to `until`.
    pub fn seconds(&self, until: Instant) -> i64 {
        (self.end_or(until) - self.start).num_seconds().max(0)
    }

    /// Whole minutes of [`Entry::seconds`], rounded down: for display only.
    pub fn minutes(&self, until: Instant) -> i64 {
        self.seconds(until) / 60
    }

    /// The end, or while running `until` — at most 7 days after the start
    /// (an entry lasts at most 7 days, a timer left running too).
    pub fn end_or(&self, until: Instant) -> Instant {
        self.end
            .unwrap_or_else(|| until.max(self.start).min(self.start + MAX_ENTRY))
    }
}

/// The entries of one contract in one week, sorted by start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekFile {
    /// The contract.
    pub contract: ContractId,
    /// The billing week (entries start in it).
    pub week: Week,
    /// Entries, sorted by start.
    pub entries: Vec<Entry>,
    /// The highest entry number ever given out here, so that a deleted
    /// entry's id is never reused.
    pub last_number: u64,
    /// Entries a merge of two clones set aside (they overlapped another, or
    /// lay after the end, once merged): kept, never counted.
    pub aside: Vec<Aside>,
    /// Entries removed, by `diary rm`: their ids are never given out again.
    pub removed: Vec<Removed>,
}

/// An entry set aside by a merge, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aside {
    /// The entry as it was logged.
    pub entry: Entry,
    /// Why it was set aside.
    pub why: String,
}

impl WeekFile {
    /// An empty week.
    pub fn new(contract: ContractId, week: Week) -> WeekFile {
        WeekFile {
            contract,
            week,
            entries: Vec::new(),
            last_number: 0,
            aside: Vec::new(),
            removed: Vec::new(),
        }
    }

    /// Seconds logged, counting running entries up to `now`.
    pub fn seconds(&self, now: Instant) -> i64 {
        self.entries.iter().map(|e| e.seconds(now)).sum()
    }

    /// The running entry, if any.
    pub fn running(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.end.is_none())
    }

    /// The highest entry number in use or ever given out here.
    pub(crate) fn highest(&self) -> u64 {
        self.known_highest().max(self.last_number)
    }

    /// The highest number the file shows given out: its entries', those
    /// set aside, and those removed.
    fn known_highest(&self) -> u64 {
        self.entries
            .iter()
            .map(|e| e.id.as_str())
            .chain(self.aside.iter().map(|a| a.entry.id.as_str()))
            .chain(self.removed.iter().map(|r| r.id.as_str()))
            .filter_map(|id| id.rsplit_once('-')?.1.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
    }

    /// The highest number given out, when it is above every one the file
    /// shows otherwise (after the newest entries were deleted): only then
    /// is it worth writing down, so a week reads and writes the same
    /// whichever way it was made.
    pub fn deleted_beyond(&self) -> Option<u64> {
        (self.last_number > self.known_highest()).then_some(self.last_number)
    }

    /// The id a new entry gets: never one given out before.
    pub fn next_id(&self) -> String {
        self.id_of(self.highest().saturating_add(1))
    }

    /// The id of this week's entry number `n` (`2026W47-3`).
    pub fn id_of(&self, n: u64) -> String {
        format!("{}-{n}", self.week.to_string().replace('-', ""))
    }

    /// Adds an entry, keeping the order by start and the id counter (in
    /// constant time for an entry that starts last, as an import's do).
    pub fn insert(&mut self, e: Entry) {
        if let Some(n) =
            e.id.rsplit_once('-')
                .and_then(|(_, n)| n.parse::<u64>().ok())
        {
            self.last_number = self.last_number.max(n);
        }
        let at = self.entries.partition_point(|x| x.start <= e.start);
        self.entries.insert(at, e);
    }
}

/// The global name of an entry: `c7/2026W47-3`.
pub fn entry_ref(contract: &ContractId, local: &str) -> String {
    format!("{contract}/{local}")
}

/// Splits `c7/2026W47-3` into the contract, the week and the local id.
pub fn parse_entry_ref(s: &str) -> Result<(ContractId, Week, String), String> {
    let bad = || {
        format!(
            "`{}` is not an entry: entries are named like c7/2026W47-3 (see `contracts diary show`)",
            s.escape_default()
        )
    };
    let (c, local) = s.split_once('/').ok_or_else(bad)?;
    let id = ContractId::parse(c)?;
    let (yw, n) = local.rsplit_once('-').ok_or_else(bad)?;
    n.parse::<u64>().map_err(|_| bad())?;
    let (y, w) = yw.split_once('W').ok_or_else(bad)?;
    let week: Week = format!("{y}-W{w}").parse().map_err(|_| bad())?;
    Ok((id, week, local.to_string()))
}

/// The weekly limit (hours) that governs `week`: the initial limit, or the
/// last change that took effect before the week ended.
pub fn limit_for(c: &Contract, week: Week) -> Option<u32> {
    match &c.terms {
        Terms::Hourly {
            weekly_limit,
            limit_changes,
            ..
        } => limit_changes
            .iter()
            .rev()
            .find(|l| l.from < week.end())
            .map_or(*weekly_limit, |l| l.hours),
        Terms::Fixed { .. } => None,
    }
}
