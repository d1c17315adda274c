//! The ledger on disk: paths, the lock, loading with error locations,
//! validation, and the atomic write.

pub mod atomic;
pub mod codec;
pub mod de;
mod fold_diff;
pub mod git;
mod index;
pub use index::{Row, Stat};
mod listing;
pub mod located;
pub mod lock;
pub mod merge;
pub mod netfs;
pub mod ser;
pub mod tree;

use crate::core::diary::WeekFile;
use crate::core::model::{Contract, ContractId, Instant};
use crate::core::timers;
use crate::core::validate::{self, Problem};
use crate::core::week::Week;
use crate::core::{Currency, Settings};
use located::{Located, Source};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml_edit::Table;

/// The settings file's name.
pub const SETTINGS_FILE: &str = "ledger.toml";

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No `ledger.toml` where the ledger was expected (exit 3).
    #[error("no ledger at {}", .0.display())]
    NoLedger(PathBuf),
    /// No such contract file (exit 3).
    #[error("no contract `{0}` in this ledger")]
    NoContract(String),
    /// Files that do not parse or validate (exit 5).
    #[error("ledger invalid: {}", problems_text(.0))]
    Invalid(Vec<Located>),
    /// The lock was not had in time (exit 6).
    #[error("ledger busy: another contracts process holds the lock {} (waited {}s); safe to retry", .lock.display(), .waited.as_secs_f64())]
    Busy {
        /// The lock file.
        lock: PathBuf,
        /// How long we waited.
        waited: Duration,
    },
    /// Refused (exit 4): to overwrite, or for the shared ledger's sake. The
    /// same type as the rules' refusals, so every exit 4 is one type.
    #[error("{0}")]
    Refused(crate::core::error::Refusal),
    /// A change would have written a file that fails validation: a defect
    /// of this program, not of the files (exit 1). Nothing was written.
    #[error("internal error: refusing to write an invalid file: {}", problems_text(.0))]
    Inconsistent(Vec<Located>),
    /// I/O failure (exit 1); the cause follows in the error chain.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: io::Error,
    },
}

fn problems_text(ps: &[Located]) -> String {
    if ps.len() == 1 {
        ps[0].to_string()
    } else {
        let list: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
        format!("{} problems\n{}", ps.len(), list.join("\n"))
    }
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Io { context, source }
}

/// A value read from a file, with the text it came from (for
/// format-preserving rewrites).
#[derive(Debug, Clone)]
pub struct Doc<T> {
    /// The value.
    pub value: T,
    /// The file, relative to the ledger directory.
    pub rel: String,
    // The text it was read from, for the format-preserving rewrite; empty
    // when the store was opened for reading (nothing is rewritten then).
    text: String,
    // False for a contract read without its history (a view that does not
    // show it): such a value is never written back.
    whole: bool,
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The bytes were identical: nothing written.
    Unchanged,
    /// The file was replaced (or created).
    Changed,
}

/// Whether the command reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Shared lock.
    Read,
    /// Exclusive lock.
    Write,
}

/// An open ledger, locked for the life of this value.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    /// The ledger's settings.
    pub settings: Settings,
    /// The parties of a shared ledger whose keys are recorded.
    pub parties: Vec<crate::core::schema::Party>,
    // `ledger.toml` as read, for a format-preserving rewrite.
    settings_text: String,
    access: Access,
    _lock: lock::Lock,
    /// Things the user should know (a network file system, ...).
    pub warnings: Vec<String>,
    /// The ledger's git repository, if it is kept in one.
    git: Option<git::Git>,
    /// What this command wrote (relative paths), for its commit.
    written: std::cell::RefCell<Vec<String>>,
    /// While a batch of writes is on ([`Store::defer_dir_syncs`]): the
    /// directories whose entries are flushed once at its end.
    deferred: std::cell::RefCell<Option<std::collections::BTreeSet<PathBuf>>>,
    /// Which week files exist, listed once per command (`None`: not yet).
    listing: std::cell::RefCell<Option<listing::Listing>>,
    /// The derived index's file (`None`: this ledger has none, or the
    /// command does not use it) and the key its entries are valid for.
    index_at: Option<PathBuf>,
    index_key: u64,
    /// When this command started reading: files changed since (or just
    /// before) are not trusted from the index it writes.
    started: std::time::SystemTime,
    /// How this command used the index's contracts, for its next version.
    indexed: std::cell::RefCell<Option<Indexed>>,
    /// The index's next sheets section, if this command learned something
    /// for it ([`Store::week_sheets`]).
    sheets: std::cell::RefCell<Option<(Week, Vec<u8>)>>,
}

/// The index's contracts as a command used them: which it took from the
/// index, which it read and could record.
#[derive(Debug, Default)]
struct Indexed {
    // The index as opened by the command.
    file: Option<index::IndexFile>,
    // Its contracts (`None`: not loaded yet; `sweep` loads them only for a
    // contract it has to read) and its dues (`sweep` and `list`).
    old: Option<Option<index::Contracts>>,
    old_dues: Option<Option<index::Dues>>,
    // Whether the command passes over contracts with nothing due
    // (`sweep`).
    swept: bool,
    // Whether it records the dues of the contracts it read (`sweep`, and
    // `list` where the index has none it can use): others keep the
    // index's.
    record_dues: bool,
    // Per contract of `ids`: its due entry stood, and the contract was not
    // read (`list` took its row).
    dues_stood: Vec<bool>,
    // Every contract file, in order.
    ids: Vec<ContractId>,
    // Per contract of `ids`: taken from the index (its entry stood).
    confirmed: Vec<bool>,
    // Per contract of `ids`: its file's stat as this command took it.
    now: Vec<Option<index::Stat>>,
    // The index's `list` rows (`None`: not loaded), and the rows `list`
    // showed for contracts it read (the stat of the file each came from,
    // and the row encoded).
    old_rows: Option<Option<index::Rows>>,
    rows: std::collections::HashMap<String, (index::Stat, Vec<u8>)>,
    // The names section to write: `contracts/` listed anew (its stat
    // before, and the ids).
    names: Option<(index::Stat, Vec<ContractId>)>,
    // Read from the file: its stat before reading, and the contract encoded.
    read: std::collections::HashMap<String, (index::Stat, Vec<u8>)>,
    // How many contracts were read from their files.
    from_files: usize,
    // When each contract `sweep` read (from its file or the index) next
    // has something due, with the stat of its file; an entry confirmed
    // without reading keeps its own.
    dues: std::collections::HashMap<String, (index::Stat, index::Due)>,
}

impl Indexed {
    /// Loads the index's contracts, if not yet.
    fn load_old(&mut self) {
        Self::load(
            &mut self.old,
            self.file.as_ref(),
            index::Section::Contracts,
            index::Contracts::read,
        );
    }

    /// Loads the index's rows, if not yet.
    fn load_old_rows(&mut self) {
        Self::load(
            &mut self.old_rows,
            self.file.as_ref(),
            index::Section::Rows,
            index::Rows::read,
        );
    }

    /// Loads the index's dues, if not yet.
    fn load_old_dues(&mut self) {
        Self::load(
            &mut self.old_dues,
            self.file.as_ref(),
            index::Section::Dues,
            index::Dues::read,
        );
    }

    /// Fills `slot` with the section `which` of `file` as `read` reads it
    /// (`Some(None)`: absent or unusable), if it is not filled yet.
    fn load<T>(
        slot: &mut Option<Option<T>>,
        file: Option<&index::IndexFile>,
        which: index::Section,
        read: fn(index::Loaded) -> Option<T>,
    ) {
        if slot.is_none() {
            *slot = Some(file.and_then(|f| f.load(which)).and_then(read));
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Under the lock still (fields drop after this): the index is
        // derived data, so a failure to write it is no failure of the
        // command.
        self.save_index();
    }
}

/// `sweep` reads this many contracts (those with something due, or whose
/// file changed) from their files rather than load the index's contracts.
const FEW_TO_READ: usize = 64;

/// A contract as [`Store::contracts_or_rows`] gives it.
#[derive(Debug)]
pub enum Listed {
    /// Read (from its file or the index), with whether the index says it
    /// has nothing due (its timers would change nothing), and the stat of
    /// its file it stands for (`None`: not known).
    Contract(Box<Doc<Contract>>, bool, Option<index::Stat>),
    /// Not read: it has nothing due, and the index has its `list` row.
    Row(ContractId, index::Row),
}

/// How much of a contract file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    WithoutHistory,
}

/// The length of `text` before its history, when the history is the last
/// thing in the file (as this program writes it): every header from the
/// first `[[history]]` on is `[[history]]` or `[[effects]]` (what the
/// history's operations came to, joined to them by id).
fn before_history(text: &str) -> Option<usize> {
    // memchr's SIMD search: its first call probes the CPU (tens of µs in a
    // VM), still less than scanning every contract byte by byte.
    let start = memchr::memmem::find(text.as_bytes(), b"\n[[history]]")? + 1;
    let rest = &text.as_bytes()[start..];
    // Headers are the only lines that start with `[` (a `[` after a newline
    // anywhere else just means: read the whole file).
    let only_history = memchr::memchr_iter(b'[', rest)
        .filter(|&i| i == 0 || rest[i - 1] == b'\n')
        .all(|i| {
            let line = &rest[i..];
            let end = memchr::memchr(b'\n', line).unwrap_or(line.len());
            let header = line[..end].strip_suffix(b"\r").unwrap_or(&line[..end]);
            header == b"[[history]]" || header == b"[[effects]]"
        });
    // A text merge's conflict markers in the history: the whole file is
    // read, so its reader refuses it (every reader, `list` included).
    let conflict = memchr::memmem::find(rest, b"\n<<<<<<<").is_some();
    (only_history && !conflict).then_some(start)
}

