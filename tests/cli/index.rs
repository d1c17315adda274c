//! The derived index (SPEC §6): deleting it changes no output, a hand edit
//! after it was made is seen (within its own timestamp granularity too), a
//! corrupt one is ignored and rebuilt, `check` never reads it, and git
//! never tracks it.
//!
//! An entry is trusted only for a file older than the command that made
//! the index (by a margin), so every test first ages the ledger's files by
//! an hour: without that the index would never be trusted, and these tests
//! would pass without it.

use crate::harness::{Ledger, copy_dir};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// The index of a ledger without git.
const INDEX: &str = ".contracts.index";

/// Its section files, in the order of `src/store/index.rs` (the sheets of
/// the week [`VIEWS`] show first).
const SECTIONS: [&str; 7] = [
    "contracts",
    "weeks",
    "dues",
    "rows",
    "names",
    "diary",
    "sheets-2026-W47",
];

/// The index's section file `name`.
fn section_file(l: &Ledger, name: &str) -> std::path::PathBuf {
    l.file(&format!("{INDEX}/{name}"))
}

/// Sets a file's or directory's mtime.
fn set_mtime(p: &Path, t: SystemTime) {
    fs::File::open(p)
        .and_then(|f| f.set_modified(t))
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

fn mtime(p: &Path) -> SystemTime {
    fs::metadata(p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Ages every file and directory of the ledger (but the index) by an hour.
pub fn age(l: &Ledger) {
    fn walk(dir: &Path, t: SystemTime) {
        for e in fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            let name = e.file_name();
            if name == ".git" || name == INDEX {
                continue;
            }
            if p.is_dir() {
                walk(&p, t);
            }
            set_mtime(&p, t);
        }
    }
    let t = SystemTime::now() - Duration::from_secs(3600);
    walk(l.path(), t);
    set_mtime(l.path(), t);
}

/// `args` at the harness's clock; its exit code and outputs.
fn out(l: &Ledger, args: &[&str]) -> (i32, String, String) {
    let r = l.run(args);
    (r.code, r.stdout, r.stderr)
}

/// The commands whose output the index must not change.
const VIEWS: &[&[&str]] = &[
    &["list"],
    &["--json", "list"],
    &["sweep", "--dry-run"],
    &["--json", "sweep", "--dry-run"],
    &["diary", "show", "--week", "2026-W47"],
    &["diary", "show", "--week", "2026-W46"],
    &["--json", "diary", "show", "--week", "2026-W47"],
    &["show", "f1"],
    &["show", "h1"],
    &["refund", "list"],
    &["feedback", "summary"],
    &["end", "h2", "--yes", "--dry-run"],
];

fn views(l: &Ledger) -> Vec<(i32, String, String)> {
    VIEWS.iter().map(|a| out(l, a)).collect()
}

fn remove_index(l: &Ledger) {
    match fs::remove_dir_all(l.file(INDEX)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("rm index: {e}"),
        _ => {}
    }
}

/// The index's own timestamp: the mtime of its newest section file.
fn index_time(l: &Ledger) -> SystemTime {
    fs::read_dir(l.file(INDEX))
        .expect("the index directory")
        .flatten()
        .map(|e| mtime(&e.path()))
        .max()
        .expect("a section file")
}

/// An hourly contract `id` made at `at` (active at once: no git).
fn hourly_at(l: &Ledger, id: &str, at: &str) {
    l.run_at(
        at,
        &[
            "new",
            "--id",
            id,
            "--title",
            "Support",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "50",
        ],
    )
    .ok();
}

/// The freelancer logs an hour from `from` at `now`.
fn log_at(l: &Ledger, now: &str, id: &str, from: &str, to: &str) {
    l.run_at(
        now,
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            id,
            "--from",
            from,
            "--to",
            to,
            "--memo",
            "work 1",
        ],
    )
    .ok();
}

/// A ledger of several contracts in several states: a fixed one with work
/// submitted (a timer pending), one with a refund requested, one ended,
/// hourly ones with time this week, last week and long ago (idle since).
fn several() -> Ledger {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run_at(
        "2026-11-10T09:00:00Z",
        &["--as", "freelancer", "milestone", "submit", "f1"],
    )
    .ok();
    l.fixed("f2", "300");
    l.run_at(
        "2026-11-16T09:00:00Z",
        &["refund", "request", "f2", "--amount", "100"],
    )
    .ok();
    l.fixed("f3", "200");
    l.run_at(
        "2026-11-12T09:00:00Z",
        &["end", "f3", "--pay", "full", "--yes"],
    )
    .ok();
    hourly_at(&l, "h1", "2026-11-02T09:00:00Z");
    log_at(
        &l,
        "2026-11-11T12:00:00Z",
        "h1",
        "2026-11-10T09:00:00Z",
        "2026-11-10T10:30:00Z",
    );
    log_at(
        &l,
        "2026-11-18T09:00:00Z",
        "h1",
        "2026-11-17T09:00:00Z",
        "2026-11-17T11:00:00Z",
    );
    hourly_at(&l, "h2", "2026-05-04T09:00:00Z");
    log_at(
        &l,
        "2026-05-06T12:00:00Z",
        "h2",
        "2026-05-05T09:00:00Z",
        "2026-05-05T10:00:00Z",
    );
    l.run_at("2026-06-01T09:00:00Z", &["sweep"]).ok();
    l
}

#[test]
fn deleting_the_index_changes_no_output() {
    let l = several();
    age(&l);
    // Never built: each command runs without an index.
    let never: Vec<_> = VIEWS
        .iter()
        .map(|a| {
            remove_index(&l);
            out(&l, a)
        })
        .collect();
    // Built by the first command, then used.
    remove_index(&l);
    let building = views(&l);
    assert!(l.file(INDEX).is_dir(), "no index was built");
    let built = views(&l);
    remove_index(&l);
    let after = views(&l);
    for (i, a) in VIEWS.iter().enumerate() {
        assert_eq!(never[i], building[i], "{a:?}: building the index");
        assert_eq!(never[i], built[i], "{a:?}: with the index");
        assert_eq!(never[i], after[i], "{a:?}: after deleting it");
    }
    // The views show the ledger (not an empty one).
    assert!(built[0].1.contains("Storefront") && built[0].1.contains("h2"));
}

/// Builds the index of an aged ledger and checks that it is used: the
/// second `list` reads no contract file (the index file is newer).
fn indexed(l: &Ledger) -> Vec<(i32, String, String)> {
    age(l);
    remove_index(l);
    let v = views(l);
    assert!(l.file(INDEX).is_dir(), "no index was built");
    v
}

#[test]
fn a_hand_edit_of_a_contract_is_seen_even_with_its_old_mtime() {
    let l = several();
    indexed(&l);
    let rel = "contracts/f1.toml";
    let old = mtime(&l.file(rel));
    // The same size: one letter changed; the mtime put back.
    l.edit(rel, "title = \"Storefront\"", "title = \"Storefrunt\"");
    set_mtime(&l.file(rel), old);
    let list = l.run(&["list"]).ok().stdout;
    assert!(list.contains("Storefrunt"), "{list}");
    let json = l.run(&["--json", "list"]).ok().stdout;
    assert!(json.contains("Storefrunt"), "{json}");
    // And once more, from the index it rewrote.
    assert!(l.run(&["list"]).ok().stdout.contains("Storefrunt"));
}

#[test]
fn a_hand_edit_within_the_indexs_own_timestamp_is_seen() {
    let l = several();
    indexed(&l);
    let rel = "contracts/f2.toml";
    let index_time = index_time(&l);
    // A letter of the client's name, the size kept, the mtime set to the
    // index's own: as if edited in the same tick the index was written.
    l.edit(rel, "client = \"Acme\"", "client = \"Acmf\"");
    set_mtime(&l.file(rel), index_time);
    let shown = l.run(&["--json", "list"]).ok().json();
    let f2 = shown
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["id"] == "f2")
        .expect("f2")
        .clone();
    assert_eq!(f2["client"], "Acmf", "{f2}");
    assert!(l.run(&["list"]).ok().stdout.contains("Acmf"));
    // Replaced by a file of the same size (a new inode), mtime kept.
    let text = l
        .read("contracts/f1.toml")
        .replace("Storefront", "Storefrant");
    let old = mtime(&l.file("contracts/f1.toml"));
    fs::remove_file(l.file("contracts/f1.toml")).expect("rm");
    l.write("contracts/f1.toml", &text);
    set_mtime(&l.file("contracts/f1.toml"), old);
    assert!(l.run(&["list"]).ok().stdout.contains("Storefrant"));
}

