//! A ledger kept in git (SPEC §7): the `git` binary, run as a child, makes
//! the repository and one commit per command. Nothing here reads or writes
//! the ledger's files; the store does, and hands over what it wrote.

use super::StoreError;
use crate::core::Instant;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The oldest git this works with (`init -b`, `commit -- paths` as used).
pub const MIN_VERSION: (u32, u32) = (2, 34);

/// What a clone needs committed: the ledger's files name a merge driver,
/// `contracts`; where none is configured git merges them as text, and a
/// file left with conflict markers is refused, named, by every command
/// (`check` lists them).
pub const ATTRIBUTES: &str = "contracts/*.toml merge=contracts\ndiary/**/*.toml merge=contracts\n";

/// A ledger's git repository.
#[derive(Debug, Clone)]
pub struct Git {
    root: PathBuf,
    // Time spent waiting for git (`sync --verbose` reports it).
    spent: std::cell::Cell<std::time::Duration>,
    // Commits are signed (the parties' keys are recorded).
    sign: bool,
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

    /// Who signed `rev`, checked against the allowed-signers file
    /// `allowed`: the principal's name, or why not.
    pub fn signer(&self, rev: &str, allowed: &Path) -> Result<String, String> {
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
        let no_sig = !self
            .spawn(&mut self.git(&["cat-file", "commit", rev]))
            .is_ok_and(|o| {
                o.status.success() && String::from_utf8_lossy(&o.stdout).contains("gpgsig")
            });
        Err(if no_sig {
            "unsigned, where the parties' keys are recorded".to_string()
        } else {
            format!(
                "signed by a key no recorded party has ({})",
                err.lines().next().unwrap_or("no valid signature").trim()
            )
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

    /// The text of `path` at `rev`, if it is there.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<String>, StoreError> {
        // One process: `cat-file blob` fails where the path is not there.
        let spec = format!("{rev}:{path}");
        let out = self
            .spawn(&mut self.git(&["cat-file", "blob", &spec]))
            .map_err(|e| git_err("cat-file", format!("cannot run git: {e}")))?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
    }

    /// The files changed between `from` and `to`.
    pub fn changed(&self, from: &str, to: &str) -> Result<Vec<String>, StoreError> {
        Ok(self
            .out(&["diff", "--name-only", "--no-renames", from, to])?
            .lines()
            .map(str::to_string)
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

    /// Removes `.git/index.lock` left by a git this program started and
    /// that was killed with it (a power cut, a kill of the process group):
    /// called only under the ledger's exclusive lock, which every command
    /// that runs git to write takes, so no git of ours is running. Whether
    /// one was there.
    pub fn clear_stale_lock(&self) -> bool {
        let lock = self.root.join(".git").join("index.lock");
        lock.is_file() && std::fs::remove_file(&lock).is_ok()
    }

    fn has_identity(&self) -> bool {
        self.spawn(&mut self.git(&["config", "user.email"]))
            .is_ok_and(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
    }
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
