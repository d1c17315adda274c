//! The ledger on disk: the lock, malformed files, symlinks and modes,
//! deterministic and format-preserving writes, one file per change.

use crate::harness::{Ledger, has_location, lines_in_order, mode};
use std::fs::{self, File};
use std::os::unix::fs::PermissionsExt;

fn lock_file(l: &Ledger) -> File {
    File::options()
        .read(true)
        .write(true)
        .open(l.file(".contracts.lock"))
        .expect("open the lock file")
}

// ------------------------------------------------------------------ lock

#[test]
fn a_writer_waits_for_the_lock_then_gives_up_with_exit_6() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    let held = lock_file(&l);
    held.lock().expect("exclusive lock");
    let r = l
        .run(&[
            "--lock-timeout",
            "0.2",
            "end",
            "f1",
            "--pay",
            "full",
            "--yes",
        ])
        .code(6);
    assert!(
        r.stderr.contains(".contracts.lock"),
        "names the lock: {}",
        r.stderr
    );
    assert!(r.stderr.contains("retry"), "{}", r.stderr);
    // Readers wait for a writer too.
    l.run(&["--lock-timeout", "0.2", "list"]).code(6);
    l.run(&["--lock-timeout", "0", "show", "f1"]).code(6);
    let e = l
        .run(&["--json", "--lock-timeout", "0.2", "sweep"])
        .code(6)
        .json_err();
    assert_eq!(e["error"]["kind"], "busy");
    assert_eq!(e["error"]["exit_code"], 6);
    assert_eq!(l.snapshot(), before, "nothing written while locked out");

    held.unlock().expect("unlock");
    l.run(&[
        "--lock-timeout",
        "0.2",
        "end",
        "f1",
        "--pay",
        "full",
        "--yes",
    ])
    .ok();
    assert!(l.read("contracts/f1.toml").contains("status = \"ended\""));
}

#[test]
fn a_shared_lock_admits_readers_but_not_writers() {
    let l = Ledger::new();
    l.hourly("h1");
    let before = l.snapshot();
    let held = lock_file(&l);
    held.lock_shared().expect("shared lock");
    let r = l.run(&["--lock-timeout", "0.2", "list"]).ok();
    assert!(r.stdout.contains("h1"), "{}", r.stdout);
    l.run(&["--lock-timeout", "0.2", "show", "h1"]).ok();
    l.run(&["--lock-timeout", "0.2", "log", "h1"]).ok();
    l.run(&["--lock-timeout", "0.2", "check"]).ok();
    let r = l.run(&["--lock-timeout", "0.2", "pause", "h1"]).code(6);
    assert!(r.stderr.contains(".contracts.lock"), "{}", r.stderr);
    l.run(&["--lock-timeout", "0.2", "sweep"]).code(6);
    l.run(&[
        "--lock-timeout",
        "0.2",
        "new",
        "--title",
        "T",
        "--client",
        "A",
        "--freelancer",
        "B",
        "--hourly",
        "50",
    ])
    .code(6);
    assert_eq!(l.snapshot(), before);
    drop(held);
    l.run(&["--lock-timeout", "0.2", "pause", "h1"]).ok();
}

// ------------------------------------------------------------------ malformed files

/// Breaks `rel` with `edit`, then checks that readers and writers refuse with
/// exit 5 at `rel:line:col`, quoting `text`, and write nothing.
#[track_caller]
fn refuses_broken(l: &Ledger, rel: &str, line: usize, text: &str) {
    let before = l.snapshot();
    for args in [
        vec!["show", "c1"],
        vec!["list"],
        vec!["end", "c1", "--pay", "full", "--yes"],
        vec!["sweep"],
    ] {
        let r = l.run(&args).code(5);
        assert!(
            has_location(&r.stderr, rel, line),
            "{args:?}: `{rel}:{line}:COL` in\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(text),
            "{args:?}: `{text}` in\n{}",
            r.stderr
        );
        assert_eq!(l.snapshot(), before, "{args:?} wrote nothing");
    }
    let r = l.run(&["check"]).code(5);
    assert!(has_location(&r.stdout, rel, line), "check:\n{}", r.stdout);
}

