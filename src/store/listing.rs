//! Which week files exist, as this command has listed them: `diary/` once,
//! each week's directory at most once. A command asks "which weeks of this
//! contract have a file" without probing for files that do not exist
//! (SPEC §6): a week directory is listed once and serves every contract
//! the command asks about.
//!
//! The listings are the files' own directories, read under the command's
//! lock, so they cannot disagree with the files; they live as long as the
//! command's [`super::Store`]. Whoever changes the work tree behind the
//! store's back (git, for `sync`) says so ([`super::Store::took`]), and
//! the listings are read again.
//!
//! `diary/`'s own list of weeks is taken from the derived index's diary
//! section where it has `diary/` with the same stat (and not as new as the
//! index): a week directory added or removed changes that stat. `sweep`
//! lists it anyway, removing crashed writers' temp files.
//!
//! A question about many weeks (a contract idle for years, `sweep`'s
//! cleaning) takes a week's names from the derived index
//! ([`super::index`]) instead, where the index has the week directory with
//! the same stat (and is not as new as the index): listing it again would
//! give the same names. Every week listed or so confirmed is recorded for
//! the index's next version.

use super::index::{self, Stat};
use crate::core::model::ContractId;
use crate::core::week::Week;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, Mode, OFlags, RawDir};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

/// The week directories of `diary/` and, for those listed so far, the
/// names (without `.toml`) of the files in each, sorted.
#[derive(Debug, Default)]
pub(super) struct Listing {
    // `diary/`, open: each week is opened relative to it (a shorter walk).
    dir: Option<OwnedFd>,
    weeks: BTreeMap<Week, Option<Vec<Box<str>>>>,
    // `diary/` listed anew: its stat before, and its weeks (for the index).
    pub(super) diary: Option<(Stat, Vec<Week>)>,
    // Once every week is listed (a question spanning many weeks): each
    // name's weeks, oldest first, so that asking about 500 contracts each
    // idle for years costs a look-up each, not a search per idle week.
    by_name: Option<std::collections::HashMap<Box<str>, Vec<Week>>>,
    // How many weeks are listed so far.
    listed: usize,
    // The derived index's weeks, loaded when a question spans many weeks.
    snap: Snap,
    // The weeks listed (or confirmed from the index) by this command, with
    // their directory's stat and whether they held a temp file: what the
    // index records next.
    pub(super) seen: BTreeMap<Week, (Stat, bool)>,
    // Whether a week was listed anew (the index is worth writing again).
    pub(super) relisted: bool,
    // How many week directories were listed anew.
    pub(super) relisted_weeks: usize,
    // Whether listing removes a crashed writer's temp files.
    clean: bool,
    // Whether the command asks about every contract (`list`, `sweep`):
    // only then do the index's weeks pay for their loading.
    many: bool,
}

/// The index's weeks: where to load them from, or as loaded.
#[derive(Debug, Default)]
pub(super) enum Snap {
    /// No index for this ledger.
    #[default]
    Off,
    /// Not loaded yet: the index file and its key.
    Unloaded(std::path::PathBuf, u64),
    /// Loaded (`None`: missing or unusable).
    Loaded(Option<index::Weeks>),
}

/// A question about more weeks than this, once half of all are listed,
/// lists them all, and answers from each contract's own weeks from then on.
const MANY_WEEKS: usize = 12;

/// Listing one week's directory costs about as much as loading this many
/// bytes of the index's weeks (measured: a megabyte, 0.75 ms; a week of
/// 50 files, 20 µs).
const LISTING_AS_BYTES: u64 = 32 * 1024;