/// The ledger directory named by `path` (a directory or its `ledger.toml`).
pub fn ledger_dir(path: &Path) -> PathBuf {
    // A symlink to ledger.toml (under any name) names the real ledger.
    let resolved;
    let path = if path.is_file() && path.is_symlink() {
        resolved = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        resolved.as_path()
    } else {
        path
    };
    let is_settings = path.file_name().is_some_and(|n| n == SETTINGS_FILE);
    if is_settings || path.is_file() {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    } else {
        path.to_path_buf()
    }
}

fn take_lock(root: &Path, access: Access, timeout: Duration) -> Result<lock::Lock, StoreError> {
    lock::acquire(root, access == Access::Write, timeout).map_err(|e| match e {
        lock::LockError::Busy(lock) => StoreError::Busy {
            lock,
            waited: timeout,
        },
        lock::LockError::Io(p, source) => StoreError::Io {
            context: format!("cannot open the lock file {}", p.display()),
            source,
        },
    })
}

/// Reads a file as UTF-8 text; `Ok(None)` if absent.
fn read_text(path: &Path, rel: &str) -> Result<Option<String>, StoreError> {
    Ok(read_text_stat(path, rel, false)?.map(|(t, _)| t))
}

/// [`read_text`], with the file's stat taken before it was read (when
/// `stat`): what the index records of it.
fn read_text_stat(
    path: &Path,
    rel: &str,
    stat: bool,
) -> Result<Option<(String, Option<index::Stat>)>, StoreError> {
    // Ledger files are small: one buffer, no size query first.
    // (Through `Take`: `File`'s own read_to_end asks for the size first.)
    let read = || -> io::Result<(Vec<u8>, Option<index::Stat>)> {
        let mut bytes = Vec::with_capacity(16 * 1024);
        let f = fs::File::open(path)?;
        let st = if stat {
            index::Stat::of_fd(&f).ok()
        } else {
            None
        };
        io::Read::read_to_end(&mut io::Read::take(f, u64::MAX), &mut bytes)?;
        Ok((bytes, st))
    };
    let (bytes, st) = match read() {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(format!("cannot read {}", path.display()))(e)),
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..good]).into_owned();
            let src = Source {
                file: rel,
                text: &prefix,
            };
            return Err(StoreError::Invalid(vec![src.at(
                Some(good..good),
                format!("not valid UTF-8 (byte {good}); ledger files are UTF-8 text"),
            )]));
        }
    };
    if text.starts_with('\u{feff}') {
        return Err(StoreError::Invalid(vec![Located {
            file: rel.to_string(),
            line: Some(1),
            col: Some(1),
            message: "the file starts with a byte order mark: save it as UTF-8 without BOM".into(),
            snippet: None,
        }]));
    }
    Ok(Some((text, st)))
}

/// A file's canonical table; a shape the writer cannot take is a defect of
/// this program (exit 1), and nothing is written.
fn canonical(
    rel: &str,
    t: Result<toml_edit::Table, ser::Error>,
) -> Result<toml_edit::Table, StoreError> {
    t.map_err(|e| StoreError::Inconsistent(vec![Located::file(rel, e.to_string())]))
}

/// Parses a file's text as TOML, locating a syntax error.
pub fn parse_text<'s>(text: &'s str, rel: &str) -> Result<tree::Table<'s>, StoreError> {
    tree::parse(text).map_err(|e| {
        let src = Source { file: rel, text };
        // A text merge that git could not finish left its markers.
        if let Some(at) = conflict_marker(text) {
            return StoreError::Invalid(vec![src.at(
                Some(at..at),
                "unresolved git merge conflict (`<<<<<<<` markers): keep one side of each conflict and remove the markers, or abort the merge (`git merge --abort`) and merge with `contracts sync`",
            )]);
        }
        StoreError::Invalid(vec![src.at(e.span, format!("TOML syntax: {}", e.message))])
    })
}

/// Where the first line of git's conflict markers starts, if any.
fn conflict_marker(text: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<< ") || line.trim_end() == "<<<<<<<" {
            return Some(at);
        }
        at += line.len();
    }
    None
}

fn locate_all(src: &Source<'_>, root: &tree::Table<'_>, problems: Vec<Problem>) -> Vec<Located> {
    problems
        .into_iter()
        .map(|p| src.at(codec::span_of(root, &p.path), p.message))
        .collect()
}

impl Store {
    /// Refuses if a ledger is in `root` (what `init --dry-run` checks).
    pub fn refuse_existing(root: &Path) -> Result<(), StoreError> {
        if root.join(SETTINGS_FILE).exists() {
            return Err(StoreError::Refused(
                crate::core::error::Refusal::LedgerExists {
                    path: root.display().to_string(),
                },
            ));
        }
        Ok(())
    }

    /// Refuses if a contract `id` exists (what `new --dry-run` checks).
    pub fn refuse_taken(&self, id: &ContractId) -> Result<(), StoreError> {
        if self.contract_ids()?.contains(id) {
            return Err(StoreError::Refused(
                crate::core::error::Refusal::ContractExists {
                    id: id.clone(),
                    file: None,
                },
            ));
        }
        Ok(())
    }