/// A week file written by hand (or by a `git pull`) into a week whose
/// directory the index has: the directory's mtime put back, only its
/// ctime tells. A contract idle since asks about every week since its last
/// paid one, which the index answers, and must see it.
#[test]
fn a_week_file_added_by_hand_to_an_indexed_week_is_seen() {
    let l = Ledger::new();
    hourly_at(&l, "h1", "2026-05-04T09:00:00Z");
    hourly_at(&l, "h2", "2026-05-04T09:00:00Z");
    log_at(
        &l,
        "2026-05-13T12:00:00Z",
        "h1",
        "2026-05-12T09:00:00Z",
        "2026-05-12T10:00:00Z",
    );
    log_at(
        &l,
        "2026-07-22T12:00:00Z",
        "h2",
        "2026-07-21T09:00:00Z",
        "2026-07-21T10:00:00Z",
    );
    // The file h1 would have had in 2026-W30, made in a copy.
    let other = Ledger::empty();
    copy_dir(l.path(), other.path());
    log_at(
        &other,
        "2026-07-22T12:00:00Z",
        "h1",
        "2026-07-21T11:00:00Z",
        "2026-07-21T12:00:00Z",
    );
    let added = other.read("diary/2026-W30/h1.toml");
    l.run(&["sweep"]).ok();
    age(&l);
    remove_index(&l);
    // Builds the index (the weeks of h1 since 2026-W20 among them).
    l.run(&["sweep"]).ok();
    l.run(&["sweep"]).ok();
    assert!(l.file(INDEX).is_dir());
    let quiet = l.run(&["--json", "sweep", "--dry-run"]).ok().json();
    assert_eq!(quiet["events"].as_array().map(Vec::len), Some(0), "{quiet}");
    let dir = l.file("diary/2026-W30");
    let old = mtime(&dir);
    l.write("diary/2026-W30/h1.toml", &added);
    set_mtime(&l.file("diary/2026-W30/h1.toml"), old);
    set_mtime(&dir, old);
    let due = l.run(&["--json", "sweep", "--dry-run"]).ok().json();
    let paid = due["events"].as_array().expect("events").iter().any(|e| {
        e["event"] == "week_paid"
            && e["contract"] == "h1"
            && e["detail"].as_str().is_some_and(|d| d.contains("2026-W30"))
    });
    assert!(paid, "{due}");
    // The same from a sweep that writes (its cleaning reads the index too).
    let swept = l.run(&["--json", "sweep"]).ok().json();
    assert!(swept.to_string().contains("2026-W30"), "{swept}");
}

