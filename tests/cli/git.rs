//! A ledger kept in git (SPEC §7): `init --git`, one commit per command
//! with the acting party as its author, a plain `git clone` as a working
//! ledger, and a text merge's conflict named. Real `git`, a bare remote in
//! a temp directory, no network.

use crate::harness::Ledger;
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with nothing of the user's configuration.
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
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
    l.run_at(
        "2026-11-02T09:30:00Z",
        &["--as", "freelancer", "accept", "c1"],
    )
    .ok();
    l
}

/// The freelancer logs 09:00-10:00 on Tuesday 3 November, at 11:00.
fn log_an_hour(l: &Ledger) {
    let args = "--as freelancer diary log c1 --from 2026-11-03T09:00:00Z --to 2026-11-03T10:00:00Z --memo work";
    l.run_at("2026-11-03T11:00:00Z", &args.split(' ').collect::<Vec<_>>())
        .ok();
}

/// The freelancer logs [from, to) of work on c1 in `l`'s clone at `now`.
fn log_c1(l: &Ledger, now: &str, from: &str, to: &str) {
    let args = [
        "--as",
        "freelancer",
        "diary",
        "log",
        "c1",
        "--from",
        from,
        "--to",
        to,
        "--memo",
        "work",
    ];
    l.run_at(now, &args).ok();
}

#[test]
fn in_a_shared_ledger_new_makes_an_offer_the_freelancer_accepts_or_declines() {
    let l = Ledger::empty();
    l.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    l.hourly("h1");
    l.fixed("f1", "500");
    let at = "2026-11-02T10:00:00Z";
    let status = |id: &str| json_at(&l, at, &["show", id])["status"].clone();
    assert_eq!(status("h1"), "offered");
    // Nothing is logged, funded or released on an offer.
    let r = l
        .run_at(
            at,
            &[
                "--json",
                "--as",
                "freelancer",
                "diary",
                "log",
                "h1",
                "--from",
                "2026-11-02T09:00:00Z",
                "--to",
                "2026-11-02T09:30:00Z",
                "--memo",
                "early",
            ],
        )
        .refused_for("offer");
    assert!(r.stderr.contains("offer not accepted yet"), "{}", r.stderr);
    let r = l
        .run_at(at, &["--json", "milestone", "approve", "f1"])
        .refused_for("offer");
    assert!(r.stderr.contains("`contracts accept f1`"), "{}", r.stderr);
    // Only the freelancer answers.
    let r = l
        .run_at(at, &["--json", "accept", "h1"])
        .refused_for("not_the_party");
    assert!(
        r.stderr.contains("only the freelancer (Bob)"),
        "{}",
        r.stderr
    );
    l.run_at(at, &["--json", "decline", "f1"])
        .refused_for("not_the_party");
    l.run_at(at, &["--as", "freelancer", "accept", "h1"]).ok();
    let show = json_at(&l, at, &["show", "h1"]);
    assert_eq!(show["status"], "active");
    assert_eq!(show["started_at"], at, "the contract starts when accepted");
    // Declined: ended, the escrow funded at `new` back with the client.
    l.run_at(at, &["--as", "freelancer", "decline", "f1"]).ok();
    let show = json_at(&l, at, &["show", "f1"]);
    assert_eq!(show["status"], "ended", "{show}");
    assert_eq!(show["escrow"], "0.00", "{show}");
    assert_eq!(show["refunded"], "500.00", "{show}");
    let r = l
        .run_at(at, &["--json", "--as", "freelancer", "accept", "f1"])
        .refused_for("not_an_offer");
    assert!(r.stderr.contains("not an offer"), "{}", r.stderr);
    assert_eq!(
        commits(l.path())[..2],
        [
            format!("f1: offer_declined | Ann <ann@contracts.invalid> | {at}"),
            format!("h1: offer_accepted | Bob <bob@contracts.invalid> | {at}"),
        ]
    );
    // Outside git, `new` makes a contract that starts at once, as before.
    let plain = Ledger::new();
    plain.hourly("h1");
    assert_eq!(json_at(&plain, at, &["show", "h1"])["status"], "active");
}

/// Both change c1: Acme pauses it in its clone; Bob's clone ends it an
/// hour later and pushes. Acme's clone, not pulled yet, and the remote.
fn pause_here_end_there() -> (Ledger, tempfile::TempDir) {
    let l = shared();
    let (bare, bob) = remote_and_clone(&l);
    l.run_at("2026-11-04T09:00:00Z", &["pause", "c1"]).ok();
    bob.run_at(
        "2026-11-04T10:00:00Z",
        &["--as", "freelancer", "end", "c1", "--yes"],
    )
    .ok();
    git(bob.path(), &["push", "-q", "origin", "HEAD"]);
    (l, bare)
}

#[test]
fn a_plain_git_pull_merges_by_the_rules_where_contracts_has_run() {
    let (l, _bare) = pause_here_end_there();
    // Acme's clone has run `contracts` (it committed): git calls it back.
    assert!(
        git(l.path(), &["config", "--get", "merge.contracts.driver"]).contains("git-merge-driver")
    );
    git(l.path(), &["pull", "-q", "--no-rebase", "origin", "HEAD"]);
    l.run(&["check"]).ok();
    let show = json_at(&l, "2026-11-04T11:00:00Z", &["show", "c1"]);
    assert_eq!(show["status"], "ended", "{show}");
    let log = json_at(&l, "2026-11-04T11:00:00Z", &["log", "c1"]);
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["created", "offer_accepted", "paused", "ended"],
        "{log}"
    );
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
            "c1: offer_accepted | Bob <bob@contracts.invalid> | 2026-11-02T09:30:00Z",
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
    l.run_at("2026-11-04T09:00:00Z", &["--json", "resume", "c1"])
        .refused_for("not_paused");
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
pub(crate) fn remote_and_clone(l: &Ledger) -> (tempfile::TempDir, Ledger) {
    let bare = tempfile::tempdir().expect("temp dir");
    git(bare.path(), &["init", "-q", "--bare"]);
    git(
        l.path(),
        &[
            "remote",
            "add",
            "origin",
            &bare.path().display().to_string(),
        ],
    );
    git(l.path(), &["push", "-q", "origin", "HEAD"]);
    let other = clone_of(bare.path());
    (bare, other)
}

