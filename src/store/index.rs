//! The derived index (SPEC §6): what `list`, `sweep` and the questions
//! about many weeks need from the ledger's files, kept in git-ignored
//! files so that a command need not read and parse every contract file,
//! nor list every week directory, when they have not changed.
//!
//! The files stay the only truth. Each entry records the size, mtime,
//! ctime, inode and device of the file (or week directory) it was derived
//! from, taken before it was read; it is used only while the file's stat is
//! the same, and only if the file's mtime is older than its section's
//! threshold (git's "racily clean" rule): a file changed within the same
//! tick as the section was made is read again. The threshold is the
//! earlier of the section file's mtime and the instant its command
//! started, less [`RACY_MARGIN`] (the kernel's coarse clock), and an entry
//! whose mtime is a whole second (a file system that keeps no fractions)
//! must be older by [`COARSE_MARGIN`] (as every entry must on a network
//! file system).
//!
//! A missing, unreadable, corrupt or other-version section is ignored (and
//! rebuilt), never an error; `check` never reads it; deleting the index
//! changes no output. It is a directory, `.git/contracts/index/` in a git
//! ledger (git never tracks its own directory) and `.contracts.index/`
//! (git-ignored, hidden from the listings) elsewhere, with a file per
//! section:
//! - `contracts`: per contract file, its stat and the contract as read
//!   without its history, in a compact binary form;
//! - `weeks`: per week directory, its stat and the names of its files;
//! - `dues`: per contract file, its stat and when its contract next has
//!   something due, [`Due`] (small, so that `sweep` finds what it need not
//!   read without loading the contracts), with the table of the week
//!   directories those dues depend on, as they were checked against them;
//! - `rows`: per contract file, its stat and its `list` row ([`Row`]), so
//!   that `list` need not decode a contract with nothing due;
//! - `names`: the stat of `contracts/` and the ids of its files, so that a
//!   command need not list it while it is unchanged (each file is still
//!   stat'ed: an edit in place changes no directory);
//! - `diary`: the stat of `diary/` and its week directories, so that a
//!   command need not list it (two thousand weeks at forty years) while it
//!   is unchanged;
//! - `sheets-YYYY-Www`: a week whose table of every contract was shown
//!   (`diary show --week`, most often the current week, again and again;
//!   the last [`SHEETS_KEPT`] weeks shown): per contract with time in it,
//!   the stats of its contract file and week file, the contract as read
//!   without its history and the week file, so that the table is drawn
//!   from stats alone while neither file changed.
//!
//! Each section is read only by a command that needs it, and written again
//! only when a command learned something it did not have (an entry it lacks
//! because its file is too new to trust is no reason): the small ones
//! (`dues`, `rows`, `names`, `diary`) at once, the big ones once a few things
//! learned add up ([`many`]). Entries are kept in the contracts' order, the
//! order a command asks for them in.

use crate::core::diary::{Aside, Entry, Removed, WeekFile};
use crate::core::model::*;
use crate::core::money::Money;
use crate::core::week::Week;
use rustix::fd::AsFd;
use std::cell::Cell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The index's name in a git ledger's `.git/contracts/`.
pub const GIT_INDEX: &str = "index";
/// The index's name in the directory of a ledger without git.
pub const ROOT_INDEX: &str = ".contracts.index";

/// How much older than the command that made it a file must be for its
/// entry to be trusted, on a local file system that records fractions of a
/// second: a file changed after the command started may carry an mtime up
/// to a tick of the kernel's coarse clock (10 ms at most) earlier, and one
/// of 10 ms granularity (exFAT) earlier again.
pub const RACY_MARGIN: Duration = Duration::from_millis(50);

/// The margin where timestamps are coarser: an entry whose mtime has no
/// fraction of a second (FAT, ext3, HFS+ record whole seconds, FAT even
/// seconds), and every entry of an index on a network file system (where
/// the server's clock stamps the files, not this machine's).
pub const COARSE_MARGIN: Duration = Duration::from_secs(3);

const MAGIC: &[u8; 16] = b"contracts index\0";
/// How many files a command may have read anew (contracts, week
/// directories) and still leave the index's section of them as it was: the
/// next commands read them again, which costs less than writing the whole
/// section (megabytes at 5,000 contracts).
pub const FEW: usize = 16;

/// Whether `learned` entries of a section of `entries` are worth writing
/// it again for: more than [`FEW`], or more than one in 64 (a small
/// section costs little to write).
pub fn many(learned: usize, entries: usize) -> bool {
    learned > FEW || learned.saturating_mul(64) > entries
}

/// Bumped whenever the layout changes; another one is ignored.
const FORMAT: u32 = 6;
/// A section file's header: magic, format, section, key, the entries'
/// length, the checksum of the threshold and entries, the threshold.
const HEADER: usize = 16 + 4 + 4 + 8 + 8 + 8 + 8;

/// A file's (or directory's) identity and version, as git's index keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the epoch.
    pub mtime: i64,
    /// Status change time, ns since the epoch.
    pub ctime: i64,
    /// Inode number.
    pub ino: u64,
    /// Device.
    pub dev: u64,
}

#[allow(clippy::unnecessary_cast)]
impl Stat {
    /// From the kernel's stat.
    pub fn of(s: &rustix::fs::Stat) -> Stat {
        Stat {
            size: s.st_size as u64,
            mtime: (s.st_mtime as i64)
                .saturating_mul(1_000_000_000)
                .saturating_add(s.st_mtime_nsec as i64),
            ctime: (s.st_ctime as i64)
                .saturating_mul(1_000_000_000)
                .saturating_add(s.st_ctime_nsec as i64),
            ino: s.st_ino as u64,
            dev: s.st_dev as u64,
        }
    }

    /// The stat of an open file.
    pub fn of_fd<Fd: AsFd>(fd: Fd) -> io::Result<Stat> {
        Ok(Stat::of(&rustix::fs::fstat(fd)?))
    }

    /// The stat of the entry of `dir` that `name` names for each of
    /// `items` (`None` for each where there is no `dir`, or no entry),
    /// while `meanwhile` runs: many are taken on a second thread (most of
    /// `list`'s and `sweep`'s time at 5,000 contracts is the kernel's, one
    /// stat per file).
    pub fn at_each<T: Sync, Fd: AsFd + Sync>(
        dir: Option<&Fd>,
        items: &[T],
        name: impl Fn(&T, &mut String) + Sync,
        meanwhile: impl FnOnce(),
    ) -> Vec<Option<Stat>> {
        let stat = |items: &[T]| -> Vec<Option<Stat>> {
            let Some(dir) = dir else {
                return vec![None; items.len()];
            };
            let mut buf = String::new();
            items
                .iter()
                .map(|item| {
                    buf.clear();
                    name(item, &mut buf);
                    // Ended by a NUL, the name goes to the kernel as it is
                    // (a `&str` is copied first).
                    buf.push('\0');
                    match std::ffi::CStr::from_bytes_with_nul(buf.as_bytes()) {
                        Ok(c) => Stat::at(dir, c).ok(),
                        Err(_) => Stat::at(dir, &buf[..buf.len() - 1]).ok(),
                    }
                })
                .collect()
        };
        if dir.is_none() || items.len() <= STATS_PER_THREAD {
            meanwhile();
            return stat(items);
        }
        let (first, second) = items.split_at(items.len() / 2);
        std::thread::scope(|s| {
            let other = std::thread::Builder::new()
                .name("stats".into())
                .spawn_scoped(s, || stat(second));
            meanwhile();
            let mut all = stat(first);
            match other.map(|h| h.join()) {
                Ok(Ok(rest)) => all.extend(rest),
                // No second thread: this one does it all.
                _ => all.extend(stat(second)),
            }
            all
        })
    }

    /// The stat of `name` in the open directory `dir` (symlinks followed,
    /// as reading does).
    pub fn at<Fd: AsFd, P: rustix::path::Arg>(dir: Fd, name: P) -> io::Result<Stat> {
        Ok(Stat::of(&rustix::fs::statat(
            dir,
            name,
            rustix::fs::AtFlags::empty(),
        )?))
    }
}

/// How many entries one thread stats; more are shared with a second
/// thread ([`Stat::at_each`]).
const STATS_PER_THREAD: usize = 1024;