#[test]
fn a_corrupt_index_is_ignored_and_rebuilt() {
    let l = several();
    let good = indexed(&l);
    // Every section written (`list`'s rows once a sweep found nothing due).
    l.run(&["sweep"]).ok();
    assert_eq!(views(&l), good);
    for section in SECTIONS {
        let rel = format!("{INDEX}/{section}");
        let real = fs::read(l.file(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let mut flipped = real.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x20;
        let mut other_version = real.clone();
        other_version[16] ^= 0x7f;
        // Another section's file under this one's name.
        let other = if section == "rows" { "dues" } else { "rows" };
        let misplaced =
            fs::read(section_file(&l, other)).unwrap_or_else(|e| panic!("{other}: {e}"));
        let corrupt: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("garbage", b"not an index at all\n".repeat(50)),
            ("truncated", real[..real.len() / 3].to_vec()),
            ("a byte flipped", flipped),
            ("another format", other_version),
            ("only the header", real[..56.min(real.len())].to_vec()),
            ("another section's", misplaced),
        ];
        for (what, bytes) in corrupt {
            fs::write(l.file(&rel), &bytes).expect("write");
            assert_eq!(views(&l), good, "{section}: {what}");
            // (The weeks are written again by the next `sweep`.)
            l.run(&["sweep"]).ok();
            let now = fs::read(l.file(&rel)).expect("index");
            assert!(
                now.starts_with(b"contracts index\0"),
                "{section}: {what}: not rebuilt"
            );
            assert_ne!(now, bytes, "{section}: {what}: not rebuilt");
        }
        // A directory where the section's file should be: ignored.
        fs::remove_file(l.file(&rel)).expect("rm");
        fs::create_dir(l.file(&rel)).expect("mkdir");
        assert_eq!(views(&l), good, "{section}: a directory");
        fs::remove_dir(l.file(&rel)).expect("rmdir");
        // Missing: written again.
        assert_eq!(views(&l), good, "{section}: missing");
        l.run(&["sweep"]).ok();
        assert!(l.file(&rel).is_file(), "{section}: not written again");
    }
    // A file where the index's directory should be (as an earlier version
    // kept it): ignored, and replaced by the directory.
    remove_index(&l);
    fs::write(l.file(INDEX), b"contracts index\0 of one file").expect("write");
    assert_eq!(views(&l), good, "one file");
    assert!(l.file(INDEX).is_dir(), "not replaced");
}

/// The index's layout, as `src/store/index.rs` writes it: a file per
/// section, each with its checksum. The test forges an entry the program
/// would trust, in the contracts section.
fn forge(l: &Ledger, from: &[u8], to: &[u8]) {
    forge_in(l, 0, from, to);
}

/// [`forge`] in section `k` (0: contracts, 3: `list`'s rows, 6: the
/// week's sheets).
fn forge_in(l: &Ledger, k: usize, from: &[u8], to: &[u8]) {
    fn checksum(b: &[u8]) -> u64 {
        let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ b.len() as u64;
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(29);
        }
        for &x in chunks.remainder() {
            h = (h ^ u64::from(x)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        }
        h ^ (h >> 31)
    }
    let name = SECTIONS[k];
    let p = section_file(l, name);
    let mut b = fs::read(&p).expect("index");
    // The header: magic, format, section, key, then the entries' length,
    // the checksum of the threshold and entries (bytes 40..48), the
    // threshold, the entries.
    let body = &mut b[56..];
    let i = body
        .windows(from.len())
        .position(|w| w == from)
        .expect("the text to forge in the index");
    body[i..i + to.len()].copy_from_slice(to);
    let sum = checksum(&b[48..]);
    b[40..48].copy_from_slice(&sum.to_le_bytes());
    let t = mtime(&p);
    fs::write(&p, &b).expect("write");
    set_mtime(&p, t);
}

#[test]
fn check_never_reads_the_index() {
    let l = several();
    indexed(&l);
    let clean = out(&l, &["check"]);
    assert_eq!(clean.0, 0, "{clean:?}");
    // The index made to say something false that its stats vouch for: a
    // reader of the index shows it (the forgery works)...
    forge(&l, b"Storefront", b"FORGED-XYZ");
    let list = l.run(&["--json", "list"]).ok().stdout;
    assert!(list.contains("FORGED-XYZ"), "{list}");
    // ...and `check` does not: the same result as without the index.
    assert_eq!(out(&l, &["check"]), clean);
    // An index that would make the ledger invalid if read.
    forge(
        &l,
        b"FORGED-XYZ",
        b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09",
    );
    assert_eq!(out(&l, &["check"]), clean);
    // A hand edit that breaks the file is reported by check, whatever the
    // index says of the file.
    l.edit("contracts/f1.toml", "status = ", "statuz = ");
    assert_eq!(l.run(&["check"]).code, 5);
    assert_eq!(l.run(&["list"]).code, 5);
}

#[test]
fn a_git_ledgers_index_is_kept_in_git_and_never_tracked() {
    let l = Ledger::empty();
    l.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    l.hourly("c1");
    l.run_at(
        "2026-11-02T09:30:00Z",
        &["--as", "freelancer", "accept", "c1"],
    )
    .ok();
    log_at(
        &l,
        "2026-11-18T09:00:00Z",
        "c1",
        "2026-11-17T09:00:00Z",
        "2026-11-17T10:00:00Z",
    );
    age(&l);
    let first = views_git(&l);
    assert!(l.file(".git/contracts/index").is_dir(), "no index in .git");
    assert!(!l.file(INDEX).exists());
    assert_eq!(crate::git::git(l.path(), &["status", "--porcelain"]), "");
    assert_eq!(views_git(&l), first);
    l.run(&["sweep"]).ok();
    assert_eq!(crate::git::git(l.path(), &["status", "--porcelain"]), "");
    fs::remove_dir_all(l.file(".git/contracts/index")).expect("rm");
    assert_eq!(views_git(&l), first);
    // Not a private file of the clone's (those are published by `sync`).
    l.run(&["feedback", "summary"]).ok();
}

fn views_git(l: &Ledger) -> Vec<(i32, String, String)> {
    [
        &["list"][..],
        &["--json", "list"],
        &["sweep", "--dry-run"],
        &["diary", "show", "--week", "2026-W47"],
    ]
    .iter()
    .map(|a| out(l, a))
    .collect()
}

#[test]
fn a_ledger_without_git_has_git_ignore_its_index() {
    let l = several();
    l.run(&["list"]).ok();
    assert!(l.file(INDEX).is_dir());
    assert!(l.read(".gitignore").lines().any(|x| x == INDEX));
    crate::git::git(l.path(), &["init", "-q"]);
    let status = crate::git::git(
        l.path(),
        &["status", "--porcelain", "--untracked-files=all"],
    );
    assert!(!status.contains(INDEX), "{status}");
    assert!(status.contains("contracts/f1.toml"), "{status}");
}

/// A plain ledger made before the index (its `.gitignore` does not name
/// it), then put in git by hand and shared: the index is ignored once
/// written, and one committed anyway is left alone (its removal was a
/// change `sync` refused: `bench/sync.py`'s ledger, made this way).
#[test]
fn a_plain_ledger_from_before_the_index_put_in_git_syncs() {
    let l = several();
    l.write(".gitignore", ".contracts.lock\n.tmp-*\n");
    age(&l);
    remove_index(&l);
    l.run(&["list"]).ok();
    assert!(l.read(".gitignore").lines().any(|x| x == INDEX));
    // The index committed anyway (`git add -f`), as an older version's
    // ledger would have it.
    let g = |args: &[&str]| crate::git::git(l.path(), args);
    g(&["init", "-q"]);
    g(&["add", "-A"]);
    g(&["add", "-f", INDEX]);
    g(&[
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@example.com",
        "commit",
        "-qm",
        "the ledger",
    ]);
    l.run(&["list"]).ok();
    l.run(&["sweep"]).ok();
    assert!(l.file(INDEX).is_dir(), "a tracked index is left alone");
    assert_eq!(g(&["status", "--porcelain"]), "");
}

// ------------------------------------------------ `sweep` skips by the index

/// The events of `--json sweep` (with `extra` args) at `now`, as
/// `(contract, event, at)`.
fn sweep_events(l: &Ledger, now: &str, extra: &[&str]) -> Vec<(String, String, String)> {
    let mut args = vec!["--json", "sweep"];
    args.extend_from_slice(extra);
    let j = l.run_at(now, &args).ok().json();
    j["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("contract"), s("event"), s("at"))
        })
        .collect()
}

