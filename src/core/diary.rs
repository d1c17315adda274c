//! The work diary's data: one contract's entries in one billing week.

use super::model::{ContractId, Instant};
use super::week::Week;

/// One interval of work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable within its week file, e.g. `2026W47-3`.
    pub id: String,
    /// When work started.
    pub start: Instant,
    /// When it stopped; `None` while a timer runs.
    pub end: Option<Instant>,
    /// What was done.
    pub memo: String,
    /// Logged after the fact (needs the contract's permission) rather than tracked.
    pub manual: bool,
}

impl Entry {
    /// Whole minutes, counting a running entry up to `now`.
    pub fn minutes(&self, now: Instant) -> i64 {
        let end = self.end.unwrap_or(now);
        ((end - self.start).num_seconds().max(0)) / 60
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
}

impl WeekFile {
    /// An empty week.
    pub fn new(contract: ContractId, week: Week) -> WeekFile {
        WeekFile {
            contract,
            week,
            entries: Vec::new(),
        }
    }

    /// Minutes logged, counting running entries up to `now`.
    pub fn minutes(&self, now: Instant) -> i64 {
        self.entries.iter().map(|e| e.minutes(now)).sum()
    }

    /// The running entry, if any.
    pub fn running(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.end.is_none())
    }
}