fn with_c1() -> Ledger {
    let l = Ledger::new();
    l.fixed("c1", "500");
    l
}

#[test]
fn contract_with_toml_syntax_error() {
    let l = with_c1();
    l.edit(
        "contracts/c1.toml",
        "title = \"Storefront\"",
        "title = \"Storefront",
    );
    refuses_broken(&l, "contracts/c1.toml", 3, "title = \"Storefront");
}

#[test]
fn contract_with_float_money() {
    let l = with_c1();
    l.edit("contracts/c1.toml", "price = \"500.00\"", "price = 500.0");
    refuses_broken(&l, "contracts/c1.toml", 7, "price = 500.0");
    let r = l.run(&["show", "c1"]).code(5);
    assert!(r.stderr.contains("contracts/c1.toml:7:9"), "{}", r.stderr);
    assert!(r.stderr.contains("float"), "{}", r.stderr);
}

#[test]
fn contract_with_datetime_without_offset() {
    let l = with_c1();
    l.edit(
        "contracts/c1.toml",
        "started_at = 2026-11-02T09:00:00Z",
        "started_at = 2026-11-02T09:00:00",
    );
    refuses_broken(
        &l,
        "contracts/c1.toml",
        9,
        "started_at = 2026-11-02T09:00:00",
    );
    let r = l.run(&["show", "c1"]).code(5);
    assert!(r.stderr.contains("contracts/c1.toml:9:14"), "{}", r.stderr);
    assert!(r.stderr.contains("offset"), "{}", r.stderr);
}

#[test]
fn contract_with_unknown_key() {
    let l = with_c1();
    l.edit(
        "contracts/c1.toml",
        "client = \"Acme\"\n",
        "client = \"Acme\"\ncolour = \"red\"\n",
    );
    refuses_broken(&l, "contracts/c1.toml", 5, "colour");
    let r = l.run(&["show", "c1"]).code(5);
    assert!(r.stderr.contains("contracts/c1.toml:5:1"), "{}", r.stderr);
    assert!(r.stderr.contains("unknown key"), "{}", r.stderr);
}

#[test]
fn contract_of_a_newer_version() {
    let l = with_c1();
    l.edit("contracts/c1.toml", "version = 3\n", "version = 4\n");
    refuses_broken(&l, "contracts/c1.toml", 1, "version = 4");
    let r = l.run(&["show", "c1"]).code(5);
    assert!(r.stderr.contains("newer version"), "{}", r.stderr);
}

#[test]
fn contract_with_invalid_utf8() {
    let l = with_c1();
    let mut bytes = l.read("contracts/c1.toml").into_bytes();
    let at = l
        .read("contracts/c1.toml")
        .find("Storefront")
        .expect("title");
    bytes[at + 5] = 0xff;
    l.write_bytes("contracts/c1.toml", &bytes);
    refuses_broken(&l, "contracts/c1.toml", 3, "title = \"Store");
    let r = l.run(&["show", "c1"]).code(5);
    assert!(r.stderr.contains("UTF-8"), "{}", r.stderr);
}

#[test]
fn contract_with_a_byte_order_mark() {
    let l = with_c1();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(l.read("contracts/c1.toml").into_bytes());
    l.write_bytes("contracts/c1.toml", &bytes);
    refuses_broken(&l, "contracts/c1.toml", 1, "byte order mark");
}

#[test]
fn settings_that_do_not_parse_or_validate() {
    for (from, to, line, text) in [
        (
            "currency = \"USD\"",
            "currency = \"USD",
            2,
            "currency = \"USD",
        ),
        (
            "fee_percent = 10",
            "fee_percent = 10.5",
            4,
            "fee_percent = 10.5",
        ),
        ("version = 3", "version = 4", 1, "version = 4"),
        (
            "role = \"client\"",
            "role = \"client\"\nowner = \"me\"",
            4,
            "owner",
        ),
        ("currency = \"USD\"", "currency = \"XYZ\"", 2, "XYZ"),
    ] {
        let l = with_c1();
        l.edit("ledger.toml", from, to);
        refuses_broken(&l, "ledger.toml", line, text);
    }
    let l = with_c1();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(l.read("ledger.toml").into_bytes());
    l.write_bytes("ledger.toml", &bytes);
    refuses_broken(&l, "ledger.toml", 1, "byte order mark");
}