/// Opens the directory `name` relative to `at`: `Ok(None)` if absent.
fn open_dir<Fd: AsFd>(at: Fd, name: &Path) -> io::Result<Option<OwnedFd>> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    match rustix::fs::openat(at, name, flags, Mode::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(rustix::io::Errno::NOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Calls `each` with the name of every entry of the open directory `fd`
/// (not `.`, `..` nor hidden files). With `clean`, a crashed writer's temp
/// files are removed on the way (only under the exclusive lock: no live
/// writer owns them then).
/// Returns whether a temp file was there, and whether one was removed.
fn each_name(fd: OwnedFd, clean: bool, mut each: impl FnMut(&str)) -> io::Result<(bool, bool)> {
    let temp = super::atomic::TEMP_PREFIX.as_bytes();
    // One buffer for the whole directory: a week's is read by one call.
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut dir = RawDir::new(&fd, buf.spare_capacity_mut());
    let mut doomed = Vec::new();
    let mut temps = false;
    while let Some(e) = dir.next() {
        let e = e?;
        let name = e.file_name().to_bytes();
        if name.starts_with(temp) {
            temps = true;
            if clean {
                doomed.push(e.file_name().to_owned());
            }
        }
        if name.starts_with(b".") {
            continue;
        }
        if let Ok(n) = std::str::from_utf8(name) {
            each(n);
        }
    }
    let removed = !doomed.is_empty();
    for name in doomed {
        let _ = rustix::fs::unlinkat(&fd, name.as_c_str(), AtFlags::empty());
    }
    Ok((temps, removed))
}

/// The names of a week directory's files, `.toml` cut, sorted; whether a
/// temp file was there, and whether one was removed.
fn stems(fd: OwnedFd, clean: bool) -> io::Result<(Vec<Box<str>>, bool, bool)> {
    let mut out = Vec::new();
    let (temps, removed) = each_name(fd, clean, |n| {
        if let Some(stem) = n.strip_suffix(".toml") {
            out.push(stem.into());
        }
    })?;
    out.sort_unstable();
    Ok((out, temps, removed))
}

impl Listing {
    /// Lists `diary` (the ledger's `diary/`): its week directories, named
    /// as this program names them (anything else is `check`'s to report).
    /// `snap`: where the index's weeks are, for questions about many weeks.
    pub(super) fn read(diary: &Path, snap: Snap) -> io::Result<Listing> {
        Self::read_with(diary, false, snap)
    }

    /// Lists `diary` and every week directory in it, removing a crashed
    /// writer's temp files from each on the way (`sweep`, which reads
    /// every contract anyway, under the exclusive lock). A week the index
    /// has unchanged, without a temp file, is not listed again.
    pub(super) fn read_all_cleaning(diary: &Path, snap: Snap) -> io::Result<Listing> {
        Self::read_with(diary, true, snap)
    }

    fn read_with(diary: &Path, all: bool, snap: Snap) -> io::Result<Listing> {
        let Some(dir) = open_dir(CWD, diary)? else {
            return Ok(Listing {
                snap,
                ..Listing::default()
            });
        };
        // The week directories as the index has them, where `diary/` is
        // as it was (`sweep` lists it, cleaning).
        let stat = Stat::of_fd(&dir).ok();
        let known = match (&snap, stat) {
            (Snap::Unloaded(path, key), Some(stat)) => index::IndexFile::open(path, *key)
                .and_then(|f| f.load(index::Section::Diary))
                .and_then(|l| index::read_diary(&l, &stat)),
            _ => None,
        };
        if !all && let Some(known) = known {
            return Ok(Listing {
                dir: Some(dir),
                weeks: known.into_iter().map(|w| (w, None)).collect(),
                snap,
                ..Listing::default()
            });
        }
        let mut names = Vec::new();
        each_name(dir.try_clone()?, all, |n| names.push(n.to_string()))?;
        let mut weeks = BTreeMap::new();
        for n in names {
            match n.parse::<Week>().ok().filter(|w| w.to_string() == n) {
                Some(w) => {
                    weeks.insert(w, None);
                }
                // Not a week's directory: only its temp files go.
                None if all => {
                    if let Ok(Some(fd)) = open_dir(&dir, Path::new(&n)) {
                        let _ = each_name(fd, true, |_| {});
                    }
                }
                None => {}
            }
        }
        // (Recorded for the index unless it has them so.)
        let listed = stat
            .map(|s| (s, weeks.keys().copied().collect::<Vec<Week>>()))
            .filter(|(_, listed)| known.as_ref() != Some(listed));
        let mut l = Listing {
            dir: Some(dir),
            weeks,
            diary: listed,
            by_name: None,
            listed: 0,
            snap,
            seen: BTreeMap::new(),
            relisted: false,
            relisted_weeks: 0,
            clean: all,
            many: all,
        };
        if all {
            let all: Vec<Week> = l.weeks.keys().copied().collect();
            // Each week directory's stat, taken while the index is read.
            let dir = l.dir.take();
            let stats = Stat::at_each(
                dir.as_ref(),
                &all,
                |w, name| w.push_name(name),
                || l.load_snapshot(),
            );
            l.dir = dir;
            for (w, now) in all.into_iter().zip(stats) {
                // Unchanged since the index, without a temp file: nothing to
                // clean, its names read from the index if asked for.
                if let Some((stat, temps)) = now.and_then(|now| l.confirmed_as(w, now)) {
                    l.seen.insert(w, (stat, temps));
                    continue;
                }
                // Not a directory after all: asked again, and refused, if a
                // command needs that week.
                if l.stems(w).is_err() {
                    l.weeks.insert(w, None);
                }
            }
        }
        Ok(l)
    }

    /// Says that the command asks about every contract: the index's weeks
    /// it confirms or lists are written to the next index. (A command
    /// about one contract also answers a question about many weeks from
    /// the index, but never writes it again.)
    pub(super) fn for_many(&mut self) {
        self.many = true;
    }

    /// Loads the index's weeks, if there is an index and they were not
    /// loaded yet.
    fn load_snapshot(&mut self) {
        if let Snap::Unloaded(path, key) = &self.snap {
            let weeks = index::IndexFile::open(path, *key)
                .and_then(|f| f.load(index::Section::Weeks))
                .and_then(index::Weeks::read);
            self.snap = Snap::Loaded(weeks);
        }
    }

    /// Whether loading the index's weeks costs less than listing `weeks`
    /// week directories (or they are loaded already): at 5,000 contracts
    /// the section is a megabyte, as much as listing some 30 weeks.
    fn snapshot_pays(&self, weeks: usize) -> bool {
        match &self.snap {
            Snap::Off => false,
            Snap::Loaded(_) => true,
            // Missing: loaded (as missing), so that the command records it.
            Snap::Unloaded(path, _) => {
                std::fs::metadata(path.join(index::Section::Weeks.file_name()))
                    .ok()
                    .is_none_or(|m| m.len() <= (weeks as u64).saturating_mul(LISTING_AS_BYTES))
            }
        }
    }

    /// The index's weeks, if loaded and usable.
    pub(super) fn snapshot(&self) -> Option<&index::Weeks> {
        match &self.snap {
            Snap::Loaded(w) => w.as_ref(),
            _ => None,
        }
    }

    /// Whether the index's weeks were asked for (so its next version
    /// should record this command's).
    pub(super) fn snapshot_wanted(&self) -> bool {
        // A command about one contract reads it, never writes it again: a
        // writer (`end`) must not pay for the whole index.
        self.many && matches!(self.snap, Snap::Loaded(_))
    }

    /// The week directories `diary/` has now, with their names if listed.
    pub(super) fn weeks(&self) -> impl Iterator<Item = (Week, Option<&[Box<str>]>)> {
        self.weeks.iter().map(|(w, s)| (*w, s.as_deref()))
    }

    /// Whether the index has `week`'s directory unchanged (and, when
    /// cleaning, without a temp file): its stat and temp flag.
    fn confirmed(&self, week: Week) -> Option<(Stat, bool)> {
        // (No stat for a week the index does not have.)
        self.snapshot()?.entry(week)?;
        let now = Stat::at(self.dir.as_ref()?, week.to_string()).ok()?;
        self.confirmed_as(week, now)
    }

    /// [`Listing::confirmed`] of a directory whose stat is `now`.
    fn confirmed_as(&self, week: Week, now: Stat) -> Option<(Stat, bool)> {
        let snap = self.snapshot()?;
        let e = snap.entry(week)?;
        if self.clean && e.temps {
            return None;
        }
        index::fresh(&e.stat, &now, snap.threshold).then_some((e.stat, e.temps))
    }

    /// `week`'s names from the index, if it has the directory unchanged
    /// (confirmed once per command).
    fn named_by_index(&self, week: Week) -> Option<(Vec<Box<str>>, Stat, bool)> {
        let (stat, temps) = match self.seen.get(&week) {
            Some(seen) => *seen,
            None => self.confirmed(week)?,
        };
        let snap = self.snapshot()?;
        let e = snap.entry(week).filter(|e| e.stat == stat)?;
        Some((snap.names(e)?, stat, temps))
    }

    /// Whether `id` has a file in `week`, from the index if it has the
    /// directory unchanged (its stat confirmed once per command), without
    /// listing it or making its names.
    fn has_by_index(&mut self, week: Week, id: &ContractId) -> Option<bool> {
        let (stat, temps) = match self.seen.get(&week) {
            Some(seen) => *seen,
            None => self.confirmed(week)?,
        };
        let snap = self.snapshot()?;
        let e = snap.entry(week).filter(|e| e.stat == stat)?;
        let found = snap.contains(e, id.as_str())?;
        self.seen.insert(week, (stat, temps));
        Some(found)
    }

    /// The names of the files in `week` (sorted, `.toml` cut), its
    /// directory listed the first time it is asked for.
    fn stems(&mut self, week: Week) -> io::Result<&[Box<str>]> {
        if self.weeks.get(&week).is_some_and(Option::is_none) {
            let names = match self.named_by_index(week) {
                Some((names, stat, temps)) => {
                    self.seen.insert(week, (stat, temps));
                    names
                }
                None => self.list(week)?,
            };
            self.weeks.insert(week, Some(names));
            self.listed += 1;
        }
        Ok(self
            .weeks
            .get(&week)
            .and_then(|s| s.as_deref())
            .unwrap_or(&[]))
    }

    /// Lists `week`'s directory, recording its stat as it was before.
    fn list(&mut self, week: Week) -> io::Result<Vec<Box<str>>> {
        let fd = match &self.dir {
            Some(dir) => open_dir(dir, Path::new(&week.to_string()))?,
            None => None,
        };
        let Some(fd) = fd else {
            return Ok(Vec::new());
        };
        let stat = Stat::of_fd(&fd).ok();
        let (names, temps, removed) = stems(fd, self.clean)?;
        // A directory a temp file was removed from has changed since its
        // stat: the index learns it next time.
        if let (Some(stat), false) = (stat, removed) {
            self.seen.insert(week, (stat, temps));
        }
        self.relisted = true;
        self.relisted_weeks += 1;
        Ok(names)
    }

    /// The contracts with a file in `week`, sorted.
    pub(super) fn contracts(&mut self, week: Week) -> io::Result<Vec<ContractId>> {
        let mut ids: Vec<ContractId> = self
            .stems(week)?
            .iter()
            .filter_map(|s| ContractId::parse(s).ok())
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// Whether `id` has a file in `week`.
    pub(super) fn has(&mut self, week: Week, id: &ContractId) -> io::Result<bool> {
        // (A command about every contract lists or takes each week's names
        // once, and then each name's weeks: a scan per question would be
        // 500 contracts times every idle week.)
        if !self.many
            && self.weeks.get(&week).is_some_and(Option::is_none)
            && let Some(found) = self.has_by_index(week, id)
        {
            return Ok(found);
        }
        let stems = self.stems(week)?;
        Ok(stems.binary_search_by(|s| (**s).cmp(id.as_str())).is_ok())
    }

    /// The weeks from `first` on (to `last`, if given) in which `id` has a
    /// file, oldest first: only the weeks that have a directory are looked
    /// at. A week whose directory cannot be listed holds nothing here;
    /// reading that week (a command that needs it) reports why.
    pub(super) fn weeks_of(
        &mut self,
        id: &ContractId,
        first: Week,
        last: Option<Week>,
    ) -> Vec<Week> {
        use std::ops::Bound::{Included, Unbounded};
        if last.is_some_and(|l| l < first) {
            return Vec::new();
        }
        let range = (Included(first), last.map_or(Unbounded, Included));
        let weeks: Vec<Week> = self.weeks.range(range).map(|(w, _)| *w).collect();
        // Once half the weeks are listed anyway (contracts idle for years,
        // or many asked about), listing the rest and keeping each name's
        // weeks costs less than looking week by week; a question about a
        // few recent weeks of a long diary lists only those.
        // Also for one contract idle for years: a stat of each idle week's
        // directory, not a listing of it.
        if weeks.len() > MANY_WEEKS && self.snapshot_pays(weeks.len()) {
            self.load_snapshot();
        }
        if self.by_name.is_none() && weeks.len() > MANY_WEEKS && 2 * self.listed >= self.weeks.len()
        {
            self.index_names();
        }
        if let Some(by_name) = &self.by_name {
            let mine = by_name.get(id.as_str()).map_or(&[][..], Vec::as_slice);
            let from = mine.partition_point(|w| *w < first);
            return mine[from..]
                .iter()
                .take_while(|w| last.is_none_or(|l| **w <= l))
                .copied()
                .collect();
        }
        weeks
            .into_iter()
            .filter(|w| self.has(*w, id).unwrap_or(false))
            .collect()
    }

    /// Lists every week not listed yet, and keeps each name's weeks.
    fn index_names(&mut self) {
        let all: Vec<Week> = self.weeks.keys().copied().collect();
        let mut by_name: std::collections::HashMap<Box<str>, Vec<Week>> = Default::default();
        for w in all {
            // A week that cannot be listed holds nothing here (as above).
            if let Ok(stems) = self.stems(w) {
                for s in stems {
                    by_name.entry(s.clone()).or_default().push(w);
                }
            }
        }
        self.by_name = Some(by_name);
    }

    /// The week directories of `table`'s spans (the dues section's) that
    /// may differ from those of its table: not in it (or too new there to
    /// trust), with another stat now (as this command listed or confirmed
    /// it, or taken now), or gone. Sorted.
    pub(super) fn changed_since(&mut self, table: &index::Dues) -> Vec<Week> {
        use std::ops::Bound::{Included, Unbounded};
        let mut out = Vec::new();
        for span in &table.spans {
            let range = (Included(span.first), span.last.map_or(Unbounded, Included));
            for week in self.weeks.range(range).map(|(w, _)| *w) {
                let now = match self.seen.get(&week) {
                    Some((stat, _)) => Some(*stat),
                    None => self
                        .dir
                        .as_ref()
                        .and_then(|d| Stat::at(d, week.to_string()).ok()),
                };
                if now.is_none() || table.week(week) != now {
                    out.push(week);
                }
            }
        }
        for (week, _) in &table.weeks {
            if !self.weeks.contains_key(week) {
                out.push(*week);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether `id` has no file in any week of `changed` from `first` to
    /// `last` (`None`: on), each such week's directory listed (once per
    /// command) or its names taken from the index where it stands. `false`
    /// if one cannot be listed.
    pub(super) fn none_in(
        &mut self,
        id: &ContractId,
        first: Week,
        last: Option<Week>,
        changed: &[Week],
    ) -> bool {
        let from = changed.partition_point(|w| *w < first);
        changed[from..]
            .iter()
            .take_while(|w| last.is_none_or(|l| **w <= l))
            .all(|w| self.has(*w, id).is_ok_and(|has| !has))
    }

    /// The week directories of `spans` as this command listed or
    /// confirmed them, each with the stat its names came from, when that
    /// is older than `threshold`: the table a dues section records.
    pub(super) fn table_of(&self, spans: &[index::WeekDeps], threshold: i64) -> Vec<(Week, Stat)> {
        use std::ops::Bound::{Included, Unbounded};
        let mut out = Vec::new();
        for span in spans {
            let range = (Included(span.first), span.last.map_or(Unbounded, Included));
            for (w, _) in self.weeks.range(range) {
                if let Some((stat, _)) = self.seen.get(w)
                    && index::older(stat.mtime, threshold)
                {
                    out.push((*w, *stat));
                }
            }
        }
        out
    }

    /// Records a week file this command created.
    pub(super) fn created(&mut self, week: Week, id: &ContractId) {
        // Its directory changed: not recorded as listed.
        self.seen.remove(&week);
        // A week new to the listing: its directory is this command's.
        if let Some(stems) = self.weeks.entry(week).or_insert_with(|| Some(Vec::new()))
            && let Err(at) = stems.binary_search_by(|s| (**s).cmp(id.as_str()))
        {
            stems.insert(at, id.as_str().into());
        }
        if let Some(weeks) = self
            .by_name
            .as_mut()
            .map(|m| m.entry(id.as_str().into()).or_default())
            && let Err(at) = weeks.binary_search(&week)
        {
            weeks.insert(at, week);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Listing, MANY_WEEKS};
    use crate::core::model::ContractId;
    use crate::core::week::Week;
    use std::fs;

    #[test]
    fn a_contracts_weeks_are_the_same_asked_week_by_week_or_all_at_once() {
        let d = tempfile::tempdir().expect("temp dir");
        let diary = d.path().join("diary");
        let first: Week = "2026-W01".parse().expect("week");
        let mut w = first;
        let mut weeks = Vec::new();
        for i in 0..(2 * MANY_WEEKS) {
            let dir = diary.join(w.to_string());
            fs::create_dir_all(&dir).expect("mkdir");
            fs::write(dir.join("c2.toml"), "").expect("write");
            if i % 5 == 0 {
                fs::write(dir.join("c1.toml"), "").expect("write");
                weeks.push(w);
            }
            w = w.next();
        }
        let c1 = ContractId::parse("c1").expect("id");
        let (a, b) = (weeks[1], weeks[3]);
        // A few weeks: each asked; many: every week listed once, then
        // each contract's own weeks.
        let mut l = Listing::read(&diary, super::Snap::Off).expect("list");
        assert_eq!(l.weeks_of(&c1, a, Some(b)), weeks[1..=3]);
        assert!(l.by_name.is_none());
        assert_eq!(l.weeks_of(&c1, first, None), weeks);
        // Listed week by week, as half were not listed yet; now all are.
        assert!(l.by_name.is_none());
        assert_eq!(l.weeks_of(&c1, first, None), weeks);
        assert!(l.by_name.is_some());
        assert_eq!(l.weeks_of(&c1, a, Some(b)), weeks[1..=3]);
        assert_eq!(l.weeks_of(&c1, b, Some(a)), Vec::<Week>::new());
        // A file this command creates is known to both.
        let late = w.next().next();
        l.created(late, &c1);
        assert!(l.has(late, &c1).expect("has"));
        assert_eq!(l.weeks_of(&c1, w, None), [late]);
        // No diary at all: no weeks.
        let mut none = Listing::read(&d.path().join("nothing"), super::Snap::Off).expect("list");
        assert!(none.weeks_of(&c1, first, None).is_empty());
        none.created(first, &c1);
        assert!(none.has(first, &c1).expect("has"));
    }
}