    /// Creates a new ledger in `root`; refuses if one is there.
    pub fn init(root: &Path, settings: &Settings) -> Result<(), StoreError> {
        let exists = root.exists();
        atomic::create_dir(root).map_err(io_err(format!("cannot create {}", root.display())))?;
        if !exists {
            let _ = fs::set_permissions(
                root,
                std::os::unix::fs::PermissionsExt::from_mode(atomic::DIR_MODE),
            );
        }
        let _lock = take_lock(root, Access::Write, Duration::from_secs(10))?;
        let text = merge::render_new(canonical(SETTINGS_FILE, codec::write_settings(settings))?);
        let target = root.join(SETTINGS_FILE);
        atomic::create_new(&target, text.as_bytes()).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                StoreError::Refused(crate::core::error::Refusal::LedgerExists {
                    path: root.display().to_string(),
                })
            } else {
                io_err(format!("cannot write {}", target.display()))(e)
            }
        })?;
        // A ledger kept in git ignores the lock and crashed writers' temp files.
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            let text = format!(
                "{}\n{}*\n{}\n",
                lock::LOCK_FILE,
                atomic::TEMP_PREFIX,
                index::ROOT_INDEX
            );
            let _ = atomic::create_new(&ignore, text.as_bytes());
        }
        for sub in ["contracts", "diary"] {
            let d = root.join(sub);
            atomic::create_dir(&d).map_err(io_err(format!("cannot create {}", d.display())))?;
        }
        Ok(())
    }

    /// Opens and locks the ledger in `root`, reading its settings.
    pub fn open(root: &Path, access: Access, timeout: Duration) -> Result<Store, StoreError> {
        let settings_path = root.join(SETTINGS_FILE);
        if !settings_path.is_file() {
            return Err(StoreError::NoLedger(root.to_path_buf()));
        }
        let lock = take_lock(root, access, timeout)?;
        let text = read_text(&settings_path, SETTINGS_FILE)?
            .ok_or_else(|| StoreError::NoLedger(root.to_path_buf()))?;
        let doc = parse_text(&text, SETTINGS_FILE)?;
        let src = Source {
            file: SETTINGS_FILE,
            text: &text,
        };
        let mut cx = codec::Cx::new(&src, None);
        let ledger = codec::read_ledger(&mut cx, &doc);
        if !cx.problems.is_empty() {
            return Err(StoreError::Invalid(cx.problems));
        }
        let (settings, parties) = ledger.ok_or_else(|| {
            StoreError::Invalid(vec![Located::file(SETTINGS_FILE, "unreadable settings")])
        })?;
        let parties_empty = parties.is_empty();
        let warnings = if access == Access::Write {
            netfs::warning(root).into_iter().collect()
        } else {
            Vec::new()
        };
        // Whether the ledger is kept in git, from a listing of its
        // directory: most ledgers have no `.git` to probe for.
        let started = std::time::SystemTime::now();
        let (mut in_git, mut git_dir) = (false, false);
        match fs::read_dir(root) {
            Ok(rd) => {
                for e in rd.flatten() {
                    if e.file_name() == ".git" {
                        in_git = true;
                        git_dir = e.file_type().is_ok_and(|t| t.is_dir());
                    }
                }
            }
            Err(_) => in_git = true,
        }
        let git = if in_git { git::Git::of(root) } else { None };
        // The derived index, where git never tracks it: in `.git/` when the
        // ledger has one (none where `.git` is a file: a worktree's), else
        // a hidden file that `init` has git ignore.
        let index_at = match (in_git, git_dir) {
            // A root index made before the ledger was put in git is left
            // alone (never read here): git may track it, and removing it
            // would leave a change for `sync` to refuse.
            (true, true) => Some(root.join(".git").join("contracts").join(index::GIT_INDEX)),
            (true, false) => None,
            (false, _) => Some(root.join(index::ROOT_INDEX)),
        };
        let index_key = index::key_of(&text);
        // Where the parties' keys are recorded, every commit is signed: a
        // clone that cannot sign changes nothing (checked before any write).
        if let Some(g) = &git
            && access == Access::Write
            && !parties.is_empty()
            && !g.can_sign()
        {
            return Err(StoreError::Refused(
                crate::core::error::Refusal::NoSigningKey,
            ));
        }
        Ok(Store {
            root: root.to_path_buf(),
            settings,
            parties,
            settings_text: text,
            access,
            _lock: lock,
            warnings,
            git: git.map(|g| g.signing(!parties_empty)),
            written: std::cell::RefCell::new(Vec::new()),
            deferred: std::cell::RefCell::new(None),
            listing: std::cell::RefCell::new(None),
            index_at,
            index_key,
            started,
            indexed: std::cell::RefCell::new(None),
            sheets: std::cell::RefCell::new(None),
        })
    }

    /// This store without the derived index: `check` reads the files only.
    pub fn without_index(mut self) -> Store {
        self.index_at = None;
        self
    }

    /// Where the index's weeks are, for a listing of the diary.
    fn snap(&self) -> listing::Snap {
        match &self.index_at {
            Some(p) => listing::Snap::Unloaded(p.clone(), self.index_key),
            None => listing::Snap::Off,
        }
    }

    /// Writes the index's next version if this command used it and learned
    /// something it did not have (a contract read, a week listed).
    fn save_index(&mut self) {
        let Some(path) = self.index_at.clone() else {
            return;
        };
        let mut used = self.indexed.get_mut().take();
        let all_listing = self.listing.get_mut().take();
        let listing = all_listing.as_ref().filter(|l| l.snapshot_wanted());
        let diary = all_listing.as_ref().and_then(|l| l.diary.as_ref());
        let sheets = self.sheets.get_mut().take();
        if used.is_none() && listing.is_none() && diary.is_none() && sheets.is_none() {
            return;
        }
        // Each section is a file of its own, written again when this command
        // learned something it lacks (or found it unusable). The big ones,
        // every contract's entry and every week directory's names
        // (megabytes at 5,000 contracts), wait until a few things learned
        // add up (a round of writes: a contract ended, time logged into this
        // week): the next commands read those again for less than writing
        // them costs this one. Decided before they are built: building
        // them costs as much as reading them.
        let contracts_due = used.as_ref().is_some_and(|u| {
            !u.read.is_empty()
                && (u.file.is_none()
                    || matches!(u.old, Some(None))
                    || index::many(u.from_files, u.ids.len()))
        });
        let weeks_due = listing.is_some_and(|l| {
            l.snapshot().is_none() || index::many(l.relisted_weeks, l.weeks().count())
        });
        let threshold =
            index::threshold_of(self.started, netfs::network_type(&self.root).is_some());
        let mut parts: Vec<(index::Section, (i64, Vec<u8>))> = Vec::new();
        if let Some(u) = used.as_mut() {
            if contracts_due && let Some(part) = Self::contracts_part(u, threshold) {
                parts.push((index::Section::Contracts, part));
            }
            if u.record_dues
                && let Some(part) = Self::dues_part(u, all_listing.as_ref(), threshold)
            {
                parts.push((index::Section::Dues, part));
            }
            if !u.rows.is_empty()
                && let Some(part) = Self::rows_part(u, threshold)
            {
                parts.push((index::Section::Rows, part));
            }
            // `contracts/` listed anew, old enough to trust.
            if let Some((stat, ids)) = &u.names
                && index::older(stat.mtime, threshold)
            {
                parts.push((
                    index::Section::Names,
                    (threshold, index::names_section(stat, ids)),
                ));
            }
        }
        // `diary/` listed anew, old enough to trust.
        if let Some((stat, weeks)) = diary
            && index::older(stat.mtime, threshold)
        {
            parts.push((
                index::Section::Diary,
                (threshold, index::diary_section(stat, weeks)),
            ));
        }
        if weeks_due
            && let Some(l) = listing
            && let Some(part) = Self::weeks_part(l, threshold)
        {
            parts.push((index::Section::Weeks, part));
        }
        if parts.is_empty() && sheets.is_none() {
            return;
        }
        if let Some(dir) = path.parent()
            && self.git.is_some()
        {
            let _ = atomic::create_dir(dir);
        }
        if self.git.is_none() {
            self.ignore_root_index();
        }
        let parts: Vec<(index::Section, &(i64, Vec<u8>))> =
            parts.iter().map(|(s, p)| (*s, p)).collect();
        let _ = index::write(&path, self.index_key, &parts);
        if let Some((week, bytes)) = sheets {
            let _ = index::write_sheets(&path, self.index_key, week, &(threshold, bytes));
        }
    }

    /// Has the `.gitignore` of a ledger not in git ignore the root index:
    /// one written by a version before the index does not, and a ledger
    /// put in git later (`git init; git add -A`) would track it.
    fn ignore_root_index(&self) {
        let ignore = self.root.join(".gitignore");
        let Ok(text) = fs::read_to_string(&ignore) else {
            return;
        };
        if text.lines().any(|l| l.trim() == index::ROOT_INDEX) {
            return;
        }
        let sep = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        let _ = atomic::replace(
            &ignore,
            format!("{text}{sep}{}\n", index::ROOT_INDEX).as_bytes(),
        );
    }

    /// The contracts section to write, if it says more than the one read:
    /// each contract file's entry, taken over where it stood, recorded
    /// anew where the file was read (and is old enough to trust). An entry
    /// it merely lacks (a file changed too recently to trust, or removed)
    /// is no reason to write it again: the one read has that entry for
    /// another stat, never trusted.
    fn contracts_part(u: &mut Indexed, threshold: i64) -> Option<(i64, Vec<u8>)> {
        // Nothing read to record (`sweep` reads few contracts without
        // loading them): the same section.
        let learned = u
            .read
            .values()
            .any(|(stat, _)| index::older(stat.mtime, threshold));
        // A missing or unusable section is written again.
        if !learned && u.file.is_some() && (u.old.is_none() || u.confirmed.iter().all(|c| *c)) {
            return None;
        }
        u.load_old();
        let old = u.old.as_ref().and_then(Option::as_ref);
        let mut entries: Vec<(&str, index::Stat, &[u8])> = Vec::with_capacity(u.ids.len());
        for (i, id) in u.ids.iter().enumerate() {
            let id = id.as_str();
            if let Some((stat, bytes)) = u.read.get(id) {
                if index::older(stat.mtime, threshold) {
                    entries.push((id, *stat, bytes));
                }
            } else if let Some(o) = old
                && let Some((stat, bytes)) = o.raw(id)
                && index::older(stat.mtime, o.threshold)
                && (u.confirmed.get(i).is_some_and(|c| *c)
                    || u.now.get(i).copied().flatten() == Some(stat))
            {
                // Taken from the index, or not looked at but for the stat
                // of its file, the same; never an entry the index did not
                // trust (its file may have changed within its timestamp
                // since it was read).
                entries.push((id, stat, bytes));
            }
        }
        // Each entry the same as one the index has and trusts.
        let same = old.is_some_and(|o| {
            entries.iter().all(|(id, stat, _)| {
                o.raw(id)
                    .is_some_and(|(s, _)| s == *stat && index::older(s.mtime, o.threshold))
            })
        });
        (!same).then(|| (threshold, index::contracts_section(entries.into_iter())))
    }

    /// The dues section to write (`sweep`, `list`), if it says more than the one
    /// read: each contract's due as this command found it, or as the index
    /// had it for a contract passed over, with the table of the week
    /// directories (as this command listed or confirmed them) they were
    /// checked against.
    fn dues_part(
        u: &mut Indexed,
        listing: Option<&listing::Listing>,
        threshold: i64,
    ) -> Option<(i64, Vec<u8>)> {
        // Every contract passed over: the index's dues stand as they are.
        let stood = |u: &Indexed, i: usize| {
            u.confirmed.get(i).is_some_and(|c| *c) || u.dues_stood.get(i).is_some_and(|c| *c)
        };
        if u.dues.is_empty() && (0..u.ids.len()).all(|i| stood(u, i)) {
            return None;
        }
        u.load_old_dues();
        let old = u.old_dues.as_ref().and_then(Option::as_ref);
        let mut entries: Vec<(&str, index::Stat, index::Due)> = Vec::with_capacity(u.ids.len());
        for (i, id) in u.ids.iter().enumerate() {
            let id = id.as_str();
            if let Some((stat, due)) = u.dues.get(id) {
                if index::older(stat.mtime, threshold) {
                    entries.push((id, *stat, *due));
                }
            } else if stood(u, i)
                && let Some(o) = old
                && let Some((stat, due)) = o.raw(id)
                && index::older(stat.mtime, o.threshold)
            {
                entries.push((id, stat, due));
            }
        }
        let spans = index::spans(entries.iter().filter_map(|(_, _, due)| match due {
            index::Due::Known { weeks, .. } => *weeks,
            index::Due::Unknown => None,
        }));
        let weeks = listing.map_or_else(Vec::new, |l| l.table_of(&spans, threshold));
        // Each entry, and each week of the table, the same as the index
        // has and trusts (the index's table and spans may have more).
        let same = old.is_some_and(|o| {
            weeks.iter().all(|(w, stat)| o.week(*w) == Some(*stat))
                && entries.iter().all(|(id, stat, due)| {
                    o.raw(id).is_some_and(|(s, d)| {
                        s == *stat && d == *due && index::older(s.mtime, o.threshold)
                    })
                })
        });
        (!same).then(|| (threshold, index::dues_section(&weeks, entries)))
    }

    /// The rows section to write (`list`), if it says more than the one
    /// read: each row `list` showed for a contract it read (and whose file
    /// is old enough to trust), and the index's rows of the other files
    /// whose stat is the same.
    fn rows_part(u: &mut Indexed, threshold: i64) -> Option<(i64, Vec<u8>)> {
        u.load_old_rows();
        let old = u.old_rows.as_ref().and_then(Option::as_ref);
        let learned = u.rows.iter().any(|(id, (stat, blob))| {
            index::older(stat.mtime, threshold)
                && old.and_then(|o| o.raw(id)) != Some((*stat, blob.as_slice()))
        });
        if !learned {
            return None;
        }
        let mut entries: Vec<(&str, index::Stat, &[u8])> = Vec::with_capacity(u.ids.len());
        for (i, id) in u.ids.iter().enumerate() {
            let id = id.as_str();
            if let Some((stat, blob)) = u.rows.get(id) {
                if index::older(stat.mtime, threshold) {
                    entries.push((id, *stat, blob));
                }
            } else if let Some((stat, blob)) = old.and_then(|o| o.raw(id))
                && u.now.get(i).copied().flatten() == Some(stat)
            {
                entries.push((id, stat, blob));
            }
        }
        Some((threshold, index::rows_section(entries)))
    }

    /// The weeks section to write, and whether it says more than the one
    /// read: each week directory listed or confirmed by this command, and
    /// those the index had and this command did not look at.
    fn weeks_part(l: &listing::Listing, threshold: i64) -> Option<(i64, Vec<u8>)> {
        use std::borrow::Cow;
        let snap = l.snapshot();
        let mut entries: Vec<(Week, index::Stat, bool, Cow<'_, [u8]>)> = Vec::new();
        for (week, names) in l.weeks() {
            match (l.seen.get(&week), names) {
                // Confirmed from the index, its names not needed.
                (Some((stat, temps)), None) => {
                    if let Some(s) = snap
                        && let Some(e) = s.entry(week)
                        && e.stat == *stat
                    {
                        entries.push((week, *stat, *temps, Cow::Borrowed(s.raw_names(e))));
                    }
                }
                (Some((stat, temps)), Some(names)) => {
                    if index::older(stat.mtime, threshold) {
                        entries.push((week, *stat, *temps, Cow::Owned(index::names_blob(names))));
                    }
                }
                _ => {
                    if let Some(s) = snap
                        && let Some(e) = s.entry(week)
                        && index::older(e.stat.mtime, s.threshold)
                        && !l.seen.contains_key(&week)
                        && names.is_none()
                    {
                        entries.push((week, e.stat, e.temps, Cow::Borrowed(s.raw_names(e))));
                    }
                }
            }
        }
        // Each entry the same as one the index has and trusts (an entry it
        // merely lacks, too new to trust, is no reason to write it).
        let same = snap.is_some_and(|s| {
            entries.iter().all(|(w, stat, temps, _)| {
                s.entry(*w).is_some_and(|e| {
                    e.stat == *stat && e.temps == *temps && index::older(e.stat.mtime, s.threshold)
                })
            })
        });
        (!same).then(|| (threshold, index::weeks_section(entries.into_iter())))
    }

    /// Removes temp files left by crashed writers in the ledger directory,
    /// `contracts/` and the index's directory (each week directory is cleaned when written to). `sweep`
    /// does this: it reads every contract anyway.
    pub fn clean_temps(&self) {
        self.must_write();
        atomic::clean_temps(&self.root);
        atomic::clean_temps(&self.root.join("contracts"));
        if let Some(index) = &self.index_at {
            atomic::clean_temps(index);
        }
        // Every week directory, listed once: the listing is kept for the
        // rest of the command (which weeks of each contract have a file).
        let diary = self.root.join("diary");
        if let Ok(l) = listing::Listing::read_all_cleaning(&diary, self.snap()) {
            self.listing.replace(Some(l));
        }
    }

    /// The ledger directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn currency(&self) -> Currency {
        self.settings.currency
    }

    fn contract_rel(id: &ContractId) -> String {
        format!("contracts/{id}.toml")
    }

    fn week_rel(week: Week, id: &ContractId) -> String {
        format!("diary/{week}/{id}.toml")
    }

    /// Ids of every contract file, in natural order (c2 before c10); a file
    /// whose name is not an id makes the ledger invalid.
    pub fn contract_ids(&self) -> Result<Vec<ContractId>, StoreError> {
        let (ids, bad) = self.contract_ids_and_problems()?;
        if bad.is_empty() {
            Ok(ids)
        } else {
            Err(StoreError::Invalid(bad))
        }
    }

    /// The ids, and the files whose names are not ids (for `check`, which
    /// goes on to report everything else too).
    pub fn contract_ids_and_problems(&self) -> Result<(Vec<ContractId>, Vec<Located>), StoreError> {
        let dir = self.root.join("contracts");
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(io_err(format!("cannot list {}", dir.display()))(e)),
        };
        let mut ids = Vec::new();
        let mut bad = Vec::new();
        for e in rd {
            let e = e.map_err(io_err(format!("cannot list {}", dir.display())))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Some(stem) = name.strip_suffix(".toml") else {
                continue;
            };
            match ContractId::parse(stem) {
                Ok(id) => ids.push(id),
                Err(why) => bad.push(Located::file(
                    &format!("contracts/{name}"),
                    format!("the file name is not a contract id: {why}"),
                )),
            }
        }
        // `ContractId`'s order (auto numbers first, by number, then by
        // name), each number found once: comparing ids finds it again at
        // every comparison, a measurable part of `sweep` at 5,000.
        ids.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
        ids.sort_by_cached_key(|id| id.auto_number().unwrap_or(u64::MAX));
        debug_assert!(ids.is_sorted());
        Ok((ids, bad))
    }

    fn parse_contract(
        &self,
        id: &ContractId,
        part: Part,
    ) -> Result<Option<Doc<Contract>>, StoreError> {
        Ok(self.parse_contract_stat(id, part, false)?.map(|(d, _)| d))
    }

    /// [`Store::parse_contract`], with the file's stat before it was read
    /// (when `stat`).
    #[allow(clippy::type_complexity)]
    fn parse_contract_stat(
        &self,
        id: &ContractId,
        part: Part,
        stat: bool,
    ) -> Result<Option<(Doc<Contract>, Option<index::Stat>)>, StoreError> {
        let rel = Self::contract_rel(id);
        let Some((mut text, st)) = read_text_stat(&self.root.join(&rel), &rel, stat)? else {
            return Ok(None);
        };
        let cut = match part {
            Part::WithoutHistory => before_history(&text),
            Part::Whole => None,
        };
        if let Some(len) = cut {
            text.truncate(len);
        }
        let whole = cut.is_none();
        let doc = parse_text(&text, &rel)?;
        let src = Source {
            file: &rel,
            text: &text,
        };
        let mut cx = codec::Cx::new(&src, Some(self.currency()));
        let c = codec::read_contract(&mut cx, &doc);
        let mut problems = cx.problems;
        if let Some(c) = &c {
            if &c.id != id {
                problems.push(src.at(
                    codec::span_of(&doc, "id"),
                    format!("the id `{}` does not match the file name `{id}.toml`", c.id),
                ));
            }
            problems.extend(locate_all(&src, &doc, validate::contract(c)));
            problems.extend(locate_all(&src, &doc, validate::history_ids(c)));
        }
        match c {
            Some(value) if problems.is_empty() => Ok(Some((
                Doc {
                    whole,
                    ..self.doc(value, rel, text)
                },
                st,
            ))),
            _ => Err(StoreError::Invalid(problems)),
        }
    }

    /// Loads and validates one contract.
    pub fn contract(&self, id: &ContractId) -> Result<Doc<Contract>, StoreError> {
        self.parse_contract(id, Part::Whole)?
            .ok_or_else(|| StoreError::NoContract(id.to_string()))
    }

    /// Loads one contract without its history, for a view that does not show
    /// it (see [`Store::contracts_without_history`]); it cannot be saved.
    pub fn contract_without_history(&self, id: &ContractId) -> Result<Doc<Contract>, StoreError> {
        self.parse_contract(id, Part::WithoutHistory)?
            .ok_or_else(|| StoreError::NoContract(id.to_string()))
    }

    /// Loads every contract, reporting the problems of all files at once.
    pub fn contracts(&self) -> Result<Vec<Doc<Contract>>, StoreError> {
        self.all_contracts(Part::Whole)
    }

    /// Loads every contract without its history, for the views that do not
    /// show it (`list`, `sweep`'s search for due timers): a history grows by
    /// an event per change and per settled week, and reading it is most of
    /// the cost of a long-lived contract file. Everything else is read and
    /// validated; `check` and every write read the whole file. Such a value
    /// cannot be saved.
    pub fn contracts_without_history(&self) -> Result<Vec<Doc<Contract>>, StoreError> {
        self.all_contracts(Part::WithoutHistory)
    }

    fn all_contracts(&self, part: Part) -> Result<Vec<Doc<Contract>>, StoreError> {
        // One thread: per file, opening and reading cost more than parsing,
        // and a second thread's heap growth (mprotect) stalls the first's
        // page faults; measured slower with two threads than with one.
        let results: Vec<_> = match (part, &self.index_at) {
            (Part::WithoutHistory, Some(at)) => self.indexed_contracts(at, None, false)?,
            _ => self
                .contract_ids()?
                .iter()
                .map(|id| {
                    self.parse_contract(id, part)
                        .map(|o| o.map(|d| Listed::Contract(Box::new(d), false, None)))
                })
                .collect(),
        };
        Ok(Self::docs(Self::gather(results)?))
    }

    /// The contracts of `listed` (each with its mark).
    fn docs_marked(listed: Vec<Listed>) -> Vec<(Doc<Contract>, bool)> {
        listed
            .into_iter()
            .filter_map(|l| match l {
                Listed::Contract(d, quiet, _) => Some((*d, quiet)),
                Listed::Row(..) => None,
            })
            .collect()
    }

    fn docs(listed: Vec<Listed>) -> Vec<Doc<Contract>> {
        Self::docs_marked(listed)
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    /// [`Store::contracts_without_history`], each with whether its index
    /// entry stands (for its file and the week directories its settlement
    /// depends on) and says nothing of it falls due by `now`: then
    /// applying its timers at `now` changes nothing and reads no week file,
    /// and `list` need not. Without an index, none is so marked.
    pub fn contracts_marked_quiet(
        &self,
        now: Instant,
    ) -> Result<Vec<(Doc<Contract>, bool)>, StoreError> {
        let Some(at) = &self.index_at else {
            let docs = self.contracts_without_history()?;
            return Ok(docs.into_iter().map(|d| (d, false)).collect());
        };
        Ok(Self::docs_marked(Self::gather(self.indexed_contracts(
            at,
            Some((now, false)),
            false,
        )?)?))
    }

    /// [`Store::contracts_marked_quiet`] for `list`'s table: a contract
    /// with nothing due by `now` whose `list` row the index has for its
    /// file is not read, only its row taken ([`Store::remember_row`]
    /// records the rows of those read).
    pub fn contracts_or_rows(&self, now: Instant) -> Result<Vec<Listed>, StoreError> {
        let Some(at) = &self.index_at else {
            let docs = self.contracts_without_history()?;
            return Ok(docs
                .into_iter()
                .map(|d| Listed::Contract(Box::new(d), false, None))
                .collect());
        };
        Self::gather(self.indexed_contracts(at, Some((now, false)), true)?)
    }

    /// Records, for the index's next version, `id`'s `list` row (its cells
    /// from the title on, and whether it is hourly) as shown for the
    /// contract its file had at `stat`: only for a contract with nothing
    /// due, whose row is the same at any clock.
    pub fn remember_row(&self, id: &str, stat: index::Stat, hourly: bool, cells: [&str; 8]) {
        if let Some(u) = &mut *self.indexed.borrow_mut() {
            let row = index::Row::new(hourly, cells);
            u.rows.insert(id.to_string(), (stat, index::row_blob(&row)));
        }
    }

    /// Every contract without its history that may have a timer due at
    /// `now`, for `sweep`: [`Store::contracts_without_history`] less the
    /// contracts whose index entry stands for their file (and for the week
    /// directories their settlement depends on) and says nothing of them
    /// falls due by `now` — those files are not read. Without an index,
    /// every contract.
    pub fn contracts_maybe_due(&self, now: Instant) -> Result<Vec<Doc<Contract>>, StoreError> {
        let Some(at) = &self.index_at else {
            return self.contracts_without_history();
        };
        let listed = Self::gather(self.indexed_contracts(at, Some((now, true)), false)?)?;
        Ok(Self::docs(listed))
    }

    /// What was read, or every problem found in it.
    fn gather<T>(results: Vec<Result<Option<T>, StoreError>>) -> Result<Vec<T>, StoreError> {
        let mut problems = Vec::new();
        let mut failed = None;
        // Collected in place (no second vector of 5,000 contracts).
        let out: Vec<T> = results
            .into_iter()
            .filter_map(|r| match r {
                Ok(d) => d,
                Err(StoreError::Invalid(ps)) => {
                    problems.extend(ps);
                    None
                }
                Err(e) => {
                    failed.get_or_insert(e);
                    None
                }
            })
            .collect();
        match failed {
            Some(e) => Err(e),
            None if problems.is_empty() => Ok(out),
            None => Err(StoreError::Invalid(problems)),
        }
    }

    /// Every contract without its history, each taken from the index where
    /// its entry stands for the file (the same stat, older than the index),
    /// read from its file otherwise (and recorded for the index's next
    /// version). With `due_by`, each is marked with whether its entry
    /// stands and says nothing of it falls due by then, and the dues of
    /// those read are recorded; with `due_by`'s `true` (`sweep`), such a
    /// contract is left out, unread.
    #[allow(clippy::type_complexity)]
    fn indexed_contracts(
        &self,
        at: &Path,
        due_by: Option<(Instant, bool)>,
        rows: bool,
    ) -> Result<Vec<Result<Option<Listed>, StoreError>>, StoreError> {
        let mut u = Indexed {
            file: index::IndexFile::open(at, self.index_key),
            swept: due_by.is_some_and(|(_, skip)| skip),
            ..Indexed::default()
        };
        let ids = self.indexed_ids(&mut u)?;
        let few = u.swept || rows;
        let dir = fs::File::open(self.root.join("contracts")).ok();
        // Each file's stat, taken while the index's sections are read.
        let dir = dir.as_ref().filter(|_| u.file.is_some());
        let stats = index::Stat::at_each(
            dir,
            &ids,
            |id, name| {
                crate::pieces::push_short(name, id.as_str());
                crate::pieces::push_short(name, ".toml");
            },
            || {
                // `sweep` loads the small dues first, the contracts only for one
                // it has to read; `list` its rows first.
                if due_by.is_some() {
                    u.load_old_dues();
                }
                if rows {
                    u.load_old_rows();
                }
                if !few {
                    u.load_old();
                }
                // Every contract's weeks are asked about: a question about many
                // weeks is answered from the index's weeks.
                let _ = self.with_listing(|l| {
                    l.for_many();
                    Ok(())
                });
            },
        );
        // `list` records dues only where the index has none it can use (a
        // ledger never swept, a fresh import): then its next runs find the
        // contracts with nothing due and use their rows. Otherwise keeping
        // them is `sweep`'s, and a `list` after a round of writes does not
        // pay for writing them.
        u.record_dues = u.swept || (due_by.is_some() && matches!(u.old_dues, Some(None)));
        // The week directories that may have changed since the dues were
        // recorded (only those of the weeks some due depends on are looked
        // at); `None`: not known, no due that depends on weeks stands.
        let changed: Option<Vec<Week>> = match (&u.old_dues, due_by) {
            (Some(Some(dues)), Some(_)) if dues.spans.is_empty() => Some(Vec::new()),
            (Some(Some(dues)), Some(_)) => self.with_listing(|l| Ok(l.changed_since(dues))).ok(),
            _ => None,
        };
        // Each file's stat, whether its due entry stands and says nothing
        // falls due by then, and its row if so.
        // (Whether its row stands, not the row: decoded where it is used,
        // 5,000 rows are not held twice.)
        let marks: Vec<(Option<index::Stat>, bool, bool)> = ids
            .iter()
            .zip(stats)
            .map(|(id, now)| {
                let quiet = if let (Some((by, _)), Some(now)) = (due_by, &now)
                    && let Some(Some(dues)) = &u.old_dues
                    && let Some(due) = dues.get(id.as_str(), now)
                    && let Some(changed) = &changed
                {
                    self.nothing_due(id, &due, by, changed)
                } else {
                    false
                };
                let row = match (quiet, &now, &u.old_rows) {
                    (true, Some(now), Some(Some(r))) => r.stands(id.as_str(), now),
                    _ => false,
                };
                (now, quiet, row)
            })
            .collect();
        // With few contracts to read (`sweep`: those with something due,
        // or whose file changed; `list`: those without a row), their files
        // are read: loading the index's contracts (every contract's entry)
        // costs more.
        let to_read = marks
            .iter()
            .filter(|(_, quiet, row)| !(*quiet && (u.swept || *row)))
            .count();
        let from_section = !few || to_read > FEW_TO_READ;
        u.confirmed = vec![false; ids.len()];
        u.dues_stood = vec![false; ids.len()];
        u.now = marks.iter().map(|(now, ..)| *now).collect();
        let mut out = Vec::with_capacity(ids.len());
        for (i, (id, (now, quiet, row))) in ids.iter().zip(marks).enumerate() {
            if quiet && u.swept {
                u.confirmed[i] = true;
                continue;
            }
            if row
                && let (Some(now), Some(Some(rows))) = (&now, &u.old_rows)
                && let Some(row) = rows.get(id.as_str(), now)
            {
                u.dues_stood[i] = true;
                out.push(Ok(Some(Listed::Row(id.clone(), row))));
                continue;
            }
            let from_index = now.filter(|_| from_section).and_then(|now| {
                u.load_old();
                let old = u.old.as_ref().and_then(Option::as_ref)?;
                Some((old.get(id.as_str(), &now)?, now))
            });
            if let Some((value, now)) = from_index {
                u.confirmed[i] = true;
                if u.record_dues {
                    let due = self.due_of(&value);
                    u.dues.insert(id.to_string(), (now, due));
                }
                let doc = Doc {
                    value,
                    rel: Self::contract_rel(id),
                    text: String::new(),
                    whole: false,
                };
                out.push(Ok(Some(Listed::Contract(Box::new(doc), quiet, Some(now)))));
                continue;
            }
            let r = self.parse_contract_stat(id, Part::WithoutHistory, true);
            u.from_files += 1;
            if let Ok(Some((doc, Some(stat)))) = &r
                && doc.value.history.is_empty()
            {
                // Recorded only where the index's contracts are rewritten.
                if from_section {
                    let mut e = index::Enc::default();
                    index::put_contract(&mut e, &doc.value);
                    u.read.insert(id.to_string(), (*stat, e.0));
                }
                if u.record_dues {
                    let due = self.due_of(&doc.value);
                    u.dues.insert(id.to_string(), (*stat, due));
                }
            }
            out.push(r.map(|o| o.map(|(d, stat)| Listed::Contract(Box::new(d), quiet, stat))));
        }
        u.ids = ids;
        self.indexed.replace(Some(u));
        Ok(out)
    }

    /// [`Store::contract_ids`], taken from the index where it has the
    /// names of `contracts/` with the directory's stat as it is now (older
    /// than the index): a file added, removed or renamed changes the
    /// directory's mtime and ctime. Listed otherwise, and recorded.
    fn indexed_ids(&self, u: &mut Indexed) -> Result<Vec<ContractId>, StoreError> {
        let dir = self.root.join("contracts");
        let now = rustix::fs::stat(&dir).ok().map(|s| index::Stat::of(&s));
        if let Some(now) = &now
            && let Some(f) = &u.file
            && let Some(ids) = f
                .load(index::Section::Names)
                .and_then(|l| index::read_names(&l, now))
        {
            return Ok(ids);
        }
        let ids = self.contract_ids()?;
        u.names = now.map(|now| (now, ids.clone()));
        Ok(ids)
    }

    /// Whether a contract whose entry (standing for its file) says `due`
    /// has nothing due at `by`: its next instant is later, and it has no
    /// file in any week directory its instant depends on that may have
    /// changed since the dues were recorded (`changed`, from the dues'
    /// table: each such directory is listed, once per command).
    fn nothing_due(
        &self,
        id: &ContractId,
        due: &index::Due,
        by: Instant,
        changed: &[Week],
    ) -> bool {
        let index::Due::Known { at, weeks } = due else {
            return false;
        };
        if at.is_some_and(|at| at <= by) {
            return false;
        }
        weeks.is_none_or(|w| {
            self.with_listing(|l| Ok(l.none_in(id, w.first, w.last, changed)))
                .unwrap_or(false)
        })
    }

    /// When `c` next has something due, to record in the index: from its
    /// pending timers and the week files (as this command listed them) of
    /// the weeks whose settlement may still fall due, with the weeks in
    /// which a file would bring it earlier (those before its first week
    /// with a file).
    fn due_of(&self, c: &Contract) -> index::Due {
        let Some((first, end)) = timers::settling_weeks(c) else {
            return index::Due::Known {
                at: timers::next_due(c, &[]),
                weeks: None,
            };
        };
        self.with_listing(|l| {
            let files = l.weeks_of(&c.id, first, end);
            // Only a file in a week before the first one with a file can
            // bring the instant earlier (a later week settles later; a file
            // removed makes it later, and the recorded one is a lower
            // bound).
            let weeks = match files.first() {
                Some(f) if *f <= first => None,
                Some(f) => Some(index::WeekDeps {
                    first,
                    last: Some(f.prev()),
                }),
                None => Some(index::WeekDeps { first, last: end }),
            };
            Ok(index::Due::Known {
                at: timers::next_due(c, &files),
                weeks,
            })
        })
        .unwrap_or(index::Due::Unknown)
    }

    /// Loads one contract's week file, if it exists; validated against `contract`.
    pub fn week(
        &self,
        week: Week,
        contract: &Contract,
    ) -> Result<Option<Doc<WeekFile>>, StoreError> {
        self.week_checked(week, &contract.id, Some(contract))
    }

    fn week_checked(
        &self,
        week: Week,
        id: &ContractId,
        contract: Option<&Contract>,
    ) -> Result<Option<Doc<WeekFile>>, StoreError> {
        // A file the listing does not have is not opened (no probing).
        if !self.with_listing(|l| l.has(week, id))? {
            return Ok(None);
        }
        self.read_week(week, id, contract)
    }

    fn read_week(
        &self,
        week: Week,
        id: &ContractId,
        contract: Option<&Contract>,
    ) -> Result<Option<Doc<WeekFile>>, StoreError> {
        Ok(self
            .read_week_stat(week, id, contract, false)?
            .map(|(d, _)| d))
    }

    /// [`Store::read_week`], with the file's stat before it was read (when
    /// `stat`).
    #[allow(clippy::type_complexity)]
    fn read_week_stat(
        &self,
        week: Week,
        id: &ContractId,
        contract: Option<&Contract>,
        stat: bool,
    ) -> Result<Option<(Doc<WeekFile>, Option<index::Stat>)>, StoreError> {
        let rel = Self::week_rel(week, id);
        let Some((text, st)) = read_text_stat(&self.root.join(&rel), &rel, stat)? else {
            return Ok(None);
        };
        let doc = parse_text(&text, &rel)?;
        let src = Source {
            file: &rel,
            text: &text,
        };
        let mut cx = codec::Cx::new(&src, Some(self.currency()));
        let w = codec::read_week(&mut cx, &doc);
        let mut problems = cx.problems;
        if let Some(w) = &w {
            if &w.contract != id {
                problems.push(src.at(
                    codec::span_of(&doc, "contract"),
                    format!(
                        "names contract `{}` but the file is `{id}.toml`",
                        w.contract
                    ),
                ));
            }
            if w.week != week {
                problems.push(src.at(
                    codec::span_of(&doc, "week"),
                    format!("names week {} but lies in diary/{week}/", w.week),
                ));
            }
            problems.extend(locate_all(&src, &doc, validate::week(w, contract)));
        }
        match w {
            Some(value) if problems.is_empty() => Ok(Some((self.doc(value, rel, text), st))),
            _ => Err(StoreError::Invalid(problems)),
        }
    }

    /// The weeks that have a diary directory, oldest first.
    #[allow(clippy::type_complexity)]
    pub fn diary_weeks(&self) -> Result<(Vec<(Week, Vec<ContractId>)>, Vec<Located>), StoreError> {
        let dir = self.root.join("diary");
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(io_err(format!("cannot list {}", dir.display()))(e)),
        };
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Ok(week) = name.parse::<Week>() else {
                bad.push(Located::file(
                    &format!("diary/{name}"),
                    "not a week directory (expected diary/YYYY-Www/)",
                ));
                continue;
            };
            let mut ids = Vec::new();
            if let Ok(files) = fs::read_dir(e.path()) {
                for f in files.flatten() {
                    let fname = f.file_name().to_string_lossy().into_owned();
                    if fname.starts_with('.') {
                        continue;
                    }
                    match fname.strip_suffix(".toml").map(ContractId::parse) {
                        Some(Ok(id)) => ids.push(id),
                        _ => bad.push(Located::file(
                            &format!("diary/{name}/{fname}"),
                            "not a week file (expected diary/YYYY-Www/ID.toml)",
                        )),
                    }
                }
            }
            ids.sort();
            out.push((week, ids));
        }
        out.sort_by_key(|(w, _)| *w);
        Ok((out, bad))
    }

    /// Runs `f` on this command's listing of the diary, listing `diary/`
    /// first if this is the first question asked of it.
    fn with_listing<R>(
        &self,
        f: impl FnOnce(&mut listing::Listing) -> io::Result<R>,
    ) -> Result<R, StoreError> {
        let diary = self.root.join("diary");
        let fail = || io_err(format!("cannot list {}", diary.display()));
        let mut slot = self.listing.borrow_mut();
        let l = match &mut *slot {
            Some(l) => l,
            None => slot.insert(listing::Listing::read(&diary, self.snap()).map_err(fail())?),
        };
        f(l).map_err(fail())
    }

    /// The weeks from `first` to `last` in which `id` has a week file,
    /// oldest first. Only the weeks that have a directory are looked at,
    /// each week's directory listed once per command (shared by every
    /// contract it asks about): no file that does not exist is looked for.
    /// An unreadable directory counts as holding nothing here; reading
    /// the week itself reports it.
    pub fn contract_weeks(&self, id: &ContractId, first: Week, last: Week) -> Vec<Week> {
        self.with_listing(|l| Ok(l.weeks_of(id, first, Some(last))))
            .unwrap_or_default()
    }

    /// The weeks after `after` in which `id` has a week file (time recorded
    /// with a clock ahead), oldest first.
    pub fn later_weeks(&self, id: &ContractId, after: Week) -> Result<Vec<Week>, StoreError> {
        self.with_listing(|l| Ok(l.weeks_of(id, after.next(), None)))
    }

    /// The contracts with a week file in `week`, sorted (reads one
    /// directory, once per command).
    pub fn week_contracts(&self, week: Week) -> Result<Vec<ContractId>, StoreError> {
        self.with_listing(|l| l.contracts(week))
    }

    /// Every contract with a week file in `week` (in order, without its
    /// history), with that week file: what the week's table of every
    /// contract shows. Taken from the index's sheets section where it is of
    /// this week and both files' stats stand (a stat per file, nothing
    /// read), read and validated otherwise; what was read is recorded.
    pub fn week_sheets(&self, week: Week) -> Result<Vec<(Contract, WeekFile)>, StoreError> {
        let old = self
            .index_at
            .as_ref()
            .and_then(|p| index::IndexFile::open(p, self.index_key))
            .and_then(|f| f.load_named(index::Section::Sheets, &index::sheets_file(week)))
            .and_then(index::Sheets::read)
            .filter(|s| s.week == week);
        // The week's directory, its stat taken before it is listed: while
        // it stands, the section's contracts are the directory's files.
        let wd = self
            .index_at
            .as_ref()
            .and_then(|_| fs::File::open(self.root.join(format!("diary/{week}"))).ok());
        let wd_stat = wd.as_ref().and_then(|f| index::Stat::of_fd(f).ok());
        let ids = match old
            .as_ref()
            .zip(wd_stat.as_ref())
            .and_then(|(o, s)| o.ids(s))
        {
            Some(ids) => ids,
            None => self.week_contracts(week)?,
        };
        let dirs = old.as_ref().and_then(|_| {
            let cd = fs::File::open(self.root.join("contracts")).ok()?;
            Some((cd, wd.as_ref()?))
        });
        let mut out = Vec::with_capacity(ids.len());
        // The next section's entries: those that stood (`Ok`), and those
        // read (`Err`: where in `out`, and the stats of its two files).
        type Read = (usize, index::Stat, index::Stat);
        let mut kept: Vec<Result<index::SheetEntry<'_>, Read>> = Vec::with_capacity(ids.len());
        let mut learned = 0;
        let mut name = String::new();
        for id in &ids {
            name.clear();
            name.push_str(id.as_str());
            name.push_str(".toml");
            if let (Some(old), Some((cd, wd))) = (&old, &dirs)
                && let (Ok(cs), Ok(ws)) = (index::Stat::at(cd, &name), index::Stat::at(wd, &name))
                && let Some((c, w, e)) = old.get(id.as_str(), &cs, &ws)
            {
                kept.push(Ok(e));
                out.push((c, w));
                continue;
            }
            learned += 1;
            let Some((doc, cs)) = self.parse_contract_stat(id, Part::WithoutHistory, true)? else {
                // A week file of a contract that does not exist: the week
                // file is what is wrong, with its location.
                self.week_for_check(week, id, None)?;
                return Err(StoreError::NoContract(id.to_string()));
            };
            let c = doc.value;
            let (w, ws) = match self.read_week_stat(week, id, Some(&c), true)? {
                Some((d, ws)) => (d.value, ws),
                None => (WeekFile::new(id.clone(), week), None),
            };
            if let (Some(cs), Some(ws)) = (cs, ws)
                && c.history.is_empty()
            {
                kept.push(Err((out.len(), cs, ws)));
            }
            out.push((c, w));
        }
        // Written again where it had none of this week, or once more than a
        // few files changed since: reading a few again costs the next
        // tables less than writing it costs this one (after a round of
        // writes to the week: a timer stopped, time logged).
        if (old.is_none() && learned > 0 || learned > index::FEW_SHEETS) && self.index_at.is_some()
        {
            // Those read, encoded only now that they are written.
            let encoded: Vec<(Vec<u8>, Vec<u8>)> = kept
                .iter()
                .filter_map(|k| k.as_ref().err())
                .map(|&(i, ..)| {
                    let (mut ce, mut we) = (index::Enc::default(), index::Enc::default());
                    index::put_contract(&mut ce, &out[i].0);
                    index::put_week(&mut we, &out[i].1);
                    (ce.0, we.0)
                })
                .collect();
            let mut encoded_each = encoded.iter();
            let entries: Vec<index::SheetEntry<'_>> = kept
                .into_iter()
                .filter_map(|k| match k {
                    Ok(e) => Some(e),
                    Err((i, cs, ws)) => {
                        let (c, w) = encoded_each.next()?;
                        Some(index::SheetEntry {
                            id: ids[i].as_str(),
                            contract_stat: cs,
                            week_stat: ws,
                            contract: c,
                            week: w,
                        })
                    }
                })
                .collect();
            let every = entries.len() == ids.len();
            let dir = wd_stat.as_ref().filter(|_| every);
            *self.sheets.borrow_mut() = Some((week, index::sheets_section(week, dir, &entries)));
        }
        Ok(out)
    }

    /// Loads a week file whose contract may be missing (for `check`).
    pub fn week_for_check(
        &self,
        week: Week,
        id: &ContractId,
        contract: Option<&Contract>,
    ) -> Result<Option<Doc<WeekFile>>, StoreError> {
        // `check` lists the diary itself, and reads what it found.
        self.read_week(week, id, contract)
    }

    /// A loaded value; its text is kept only where it may be rewritten.
    fn doc<T>(&self, value: T, rel: String, mut text: String) -> Doc<T> {
        match self.access {
            // Kept as long as the value: `sweep` holds every contract's.
            Access::Write => text.shrink_to_fit(),
            Access::Read => text = String::new(),
        }
        Doc {
            value,
            rel,
            text,
            whole: true,
        }
    }

    fn must_write(&self) {
        debug_assert_eq!(self.access, Access::Write, "writes need the exclusive lock");
    }

    fn refuse_invalid(&self, rel: &str, problems: Vec<Problem>) -> Result<(), StoreError> {
        if problems.is_empty() {
            return Ok(());
        }
        Err(StoreError::Inconsistent(
            problems
                .into_iter()
                .map(|p| Located::file(rel, format!("{}: {}", p.path, p.message)))
                .collect(),
        ))
    }

    /// The new text of a file: `canonical` merged into its old text (its
    /// comments and layout kept); `None` when nothing changes.
    pub(crate) fn merged(
        rel: &str,
        old_text: &str,
        canonical: Table,
    ) -> Result<Option<String>, StoreError> {
        let mut doc: toml_edit::DocumentMut = old_text
            .parse()
            .map_err(|_| StoreError::Invalid(vec![Located::file(rel, "changed while locked")]))?;
        merge::merge_table(doc.as_table_mut(), &canonical);
        let mut text = doc.to_string();
        // A file with CRLF line endings keeps them.
        if old_text.contains("\r\n") {
            text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        Ok((text != old_text).then_some(text))
    }

    fn rewrite(&self, rel: &str, old_text: &str, canonical: Table) -> Result<Written, StoreError> {
        let Some(text) = Self::merged(rel, old_text, canonical)? else {
            return Ok(Written::Unchanged);
        };
        let path = self.root.join(rel);
        self.replace(&path, text.as_bytes())
            .map_err(io_err(format!("cannot write {}", path.display())))?;
        self.wrote(rel);
        Ok(Written::Changed)
    }

    /// [`atomic::replace`], or within a batch of writes
    /// ([`Store::defer_dir_syncs`]) [`atomic::replace_deferred`].
    fn replace(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        match self.deferred.borrow_mut().as_mut() {
            Some(dirs) => atomic::replace_deferred(path, data, dirs),
            None => atomic::replace(path, data),
        }
    }

    /// Begins a batch of writes (a merge's): each file written is flushed
    /// before it is renamed into place, as always, but the directories'
    /// entries only once each, by [`Store::sync_deferred`] (a crash before
    /// leaves each file as before or as after, whole).
    pub fn defer_dir_syncs(&self) {
        *self.deferred.borrow_mut() = Some(Default::default());
    }

    /// Ends a batch of writes: flushes the entries of every directory
    /// written to since [`Store::defer_dir_syncs`], once each.
    pub fn sync_deferred(&self) -> Result<(), StoreError> {
        let Some(dirs) = self.deferred.borrow_mut().take() else {
            return Ok(());
        };
        atomic::sync_dirs(&dirs).map_err(io_err("cannot flush the files written".to_string()))
    }

    /// Records in this command's listing a week file it created.
    fn created(&self, week: Week, id: &ContractId) {
        if let Some(l) = &mut *self.listing.borrow_mut() {
            l.created(week, id);
        }
    }

    fn wrote(&self, rel: &str) {
        self.written.borrow_mut().push(rel.to_string());
        // What the index had of the file stands for its old version.
        if let Some(id) = rel
            .strip_prefix("contracts/")
            .and_then(|n| n.strip_suffix(".toml"))
            && let Some(u) = &mut *self.indexed.borrow_mut()
        {
            if let Some(i) = u.ids.iter().position(|x| x.as_str() == id)
                && let Some(c) = u.confirmed.get_mut(i)
            {
                *c = false;
            }
            u.read.remove(id);
            u.dues.remove(id);
            u.rows.remove(id);
        }
    }

    /// Whether the ledger is kept in git.
    pub fn is_git(&self) -> bool {
        self.git.is_some()
    }

    /// The ledger's git repository, if it is kept in one.
    pub fn git(&self) -> Option<&git::Git> {
        self.git.as_ref()
    }

    /// A contract file's text as another revision has it (`sync`): the
    /// contract, or every problem of it.
    pub fn contract_text(&self, rel: &str, text: &str) -> Result<Contract, StoreError> {
        self.read_as(rel, text, codec::read_contract)
    }

    /// [`Store::contract_text`] of one of many versions of a contract
    /// file, the event tables read before taken from `memo` by their exact
    /// text ([`codec::read_contract_memo`]); anything it does not read is
    /// read whole, with the same messages.
    pub fn contract_text_memo(
        &self,
        rel: &str,
        text: &str,
        memo: &mut codec::EventMemo,
    ) -> Result<Contract, StoreError> {
        let Some(c) = codec::read_contract_memo(rel, text, self.currency(), memo) else {
            return self.contract_text(rel, text);
        };
        // Every test and simulation holds it to the whole reading.
        #[cfg(debug_assertions)]
        assert_eq!(
            self.contract_text(rel, text).ok().as_ref(),
            Some(&c),
            "{rel}: read with remembered events differs from read whole"
        );
        Ok(c)
    }

    /// A week file's text as another revision has it (`sync`).
    pub fn week_text(&self, rel: &str, text: &str) -> Result<WeekFile, StoreError> {
        self.read_as(rel, text, codec::read_week)
    }

    fn read_as<T>(
        &self,
        rel: &str,
        text: &str,
        read: fn(&mut codec::Cx<'_>, &tree::Table<'_>) -> Option<T>,
    ) -> Result<T, StoreError> {
        let doc = parse_text(text, rel)?;
        let src = Source { file: rel, text };
        let mut cx = codec::Cx::new(&src, Some(self.currency()));
        match read(&mut cx, &doc) {
            Some(v) if cx.problems.is_empty() => Ok(v),
            _ => Err(StoreError::Invalid(cx.problems)),
        }
    }

    /// `c` written over the text `old` of its file (format kept): the new
    /// text (the merge driver's).
    pub fn contract_over(&self, rel: &str, old: &str, c: &Contract) -> Result<String, StoreError> {
        let t = canonical(rel, codec::write_contract(c, &self.currency()))?;
        Ok(Self::merged(rel, old, t)?.unwrap_or_else(|| old.to_string()))
    }

    /// `w` written over the text `old` of its file.
    pub fn week_over(&self, rel: &str, old: &str, w: &WeekFile) -> Result<String, StoreError> {
        let t = canonical(rel, codec::write_week(w, &self.currency()))?;
        Ok(Self::merged(rel, old, t)?.unwrap_or_else(|| old.to_string()))
    }

    /// Writes the week file `rel` as `new` over its text `old` (if any),
    /// checked against `contract`; skips the write when nothing changed.
    pub fn put_week(
        &self,
        rel: &str,
        old: Option<&str>,
        new: &WeekFile,
        contract: &Contract,
    ) -> Result<Written, StoreError> {
        self.must_write();
        self.refuse_invalid(rel, validate::week(new, Some(contract)))?;
        let canonical = canonical(rel, codec::write_week(new, &self.currency()))?;
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            // A crashed writer's temp file in this week's directory goes now.
            atomic::clean_temps(dir);
        }
        match old {
            Some(old) => self.rewrite(rel, old, canonical),
            None => {
                if let Some(dir) = path.parent() {
                    atomic::create_dir(dir)
                        .map_err(io_err(format!("cannot create {}", dir.display())))?;
                }
                let text = merge::render_new(canonical);
                self.replace(&path, text.as_bytes())
                    .map_err(io_err(format!("cannot write {}", path.display())))?;
                self.wrote(rel);
                self.created(new.week, &new.contract);
                Ok(Written::Changed)
            }
        }
    }

    /// A file's text in the work tree, if it is there.
    pub fn text_of(&self, rel: &str) -> Result<Option<String>, StoreError> {
        read_text(&self.root.join(rel), rel)
    }

    /// Where the contract file `rel` records a state its operations do not
    /// give: each key whose value differs between `recorded` (the file as
    /// read) and `folded` (its operations folded again), at its place in
    /// the file, with both values. Free text (titles, memos, notes,
    /// reasons) may be edited by hand and is not compared.
    pub fn fold_differences(
        &self,
        rel: &str,
        recorded: &Contract,
        folded: &Contract,
    ) -> Result<Vec<Located>, StoreError> {
        let text = self.text_of(rel)?.unwrap_or_default();
        self.fold_differences_in(rel, &text, recorded, folded)
    }

    /// [`Store::fold_differences`] of the file's text `text` (as a revision
    /// of a shared ledger has it: `verify`).
    pub fn fold_differences_in(
        &self,
        rel: &str,
        text: &str,
        recorded: &Contract,
        folded: &Contract,
    ) -> Result<Vec<Located>, StoreError> {
        let root = parse_text(text, rel)?;
        let src = Source { file: rel, text };
        let cur = self.currency();
        let a = canonical(rel, codec::write_contract(recorded, &cur))?;
        let b = canonical(rel, codec::write_contract(folded, &cur))?;
        let mut out = Vec::new();
        fold_diff::tables(&a, &b, "", &mut out);
        Ok(out
            .into_iter()
            .map(|d| {
                src.at(
                    codec::span_of(&root, &d.path),
                    format!(
                        "`{}` is {}, but folding the contract's operations gives {}: a value the rules derive (fix it, or the history that explains it)",
                        d.path, d.recorded, d.folded
                    ),
                )
            })
            .collect())
    }

    /// Keeps `text` in this clone only, outside the shared files and git's
    /// history (`.git/contracts/NAME`, readable by its owner alone).
    pub fn keep_private(&self, name: &str, text: &str) -> Result<(), StoreError> {
        self.must_write();
        let dir = self.root.join(".git").join("contracts");
        atomic::create_dir(&dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
        let path = dir.join(name);
        atomic::replace(&path, text.as_bytes())
            .map_err(io_err(format!("cannot write {}", path.display())))
    }

    /// Keeps a cache of this clone's (`.git/contracts/NAME`): derived data,
    /// written atomically, so a reader may write it too.
    pub fn keep_cache(&self, name: &str, text: &str) -> Result<(), StoreError> {
        let dir = self.root.join(".git").join("contracts");
        atomic::create_dir(&dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
        let path = dir.join(name);
        atomic::replace(&path, text.as_bytes())
            .map_err(io_err(format!("cannot write {}", path.display())))
    }

    /// Forgets a cache kept by [`Store::keep_cache`].
    pub fn drop_cache(&self, name: &str) {
        let _ = std::fs::remove_file(self.root.join(".git").join("contracts").join(name));
    }

    /// A cache kept by [`Store::keep_cache`], if there is one.
    pub fn cache(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(".git").join("contracts").join(name)).ok()
    }

    /// This clone's private files (`.git/contracts/`): name and text.
    pub fn private_files(&self) -> Result<Vec<(String, String)>, StoreError> {
        let dir = self.root.join(".git").join("contracts");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // The derived index is no private file of the clone's.
            if name.starts_with(atomic::TEMP_PREFIX) || name == index::GIT_INDEX {
                continue;
            }
            let text = std::fs::read_to_string(e.path())
                .map_err(io_err(format!("cannot read {}", e.path().display())))?;
            out.push((name, text));
        }
        out.sort();
        Ok(out)
    }

    /// The parties recorded in a `ledger.toml` text (another revision's).
    pub fn parties_text(&self, text: &str) -> Result<Vec<crate::core::schema::Party>, StoreError> {
        self.read_as(SETTINGS_FILE, text, codec::read_ledger)
            .map(|(_, parties)| parties)
    }

    /// Records `parties` in `ledger.toml` (format kept).
    pub fn save_parties(&self, parties: &[crate::core::schema::Party]) -> Result<(), StoreError> {
        self.must_write();
        let t = canonical(SETTINGS_FILE, codec::write_ledger(&self.settings, parties))?;
        if let Some(text) = Self::merged(SETTINGS_FILE, &self.settings_text, t)? {
            let path = self.root.join(SETTINGS_FILE);
            atomic::replace(&path, text.as_bytes())
                .map_err(io_err(format!("cannot write {}", path.display())))?;
            self.wrote(SETTINGS_FILE);
        }
        Ok(())
    }

    /// What this command wrote, handed over (for a commit made by hand).
    pub fn take_written(&self) -> Vec<String> {
        std::mem::take(&mut *self.written.borrow_mut())
    }

    /// Records that `rel` was written by someone else for this command
    /// (`sync` takes the other side's file), for its commit.
    pub fn took(&self, rel: &str) {
        self.wrote(rel);
        // The work tree changed behind the store: list the diary again.
        self.listing.replace(None);
    }

    /// In a git ledger, commits what this command wrote: one commit, its
    /// message `message`, its author the acting party. Nothing written, or
    /// no git: nothing to do.
    pub fn commit(&self, message: &str, author: &git::Author<'_>) -> Result<(), StoreError> {
        self.commit_as(message, author, false)
    }

    /// [`Store::commit`], signed with the clone's key even where no party
    /// is recorded yet (`party add`: a party records its own key, signed
    /// with it).
    pub fn commit_as(
        &self,
        message: &str,
        author: &git::Author<'_>,
        signed: bool,
    ) -> Result<(), StoreError> {
        let Some(g) = &self.git else {
            return Ok(());
        };
        let written = self.take_written();
        let paths: Vec<&str> = written.iter().map(String::as_str).collect();
        g.ensure_driver();
        if signed {
            let g = git::Git::of(&self.root).map(|g| g.signing(true));
            if let Some(g) = g {
                return g.commit(&paths, message, author);
            }
        }
        g.commit(&paths, message, author)
    }

    /// Saves a contract loaded by `contract()`, format-preserving; skips the
    /// write when nothing changed.
    pub fn save_contract(
        &self,
        old: &Doc<Contract>,
        new: &Contract,
    ) -> Result<Written, StoreError> {
        self.must_write();
        if !old.whole {
            return Err(StoreError::Inconsistent(vec![Located::file(
                &old.rel,
                "a contract read without its history cannot be saved",
            )]));
        }
        self.refuse_invalid(&old.rel, validate::contract(new))?;
        self.refuse_invalid(&old.rel, validate::history_ids(new))?;
        self.rewrite(
            &old.rel,
            &old.text,
            canonical(&old.rel, codec::write_contract(new, &self.currency()))?,
        )
    }

    /// Creates a new contract file; never overwrites one.
    pub fn create_contract(&self, c: &Contract) -> Result<(), StoreError> {
        self.must_write();
        let rel = Self::contract_rel(&c.id);
        self.refuse_invalid(&rel, validate::contract(c))?;
        self.refuse_invalid(&rel, validate::history_ids(c))?;
        let dir = self.root.join("contracts");
        atomic::create_dir(&dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
        let text = merge::render_new(canonical(&rel, codec::write_contract(c, &self.currency()))?);
        let path = self.root.join(&rel);
        atomic::create_new(&path, text.as_bytes()).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                StoreError::Refused(crate::core::error::Refusal::ContractExists {
                    id: c.id.clone(),
                    file: Some(rel.to_string()),
                })
            } else {
                io_err(format!("cannot write {}", path.display()))(e)
            }
        })?;
        self.wrote(&rel);
        Ok(())
    }

    /// Saves many week files (an import): each validated first, then all
    /// written with one flush of the disk before their renames and one
    /// after (see [`atomic::replace_all`]). Returns how many changed.
    pub fn save_weeks(
        &self,
        items: &[(Option<&Doc<WeekFile>>, &WeekFile, &Contract)],
    ) -> Result<usize, StoreError> {
        self.must_write();
        let mut files = Vec::new();
        for (old, new, contract) in items {
            let rel = Self::week_rel(new.week, &new.contract);
            self.refuse_invalid(&rel, validate::week(new, Some(contract)))?;
            let canonical = canonical(&rel, codec::write_week(new, &self.currency()))?;
            let text = match old {
                Some(old) => match Self::merged(&old.rel, &old.text, canonical)? {
                    Some(t) => t,
                    None => continue,
                },
                None => merge::render_new(canonical),
            };
            files.push((self.root.join(&rel), text.into_bytes()));
            self.wrote(&rel);
        }
        // Each week's directory once, however many files go into it.
        let dirs: std::collections::BTreeSet<&Path> =
            files.iter().filter_map(|(path, _)| path.parent()).collect();
        for dir in dirs {
            atomic::create_dir(dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
            atomic::clean_temps(dir);
        }
        atomic::replace_all(&files).map_err(|e| StoreError::Io {
            context: "cannot write the import's week files".into(),
            source: e,
        })?;
        for (old, new, _) in items {
            if old.is_none() {
                self.created(new.week, &new.contract);
            }
        }
        Ok(files.len())
    }

    /// Saves a week file (creating it if `old` is `None`).
    pub fn save_week(
        &self,
        old: Option<&Doc<WeekFile>>,
        new: &WeekFile,
        contract: &Contract,
    ) -> Result<Written, StoreError> {
        let rel = Self::week_rel(new.week, &new.contract);
        self.put_week(&rel, old.map(|d| d.text.as_str()), new, contract)
    }
}