#[test]
fn check_reports_every_problem_of_every_file() {
    let l = Ledger::new();
    l.fixed("c1", "500");
    l.fixed("c2", "500");
    l.fixed("c3", "500");
    l.hourly("c4");
    l.run(&["end", "c4", "--yes"]).ok();
    l.run(&["check"]).ok();
    // c1: two problems; c2: one; c3: a syntax error; c4 stays good.
    l.edit("contracts/c1.toml", "price = \"500.00\"", "price = 500.0");
    l.edit(
        "contracts/c1.toml",
        "client = \"Acme\"\n",
        "client = \"Acme\"\ncolour = \"red\"\n",
    );
    l.edit(
        "contracts/c2.toml",
        "started_at = 2026-11-02T09:00:00Z",
        "started_at = 2026-11-02T09:00:00",
    );
    l.edit("contracts/c3.toml", "kind = \"fixed\"", "kind = fixed");
    let before = l.snapshot();

    let r = l.run(&["check"]).code(5);
    assert!(r.stdout.contains("contracts/c1.toml:8:9"), "{}", r.stdout);
    assert!(r.stdout.contains("contracts/c1.toml:5:1"), "{}", r.stdout);
    assert!(r.stdout.contains("contracts/c2.toml:9:14"), "{}", r.stdout);
    assert!(
        has_location(&r.stdout, "contracts/c3.toml", 6),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("c4.toml"), "{}", r.stdout);
    assert!(r.stderr.contains("4 problem"), "{}", r.stderr);

    let r = l.run(&["--json", "check"]).code(5);
    let doc = r.json();
    assert_eq!(doc["ok"], false);
    let problems = doc["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 4, "{doc}");
    let mut files: Vec<_> = problems
        .iter()
        .map(|p| p["file"].as_str().unwrap_or_default().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "contracts/c1.toml",
            "contracts/c1.toml",
            "contracts/c2.toml",
            "contracts/c3.toml"
        ]
    );
    assert!(
        problems
            .iter()
            .all(|p| p["line"].is_u64() && p["column"].is_u64()),
        "{doc}"
    );
    assert_eq!(r.json_err()["error"]["exit_code"], 5);
    assert_eq!(l.snapshot(), before, "check writes nothing");
    // Each broken contract is refused alone; the good one still works.
    l.run(&["show", "c4"]).ok();
}

#[test]
fn check_on_a_good_ledger_exits_0() {
    let l = Ledger::new();
    l.run(&["check"]).ok();
    l.fixed("f1", "500");
    l.hourly("h1");
    l.run(&["end", "f1", "--pay", "200", "--yes"]).ok();
    l.run(&["pause", "h1"]).ok();
    let before = l.snapshot();
    let r = l.run(&["check"]).ok();
    assert!(r.stdout.starts_with("ok"), "{}", r.stdout);
    let doc = l.run(&["--json", "check"]).ok().json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["contracts"], 2);
    assert_eq!(doc["problems"].as_array().map(Vec::len), Some(0));
    assert_eq!(l.snapshot(), before);
}

// ------------------------------------------------------------------ symlinks and modes