/// Nanoseconds since the epoch (negative before it).
fn ns(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

/// The threshold of entries made by a command that started at `started`
/// (`coarse`: on a network file system).
pub fn threshold_of(started: SystemTime, coarse: bool) -> i64 {
    let margin = if coarse { COARSE_MARGIN } else { RACY_MARGIN };
    ns(started.checked_sub(margin).unwrap_or(UNIX_EPOCH))
}

/// Whether a file (or directory) whose mtime is `mtime` is old enough to
/// be trusted from an index whose threshold is `threshold`: before it, and
/// by [`COARSE_MARGIN`] if the mtime is a whole second.
pub fn older(mtime: i64, threshold: i64) -> bool {
    const EXTRA: i64 = (COARSE_MARGIN.as_nanos() - RACY_MARGIN.as_nanos()) as i64;
    mtime < threshold
        && (mtime.rem_euclid(1_000_000_000) != 0 || mtime < threshold.saturating_sub(EXTRA))
}

/// Whether an entry recorded as `recorded` still stands for a file whose
/// stat is now `now`, in an index whose threshold is `threshold`.
pub fn fresh(recorded: &Stat, now: &Stat, threshold: i64) -> bool {
    recorded == now && older(recorded.mtime, threshold)
}

/// What an entry says of when its contract next has something due, for
/// `sweep` to pass over a contract with nothing due without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Not known (a week directory it depends on could not be listed):
    /// the contract is read.
    Unknown,
    /// Nothing of the contract falls due before `at` (`None`: nothing at
    /// all) while its file stays as it was, and while it has no week file
    /// in the weeks of `weeks`, if any.
    Known {
        /// The earliest instant anything can fall due
        /// ([`crate::core::timers::next_due`]).
        at: Option<Instant>,
        /// The weeks in which the contract had no week file when `at` was
        /// computed, and in which one would bring it earlier.
        weeks: Option<WeekDeps>,
    },
}

/// The weeks a [`Due`] depends on: from the first week whose settlement
/// may still fall due to the week before the first that has a file of
/// the contract (a file added in any of them could bring the contract's
/// settlement earlier; one added later, or removed, cannot). A week with
/// a file of the contract is never among them. Checked against the dues
/// section's table of week directories ([`Dues::weeks`]): the contract had
/// no file in any week directory of the table; a week directory not in
/// the table, or changed since, is listed again and looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekDeps {
    /// The first week.
    pub first: Week,
    /// The last week (`None`: every week from `first` on, directories made
    /// later included).
    pub last: Option<Week>,
}

fn put_due(e: &mut Enc, due: &Due) {
    match due {
        Due::Unknown => e.u8(0),
        Due::Known { at, weeks } => {
            e.u8(1);
            e.opt(*at, Enc::instant);
            e.opt(weeks.as_ref(), |e, w| {
                e.week(w.first);
                e.opt(w.last, Enc::week);
            });
        }
    }
}

fn get_due(d: &mut Dec<'_>) -> Option<Due> {
    match d.u8()? {
        0 => Some(Due::Unknown),
        1 => Some(Due::Known {
            at: d.opt(Dec::instant)?,
            weeks: d.opt(|d| {
                Some(WeekDeps {
                    first: d.week()?,
                    last: d.opt(Dec::week)?,
                })
            })?,
        }),
        _ => None,
    }
}

// ------------------------------------------------------------ the files

/// The index as a command opened it: the directory of its section files,
/// each read (and checked against its checksum) only when loaded.
#[derive(Debug)]
pub struct IndexFile {
    dir: rustix::fd::OwnedFd,
    key: u64,
}

/// Which section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Contract files.
    Contracts = 0,
    /// Week directories.
    Weeks = 1,
    /// When each contract next has something due.
    Dues = 2,
    /// `list`'s rows.
    Rows = 3,
    /// The names of the contract files.
    Names = 4,
    /// The week directories of `diary/`.
    Diary = 5,
    /// The sheets of a week shown of every contract (a file per week:
    /// [`sheets_file`]).
    Sheets = 6,
}

impl Section {
    /// The name of the section's file in the index's directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Section::Contracts => "contracts",
            Section::Weeks => "weeks",
            Section::Dues => "dues",
            Section::Rows => "rows",
            Section::Names => "names",
            Section::Diary => "diary",
            Section::Sheets => "sheets",
        }
    }
}

/// A section as loaded: its threshold and its entries' bytes.
#[derive(Debug)]
pub struct Loaded {
    /// Entries whose mtime is not before this are not trusted.
    pub threshold: i64,
    /// The entries (after the threshold).
    pub bytes: Vec<u8>,
}

impl IndexFile {
    /// Opens the index directory at `path`, whose sections are used if this
    /// program wrote them for `key`; `None` if there is no such directory
    /// (an index of a version that kept one file is rebuilt).
    pub fn open(path: &Path, key: u64) -> Option<IndexFile> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let dir = rustix::fs::open(path, flags, Mode::empty()).ok()?;
        Some(IndexFile { dir, key })
    }

    /// A section's bytes, if its file is there, is one this program wrote
    /// for this key and section, and is intact; anything else (absent,
    /// corrupt, another version) is `None`.
    pub fn load(&self, which: Section) -> Option<Loaded> {
        self.load_named(which, which.file_name())
    }

    /// [`IndexFile::load`] of a section kept in a file of another name
    /// (the sheets of a week: [`sheets_file`]).
    pub fn load_named(&self, which: Section, name: &str) -> Option<Loaded> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.dir, name, flags, Mode::empty()).ok()?;
        let file = std::fs::File::from(fd);
        let mtime = Stat::of_fd(&file).ok()?.mtime;
        let mut head = [0u8; HEADER];
        file.read_exact_at(&mut head, 0).ok()?;
        let mut d = Dec::new(&head);
        if d.take(16)? != MAGIC || d.u32()? != FORMAT || d.u32()? != which as u32 {
            return None;
        }
        if d.u64()? != self.key {
            return None;
        }
        let len = d.u64()?;
        let sum = d.u64()?;
        let threshold = d.u64()? as i64;
        if len > 1 << 34 {
            return None;
        }
        let mut bytes = vec![0u8; usize::try_from(len).ok()?];
        file.read_exact_at(&mut bytes, HEADER as u64).ok()?;
        if checksum_split(&threshold.to_le_bytes(), &bytes) != sum {
            return None;
        }
        Some(Loaded {
            threshold: threshold.min(mtime),
            bytes,
        })
    }
}

/// A section to write: its threshold and entries.
pub type Part = (i64, Vec<u8>);

/// Writes `parts` into the index directory at `path` for `key`, each
/// section in its own file (a section not given is left as it is). A file
/// where the directory belongs (an index of an earlier version) is
/// replaced. Each file is whole or missing (a temp file of this process
/// renamed to it, the old one removed first), not flushed to disk: it is a
/// cache, and a torn one fails its checksum.
pub fn write(path: &Path, key: u64, parts: &[(Section, &Part)]) -> io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(path)?;
    }
    super::atomic::create_dir(path)?;
    for (which, (threshold, bytes)) in parts {
        write_section(path, key, *which, which.file_name(), *threshold, bytes)?;
    }
    Ok(())
}

/// The file of the sheets of `week`.
pub fn sheets_file(week: Week) -> String {
    format!("{}-{week}", Section::Sheets.file_name())
}

/// A week's sheets are written again once more than this many of its
/// files were read anew (see [`many`] for the big sections).
pub const FEW_SHEETS: usize = 8;

/// How many weeks' sheets are kept: the current week's table, and the few
/// others looked at in between, each stand.
pub const SHEETS_KEPT: usize = 4;

/// Writes the sheets of `week` ([`sheets_section`]) into the index
/// directory at `path` for `key`, and removes the oldest weeks' beyond
/// [`SHEETS_KEPT`].
pub fn write_sheets(path: &Path, key: u64, week: Week, part: &Part) -> io::Result<()> {
    super::atomic::create_dir(path)?;
    let name = sheets_file(week);
    write_section(path, key, Section::Sheets, &name, part.0, &part.1)?;
    let prefix = format!("{}-", Section::Sheets.file_name());
    let mut others: Vec<(SystemTime, std::path::PathBuf)> = std::fs::read_dir(path)?
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix) && n != name)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    others.sort();
    let extra = (others.len() + 1).saturating_sub(SHEETS_KEPT);
    for (_, p) in others.into_iter().take(extra) {
        let _ = std::fs::remove_file(p);
    }
    Ok(())
}

