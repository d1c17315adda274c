//! `verify`: every commit of a shared ledger, oldest first, checked against
//! the parties recorded as of its parent (a key added by a commit does not
//! vouch for that commit): signed by one of them (git's SSH signatures,
//! checked against an allowed-signers file built from `ledger.toml`), and
//! every operation it adds to a contract's history made by that party, or
//! by the timers. A commit made before any party was recorded needs no
//! signature.

use super::Ctx;
use crate::core::RuleError;
use crate::core::diary::{Entry, WeekFile};
use crate::core::error::Refusal;
use crate::core::merge;
use crate::core::model::{Actor, Contract};
use crate::core::schema::Party;
use crate::store::git::Git;
use crate::store::{Access, SETTINGS_FILE, Store};
use anyhow::Result;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Runs `verify`; with `verbose`, says on stderr how the time went.
pub fn run(ctx: &Ctx, verbose: bool) -> Result<()> {
    let t0 = std::time::Instant::now();
    let store = ctx.open(Access::Read)?;
    let r = verify(ctx, &store);
    if verbose && let Some(git) = store.git() {
        super::sync::report_time("verify", t0.elapsed(), git.spent());
    }
    r
}

fn verify(ctx: &Ctx, store: &Store) -> Result<()> {
    let Some(git) = store.git() else {
        return Err(crate::error::usage(
            "`verify` checks the commits of a ledger kept in git (`contracts init --git`)",
        ));
    };
    // One `rev-list` names every commit and its parents.
    let commits = git.commits(&["HEAD"])?;
    // Commits verified before (a commit's id names its content and its
    // parents, so its verdict never changes): remembered in this clone,
    // per version of this program.
    let header = format!("contracts {} verified", env!("CARGO_PKG_VERSION"));
    let mut known: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    if let Some(text) = store
        .cache(VERIFIED)
        .filter(|t| t.lines().next() == Some(&header))
    {
        for line in text.lines().skip(1) {
            if let Some((rev, signed)) = line.split_once(' ') {
                known.insert(rev.to_string(), signed == "signed");
            }
        }
    }
    let fresh: Vec<(String, Vec<String>)> = commits
        .iter()
        .filter(|(r, _)| !known.contains_key(r))
        .cloned()
        .collect();
    let Checked {
        checked,
        signed,
        mut failures,
        verdicts,
        bad,
    } = check_all(store, &fresh)?;
    // Left out as rejected by a merge verified before (remembered): its
    // changes count for nothing.
    if !bad.is_empty() {
        let before = rejected_in(&git.out(&["log", "--merges", "--format=%B", "HEAD"])?);
        let still: Vec<&str> = bad
            .iter()
            .map(|(rev, _)| rev.as_str())
            .filter(|rev| !before.iter().any(|r| r == rev))
            .collect();
        failures.retain(|f| {
            still
                .iter()
                .any(|rev| f.starts_with(&rev[..rev.len().min(12)]))
        });
    }
    let revs = || commits.iter().map(|(r, _)| r.as_str());
    if failures.is_empty() {
        super::check_own_key(store)?;
        known.extend(verdicts);
        let all = commits.len();
        let signed_all = revs()
            .filter(|r| known.get(*r).copied().unwrap_or(false))
            .count();
        // A cache: not kept is no failure; not written again where it
        // already names exactly these commits.
        if checked > 0 || known.len() != all {
            let mut text = header;
            for r in revs() {
                let s = if known.get(r).copied().unwrap_or(false) {
                    "signed"
                } else {
                    "-"
                };
                text.push_str(&format!("\n{r} {s}"));
            }
            text.push('\n');
            let _ = store.keep_cache(VERIFIED, &text);
        }
        ctx.out.print(&format!(
            "verified: {all} commit(s), {signed_all} signed by a recorded party ({checked} checked now, {} before; {signed} of them signed)",
            all - checked
        ))?;
        return Ok(());
    }
    Err(RuleError::Refused(Refusal::Unverified {
        failures,
        checked: Some(commits.len()),
        from: None,
    })
    .into())
}

/// The cache of commits verified before (`.git/contracts/`).
const VERIFIED: &str = "verified";

/// What `check_all` found.
pub struct Checked {
    /// Commits checked.
    pub checked: usize,
    /// Of them, signed by a recorded party.
    pub signed: usize,
    /// What is wrong, one line each.
    pub failures: Vec<String>,
    /// Each commit that verified, and whether it was signed by a party.
    pub verdicts: Vec<(String, bool)>,
    /// Each commit that fails (its full id), with its first failure, but
    /// those a merge checked here left out as rejected.
    pub bad: Vec<(String, String)>,
}

