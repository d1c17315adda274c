//! A ledger kept in git (SPEC §7): `init --git`, one commit per command
//! with the acting party as its author, a plain `git clone` as a working
//! ledger, and a text merge's conflict named. Real `git`, a bare remote in
//! a temp directory, no network.

use crate::harness::Ledger;
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with nothing of the user's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "someone")
        .env("GIT_AUTHOR_EMAIL", "someone@example.com")
        .env("GIT_COMMITTER_NAME", "someone")
        .env("GIT_COMMITTER_EMAIL", "someone@example.com")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A git ledger with an hourly contract `c1` (Acme and Bob).
fn shared() -> Ledger {
    let l = Ledger::empty();
    l.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    l.hourly("c1");
    l
}

/// The freelancer logs 09:00-10:00 on Tuesday 3 November, at 11:00.
fn log_an_hour(l: &Ledger) {
    let args = "--as freelancer diary log c1 --from 2026-11-03T09:00:00Z --to 2026-11-03T10:00:00Z --memo work";
    l.run_at("2026-11-03T11:00:00Z", &args.split(' ').collect::<Vec<_>>())
        .ok();
}

/// `subject | author <email> | date` of each commit, newest first.
fn commits(dir: &Path) -> Vec<String> {
    git(dir, &["log", "--format=%s | %an <%ae> | %aI"])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn init_git_commits_what_a_clone_needs_and_each_command_one_commit_by_its_party() {
    let l = shared();
    let dir = l.path();
    assert!(dir.join(".git").is_dir());
    let files = git(dir, &["ls-files"]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [
            ".gitattributes",
            ".gitignore",
            "contracts/c1.toml",
            "ledger.toml"
        ]
    );
    assert!(l.read(".gitattributes").contains("merge=contracts"));
    log_an_hour(&l);
    l.run_at("2026-11-04T09:00:00Z", &["pause", "c1"]).ok();
    assert_eq!(
        commits(dir),
        [
            "c1: paused | Acme <acme@contracts.invalid> | 2026-11-04T09:00:00Z",
            "c1/2026W45-1: entry logged | Bob <bob@contracts.invalid> | 2026-11-03T11:00:00Z",
            "c1: created | Acme <acme@contracts.invalid> | 2026-11-02T09:00:00Z",
            "init: a ledger shared over git | client <client@contracts.invalid> | 2026-11-02T08:00:00Z",
        ]
    );
    // Each commit holds what its command wrote, and nothing is left over.
    assert_eq!(
        git(dir, &["show", "--format=", "--name-only", "HEAD~1"]).trim(),
        "diary/2026-W45/c1.toml"
    );
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
    // The message says what happened, as `log` does.
    let body = git(dir, &["log", "-1", "--format=%b"]);
    assert!(
        body.contains("c1: paused by client: contract paused: no new time can be logged"),
        "{body}"
    );
}

#[test]
fn refusals_and_dry_runs_commit_nothing_and_sweep_commits_as_contracts() {
    let l = shared();
    let dir = l.path();
    let before = commits(dir);
    l.run_at("2026-11-04T09:00:00Z", &["resume", "c1"]).code(4);
    l.run_at("2026-11-04T09:00:00Z", &["--dry-run", "pause", "c1"])
        .ok();
    assert_eq!(commits(dir), before);
    // A week settles: the timer's commit is the tool's own.
    log_an_hour(&l);
    l.run_at("2026-11-16T00:00:00Z", &["sweep"]).ok();
    assert_eq!(
        commits(dir)[0],
        "sweep: 1 timer(s) applied | contracts <contracts@contracts.invalid> | 2026-11-16T00:00:00Z"
    );
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
    // Nothing due: no commit.
    l.run_at("2026-11-16T00:00:00Z", &["sweep"]).ok();
    assert_eq!(commits(dir).len(), before.len() + 2);
}

/// A bare remote holding `l`'s commits, and a plain clone of it.
fn remote_and_clone(l: &Ledger) -> (tempfile::TempDir, Ledger) {
    let bare = tempfile::tempdir().expect("temp dir");
    git(bare.path(), &["init", "-q", "--bare", "-b", "main"]);
    git(
        l.path(),
        &[
            "remote",
            "add",
            "origin",
            &bare.path().display().to_string(),
        ],
    );
    git(l.path(), &["push", "-q", "origin", "main"]);
    let other = Ledger::empty();
    git(
        other.path(),
        &["clone", "-q", &bare.path().display().to_string(), "."],
    );
    (bare, other)
}

#[test]
fn a_plain_clone_is_a_working_ledger_for_the_other_party() {
    let l = shared();
    let (_bare, bob) = remote_and_clone(&l);
    // No setup: `contracts` reads and writes the clone, committing there.
    bob.run(&["check"]).ok();
    bob.run_at(
        "2026-11-03T11:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "start",
            "c1",
            "--memo",
            "on it",
        ],
    )
    .ok();
    assert_eq!(
        commits(bob.path())[0],
        "c1/2026W45-1: entry started | Bob <bob@contracts.invalid> | 2026-11-03T11:00:00Z"
    );
    assert_eq!(git(bob.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_text_merge_left_in_conflict_is_named_by_every_command() {
    let l = shared();
    let (_bare, bob) = remote_and_clone(&l);
    // Both change c1: Acme pauses it, Bob's clone ends it.
    l.run_at("2026-11-04T09:00:00Z", &["pause", "c1"]).ok();
    bob.run_at(
        "2026-11-04T10:00:00Z",
        &["--as", "freelancer", "end", "c1", "--yes"],
    )
    .ok();
    git(bob.path(), &["push", "-q", "origin", "main"]);
    // A pull made without `contracts` (no merge driver configured): git
    // merges the files as text and stops at the conflict.
    let out = Command::new("git")
        .arg("-C")
        .arg(l.path())
        .args(["pull", "-q", "--no-rebase", "origin", "main"])
        .env("HOME", l.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "x")
        .env("GIT_AUTHOR_EMAIL", "x@example.com")
        .env("GIT_COMMITTER_NAME", "x")
        .env("GIT_COMMITTER_EMAIL", "x@example.com")
        .output()
        .expect("git pull");
    assert!(!out.status.success(), "the pull stops at the conflict");
    let text = l.read("contracts/c1.toml");
    let line = text
        .lines()
        .position(|x| x.starts_with("<<<<<<< "))
        .unwrap()
        + 1;
    let r = l.run(&["check"]).code(5);
    assert!(
        r.stdout.contains(&format!(
            "contracts/c1.toml:{line}:1: unresolved git merge conflict"
        )),
        "{}",
        r.stdout
    );
    let r = l.run(&["show", "c1"]).code(5);
    assert!(r.stderr.contains("git merge --abort"), "{}", r.stderr);
}