fn write_section(
    dir: &Path,
    key: u64,
    which: Section,
    name: &str,
    threshold: i64,
    bytes: &[u8],
) -> io::Result<()> {
    let mut out = Vec::with_capacity(HEADER + bytes.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(which as u32).to_le_bytes());
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(&checksum_split(&threshold.to_le_bytes(), bytes).to_le_bytes());
    out.extend_from_slice(&threshold.to_le_bytes());
    debug_assert_eq!(out.len(), HEADER);
    out.extend_from_slice(bytes);
    // Per process: readers under the shared lock may write it at once.
    let tmp = dir.join(format!(
        "{}{name}.{}",
        super::atomic::TEMP_PREFIX,
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(super::atomic::FILE_MODE)
            .open(&tmp)?;
        fail::fail_point!("index::write", |arg| Err(injected(arg)));
        f.write_all(&out)?;
        drop(f);
        // The old file goes first: ext4 flushes a file renamed over another
        // (`auto_da_alloc`: 0.4 ms for 30 KB here, 0.2 ms this way); a
        // reader meanwhile finds the section missing, as after a crash,
        // and reads the files.
        let target = dir.join(name);
        match std::fs::remove_file(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        fail::fail_point!("index::rename", |arg| Err(injected(arg)));
        std::fs::rename(&tmp, target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

use std::os::unix::fs::OpenOptionsExt;

#[cfg(feature = "failpoints")]
fn injected(arg: Option<String>) -> io::Error {
    if arg.as_deref() == Some("kill") {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &std::process::id().to_string()])
            .status();
        loop {
            std::thread::park();
        }
    }
    io::Error::from_raw_os_error(5)
}

#[cfg(not(feature = "failpoints"))]
#[allow(dead_code)]
fn injected(_: Option<String>) -> io::Error {
    io::Error::other("failpoint")
}

/// A checksum of `b` (not cryptographic: it finds a torn or damaged file,
/// eight bytes at a time).
fn checksum(b: &[u8]) -> u64 {
    let h: u64 = 0x9e37_79b9_7f4a_7c15 ^ b.len() as u64;
    checksum_on(h, b)
}

/// [`checksum`] of `head` followed by `body`, without joining them.
fn checksum_split(head: &[u8; 8], body: &[u8]) -> u64 {
    let h: u64 = 0x9e37_79b9_7f4a_7c15 ^ (8 + body.len()) as u64;
    let h = (h ^ u64::from_le_bytes(*head))
        .wrapping_mul(0xff51_afd7_ed55_8ccd)
        .rotate_left(29);
    checksum_on(h, body)
}

/// The checksum of `b` from the state `h`.
fn checksum_on(mut h: u64, b: &[u8]) -> u64 {
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w))
            .wrapping_mul(0xff51_afd7_ed55_8ccd)
            .rotate_left(29);
    }
    for &x in chunks.remainder() {
        h = (h ^ u64::from(x)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    }
    h ^ (h >> 31)
}

/// The key of an index for a ledger whose `ledger.toml` reads `settings`:
/// a change of the program or of the settings (the currency reads the
/// amounts) makes every entry stale.
pub fn key_of(settings: &str) -> u64 {
    let text = format!("{}\n{}\n{settings}", env!("CARGO_PKG_VERSION"), FORMAT);
    checksum(text.as_bytes())
}

// ------------------------------------------------------------ encoding

/// Bytes being written.
#[derive(Debug, Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    /// A u32.
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// A u64.
    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    /// A string.
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Self, T)) {
        match v {
            Some(x) => {
                self.u8(1);
                f(self, x);
            }
            None => self.u8(0),
        }
    }
    fn instant(&mut self, t: Instant) {
        self.i64(t.timestamp());
        self.u32(t.timestamp_subsec_nanos());
    }
    fn money(&mut self, m: Money) {
        self.i64(m.minor());
    }
    /// A week.
    pub fn week(&mut self, w: Week) {
        self.i64(w.start().timestamp());
    }
    fn pick<T: PartialEq + Copy>(&mut self, v: T, all: &[T]) {
        self.u8(all.iter().position(|x| *x == v).unwrap_or(0) as u8);
    }
    /// A stat.
    pub fn stat(&mut self, s: &Stat) {
        self.u64(s.size);
        self.i64(s.mtime);
        self.i64(s.ctime);
        self.u64(s.ino);
        self.u64(s.dev);
    }
}

/// Bytes being read; every read is checked (`None`: not an index).
#[derive(Debug)]
pub struct Dec<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Dec<'a> {
    /// Reads `b` from its start.
    pub fn new(b: &'a [u8]) -> Dec<'a> {
        Dec { b, at: 0 }
    }
    /// Whether everything was read.
    pub fn done(&self) -> bool {
        self.at == self.b.len()
    }
    /// Where it is.
    pub fn at(&self) -> usize {
        self.at
    }
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    /// A u32.
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    /// A u64.
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    /// A string.
    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }
    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            1 => f(self).map(Some),
            _ => None,
        }
    }
    fn instant(&mut self) -> Option<Instant> {
        let secs = self.i64()?;
        let nanos = self.u32()?;
        chrono::DateTime::from_timestamp(secs, nanos)
    }
    fn money(&mut self) -> Option<Money> {
        Some(Money::from_minor(self.i64()?))
    }
    /// A week.
    pub fn week(&mut self) -> Option<Week> {
        let t = chrono::DateTime::from_timestamp(self.i64()?, 0)?;
        let w = Week::of(t);
        (w.start() == t).then_some(w)
    }
    fn pick<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(usize::from(self.u8()?)).copied()
    }
    /// A stat.
    pub fn stat(&mut self) -> Option<Stat> {
        Some(Stat {
            size: self.u64()?,
            mtime: self.i64()?,
            ctime: self.i64()?,
            ino: self.u64()?,
            dev: self.u64()?,
        })
    }
    fn vec<T>(&mut self, mut f: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.u32()? as usize;
        // A damaged count must not reserve memory it cannot have.
        let mut out = Vec::with_capacity(n.min(self.b.len() - self.at));
        for _ in 0..n {
            out.push(f(self)?);
        }
        Some(out)
    }
}

fn put_vec<T>(e: &mut Enc, v: &[T], mut f: impl FnMut(&mut Enc, &T)) {
    e.u32(v.len() as u32);
    for x in v {
        f(e, x);
    }
}

// ------------------------------------------------------------ contracts

/// Encodes a contract read without its history. Every field is named, so
/// that a field added to the model does not compile until it is kept here.
pub fn put_contract(e: &mut Enc, c: &Contract) {
    let Contract {
        id,
        title,
        client,
        freelancer,
        terms,
        status,
        started_at,
        ending,
        milestones,
        payments,
        refunds,
        disputes,
        feedback_client,
        feedback_freelancer,
        history: _,
    } = c;
    e.str(id.as_str());
    e.str(title);
    e.str(client);
    e.str(freelancer);
    match terms {
        Terms::Hourly {
            rate,
            weekly_limit,
            limit_changes,
            manual_time,
        } => {
            e.u8(0);
            e.money(*rate);
            e.opt(*weekly_limit, Enc::u32);
            put_vec(e, limit_changes, |e, l| {
                let LimitChange { at, from, hours } = l;
                e.instant(*at);
                e.instant(*from);
                e.opt(*hours, Enc::u32);
            });
            e.bool(*manual_time);
        }
        Terms::Fixed { price } => {
            e.u8(1);
            e.money(*price);
        }
    }
    e.pick(*status, Status::ALL);
    e.instant(*started_at);
    e.opt(ending.as_ref(), |e, x| {
        let Ending {
            at,
            by,
            reason,
            note,
        } = x;
        e.instant(*at);
        e.pick(*by, Role::ALL);
        e.pick(*reason, EndReason::ALL);
        e.opt(note.as_deref(), Enc::str);
    });
    put_vec(e, milestones, |e, m| {
        let Milestone {
            title,
            amount,
            status,
            funded,
            funded_at,
            submitted_at,
        } = m;
        e.str(title);
        e.money(*amount);
        e.pick(*status, MilestoneStatus::ALL);
        e.money(*funded);
        e.opt(*funded_at, Enc::instant);
        e.opt(*submitted_at, Enc::instant);
    });
    put_vec(e, payments, |e, p| {
        let Payment {
            at,
            milestone,
            week,
            amount,
            fee,
        } = p;
        e.instant(*at);
        e.opt(*milestone, Enc::u32);
        e.opt(*week, Enc::week);
        e.money(*amount);
        e.money(*fee);
    });
    put_vec(e, refunds, |e, r| {
        let Refund {
            origin,
            milestone,
            amount,
            status,
            requested_at,
            deadline,
            disputed_at,
            dispute_deadline,
            note,
            settled_at,
            client_part,
            fee_returned,
        } = r;
        e.pick(*origin, RefundOrigin::ALL);
        e.opt(*milestone, Enc::u32);
        e.money(*amount);
        e.pick(*status, RefundStatus::ALL);
        e.instant(*requested_at);
        e.instant(*deadline);
        e.opt(*disputed_at, Enc::instant);
        e.opt(*dispute_deadline, Enc::instant);
        e.opt(note.as_deref(), Enc::str);
        e.opt(*settled_at, Enc::instant);
        e.opt(*client_part, Enc::money);
        e.opt(*fee_returned, Enc::money);
    });
    put_vec(e, disputes, |e, d| {
        let HourlyDispute {
            week,
            reason,
            status,
            opened_at,
            closed_at,
            refunded,
        } = d;
        e.week(*week);
        e.str(reason);
        e.pick(*status, DisputeStatus::ALL);
        e.instant(*opened_at);
        e.opt(*closed_at, Enc::instant);
        e.opt(*refunded, Enc::money);
    });
    for f in [feedback_client, feedback_freelancer] {
        e.opt(f.as_ref(), put_feedback);
    }
}