/// Checks `commits` (each with its parents), oldest first: each signed by
/// a party recorded as of its first parent, each operation it adds that
/// party's or a timer's.
pub fn check_all(store: &Store, commits: &[(String, Vec<String>)]) -> Result<Checked> {
    let mut out = Checked {
        checked: 0,
        signed: 0,
        failures: Vec::new(),
        verdicts: Vec::new(),
        bad: Vec::new(),
    };
    let Some(git) = store.git() else {
        return Ok(out);
    };
    let mut cx = Cx {
        store,
        git,
        dir: tempfile_dir(),
        parties: Default::default(),
        contracts: Default::default(),
        weeks: Default::default(),
        events: Default::default(),
        sigs: Default::default(),
        coming: None,
        pending: Default::default(),
    };
    let mut failed: Vec<(String, Vec<String>)> = Vec::new();
    let mut left_out: HashSet<String> = HashSet::new();
    // The batch of commits from `i`: each paired with its first parent.
    let batch = |i: usize| -> Vec<(&str, &str)> {
        commits[i.min(commits.len())..commits.len().min(i + READ_AHEAD)]
            .iter()
            .filter_map(|(r, p)| Some((p.first()?.as_str(), r.as_str())))
            .collect()
    };
    // Where no party is recorded yet, a commit's files are not read: its
    // commit and tree are enough.
    let deep_at = |cx: &mut Cx<'_>, pairs: &[(&str, &str)]| -> Result<bool> {
        Ok(match pairs.first() {
            Some((p, _)) => !cx.parties(p)?.is_empty(),
            None => false,
        })
    };
    // The next batch is read on another thread while this one is checked,
    // its signatures on a third.
    let mut ahead = if commits.len() > READ_AHEAD {
        git.reader()
    } else {
        None
    };
    if let Some(a) = ahead.as_mut() {
        cx.coming = a.verdicts();
    }
    let r = (|| -> Result<()> {
        for (i, (rev, parents)) in commits.iter().enumerate() {
            // What the next commits' checks read, asked of git at once.
            if i % READ_AHEAD == 0 {
                let pairs = batch(i);
                match ahead.as_mut() {
                    Some(a) => {
                        // The first batch is asked here, each next one
                        // while the one before it is checked.
                        let ask = |cx: &mut Cx<'_>,
                                   a: &mut crate::store::git::ReadAhead,
                                   p: &[(&str, &str)]|
                         -> Result<()> {
                            if p.is_empty() {
                                return Ok(());
                            }
                            let deep = deep_at(cx, p)?;
                            a.ask(p, deep);
                            if deep {
                                cx.pending.extend(p.iter().map(|(_, r)| r.to_string()));
                            }
                            Ok(())
                        };
                        if i == 0 {
                            ask(&mut cx, a, &pairs)?;
                        }
                        a.take(git);
                        ask(&mut cx, a, &batch(i + READ_AHEAD))?;
                    }
                    None => {
                        let deep = deep_at(&mut cx, &pairs)?;
                        git.read_ahead(&pairs, deep);
                        if deep {
                            let revs: Vec<&str> = pairs.iter().map(|(_, r)| *r).collect();
                            cx.check_signatures_ahead(&revs);
                        }
                    }
                }
            }
            out.checked += 1;
            match check_commit(&mut cx, rev, parents, &mut failed)? {
                (Verdict::Signed, rejected) => {
                    out.signed += 1;
                    out.verdicts.push((rev.to_string(), true));
                    left_out.extend(rejected);
                }
                (Verdict::NoParties, _) => out.verdicts.push((rev.to_string(), false)),
                (Verdict::Fails(why), _) => failed.push((rev.to_string(), why)),
            }
        }
        Ok(())
    })();
    drop(ahead);
    // Written only where git checked a signature.
    let _ = std::fs::remove_dir_all(&cx.dir);
    r?;
    // A commit a verified merge left out as rejected is history, not a
    // failure: its changes count for nothing.
    for (rev, why) in failed {
        if left_out.contains(&rev) {
            continue;
        }
        out.bad
            .push((rev, why.first().cloned().unwrap_or_default()));
        out.failures.extend(why);
    }
    Ok(out)
}