/// A new clone of the remote `bare` (another machine).
pub(crate) fn clone_of(bare: &Path) -> Ledger {
    let l = Ledger::empty();
    git(l.path(), &["clone", "-q", &bare.display().to_string(), "."]);
    l
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
    let (l, _bare) = pause_here_end_there();
    // A pull in a clone where `contracts` never registered its merge
    // driver: git merges the files as text and stops at the conflict.
    git(l.path(), &["config", "--remove-section", "merge.contracts"]);
    let out = Command::new("git")
        .arg("-C")
        .arg(l.path())
        .args(["pull", "-q", "--no-rebase", "origin", "HEAD"])
        .env("HOME", l.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "x")
        .env("GIT_AUTHOR_EMAIL", "x@example.com")
        .env("GIT_COMMITTER_NAME", "x")
        .env("GIT_COMMITTER_EMAIL", "x@example.com")
        .output()
        .expect("git pull");
    assert!(
        !out.status.success(),
        "the pull stops at the conflict: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = l.read("contracts/c1.toml");
    let line = text
        .lines()
        .position(|x| x.starts_with("<<<<<<< "))
        .unwrap_or_else(|| panic!("{}\n{text}", String::from_utf8_lossy(&out.stderr)))
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
    // Every reader, those that read only a contract's state included.
    for args in [
        &["list"][..],
        &["--json", "list"],
        &["refund", "list"],
        &["diary", "show", "c1"],
        &["sweep"],
    ] {
        let r = l.run(args).code(5);
        assert!(
            r.stderr.contains("unresolved git merge conflict"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

// ---------------------------------------------------------------- sync

/// Acme's git ledger with fixed contract `f1` (500.00, Ann) pushed to a
/// bare remote, and Ann's clone of it.
pub(crate) fn two_clones() -> (tempfile::TempDir, Ledger, Ledger) {
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    acme.fixed("f1", "500");
    acme.run_at(
        "2026-11-02T09:30:00Z",
        &["--as", "freelancer", "accept", "f1"],
    )
    .ok();
    let (bare, ann) = remote_and_clone(&acme);
    (bare, acme, ann)
}

fn json_at(l: &Ledger, now: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend(args);
    l.run_at(now, &all).ok().json()
}

#[test]
fn sync_merges_by_the_rules_a_dispute_on_day_2_beats_the_auto_approval_recorded_on_day_7() {
    let (_bare, acme, ann) = two_clones();
    // The request reaches Ann's clone; then the two work apart.
    acme.run_at(
        "2026-11-04T10:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    acme.run_at("2026-11-04T10:01:00Z", &["sync"]).ok();
    ann.run_at("2026-11-04T11:00:00Z", &["sync"]).ok();
    ann.run_at(
        "2026-11-06T10:00:00Z",
        &[
            "--as",
            "freelancer",
            "refund",
            "dispute",
            "f1",
            "--note",
            "delivered",
        ],
    )
    .ok();
    ann.run_at("2026-11-06T10:01:00Z", &["sync"]).ok();
    // Acme's clone, not having synced, records the automatic approval.
    let swept = json_at(&acme, "2026-11-12T10:00:00Z", &["sweep"]);
    assert_eq!(
        swept["events"][0]["event"], "refund_auto_approved",
        "{swept}"
    );
    acme.run_at("2026-11-12T11:00:00Z", &["sync"]).ok();
    ann.run_at("2026-11-12T11:05:00Z", &["sync"]).ok();
    // Both clones: the dispute stands, the approval never fell due.
    for l in [&acme, &ann] {
        let show = json_at(l, "2026-11-12T11:10:00Z", &["show", "f1"]);
        assert_eq!(show["refunds"][0]["status"], "disputed", "{show}");
        let log = json_at(l, "2026-11-12T11:10:00Z", &["log", "f1"]);
        assert!(
            !log.as_array()
                .unwrap()
                .iter()
                .any(|e| e["event"] == "refund_auto_approved"),
            "{log}"
        );
    }
    assert_eq!(
        acme.read("contracts/f1.toml"),
        ann.read("contracts/f1.toml")
    );
    // A merge commit with both sides as parents, pushed.
    let parents = git(acme.path(), &["log", "-1", "--format=%P", "HEAD"]);
    assert_eq!(parents.split_whitespace().count(), 2, "{parents}");
    assert_eq!(
        git(acme.path(), &["rev-parse", "HEAD"]),
        git(ann.path(), &["rev-parse", "HEAD"])
    );
    assert_eq!(git(acme.path(), &["status", "--porcelain"]), "");
}

#[test]
fn sync_sets_the_later_of_two_ends_aside_and_says_so_with_exit_4() {
    let (_bare, acme, ann) = two_clones();
    acme.run_at(
        "2026-11-05T10:00:00Z",
        &[
            "end",
            "f1",
            "--pay",
            "full",
            "--reason",
            "completed",
            "--yes",
        ],
    )
    .ok();
    ann.run_at(
        "2026-11-06T10:00:00Z",
        &[
            "--as",
            "freelancer",
            "end",
            "f1",
            "--reason",
            "unresponsive",
            "--yes",
        ],
    )
    .ok();
    ann.run_at("2026-11-06T10:01:00Z", &["sync"]).ok();
    // Merged and pushed, with what the rules refused set aside: a refusal
    // of its own kind, listing each.
    let r = acme
        .run_at("2026-11-06T11:00:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let m = r.json_err()["error"]["message"].to_string();
    assert!(m.contains("f1: ended"), "{m}");
    // The party whose operation was set aside is told too, the first time
    // its clone learns of it (exit 4), then is in sync.
    let r = ann
        .run_at("2026-11-06T11:05:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let m = r.json_err()["error"]["message"].to_string();
    assert!(m.contains("f1: ended"), "{m}");
    ann.run_at("2026-11-06T11:06:00Z", &["sync"]).ok();
    for l in [&acme, &ann] {
        let log = json_at(l, "2026-11-06T11:10:00Z", &["log", "f1"]);
        let aside: Vec<&serde_json::Value> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["superseded"].is_null())
            .collect();
        assert_eq!(aside.len(), 2, "the end and its escrow return: {log}");
        assert_eq!(aside[0]["actor"], "freelancer");
        // The client's end stands: the escrow was paid, not returned.
        let show = json_at(l, "2026-11-06T11:10:00Z", &["show", "f1"]);
        assert_eq!(show["paid"], "500.00", "{show}");
        assert_eq!(show["ended_by"], "client", "{show}");
    }
}

#[test]
fn sync_refuses_an_id_taken_in_both_clones_and_changes_neither() {
    let (_bare, acme, ann) = two_clones();
    acme.run_at(
        "2026-11-03T09:00:00Z",
        &[
            "new",
            "--id",
            "x",
            "--title",
            "Logo",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "100",
        ],
    )
    .ok();
    ann.run_at(
        "2026-11-03T09:30:00Z",
        &[
            "new",
            "--id",
            "x",
            "--title",
            "Copy",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "200",
        ],
    )
    .ok();
    ann.run_at("2026-11-03T10:00:00Z", &["sync"]).ok();
    let head = git(acme.path(), &["rev-parse", "HEAD"]);
    let r = acme
        .run_at("2026-11-03T10:05:00Z", &["--json", "sync"])
        .refused_for("id_taken_in_both");
    assert!(
        r.stderr.contains("`x` was taken in both clones"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("git mv"), "{}", r.stderr);
    assert_eq!(git(acme.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(git(acme.path(), &["status", "--porcelain"]), "");
    assert!(acme.read("contracts/x.toml").contains("Logo"));
}

#[test]
fn sync_without_a_reachable_remote_fails_with_exit_1_and_keeps_the_ledger() {
    let l = shared();
    let files = |l: &Ledger| -> Vec<(String, Vec<u8>)> {
        l.snapshot()
            .into_iter()
            .filter(|(p, _)| !p.starts_with(".git/"))
            .collect()
    };
    let before = files(&l);
    let r = l.run(&["sync"]).code(1);
    assert!(r.stderr.contains("git"), "{}", r.stderr);
    assert_eq!(files(&l), before);
    // And a ledger outside git: a usage error that says how to share one.
    let plain = Ledger::new();
    let r = plain.run(&["sync"]).code(2);
    assert!(r.stderr.contains("init --git"), "{}", r.stderr);
}

#[test]
fn sync_merges_a_week_logged_in_both_clones_entry_by_entry() {
    let acme = shared();
    let (_bare, bob) = remote_and_clone(&acme);
    log_an_hour(&acme);
    bob.run_at(
        "2026-11-04T18:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "c1",
            "--from",
            "2026-11-04T09:00:00Z",
            "--to",
            "2026-11-04T11:00:00Z",
            "--memo",
            "second clone",
        ],
    )
    .ok();
    bob.run_at("2026-11-04T18:01:00Z", &["sync"]).ok();
    acme.run_at("2026-11-04T18:02:00Z", &["sync"]).ok();
    bob.run_at("2026-11-04T18:03:00Z", &["sync"]).ok();
    for l in [&acme, &bob] {
        let week = json_at(
            l,
            "2026-11-04T18:05:00Z",
            &["diary", "show", "c1", "--week", "2026-W45"],
        );
        let entries = &week["weeks"][0]["contracts"][0]["entries"];
        let ids: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["c1/2026W45-1", "c1/2026W45-2"], "{week}");
        assert_eq!(week["weeks"][0]["contracts"][0]["seconds"], 3 * 3600);
    }
    assert_eq!(
        acme.read("diary/2026-W45/c1.toml"),
        bob.read("diary/2026-W45/c1.toml")
    );
}

#[test]
fn ids_made_by_new_in_two_clones_never_collide_and_both_contracts_sync() {
    let (_bare, acme, ann) = two_clones();
    let new = |l: &Ledger, title: &str| -> String {
        let r = l
            .run_at(
                "2026-11-03T09:00:00Z",
                &[
                    "new",
                    "--title",
                    title,
                    "--client",
                    "Acme",
                    "--freelancer",
                    "Ann",
                    "--fixed",
                    "100",
                ],
            )
            .ok();
        r.stdout.trim().to_string()
    };
    let (a, b) = (new(&acme, "Logo"), new(&ann, "Copy"));
    // The next number, with a tag of its clone's own.
    for id in [&a, &b] {
        assert!(id.starts_with("c1-") && id.len() == 9, "{id}");
    }
    assert_ne!(a, b);
    ann.run_at("2026-11-03T10:00:00Z", &["sync"]).ok();
    acme.run_at("2026-11-03T10:05:00Z", &["sync"]).ok();
    ann.run_at("2026-11-03T10:10:00Z", &["sync"]).ok();
    for l in [&acme, &ann] {
        let list = json_at(l, "2026-11-03T10:15:00Z", &["list"]);
        let mut ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let mut want = vec!["f1", a.as_str(), b.as_str()];
        want.sort_unstable();
        assert_eq!(ids, want);
    }
}

#[test]
fn sync_with_the_remote_gone_fails_with_exit_1_and_retries_once_it_is_back() {
    let (bare, acme, ann) = two_clones();
    acme.run_at(
        "2026-11-04T10:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    let away = bare.path().with_extension("away");
    std::fs::rename(bare.path(), &away).unwrap();
    let head = git(acme.path(), &["rev-parse", "HEAD"]);
    let r = acme.run_at("2026-11-04T10:01:00Z", &["sync"]).code(1);
    assert!(r.stderr.contains("git fetch failed"), "{}", r.stderr);
    // The local ledger and its commit are intact.
    assert_eq!(git(acme.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(git(acme.path(), &["status", "--porcelain"]), "");
    std::fs::rename(&away, bare.path()).unwrap();
    acme.run_at("2026-11-04T10:02:00Z", &["sync"]).ok();
    ann.run_at("2026-11-04T10:03:00Z", &["sync"]).ok();
    assert_eq!(
        acme.read("contracts/f1.toml"),
        ann.read("contracts/f1.toml")
    );
}

#[test]
fn time_logged_in_one_clone_after_the_end_in_the_other_is_set_aside_not_lost() {
    let l = shared();
    let (_bare, bob) = remote_and_clone(&l);
    // Acme ends c1 on Wednesday at 12:00; Bob, not having synced, logs
    // Wednesday afternoon and Tuesday morning.
    l.run_at("2026-11-04T12:00:00Z", &["end", "c1", "--yes"])
        .ok();
    for (from, to) in [
        ("2026-11-03T09:00:00Z", "2026-11-03T10:00:00Z"),
        ("2026-11-04T13:00:00Z", "2026-11-04T15:00:00Z"),
    ] {
        log_c1(&bob, "2026-11-04T16:00:00Z", from, to);
    }
    bob.run_at("2026-11-04T16:01:00Z", &["sync"]).ok();
    let r = l
        .run_at("2026-11-04T16:05:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let m = r.json_err()["error"]["message"].to_string();
    assert!(
        m.contains("entry c1/2026W45-2 set aside: it lies after c1 ended"),
        "{m}"
    );
    l.run_at("2026-11-04T16:06:00Z", &["check"]).ok();
    // Kept in the file, counted nowhere: the hour before the end stands.
    let text = l.read("diary/2026-W45/c1.toml");
    assert!(text.contains("[[set_aside]]"), "{text}");
    assert!(
        text.contains("superseded = \"it lies after c1 ended"),
        "{text}"
    );
    let week = json_at(
        &l,
        "2026-11-04T16:06:00Z",
        &["diary", "show", "c1", "--week", "2026-W45"],
    );
    assert_eq!(week["weeks"][0]["contracts"][0]["seconds"], 3600, "{week}");
    bob.run_at("2026-11-04T16:10:00Z", &["sync"]).ok();
    assert_eq!(
        l.read("diary/2026-W45/c1.toml"),
        bob.read("diary/2026-W45/c1.toml")
    );
}

/// After the long clones simulation (seed 317856931, step 138): entries
/// set aside by two merges, the later-starting one first, were written in
/// the order they were set aside; a clone that took that file as it was
/// (only one side changed it) made a merge `verify` named as "not what
/// merging its parents gives", since its merge sorts them. Set-aside
/// entries are kept in one order, the entries' own.
#[test]
fn entries_set_aside_by_two_merges_are_in_one_order_and_a_later_merge_verifies() {
    let l = shared();
    let (_bare, bob) = remote_and_clone(&l);
    // Acme ends c1 on Wednesday at 12:00; Bob logs Thursday afternoon.
    l.run_at("2026-11-04T12:00:00Z", &["end", "c1", "--yes"])
        .ok();
    log_c1(
        &bob,
        "2026-11-05T16:00:00Z",
        "2026-11-05T13:00:00Z",
        "2026-11-05T14:00:00Z",
    );
    bob.run_at("2026-11-05T16:01:00Z", &["sync"]).ok();
    // Acme's merge sets Thursday aside.
    l.run_at("2026-11-05T16:05:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    // Bob, not having synced, logs Wednesday afternoon (earlier, also
    // after the end); his merge sets it aside beside Thursday.
    log_c1(
        &bob,
        "2026-11-05T17:00:00Z",
        "2026-11-04T13:00:00Z",
        "2026-11-04T14:00:00Z",
    );
    bob.run_at("2026-11-05T17:01:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let text = bob.read("diary/2026-W45/c1.toml");
    let (wed, thu) = (
        text.find("start = 2026-11-04T13:00:00Z")
            .expect("Wednesday"),
        text.find("start = 2026-11-05T13:00:00Z").expect("Thursday"),
    );
    assert!(wed < thu, "set aside in the entries' order:\n{text}");
    // Acme works on another contract, then merges Bob's week as it is.
    l.hourly("c2");
    l.run_at("2026-11-05T18:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-05T18:02:00Z", &["sync"]).ok();
    for c in [&l, &bob] {
        c.run_at("2026-11-05T18:03:00Z", &["verify"]).ok();
        c.run_at("2026-11-05T18:03:00Z", &["check"]).ok();
    }
    assert_eq!(tree_of(&l), tree_of(&bob));
}

/// After the long clones simulation (seed 114913679, step 134): a timer
/// started on a Sunday, stopped early in one clone and, by a pause, at its
/// week's close in the other; the later edit wins, and the entry, now
/// running into Monday, overlapped an entry the first clone had logged
/// there. `check` refused the merged ledger (exit 5). The later of the two
/// (the Monday entry) is set aside, as within one week.
#[test]
fn an_entry_running_into_the_next_week_sets_aside_what_it_overlaps_there_once_merged() {
    let l = shared();
    let (_bare, bob) = remote_and_clone(&l);
    let fl = |args: &[&str]| {
        let mut all = vec!["--as", "freelancer"];
        all.extend(args);
        all.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |c: &Ledger, now: &str, args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        c.run_at(now, &args).ok();
    };
    run(
        &bob,
        "2026-11-08T20:00:00Z",
        fl(&["diary", "start", "c1", "--memo", "late"]),
    );
    bob.run_at("2026-11-08T20:01:00Z", &["sync"]).ok();
    l.run_at("2026-11-08T20:02:00Z", &["sync"]).ok();
    // Bob stops at 09:00 on Monday and logs 10:00-11:00.
    run(&bob, "2026-11-09T09:00:00Z", fl(&["diary", "stop", "c1"]));
    log_c1(
        &bob,
        "2026-11-09T11:30:00Z",
        "2026-11-09T10:00:00Z",
        "2026-11-09T11:00:00Z",
    );
    bob.run_at("2026-11-09T11:31:00Z", &["sync"]).ok();
    // Acme, not knowing, pauses at 13:00: the timer stops at the week's
    // close, Monday 12:00 — the later edit.
    l.run_at("2026-11-09T13:00:00Z", &["pause", "c1"]).ok();
    let r = l
        .run_at("2026-11-09T13:01:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let m = r.json_err()["error"]["message"].to_string();
    assert!(
        m.contains("entry c1/2026W46-1 set aside: it overlaps 2026W45-1"),
        "{m}"
    );
    bob.run_at("2026-11-09T13:02:00Z", &["sync"]).ok();
    for c in [&l, &bob] {
        c.run_at("2026-11-09T13:03:00Z", &["check"]).ok();
        c.run_at("2026-11-09T13:03:00Z", &["verify"]).ok();
    }
    assert_eq!(tree_of(&l), tree_of(&bob));
    // The Sunday entry counts in its week up to Monday 12:00; the Monday
    // hour set aside counts nowhere.
    for (week, seconds) in [("2026-W45", 16 * 3600), ("2026-W46", 0)] {
        let shown = json_at(
            &l,
            "2026-11-09T13:03:00Z",
            &["diary", "show", "c1", "--week", week],
        );
        assert_eq!(
            shown["weeks"][0]["contracts"][0]["seconds"], seconds,
            "{shown}"
        );
    }
}

// ------------------------------------------------------- who did what

/// Commits every change by hand with git, signed with the clone's key.
pub(crate) fn signed_commit(dir: &Path, message: &str) {
    git(
        dir,
        &["-c", "gpg.format=ssh", "commit", "-q", "-S", "-am", message],
    );
}

/// An ed25519 key pair in `dir`, named `name`: the private key's path.
pub(crate) fn key(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.display().to_string()
}

#[test]
fn signed_commits_verify_and_a_claim_for_the_other_party_is_refused_locally_and_by_verify() {
    let keys = tempfile::tempdir().unwrap();
    let (acme_key, bob_key) = (key(keys.path(), "acme"), key(keys.path(), "bob"));
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    let pub_of = |k: &str| format!("{k}.pub");
    // A party records its own key, from a clone that signs with it: not
    // without a key, not someone else's.
    acme.run_at(
        "2026-11-02T08:01:00Z",
        &[
            "--json",
            "party",
            "add",
            "Acme",
            "--key",
            &pub_of(&acme_key),
        ],
    )
    .refused_for("no_signing_key");
    git(acme.path(), &["config", "user.signingkey", &acme_key]);
    acme.run_at(
        "2026-11-02T08:01:00Z",
        &["--json", "party", "add", "Bob", "--key", &pub_of(&bob_key)],
    )
    .refused_for("not_own_key");
    acme.run_at(
        "2026-11-02T08:01:00Z",
        &["party", "add", "Acme", "--key", &pub_of(&acme_key)],
    )
    .ok();
    // Bob records his, in his clone.
    let (_bare, bob) = remote_and_clone(&acme);
    git(bob.path(), &["config", "user.signingkey", &bob_key]);
    bob.run_at(
        "2026-11-02T08:02:00Z",
        &["party", "add", "Bob", "--key", &pub_of(&bob_key)],
    )
    .ok();
    bob.run_at("2026-11-02T08:03:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T08:04:00Z", &["sync"]).ok();
    acme.hourly("c1");
    // Acme's clone cannot record Bob's acceptance.
    let r = acme
        .run_at(
            "2026-11-02T09:30:00Z",
            &["--json", "--as", "freelancer", "accept", "c1"],
        )
        .refused_for("other_party");
    assert!(
        r.stderr.contains("this clone signs as Acme"),
        "{}",
        r.stderr
    );
    acme.run_at("2026-11-02T09:29:00Z", &["sync"]).ok();
    bob.run_at("2026-11-02T09:29:30Z", &["sync"]).ok();
    // Bob's clone can.
    bob.run_at(
        "2026-11-02T09:30:00Z",
        &["--as", "freelancer", "accept", "c1"],
    )
    .ok();
    bob.run_at("2026-11-02T09:31:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T09:32:00Z", &["sync"]).ok();
    let r = acme.run(&["verify"]).ok();
    assert!(
        r.stdout.contains("verified: 5 commit(s), 4 signed"),
        "{}",
        r.stdout
    );
    // A second verify checks only commits it has not checked before.
    let r = acme.run(&["verify"]).ok();
    assert!(
        r.stdout.contains(
            "verified: 5 commit(s), 4 signed by a recorded party (0 checked now, 5 before"
        ),
        "{}",
        r.stdout
    );

    // A key is changed by its party, signed with the old key; not by the other.
    let acme_new = key(keys.path(), "acme2");
    let new_pub = pub_of(&acme_new);
    let replace = [
        "party",
        "add",
        "Acme",
        "--key",
        new_pub.as_str(),
        "--replace",
    ];
    bob.with_json(|| bob.run_at("2026-11-02T10:00:00Z", &replace))
        .refused_for("not_the_signer");
    acme.run_at("2026-11-02T10:00:00Z", &replace).ok();
    git(acme.path(), &["config", "user.signingkey", &acme_new]);
    let r = acme.run(&["verify"]).ok();
    assert!(
        r.stdout.contains("verified: 6 commit(s), 5 signed"),
        "{}",
        r.stdout
    );

    // Forced by hand: Acme's key signs the freelancer's pause, made in a
    // copy outside git and committed with git itself.
    let scratch = Ledger::empty();
    for f in ["ledger.toml", "contracts/c1.toml"] {
        scratch.write(f, &acme.read(f));
    }
    scratch
        .run_at("2026-11-03T09:00:00Z", &["--as", "client", "pause", "c1"])
        .ok();
    let forged = scratch.read("contracts/c1.toml").replace(
        "actor = \"client\"\nevent = \"paused\"",
        "actor = \"freelancer\"\nevent = \"paused\"",
    );
    acme.write("contracts/c1.toml", &forged);
    signed_commit(acme.path(), "forged");
    let forged_rev = git(acme.path(), &["rev-parse", "--short=12", "HEAD"]);
    // And a commit without a signature.
    acme.write("notes.txt", "x\n");
    git(acme.path(), &["add", "notes.txt"]);
    git(
        acme.path(),
        &["commit", "-q", "--no-gpg-sign", "-m", "unsigned"],
    );
    let unsigned_rev = git(acme.path(), &["rev-parse", "--short=12", "HEAD"]);
    let r = acme.run(&["--json", "verify"]).refused_for("unverified");
    assert!(r.stderr.contains("2 of 8 commit(s) fail"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{}: adds `paused` by the freelancer of c1 (Bob), but is signed by Acme",
            forged_rev.trim()
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{}: unsigned", unsigned_rev.trim())),
        "{}",
        r.stderr
    );

    // An unsigned commit pushed from Bob's clone: Acme's sync merges it as
    // rejected (exit 4), taking none of it, and pushes.
    bob.write("bob-notes.txt", "from bob\n");
    git(bob.path(), &["add", "bob-notes.txt"]);
    git(
        bob.path(),
        &["commit", "-q", "--no-gpg-sign", "-m", "unsigned"],
    );
    git(bob.path(), &["push", "-q", "origin", "HEAD"]);
    let r = acme
        .run_at("2026-11-03T10:00:00Z", &["--json", "sync"])
        .refused_for("rejected");
    assert!(
        r.stderr
            .contains("merged and pushed without 1 commit(s) that fail verification"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("unsigned"), "{}", r.stderr);
    assert!(!acme.file("bob-notes.txt").exists());
    // Bob takes the merge (leaving out, in turn, Acme's own forged and
    // unsigned commits of above); his clone no longer has the file either.
    bob.run_at("2026-11-03T10:05:00Z", &["--json", "sync"])
        .refused_for("rejected");
    assert!(!bob.file("bob-notes.txt").exists());
    // The pause Acme forged in Bob's name stays in the history, superseded
    // (Acme's own merge had set it aside already, for its party), and
    // changed nothing.
    let log = json_at(&bob, "2026-11-03T10:06:00Z", &["log", "c1"]);
    let forged_pause = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "paused" && e["actor"] == "freelancer")
        .cloned()
        .unwrap();
    assert!(forged_pause["superseded"].is_string(), "{forged_pause}");
    let c1 = json_at(&bob, "2026-11-03T10:06:00Z", &["show", "c1"]);
    assert_eq!(c1["status"], "active", "{c1}");

    // Bob's key, signing a change of Acme's key by hand: verify names it.
    let text = bob.read("ledger.toml");
    let start = text.find("[parties.Acme]\nkey = \"").unwrap() + "[parties.Acme]\nkey = \"".len();
    let end = start + text[start..].find('"').unwrap();
    let bob_pub = std::fs::read_to_string(pub_of(&bob_key)).unwrap();
    bob.write(
        "ledger.toml",
        &format!("{}{}{}", &text[..start], bob_pub.trim(), &text[end..]),
    );
    signed_commit(bob.path(), "take over");
    let r = bob.run(&["--json", "verify"]).refused_for("unverified");
    assert!(
        r.stderr
            .contains("changes Acme's key, but is signed by Bob"),
        "{}",
        r.stderr
    );
    // Pushed, Acme's sync leaves it out: Acme's key stands.
    let keys = acme.read("ledger.toml");
    git(bob.path(), &["push", "-q", "origin", "HEAD"]);
    let r = acme
        .run_at("2026-11-03T11:00:00Z", &["--json", "sync"])
        .refused_for("rejected");
    assert!(
        r.stderr
            .contains("changes Acme's key, but is signed by Bob"),
        "{}",
        r.stderr
    );
    assert_eq!(acme.read("ledger.toml"), keys);
}

/// `feedback give` on c1 as `role` at `now`, with a comment and maybe a
/// private note.
fn give(l: &Ledger, now: &str, role: &str, stars: &str, comment: &str, private: Option<&str>) {
    let mut args = vec![
        "--as",
        role,
        "feedback",
        "give",
        "c1",
        "--stars",
        stars,
        "--comment",
        comment,
    ];
    if let Some(p) = private {
        args.extend(["--private", p]);
    }
    l.run_at(now, &args).ok();
}

/// c1 ended by Acme, its feedback given (by commitment) and synced; Bob's
/// clone not synced since.
fn ended_and_given(
    stars: &str,
    comment: &str,
    private: Option<&str>,
) -> (Ledger, tempfile::TempDir, Ledger) {
    let acme = shared();
    let (bare, bob) = remote_and_clone(&acme);
    acme.run_at("2026-11-04T09:00:00Z", &["end", "c1", "--yes"])
        .ok();
    give(
        &acme,
        "2026-11-05T09:00:00Z",
        "client",
        stars,
        comment,
        private,
    );
    acme.run_at("2026-11-05T09:01:00Z", &["sync"]).ok();
    (acme, bare, bob)
}

/// `feedback show c1 --json` as the freelancer, as text.
fn shown_to_bob(l: &Ledger, now: &str) -> String {
    json_at(l, now, &["--as", "freelancer", "feedback", "show", "c1"]).to_string()
}

/// Every file of a clone (`.git/` included) and its whole `git log -p`.
fn everything_in(l: &Ledger) -> String {
    let mut all: String = l
        .snapshot()
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".git/objects/"))
        .map(|(p, b)| format!("{p}\n{}\n", String::from_utf8_lossy(&b)))
        .collect();
    all.push_str(&git(l.path(), &["log", "-p", "--all"]));
    all
}

#[test]
fn feedback_in_a_shared_ledger_is_a_commitment_until_both_gave_and_the_private_note_never_leaves() {
    let (acme, _bare, bob) = ended_and_given("4", "secret comment", Some("private note"));
    // The author still sees all of it, from the copy kept in its clone.
    let mine = json_at(&acme, "2026-11-05T09:02:00Z", &["feedback", "show", "c1"]).to_string();
    assert!(
        mine.contains("secret comment") && mine.contains("private note"),
        "{mine}"
    );
    // Acme's clone keeps the content outside the shared files and git.
    assert!(
        acme.read("contracts/c1.toml")
            .contains("commitment = \"sha256:")
    );
    assert!(!acme.read("contracts/c1.toml").contains("secret comment"));
    bob.run_at("2026-11-05T10:00:00Z", &["sync"]).ok();
    let seen = everything_in(&bob);
    assert!(
        !seen.contains("secret comment"),
        "the comment reached Bob's clone before reveal"
    );
    assert!(!seen.contains("private note"));
    // Bob gives his: both committed, both revealed; each publishes on sync.
    give(
        &bob,
        "2026-11-05T11:00:00Z",
        "freelancer",
        "5",
        "bob says",
        None,
    );
    bob.run_at("2026-11-05T11:01:00Z", &["sync"]).ok();
    acme.run_at("2026-11-05T12:00:00Z", &["sync"]).ok();
    bob.run_at("2026-11-05T13:00:00Z", &["sync"]).ok();
    let text = shown_to_bob(&bob, "2026-11-05T13:05:00Z");
    assert!(text.contains("secret comment"), "{text}");
    assert!(text.contains("bob says"), "{text}");
    let seen = everything_in(&bob);
    assert!(seen.contains("secret comment"));
    assert!(
        !seen.contains("private note"),
        "the private note never leaves its author's clone"
    );
    bob.run_at("2026-11-05T13:06:00Z", &["check"]).ok();
    // What was published is what was committed to: a changed comment is refused.
    bob.edit("contracts/c1.toml", "secret comment", "a kinder comment");
    let r = bob.run_at("2026-11-05T13:07:00Z", &["check"]).code(5);
    assert!(
        r.stdout.contains("does not match what it committed to"),
        "{}",
        r.stdout
    );
}

#[test]
fn feedback_committed_and_never_published_is_withheld_once_the_window_closes() {
    let (_acme, _bare, bob) = ended_and_given("2", "never shown", None);
    // Acme never syncs again; the window closes 14 days after the end.
    bob.run_at("2026-11-19T10:00:00Z", &["sync"]).ok();
    let text = shown_to_bob(&bob, "2026-11-19T10:00:00Z");
    assert!(text.contains("\"withheld\":true"), "{text}");
    assert!(!text.contains("never shown"), "{text}");
    let r = bob
        .run_at(
            "2026-11-19T10:00:00Z",
            &["--as", "freelancer", "feedback", "show", "c1"],
        )
        .ok();
    assert!(r.stdout.contains("withheld"), "{}", r.stdout);
}

#[test]
fn a_merge_made_by_sync_is_signed_where_the_parties_keys_are_recorded() {
    let keys = tempfile::tempdir().unwrap();
    let (acme_key, bob_key) = (key(keys.path(), "acme"), key(keys.path(), "bob"));
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    let (_bare, bob) = own_keys(&acme, &acme_key, &bob_key);
    acme.hourly("c1");
    acme.run_at("2026-11-02T09:00:30Z", &["sync"]).ok();
    bob.run_at("2026-11-02T09:01:00Z", &["sync"]).ok();
    bob.run_at(
        "2026-11-02T09:30:00Z",
        &["--as", "freelancer", "accept", "c1"],
    )
    .ok();
    bob.run_at("2026-11-02T09:31:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T09:32:00Z", &["sync"]).ok();
    // Apart: Acme raises the limit, Bob logs an hour; Acme's sync merges.
    acme.run_at("2026-11-03T08:00:00Z", &["limit", "c1", "20"])
        .ok();
    log_an_hour(&bob);
    bob.run_at("2026-11-03T11:01:00Z", &["sync"]).ok();
    acme.run_at("2026-11-03T11:02:00Z", &["sync"]).ok();
    let parents = git(acme.path(), &["log", "-1", "--format=%P"]);
    assert_eq!(parents.split_whitespace().count(), 2, "a merge: {parents}");
    let r = acme.run(&["verify"]).ok();
    assert!(r.stdout.contains("verified"), "{}", r.stdout);
}

/// Bob's clone of Acme's git ledger through a bare remote, each party's
/// key recorded by that party in its own clone (signed with it), synced.
fn own_keys(acme: &Ledger, acme_key: &str, bob_key: &str) -> (tempfile::TempDir, Ledger) {
    git(acme.path(), &["config", "user.signingkey", acme_key]);
    acme.run_at(
        "2026-11-02T08:01:00Z",
        &["party", "add", "Acme", "--key", &format!("{acme_key}.pub")],
    )
    .ok();
    let (bare, bob) = remote_and_clone(acme);
    git(bob.path(), &["config", "user.signingkey", bob_key]);
    bob.run_at(
        "2026-11-02T08:02:00Z",
        &["party", "add", "Bob", "--key", &format!("{bob_key}.pub")],
    )
    .ok();
    bob.run_at("2026-11-02T08:03:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T08:04:00Z", &["sync"]).ok();
    (bare, bob)
}

/// Acme (client) and Bob (freelancer), each in a clone signing with their
/// own key, sharing the fixed-price contract f1 (500.00, accepted by Bob).
pub(crate) fn signed_pair() -> (tempfile::TempDir, tempfile::TempDir, Ledger, Ledger) {
    let keys = tempfile::tempdir().unwrap();
    let (acme_key, bob_key) = (key(keys.path(), "acme"), key(keys.path(), "bob"));
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    let (bare, bob) = own_keys(&acme, &acme_key, &bob_key);
    acme.run_at(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "f1",
            "--title",
            "Shop",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--fixed",
            "500",
        ],
    )
    .ok();
    acme.run_at("2026-11-02T09:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-02T09:02:00Z", &["sync"]).ok();
    bob.run_at(
        "2026-11-02T10:00:00Z",
        &["--as", "freelancer", "accept", "f1"],
    )
    .ok();
    bob.run_at("2026-11-02T10:01:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T10:02:00Z", &["sync"]).ok();
    (keys, bare, acme, bob)
}

/// Commits `text` as `rel` in `l`'s clone with git itself, signed with the
/// clone's own key: what verify and the other party's sync must see through.
pub(crate) fn forge(l: &Ledger, rel: &str, text: &str) -> String {
    l.write(rel, text);
    signed_commit(l.path(), "forged");
    git(l.path(), &["rev-parse", "--short=12", "HEAD"])
        .trim()
        .to_string()
}

/// `verify` in `l` refuses (exit 4), naming `rev` with each of `needles`;
/// then the forgery is undone.
fn refused_by_verify(l: &Ledger, rev: &str, needles: &[&str]) {
    let r = l.run(&["--json", "verify"]).refused_for("unverified");
    for n in needles {
        assert!(
            r.stderr.contains(&format!("{rev}: ")) && r.stderr.contains(n),
            "`{rev}` and `{n}` in\n{}",
            r.stderr
        );
    }
    git(l.path(), &["reset", "-q", "--hard", "HEAD~1"]);
    l.run(&["verify"]).ok();
}

#[test]
fn a_history_longer_than_what_verify_reads_at_once_is_checked_to_its_end() {
    // `verify` reads 256 commits at a time, the next batch (and its
    // signatures) on other threads while one is checked: what they hand
    // over must be what reading each commit alone gives.
    let (_keys, _bare, acme, bob) = signed_pair();
    for i in 0..540 {
        git(
            bob.path(),
            &[
                "-c",
                "gpg.format=ssh",
                "commit",
                "-q",
                "-S",
                "--allow-empty",
                "-m",
                &format!("nothing {i}"),
            ],
        );
    }
    bob.run_at("2026-11-03T09:00:00Z", &["sync"]).ok();
    acme.run_at("2026-11-03T09:01:00Z", &["sync"]).ok();
    acme.run_at(
        "2026-11-04T09:00:00Z",
        &["refund", "request", "f1", "--amount", "200"],
    )
    .ok();
    acme.run_at("2026-11-04T09:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-04T09:02:00Z", &["sync"]).ok();
    let count = git(bob.path(), &["rev-list", "--count", "HEAD"]);
    assert!(count.trim().parse::<usize>().unwrap() > 540, "{count}");
    let r = bob.run(&["verify"]).ok();
    let all = format!("verified: {} commit(s)", count.trim());
    assert!(r.stdout.contains(&all), "{}{}", r.stdout, r.stderr);
    // Far past the first batch: a forgery, then a signature that no
    // longer holds, each named by a verify that checks every commit anew.
    let f1 = "contracts/f1.toml";
    let text = bob.read(f1);
    let rev = forge(&bob, f1, &text.replace("\"200.00\"", "\"20.00\""));
    let cache = bob.path().join(".git/contracts/verified");
    std::fs::remove_file(&cache).expect("a verify remembers what it checked");
    refused_by_verify(&bob, &rev, &["changes `refund_requested`"]);
    std::fs::remove_file(&cache).expect("a verify remembers what it checked");
    // (HEAD is the 540-somethingth commit: in the third batch.)
    assert_named_once_tampered(&bob);
}

/// Changes `l`'s last commit after it was signed (its message, its
/// signature kept) and checks that `verify` names it.
fn assert_named_once_tampered(l: &Ledger) {
    let commit = git(l.path(), &["cat-file", "commit", "HEAD"]);
    assert!(commit.contains("gpgsig "), "{commit}");
    let tampered = l.path().join("tampered-commit");
    std::fs::write(&tampered, format!("{}\ntampered\n", commit.trim_end())).expect("write");
    let oid = git(
        l.path(),
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            tampered.to_str().expect("utf-8"),
        ],
    )
    .trim()
    .to_string();
    std::fs::remove_file(&tampered).expect("rm");
    git(l.path(), &["update-ref", "HEAD", &oid]);
    let r = l.run(&["--json", "verify"]).refused_for("unverified");
    assert!(r.stderr.contains(&oid[..12]), "{}", r.stderr);
    assert!(
        r.stderr.contains("Could not verify signature"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_forgery_signed_with_the_forgers_own_key_is_found_by_the_fold() {
    let (_keys, _bare, acme, bob) = signed_pair();
    bob.run(&["verify"]).ok();
    let f1 = "contracts/f1.toml";
    // Bob marks his milestone released and adds himself a payment.
    let text = bob.read(f1);
    let released = text.replacen("status = \"funded\"", "status = \"released\"", 1).replacen(
        "\n[[history]]",
        "\n[[payments]]\nat = 2026-11-03T09:00:00Z\nmilestone = 1\namount = \"500.00\"\nfee = \"50.00\"\n\n[[history]]",
        1,
    );
    let rev = forge(&bob, f1, &released);
    refused_by_verify(
        &bob,
        &rev,
        &[
            "`milestones[0].status` is",
            "`payments` is 1 entry, but folding the contract's operations gives (absent)",
        ],
    );

    // Acme asks for 200.00 back; both clones have it.
    acme.run_at(
        "2026-11-04T09:00:00Z",
        &["refund", "request", "f1", "--amount", "200"],
    )
    .ok();
    acme.run_at("2026-11-04T09:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-04T09:02:00Z", &["sync"]).ok();
    bob.run(&["verify"]).ok();
    // Bob makes it 20.00, in the request and in its operation.
    let text = bob.read(f1);
    let rev = forge(&bob, f1, &text.replace("\"200.00\"", "\"20.00\""));
    refused_by_verify(&bob, &rev, &["changes `refund_requested`"]);
    // Bob deletes the request and its operation.
    let text = bob.read(f1);
    let refund = text.find("[[refunds]]").unwrap();
    let refund_end = refund + text[refund..].find("\n\n").unwrap() + 2;
    let without = format!("{}{}", &text[..refund], &text[refund_end..]);
    // The operation goes from the history, what it came to from the
    // effects, and the instant folded to back to the one before it.
    let op = without.find("event = \"refund_requested\"").unwrap();
    let op_start = without[..op].rfind("[[history]]").unwrap();
    let id_line = without[op_start..]
        .lines()
        .find(|l| l.starts_with("id = "))
        .unwrap()
        .to_string();
    let mut blocks = vec![String::new()];
    for line in without.split_inclusive('\n') {
        if line.starts_with("[[") {
            blocks.push(String::new());
        }
        blocks.last_mut().unwrap().push_str(line);
    }
    let without: String = blocks
        .into_iter()
        .filter(|block| !block.lines().any(|l| l == id_line))
        .collect::<String>()
        .replace(
            "as_of = 2026-11-04T09:00:00Z",
            "as_of = 2026-11-02T10:00:00Z",
        );
    let rev = forge(&bob, f1, &without);
    refused_by_verify(&bob, &rev, &["removes `refund_requested`"]);

    // Pushed, with an honest operation of Bob's after it: Acme's sync
    // leaves the forgery out (exit 4, `rejected`) and takes the honest one.
    let rev = forge(
        &bob,
        f1,
        &bob.read(f1)
            .replacen("price = \"500.00\"", "price = \"5000.00\"", 1),
    );
    bob.run_at(
        "2026-11-04T09:30:00Z",
        &["--as", "freelancer", "refund", "approve", "f1"],
    )
    .ok();
    git(bob.path(), &["push", "-q", "origin", "HEAD"]);
    let r = acme
        .run_at("2026-11-04T10:00:00Z", &["--json", "sync"])
        .refused_for("rejected");
    assert!(
        r.stderr
            .contains(&format!("commit {rev} rejected: {rev}: ")),
        "{}",
        r.stderr
    );
    let shown = json_at(&acme, "2026-11-04T10:01:00Z", &["show", "f1"]);
    assert_eq!(shown["price"], "500.00", "{shown}");
    assert_eq!(shown["refunded"], "200.00", "{shown}");
    acme.run(&["verify"]).ok();
    // Bob takes the merge: both clones hold the same tree, and verify.
    bob.run_at("2026-11-04T10:02:00Z", &["sync"]).ok();
    assert_eq!(tree_of(&bob), tree_of(&acme));
    bob.run(&["verify"]).ok();
    acme.run_at("2026-11-04T10:03:00Z", &["sync"]).ok();
    acme.run(&["verify"]).ok();
}

/// Both clones change f1 apart: Acme asks for 100.00 back (and pushes),
/// Ann submits her work, so Ann's next sync is a real merge.
fn concurrent_f1(acme: &Ledger, ann: &Ledger) {
    acme.run_at(
        "2026-11-03T09:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    acme.run_at("2026-11-03T09:01:00Z", &["sync"]).ok();
    ann.run_at(
        "2026-11-03T09:30:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
}

#[test]
fn sync_never_overwrites_a_change_not_committed_it_names_the_files() {
    let (_bare, acme, ann) = two_clones();
    // Both clones change f1, so a real merge would write it.
    concurrent_f1(&acme, &ann);
    // A hand edit in Ann's clone, not committed.
    ann.edit(
        "contracts/f1.toml",
        "title = \"Storefront\"",
        "title = \"Storefront v2\"",
    );
    let head = git(ann.path(), &["rev-parse", "HEAD"]);
    let r = ann
        .run_at("2026-11-03T10:00:00Z", &["--json", "sync"])
        .refused_for("dirty_work_tree");
    assert!(r.stderr.contains("contracts/f1.toml"), "{}", r.stderr);
    assert!(ann.read("contracts/f1.toml").contains("Storefront v2"));
    assert_eq!(git(ann.path(), &["rev-parse", "HEAD"]), head);
    // Undone, it syncs.
    git(ann.path(), &["checkout", "--", "contracts/f1.toml"]);
    ann.run_at("2026-11-03T10:01:00Z", &["sync"]).ok();
    assert!(
        ann.read("contracts/f1.toml")
            .contains("status = \"requested\"")
    );
}

#[test]
fn a_remote_made_with_plain_git_init_bare_and_filled_by_the_first_sync_clones_to_a_ledger() {
    let l = Ledger::empty();
    l.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    l.hourly("h1");
    let bare = tempfile::tempdir().unwrap();
    // git's defaults: HEAD names git's default branch, as the ledger's does.
    git(bare.path(), &["init", "-q", "--bare"]);
    let remote = bare.path().display().to_string();
    git(l.path(), &["remote", "add", "origin", &remote]);
    l.run_at("2026-11-02T08:05:00Z", &["sync"]).ok();
    let other = Ledger::empty();
    git(other.path(), &["clone", "-q", &remote, "."]);
    assert!(
        other.path().join("contracts/h1.toml").is_file(),
        "the clone is empty"
    );
    let r = other
        .run_at("2026-11-02T08:06:00Z", &["--json", "list"])
        .ok();
    assert_eq!(r.json()[0]["id"], "h1");
}

#[test]
fn party_list_shows_each_keys_fingerprint_as_ssh_keygen_prints_it() {
    let (keys, _bare, acme, bob) = signed_pair();
    let v = acme.run(&["--json", "party", "list"]).ok().json();
    let parties = v.as_array().unwrap();
    assert_eq!(parties.len(), 2, "{v}");
    for (name, file) in [("Acme", "acme.pub"), ("Bob", "bob.pub")] {
        let out = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(keys.path().join(file))
            .output()
            .expect("ssh-keygen");
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        let want = line.split_whitespace().nth(1).unwrap().to_string();
        let p = parties.iter().find(|p| p["name"] == name).unwrap();
        assert_eq!(p["fingerprint"], want, "{name}: {line}");
        assert_eq!(p["key_type"], "ssh-ed25519");
    }
    // Each clone says which party it signs as.
    let mine = |l: &Ledger| {
        let v = l.run(&["--json", "party", "list"]).ok().json();
        v.as_array()
            .unwrap()
            .iter()
            .filter(|p| p["this_clone"] == true)
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(mine(&acme), ["Acme"]);
    assert_eq!(mine(&bob), ["Bob"]);
    let t = acme.run(&["party", "list"]).ok().stdout;
    assert!(t.contains("SHA256:"), "{t}");
}

/// Seconds of c1's week 2026-W45 in `l`, as `diary show --json` says.
fn w45_seconds(l: &Ledger, now: &str) -> serde_json::Value {
    json_at(l, now, &["diary", "show", "c1", "--week", "2026-W45"])["weeks"][0]["contracts"][0]
        ["seconds"]
        .clone()
}

#[test]
fn a_timer_running_in_one_clone_stops_at_the_pause_or_end_made_in_the_other() {
    for stop in ["pause", "end"] {
        let l = shared();
        let (_bare, ann) = remote_and_clone(&l);
        // Ann's timer runs from 10:30; Acme, not knowing, stops new time at 11:00.
        ann.run_at(
            "2026-11-03T10:30:00Z",
            &[
                "--as",
                "freelancer",
                "diary",
                "start",
                "c1",
                "--memo",
                "work",
            ],
        )
        .ok();
        ann.run_at("2026-11-03T10:31:00Z", &["sync"]).ok();
        let mut args = vec![stop, "c1"];
        if stop == "end" {
            args.push("--yes");
        }
        l.run_at("2026-11-03T11:00:00Z", &args).ok();
        // Acme's merge: the half hour before the stop is kept and billed;
        // the rest of the timer is set aside, never lost.
        let r = l
            .run_at("2026-11-03T11:30:00Z", &["--json", "sync"])
            .refused_for("set_aside");
        let m = r.json_err()["error"]["message"].to_string();
        assert!(m.contains("kept up to it"), "{stop}: {m}");
        assert_eq!(w45_seconds(&l, "2026-11-03T12:00:00Z"), 1800, "{stop}");
        ann.run_at("2026-11-03T11:31:00Z", &["sync"]);
        assert_eq!(w45_seconds(&ann, "2026-11-03T12:00:00Z"), 1800, "{stop}");
        assert_eq!(
            l.read("diary/2026-W45/c1.toml"),
            ann.read("diary/2026-W45/c1.toml")
        );
        l.run_at("2026-11-03T12:00:00Z", &["check"]).ok();
    }
}

#[test]
fn edits_and_removals_of_one_entry_in_two_clones_merge_by_instant() {
    // (first clone's change at 11:00, second's at 12:00, what stands).
    let edit = |memo: &'static str| {
        vec![
            "--as",
            "freelancer",
            "diary",
            "edit",
            "c1/2026W45-1",
            "--memo",
            memo,
        ]
    };
    let rm = || vec!["--as", "freelancer", "diary", "rm", "c1/2026W45-1"];
    let cases: [(Vec<&str>, Vec<&str>, Option<&str>); 3] = [
        // Removed after the edit: removed.
        (edit("edited"), rm(), None),
        // Edited after the removal: the edit stands.
        (rm(), edit("edited"), Some("edited")),
        // Two edits: the later by its instant, whichever is pushed first
        // (and whichever memo sorts first).
        (edit("zulu"), edit("alpha"), Some("alpha")),
    ];
    for (a, b, stands) in cases {
        for later_pushes_first in [false, true] {
            let l = shared();
            let (bare, one) = remote_and_clone(&l);
            log_c1(
                &one,
                "2026-11-03T10:05:00Z",
                "2026-11-03T09:00:00Z",
                "2026-11-03T10:00:00Z",
            );
            one.run_at("2026-11-03T10:06:00Z", &["sync"]).ok();
            // The freelancer's second machine.
            let two = clone_of(bare.path());
            one.run_at("2026-11-03T11:00:00Z", &a).ok();
            two.run_at("2026-11-03T12:00:00Z", &b).ok();
            let (first, second) = if later_pushes_first {
                (&two, &one)
            } else {
                (&one, &two)
            };
            first.run_at("2026-11-03T12:10:00Z", &["sync"]).ok();
            second.run_at("2026-11-03T12:11:00Z", &["sync"]);
            first.run_at("2026-11-03T12:12:00Z", &["sync"]);
            for c in [&one, &two] {
                let text = c.read("diary/2026-W45/c1.toml");
                match stands {
                    None => assert!(
                        !text.contains("[[entries]]"),
                        "{a:?} then {b:?}: removed\n{text}"
                    ),
                    Some(memo) => assert!(
                        text.contains(&format!("memo = \"{memo}\"")),
                        "{a:?} then {b:?}: {memo}\n{text}"
                    ),
                }
            }
            assert_eq!(
                one.read("diary/2026-W45/c1.toml"),
                two.read("diary/2026-W45/c1.toml")
            );
        }
    }
}

#[test]
fn a_week_settled_in_one_clone_is_paid_for_the_time_both_clones_recorded() {
    let l = shared();
    let (_bare, ann) = remote_and_clone(&l);
    let log = |from: &str, to: &str, now: &str| log_c1(&ann, now, from, to);
    log(
        "2026-11-03T09:00:00Z",
        "2026-11-03T12:00:00Z",
        "2026-11-03T12:05:00Z",
    );
    ann.run_at("2026-11-03T12:06:00Z", &["sync"]).ok();
    l.run_at("2026-11-03T12:07:00Z", &["sync"]).ok();
    // Five more hours in Ann's clone, not synced before the week settles.
    log(
        "2026-11-04T09:00:00Z",
        "2026-11-04T14:00:00Z",
        "2026-11-04T14:05:00Z",
    );
    // Acme's clone settles the week at the three hours it knows.
    l.run_at("2026-11-14T01:00:00Z", &["sweep"]).ok();
    assert_eq!(
        json_at(&l, "2026-11-14T01:00:00Z", &["show", "c1"])["paid"],
        "150.00"
    );
    l.run_at("2026-11-14T01:01:00Z", &["sync"]).ok();
    // Merged, the week's pay is derived from the merged diary: eight hours.
    ann.run_at("2026-11-14T02:00:00Z", &["sync"]);
    l.run_at("2026-11-14T02:01:00Z", &["sync"]);
    for c in [&l, &ann] {
        let show = json_at(c, "2026-11-14T03:00:00Z", &["show", "c1"]);
        assert_eq!(show["paid"], "400.00", "{show}");
        c.run_at("2026-11-14T03:00:00Z", &["check"]).ok();
    }
    assert_eq!(l.read("contracts/c1.toml"), ann.read("contracts/c1.toml"));
}

#[test]
fn a_key_the_other_party_recorded_in_your_name_is_found_the_first_time_you_act() {
    let keys = tempfile::tempdir().unwrap();
    let (acme_key, fake_key, bob_key) = (
        key(keys.path(), "acme"),
        key(keys.path(), "fake"),
        key(keys.path(), "bob"),
    );
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    git(acme.path(), &["config", "user.signingkey", &acme_key]);
    acme.run_at(
        "2026-11-02T08:01:00Z",
        &["party", "add", "Acme", "--key", &format!("{acme_key}.pub")],
    )
    .ok();
    // Acme cannot record a key in Bob's name from its own clone...
    acme.run_at(
        "2026-11-02T08:02:00Z",
        &[
            "--json",
            "party",
            "add",
            "Bob",
            "--key",
            &format!("{fake_key}.pub"),
        ],
    )
    .refused_for("not_own_key");
    // ... but it holds another key, and signs Bob's record with it: the
    // first key under a name stands (what no check can tell from Bob's).
    git(acme.path(), &["config", "user.signingkey", &fake_key]);
    acme.run_at(
        "2026-11-02T08:02:00Z",
        &["party", "add", "Bob", "--key", &format!("{fake_key}.pub")],
    )
    .ok();
    git(acme.path(), &["config", "user.signingkey", &acme_key]);
    acme.hourly("c1");
    let (_bare, bob) = remote_and_clone(&acme);
    git(bob.path(), &["config", "user.signingkey", &bob_key]);
    let fingerprint = |k: &str| {
        let out = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(format!("{k}.pub"))
            .output()
            .expect("ssh-keygen");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    // The first time Bob acts, he is told, with both fingerprints.
    let r = bob
        .run_at(
            "2026-11-02T09:30:00Z",
            &["--json", "--as", "freelancer", "accept", "c1"],
        )
        .refused_for("unknown_signer");
    assert!(
        r.stderr
            .contains("someone else recorded a key in your name"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&fingerprint(&fake_key)), "{}", r.stderr);
    assert!(r.stderr.contains(&fingerprint(&bob_key)), "{}", r.stderr);
    // verify says so in his clone, and his sync pushes nothing.
    bob.run(&["--json", "verify"])
        .refused_for("key_not_recorded");
    let before = git(bob.path(), &["rev-parse", "origin/HEAD"]);
    bob.run_at("2026-11-02T09:31:00Z", &["--json", "sync"])
        .refused_for("key_not_recorded");
    assert_eq!(git(bob.path(), &["rev-parse", "origin/HEAD"]), before);
    // `party list` shows the fingerprints to compare.
    let t = bob.run(&["party", "list"]).ok().stdout;
    assert!(t.contains(&fingerprint(&fake_key)), "{t}");
}

#[test]
fn a_clock_set_ahead_is_refused_and_an_incoming_commit_dated_ahead_waits() {
    let (_bare, acme, ann) = two_clones();
    // Beyond this machine's clock (by far more than 5 minutes): refused in
    // a shared ledger, nothing written; a plain ledger takes it.
    let before = acme.snapshot();
    let far = "2100-01-04T09:00:00Z";
    acme.run_at(
        far,
        &["--json", "refund", "request", "f1", "--amount", "100"],
    )
    .refused_for("clock_ahead");
    assert!(acme.snapshot() == before);
    let plain = Ledger::new();
    plain.hourly("h1");
    plain.run_at(far, &["pause", "h1"]).ok();
    // A commit dated ahead, made by hand in Ann's clone, waits in Acme's.
    ann.write("notes.txt", "x\n");
    git(ann.path(), &["add", "notes.txt"]);
    let out = Command::new("git")
        .arg("-C")
        .arg(ann.path())
        .args(["commit", "-q", "-m", "from the future"])
        .env("HOME", ann.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ann")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_COMMITTER_NAME", "Ann")
        .env("GIT_COMMITTER_EMAIL", "ann@example.com")
        .env("GIT_AUTHOR_DATE", "@4070908800 +0000")
        .env("GIT_COMMITTER_DATE", "@4070908800 +0000")
        .output()
        .expect("git commit");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    git(ann.path(), &["push", "-q", "origin", "HEAD"]);
    let head = git(acme.path(), &["rev-parse", "HEAD"]);
    let r = acme
        .run_at("2026-11-03T10:00:00Z", &["--json", "sync"])
        .refused_for("incoming_ahead");
    assert!(r.stderr.contains("2099-01-01"), "{}", r.stderr);
    assert_eq!(git(acme.path(), &["rev-parse", "HEAD"]), head);
}

#[test]
fn time_edited_down_in_review_in_one_clone_is_what_the_week_pays_once_merged() {
    let l = shared();
    let (_bare, ann) = remote_and_clone(&l);
    // Ten hours logged on Tuesday, synced to both.
    log_c1(
        &ann,
        "2026-11-03T20:05:00Z",
        "2026-11-03T10:00:00Z",
        "2026-11-03T20:00:00Z",
    );
    ann.run_at("2026-11-03T20:06:00Z", &["sync"]).ok();
    l.run_at("2026-11-03T20:07:00Z", &["sync"]).ok();
    // In review, Ann corrects them to two hours, and does not sync yet.
    ann.run_at(
        "2026-11-09T11:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "edit",
            "c1/2026W45-1",
            "--to",
            "2026-11-03T12:00:00Z",
        ],
    )
    .ok();
    // Acme's clone settles the week at the ten hours it knows.
    l.run_at("2026-11-14T01:00:00Z", &["sweep"]).ok();
    assert_eq!(
        json_at(&l, "2026-11-14T01:00:00Z", &["show", "c1"])["paid"],
        "500.00"
    );
    l.run_at("2026-11-14T01:01:00Z", &["sync"]).ok();
    ann.run_at("2026-11-14T02:00:00Z", &["sync"]);
    l.run_at("2026-11-14T02:01:00Z", &["sync"]);
    for c in [&l, &ann] {
        let show = json_at(c, "2026-11-14T03:00:00Z", &["show", "c1"]);
        assert_eq!(show["paid"], "100.00", "{show}");
        assert_eq!(w45_seconds(c, "2026-11-14T03:00:00Z"), 7200);
        c.run_at("2026-11-14T03:00:00Z", &["check"]).ok();
    }
}

/// Everything git tracks in `l`'s clone, path and bytes: the whole tree.
fn tree_of(l: &Ledger) -> Vec<(String, String)> {
    let files = git(l.path(), &["ls-files"]);
    files.lines().map(|p| (p.to_string(), l.read(p))).collect()
}

#[cfg(feature = "failpoints")]
#[test]
fn a_sync_killed_at_any_write_leaves_no_merge_behind_and_the_next_completes_it() {
    use crate::reliability::{run_std, std_cmd};
    // Kill at the first, second, third ... write of the merge, each once.
    let mut kills = 0;
    for nth in 0..6 {
        let (_bare, acme, ann) = two_clones();
        concurrent_f1(&acme, &ann);
        let head = git(ann.path(), &["rev-parse", "HEAD"]);
        let mut c = std_cmd(&ann, "2026-11-03T10:00:00Z", &["sync"]);
        let points = if nth == 0 {
            "atomic::rename=return(kill)".to_string()
        } else {
            format!("atomic::rename={nth}*off->return(kill)")
        };
        c.env("FAILPOINTS", &points);
        let d = run_std(c);
        // No merge in progress, whatever happened; the branch where it was,
        // or moved to the whole merge.
        assert!(!ann.path().join(".git/MERGE_HEAD").exists(), "kill {nth}");
        if d.signal == Some(9) {
            kills += 1;
            assert_eq!(git(ann.path(), &["rev-parse", "HEAD"]), head, "kill {nth}");
        }
        // The next sync completes it; every command reads the ledger.
        let r = ann.run_at("2026-11-03T10:01:00Z", &["sync"]);
        assert!(matches!(r.code, 0 | 4), "kill {nth}: {}", r.stderr);
        ann.run_at("2026-11-03T10:02:00Z", &["list"]).ok();
        ann.run_at("2026-11-03T10:02:00Z", &["check"]).ok();
        acme.run_at("2026-11-03T10:03:00Z", &["sync"]);
        assert_eq!(
            tree_of(&acme),
            tree_of(&ann),
            "kill {nth}: the two clones differ"
        );
        assert!(
            git(
                ann.path(),
                &["status", "--porcelain", "--untracked-files=no"]
            )
            .is_empty(),
            "kill {nth}: a change left in the work tree"
        );
    }
    assert!(kills >= 2, "the merge was killed {kills} time(s)");
}

#[test]
fn an_operation_dated_before_the_same_partys_concurrent_one_is_set_aside_as_backdated() {
    let l = shared();
    let (bare, _ann) = remote_and_clone(&l);
    // The client's second machine.
    let desk = clone_of(bare.path());
    // At its first desk the client raises the limit at 12:00 and syncs; at
    // the other (or in a clone reset to before it) it pauses, dated 11:00.
    l.run_at("2026-11-03T12:00:00Z", &["limit", "c1", "20"])
        .ok();
    l.run_at("2026-11-03T12:01:00Z", &["sync"]).ok();
    desk.run_at("2026-11-03T11:00:00Z", &["pause", "c1"]).ok();
    let r = desk
        .run_at("2026-11-03T12:30:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let m = r.json_err()["error"]["message"].to_string();
    assert!(m.contains("paused") && m.contains("backdated"), "{m}");
    l.run_at("2026-11-03T12:31:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    for c in [&l, &desk] {
        let show = json_at(c, "2026-11-03T13:00:00Z", &["show", "c1"]);
        assert_eq!(show["status"], "active", "{show}");
        c.run_at("2026-11-03T13:00:00Z", &["check"]).ok();
    }
    assert_eq!(l.read("contracts/c1.toml"), desk.read("contracts/c1.toml"));
}

#[test]
fn an_entry_recorded_by_hand_after_its_week_closed_is_set_aside_by_the_merge() {
    let l = shared();
    let (_bare, bob) = remote_and_clone(&l);
    log_c1(
        &bob,
        "2026-11-03T11:00:00Z",
        "2026-11-03T09:00:00Z",
        "2026-11-03T10:00:00Z",
    );
    bob.run_at("2026-11-03T11:01:00Z", &["sync"]).ok();
    l.run_at("2026-11-03T11:02:00Z", &["sync"]).ok();
    // W45 is invoiced from Monday 9 November 12:00. On Tuesday Bob adds
    // Wednesday's four hours to it by hand, recorded as made that Tuesday
    // (the one door refuses a log into an invoiced week), and pushes it.
    let w45 = "diary/2026-W45/c1.toml";
    let text = bob.read(w45);
    bob.write(
        w45,
        &format!(
            "{text}\n[[entries]]\nid = \"2026W45-2\"\nstart = 2026-11-04T09:00:00Z\nend = 2026-11-04T13:00:00Z\nmemo = \"more\"\nmanual = true\nat = 2026-11-10T09:00:00Z\n"
        ),
    );
    git(bob.path(), &["commit", "-qam", "more time"]);
    bob.run_at("2026-11-10T09:01:00Z", &["sync"]).ok();
    // Acme, who paused meanwhile (so the two clones merge), sets it aside
    // and says why; the hour logged in time stands.
    l.run_at("2026-11-10T09:00:00Z", &["pause", "c1"]).ok();
    let r = l
        .run_at("2026-11-10T09:05:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    let m = r.json_err()["error"]["message"].to_string();
    assert!(
        m.contains("entry c1/2026W45-2 set aside: it was recorded at 2026-11-10 09:00:00 UTC when 2026-W45 was invoiced"),
        "{m}"
    );
    assert_eq!(w45_seconds(&l, "2026-11-10T09:06:00Z"), 3600);
    l.run_at("2026-11-10T09:06:00Z", &["check"]).ok();
    bob.run_at("2026-11-10T09:10:00Z", &["sync"]);
    assert_eq!(l.read(w45), bob.read(w45));
    assert_eq!(w45_seconds(&bob, "2026-11-10T09:11:00Z"), 3600);
}

#[test]
fn a_merge_commit_is_verified_by_merging_its_parents_again() {
    let (_keys, _bare, acme, bob) = signed_pair();
    let f1 = "contracts/f1.toml";
    // Concurrent: Acme asks for 100.00 back; Bob submits his work.
    acme.run_at(
        "2026-11-04T09:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    acme.run_at("2026-11-04T09:01:00Z", &["sync"]).ok();
    bob.run_at(
        "2026-11-04T09:00:30Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
    // Bob's sync merges (a merge commit, signed by Bob); both verify it.
    bob.run_at("2026-11-04T09:02:00Z", &["sync"]).ok();
    assert_eq!(
        git(bob.path(), &["rev-list", "--parents", "-n", "1", "HEAD"])
            .split_whitespace()
            .count(),
        3
    );
    bob.run(&["verify"]).ok();
    acme.run_at("2026-11-04T09:03:00Z", &["sync"]).ok();
    acme.run(&["verify"]).ok();
    assert_eq!(acme.read(f1), bob.read(f1));
    // Bob's next merge marks Acme's refund request set aside, signed with
    // his own key: what merging the two parents gives says otherwise.
    acme.run_at(
        "2026-11-05T09:00:00Z",
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "More",
            "--amount",
            "50",
        ],
    )
    .ok();
    acme.run_at("2026-11-05T09:01:00Z", &["sync"]).ok();
    bob.run_at(
        "2026-11-05T09:00:30Z",
        &["--as", "freelancer", "refund", "dispute", "f1"],
    )
    .ok();
    bob.run_at("2026-11-05T09:02:00Z", &["sync"]).ok();
    let text = bob.read(f1);
    let request = text
        .find("event = \"refund_requested\"")
        .expect("the request");
    let forged = format!(
        "{}event = \"refund_requested\"\nsuperseded = \"backdated\"{}",
        &text[..request],
        &text[request + "event = \"refund_requested\"".len()..]
    );
    bob.write(f1, &forged);
    git(
        bob.path(),
        &[
            "-c",
            "gpg.format=ssh",
            "commit",
            "-q",
            "-S",
            "--amend",
            "-a",
            "--no-edit",
        ],
    );
    let rev = git(bob.path(), &["rev-parse", "--short=12", "HEAD"])
        .trim()
        .to_string();
    let r = bob.run(&["--json", "verify"]).refused_for("unverified");
    assert!(
        r.stderr
            .contains(&format!("{rev}: {f1}: not what merging its parents gives")),
        "{}",
        r.stderr
    );
    // Pushed, Acme's sync leaves that merge out: Acme's request stands.
    git(bob.path(), &["push", "-q", "-f", "origin", "HEAD"]);
    acme.run_at("2026-11-05T09:10:00Z", &["--json", "sync"])
        .refused_for("rejected");
    let shown = json_at(&acme, "2026-11-05T09:11:00Z", &["show", "f1"]);
    assert_eq!(shown["refunds"][0]["status"], "disputed", "{shown}");
    // Acme's own milestone, which that merge carried too, stands.
    assert_eq!(
        shown["milestones"].as_array().map(Vec::len),
        Some(2),
        "{shown}"
    );
    let log = json_at(&acme, "2026-11-05T09:11:00Z", &["log", "f1"]);
    let added = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "milestone_added")
        .cloned()
        .unwrap();
    assert!(added["superseded"].is_null(), "{added}");
    acme.run(&["verify"]).ok();
}

#[test]
fn a_forgery_is_named_and_the_honest_commits_after_it_are_not() {
    let (_keys, _bare, acme, bob) = signed_pair();
    let f1 = "contracts/f1.toml";
    acme.run_at(
        "2026-11-04T09:00:00Z",
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "More",
            "--amount",
            "300",
        ],
    )
    .ok();
    acme.run_at("2026-11-04T09:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-04T09:02:00Z", &["sync"]).ok();
    // Bob raises the new milestone's amount by hand, signed with his key.
    let forged = forge(
        &bob,
        f1,
        &bob.read(f1)
            .replacen("amount = \"300.00\"", "amount = \"3000.00\"", 1),
    );
    // Then submits his work, honestly, on top of it.
    bob.run_at(
        "2026-11-04T10:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
    let honest = git(bob.path(), &["rev-parse", "--short=12", "HEAD"])
        .trim()
        .to_string();
    let r = bob.run(&["--json", "verify"]).refused_for("unverified");
    assert!(r.stderr.contains(&format!("{forged}: ")), "{}", r.stderr);
    assert!(!r.stderr.contains(&format!("{honest}: ")), "{}", r.stderr);
}

#[test]
fn sync_names_the_months_whose_journals_what_came_in_changed() {
    let (_bare, acme, ann) = two_clones();
    // Ann submits (no money moves): her sync names no journal.
    ann.run_at(
        "2026-11-30T09:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
    ann.run_at("2026-11-30T09:01:00Z", &["sync"]).ok();
    let r = acme.run_at("2026-11-30T09:02:00Z", &["sync"]).ok();
    assert!(!r.stderr.contains("journals"), "{}", r.stderr);
    // November is exported; then Acme approves on 30 November, and Ann's
    // clone learns of it in December: November's journal changed.
    acme.run_at("2026-11-30T23:00:00Z", &["milestone", "approve", "f1"])
        .ok();
    acme.run_at("2026-11-30T23:01:00Z", &["sync"]).ok();
    let r = ann.run_at("2026-12-02T09:00:00Z", &["sync"]).ok();
    assert!(
        r.stderr.contains("the journals of 2026-11 changed"),
        "{}",
        r.stderr
    );
    // Nothing new: nothing named.
    let r = ann.run_at("2026-12-02T09:05:00Z", &["sync"]).ok();
    assert!(!r.stderr.contains("journals"), "{}", r.stderr);
}

/// The merge base of the forger's later commits and the client's is the
/// forged commit itself (the client's merge that left it out has it as a
/// parent): a merge folds from the contract's terms, never from that
/// base's state, so the milestone from nowhere never comes back (long
/// clones run, seed 392192274).
#[test]
fn a_forged_milestone_stays_out_when_the_forged_commit_is_the_merge_base() {
    let (_keys, _bare, acme, bob) = signed_pair();
    let f1 = "contracts/f1.toml";
    // Milestone 1 released: none is funded.
    bob.run_at(
        "2026-11-02T11:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
    bob.run_at("2026-11-02T11:01:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T11:02:00Z", &["sync"]).ok();
    acme.run_at("2026-11-02T12:00:00Z", &["milestone", "approve", "f1"])
        .ok();
    acme.run_at("2026-11-02T12:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-02T12:02:00Z", &["sync"]).ok();
    let text = bob.read(f1);
    let head = text.find("\n[[history]]").expect("a history");
    let last = text[..head]
        .rfind("\n[[milestones]]\n")
        .expect("a milestone");
    let after = text[last + 1..].find("\n[[").map_or(head, |i| last + 1 + i);
    let forged = format!(
        "{}\n[[milestones]]\ntitle = \"forged\"\namount = \"100.00\"\nstatus = \"funded\"\nfunded = \"100.00\"\nfunded_at = 2026-11-03T09:00:00Z\n{}",
        &text[..after],
        &text[after..]
    );
    bob.write(f1, &forged);
    bob.run_at("2026-11-03T09:00:00Z", &["show", "f1"]).ok();
    let rev = forge(&bob, f1, &forged);
    git(bob.path(), &["push", "-q", "origin", "HEAD"]);
    // Acme's sync leaves it out; Acme adds a milestone of its own.
    let r = acme
        .run_at("2026-11-03T10:00:00Z", &["--json", "sync"])
        .refused_for("rejected");
    assert!(r.stderr.contains(&rev), "{}", r.stderr);
    acme.run_at(
        "2026-11-03T11:00:00Z",
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "More",
            "--amount",
            "50",
        ],
    )
    .ok();
    acme.run_at("2026-11-03T11:01:00Z", &["sync"]).ok();
    // Bob, not having synced, submits the forged milestone: honest-looking,
    // on top of his forgery.
    bob.run_at(
        "2026-11-03T12:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1", "2"],
    )
    .ok();
    // Bob's sync merges with the forged commit as the merge base.
    let r = bob.run_at("2026-11-03T13:00:00Z", &["--json", "sync"]);
    assert!(r.code == 0 || r.code == 4, "{}", r.stderr);
    acme.run_at("2026-11-03T14:00:00Z", &["--json", "sync"]);
    bob.run_at("2026-11-03T14:01:00Z", &["sync"]).ok();
    for l in [&acme, &bob] {
        assert!(!l.read(f1).contains("\"forged\""), "{}", l.read(f1));
        l.run_at("2026-11-03T15:00:00Z", &["check"]).ok();
    }
    assert_eq!(tree_of(&acme), tree_of(&bob));
    let shown = json_at(&acme, "2026-11-03T15:00:00Z", &["show", "f1"]);
    assert_eq!(
        shown["milestones"].as_array().map(Vec::len),
        Some(2),
        "{shown}"
    );
}

#[test]
fn an_old_operation_edited_in_place_is_named_by_a_verify_that_read_it_before() {
    // `verify` reads a contract's event tables once each, by their text:
    // one edited in place (a second moved in an old operation's instant,
    // honest commits around it) is read anew and named, from a cold start
    // (every version before it read in the same run) and from a warm one.
    let (_keys, _bare, acme, bob) = signed_pair();
    let f1 = "contracts/f1.toml";
    for (i, title) in ["More", "Again"].iter().enumerate() {
        acme.run_at(
            &format!("2026-11-04T09:0{i}:00Z"),
            &[
                "milestone",
                "add",
                "f1",
                "--title",
                title,
                "--amount",
                "100",
            ],
        )
        .ok();
    }
    acme.run_at("2026-11-04T09:05:00Z", &["sync"]).ok();
    bob.run_at("2026-11-04T09:06:00Z", &["sync"]).ok();
    bob.run(&["verify"]).ok();
    let text = bob.read(f1);
    // The first operation's instant, one second later, in its table only.
    let first = text.find("[[history]]").unwrap();
    let at = first + text[first..].find("\nat = ").unwrap() + "\nat = ".len();
    let end = at + text[at..].find('\n').unwrap();
    let instant = &text[at..end];
    assert!(instant.ends_with(":00Z"), "{instant}");
    let moved = format!("{}:01Z", &instant[..instant.len() - 4]);
    let edited = format!("{}{moved}{}", &text[..at], &text[end..]);
    let forged = forge(&bob, f1, &edited);
    bob.run_at(
        "2026-11-04T10:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
    let honest = git(bob.path(), &["rev-parse", "--short=12", "HEAD"])
        .trim()
        .to_string();
    for cold in [true, false] {
        if cold {
            let _ = std::fs::remove_file(bob.path().join(".git/contracts/verified"));
        }
        let r = bob.run(&["--json", "verify"]).refused_for("unverified");
        assert!(
            r.stderr.contains(&format!("{forged}: changes `"))
                && r.stderr.contains("in f1's history"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains(&format!("{honest}: ")), "{}", r.stderr);
    }
}

/// A commit whose signature does not hold for what it signs (its message
/// changed after signing, the signature kept) is named by `verify`: the
/// signatures checked on another core say the same as checked in line.
#[test]
fn a_commit_changed_after_it_was_signed_is_named_by_verify() {
    let (_keys, _bare, acme, _bob) = signed_pair();
    acme.run(&["verify"]).ok();
    assert_named_once_tampered(&acme);
}