fn put_feedback(e: &mut Enc, f: &Feedback) {
    let Feedback {
        status,
        given_at,
        stars,
        scores,
        comment,
        private,
        reply,
        replied_at,
        commitment,
        salt,
    } = f;
    e.pick(*status, FeedbackStatus::ALL);
    e.opt(*given_at, Enc::instant);
    e.opt(*stars, Enc::u8);
    let Scores {
        skills,
        quality,
        availability,
        deadlines,
        communication,
        cooperation,
    } = scores;
    for s in [
        skills,
        quality,
        availability,
        deadlines,
        communication,
        cooperation,
    ] {
        e.opt(*s, Enc::u8);
    }
    for t in [comment, private, reply] {
        e.opt(t.as_deref(), Enc::str);
    }
    e.opt(*replied_at, Enc::instant);
    for t in [commitment, salt] {
        e.opt(t.as_deref(), Enc::str);
    }
}

/// Decodes what [`put_contract`] wrote (its history empty).
pub fn get_contract(d: &mut Dec<'_>) -> Option<Contract> {
    let id = ContractId::parse(d.str()?).ok()?;
    let title = d.string()?;
    let client = d.string()?;
    let freelancer = d.string()?;
    let terms = match d.u8()? {
        0 => Terms::Hourly {
            rate: d.money()?,
            weekly_limit: d.opt(Dec::u32)?,
            limit_changes: d.vec(|d| {
                Some(LimitChange {
                    at: d.instant()?,
                    from: d.instant()?,
                    hours: d.opt(Dec::u32)?,
                })
            })?,
            manual_time: d.bool()?,
        },
        1 => Terms::Fixed { price: d.money()? },
        _ => return None,
    };
    let status = d.pick(Status::ALL)?;
    let started_at = d.instant()?;
    let ending = d.opt(|d| {
        Some(Ending {
            at: d.instant()?,
            by: d.pick(Role::ALL)?,
            reason: d.pick(EndReason::ALL)?,
            note: d.opt(Dec::string)?,
        })
    })?;
    let milestones = d.vec(|d| {
        Some(Milestone {
            title: d.string()?,
            amount: d.money()?,
            status: d.pick(MilestoneStatus::ALL)?,
            funded: d.money()?,
            funded_at: d.opt(Dec::instant)?,
            submitted_at: d.opt(Dec::instant)?,
        })
    })?;
    let payments = d.vec(|d| {
        Some(Payment {
            at: d.instant()?,
            milestone: d.opt(Dec::u32)?,
            week: d.opt(Dec::week)?,
            amount: d.money()?,
            fee: d.money()?,
        })
    })?;
    let refunds = d.vec(|d| {
        Some(Refund {
            origin: d.pick(RefundOrigin::ALL)?,
            milestone: d.opt(Dec::u32)?,
            amount: d.money()?,
            status: d.pick(RefundStatus::ALL)?,
            requested_at: d.instant()?,
            deadline: d.instant()?,
            disputed_at: d.opt(Dec::instant)?,
            dispute_deadline: d.opt(Dec::instant)?,
            note: d.opt(Dec::string)?,
            settled_at: d.opt(Dec::instant)?,
            client_part: d.opt(Dec::money)?,
            fee_returned: d.opt(Dec::money)?,
        })
    })?;
    let disputes = d.vec(|d| {
        Some(HourlyDispute {
            week: d.week()?,
            reason: d.string()?,
            status: d.pick(DisputeStatus::ALL)?,
            opened_at: d.instant()?,
            closed_at: d.opt(Dec::instant)?,
            refunded: d.opt(Dec::money)?,
        })
    })?;
    let feedback_client = d.opt(get_feedback)?;
    let feedback_freelancer = d.opt(get_feedback)?;
    Some(Contract {
        id,
        title,
        client,
        freelancer,
        terms,
        status,
        started_at,
        ending,
        milestones,
        payments,
        refunds,
        disputes,
        feedback_client,
        feedback_freelancer,
        history: Vec::new(),
    })
}

fn get_feedback(d: &mut Dec<'_>) -> Option<Feedback> {
    Some(Feedback {
        status: d.pick(FeedbackStatus::ALL)?,
        given_at: d.opt(Dec::instant)?,
        stars: d.opt(Dec::u8)?,
        scores: Scores {
            skills: d.opt(Dec::u8)?,
            quality: d.opt(Dec::u8)?,
            availability: d.opt(Dec::u8)?,
            deadlines: d.opt(Dec::u8)?,
            communication: d.opt(Dec::u8)?,
            cooperation: d.opt(Dec::u8)?,
        },
        comment: d.opt(Dec::string)?,
        private: d.opt(Dec::string)?,
        reply: d.opt(Dec::string)?,
        replied_at: d.opt(Dec::instant)?,
        commitment: d.opt(Dec::string)?,
        salt: d.opt(Dec::string)?,
    })
}

/// The contracts section, loaded: per contract file name (the id), its
/// stat and where its contract lies in `bytes`.
#[derive(Debug, Default)]
pub struct Contracts {
    /// The threshold of its entries.
    pub threshold: i64,
    bytes: Vec<u8>,
    entries: HashMap<Box<str>, (Stat, std::ops::Range<usize>)>,
}

impl Contracts {
    /// Reads the section's entries (not their contracts yet); `None` if it
    /// does not parse.
    pub fn read(l: Loaded) -> Option<Contracts> {
        let mut d = Dec::new(&l.bytes);
        let n = d.u32()? as usize;
        let mut entries = HashMap::with_capacity(n.min(l.bytes.len()));
        for _ in 0..n {
            let id: Box<str> = d.str()?.into();
            let stat = d.stat()?;
            let len = d.u32()? as usize;
            let at = d.at();
            d.take(len)?;
            entries.insert(id, (stat, at..at + len));
        }
        if !d.done() {
            return None;
        }
        Some(Contracts {
            threshold: l.threshold,
            bytes: l.bytes,
            entries,
        })
    }

    /// The contract of the file `id`, if its entry still stands for the
    /// file whose stat is `now`.
    pub fn get(&self, id: &str, now: &Stat) -> Option<Contract> {
        let (stat, range) = self.entries.get(id)?;
        if !fresh(stat, now, self.threshold) {
            return None;
        }
        let mut d = Dec::new(self.bytes.get(range.clone())?);
        let c = get_contract(&mut d)?;
        (d.done() && c.id.as_str() == id).then_some(c)
    }

    /// The entry of `id` as recorded (its stat and encoded contract).
    pub fn raw(&self, id: &str) -> Option<(Stat, &[u8])> {
        let (stat, range) = self.entries.get(id)?;
        Some((*stat, self.bytes.get(range.clone())?))
    }
}

/// Builds a contracts section from `(id, stat, encoded contract)` entries.
pub fn contracts_section<'a>(entries: impl Iterator<Item = (&'a str, Stat, &'a [u8])>) -> Vec<u8> {
    let mut e = Enc::default();
    e.u32(0);
    let mut n = 0u32;
    for (id, stat, bytes) in entries {
        e.str(id);
        e.stat(&stat);
        e.u32(bytes.len() as u32);
        e.0.extend_from_slice(bytes);
        n += 1;
    }
    e.0[..4].copy_from_slice(&n.to_le_bytes());
    e.0
}

// ------------------------------------------------------------ week files

/// Encodes a week file. Every field is named, so that a field added to
/// the model does not compile until it is kept here.
pub fn put_week(e: &mut Enc, w: &WeekFile) {
    let WeekFile {
        contract,
        week,
        entries,
        last_number,
        aside,
        removed,
    } = w;
    e.str(contract.as_str());
    e.week(*week);
    put_vec(e, entries, put_entry);
    e.u64(*last_number);
    put_vec(e, aside, |e, a| {
        let Aside { entry, why } = a;
        put_entry(e, entry);
        e.str(why);
    });
    put_vec(e, removed, |e, r| {
        let Removed { id, at, origin } = r;
        e.str(id);
        e.instant(*at);
        e.opt(origin.as_deref(), Enc::str);
    });
}