#[cfg(test)]
mod tests {
    use super::before_history;

    #[test]
    fn the_history_is_cut_only_when_it_is_the_last_thing_in_the_file() {
        let t =
            "id = \"c1\"\n\n[[payments]]\nat = 1\n\n[[history]]\nat = 1\n\n[[history]]\nat = 2\n";
        assert_eq!(before_history(t), Some(t.find("[[history]]").unwrap()));
        let crlf = t.replace('\n', "\r\n");
        assert_eq!(
            before_history(&crlf),
            Some(crlf.find("[[history]]").unwrap())
        );
        // A table after the history (a hand edit): read the whole file.
        assert_eq!(
            before_history("a = 1\n[[history]]\nx = 1\n[feedback]\n"),
            None
        );
        assert_eq!(before_history("a = 1\n[[history]] # first\nx = 1\n"), None);
        assert_eq!(
            before_history("a = 1\n[[history]] # c\nx = 1\n[[history]]\ny = 2\n"),
            None
        );
        assert_eq!(before_history("[[history]]\nx = 1\n"), None);
        assert_eq!(before_history("a = \"[x]\"\n[[history]]\n"), Some(10));
        assert_eq!(before_history("a = 1\n"), None);
        // What the history's operations came to follows them.
        let t = "a = 1\n[[history]]\nid = \"x\"\n[[effects]]\nid = \"x\"\n[[history]]\n";
        assert_eq!(before_history(t), Some(6));
        assert_eq!(before_history("a = 1\n[[effects]]\nid = 1\n"), None);
        // Conflict markers in the history: read the whole file.
        assert_eq!(
            before_history("a = 1\n[[history]]\nx = 1\n<<<<<<< HEAD\n[[history]]\n"),
            None
        );
    }
}
