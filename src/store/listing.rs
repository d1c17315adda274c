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
    // Once every week is listed (a question spanning many weeks): each
    // name's weeks, oldest first, so that asking about 500 contracts each
    // idle for years costs a look-up each, not a search per idle week.
    by_name: Option<std::collections::HashMap<Box<str>, Vec<Week>>>,
    // How many weeks are listed so far.
    listed: usize,
}

/// A question about more weeks than this, once half of all are listed,
/// lists them all, and answers from each contract's own weeks from then on.
const MANY_WEEKS: usize = 12;

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
fn each_name(fd: OwnedFd, clean: bool, mut each: impl FnMut(&str)) -> io::Result<()> {
    let temp = super::atomic::TEMP_PREFIX.as_bytes();
    // One buffer for the whole directory: a week's is read by one call.
    let mut buf = Vec::with_capacity(32 * 1024);
    let mut dir = RawDir::new(&fd, buf.spare_capacity_mut());
    let mut doomed = Vec::new();
    while let Some(e) = dir.next() {
        let e = e?;
        let name = e.file_name().to_bytes();
        if clean && name.starts_with(temp) {
            doomed.push(e.file_name().to_owned());
        }
        if name.starts_with(b".") {
            continue;
        }
        if let Ok(n) = std::str::from_utf8(name) {
            each(n);
        }
    }
    for name in doomed {
        let _ = rustix::fs::unlinkat(&fd, name.as_c_str(), AtFlags::empty());
    }
    Ok(())
}

/// The names of a week directory's files, `.toml` cut, sorted.
fn stems(fd: OwnedFd, clean: bool) -> io::Result<Vec<Box<str>>> {
    let mut out = Vec::new();
    each_name(fd, clean, |n| {
        if let Some(stem) = n.strip_suffix(".toml") {
            out.push(stem.into());
        }
    })?;
    out.sort_unstable();
    Ok(out)
}

impl Listing {
    /// Lists `diary` (the ledger's `diary/`): its week directories, named
    /// as this program names them (anything else is `check`'s to report).
    pub(super) fn read(diary: &Path) -> io::Result<Listing> {
        Self::read_with(diary, false)
    }

    /// Lists `diary` and every week directory in it, removing a crashed
    /// writer's temp files from each on the way (`sweep`, which reads
    /// every contract anyway, under the exclusive lock).
    pub(super) fn read_all_cleaning(diary: &Path) -> io::Result<Listing> {
        Self::read_with(diary, true)
    }

    fn read_with(diary: &Path, all: bool) -> io::Result<Listing> {
        let Some(dir) = open_dir(CWD, diary)? else {
            return Ok(Listing::default());
        };
        let mut names = Vec::new();
        each_name(dir.try_clone()?, all, |n| names.push(n.to_string()))?;
        let mut weeks = BTreeMap::new();
        for n in names {
            let week = n.parse::<Week>().ok().filter(|w| w.to_string() == n);
            match (week, all) {
                (Some(w), false) => {
                    weeks.insert(w, None);
                }
                // Not a directory after all: asked again, and refused, if a
                // command needs that week.
                (Some(w), true) => {
                    let listed = open_dir(&dir, Path::new(&n))
                        .ok()
                        .flatten()
                        .and_then(|fd| stems(fd, true).ok());
                    weeks.insert(w, listed);
                }
                (None, true) => {
                    if let Ok(Some(fd)) = open_dir(&dir, Path::new(&n)) {
                        let _ = each_name(fd, true, |_| {});
                    }
                }
                (None, false) => {}
            }
        }
        Ok(Listing {
            dir: Some(dir),
            listed: weeks.values().filter(|w| w.is_some()).count(),
            weeks,
            by_name: None,
        })
    }

    /// The names of the files in `week` (sorted, `.toml` cut), its
    /// directory listed the first time it is asked for.
    fn stems(&mut self, week: Week) -> io::Result<&[Box<str>]> {
        let Some(slot) = self.weeks.get_mut(&week) else {
            return Ok(&[]);
        };
        if slot.is_none() {
            let fd = match &self.dir {
                Some(dir) => open_dir(dir, Path::new(&week.to_string()))?,
                None => None,
            };
            *slot = Some(match fd {
                Some(fd) => stems(fd, false)?,
                None => Vec::new(),
            });
            self.listed += 1;
        }
        Ok(slot.as_deref().unwrap_or(&[]))
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

    /// Records a week file this command created.
    pub(super) fn created(&mut self, week: Week, id: &ContractId) {
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
        let mut l = Listing::read(&diary).expect("list");
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
        let mut none = Listing::read(&d.path().join("nothing")).expect("list");
        assert!(none.weeks_of(&c1, first, None).is_empty());
        none.created(first, &c1);
        assert!(none.has(first, &c1).expect("has"));
    }
}