fn put_entry(e: &mut Enc, x: &Entry) {
    let Entry {
        id,
        start,
        end,
        memo,
        manual,
        origin,
        history,
        at,
    } = x;
    e.str(id);
    e.instant(*start);
    e.opt(*end, Enc::instant);
    e.str(memo);
    e.bool(*manual);
    e.opt(origin.as_deref(), Enc::str);
    e.bool(*history);
    e.opt(*at, Enc::instant);
}

/// Decodes what [`put_week`] wrote.
pub fn get_week(d: &mut Dec<'_>) -> Option<WeekFile> {
    Some(WeekFile {
        contract: ContractId::parse(d.str()?).ok()?,
        week: d.week()?,
        entries: d.vec(get_entry)?,
        last_number: d.u64()?,
        aside: d.vec(|d| {
            Some(Aside {
                entry: get_entry(d)?,
                why: d.string()?,
            })
        })?,
        removed: d.vec(|d| {
            Some(Removed {
                id: d.string()?,
                at: d.instant()?,
                origin: d.opt(Dec::string)?,
            })
        })?,
    })
}

fn get_entry(d: &mut Dec<'_>) -> Option<Entry> {
    Some(Entry {
        id: d.string()?,
        start: d.instant()?,
        end: d.opt(Dec::instant)?,
        memo: d.string()?,
        manual: d.bool()?,
        origin: d.opt(Dec::string)?,
        history: d.bool()?,
        at: d.opt(Dec::instant)?,
    })
}

/// One contract's entry in the sheets section: the stats of its contract
/// file and week file, and each encoded.
#[derive(Debug, Clone, Copy)]
pub struct SheetEntry<'a> {
    /// The contract's id (its files' name).
    pub id: &'a str,
    /// Its contract file's stat, taken before it was read.
    pub contract_stat: Stat,
    /// Its week file's stat, taken before it was read.
    pub week_stat: Stat,
    /// The contract without its history ([`put_contract`]).
    pub contract: &'a [u8],
    /// The week file ([`put_week`]).
    pub week: &'a [u8],
}

/// An entry of a loaded sheets section: where its contract and week file
/// lie in the section's bytes.
#[derive(Debug)]
struct Recorded {
    id: Box<str>,
    contract_stat: Stat,
    week_stat: Stat,
    contract: std::ops::Range<usize>,
    week: std::ops::Range<usize>,
}

/// The sheets section, loaded: the week it is of, the stat of its
/// directory when the entries are of every file in it, and its entries, in
/// the contracts' order.
#[derive(Debug)]
pub struct Sheets {
    /// The week.
    pub week: Week,
    dir: Option<Stat>,
    threshold: i64,
    bytes: Vec<u8>,
    entries: Vec<Recorded>,
}

impl Sheets {
    /// Reads the section's entries (not their contents yet); `None` if it
    /// does not parse.
    pub fn read(l: Loaded) -> Option<Sheets> {
        let mut d = Dec::new(&l.bytes);
        let week = d.week()?;
        let dir = d.opt(Dec::stat)?;
        let entries = d.vec(|d| {
            let id: Box<str> = d.str()?.into();
            let (cs, ws) = (d.stat()?, d.stat()?);
            let blob = |d: &mut Dec<'_>| {
                let len = d.u32()? as usize;
                let at = d.at();
                d.take(len)?;
                Some(at..at + len)
            };
            let (contract, week) = (blob(d)?, blob(d)?);
            Some(Recorded {
                id,
                contract_stat: cs,
                week_stat: ws,
                contract,
                week,
            })
        })?;
        if !d.done() {
            return None;
        }
        Some(Sheets {
            week,
            dir,
            threshold: l.threshold,
            bytes: l.bytes,
            entries,
        })
    }

    /// The contracts with a file in the week's directory, if the entries
    /// are of every one and the directory's stat is still `now` (no file
    /// added, removed or renamed).
    pub fn ids(&self, now: &Stat) -> Option<Vec<ContractId>> {
        let dir = self.dir.as_ref()?;
        if !fresh(dir, now, self.threshold) {
            return None;
        }
        self.entries
            .iter()
            .map(|e| ContractId::parse(&e.id).ok())
            .collect()
    }

    /// The entry of `id`, if it stands for both files as they are now
    /// (their stats `contract` and `week`): their contents decoded, and
    /// the entry as recorded.
    pub fn get<'a>(
        &'a self,
        id: &'a str,
        contract: &Stat,
        week: &Stat,
    ) -> Option<(Contract, WeekFile, SheetEntry<'a>)> {
        let i = self
            .entries
            .binary_search_by(|e| ContractId::order(e.id.as_bytes(), id.as_bytes()))
            .ok()?;
        let r = &self.entries[i];
        if !fresh(&r.contract_stat, contract, self.threshold)
            || !fresh(&r.week_stat, week, self.threshold)
        {
            return None;
        }
        let entry = SheetEntry {
            id,
            contract_stat: r.contract_stat,
            week_stat: r.week_stat,
            contract: self.bytes.get(r.contract.clone())?,
            week: self.bytes.get(r.week.clone())?,
        };
        let mut d = Dec::new(entry.contract);
        let c = get_contract(&mut d).filter(|c| d.done() && c.id.as_str() == id)?;
        let mut d = Dec::new(entry.week);
        let w = get_week(&mut d)
            .filter(|w| d.done() && w.contract.as_str() == id && w.week == self.week)?;
        Some((c, w, entry))
    }
}