/// A refund whose deadline passes between two sweeps is settled by the
/// second, though the index, made by the first, says the contract has
/// nothing due at the first's clock (`sweep` passes over such contracts
/// unread).
#[test]
fn a_deadline_passing_between_two_sweeps_is_settled_by_the_second() {
    let l = several();
    age(&l);
    remove_index(&l);
    // f2's refund falls due 2026-11-23T09:00:00Z. Built, then used.
    for now in ["2026-11-22T09:00:00Z", "2026-11-23T08:59:59Z"] {
        let ev = sweep_events(&l, now, &[]);
        assert!(!ev.iter().any(|(c, ..)| c == "f2"), "{now}: {ev:?}");
    }
    assert!(l.file(INDEX).is_dir());
    let ev = sweep_events(&l, "2026-11-23T09:00:00Z", &["--dry-run"]);
    let settled = ("f2".to_string(), "refund_auto_approved".to_string());
    assert!(
        ev.iter().any(|(c, e, _)| (c.clone(), e.clone()) == settled),
        "{ev:?}"
    );
    let ev = sweep_events(&l, "2026-11-23T09:00:01Z", &[]);
    assert!(
        ev.iter().any(|(c, e, _)| (c.clone(), e.clone()) == settled),
        "{ev:?}"
    );
    assert!(
        l.read("contracts/f2.toml")
            .contains("status = \"refunded\"")
    );
}

/// A hand edit that brings a deadline earlier (the file's size and mtime
/// kept) is seen by the next sweep, which the index would otherwise tell
/// that nothing is due yet.
#[test]
fn a_hand_edit_bringing_a_deadline_earlier_is_seen_by_sweep() {
    let l = several();
    age(&l);
    remove_index(&l);
    for _ in 0..2 {
        let ev = sweep_events(&l, "2026-11-21T00:00:00Z", &["--dry-run"]);
        assert!(!ev.iter().any(|(c, ..)| c == "f2"), "{ev:?}");
    }
    let rel = "contracts/f2.toml";
    let old = mtime(&l.file(rel));
    l.edit(
        rel,
        "deadline = 2026-11-23T09:00:00Z",
        "deadline = 2026-11-20T09:00:00Z",
    );
    set_mtime(&l.file(rel), old);
    for extra in [&["--dry-run"][..], &[]] {
        let ev = sweep_events(&l, "2026-11-21T00:00:00Z", extra);
        assert!(
            ev.contains(&(
                "f2".into(),
                "refund_auto_approved".into(),
                "2026-11-20T09:00:00Z".into()
            )),
            "{extra:?}: {ev:?}"
        );
    }
}