/// The commits a merge commit's message names as rejected
/// (`Rejected: <full id> ...` lines, as `sync` writes them).
pub fn rejected_in(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|l| l.strip_prefix("Rejected: "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// What commits that fail verification changed: `sync` merges such a
/// commit as rejected (none of its changes applied, its operations kept as
/// superseded with why), and `verify` merges again the same way to check
/// that merge.
#[derive(Debug, Default)]
pub struct Rejected {
    /// Each commit left out (full id), with why.
    pub commits: Vec<(String, String)>,
    /// Operations they added: id -> why.
    ops: std::collections::HashMap<String, String>,
    /// Events they changed: (path, id) -> the parent's.
    restored: std::collections::HashMap<(String, String), crate::core::model::Event>,
    /// Entries they added or changed: (path, id) -> (the parent's, theirs).
    entries: std::collections::HashMap<(String, String), (Option<Entry>, Entry)>,
    /// Every path they changed.
    touched: HashSet<String>,
}

impl Rejected {
    /// What `commits` (full id, why) changed, each against its first parent.
    pub fn of(store: &Store, commits: Vec<(String, String)>) -> Result<Rejected> {
        let mut r = Rejected::default();
        let Some(git) = store.git() else {
            return Ok(r);
        };
        for (rev, why) in &commits {
            // Against every parent: a merge's changes are what neither
            // side had.
            let line = git.out(&["rev-list", "--parents", "-n", "1", rev])?;
            let parents: Vec<&str> = line.split_whitespace().skip(1).collect();
            let why = format!(
                "rejected: commit {} fails verification ({})",
                &rev[..rev.len().min(12)],
                why.split_once(": ").map_or(why.as_str(), |(_, w)| w)
            );
            let mut paths: Vec<String> = Vec::new();
            for p in &parents {
                paths.extend(git.changed(p, rev)?);
            }
            paths.sort();
            paths.dedup();
            for path in paths {
                if path.starts_with("contracts/") {
                    let read = |x: &str| -> Result<Vec<crate::core::model::Event>> {
                        Ok(git
                            .show(x, &path)?
                            .and_then(|t| store.contract_text(&path, &t).ok())
                            .map(|c| c.history)
                            .unwrap_or_default())
                    };
                    let mut before = Vec::new();
                    for p in &parents {
                        before.extend(read(p)?);
                    }
                    for e in read(rev)? {
                        let was: Vec<&crate::core::model::Event> =
                            before.iter().filter(|b| b.id == e.id).collect();
                        match was.first() {
                            None if e.actor != Actor::System => {
                                r.ops
                                    .entry(crate::core::fold::operation_of(&e.id).to_string())
                                    .or_insert_with(|| why.clone());
                            }
                            Some(b) if !was.contains(&&e) => {
                                r.restored
                                    .insert((path.clone(), e.id.clone()), (*b).clone());
                            }
                            _ => {}
                        }
                    }
                } else if path.starts_with("diary/") {
                    let read = |x: &str| -> Result<Vec<Entry>> {
                        Ok(git
                            .show(x, &path)?
                            .and_then(|t| store.week_text(&path, &t).ok())
                            .map(|w| w.entries)
                            .unwrap_or_default())
                    };
                    let mut before = Vec::new();
                    for p in &parents {
                        before.extend(read(p)?);
                    }
                    for e in read(rev)? {
                        if !before.contains(&e) {
                            let was = before.iter().find(|b| b.id == e.id).cloned();
                            r.entries.insert((path.clone(), e.id.clone()), (was, e));
                        }
                    }
                }
                r.touched.insert(path);
            }
        }
        r.commits = commits;
        Ok(r)
    }

    /// Whether there is nothing to leave out.
    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Whether a rejected commit changed `path`.
    pub fn touches(&self, path: &str) -> bool {
        self.touched.contains(path)
    }

    /// `c` (at `path`) without what the rejected commits did: the
    /// operations they added superseded, the events they changed as they
    /// were. Its state is then folded again from its operations.
    pub fn contract(&self, path: &str, mut c: Contract) -> Contract {
        for e in &mut c.history {
            if let Some(b) = self.restored.get(&(path.to_string(), e.id.clone())) {
                *e = b.clone();
            }
            if let Some(why) = self.ops.get(crate::core::fold::operation_of(&e.id))
                && e.superseded.is_none()
            {
                e.superseded = Some(why.clone());
            }
        }
        c
    }

    /// Whether `c`'s creation is a rejected commit's.
    pub fn made(&self, c: &Contract) -> bool {
        c.history.first().is_some_and(|e| {
            self.ops
                .contains_key(crate::core::fold::operation_of(&e.id))
        })
    }

    /// `w` (at `path`) without the entries the rejected commits added or
    /// changed, unless changed again since.
    pub fn week(&self, path: &str, mut w: WeekFile) -> WeekFile {
        let mut kept = Vec::new();
        for e in std::mem::take(&mut w.entries) {
            match self.entries.get(&(path.to_string(), e.id.clone())) {
                Some((was, bad)) if *bad == e => kept.extend(was.clone()),
                _ => kept.push(e),
            }
        }
        kept.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        w.entries = kept;
        w
    }

    /// The lines a merge commit's message names them with.
    pub fn message(&self) -> String {
        self.commits
            .iter()
            .map(|(rev, why)| format!("Rejected: {rev} {why}\n"))
            .collect()
    }
}

/// Maps and sets of a history's event ids, built at every commit: hashed
/// quickly (ids are short, and no one chooses what is hashed here to
/// slow it down but at the cost of their own history's checks).
type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<crate::store::codec::Fx>>;
type FxSet<K> = HashSet<K, std::hash::BuildHasherDefault<crate::store::codec::Fx>>;

/// Commits whose objects are read ahead at once.
const READ_AHEAD: usize = 256;

/// What [`check_commit`] found.
enum Verdict {
    /// Signed by a party recorded as of its parent, its operations theirs.
    Signed,
    /// Made before any party was recorded: nothing to check.
    NoParties,
    /// What is wrong with it, one line each.
    Fails(Vec<String>),
}

/// What checking a run of commits reads, read once: a history is checked
/// commit after commit, each reading what its parent's check read.
struct Cx<'s> {
    store: &'s Store,
    git: &'s Git,
    /// Where allowed-signers files go, if git has to check a signature.
    dir: std::path::PathBuf,
    /// The parties recorded as of each revision seen.
    parties: HashMap<String, Rc<Vec<Party>>>,
    /// The last two versions read of each contract file (a commit's and
    /// its parent's), newest first: its id, its text and the contract (if
    /// it reads).
    contracts: HashMap<String, [Option<(String, Read)>; 2]>,
    /// Week files read, by id (forgotten past a bound).
    weeks: HashMap<String, Option<Rc<WeekFile>>>,
    /// Event tables read, by their text (a contract's versions share all
    /// but their newest).
    events: crate::store::codec::EventMemo,
    /// Whether each commit's signature holds for its own key, worked out
    /// on another core ahead of the walk, and those still to come.
    sigs: HashMap<String, Option<bool>>,
    coming: Option<std::sync::mpsc::Receiver<(String, Option<bool>)>>,
    /// The commits whose verdicts are on their way.
    pending: HashSet<String>,
}

/// A contract file's text, and the contract if it reads.
type Read = (Rc<str>, Option<Rc<Contract>>);

/// Week files kept read before they are forgotten.
const WEEKS_KEPT: usize = 100_000;

impl Cx<'_> {
    /// Whether `rev`'s signature holds for its own key, if worked out
    /// ahead (waiting for it if it is on its way).
    fn sig_holds(&mut self, rev: &str) -> Option<bool> {
        while !self.sigs.contains_key(rev) && self.pending.contains(rev) {
            let (r, v) = self.coming.as_ref()?.recv().ok()?;
            self.pending.remove(&r);
            self.sigs.insert(r, v);
        }
        self.sigs.get(rev).copied().flatten()
    }

    /// Has the signatures of `revs` checked on another thread (another
    /// core: the ed25519 arithmetic is a fifth of a cold `verify`), in
    /// order, while this one reads and folds.
    fn check_signatures_ahead(&mut self, revs: &[&str]) {
        let mut work = Vec::with_capacity(revs.len());
        self.pending.extend(revs.iter().map(|r| r.to_string()));
        for rev in revs {
            if let Ok(Some(c)) = self.git.read_commit(rev) {
                work.push((rev.to_string(), c.signature.clone()));
            }
        }
        // What the last batch sent and was not asked for yet is kept.
        if let Some(rx) = self.coming.take() {
            self.sigs.extend(rx.try_iter());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("signatures".into())
            .spawn(move || {
                for (rev, sig) in work {
                    let v = crate::store::git::sshsig::holds(sig.as_ref());
                    if tx.send((rev, v)).is_err() {
                        return;
                    }
                }
            });
        // Without a thread, each is checked where it is needed.
        if spawned.is_ok() {
            self.coming = Some(rx);
        }
    }

    /// The parties recorded in `ledger.toml` as of `rev`.
    fn parties(&mut self, rev: &str) -> Result<Rc<Vec<Party>>> {
        if let Some(p) = self.parties.get(rev) {
            return Ok(p.clone());
        }
        let p = Rc::new(match self.git.show_shared(rev, SETTINGS_FILE)? {
            Some(text) => self.store.parties_text(&text)?,
            None => Vec::new(),
        });
        self.parties.insert(rev.to_string(), p.clone());
        Ok(p)
    }

    /// The contract file `path` at `rev`, its text, and the contract if it
    /// reads.
    fn contract(&mut self, rev: &str, path: &str) -> Result<Option<Read>> {
        let Some(e) = self.git.object_at(rev, path)?.filter(|e| !e.is_tree) else {
            return Ok(None);
        };
        if let Some(kept) = self.contracts.get_mut(path)
            && let Some(i) = kept
                .iter()
                .position(|k| k.as_ref().is_some_and(|(oid, _)| *oid == e.oid))
        {
            kept.swap(0, i);
            return Ok(kept[0].as_ref().map(|(_, read)| read.clone()));
        }
        let Some(text) = self.git.blob(&e.oid)? else {
            return Ok(None);
        };
        let c = self
            .store
            .contract_text_memo(path, &text, &mut self.events)
            .ok()
            .map(Rc::new);
        let kept = self.contracts.entry(path.to_string()).or_default();
        kept[1] = Some((e.oid, (text.clone(), c.clone())));
        kept.swap(0, 1);
        Ok(Some((text, c)))
    }

    /// The week files the fold of `c` (the file of contract `id`) at `rev`
    /// reads: an hourly contract's ([`Cx::weeks`]), none for a fixed one.
    fn diary(&mut self, rev: &str, id: &str, c: &Contract) -> Result<Vec<WeekFile>> {
        if c.kind() == crate::core::Kind::Hourly {
            self.weeks(rev, id)
        } else {
            Ok(Vec::new())
        }
    }

    /// The week files of contract `id` at `rev` (`diary/WEEK/ID.toml`),
    /// each that reads, in the order of their paths.
    fn weeks(&mut self, rev: &str, id: &str) -> Result<Vec<WeekFile>> {
        let Some(diary) = self.git.object_at(rev, "diary")?.filter(|e| e.is_tree) else {
            return Ok(Vec::new());
        };
        let file = format!("{id}.toml");
        let mut out = Vec::new();
        for week in self.git.tree(&diary.oid)?.iter().filter(|w| w.is_tree) {
            let tree = self.git.tree(&week.oid)?;
            let Some(e) = tree.iter().find(|e| e.name == file && !e.is_tree) else {
                continue;
            };
            if !self.weeks.contains_key(&e.oid) {
                if self.weeks.len() > WEEKS_KEPT {
                    self.weeks.clear();
                }
                let path = format!("diary/{}/{file}", week.name);
                let w = match self.git.blob(&e.oid)? {
                    Some(t) => self.store.week_text(&path, &t).ok().map(Rc::new),
                    None => None,
                };
                self.weeks.insert(e.oid.clone(), w);
            }
            if let Some(Some(w)) = self.weeks.get(&e.oid) {
                out.push(WeekFile::clone(w));
            }
        }
        Ok(out)
    }
}

/// Checks one commit (its parents `parents`) against the parties recorded
/// as of its first parent.
fn check_commit(
    cx: &mut Cx<'_>,
    rev: &str,
    parents: &[String],
    failed: &mut Vec<(String, Vec<String>)>,
) -> Result<(Verdict, Vec<String>)> {
    let none = |v: Verdict| Ok((v, Vec::new()));
    let git = cx.git;
    let Some(parent) = parents.first() else {
        return none(Verdict::NoParties);
    };
    let parties = cx.parties(parent)?;
    // The parties as of this commit, for the next: its parent's, unless it
    // changed `ledger.toml`.
    let settings = |r: &str| git.object_at(r, SETTINGS_FILE);
    let after = if settings(parent)? != settings(rev)? {
        cx.parties(rev)?
    } else {
        cx.parties.insert(rev.to_string(), parties.clone());
        parties.clone()
    };
    // A party's key is recorded by a commit signed with that key: trusted
    // on first use, bound by its owner.
    let added: Vec<&Party> = after
        .iter()
        .filter(|a| !parties.iter().any(|p| p.name == a.name))
        .collect();
    if parties.is_empty() && added.is_empty() {
        return none(Verdict::NoParties);
    }
    let changed = git.changed(parent, rev)?;
    let allowed: Vec<Party> = parties
        .iter()
        .chain(added.iter().copied())
        .cloned()
        .collect();
    let short = &rev[..rev.len().min(12)];
    let known = cx.sig_holds(rev);
    let signer = match git.signer_known(rev, &allowed, &cx.dir, known) {
        Ok(name) => name,
        Err(why) => return none(Verdict::Fails(vec![format!("{short}: {why}")])),
    };
    // A merge commit carries the other side's operations, which their own
    // commits are checked for; what it holds must be what merging its
    // parents by the rules gives, without the commits it left out as
    // rejected (which must fail: each checked here, if not before).
    if let [ours, theirs] = parents {
        let message = git.out(&["log", "-1", "--format=%B", rev])?;
        let named = rejected_in(&message);
        let mut commits = Vec::new();
        let mut failures = Vec::new();
        for r in &named {
            if !failed.iter().any(|(f, _)| f == r) {
                let parents_of = git
                    .read_commit(r)?
                    .map(|c| c.parents.clone())
                    .unwrap_or_default();
                let mut inner = Vec::new();
                if let (Verdict::Fails(why), _) = check_commit(cx, r, &parents_of, &mut inner)? {
                    failed.push((r.clone(), why));
                }
            }
            match failed.iter().find(|(f, _)| f == r) {
                Some((_, why)) => {
                    commits.push((r.clone(), why.first().cloned().unwrap_or_default()));
                }
                None => failures.push(format!(
                    "{short}: leaves out {r} as rejected, but that commit verifies"
                )),
            }
        }
        let rejected = Rejected::of(cx.store, commits)?;
        failures.extend(merge_failures(
            cx.store, rev, short, ours, theirs, &rejected,
        )?);
        return Ok(if failures.is_empty() {
            (Verdict::Signed, named)
        } else {
            (Verdict::Fails(failures), Vec::new())
        });
    }
    let mut failures = Vec::new();
    for a in &added {
        if a.name != signer {
            failures.push(format!(
                "{short}: records {}'s key, but is signed by {signer} (a party records its own key, signed with it)",
                a.name
            ));
        }
    }
    // A party's key is changed by that party, signed with its old key.
    for p in parties.iter() {
        let now = after.iter().find(|a| a.name == p.name);
        if now.is_none_or(|a| a.key != p.key) && p.name != signer {
            failures.push(format!(
                "{short}: changes {}'s key, but is signed by {signer} (a party's key is changed with its old key)",
                p.name
            ));
        }
    }
    // Every contract the commit changes (or whose diary it changes) is
    // what folding its operations gives: a value no operation explains is
    // a forgery, however it is signed.
    failures.extend(fold_failures(cx, rev, parent, short, &changed)?);
    // Every operation the commit adds is its signer's, or a timer's; the
    // history only grows.
    for path in changed {
        if !path.starts_with("contracts/") {
            continue;
        }
        let Some((_, Some(after))) = cx.contract(rev, &path)? else {
            continue;
        };
        let none = Vec::new();
        let earlier_c = cx.contract(parent, &path)?.and_then(|(_, c)| c);
        let earlier = earlier_c.as_ref().map_or(&none, |c| &c.history);
        // Each id's first event, found once (not a scan per event).
        let mut by_id: FxMap<&str, &crate::core::model::Event> = FxMap::default();
        for x in &after.history {
            by_id.entry(x.id.as_str()).or_insert(x);
        }
        for e in earlier {
            match by_id.get(e.id.as_str()).copied() {
                None => failures.push(format!(
                    "{short}: removes `{}` ({}) from {}'s history (a history only grows)",
                    e.kind(),
                    e.id,
                    after.id
                )),
                Some(x) if x != e => failures.push(format!(
                    "{short}: changes `{}` ({}) in {}'s history (a recorded operation never changes)",
                    e.kind(),
                    e.id,
                    after.id
                )),
                Some(_) => {}
            }
        }
        let before: FxSet<&str> = earlier.iter().map(|e| e.id.as_str()).collect();
        for e in after
            .history
            .iter()
            .filter(|e| !before.contains(e.id.as_str()))
        {
            let by = match e.actor {
                Actor::System => continue,
                Actor::Client => &after.client,
                Actor::Freelancer => &after.freelancer,
            };
            if by != &signer {
                failures.push(format!(
                    "{short}: adds `{}` by the {} of {} ({by}), but is signed by {signer}",
                    e.kind(),
                    e.actor,
                    after.id
                ));
            }
        }
    }
    none(if failures.is_empty() {
        Verdict::Signed
    } else {
        Verdict::Fails(failures)
    })
}

/// The contracts `changed` touches at `rev` (their files, or their week
/// files), each folded again from its operations with its week files as
/// `rev` has them: one line per key the fold does not give. A contract
/// whose parent (`parent`) already held a state no fold explains (a commit
/// before, named for it) is held to what its own operations give onto its
/// parent's state, so one bad commit does not make every later one fail.
fn fold_failures(
    cx: &mut Cx<'_>,
    rev: &str,
    parent: &str,
    short: &str,
    changed: &[String],
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = changed
        .iter()
        .filter_map(|p| {
            let p = p.strip_prefix("contracts/").or_else(|| {
                p.strip_prefix("diary/")
                    .and_then(|rest| rest.split_once('/').map(|(_, f)| f))
            })?;
            p.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let rel = format!("contracts/{id}.toml");
        let (text, c) = match cx.contract(rev, &rel)? {
            Some((text, Some(c))) => (text, c),
            // A file the program refuses is never a valid state to sign.
            Some((text, None)) => {
                if let Err(e) = cx.store.contract_text(&rel, &text) {
                    out.push(format!("{short}: {rel}: {e}"));
                }
                continue;
            }
            None => continue,
        };
        let Some(until) = crate::core::fold::as_of(&c) else {
            continue;
        };
        let weeks = cx.diary(rev, &id, &c)?;
        let settings = &cx.store.settings;
        // Its parent's state, when this commit's operations all come after
        // it and its diary is the parent's: folding them onto that state
        // gives what folding all of them gives (the parent's was checked
        // before it, or is a forgery already named, whose successors are
        // held to their own operations). One operation's work, not the
        // whole history's: a fold per commit made `verify` quadratic.
        let diary_changed = changed
            .iter()
            .any(|p| p.starts_with("diary/") && p.ends_with(&format!("/{id}.toml")));
        let before = match cx.contract(parent, &rel)? {
            Some((before_text, Some(before))) if !diary_changed => Some((before_text, before)),
            _ => None,
        };
        let onto = before.as_ref().and_then(|(_, b)| {
            let then = crate::core::fold::as_of(b)?;
            // Its history only grew (else the whole fold names what changed).
            let mine: FxMap<&str, &crate::core::model::Event> =
                c.history.iter().map(|e| (e.id.as_str(), e)).collect();
            if !b
                .history
                .iter()
                .all(|e| mine.get(e.id.as_str()) == Some(&e))
            {
                return None;
            }
            let known: FxSet<&str> = b.history.iter().map(|e| e.id.as_str()).collect();
            let later = c
                .history
                .iter()
                .filter(|e| !known.contains(e.id.as_str()))
                .all(|e| e.at >= then);
            let legacy = c
                .history
                .iter()
                .any(|e| matches!(e.op, crate::core::model::Op::Legacy { .. }));
            (later && !legacy).then(|| {
                crate::core::fold::fold_onto(Contract::clone(b), &c, &weeks, settings, until)
            })
        });
        let whole = onto.is_none();
        let folded = match onto {
            Some(onto) => {
                #[cfg(debug_assertions)]
                if let Some((_, b)) = &before {
                    same_as_the_whole_fold(cx, &onto, &c, &weeks, b, parent, &id)?;
                }
                onto
            }
            None => match crate::core::fold::fold(&c, &weeks, settings, until) {
                Ok(folded) => folded,
                Err(crate::core::fold::Unfoldable::Legacy) => continue,
                Err(crate::core::fold::Unfoldable::Terms(why)) => {
                    out.push(format!(
                        "{short}: {rel}: its terms cannot be folded again: {why}"
                    ));
                    continue;
                }
            },
        };
        // Equal, the two write the same text: nothing to name.
        if folded == *c {
            continue;
        }
        let mut differences = cx.store.fold_differences_in(&rel, &text, &c, &folded)?;
        if !differences.is_empty()
            && whole
            && let Some((before_text, Some(before))) = cx.contract(parent, &rel)?
            && let Some(then) = crate::core::fold::as_of(&before)
        {
            let before_weeks = cx.diary(parent, &id, &before)?;
            let explained = crate::core::fold::fold(&before, &before_weeks, settings, then);
            let forged_before = match explained {
                Ok(e) => !cx
                    .store
                    .fold_differences_in(&rel, &before_text, &before, &e)?
                    .is_empty(),
                Err(_) => false,
            };
            if forged_before {
                let onto = crate::core::fold::fold_onto(
                    Contract::clone(&before),
                    &c,
                    &weeks,
                    settings,
                    until,
                );
                differences = cx.store.fold_differences_in(&rel, &text, &c, &onto)?;
            }
        }
        out.extend(
            differences
                .into_iter()
                .map(|d| format!("{short}: {rel}: {}", d.message)),
        );
    }
    Ok(out)
}

/// Checks, in debug builds (every test and simulation), that folding a
/// commit's operations onto its parent's state gave what folding them all
/// gives, wherever the parent's state is itself what its fold gives.
#[cfg(debug_assertions)]
fn same_as_the_whole_fold(
    cx: &mut Cx<'_>,
    onto: &Contract,
    c: &Contract,
    weeks: &[WeekFile],
    before: &Contract,
    parent: &str,
    id: &str,
) -> Result<()> {
    use crate::core::fold::{as_of, fold};
    let settings = &cx.store.settings;
    let (Some(until), Some(then)) = (as_of(c), as_of(before)) else {
        return Ok(());
    };
    let Ok(whole) = fold(c, weeks, settings, until) else {
        return Ok(());
    };
    if whole == *onto {
        return Ok(());
    }
    let before_weeks = cx.diary(parent, id, before)?;
    let honest = fold(before, &before_weeks, settings, then).is_ok_and(|b| b == *before);
    assert!(
        !honest,
        "verify: folding {id}'s new operations onto its parent's state differs from folding them all\nonto: {onto:#?}\nwhole: {whole:#?}"
    );
    Ok(())
}

/// Where the merge commit `rev` of `ours` and `theirs` holds a contract or
/// a week other than the merge by the rules gives: the merge run again
/// (`core::merge`, as `sync` runs it), one line per difference. A merge
/// cannot mark an operation superseded, drop one, or carry a value that
/// the merged order does not give.
fn merge_failures(
    store: &Store,
    rev: &str,
    short: &str,
    ours: &str,
    theirs: &str,
    rejected: &Rejected,
) -> Result<Vec<String>> {
    let Some(git) = store.git() else {
        return Ok(Vec::new());
    };
    let base = git.out(&["merge-base", ours, theirs])?;
    let mut changed = git.changed(ours, rev)?;
    changed.extend(git.changed(theirs, rev)?);
    changed.sort();
    changed.dedup();
    let contract_at = |r: &str, path: &str| -> Result<Option<Contract>> {
        Ok(match git.show(r, path)? {
            Some(t) => store.contract_text(path, &t).ok(),
            None => None,
        })
    };
    let week_at = |r: &str, path: &str| -> Result<Option<WeekFile>> {
        Ok(match git.show(r, path)? {
            Some(t) => store.week_text(path, &t).ok(),
            None => None,
        })
    };
    let listed = git.out(&["ls-tree", "-r", "--name-only", rev, "--", "diary"])?;
    let mut out = Vec::new();
    for path in &changed {
        let Some(file) = path.strip_suffix(".toml") else {
            continue;
        };
        if let Some(id) = file.strip_prefix("contracts/") {
            let Some(merged) = contract_at(rev, path)? else {
                continue;
            };
            let weeks: Vec<WeekFile> = listed
                .lines()
                .filter(|p| p.ends_with(&format!("/{id}.toml")))
                .filter_map(|p| week_at(rev, p).transpose())
                .collect::<Result<_>>()?;
            let sides = (
                contract_at(&base, path)?,
                contract_at(ours, path)?,
                contract_at(theirs, path)?.map(|t| rejected.contract(path, t)),
            );
            let Some(expected) = merge::contract_leaving_out(
                sides,
                rejected.touches(path),
                |c| rejected.made(c),
                &weeks,
                &store.settings,
            ) else {
                out.push(format!(
                    "{short}: {path}: a merge takes a contract made on both sides under one id, or one a rejected commit made"
                ));
                continue;
            };
            let text = git.show(rev, path)?.unwrap_or_default();
            out.extend(
                store
                    .fold_differences_in(path, &text, &merged, &expected)?
                    .into_iter()
                    .map(|d| {
                        format!(
                            "{short}: {path}: not what merging its parents gives: {}",
                            d.message
                        )
                    }),
            );
        } else if let Some(rest) = file.strip_prefix("diary/")
            && let Some((_, id)) = rest.split_once('/')
        {
            let (Some(merged), Some(c)) = (
                week_at(rev, path)?,
                contract_at(rev, &format!("contracts/{id}.toml"))?,
            ) else {
                continue;
            };
            let (b, o, t) = (
                week_at(&base, path)?,
                week_at(ours, path)?,
                week_at(theirs, path)?.map(|w| rejected.week(path, w)),
            );
            let Some(w) = merge::week(b.as_ref(), o.as_ref(), t.as_ref()) else {
                continue;
            };
            // As files write them (a count kept in memory, `last_number`, is
            // written only where entries past the last were deleted).
            // Set-aside entries in their one order: a file an older version
            // wrote in the order a merge set them aside says the same.
            let as_written = |w: &WeekFile| {
                let mut w = w.clone();
                merge::sort_aside(&mut w);
                crate::core::schema::WeekFileData::from(&w)
            };
            // Its previous week as merged (an entry running into this one).
            let before = week_at(rev, &format!("diary/{}/{id}.toml", w.week.prev()))?;
            if as_written(&merge::set_aside(&w, &c, before.as_ref())) != as_written(&merged) {
                out.push(format!(
                    "{short}: {path}: not what merging its parents gives (its entries, or those set aside, differ)"
                ));
            }
        }
    }
    Ok(out)
}

/// A private directory for the allowed-signers files (made when one is
/// written).
fn tempfile_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "contracts-verify-{}-{}",
        std::process::id(),
        &super::operation_id()[..8]
    ))
}