/// Builds a sheets section of `week` from entries in the contracts' order;
/// `dir`: the stat of the week's directory, taken before it was listed, if
/// they are of every file in it.
pub fn sheets_section(week: Week, dir: Option<&Stat>, entries: &[SheetEntry<'_>]) -> Vec<u8> {
    let mut e = Enc::default();
    e.week(week);
    e.opt(dir, Enc::stat);
    put_vec(&mut e, entries, |e, s| {
        e.str(s.id);
        e.stat(&s.contract_stat);
        e.stat(&s.week_stat);
        for blob in [s.contract, s.week] {
            e.u32(blob.len() as u32);
            e.0.extend_from_slice(blob);
        }
    });
    e.0
}

/// The dues section, loaded: the week directories its entries' week
/// dependencies were checked against, and per contract file name (the
/// id), its stat and its [`Due`].
#[derive(Debug, Default)]
pub struct Dues {
    /// The threshold of its entries.
    pub threshold: i64,
    /// The weeks any entry depends on, as disjoint spans in order.
    pub spans: Vec<WeekDeps>,
    /// Each week directory in `spans`, with its stat, as the entries were
    /// checked against it (sorted; a directory too new to trust, or not
    /// listed, is left out).
    pub weeks: Vec<(Week, Stat)>,
    bytes: Vec<u8>,
    // (name's place in `bytes`, stat, due), in the contracts' order: no
    // name is copied out.
    entries: Vec<(std::ops::Range<usize>, Stat, Due)>,
    // Where the next id asked for is likely to be.
    next: Cell<usize>,
}

impl Dues {
    /// Reads the section; `None` if it does not parse.
    pub fn read(l: Loaded) -> Option<Dues> {
        let mut d = Dec::new(&l.bytes);
        let weeks = d.vec(|d| Some((d.week()?, d.stat()?)))?;
        if !weeks.is_sorted_by(|a, b| a.0 < b.0) {
            return None;
        }
        let n = d.u32()? as usize;
        let mut entries = Vec::with_capacity(n.min(l.bytes.len()));
        for _ in 0..n {
            let len = d.u32()? as usize;
            let id = d.at()..d.at() + len;
            d.take(len)?;
            let stat = d.stat()?;
            entries.push((id, stat, get_due(&mut d)?));
        }
        let name = |r: &std::ops::Range<usize>| &l.bytes[r.clone()];
        if !d.done() || !entries.is_sorted_by(|a, b| in_order(name(&a.0), name(&b.0))) {
            return None;
        }
        let spans = spans(entries.iter().filter_map(|(_, _, due)| match due {
            Due::Known { weeks, .. } => *weeks,
            Due::Unknown => None,
        }));
        Some(Dues {
            threshold: l.threshold,
            spans,
            weeks,
            bytes: l.bytes,
            entries,
            next: Cell::new(0),
        })
    }

    fn find(&self, id: &str) -> Option<(Stat, Due)> {
        let i = seek(&self.next, id, &self.entries, |e| &self.bytes[e.0.clone()])?;
        self.entries.get(i).map(|(_, s, d)| (*s, *d))
    }

    /// When the contract of the file `id` next has something due, if its
    /// entry still stands for the file whose stat is `now` (the week
    /// directories it depends on are the caller's to check).
    pub fn get(&self, id: &str, now: &Stat) -> Option<Due> {
        let (stat, due) = self.find(id)?;
        fresh(&stat, now, self.threshold).then_some(due)
    }

    /// The entry of `id` as recorded, trusted or not.
    pub fn raw(&self, id: &str) -> Option<(Stat, Due)> {
        self.find(id)
    }

    /// The stat of `week`'s directory in the table, if it is there and
    /// old enough to be trusted.
    pub fn week(&self, week: Week) -> Option<Stat> {
        let i = self.weeks.binary_search_by(|(w, _)| w.cmp(&week)).ok()?;
        let stat = self.weeks[i].1;
        older(stat.mtime, self.threshold).then_some(stat)
    }
}

/// The weeks of `deps`, as disjoint spans in order (adjacent ones joined).
pub fn spans(deps: impl Iterator<Item = WeekDeps>) -> Vec<WeekDeps> {
    let mut all: Vec<WeekDeps> = deps.collect();
    all.sort_unstable_by_key(|d| d.first);
    let mut out: Vec<WeekDeps> = Vec::new();
    for d in all {
        if let Some(cur) = out.last_mut()
            && cur.last.is_none_or(|l| d.first <= l.next())
        {
            cur.last = match (cur.last, d.last) {
                (Some(a), Some(b)) => Some(a.max(b)),
                _ => None,
            };
            continue;
        }
        out.push(d);
    }
    out
}

/// Builds a dues section from its table of week directories (those of the
/// entries' spans, sorted) and `(id, stat, due)` entries (sorted here by
/// id).
pub fn dues_section(weeks: &[(Week, Stat)], mut entries: Vec<(&str, Stat, Due)>) -> Vec<u8> {
    entries.sort_by(|a, b| ContractId::order(a.0.as_bytes(), b.0.as_bytes()));
    let mut e = Enc::default();
    put_vec(&mut e, weeks, |e, (w, s)| {
        e.week(*w);
        e.stat(s);
    });
    let at = e.0.len();
    e.u32(0);
    let mut n = 0u32;
    for (id, stat, due) in entries {
        e.str(id);
        e.stat(&stat);
        put_due(&mut e, &due);
        n += 1;
    }
    e.0[at..at + 4].copy_from_slice(&n.to_le_bytes());
    e.0
}

/// Whether the id `a` comes before `b` (a section's entries are kept in
/// the contracts' order, the order commands ask for them in).
fn in_order(a: &[u8], b: &[u8]) -> bool {
    ContractId::order(a, b) == std::cmp::Ordering::Less
}

/// The place of `id` among `entries`, kept in the contracts' order, whose
/// names `name` gives: the one after the last found first (a command asks
/// for every contract in that order), else by binary search.
fn seek<'a, E>(
    next: &Cell<usize>,
    id: &str,
    entries: &'a [E],
    name: impl Fn(&'a E) -> &'a [u8],
) -> Option<usize> {
    let at = next.get();
    let i = match entries.get(at) {
        Some(e) if name(e) == id.as_bytes() => at,
        _ => entries
            .binary_search_by(|e| ContractId::order(name(e), id.as_bytes()))
            .ok()?,
    };
    next.set(i + 1);
    Some(i)
}

/// A `list` row of a contract (all but its week's cell), as `list` shows
/// it for the contract as its file has it: used only for a contract with
/// nothing due (so that its timers change nothing), and recorded only for
/// one whose row is the same at any clock (no change of its weekly limit).
#[derive(Debug, Clone)]
pub struct Row {
    /// Whether the contract is hourly.
    pub hourly: bool,
    // Its cells from the title to the next deadline, but the week's: where
    // each lies in `text`, which it shares with every row of its rows
    // section (5,000 rows in a `list`: no string of their own to make).
    text: std::rc::Rc<Vec<u8>>,
    cells: [(u32, u32); 8],
}

impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.hourly == other.hourly && self.cells() == other.cells()
    }
}

impl Eq for Row {}

impl Row {
    /// The row of `cells`.
    pub fn new(hourly: bool, cells: [&str; 8]) -> Row {
        let mut text = Vec::with_capacity(cells.iter().map(|c| c.len()).sum());
        let cells = cells.map(|c| {
            let start = text.len();
            text.extend_from_slice(c.as_bytes());
            (start as u32, text.len() as u32)
        });
        Row {
            hourly,
            text: std::rc::Rc::new(text),
            cells,
        }
    }

    /// Its cells.
    pub fn cells(&self) -> [&str; 8] {
        self.cells.map(|(start, end)| {
            self.text
                .get(start as usize..end as usize)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default()
        })
    }

    /// The length of its cells' text, in bytes.
    pub fn len(&self) -> usize {
        self.cells.iter().map(|(s, e)| (e - s) as usize).sum()
    }

    /// Whether its cells are all empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The rows section, loaded: per contract file name (the id), its stat and
/// where its row lies, sorted by name (no entry is decoded before it is
/// asked for).
#[derive(Debug, Default)]
pub struct Rows {
    /// The threshold of its entries.
    pub threshold: i64,
    // Shared with the rows taken from it.
    bytes: std::rc::Rc<Vec<u8>>,
    // (name, stat, row) places, in the contracts' order.
    entries: Vec<(std::ops::Range<usize>, Stat, std::ops::Range<usize>)>,
    // Where the next id asked for is likely to be.
    next: Cell<usize>,
}

impl Rows {
    /// Reads the section's entries (not their rows yet); `None` if it does
    /// not parse or is not sorted.
    pub fn read(l: Loaded) -> Option<Rows> {
        let mut d = Dec::new(&l.bytes);
        let n = d.u32()? as usize;
        let mut entries = Vec::with_capacity(n.min(l.bytes.len()));
        for _ in 0..n {
            let len = d.u32()? as usize;
            let id = d.at()..d.at() + len;
            d.take(len)?;
            let stat = d.stat()?;
            let len = d.u32()? as usize;
            let row = d.at()..d.at() + len;
            d.take(len)?;
            entries.push((id, stat, row));
        }
        let name = |r: &std::ops::Range<usize>| &l.bytes[r.clone()];
        if !d.done() || !entries.is_sorted_by(|a, b| in_order(name(&a.0), name(&b.0))) {
            return None;
        }
        Some(Rows {
            threshold: l.threshold,
            bytes: std::rc::Rc::new(l.bytes),
            entries,
            next: Cell::new(0),
        })
    }

    fn find(&self, id: &str) -> Option<&(std::ops::Range<usize>, Stat, std::ops::Range<usize>)> {
        let i = seek(&self.next, id, &self.entries, |e| &self.bytes[e.0.clone()])?;
        self.entries.get(i)
    }

    /// Whether the entry of `id` stands for the file whose stat is `now`
    /// (its row not decoded).
    pub fn stands(&self, id: &str, now: &Stat) -> bool {
        self.find(id)
            .is_some_and(|(_, stat, _)| fresh(stat, now, self.threshold))
    }

    /// The row of the file `id`, if its entry still stands for the file
    /// whose stat is `now`.
    pub fn get(&self, id: &str, now: &Stat) -> Option<Row> {
        let (_, stat, range) = self.find(id)?;
        if !fresh(stat, now, self.threshold) {
            return None;
        }
        let mut d = Dec::new(self.bytes.get(range.clone())?);
        let hourly = d.bool()?;
        let mut cells = [(0, 0); 8];
        for c in &mut cells {
            let len = d.str()?.len();
            let end = range.start + d.at();
            *c = (u32::try_from(end - len).ok()?, u32::try_from(end).ok()?);
        }
        d.done().then(|| Row {
            hourly,
            text: self.bytes.clone(),
            cells,
        })
    }