#[test]
fn a_symlinked_ledger_directory_is_followed_and_the_link_kept() {
    let l = Ledger::new();
    l.fixed("c1", "500");
    l.hourly("h1");
    let links = tempfile::tempdir().expect("temp dir");
    let b = links.path().join("B");
    std::os::unix::fs::symlink(l.path(), &b).expect("symlink");
    fs::set_permissions(
        l.file("contracts/c1.toml"),
        fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");

    l.run_on(&b, &["end", "c1", "--pay", "full", "--yes"]).ok();
    l.run_on(&b, &["pause", "h1"]).ok();
    l.run_on(
        &b,
        &[
            "new",
            "--id",
            "n1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "9",
        ],
    )
    .ok();

    let meta = fs::symlink_metadata(&b).expect("link");
    assert!(meta.file_type().is_symlink(), "B is still a symlink");
    assert_eq!(fs::read_link(&b).expect("read_link"), l.path());
    assert!(l.read("contracts/c1.toml").contains("status = \"ended\""));
    assert!(l.read("contracts/h1.toml").contains("status = \"paused\""));
    assert!(l.file("contracts/n1.toml").is_file());
    assert_eq!(
        l.mode("contracts/c1.toml"),
        0o640,
        "the file keeps its mode"
    );
    assert_eq!(l.mode("contracts/h1.toml"), 0o600);
    assert_eq!(l.mode("contracts/n1.toml"), 0o600);
    // Nothing was left beside the link or in the target.
    let names: Vec<_> = fs::read_dir(links.path())
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    for (p, _) in l.snapshot() {
        assert!(!p.contains(".tmp"), "leftover temp file {p}");
    }
    // Reading through the link, and through the link's ledger.toml.
    let c = l.run_on(&b, &["--json", "show", "c1"]).ok().json();
    assert_eq!(c["status"], "ended");
    let c = l
        .run_on(&b.join("ledger.toml"), &["--json", "show", "h1"])
        .ok()
        .json();
    assert_eq!(c["status"], "paused");
}

#[test]
fn a_symlinked_contract_file_is_written_through() {
    let l = Ledger::new();
    l.hourly("h1");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let real = elsewhere.path().join("h1.toml");
    fs::rename(l.file("contracts/h1.toml"), &real).expect("move");
    std::os::unix::fs::symlink(&real, l.file("contracts/h1.toml")).expect("symlink");
    l.run(&["pause", "h1"]).ok();
    let meta = fs::symlink_metadata(l.file("contracts/h1.toml")).expect("link");
    assert!(meta.file_type().is_symlink(), "the link survives");
    let text = fs::read_to_string(&real).expect("read");
    assert!(text.contains("status = \"paused\""), "{text}");
    assert_eq!(mode(&real), 0o600);
}

#[test]
fn the_ledger_may_be_named_by_its_ledger_toml() {
    let l = Ledger::new();
    l.hourly("h1");
    let settings = l.file("ledger.toml");
    l.run_on(&settings, &["pause", "h1"]).ok();
    assert!(l.read("contracts/h1.toml").contains("status = \"paused\""));
    let list = l.run_on(&settings, &["--json", "list"]).ok().json();
    assert_eq!(list[0]["id"], "h1");
    assert!(!l.file("ledger.toml/contracts").exists());
}

#[test]
fn a_symlink_to_ledger_toml_names_its_ledger() {
    let l = Ledger::new();
    l.hourly("h1");
    let links = tempfile::tempdir().expect("temp dir");
    let link = links.path().join("books.toml");
    std::os::unix::fs::symlink(l.file("ledger.toml"), &link).expect("symlink");
    let list = l.run_on(&link, &["--json", "list"]).ok().json();
    assert_eq!(list[0]["id"], "h1");
}

#[test]
fn a_new_ledger_has_private_files_and_directories() {
    let l = Ledger::empty();
    let root = l.path().join("books");
    l.run_on(&root, &["init"]).ok();
    l.run_on(
        &root,
        &[
            "new",
            "--id",
            "h1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "50",
        ],
    )
    .ok();
    l.run_on(
        &root,
        &[
            "new",
            "--id",
            "f1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "50",
        ],
    )
    .ok();
    l.run_on(&root, &["end", "f1", "--pay", "10", "--yes"]).ok();
    for dir in ["", "contracts", "diary"] {
        assert_eq!(mode(&root.join(dir)), 0o700, "{dir}/ is 0700");
    }
    for file in [
        "ledger.toml",
        "contracts/h1.toml",
        "contracts/f1.toml",
        ".contracts.lock",
    ] {
        assert_eq!(mode(&root.join(file)), 0o600, "{file} is 0600");
    }
    let text = fs::read_to_string(root.join("ledger.toml")).expect("read");
    assert_eq!(
        text,
        "version = 3\ncurrency = \"USD\"\nrole = \"client\"\nfee_percent = 10\n"
    );
}

// ------------------------------------------------------------------ determinism

fn same_story(l: &Ledger) {
    l.fixed("f1", "500");
    l.hourly("h1");
    l.run_at(
        "2026-11-03T08:00:00Z",
        &[
            "new",
            "--title",
            "Shop",
            "--client",
            "Acme",
            "--freelancer",
            "Cy",
            "--fixed",
            "900",
            "--milestone",
            "Design=300",
            "--milestone",
            "Build=600",
        ],
    )
    .ok();
    l.run(&["pause", "h1"]).ok();
    l.run(&[
        "end", "f1", "--pay", "300", "--reason", "other", "--note", "n", "--yes",
    ])
    .ok();
    l.run(&["--as", "freelancer", "end", "c1", "--yes"]).ok();
}

#[test]
fn the_same_commands_at_the_same_clock_write_the_same_bytes() {
    let a = Ledger::new();
    let b = Ledger::new();
    same_story(&a);
    same_story(&b);
    let ((sa, ids_a), (sb, ids_b)) = (a.snapshot_and_op_ids(), b.snapshot_and_op_ids());
    assert_eq!(
        sa.len(),
        6,
        "{:?}",
        sa.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert_eq!(sa, sb);
    // Every event has an id, and the same story told in two ledgers (two
    // clones, two parties) makes operations that never share one.
    assert!(ids_a.len() >= 5, "{ids_a:?}");
    assert_eq!(ids_a.len(), ids_b.len());
    for id in &ids_a {
        assert!(!ids_b.contains(id), "{id} made in both ledgers");
        assert_eq!(ids_a.iter().filter(|x| *x == id).count(), 1, "{id} twice");
    }
}

#[test]
fn sweep_is_idempotent() {
    let l = Ledger::new();
    same_story(&l);
    let at = "2026-12-20T00:00:00Z";
    l.run_at(at, &["sweep"]).ok();
    let once = l.snapshot();
    let r = l.run_at(at, &["--json", "sweep"]).ok().json();
    assert_eq!(r["files_written"], 0);
    assert_eq!(r["events"].as_array().map(Vec::len), Some(0));
    assert_eq!(l.snapshot(), once);
    l.run_at(at, &["sweep"]).ok();
    assert_eq!(l.snapshot(), once);
}

#[test]
fn views_never_change_a_byte() {
    let l = Ledger::new();
    same_story(&l);
    let before = l.snapshot();
    for now in [
        l.now.as_str(),
        "2026-11-25T10:00:00Z",
        "2027-03-01T00:00:00Z",
    ] {
        for args in [
            vec!["show", "f1"],
            vec!["--json", "show", "f1"],
            vec!["show", "h1"],
            vec!["list"],
            vec!["--json", "list"],
            vec!["log"],
            vec!["--json", "log", "f1"],
            vec!["check"],
            vec!["--dry-run", "sweep"],
        ] {
            l.run_at(now, &args).ok();
            assert_eq!(l.snapshot(), before, "{args:?} at {now}");
        }
    }
}

// ------------------------------------------------------------------ hand edits

/// `text` without its `as_of` line, which every write of a change moves.
fn without_as_of(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("as_of = "))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn comments_survive_a_write_and_only_changed_lines_differ() {
    let l = Ledger::new();
    l.hourly("h1");
    l.edit(
        "contracts/h1.toml",
        "title = ",
        "# Agreed by phone, see mail of 2 Nov.\ntitle = ",
    );
    l.edit(
        "contracts/h1.toml",
        "client = \"Acme\"",
        "client = \"Acme\"   # the parent company",
    );
    // A person's way of writing a value survives too: a literal string, an
    // offset other than Z for the same instant, inline spacing.
    l.edit(
        "contracts/h1.toml",
        "freelancer = \"Bob\"",
        "freelancer = 'Bob'",
    );
    l.edit(
        "contracts/h1.toml",
        "started_at = 2026-11-02T09:00:00Z",
        "started_at  =  2026-11-02T10:00:00+01:00",
    );
    l.run(&["check"]).ok();
    let original = l.read("contracts/h1.toml");
    l.run(&["end", "h1", "--yes"]).ok();
    let after = l.read("contracts/h1.toml");
    assert!(
        after.contains("# Agreed by phone, see mail of 2 Nov.\ntitle = \"Support\""),
        "{after}"
    );
    assert!(
        after.contains("client = \"Acme\"   # the parent company\n"),
        "{after}"
    );
    // Every original line is still there, in order, but for the status and
    // the instant the state was folded to.
    let expected = without_as_of(&original.replace("status = \"active\"", "status = \"ended\""));
    assert!(
        lines_in_order(&after, &expected),
        "original:\n{original}\nafter:\n{after}"
    );
    assert!(!after.contains("status = \"active\""), "{after}");
}

#[test]
fn comments_survive_in_a_fixed_contract_too() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.edit("contracts/f1.toml", "title = ", "# hand note\ntitle = ");
    l.edit(
        "contracts/f1.toml",
        "client = \"Acme\"",
        "client = \"Acme\" # billing: Jo",
    );
    l.edit(
        "contracts/f1.toml",
        "[[milestones]]\n",
        "# the only milestone\n[[milestones]]\n",
    );
    let original = l.read("contracts/f1.toml");
    l.run(&["end", "f1", "--pay", "300", "--yes"]).ok();
    let after = l.read("contracts/f1.toml");
    let expected = without_as_of(&original.replace("status = \"active\"", "status = \"ended\""));
    assert!(
        lines_in_order(&after, &expected),
        "original:\n{original}\nafter:\n{after}"
    );
    assert!(
        after.contains("# the only milestone\n[[milestones]]"),
        "{after}"
    );
}

// ------------------------------------------------------------------ one file per change

#[test]
fn a_command_on_one_contract_opens_no_other_contract_file() {
    let l = Ledger::new();
    l.hourly("c7");
    l.write("contracts/other.toml", "this is [not TOML\n\u{0}\u{1}");
    let garbage = fs::read(l.file("contracts/other.toml")).expect("read");

    l.run(&["show", "c7"]).ok();
    l.run(&["--json", "show", "c7"]).ok();
    l.run(&["log", "c7"]).ok();
    l.run(&["pause", "c7"]).ok();
    l.run(&["resume", "c7"]).ok();
    l.run(&["end", "c7", "--yes"]).ok();
    assert!(l.read("contracts/c7.toml").contains("status = \"ended\""));
    l.run(&[
        "new",
        "--id",
        "c8",
        "--title",
        "T",
        "--client",
        "A",
        "--freelancer",
        "B",
        "--hourly",
        "50",
    ])
    .ok();

    let r = l.run(&["list"]).code(5);
    assert!(
        has_location(&r.stderr, "contracts/other.toml", 1),
        "{}",
        r.stderr
    );
    l.run(&["sweep"]).code(5);
    l.run(&["log"]).code(5);
    l.run(&["check"]).code(5);
    assert_eq!(
        fs::read(l.file("contracts/other.toml")).expect("read"),
        garbage
    );
}

#[test]
fn a_command_on_one_contract_leaves_the_others_byte_identical() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    let h1 = l.read("contracts/h1.toml");
    let settings = l.read("ledger.toml");
    l.run(&["end", "f1", "--pay", "none", "--yes"]).ok();
    assert_eq!(l.read("contracts/h1.toml"), h1);
    assert_eq!(l.read("ledger.toml"), settings);
    let files: Vec<_> = l.snapshot().into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        files,
        [
            ".contracts.lock",
            ".gitignore",
            "contracts/f1.toml",
            "contracts/h1.toml",
            "ledger.toml"
        ]
    );
}

#[test]
fn conflict_markers_in_a_contracts_history_are_refused_by_readers_of_its_state() {
    let l = Ledger::new();
    l.hourly("h1");
    let text = l.read("contracts/h1.toml");
    // What a text merge leaves when both sides appended to the history.
    l.write(
        "contracts/h1.toml",
        &format!(
            "{text}<<<<<<< HEAD\n[[history]]\nid = \"a\"\n=======\n[[history]]\nid = \"b\"\n>>>>>>> theirs\n"
        ),
    );
    for args in [
        &["list"][..],
        &["--json", "list"],
        &["refund", "list"],
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