/// Every instant a timer of `l` falls due from `from` on (a dry run far
/// ahead, without the index), with a second before and after each.
fn instants_around_deadlines(l: &Ledger, from: &str) -> Vec<String> {
    remove_index(l);
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("instant");
    let from = t(from);
    let mut out: Vec<_> = sweep_events(l, "2030-01-01T00:00:00Z", &["--dry-run"])
        .into_iter()
        .map(|(.., at)| t(&at))
        .filter(|at| *at >= from)
        .flat_map(|at| [-1, 0, 1].map(|s| at + chrono::Duration::seconds(s)))
        .collect();
    // And days in between, for the weeks (whose settlement instants a
    // contract's file does not hold).
    out.extend((0..40).map(|d| from + chrono::Duration::hours(31 * d)));
    out.sort();
    out.dedup();
    out.iter()
        .map(|t| t.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .collect()
}

/// `list` and `sweep --dry-run` at every instant around every deadline,
/// and between: the same output with the index (made once, then trusted;
/// `list` applies no timer to a contract it says has nothing due) as
/// without.
#[test]
fn list_and_sweep_say_the_same_with_and_without_the_index_at_every_instant() {
    let l = several();
    let instants = instants_around_deadlines(&l, "2026-11-18T10:00:00Z");
    assert!(instants.len() > 40, "{instants:?}");
    let bare = Ledger::empty();
    copy_dir(l.path(), bare.path());
    age(&l);
    remove_index(&l);
    l.run(&["list"]).ok();
    // The dues: recorded by a sweep.
    l.run(&["sweep", "--dry-run"]).ok();
    for now in &instants {
        for args in [
            &["list"][..],
            &["--json", "list"],
            &["--json", "sweep", "--dry-run"],
            &["sweep", "--dry-run"],
        ] {
            remove_index(&bare);
            let without = bare.run_at(now, args);
            let with = l.run_at(now, args);
            assert_eq!(
                (with.code, &with.stdout, &with.stderr),
                (without.code, &without.stdout, &without.stderr),
                "{now} {args:?}"
            );
        }
    }
}

/// Sweeps that write, one after another at a later clock each, with time
/// logged in between (new week files, new week directories): the same
/// outputs and the same files with the index (rebuilt after each change,
/// then trusted by the sweep) as without it.
#[test]
fn sweeps_that_write_leave_the_same_files_with_and_without_the_index() {
    let l = several();
    let instants = instants_around_deadlines(&l, "2026-11-18T10:00:00Z");
    let bare = Ledger::empty();
    copy_dir(l.path(), bare.path());
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("instant");
    for (i, now) in instants.iter().enumerate() {
        // Every so often, an hour logged by each hourly contract still
        // open, in the week of `now` (a new week directory, or a new file
        // in one the index has).
        if i % 9 == 4 {
            let start = t(now) - chrono::Duration::hours(2);
            let end = start + chrono::Duration::hours(1);
            let f = |d: chrono::DateTime<chrono::FixedOffset>| {
                d.to_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
            };
            for id in ["h1", "h2"] {
                for led in [&l, &bare] {
                    let _ = led.run_at(
                        now,
                        &[
                            "--as",
                            "freelancer",
                            "diary",
                            "log",
                            id,
                            "--from",
                            &f(start),
                            "--to",
                            &f(end),
                            "--memo",
                            "more",
                        ],
                    );
                }
            }
        }
        // The index made from aged files, so that the sweep trusts it: by
        // a sweep (which records the dues) or by `list` (which keeps them).
        age(&l);
        let rebuild: &[&str] = if i % 2 == 0 {
            &["sweep", "--dry-run"]
        } else {
            &["list"]
        };
        l.run_at(now, rebuild).ok();
        remove_index(&bare);
        let with = l.run_at(now, &["--json", "sweep"]);
        let without = bare.run_at(now, &["--json", "sweep"]);
        assert_eq!(
            (with.code, &with.stdout, &with.stderr),
            (without.code, &without.stdout, &without.stderr),
            "{now}"
        );
    }
    assert_eq!(l.snapshot(), bare.snapshot());
    // Something happened along the way.
    let log = l.run(&["log"]).ok().stdout;
    for e in [
        "refund_auto_approved",
        "week_paid",
        "feedback_window_closed",
    ] {
        assert!(log.contains(e), "{e}: {log}");
    }
}

// ------------------------------------------------ the dues' week directories

/// `rel` of `from` written into `l` by hand, as a `git pull` would: the
/// week directory's and the file's mtimes set to `mtime` (only the
/// directory's ctime tells).
fn add_by_hand(l: &Ledger, from: &Ledger, rel: &str, mtime: SystemTime) {
    let text = from.read(rel);
    let dir = l.file(rel).parent().expect("dir").to_path_buf();
    l.write(rel, &text);
    set_mtime(&l.file(rel), mtime);
    set_mtime(&dir, mtime);
}

/// Whether `--json sweep --dry-run` at `now` pays `id`'s `week`.
fn pays(l: &Ledger, now: &str, id: &str, week: &str) -> bool {
    let j = l.run_at(now, &["--json", "sweep", "--dry-run"]).ok().json();
    j["events"].as_array().expect("events").iter().any(|e| {
        e["event"] == "week_paid"
            && e["contract"] == id
            && e["detail"].as_str().is_some_and(|d| d.contains(week))
    })
}

/// h1 idle since May (paid), h2 with time in 2026-W46; and a copy in which
/// h1 logged an hour in 2026-W46 too (the file to add by hand).
fn idle_and_busy() -> (Ledger, Ledger) {
    let l = Ledger::new();
    hourly_at(&l, "h1", "2026-05-04T09:00:00Z");
    log_at(
        &l,
        "2026-05-06T12:00:00Z",
        "h1",
        "2026-05-05T09:00:00Z",
        "2026-05-05T10:00:00Z",
    );
    hourly_at(&l, "h2", "2026-05-04T09:00:00Z");
    l.run_at("2026-06-01T09:00:00Z", &["sweep"]).ok();
    log_at(
        &l,
        "2026-11-12T12:00:00Z",
        "h2",
        "2026-11-11T09:00:00Z",
        "2026-11-11T10:00:00Z",
    );
    let other = Ledger::empty();
    copy_dir(l.path(), other.path());
    log_at(
        &other,
        "2026-11-12T12:00:00Z",
        "h1",
        "2026-11-11T11:00:00Z",
        "2026-11-11T12:00:00Z",
    );
    (l, other)
}

/// A week file of a contract idle for months, added by hand to a week
/// directory the dues' table has, with the directory's mtime set to the
/// index's own (changed within its timestamp): the directory is listed
/// again and the file seen, by a dry run and by a sweep that writes.
#[test]
fn a_week_file_added_within_the_indexs_timestamp_to_a_tabled_week_is_seen() {
    let (l, other) = idle_and_busy();
    let rel = "diary/2026-W46/h1.toml";
    age(&l);
    remove_index(&l);
    // The dues and their table of week directories, then trusted.
    l.run(&["sweep"]).ok();
    l.run(&["sweep"]).ok();
    let settles = "2026-11-21T01:00:00Z";
    assert!(!pays(&l, settles, "h1", "2026-W46"));
    assert!(pays(&l, settles, "h2", "2026-W46"));
    let index_time = index_time(&l);
    add_by_hand(&l, &other, rel, index_time);
    assert!(pays(&l, settles, "h1", "2026-W46"));
    let j = l.run_at(settles, &["--json", "sweep"]).ok().json();
    assert!(j.to_string().contains("2026-W46"), "{j}");
    assert!(l.read("contracts/h1.toml").contains("2026-W46"));
}

/// A contract's due depends on the weeks before its first week with a
/// file (its unpaid weeks without time): a file added by hand to one of
/// them, in a week directory another contract's file made and the index
/// has, brings its pay earlier, and is seen.
#[test]
fn a_week_file_added_before_a_contracts_first_file_is_seen() {
    let (l, other) = idle_and_busy();
    // h1 logs this week: its first unpaid week with a file is 2026-W47.
    log_at(
        &l,
        "2026-11-18T09:00:00Z",
        "h1",
        "2026-11-17T09:00:00Z",
        "2026-11-17T10:00:00Z",
    );
    age(&l);
    remove_index(&l);
    l.run(&["sweep"]).ok();
    l.run(&["sweep"]).ok();
    let settles = "2026-11-21T01:00:00Z";
    assert!(!pays(&l, settles, "h1", "2026-W46"));
    let old = mtime(&l.file("diary/2026-W46"));
    add_by_hand(&l, &other, "diary/2026-W46/h1.toml", old);
    assert!(pays(&l, settles, "h1", "2026-W46"));
    // Once the sweep that writes recorded it, the same.
    l.run(&["sweep"]).ok();
    assert!(pays(&l, settles, "h1", "2026-W46"));
}

/// A week directory added by hand, with `diary/`'s mtime set back: the
/// index's list of week directories no longer stands for `diary/` (its
/// ctime tells), so the new week is seen.
#[test]
fn a_week_directory_added_by_hand_is_seen() {
    let (l, other) = idle_and_busy();
    // In the copy, h1 logged in 2026-W47, a week `l` has no directory for.
    log_at(
        &other,
        "2026-11-18T12:00:00Z",
        "h1",
        "2026-11-17T09:00:00Z",
        "2026-11-17T10:00:00Z",
    );
    age(&l);
    remove_index(&l);
    l.run(&["sweep"]).ok();
    let settles = "2026-11-28T01:00:00Z";
    // The first dry run records `diary/`'s weeks, the next one uses them.
    assert!(!pays(&l, settles, "h1", "2026-W47"));
    assert!(section_file(&l, "diary").is_file());
    assert!(!pays(&l, settles, "h1", "2026-W47"));
    let diary = l.file("diary");
    let old = mtime(&diary);
    add_by_hand(&l, &other, "diary/2026-W47/h1.toml", old);
    set_mtime(&diary, old);
    assert!(pays(&l, settles, "h1", "2026-W47"));
    assert!(pays(&l, settles, "h1", "2026-W47"));
}

/// A week directory a command wrote into just before the sweep that
/// records the dues (too new to trust): not in their table, so listed
/// again by the next sweep, which sees a file added to it since, with
/// the directory's mtime kept.
#[test]
fn a_week_directory_too_new_for_the_dues_table_is_listed_again() {
    let (l, other) = idle_and_busy();
    age(&l);
    remove_index(&l);
    l.run(&["sweep"]).ok();
    // h2 logs more into 2026-W46 now: its directory is as new as the
    // sweep that follows.
    let dir = l.file("diary/2026-W46");
    let before = mtime(&dir);
    log_at(
        &l,
        "2026-11-12T13:00:00Z",
        "h2",
        "2026-11-11T13:00:00Z",
        "2026-11-11T14:00:00Z",
    );
    l.run(&["sweep"]).ok();
    let now = mtime(&dir);
    assert_ne!(before, now);
    add_by_hand(&l, &other, "diary/2026-W46/h1.toml", now);
    assert!(pays(&l, "2026-11-21T01:00:00Z", "h1", "2026-W46"));
    // Without the index: the same.
    remove_index(&l);
    assert!(pays(&l, "2026-11-21T01:00:00Z", "h1", "2026-W46"));
}

// ------------------------------------------------ `list`'s rows

/// `list`'s rows, kept by the index for contracts with nothing due: used
/// (a forged one is shown), and never for a file edited by hand since,
/// whether its mtime was put back or is as new as the index.
#[test]
fn a_list_row_stands_only_for_its_file() {
    let l = several();
    age(&l);
    remove_index(&l);
    // The dues (a sweep), then the rows (a list of contracts with nothing
    // due), then trusted.
    l.run(&["sweep", "--dry-run"]).ok();
    let before = l.run(&["list"]).ok().stdout;
    assert_eq!(l.run(&["list"]).ok().stdout, before);
    forge_in(&l, 3, b"Storefront", b"FORGED-XYZ");
    let forged = l.run(&["list"]).ok().stdout;
    assert!(
        forged.contains("FORGED-XYZ"),
        "the rows are not used: {forged}"
    );
    // A hand edit, the size and mtime kept: the file is read again.
    let rel = "contracts/f1.toml";
    let old = mtime(&l.file(rel));
    l.edit(rel, "title = \"Storefront\"", "title = \"Storefrunt\"");
    set_mtime(&l.file(rel), old);
    // The dues recorded anew for the edited file (so that only the row's
    // own stat can tell).
    l.run(&["sweep", "--dry-run"]).ok();
    let list = l.run(&["list"]).ok().stdout;
    assert!(
        list.contains("Storefrunt") && !list.contains("FORGED"),
        "{list}"
    );
    // Again from the rows it recorded, once the file is old enough.
    age(&l);
    l.run(&["list"]).ok();
    assert!(l.run(&["list"]).ok().stdout.contains("Storefrunt"));
    // Edited within the index's own timestamp.
    let index_time = index_time(&l);
    l.edit(rel, "title = \"Storefrunt\"", "title = \"Storefrant\"");
    set_mtime(&l.file(rel), index_time);
    l.run(&["sweep", "--dry-run"]).ok();
    assert!(l.run(&["list"]).ok().stdout.contains("Storefrant"));
    // Deleting the index: the same table.
    let with = l.run(&["list"]).ok().stdout;
    remove_index(&l);
    assert_eq!(l.run(&["list"]).ok().stdout, with);
}

/// A contract whose row the index has, with something due by the clock of
/// a later `list`: its timers apply (the row is not used), as without the
/// index.
/// `list` records the dues it works out where the index has none, as
/// `sweep` does: on a ledger never swept (a fresh import) the next `list`
/// finds its contracts with nothing due, records their rows, and the one
/// after uses them.
#[test]
fn a_ledger_never_swept_comes_to_list_from_its_rows() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.fixed("f2", "300");
    hourly_at(&l, "h1", "2026-11-02T09:00:00Z");
    age(&l);
    remove_index(&l);
    let shown = l.run(&["list"]).ok().stdout;
    assert!(section_file(&l, "dues").is_file(), "no dues from `list`");
    assert_eq!(l.run(&["list"]).ok().stdout, shown);
    assert!(section_file(&l, "rows").is_file(), "no rows");
    // The rows are what `list` shows now (the forgery works), with no
    // `sweep` ever run.
    forge_in(&l, 3, b"Storefront", b"FORGED-XYZ");
    assert!(l.run(&["list"]).ok().stdout.contains("FORGED-XYZ"));
}