    /// The entry of `id` as recorded (its stat and encoded row), if it is
    /// old enough to be trusted.
    pub fn raw(&self, id: &str) -> Option<(Stat, &[u8])> {
        let (_, stat, range) = self.find(id)?;
        older(stat.mtime, self.threshold).then_some((*stat, self.bytes.get(range.clone())?))
    }
}

/// A row, encoded.
pub fn row_blob(row: &Row) -> Vec<u8> {
    let mut e = Enc::default();
    e.bool(row.hourly);
    for c in row.cells() {
        e.str(c);
    }
    e.0
}

/// Builds a rows section from `(id, stat, encoded row)` entries (sorted
/// here by id).
pub fn rows_section(mut entries: Vec<(&str, Stat, &[u8])>) -> Vec<u8> {
    entries.sort_by(|a, b| ContractId::order(a.0.as_bytes(), b.0.as_bytes()));
    let mut e = Enc::default();
    e.u32(entries.len() as u32);
    for (id, stat, row) in entries {
        e.str(id);
        e.stat(&stat);
        e.u32(row.len() as u32);
        e.0.extend_from_slice(row);
    }
    e.0
}

/// The names section: the stat of `contracts/` (taken before it was
/// listed) and the ids of its contract files, in the order of
/// [`super::Store::contract_ids`] (recorded only for a directory with no
/// file whose name is not an id).
pub fn names_section(stat: &Stat, ids: &[ContractId]) -> Vec<u8> {
    listed_section(stat, ids, |e, id| e.str(id.as_str()))
}

/// The ids of the names section, if it stands for `contracts/` whose stat
/// is `now` (the same stat, older than the index's threshold).
pub fn read_names(l: &Loaded, now: &Stat) -> Option<Vec<ContractId>> {
    read_listed(l, now, |d| ContractId::parse(d.str()?).ok())
}

/// The diary section: the stat of `diary/` (taken before it was listed)
/// and its week directories, in order.
pub fn diary_section(stat: &Stat, weeks: &[Week]) -> Vec<u8> {
    listed_section(stat, weeks, |e, w| e.week(*w))
}

/// The week directories of the diary section, if it stands for `diary/`
/// whose stat is `now` (the same stat, older than the threshold), and they
/// are in order.
pub fn read_diary(l: &Loaded, now: &Stat) -> Option<Vec<Week>> {
    read_listed(l, now, |d| d.week()).filter(|weeks| weeks.is_sorted_by(|a, b| a < b))
}

/// A directory's listing: its stat, then each item as `put` writes it.
fn listed_section<T>(stat: &Stat, items: &[T], put: impl FnMut(&mut Enc, &T)) -> Vec<u8> {
    let mut e = Enc::default();
    e.stat(stat);
    put_vec(&mut e, items, put);
    e.0
}

/// The items of a directory's listing as `get` reads them, if it stands
/// for the directory whose stat is `now`.
fn read_listed<T>(
    l: &Loaded,
    now: &Stat,
    get: impl FnMut(&mut Dec<'_>) -> Option<T>,
) -> Option<Vec<T>> {
    let mut d = Dec::new(&l.bytes);
    let stat = d.stat()?;
    if !fresh(&stat, now, l.threshold) {
        return None;
    }
    let items = d.vec(get)?;
    d.done().then_some(items)
}

/// One week directory's entry: its stat, whether it held a crashed
/// writer's temp file, and where the names of its files lie.
#[derive(Debug, Clone)]
pub struct WeekEntry {
    /// The directory's stat when it was listed.
    pub stat: Stat,
    /// Whether a temp file was in it.
    pub temps: bool,
    names: std::ops::Range<usize>,
}

/// The weeks section, loaded: per week directory, its entry.
#[derive(Debug, Default)]
pub struct Weeks {
    /// The threshold of its entries.
    pub threshold: i64,
    bytes: Vec<u8>,
    entries: std::collections::BTreeMap<Week, WeekEntry>,
}

impl Weeks {
    /// Whether an entry's files include `name` (`.toml` cut), read from
    /// the encoded names without making them: a contract idle for years
    /// asks this of every week since.
    pub fn contains(&self, e: &WeekEntry, name: &str) -> Option<bool> {
        let mut d = Dec::new(self.bytes.get(e.names.clone())?);
        let n = d.u32()?;
        let mut found = false;
        for _ in 0..n {
            found |= d.str()? == name;
        }
        d.done().then_some(found)
    }

    /// Reads the section's entries (not their names yet).
    pub fn read(l: Loaded) -> Option<Weeks> {
        let mut d = Dec::new(&l.bytes);
        let n = d.u32()? as usize;
        let mut entries = std::collections::BTreeMap::new();
        for _ in 0..n {
            let week = d.week()?;
            let stat = d.stat()?;
            let temps = d.bool()?;
            let len = d.u32()? as usize;
            let at = d.at();
            d.take(len)?;
            entries.insert(
                week,
                WeekEntry {
                    stat,
                    temps,
                    names: at..at + len,
                },
            );
        }
        if !d.done() {
            return None;
        }
        Some(Weeks {
            threshold: l.threshold,
            bytes: l.bytes,
            entries,
        })
    }

    /// The entry of `week`, if any.
    pub fn entry(&self, week: Week) -> Option<&WeekEntry> {
        self.entries.get(&week)
    }

    /// The names of an entry's files (sorted, `.toml` cut).
    pub fn names(&self, e: &WeekEntry) -> Option<Vec<Box<str>>> {
        let mut d = Dec::new(self.bytes.get(e.names.clone())?);
        let names = d.vec(|d| d.str().map(Box::from))?;
        d.done().then_some(names)
    }

    /// An entry's names as encoded.
    pub fn raw_names(&self, e: &WeekEntry) -> &[u8] {
        self.bytes.get(e.names.clone()).unwrap_or_default()
    }
}

/// The encoded names of a week directory's files.
pub fn names_blob(names: &[Box<str>]) -> Vec<u8> {
    let mut e = Enc::default();
    put_vec(&mut e, names, |e, n| e.str(n));
    e.0
}

/// Builds a weeks section from `(week, stat, temps, encoded names)`.
pub fn weeks_section<'a>(
    entries: impl Iterator<Item = (Week, Stat, bool, std::borrow::Cow<'a, [u8]>)>,
) -> Vec<u8> {
    let mut e = Enc::default();
    e.u32(0);
    let mut n = 0u32;
    for (week, stat, temps, names) in entries {
        e.week(week);
        e.stat(&stat);
        e.bool(temps);
        e.u32(names.len() as u32);
        e.0.extend_from_slice(&names);
        n += 1;
    }
    e.0[..4].copy_from_slice(&n.to_le_bytes());
    e.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(mtime: i64) -> Stat {
        Stat {
            size: 10,
            mtime,
            ctime: mtime,
            ino: 7,
            dev: 1,
        }
    }

    #[test]
    fn an_entry_as_new_as_the_index_is_not_trusted() {
        let s = stat(1_000);
        assert!(fresh(&s, &s, 1_001));
        // Racily clean: the same stat, but as new as the index.
        assert!(!fresh(&s, &s, 1_000));
        assert!(!fresh(&s, &s, 999));
        // Any change of the stat.
        for other in [
            Stat { size: 11, ..s },
            Stat { ctime: 1_001, ..s },
            Stat { ino: 8, ..s },
            Stat { dev: 2, ..s },
            Stat { mtime: 999, ..s },
        ] {
            assert!(!fresh(&s, &other, 2_000));
        }
    }

    #[test]
    fn stats_taken_on_two_threads_are_each_files_in_order() {
        let d = tempfile::tempdir().expect("temp dir");
        // More than one thread takes; every third name has no file.
        let n = 3 * STATS_PER_THREAD + 7;
        let names: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            if i % 3 != 1 {
                std::fs::write(d.path().join(name), "x".repeat(i)).expect("write");
            }
        }
        let dir = std::fs::File::open(d.path()).expect("open");
        let mut ran = false;
        let got = Stat::at_each(Some(&dir), &names, |s, buf| buf.push_str(s), || ran = true);
        assert!(ran);
        assert_eq!(got.len(), n);
        for (i, (name, stat)) in names.iter().zip(&got).enumerate() {
            assert_eq!(*stat, Stat::at(&dir, name).ok(), "{name}");
            assert_eq!(stat.map(|s| s.size), (i % 3 != 1).then_some(i as u64));
        }
        // No directory: nothing, and `meanwhile` still runs.
        let mut ran = false;
        let none = Stat::at_each(
            None::<&std::fs::File>,
            &names,
            |s, buf| buf.push_str(s),
            || ran = true,
        );
        assert!(ran && none.iter().all(Option::is_none) && none.len() == n);
    }

    #[test]
    fn a_whole_second_mtime_is_trusted_only_after_the_coarse_margin() {
        const S: i64 = 1_000_000_000;
        let extra = (COARSE_MARGIN - RACY_MARGIN).as_nanos() as i64;
        // A fraction of a second: the file system keeps them, the
        // threshold (already the fine margin before the command) is enough.
        assert!(older(5 * S + 1, 5 * S + 2));
        assert!(!older(5 * S + 2, 5 * S + 2));
        // Whole seconds: a file system that keeps no fractions may give a
        // later change the same mtime, up to the coarse margin after.
        assert!(!older(5 * S, 5 * S + 1));
        assert!(!older(5 * S, 5 * S + extra));
        assert!(older(5 * S, 5 * S + extra + 1));
        assert!(!older(-5 * S, -5 * S + extra));
        assert!(older(-5 * S, -5 * S + extra + 1));
        let t = UNIX_EPOCH + Duration::from_secs(100);
        assert_eq!(
            threshold_of(t, false),
            100 * S - RACY_MARGIN.as_nanos() as i64
        );
        assert_eq!(threshold_of(t, true), 97 * S);
    }

    #[test]
    fn rows_are_found_in_any_order_and_only_where_they_are() {
        let s = stat(1_000);
        let ids = ["c2", "c10", "c1", "x", "c11", "c3-0a9fbe", "a"];
        let blobs: Vec<Vec<u8>> = ids
            .iter()
            .map(|id| {
                let cells: [String; 8] = std::array::from_fn(|i| format!("{id} {i}"));
                row_blob(&Row::new(true, cells.each_ref().map(String::as_str)))
            })
            .collect();
        let entries = ids
            .iter()
            .zip(&blobs)
            .map(|(id, b)| (*id, s, b.as_slice()))
            .collect();
        let bytes = rows_section(entries);
        let read = || {
            Rows::read(Loaded {
                threshold: 2_000,
                bytes: bytes.clone(),
            })
            .expect("rows")
        };
        let cell = |r: &Rows, id: &str| r.get(id, &s).map(|row| row.cells()[0].to_string());
        // In the contracts' order (the cursor's way), in the reverse, and
        // with ids between and around the recorded ones.
        let mut order: Vec<&str> = ids.to_vec();
        order.sort_by(|a, b| ContractId::order(a.as_bytes(), b.as_bytes()));
        assert_eq!(order, ["c1", "c2", "c3-0a9fbe", "c10", "c11", "a", "x"]);
        for asked in [
            order.clone(),
            order.iter().rev().copied().collect(),
            vec![
                "c0", "c1", "c4", "c10", "c2", "c12", "b", "x", "z", "a", "c11",
            ],
        ] {
            let r = read();
            for id in asked {
                let want = ids.contains(&id).then(|| format!("{id} 0"));
                assert_eq!(cell(&r, id), want, "{id}");
            }
        }
        // Out of the contracts' order: not used.
        let mut e = Enc::default();
        e.u32(2);
        for id in ["c10", "c9"] {
            e.str(id);
            e.stat(&s);
            e.u32(blobs[0].len() as u32);
            e.0.extend_from_slice(&blobs[0]);
        }
        assert!(
            Rows::read(Loaded {
                threshold: 2_000,
                bytes: e.0,
            })
            .is_none()
        );
    }

    /// The sheets of the last [`SHEETS_KEPT`] weeks written are kept, the
    /// other sections and the latest week's whatever their age.
    #[test]
    fn only_the_last_weeks_sheets_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("index");
        write(&path, 1, &[(Section::Rows, &(0, vec![1, 2, 3]))]).expect("rows");
        let week = |i: i64| {
            Week::of(chrono::DateTime::from_timestamp(i * 7 * 86_400, 0).unwrap_or_default())
        };
        let t0 = SystemTime::now() - Duration::from_secs(3600);
        for i in 0..7 {
            write_sheets(&path, 1, week(i), &(0, vec![i as u8])).expect("sheets");
            // Written in order, a second apart (the clock's ticks are coarse).
            std::fs::File::open(path.join(sheets_file(week(i))))
                .and_then(|f| f.set_modified(t0 + Duration::from_secs(i as u64)))
                .expect("mtime");
        }
        let mut names: Vec<String> = std::fs::read_dir(&path)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut want: Vec<String> = (3..7).map(|i| sheets_file(week(i))).collect();
        want.push("rows".into());
        want.sort();
        assert_eq!(names, want);
        let f = IndexFile::open(&path, 1).expect("index");
        assert_eq!(
            f.load_named(Section::Sheets, &sheets_file(week(6)))
                .map(|l| l.bytes),
            Some(vec![6])
        );
        assert!(f.load_named(Section::Rows, &sheets_file(week(6))).is_none());
    }

