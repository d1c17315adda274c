//! A ledger kept in git (SPEC §7): the `git` binary, run as a child, makes
//! the repository and one commit per command. Nothing here reads or writes
//! the ledger's files; the store does, and hands over what it wrote.

use super::StoreError;
use crate::core::Instant;
use crate::core::schema::Party;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::rc::Rc;

pub mod objects;
pub mod sshsig;

pub use objects::{Commit, Entry};

/// The oldest git this works with (`init -b`, `commit -- paths` as used).
pub const MIN_VERSION: (u32, u32) = (2, 34);

/// What a clone needs committed: the ledger's files name a merge driver,
/// `contracts`; where none is configured git merges them as text, and a
/// file left with conflict markers is refused, named, by every command
/// (`check` lists them).
pub const ATTRIBUTES: &str = "contracts/*.toml merge=contracts\ndiary/**/*.toml merge=contracts\n";

/// A ledger's git repository.
#[derive(Debug)]
pub struct Git {
    root: PathBuf,
    // Time spent waiting for git (`sync --verbose` reports it).
    spent: std::cell::Cell<std::time::Duration>,
    // Commits are signed (the parties' keys are recorded).
    sign: bool,
    // Objects are read through one `git cat-file --batch`, started on the
    // first read and kept while this lives.
    objects: RefCell<objects::Objects>,
    // The entries that differ between two trees (by their ids), as
    // [`Git::differing`] found them: `read_ahead` pairs the trees a check
    // then pairs again.
    diffs: RefCell<Diffs>,
    // Trees (by id) found in git's order with UTF-8 names and modes.
    fit: RefCell<std::collections::HashSet<String>>,
}

impl Clone for Git {
    fn clone(&self) -> Git {
        // A clone reads through its own `cat-file`.
        Git {
            root: self.root.clone(),
            spent: self.spent.clone(),
            sign: self.sign,
            objects: Default::default(),
            diffs: Default::default(),
            fit: Default::default(),
        }
    }
}

/// A batch asked of a [`ReadAhead`]: pairs of commits, and whether their
/// files are read (`deep`).
type Asked = (Vec<(String, String)>, bool);

/// A batch read ahead: the objects, and the trees found to differ.
type Batch = (Vec<objects::Fetched>, Vec<((String, String), Vec<Pair>)>);

/// Reading ahead on another thread ([`Git::reader`]): each batch asked
/// is taken, in the order asked, into the [`Git`] that reads it.
pub struct ReadAhead {
    ask: Option<std::sync::mpsc::Sender<Asked>>,
    got: std::sync::mpsc::Receiver<Batch>,
    verdicts: Option<std::sync::mpsc::Receiver<(String, Option<bool>)>>,
    waiting: usize,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl ReadAhead {
    /// Whether each commit's signature holds for its own key
    /// ([`sshsig::holds`]), in the order asked: for every commit of each
    /// batch asked `deep` (the second of its pair), worked out a batch
    /// ahead. Taken once.
    pub fn verdicts(&mut self) -> Option<std::sync::mpsc::Receiver<(String, Option<bool>)>> {
        self.verdicts.take()
    }

    /// Asks for what [`Git::read_ahead`] reads for `pairs` (`deep`).
    pub fn ask(&mut self, pairs: &[(&str, &str)], deep: bool) {
        let pairs = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        if let Some(ask) = &self.ask
            && ask.send((pairs, deep)).is_ok()
        {
            self.waiting += 1;
        }
    }

    /// Whether a batch asked is still to be taken.
    pub fn waiting(&self) -> bool {
        self.waiting > 0
    }

    /// Keeps in `git` the objects of the oldest batch asked and not taken,
    /// waiting for them (time counted as git's). What could not be read
    /// ahead is read where it is needed.
    pub fn take(&mut self, git: &Git) {
        if self.waiting == 0 {
            return;
        }
        self.waiting -= 1;
        let got = git.read(|_, _| Ok(self.got.recv().ok()));
        if let Ok(Some((raws, diffs))) = got {
            git.objects.borrow_mut().keep_all(raws);
            let mut kept = git.diffs.borrow_mut();
            if kept.len() + diffs.len() > DIFFS_KEPT {
                kept.clear();
            }
            kept.extend(diffs.into_iter().map(|(k, d)| (k, Rc::new(d))));
        }
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        // No more asked: the thread ends after the batch it reads.
        drop(self.ask.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Who made a commit, and when.
#[derive(Debug, Clone)]
pub struct Author<'a> {
    /// The acting party's name.
    pub name: &'a str,
    /// The instant of the command (`--now`).
    pub at: Instant,
}

fn git_err(what: &str, detail: impl Into<String>) -> StoreError {
    StoreError::Io {
        context: format!("git {what} failed"),
        source: std::io::Error::other(detail.into()),
    }
}

impl Git {
    /// The repository whose work tree is the ledger directory `root`, if
    /// it is one.
    pub fn of(root: &Path) -> Option<Git> {
        root.join(".git").exists().then(|| Git {
            root: root.to_path_buf(),
            spent: Default::default(),
            sign: false,
            objects: Default::default(),
            diffs: Default::default(),
            fit: Default::default(),
        })
    }

    /// Makes `root` (a ledger just created) a repository, with the
    /// attributes a clone needs, and commits it.
    pub fn init(root: &Path, files: &[&str], author: &Author<'_>) -> Result<Git, StoreError> {
        check_version()?;
        let git = Git {
            root: root.to_path_buf(),
            spent: Default::default(),
            sign: false,
            objects: Default::default(),
            diffs: Default::default(),
            fit: Default::default(),
        };
        // git's own default branch (`init.defaultBranch`, else `master`):
        // the one a remote made with plain `git init --bare` names.
        git.run("init", &["init", "-q"], None)?;
        let attributes = root.join(".gitattributes");
        super::atomic::create_new(&attributes, ATTRIBUTES.as_bytes())
            .map_err(|e| super::io_err(format!("cannot write {}", attributes.display()))(e))?;
        let mut all = vec![".gitattributes", ".gitignore"];
        all.extend(files);
        git.ensure_driver();
        git.commit(&all, "init: a ledger shared over git", author)?;
        Ok(git)
    }

    /// Commits exactly `paths` (relative to the ledger) with `message` as
    /// `author`; nothing else of the work tree.
    pub fn commit(
        &self,
        paths: &[&str],
        message: &str,
        author: &Author<'_>,
    ) -> Result<(), StoreError> {
        if paths.is_empty() {
            return Ok(());
        }
        self.add(paths)?;
        let mut commit = self.commit_args();
        commit.extend(["-m", message, "--"]);
        commit.extend(paths);
        self.run("commit", &commit, Some(author))?;
        Ok(())
    }

    /// Runs git in the repository, counting the time it takes.
    fn spawn(&self, cmd: &mut Command) -> std::io::Result<Output> {
        let t0 = std::time::Instant::now();
        let out = cmd.output();
        self.spent.set(self.spent.get() + t0.elapsed());
        out
    }

    /// `git -C ROOT ARGS`, not run yet.
    fn git(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&self.root).args(args);
        cmd
    }

    fn run(
        &self,
        what: &str,
        args: &[&str],
        author: Option<&Author<'_>>,
    ) -> Result<Output, StoreError> {
        let mut cmd = self.git(args);
        if let Some(a) = author {
            let date = format!("@{} +0000", a.at.timestamp());
            let email = format!("{}@contracts.invalid", slug(a.name));
            cmd.env("GIT_AUTHOR_NAME", a.name)
                .env("GIT_AUTHOR_EMAIL", &email)
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date);
            // A clone with no identity of its own commits as the party.
            if std::env::var_os("GIT_COMMITTER_NAME").is_none() && !self.has_identity() {
                cmd.env("GIT_COMMITTER_NAME", a.name)
                    .env("GIT_COMMITTER_EMAIL", &email);
            }
        }
        let out = self
            .spawn(&mut cmd)
            .map_err(|e| git_err(what, format!("cannot run git: {e} (is git installed?)")))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(git_err(what, err.trim().to_string()));
        }
        Ok(out)
    }