#[test]
fn a_list_row_is_not_used_once_something_is_due() {
    let l = several();
    age(&l);
    remove_index(&l);
    l.run(&["sweep", "--dry-run"]).ok();
    l.run(&["list"]).ok();
    l.run(&["list"]).ok();
    let bare = Ledger::empty();
    copy_dir(l.path(), bare.path());
    remove_index(&bare);
    // f2's refund falls due 2026-11-23T09:00:00Z.
    for now in [
        "2026-11-23T08:59:59Z",
        "2026-11-23T09:00:00Z",
        "2026-12-20T00:00:00Z",
    ] {
        let with = l.run_at(now, &["list"]).ok().stdout;
        let without = bare.run_at(now, &["list"]).ok().stdout;
        assert_eq!(with, without, "{now}");
        remove_index(&bare);
    }
}

// ------------------------------------------------ the names of `contracts/`

/// A contract file added or removed by hand, the directory's mtime put
/// back (or set to the index's own): `contracts/` is listed again (its
/// ctime tells), though the index has its names.
#[test]
fn a_contract_file_added_or_removed_by_hand_is_seen() {
    let l = several();
    indexed(&l);
    // The names recorded, then trusted.
    l.run(&["sweep", "--dry-run"]).ok();
    l.run(&["list"]).ok();
    let dir = l.file("contracts");
    let old = mtime(&dir);
    let text = l
        .read("contracts/f1.toml")
        .replace("id = \"f1\"", "id = \"f9\"");
    l.write("contracts/f9.toml", &text);
    set_mtime(&l.file("contracts/f9.toml"), old);
    set_mtime(&dir, old);
    for args in [&["list"][..], &["--json", "list"]] {
        let shown = l.run(args).ok().stdout;
        assert!(shown.contains("f9"), "{args:?}: {shown}");
    }
    // Removed, the directory's mtime set to the index's own.
    l.run(&["list"]).ok();
    let index_time = index_time(&l);
    fs::remove_file(l.file("contracts/f9.toml")).expect("rm");
    set_mtime(&dir, index_time);
    assert!(!l.run(&["list"]).ok().stdout.contains("f9"));
    assert!(!l.run(&["list"]).ok().stdout.contains("f9"));
    // A file whose name is not an id: refused, as without the index.
    l.write("contracts/not an id.toml", &text);
    set_mtime(&dir, old);
    assert_eq!(l.run(&["list"]).code, 5);
}