    #[test]
    fn a_damaged_index_decodes_to_nothing_and_never_panics() {
        let mut e = Enc::default();
        e.str("c1");
        e.week("2026-W47".parse().expect("week"));
        let good = e.0.clone();
        for cut in 0..good.len() {
            let mut d = Dec::new(&good[..cut]);
            assert!(d.str().and_then(|_| d.week()).is_none());
        }
        // A week that is not a Monday 00:00.
        let mut e = Enc::default();
        e.i64(3);
        assert!(Dec::new(&e.0).week().is_none());
        // Random bytes as a contract: no panic.
        let mut x: u64 = 1;
        for len in 0..400 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let _ = get_contract(&mut Dec::new(&bytes));
            let _ = get_week(&mut Dec::new(&bytes));
        }
    }

    /// A week file with every field set (and every option both ways)
    /// decodes to itself, and to nothing from any part of it.
    #[test]
    fn a_week_file_decodes_to_itself() {
        let t = |s: &str| -> crate::core::Instant { s.parse().expect("instant") };
        let entry = |n: u64, end: Option<&str>, origin: Option<&str>, at: Option<&str>| Entry {
            id: format!("2026W47-{n}"),
            start: t("2026-11-17T09:00:00.5Z"),
            end: end.map(t),
            memo: format!("memo {n} — ü"),
            manual: n.is_multiple_of(2),
            origin: origin.map(str::to_string),
            history: n == 3,
            at: at.map(t),
        };
        let w = WeekFile {
            contract: ContractId::parse("shop").expect("id"),
            week: "2026-W47".parse().expect("week"),
            entries: vec![
                entry(1, Some("2026-11-17T10:00:00Z"), Some("timew x"), None),
                entry(2, None, None, Some("2026-11-18T10:00:00Z")),
                entry(3, Some("2026-11-17T11:00:00Z"), None, None),
            ],
            last_number: 9,
            aside: vec![Aside {
                entry: entry(4, Some("2026-11-17T12:00:00Z"), None, None),
                why: "overlaps 2026W47-1".into(),
            }],
            removed: vec![
                Removed {
                    id: "2026W47-5".into(),
                    at: t("2026-11-18T09:00:00Z"),
                    origin: Some("watson 3f2a".into()),
                },
                Removed {
                    id: "2026W47-6".into(),
                    at: t("2026-11-18T09:30:00Z"),
                    origin: None,
                },
            ],
        };
        let mut e = Enc::default();
        put_week(&mut e, &w);
        let mut d = Dec::new(&e.0);
        assert_eq!(get_week(&mut d), Some(w));
        assert!(d.done());
        for cut in 0..e.0.len() {
            assert_eq!(get_week(&mut Dec::new(&e.0[..cut])), None, "cut at {cut}");
        }
    }

    #[test]
    fn the_checksum_of_a_section_is_the_same_read_in_two_parts() {
        for len in 8..40u8 {
            let b: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let head: [u8; 8] = b[..8].try_into().expect("8 bytes");
            assert_eq!(checksum_split(&head, &b[8..]), checksum(&b), "{len}");
        }
    }

    #[test]
    fn spans_join_overlapping_and_adjacent_weeks_only() {
        let w = |s: &str| s.parse::<Week>().expect("week");
        let d = |a: &str, b: Option<&str>| WeekDeps {
            first: w(a),
            last: b.map(w),
        };
        let got = spans(
            [
                d("2026-W10", Some("2026-W12")),
                d("2026-W01", Some("2026-W03")),
                d("2026-W13", Some("2026-W13")),
                d("2026-W02", Some("2026-W02")),
                d("2026-W20", Some("2026-W22")),
                d("2026-W30", None),
                d("2026-W40", Some("2026-W41")),
            ]
            .into_iter(),
        );
        assert_eq!(
            got,
            [
                d("2026-W01", Some("2026-W03")),
                d("2026-W10", Some("2026-W13")),
                d("2026-W20", Some("2026-W22")),
                d("2026-W30", None),
            ]
        );
        assert!(spans(std::iter::empty()).is_empty());
    }

    #[test]
    fn the_checksum_sees_a_changed_byte() {
        let b: Vec<u8> = (0..100u8).collect();
        let sum = checksum(&b);
        for i in 0..b.len() {
            let mut c = b.clone();
            c[i] ^= 1;
            assert_ne!(checksum(&c), sum, "byte {i}");
        }
    }
}