    // `git commit`, signed with the clone's SSH key when commits are.
    fn commit_args(&self) -> Vec<&'static str> {
        if self.sign {
            vec!["-c", "gpg.format=ssh", "commit", "-q", "--no-verify", "-S"]
        } else {
            vec!["commit", "-q", "--no-verify"]
        }
    }

    fn add(&self, paths: &[&str]) -> Result<(), StoreError> {
        let mut add = vec!["add", "--"];
        add.extend(paths);
        self.run("add", &add, None)?;
        Ok(())
    }

    /// The same repository, its commits signed or not.
    pub fn signing(self, sign: bool) -> Git {
        Git { sign, ..self }
    }

    /// The public key this clone signs with (`user.signingkey`: a key, a
    /// `.pub` file, or a private key file with its `.pub` beside it).
    pub fn signing_key(&self) -> Option<String> {
        let v = self
            .spawn(&mut self.git(&["config", "--get", "user.signingkey"]))
            .ok()?;
        let v = String::from_utf8_lossy(&v.stdout).trim().to_string();
        if v.is_empty() {
            return None;
        }
        let v = v.strip_prefix("key::").unwrap_or(&v).to_string();
        if v.starts_with("ssh-") || v.starts_with("ecdsa-") || v.starts_with("sk-") {
            return Some(v);
        }
        let path = match v.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME").map(|h| Path::new(&h).join(rest))?,
            None => PathBuf::from(&v),
        };
        let public = if path.extension().is_some_and(|e| e == "pub") {
            path
        } else {
            PathBuf::from(format!("{}.pub", path.display()))
        };
        std::fs::read_to_string(public)
            .ok()
            .and_then(|t| t.lines().next().map(|l| l.trim().to_string()))
    }

    /// Whether this clone can sign commits: a signing key is configured.
    pub fn can_sign(&self) -> bool {
        self.ok(&["config", "--get", "user.signingkey"])
    }

    /// Who signed `rev`, of `parties` (in order): the party's name, or
    /// why not. Decided in this process ([`sshsig::signer`]); a signature
    /// it cannot decide (not SSH, a key type not verified here) is checked
    /// by `git verify-commit` against an allowed-signers file of the same
    /// parties written in `dir`.
    pub fn signer(&self, rev: &str, parties: &[Party], dir: &Path) -> Result<String, String> {
        self.signer_known(rev, parties, dir, None)
    }

    /// [`Git::signer`], with whether its signature holds for its own key
    /// already known where `known` says so ([`sshsig::holds`]).
    pub fn signer_known(
        &self,
        rev: &str,
        parties: &[Party],
        dir: &Path,
        known: Option<bool>,
    ) -> Result<String, String> {
        let commit = match self.read_commit(rev) {
            Ok(Some(c)) => c,
            Ok(None) => return Err(format!("{rev}: not a commit")),
            Err(e) => return Err(e.to_string()),
        };
        if let Some(verdict) = sshsig::signer_known(&commit, parties, known) {
            return verdict;
        }
        let allowed = dir.join(format!("allowed-{rev}"));
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&allowed, sshsig::allowed_signers(parties)))
            .map_err(|e| format!("cannot write {}: {e}", allowed.display()))?;
        self.signer_by_git(rev, &allowed)
    }

    /// Who signed `rev`, as `git verify-commit` checks it against the
    /// allowed-signers file `allowed`: the principal's name, or why not.
    pub fn signer_by_git(&self, rev: &str, allowed: &Path) -> Result<String, String> {
        let file = format!("gpg.ssh.allowedSignersFile={}", allowed.display());
        let args = [
            "-c",
            "gpg.format=ssh",
            "-c",
            &file,
            "verify-commit",
            "--raw",
            rev,
        ];
        let out = self
            .spawn(&mut self.git(&args))
            .map_err(|e| format!("cannot run git: {e}"))?;
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            // `Good "git" signature for NAME with ED25519 key SHA256:...`
            if let Some(rest) = err.split("signature for ").nth(1)
                && let Some((name, _)) = rest.split_once(" with ")
            {
                return Ok(name.trim_matches('"').to_string());
            }
        }
        let signed = self
            .read_commit(rev)
            .is_ok_and(|c| c.is_some_and(|c| c.signature.is_some()));
        Err(if signed {
            sshsig::no_party(err.lines().next().unwrap_or("no valid signature").trim())
        } else {
            sshsig::UNSIGNED.to_string()
        })
    }

    /// Registers this program as the merge driver the attributes name, in
    /// this clone's config, unless one is: then a plain `git pull` merges the
    /// ledger's files by the rules too. Best effort: without it git merges
    /// them as text, and a conflict is refused and named by every command.
    pub fn ensure_driver(&self) {
        // Read, not asked of git: this runs with every commit.
        let config = std::fs::read_to_string(self.root.join(".git").join("config"));
        if config
            .is_ok_and(|c| c.contains("[merge \"contracts\"]") && c.contains("git-merge-driver"))
        {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let exe = exe.display().to_string().replace('\'', "'\\''");
        let driver = format!("'{exe}' -f . git-merge-driver %O %A %B %P");
        let _ = self.run(
            "config",
            &[
                "config",
                "merge.contracts.name",
                "contracts: merge by the rules",
            ],
            None,
        );
        let _ = self.run(
            "config",
            &["config", "merge.contracts.driver", &driver],
            None,
        );
    }

    /// Runs git for `sync`: its standard output, trimmed.
    pub fn out(&self, args: &[&str]) -> Result<String, StoreError> {
        let out = self.run(args[0], args, None)?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Whether git succeeds at `args` (a question: `merge-base --is-ancestor`).
    pub fn ok(&self, args: &[&str]) -> bool {
        self.spawn(&mut self.git(args))
            .is_ok_and(|o| o.status.success())
    }

    /// The time spent waiting for git so far.
    pub fn spent(&self) -> std::time::Duration {
        self.spent.get()
    }

    /// Reads through the `cat-file` of this repository, counting the time.
    fn read<T>(
        &self,
        f: impl FnOnce(&mut objects::Objects, &Path) -> std::io::Result<T>,
    ) -> Result<T, StoreError> {
        let t0 = std::time::Instant::now();
        let r = f(&mut self.objects.borrow_mut(), &self.root);
        self.spent.set(self.spent.get() + t0.elapsed());
        r.map_err(|e| git_err("cat-file", e.to_string()))
    }

    /// The commit `rev` names (an id, `HEAD`, a branch), if it is one.
    pub fn read_commit(&self, rev: &str) -> Result<Option<Rc<Commit>>, StoreError> {
        self.read(|o, root| o.commit(root, rev))
    }

    /// The entries of the tree `oid` (none if it is not one).
    pub fn tree(&self, oid: &str) -> Result<Rc<Vec<Entry>>, StoreError> {
        Ok(self.read(|o, root| o.tree(root, oid))?.unwrap_or_default())
    }

    /// The id of what `path` is at `rev` (a file or a folder), if it is there.
    pub fn object_at(&self, rev: &str, path: &str) -> Result<Option<Entry>, StoreError> {
        let Some(commit) = self.read_commit(rev)? else {
            return Ok(None);
        };
        let mut at = Entry {
            name: String::new(),
            oid: commit.tree.clone(),
            is_tree: true,
            mode: "40000".into(),
        };
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !at.is_tree {
                return Ok(None);
            }
            // Looked up where the tree is stored: one entry made, not all.
            let Some((data, hash)) = self.read(|o, root| o.raw_tree(root, &at.oid))? else {
                return Ok(None);
            };
            // (A name that is not UTF-8 is matched as read, lossily.)
            match objects::raw_entries(&data, hash).find(|e| {
                e.name == part.as_bytes()
                    || (std::str::from_utf8(e.name).is_err()
                        && String::from_utf8_lossy(e.name) == part)
            }) {
                Some(e) => at = e.to_entry(),
                None => return Ok(None),
            }
        }
        Ok(Some(at))
    }

    /// The text of `path` at `rev`, if it is there.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<String>, StoreError> {
        Ok(self.show_shared(rev, path)?.map(|t| t.to_string()))
    }

    /// The text of `path` at `rev`, if it is there, as kept: a text read
    /// before by its id is not read again.
    pub fn show_shared(&self, rev: &str, path: &str) -> Result<Option<Rc<str>>, StoreError> {
        match self.object_at(rev, path)? {
            Some(e) if !e.is_tree => self.blob(&e.oid),
            _ => Ok(None),
        }
    }

    /// The text of the file whose id is `oid`.
    pub fn blob(&self, oid: &str) -> Result<Option<Rc<str>>, StoreError> {
        self.read(|o, root| o.blob(root, oid))
    }

    /// The files changed between `from` and `to` (as `git diff --name-only
    /// --no-renames` names them, in its order), from their trees.
    pub fn changed(&self, from: &str, to: &str) -> Result<Vec<String>, StoreError> {
        let tree_of = |rev: &str| -> Result<String, StoreError> {
            match self.read_commit(rev)? {
                Some(c) => Ok(c.tree.clone()),
                None => Err(git_err("cat-file", format!("{rev}: no such commit"))),
            }
        };
        let (a, b) = (tree_of(from)?, tree_of(to)?);
        let mut out = Vec::new();
        self.diff_trees(Some(&a), Some(&b), "", &mut out)?;
        // git's order: by path, bytewise (a folder sorts as `NAME/`).
        out.sort();
        Ok(out)
    }

    /// The files that differ between trees `a` and `b` (either absent),
    /// under `prefix`.
    fn diff_trees(
        &self,
        a: Option<&str>,
        b: Option<&str>,
        prefix: &str,
        out: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        if a == b {
            return Ok(());
        }
        for (x, y) in self.differing(a, b)?.iter() {
            let (x, y) = (x.as_ref(), y.as_ref());
            let name = x.or(y).map_or("", |e| e.name.as_str());
            let path = format!("{prefix}{name}");
            let sub = |e: Option<&Entry>| e.filter(|e| e.is_tree).map(|e| e.oid.clone());
            let (sx, sy) = (sub(x), sub(y));
            if sx.is_some() || sy.is_some() {
                self.diff_trees(sx.as_deref(), sy.as_deref(), &format!("{path}/"), out)?;
            }
            // A file on either side that is not the same file on the other.
            fn file(e: Option<&Entry>) -> Option<(&str, &str)> {
                e.filter(|e| !e.is_tree)
                    .map(|e| (e.oid.as_str(), e.mode.as_str()))
            }
            if file(x) != file(y) {
                out.push(path);
            }
        }
        Ok(())
    }

    /// The entries of trees `a` and `b` (either absent, or not a tree:
    /// empty) that differ, paired by name as [`pair_up`] pairs them. Trees
    /// in git's order with names in UTF-8 (every tree git writes) are
    /// compared where they are stored, an entry made only for those that
    /// differ; others are parsed whole and paired.
    fn differing(&self, a: Option<&str>, b: Option<&str>) -> Result<Rc<Vec<Pair>>, StoreError> {
        let key = (
            a.unwrap_or_default().to_string(),
            b.unwrap_or_default().to_string(),
        );
        if let Some(d) = self.diffs.borrow().get(&key) {
            return Ok(d.clone());
        }
        let d = Rc::new(self.differing_now(a, b)?);
        let mut diffs = self.diffs.borrow_mut();
        if diffs.len() >= DIFFS_KEPT {
            diffs.clear();
        }
        diffs.insert(key, d.clone());
        Ok(d)
    }

    /// [`Git::differing`], found now.
    fn differing_now(&self, a: Option<&str>, b: Option<&str>) -> Result<Vec<Pair>, StoreError> {
        let raw = |t: Option<&str>| -> Result<Option<Stored>, StoreError> {
            match t {
                Some(t) => self.read(|o, root| o.raw_tree(root, t)),
                None => Ok(None),
            }
        };
        let (ra, rb) = (raw(a)?, raw(b)?);
        fn all(r: &Option<Stored>) -> Vec<objects::RawEntry<'_>> {
            match r {
                Some((d, h)) => objects::raw_entries(d, *h).collect(),
                None => Vec::new(),
            }
        }
        // The entries both begin with alike are passed over where they are
        // stored, the last of them kept; then those both end with.
        let (mut ia, mut ib) = (
            ra.iter().flat_map(|(d, h)| objects::raw_entries(d, *h)),
            rb.iter().flat_map(|(d, h)| objects::raw_entries(d, *h)),
        );
        let (mut head, mut ea, mut eb) = (None, Vec::new(), Vec::new());
        loop {
            match (ia.next(), ib.next()) {
                (Some(x), Some(y)) if x == y => head = Some(x),
                (x, y) => {
                    ea.extend(x);
                    eb.extend(y);
                    break;
                }
            }
        }
        ea.extend(ia);
        eb.extend(ib);
        let tail = ea
            .iter()
            .rev()
            .zip(eb.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let after = ea.get(ea.len() - tail).copied();
        let (ma, mb) = (&ea[..ea.len() - tail], &eb[..eb.len() - tail]);
        // One side known in git's order, the other is iff what differs is
        // (the entries alike are the known side's); neither known, each is
        // checked whole.
        let known = |t: Option<&str>| t.is_none_or(|t| self.fit.borrow().contains(t));
        let fits = match (known(a), known(b)) {
            (true, true) => true,
            (true, false) => self.found_fit(b, fits_between(mb, head.as_ref(), after.as_ref())),
            (false, true) => self.found_fit(a, fits_between(ma, head.as_ref(), after.as_ref())),
            (false, false) => {
                self.found_fit(a, fits_between(&all(&ra), None, None))
                    && self.found_fit(b, fits_between(&all(&rb), None, None))
            }
        };
        if fits {
            return Ok(pair_up_raw(ma, mb)
                .into_iter()
                .map(|(x, y)| (x.map(|e| e.to_entry()), y.map(|e| e.to_entry())))
                .collect());
        }
        let (ta, tb) = (
            a.map(|t| self.tree(t)).transpose()?.unwrap_or_default(),
            b.map(|t| self.tree(t)).transpose()?.unwrap_or_default(),
        );
        Ok(pair_up(&ta, &tb)
            .into_iter()
            .filter(|(x, y)| x != y)
            .map(|(x, y)| (x.cloned(), y.cloned()))
            .collect())
    }

    /// Records that the tree `oid` is in git's order with UTF-8 names and
    /// modes ([`fits_between`]), if `fits`; gives `fits`.
    fn found_fit(&self, oid: Option<&str>, fits: bool) -> bool {
        if let (Some(oid), true) = (oid, fits) {
            let mut fit = self.fit.borrow_mut();
            if fit.len() >= FIT_KEPT {
                fit.clear();
            }
            fit.insert(oid.to_string());
        }
        fits
    }

    /// Reads ahead, asking `cat-file` for many objects at once, what
    /// [`Git::changed`] and [`Git::show`] will read for each `(from, to)`
    /// of `pairs` (commit ids): the commits, the trees that differ
    /// between them, level by level, and both versions of each file
    /// changed; not `deep`, only the commits and their trees. Nothing is
    /// decided here; a read-ahead that fails leaves the reads to be made
    /// one by one.
    pub fn read_ahead(&self, pairs: &[(&str, &str)], deep: bool) {
        let _ = self.try_read_ahead(pairs, deep);
    }

    fn try_read_ahead(&self, pairs: &[(&str, &str)], deep: bool) -> Result<(), StoreError> {
        let ids: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
        self.read(|o, root| o.prefetch(root, &ids))?;
        if !deep {
            let mut trees = Vec::new();
            for id in ids {
                trees.extend(self.read_commit(id)?.map(|c| c.tree.clone()));
            }
            let trees: Vec<&str> = trees.iter().map(String::as_str).collect();
            return self.read(|o, root| o.prefetch(root, &trees));
        }
        let mut level: Vec<(Option<String>, Option<String>)> = Vec::new();
        for (a, b) in pairs {
            if let (Some(a), Some(b)) = (self.read_commit(a)?, self.read_commit(b)?)
                && a.tree != b.tree
            {
                level.push((Some(a.tree.clone()), Some(b.tree.clone())));
            }
        }
        let mut blobs: Vec<String> = Vec::new();
        while !level.is_empty() {
            let ids: Vec<&str> = level
                .iter()
                .flat_map(|(a, b)| [a.as_deref(), b.as_deref()])
                .flatten()
                .collect();
            self.read(|o, root| o.prefetch(root, &ids))?;
            let mut next = Vec::new();
            for (a, b) in &level {
                for (x, y) in self.differing(a.as_deref(), b.as_deref())?.iter() {
                    let (x, y) = (x.as_ref(), y.as_ref());
                    let sub = |e: Option<&Entry>| e.filter(|e| e.is_tree).map(|e| e.oid.clone());
                    let (sx, sy) = (sub(x), sub(y));
                    if sx.is_some() || sy.is_some() {
                        next.push((sx, sy));
                    }
                    blobs.extend(
                        [x, y]
                            .into_iter()
                            .flatten()
                            .filter(|e| !e.is_tree)
                            .map(|e| e.oid.clone()),
                    );
                }
            }
            level = next;
        }
        let ids: Vec<&str> = blobs.iter().map(String::as_str).collect();
        self.read(|o, root| o.prefetch(root, &ids))
    }

    /// A reader on another thread, through its own `cat-file`, that reads
    /// ahead what [`Git::read_ahead`] would while this one works: `verify`
    /// otherwise waits for each batch of objects in turn.
    pub fn reader(&self) -> Option<ReadAhead> {
        use std::sync::mpsc::channel;
        let root = self.root.clone();
        let (ask, asked) = channel::<Asked>();
        let (send, got) = channel();
        // Signatures are checked on a thread of their own, a batch ahead.
        let (check, to_check) = channel::<(String, Option<(String, Vec<u8>)>)>();
        let (holds, verdicts) = channel();
        let signatures = std::thread::Builder::new()
            .name("signatures".into())
            .spawn(move || {
                for (rev, sig) in to_check {
                    if holds.send((rev, sshsig::holds(sig.as_ref()))).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        let thread = std::thread::Builder::new()
            .name("git read-ahead".into())
            .spawn(move || {
                let git = Git {
                    root,
                    spent: Default::default(),
                    sign: false,
                    objects: RefCell::new(objects::Objects::tapped()),
                    diffs: Default::default(),
                    fit: Default::default(),
                };
                for (pairs, deep) in asked {
                    let pairs: Vec<(&str, &str)> = pairs
                        .iter()
                        .map(|(a, b)| (a.as_str(), b.as_str()))
                        .collect();
                    git.read_ahead(&pairs, deep);
                    if deep {
                        for (_, rev) in &pairs {
                            let c = git.read_commit(rev).ok().flatten();
                            let sig = c.and_then(|c| c.signature.clone());
                            let _ = check.send((rev.to_string(), sig));
                        }
                    }
                    let raws = git.objects.borrow_mut().take_tapped();
                    // The trees paired, handed over: not paired again there.
                    let diffs = std::mem::take(&mut *git.diffs.borrow_mut())
                        .into_iter()
                        .map(|(k, d)| (k, Rc::unwrap_or_clone(d)))
                        .collect();
                    if send.send((raws, diffs)).is_err() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(ReadAhead {
            ask: Some(ask),
            got,
            verdicts: Some(verdicts),
            waiting: 0,
            threads: vec![thread, signatures],
        })
    }

    /// The files under the folder `dir` at `rev` (as `git ls-tree -r
    /// --name-only REV -- DIR` lists them).
    pub fn files_under(&self, rev: &str, dir: &str) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        if let Some(e) = self.object_at(rev, dir)?.filter(|e| e.is_tree) {
            let dir = dir.trim_end_matches('/');
            self.diff_trees(None, Some(&e.oid), &format!("{dir}/"), &mut out)?;
        }
        out.sort();
        Ok(out)
    }

    /// The commits `range` names (`git rev-list` arguments), oldest
    /// first (`--topo-order`), each with its parents: one `git rev-list`.
    pub fn commits(&self, range: &[&str]) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let mut args = vec!["rev-list", "--parents", "--reverse", "--topo-order"];
        args.extend(range);
        Ok(self
            .out(&args)?
            .lines()
            .filter_map(|l| {
                let mut ids = l.split_whitespace().map(str::to_string);
                Some((ids.next()?, ids.collect()))
            })
            .collect())
    }

    /// Begins merging `rev` with our tree kept (`-s ours`), recording both
    /// parents; the files are then written, and [`Git::commit_merge`] ends it.
    pub fn commit_merge(
        &self,
        paths: &[&str],
        message: &str,
        author: &Author<'_>,
        ours: &str,
        theirs: &str,
    ) -> Result<(), StoreError> {
        // A path the merge removed is staged already (`git rm`).
        let present: Vec<&str> = paths
            .iter()
            .copied()
            .filter(|p| self.root.join(p).exists())
            .collect();
        if !present.is_empty() {
            self.add(&present)?;
        }
        // No merge in progress is ever left behind: the commit is made
        // aside from the index (`commit-tree`), signed like every other
        // where the parties' keys are recorded, and the branch moves to it
        // in one step, only if it is still at `ours`.
        let tree = self.out(&["write-tree"])?;
        let mut args = if self.sign {
            vec!["-c", "gpg.format=ssh", "commit-tree", "-S"]
        } else {
            vec!["commit-tree"]
        };
        args.extend([tree.as_str(), "-p", ours, "-p", theirs, "-m", message]);
        let out = self.run("commit-tree", &args, Some(author))?;
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        self.run(
            "update-ref",
            &["update-ref", "-m", "sync: merge", "HEAD", &commit, ours],
            None,
        )?;
        Ok(())
    }

    /// Removes the lock files a git this program started left when it was
    /// killed with it (a power cut, a kill of the process group):
    /// `.git/index.lock`, `HEAD.lock`, a branch's `refs/heads/main.lock`, ...
    /// — else every later git that writes fails on them. Called only under
    /// the ledger's exclusive lock, which every command that runs git to
    /// write takes, so no git of ours is running. The locks it removed,
    /// relative to `.git`.
    pub fn clear_stale_locks(&self) -> Vec<String> {
        fn walk(dir: &Path, rel: &str, deep: bool, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let rel = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                let Ok(kind) = e.file_type() else { continue };
                if kind.is_file() && name.ends_with(".lock") {
                    if std::fs::remove_file(e.path()).is_ok() {
                        out.push(rel);
                    }
                } else if kind.is_dir() && (deep || name == "refs") {
                    walk(&e.path(), &rel, true, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root.join(".git"), "", false, &mut out);
        out.sort();
        out
    }

    fn has_identity(&self) -> bool {
        self.spawn(&mut self.git(&["config", "user.email"]))
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
    }
}

/// The entries of trees `a` and `b` paired by name: each of `a` with its
/// namesake in `b` if any, then those of `b` alone. Trees git wrote are
/// sorted (a folder as `NAME/`): one merge of the two, nothing hashed —
/// `verify` pairs two versions of a 500-file folder at every commit. A
/// file on one side and a folder of its name on the other come unpaired,
/// each alone, which every caller reads as a pair would be read.
fn pair_up<'t>(a: &'t [Entry], b: &'t [Entry]) -> Vec<(Option<&'t Entry>, Option<&'t Entry>)> {
    use std::cmp::Ordering;
    fn order(x: &Entry, y: &Entry) -> Ordering {
        let (p, q) = (x.name.as_bytes(), y.name.as_bytes());
        let n = p.iter().zip(q).take_while(|(c, d)| c == d).count();
        // The first byte that differs, a folder's name ending in `/`.
        let next = |s: &[u8], tree: bool| s.get(n).copied().or(tree.then_some(b'/'));
        next(p, x.is_tree).cmp(&next(q, y.is_tree))
    }
    let sorted = |t: &[Entry]| t.windows(2).all(|w| order(&w[0], &w[1]) == Ordering::Less);
    if !sorted(a) || !sorted(b) {
        return pair_by_name(a, b);
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match order(x, y) {
                Ordering::Equal => {
                    out.push((Some(x), Some(y)));
                    (i, j) = (i + 1, j + 1);
                }
                Ordering::Less => {
                    out.push((Some(x), None));
                    i += 1;
                }
                Ordering::Greater => {
                    out.push((None, Some(y)));
                    j += 1;
                }
            },
            (Some(x), None) => {
                out.push((Some(x), None));
                i += 1;
            }
            (None, Some(y)) => {
                out.push((None, Some(y)));
                j += 1;
            }
            (None, None) => return out,
        }
    }
}

/// Pairs of trees whose differences are kept ([`Git::differing`]).
const DIFFS_KEPT: usize = 4096;

/// The differences found between pairs of trees, by their ids.
type Diffs = std::collections::HashMap<(String, String), Rc<Vec<Pair>>>;

/// Two entries paired by name, either absent.
type Pair = (Option<Entry>, Option<Entry>);

/// A tree as stored, and the length of its ids.
type Stored = (std::sync::Arc<[u8]>, usize);

/// Trees known to be in git's order kept ([`Git::found_fit`]).
const FIT_KEPT: usize = 100_000;

/// Whether `entries` are in git's order after `before` and before `after`
/// (where given), every name and mode UTF-8: so that entries equal as
/// bytes are equal as parsed, and the reverse, and trees pair in one walk.
fn fits_between(
    entries: &[objects::RawEntry<'_>],
    before: Option<&objects::RawEntry<'_>>,
    after: Option<&objects::RawEntry<'_>>,
) -> bool {
    let utf8 = entries
        .iter()
        .all(|e| std::str::from_utf8(e.name).is_ok() && std::str::from_utf8(e.mode).is_ok());
    let mut seq = before.into_iter().chain(entries).chain(after);
    let Some(mut last) = seq.next() else {
        return utf8;
    };
    utf8 && seq.all(|e| {
        let ordered = git_order(last, e) == std::cmp::Ordering::Less;
        last = e;
        ordered
    })
}

/// git's order of two entries of a tree (a folder sorts as `NAME/`).
fn git_order(x: &objects::RawEntry<'_>, y: &objects::RawEntry<'_>) -> std::cmp::Ordering {
    let (p, q) = (x.name, y.name);
    let n = p.iter().zip(q).take_while(|(c, d)| c == d).count();
    let next = |s: &[u8], tree: bool| s.get(n).copied().or(tree.then_some(b'/'));
    next(p, x.is_tree()).cmp(&next(q, y.is_tree()))
}

/// [`pair_up`] of the entries of two stored trees, each in git's order
/// with UTF-8 names and modes ([`fits_between`]): only the pairs that
/// differ, in one walk. ([`Git::differing`] passes over the entries the
/// two begin and end with alike before: sorted, those pair only with each
/// other.)
fn pair_up_raw<'t>(
    a: &[objects::RawEntry<'t>],
    b: &[objects::RawEntry<'t>],
) -> Vec<(Option<objects::RawEntry<'t>>, Option<objects::RawEntry<'t>>)> {
    use std::cmp::Ordering;
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => match git_order(x, y) {
                Ordering::Equal => {
                    if x != y {
                        out.push((Some(*x), Some(*y)));
                    }
                    (i, j) = (i + 1, j + 1);
                }
                Ordering::Less => {
                    out.push((Some(*x), None));
                    i += 1;
                }
                Ordering::Greater => {
                    out.push((None, Some(*y)));
                    j += 1;
                }
            },
            (Some(x), None) => {
                out.push((Some(*x), None));
                i += 1;
            }
            (None, Some(y)) => {
                out.push((None, Some(*y)));
                j += 1;
            }
            (None, None) => return out,
        }
    }
}

/// [`pair_up`] of trees in no known order.
fn pair_by_name<'t>(a: &'t [Entry], b: &'t [Entry]) -> Vec<(Option<&'t Entry>, Option<&'t Entry>)> {
    let by_name: std::collections::HashMap<&str, &Entry> =
        b.iter().map(|e| (e.name.as_str(), e)).collect();
    let in_a: std::collections::HashSet<&str> = a.iter().map(|e| e.name.as_str()).collect();
    a.iter()
        .map(|x| (Some(x), by_name.get(x.name.as_str()).copied()))
        .chain(
            b.iter()
                .filter(|y| !in_a.contains(y.name.as_str()))
                .map(|y| (None, Some(y))),
        )
        .collect()
}

/// A name as the local part of an address: letters and digits, the rest `-`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "party".into() } else { s }
}

/// Refuses a git older than [`MIN_VERSION`], or none.
fn check_version() -> Result<(), StoreError> {
    let out = Command::new("git").arg("--version").output().map_err(|e| {
        git_err(
            "--version",
            format!(
                "cannot run git: {e}: install git {}.{} or newer",
                MIN_VERSION.0, MIN_VERSION.1
            ),
        )
    })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version: Vec<u32> = text
        .split_whitespace()
        .nth(2)
        .unwrap_or("")
        .split('.')
        .take(2)
        .filter_map(|p| p.parse().ok())
        .collect();
    match version.as_slice() {
        [a, b] if (*a, *b) >= MIN_VERSION => Ok(()),
        _ => Err(git_err(
            "--version",
            format!(
                "{}: contracts needs git {}.{} or newer",
                text.trim(),
                MIN_VERSION.0,
                MIN_VERSION.1
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(name: &str, tree: bool) -> Entry {
        Entry {
            name: name.into(),
            oid: format!("{name}{tree}"),
            is_tree: tree,
            mode: if tree { "40000" } else { "100644" }.into(),
        }
    }

    /// The merge of two sorted trees pairs as pairing by name does, a
    /// folder sorting as `NAME/` (after `a.b`, before `a0`), and a tree out
    /// of git's order is paired by name, not merged.
    #[test]
    fn trees_pair_by_name_sorted_or_not() {
        let names = |p: Vec<(Option<&Entry>, Option<&Entry>)>| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = p
                .into_iter()
                .map(|(x, y)| {
                    let n = |e: Option<&Entry>| e.map_or("-".into(), |e| e.oid.clone());
                    (n(x), n(y))
                })
                .collect();
            v.sort();
            v
        };
        let a = vec![
            e("a.b", false),
            e("a", true),
            e("a0", false),
            e("h1.toml", false),
        ];
        let b = vec![
            e("a", false),
            e("a.b", false),
            e("a0", false),
            e("h2.toml", false),
        ];
        // git's order has `a` the file before `a.b`: `b` is in it.
        let mut b_unsorted = b.clone();
        b_unsorted.swap(0, 1);
        for (x, y) in [(&a, &b), (&a, &b_unsorted)] {
            let merged = names(pair_up(x, y));
            assert!(
                merged.contains(&("a.bfalse".into(), "a.bfalse".into())),
                "{merged:?}"
            );
            assert!(
                merged.contains(&("a0false".into(), "a0false".into())),
                "{merged:?}"
            );
            assert!(
                merged.contains(&("h1.tomlfalse".into(), "-".into())),
                "{merged:?}"
            );
            assert!(
                merged.contains(&("-".into(), "h2.tomlfalse".into())),
                "{merged:?}"
            );
        }
        // Each entry appears once on its side.
        assert_eq!(pair_up(&a, &b).len(), 6);
        // By name, the file `a` and the folder `a` are paired.
        assert_eq!(pair_up(&a, &b_unsorted).len(), 5);
    }

    #[test]
    fn trees_out_of_order_are_paired_by_name_wherever_the_disorder_is() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        run(dir, &["init", "-q"]);
        let blob = |text: &str| {
            let p = dir.join("blob");
            std::fs::write(&p, text).unwrap();
            let hex = run(dir, &["hash-object", "-w", p.to_str().unwrap()]);
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect::<Vec<u8>>()
        };
        let (one, two) = (blob("1\n"), blob("2\n"));
        // A tree written as given, in whatever order (git sorts its own).
        let tree = |entries: &[(&str, &[u8])]| {
            let mut data = Vec::new();
            for (name, id) in entries {
                data.extend_from_slice(format!("100644 {name}\0").as_bytes());
                data.extend_from_slice(id);
            }
            let p = dir.join("tree");
            std::fs::write(&p, data).unwrap();
            run(
                dir,
                &[
                    "hash-object",
                    "-t",
                    "tree",
                    "--literally",
                    "-w",
                    p.to_str().unwrap(),
                ],
            )
        };
        let names = |d: &[Pair]| -> Vec<String> {
            let mut n: Vec<String> = d
                .iter()
                .map(|(x, y)| x.as_ref().or(y.as_ref()).unwrap().name.clone())
                .collect();
            n.sort();
            n
        };
        let sorted = tree(&[("a", &one), ("b", &one), ("c", &one), ("d", &one)]);
        // Out of order between entries alike on both sides, one changed.
        let middle = tree(&[("a", &one), ("c", &one), ("b", &one), ("d", &two)]);
        // Out of order where both begin alike.
        let head_a = tree(&[("b", &one), ("a", &one), ("c", &one)]);
        let head_b = tree(&[("b", &one), ("a", &one), ("c", &two)]);
        let near = tree(&[("a", &one), ("b", &one), ("c", &two), ("d", &one)]);
        let cases = [
            (&sorted, &middle, vec!["d"]),
            (&middle, &sorted, vec!["d"]),
            (&head_a, &head_b, vec!["c"]),
            (&sorted, &near, vec!["c"]),
            (&near, &middle, vec!["c", "d"]),
        ];
        // Each pair asked of a fresh reader, and of one that saw the others.
        let seen = Git::of(dir).unwrap();
        for (a, b, want) in cases {
            let fresh = Git::of(dir).unwrap();
            for git in [&fresh, &seen] {
                let d = git.differing(Some(a), Some(b)).unwrap();
                assert_eq!(names(&d), want, "{a} {b}");
            }
        }
    }

    fn run(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("HOME", dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "someone")
            .env("GIT_AUTHOR_EMAIL", "someone@example.com")
            .env("GIT_COMMITTER_NAME", "someone")
            .env("GIT_COMMITTER_EMAIL", "someone@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn changes_and_listings_read_from_trees_are_gits_own() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        run(dir, &["init", "-q"]);
        let write = |rel: &str, text: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        let commit = || {
            run(dir, &["add", "-A"]);
            run(dir, &["commit", "-q", "--allow-empty", "-m", "x"]);
            run(dir, &["rev-parse", "HEAD"])
        };
        let mut revs = Vec::new();
        for f in [
            "ledger.toml",
            "contracts/a.toml",
            "contracts/b.toml",
            "diary/2026-W45/a.toml",
            "diary/2026-W45/b.toml",
            "diary/2026-W46/a.toml",
            "x.y",
            "x/z",
        ] {
            write(f, "1\n");
        }
        revs.push(commit());
        write("contracts/a.toml", "2\n");
        std::fs::remove_file(dir.join("diary/2026-W45/b.toml")).unwrap();
        write("diary/2026-W47/a.toml", "1\n");
        revs.push(commit());
        std::fs::remove_dir_all(dir.join("x")).unwrap();
        write("x", "now a file\n");
        run(dir, &["update-index", "--chmod=+x", "x.y"]);
        revs.push(commit());
        revs.push(commit());
        let git = Git::of(dir).unwrap();
        for a in &revs {
            for b in &revs {
                let theirs: Vec<String> = run(dir, &["diff", "--name-only", "--no-renames", a, b])
                    .lines()
                    .map(str::to_string)
                    .collect();
                assert_eq!(git.changed(a, b).unwrap(), theirs, "{a}..{b}");
            }
            let listed: Vec<String> = run(dir, &["ls-tree", "-r", "--name-only", a, "--", "diary"])
                .lines()
                .map(str::to_string)
                .collect();
            assert_eq!(git.files_under(a, "diary").unwrap(), listed);
            assert_eq!(
                git.show(a, "contracts/a.toml").unwrap(),
                Some(run(dir, &["show", &format!("{a}:contracts/a.toml")]) + "\n")
            );
            assert_eq!(git.show(a, "contracts").unwrap(), None);
            assert_eq!(git.show(a, "nothing/here").unwrap(), None);
        }
        assert_eq!(
            git.show("HEAD", "x").unwrap().as_deref(),
            Some("now a file\n")
        );
        assert_eq!(git.show("no-such-rev", "x").unwrap(), None);
        let listed = git.commits(&["HEAD"]).unwrap();
        assert_eq!(listed.len(), 4);
        assert_eq!(listed[1], (revs[1].clone(), vec![revs[0].clone()]));
    }
}