/// A command about one contract idle for months asks the index which of
/// its weeks have files (a stat of each idle week's directory, not a
/// listing of it): a running timer put by hand into one of those weeks,
/// its directory's mtime set back, is still found and stopped by `end`.
#[test]
fn end_of_a_contract_idle_for_months_finds_a_timer_put_by_hand_in_an_indexed_week() {
    let l = Ledger::new();
    hourly_at(&l, "h1", "2026-05-04T09:00:00Z");
    hourly_at(&l, "h2", "2026-05-04T09:00:00Z");
    log_at(
        &l,
        "2026-05-05T12:00:00Z",
        "h1",
        "2026-05-05T09:00:00Z",
        "2026-05-05T10:00:00Z",
    );
    // h2 works every week: 20 week directories h1 has no file in.
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("instant");
    let first = t("2026-05-12T09:00:00Z");
    let rfc = |d: chrono::DateTime<chrono::FixedOffset>| {
        d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    for k in 0..20 {
        let from = first + chrono::Duration::weeks(k);
        log_at(
            &l,
            &rfc(from + chrono::Duration::hours(3)),
            "h2",
            &rfc(from),
            &rfc(from + chrono::Duration::hours(1)),
        );
    }
    // A timer started on h1 in 2026-W25, in a copy.
    let other = Ledger::empty();
    copy_dir(l.path(), other.path());
    other
        .run_at(
            "2026-06-16T09:00:00Z",
            &["--as", "freelancer", "diary", "start", "h1"],
        )
        .ok();
    let running = other.read("diary/2026-W25/h1.toml");
    assert!(!running.contains("\nend = "), "{running}");
    l.run(&["sweep"]).ok();
    age(&l);
    remove_index(&l);
    l.run(&["list"]).ok();
    l.run(&["sweep"]).ok();
    assert!(l.file(INDEX).is_dir());
    let dir = l.file("diary/2026-W25");
    let old = mtime(&dir);
    l.write("diary/2026-W25/h1.toml", &running);
    set_mtime(&l.file("diary/2026-W25/h1.toml"), old);
    set_mtime(&dir, old);
    l.run(&["end", "h1", "--yes"]).ok();
    let stopped = l.read("diary/2026-W25/h1.toml");
    assert!(stopped.contains("\nend = "), "{stopped}");
    l.run(&["check"]).ok();
}

/// A few contract files changed since the index was written are read
/// again by the next `sweep` rather than the index's contracts written
/// again (`list`'s rows are: a small section); once more than a few are,
/// they are written again (and say the same).
#[test]
fn the_index_is_written_again_once_more_than_a_few_files_changed() {
    let l = Ledger::new();
    let ids: Vec<String> = (0..24).map(|i| format!("h{i}")).collect();
    for id in &ids {
        hourly_at(&l, id, "2026-11-02T09:00:00Z");
    }
    age(&l);
    remove_index(&l);
    for _ in 0..2 {
        l.run(&["sweep"]).ok();
        l.run(&["list"]).ok();
        l.run(&["feedback", "summary"]).ok();
    }
    let contracts = format!("{INDEX}/contracts");
    let rows = format!("{INDEX}/rows");
    let before = fs::read(l.file(&contracts)).expect("index");
    let rows_before = fs::read(l.file(&rows)).expect("rows");
    let shown = l.run(&["list"]).ok().stdout;
    // One contract renamed by hand (and old enough to trust): read again,
    // the index left as it was.
    let retitle = |id: &str| {
        let rel = format!("contracts/{id}.toml");
        let text = l.read(&rel);
        l.write(
            &rel,
            &text.replacen("title = \"Support\"", "title = \"Support, renamed\"", 1),
        );
    };
    retitle("h0");
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    set_mtime(&l.file("contracts/h0.toml"), hour_ago);
    let one = l.run(&["list"]).ok().stdout;
    assert_ne!(one, shown);
    l.run(&["sweep"]).ok();
    assert_eq!(l.run(&["list"]).ok().stdout, one);
    assert_eq!(fs::read(l.file(&contracts)).expect("index"), before);
    // The small rows section has the renamed contract's row at once (once
    // the sweep found nothing due of it).
    assert_ne!(fs::read(l.file(&rows)).expect("rows"), rows_before);
    // Twenty more, old enough to trust: the index is written again.
    for id in &ids[1..21] {
        retitle(id);
        set_mtime(&l.file(&format!("contracts/{id}.toml")), hour_ago);
    }
    let many = l.run(&["list"]).ok().stdout;
    l.run(&["sweep"]).ok();
    // (`list` and `sweep` read only contracts with no row or something
    // due; a command about every contract reads the index's contracts.)
    l.run(&["feedback", "summary"]).ok();
    assert_ne!(fs::read(l.file(&contracts)).expect("index"), before);
    remove_index(&l);
    assert_eq!(l.run(&["list"]).ok().stdout, many);
}

// ------------------------------------------------ the week's sheets

/// `from` replaced by `to` (of the same length) in `rel`, the mtimes of the
/// file and its directory put back: only the ctime tells.
fn edit_in_place(l: &Ledger, rel: &str, from: &str, to: &str) {
    let dir = l.file(rel).parent().expect("dir").to_path_buf();
    let (old, old_dir) = (mtime(&l.file(rel)), mtime(&dir));
    l.edit(rel, from, to);
    set_mtime(&l.file(rel), old);
    set_mtime(&dir, old_dir);
}

/// The table of every contract's week, drawn from the index's sheets
/// section while the files stand: used (a forged memo is shown), and never
/// for a week file or contract file edited by hand since, with its size
/// and mtime kept or with the index's own mtime.
#[test]
fn a_weeks_table_is_drawn_from_the_index_only_while_its_files_stand() {
    let l = several();
    age(&l);
    remove_index(&l);
    let week = ["diary", "show", "--week", "2026-W47"];
    let before = l.run(&week).ok().stdout;
    assert!(
        l.file(&format!("{INDEX}/sheets-2026-W47")).is_file(),
        "no sheets"
    );
    assert_eq!(l.run(&week).ok().stdout, before);
    forge_in(&l, 6, b"work 1", b"FORGED");
    let forged = l.run(&week).ok().stdout;
    assert!(
        forged.contains("FORGED"),
        "the sheets are not used: {forged}"
    );
    // Other weeks' tables in between keep their own sheets.
    for other in ["2026-W46", "2026-W19"] {
        l.run(&["diary", "show", "--week", other]).ok();
        assert!(section_file(&l, &format!("sheets-{other}")).is_file());
    }
    assert!(l.run(&week).ok().stdout.contains("FORGED"));
    // The week file edited by hand, its size and mtime (and its
    // directory's) kept: read again.
    let rel = "diary/2026-W47/h1.toml";
    let shows_not_forged = |word: &str| {
        let shown = l.run(&week).ok().stdout;
        assert!(shown.contains(word) && !shown.contains("FORGED"), "{shown}");
    };
    edit_in_place(&l, rel, "memo = \"work 1\"", "memo = \"work 2\"");
    shows_not_forged("work 2");
    // Its contract file likewise: its title read again (from sheets made
    // anew: one file read again is no reason to write them).
    let sheets = l.file(&format!("{INDEX}/sheets-2026-W47"));
    age(&l);
    fs::remove_file(&sheets).expect("rm sheets");
    l.run(&week).ok();
    forge_in(&l, 6, b"Support", b"FORGED!");
    assert!(l.run(&week).ok().stdout.contains("FORGED!"));
    edit_in_place(
        &l,
        "contracts/h1.toml",
        "title = \"Support\"",
        "title = \"Supp0rt\"",
    );
    shows_not_forged("Supp0rt");
    // Edited within the index's own timestamp.
    age(&l);
    fs::remove_file(&sheets).expect("rm sheets");
    l.run(&week).ok();
    let index_time = mtime(&sheets);
    l.edit(rel, "memo = \"work 2\"", "memo = \"work 3\"");
    set_mtime(&l.file(rel), index_time);
    assert!(l.run(&week).ok().stdout.contains("work 3"));
    // The JSON says the same, and deleting the index changes nothing.
    let with = (
        l.run(&week).ok().stdout,
        l.run(&["--json", week[0], week[1], week[2], week[3]])
            .ok()
            .stdout,
    );
    remove_index(&l);
    let without = (
        l.run(&week).ok().stdout,
        l.run(&["--json", week[0], week[1], week[2], week[3]])
            .ok()
            .stdout,
    );
    assert_eq!(with, without);
    assert!(with.1.contains("work 3"), "{}", with.1);
}

/// A week file added to the tabled week by hand (as a `git pull` would),
/// the directory's mtime put back: shown; removed by hand: gone.
#[test]
fn a_week_file_added_or_removed_by_hand_is_seen_by_the_weeks_table() {
    let (l, other) = idle_and_busy();
    let rel = "diary/2026-W46/h1.toml";
    age(&l);
    remove_index(&l);
    let week = ["diary", "show", "--week", "2026-W46"];
    let before = l.run(&week).ok().stdout;
    assert_eq!(l.run(&week).ok().stdout, before);
    assert!(
        before.contains("h2 —") && !before.contains("h1 —"),
        "{before}"
    );
    let dir = l.file("diary/2026-W46");
    let old = mtime(&dir);
    add_by_hand(&l, &other, rel, old);
    let added = l.run(&week).ok().stdout;
    assert!(added.contains("h1 —") && added.contains("h2 —"), "{added}");
    // Once more from the sheets it recorded, once old enough.
    age(&l);
    l.run(&week).ok();
    assert_eq!(l.run(&week).ok().stdout, added);
    let old = mtime(&dir);
    fs::remove_file(l.file(rel)).expect("rm");
    set_mtime(&dir, old);
    assert_eq!(l.run(&week).ok().stdout, before);
}

/// A week's sheets are written again only once more than a few of its
/// files changed: the few are read again meanwhile.
#[test]
fn a_weeks_sheets_are_written_again_once_more_than_a_few_files_changed() {
    let l = Ledger::new();
    let ids: Vec<String> = (1..=10).map(|i| format!("h{i}")).collect();
    for id in &ids {
        hourly_at(&l, id, "2026-11-02T09:00:00Z");
        log_at(
            &l,
            "2026-11-18T09:00:00Z",
            id,
            "2026-11-17T09:00:00Z",
            "2026-11-17T10:00:00Z",
        );
    }
    age(&l);
    remove_index(&l);
    let week = ["diary", "show", "--week", "2026-W47"];
    l.run(&week).ok();
    let sheets = l.file(&format!("{INDEX}/sheets-2026-W47"));
    let made = fs::read(&sheets).expect("sheets");
    // One week file changed: shown, the sheets left as they were.
    let rel = |id: &str| format!("diary/2026-W47/{id}.toml");
    edit_in_place(&l, &rel("h1"), "memo = \"work 1\"", "memo = \"work 2\"");
    let shown = l.run(&week).ok().stdout;
    assert!(shown.contains("work 2"), "{shown}");
    assert_eq!(fs::read(&sheets).expect("sheets"), made, "written again");
    // All ten: written again, and used (a forged memo is shown).
    for id in &ids[1..] {
        edit_in_place(&l, &rel(id), "memo = \"work 1\"", "memo = \"work 2\"");
    }
    age(&l);
    assert!(!l.run(&week).ok().stdout.contains("work 1"));
    assert_ne!(
        fs::read(&sheets).expect("sheets"),
        made,
        "not written again"
    );
    forge_in(&l, 6, b"work 2", b"FORGED");
    assert!(l.run(&week).ok().stdout.contains("FORGED"));
}

/// `list` takes the week files of the contracts with time this week from
/// this week's sheets where they stand: a forged one is shown, one edited
/// by hand since (size and mtime kept) is read again.
#[test]
fn list_takes_this_weeks_files_from_the_sheets() {
    let l = several();
    age(&l);
    remove_index(&l);
    let before = l.run(&["list"]).ok().stdout;
    assert!(
        l.file(&format!("{INDEX}/sheets-2026-W47")).is_file(),
        "no sheets from `list`"
    );
    assert_eq!(l.run(&["list"]).ok().stdout, before);
    // h1's entry of this week, 09:00 to 11:00, made to end at 12:00.
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .expect("time")
            .timestamp()
            .to_le_bytes()
    };
    forge_in(
        &l,
        6,
        &at("2026-11-17T11:00:00Z"),
        &at("2026-11-17T12:00:00Z"),
    );
    let forged = l.run(&["list"]).ok().stdout;
    assert_ne!(forged, before, "the sheets are not used");
    assert!(forged.contains("3h"), "{forged}");
    edit_in_place(
        &l,
        "diary/2026-W47/h1.toml",
        "memo = \"work 1\"",
        "memo = \"work 2\"",
    );
    assert_eq!(l.run(&["list"]).ok().stdout, before);
    // And deleting the index changes nothing.
    remove_index(&l);
    assert_eq!(l.run(&["list"]).ok().stdout, before);
}
