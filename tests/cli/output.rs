//! What the binary prints: the JSON of SPEC §3, escaped control characters,
//! completions and the man page.

use crate::harness::Ledger;
use serde_json::Value;

/// The keys SPEC §3 promises on every contract object.
const CONTRACT_KEYS: &[&str] = &[
    "id",
    "title",
    "client",
    "freelancer",
    "kind",
    "status",
    "rate",
    "weekly_limit_hours",
    "price",
    "escrow",
    "paid",
    "refunded",
    "started_at",
    "ended_at",
    "ended_by",
    "end_reason",
    "diary_locked",
    "milestones",
    "refunds",
    "feedback",
];

#[track_caller]
fn has_contract_keys(c: &Value) {
    let obj = c
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {c}"));
    for k in CONTRACT_KEYS {
        assert!(obj.contains_key(*k), "missing `{k}` in {c}");
    }
    assert!(c["milestones"].is_array() && c["refunds"].is_array(), "{c}");
    assert!(c["feedback"].is_object(), "{c}");
}

#[test]
fn show_json_has_the_contract_keys() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    l.run(&[
        "new",
        "--id",
        "h2",
        "--title",
        "Ops",
        "--client",
        "Acme",
        "--freelancer",
        "Bob",
        "--hourly",
        "42.5",
        "--weekly-limit",
        "none",
    ])
    .ok();

    let f = l.run(&["--json", "show", "f1"]).ok().json();
    has_contract_keys(&f);
    assert_eq!(f["id"], "f1");
    assert_eq!(f["title"], "Storefront");
    assert_eq!(f["client"], "Acme");
    assert_eq!(f["freelancer"], "Ann");
    assert_eq!(f["kind"], "fixed");
    assert_eq!(f["status"], "active");
    assert_eq!(f["price"], "500.00", "money as a string");
    assert_eq!(f["rate"], Value::Null);
    assert_eq!(f["weekly_limit_hours"], Value::Null);
    assert_eq!(f["escrow"], "500.00");
    assert_eq!(f["paid"], "0.00");
    assert_eq!(f["refunded"], "0.00");
    assert_eq!(f["started_at"], "2026-11-02T09:00:00Z", "RFC 3339 UTC");
    assert_eq!(f["ended_at"], Value::Null);
    assert_eq!(f["ended_by"], Value::Null);
    assert_eq!(f["end_reason"], Value::Null);
    assert_eq!(f["diary_locked"], false);
    assert_eq!(f["milestones"][0]["amount"], "500.00");
    assert_eq!(f["milestones"][0]["status"], "funded");

    let h = l.run(&["--json", "show", "h1"]).ok().json();
    has_contract_keys(&h);
    assert_eq!(h["kind"], "hourly");
    assert_eq!(h["rate"], "50.00");
    assert_eq!(h["weekly_limit_hours"], 10);
    assert_eq!(h["price"], Value::Null);
    assert_eq!(h["milestones"].as_array().map(Vec::len), Some(0));

    let h2 = l.run(&["--json", "show", "h2"]).ok().json();
    assert_eq!(h2["rate"], "42.50");
    assert_eq!(h2["weekly_limit_hours"], Value::Null, "null for none");

    l.run(&["end", "f1", "--pay", "300", "--yes"]).ok();
    let f = l.run(&["--json", "show", "f1"]).ok().json();
    has_contract_keys(&f);
    assert_eq!(f["ended_at"], "2026-11-18T10:00:00Z");
    assert_eq!(f["ended_by"], "client");
    assert_eq!(f["end_reason"], "completed");
    assert_eq!(f["diary_locked"], true);
    let r = &f["refunds"][0];
    for k in ["status", "amount", "requested_at", "deadline"] {
        assert!(r.get(k).is_some(), "refund without `{k}`: {r}");
    }
    for author in ["client", "freelancer"] {
        assert_eq!(f["feedback"][author]["status"], "pending", "{f}");
    }
}

#[test]
fn list_json_is_an_array_of_contract_objects() {
    let l = Ledger::new();
    let empty = l.run(&["--json", "list"]).ok().json();
    assert_eq!(empty, Value::Array(vec![]));
    l.hourly("c10");
    l.hourly("c2");
    l.fixed("f1", "500");
    let list = l.run(&["--json", "list"]).ok().json();
    let arr = list.as_array().expect("array");
    assert_eq!(arr.len(), 3);
    for c in arr {
        has_contract_keys(c);
    }
    let ids: Vec<_> = arr
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["c2", "c10", "f1"], "natural order");
}

#[test]
fn mutations_print_the_contract_and_events_as_json() {
    let l = Ledger::new();
    l.hourly("h1");
    let doc = l.run(&["--json", "pause", "h1"]).ok().json();
    has_contract_keys(&doc["contract"]);
    assert_eq!(doc["contract"]["status"], "paused");
    let evs = doc["events"].as_array().expect("events");
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0]["event"], "paused");
    assert_eq!(evs[0]["actor"], "client");
    assert_eq!(evs[0]["at"], "2026-11-18T10:00:00Z");
    assert_eq!(doc["dry_run"], false);
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let l = Ledger::new();
    let title = "Evil \u{1b}[31mred\u{1b}[0m title";
    let client = "Ac\u{1b}]0;pwned\u{7}me";
    l.run(&[
        "new",
        "--id",
        "e1",
        "--title",
        title,
        "--client",
        client,
        "--freelancer",
        "B\u{9b}2J",
        "--hourly",
        "50",
    ])
    .ok();
    l.run(&[
        "new",
        "--id",
        "e2",
        "--title",
        title,
        "--client",
        client,
        "--freelancer",
        "Bob",
        "--fixed",
        "100",
    ])
    .ok();
    // Stored as given (TOML escapes it), shown escaped.
    let c = l.run(&["--json", "show", "e1"]).ok().json();
    assert_eq!(c["title"], title);

    let raw = |s: &str| s.contains('\u{1b}') || s.contains('\u{7}') || s.contains('\u{9b}');
    for args in [
        vec!["list"],
        vec!["show", "e1"],
        vec!["show", "e2"],
        vec!["log"],
        vec!["log", "e1"],
        vec!["--json", "show", "e1"],
        vec!["--json", "list"],
        vec!["pause", "e1"],
        vec![
            "end",
            "e2",
            "--pay",
            "50",
            "--note",
            "bye \u{1b}[2J",
            "--yes",
        ],
        vec![
            "end",
            "e1",
            "--reason",
            "other",
            "--note",
            "\u{1b}[2J",
            "--yes",
        ],
        vec!["show", "e2"],
        vec!["check"],
    ] {
        let r = l.run(&args).ok();
        if args[0] == "--json" {
            // JSON escapes C0 controls (ESC as \u001b); C1 ones are valid
            // JSON text, so only ESC and BEL are checked there.
            assert!(
                !r.stdout.contains(['\u{1b}', '\u{7}']),
                "{args:?}: {:?}",
                r.stdout
            );
            continue;
        }
        assert!(!raw(&r.stdout), "{args:?} stdout: {:?}", r.stdout);
        assert!(!raw(&r.stderr), "{args:?} stderr: {:?}", r.stderr);
    }
    let r = l.run(&["show", "e1"]).ok();
    assert!(
        r.stdout.contains("Evil \\u{1b}[31mred"),
        "shown escaped: {}",
        r.stdout
    );
    // Errors that quote the input, too.
    let r = l.run(&["show", "e\u{1b}[31m"]).code(2);
    assert!(!raw(&r.stderr), "{:?}", r.stderr);
    let r = l.run(&["pause", "e1"]).code(4);
    assert!(!raw(&r.stderr), "{:?}", r.stderr);
}

#[test]
fn control_characters_in_a_hand_edited_file_are_escaped() {
    let l = Ledger::new();
    l.hourly("h1");
    l.edit(
        "contracts/h1.toml",
        "client = \"Acme\"",
        "client = \"Ac\\u001b[5mme\"",
    );
    l.run(&["check"]).ok();
    for args in [
        vec!["list"],
        vec!["show", "h1"],
        vec!["pause", "h1"],
        vec!["log"],
    ] {
        let r = l.run(&args).ok();
        assert!(!r.stdout.contains('\u{1b}'), "{args:?}: {:?}", r.stdout);
        assert!(!r.stderr.contains('\u{1b}'), "{args:?}: {:?}", r.stderr);
    }
}

#[test]
fn completions_and_man_page() {
    let l = Ledger::empty();
    for shell in ["bash", "zsh", "fish"] {
        let r = l.run(&["completions", shell]).ok();
        assert!(r.stdout.contains("contracts"), "{shell}: {}", r.stdout);
        assert!(r.stdout.len() > 100, "{shell}");
    }
    let r = l.run(&["completions", "bash"]).ok();
    assert!(r.stdout.contains("sweep") && r.stdout.contains("--lock-timeout"));
    l.run(&["completions", "tcsh"]).code(2);
    let r = l.run(&["man"]).ok();
    assert!(
        r.stdout.starts_with(".") || r.stdout.contains(".TH"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("contracts"), "{}", r.stdout);
    assert!(l.snapshot().is_empty(), "no ledger needed, none created");
}

#[test]
fn help_documents_the_exit_codes() {
    let l = Ledger::empty();
    let r = l.run(&["--help"]).ok();
    for code in ["0", "2", "3", "4", "5", "6"] {
        assert!(
            r.stdout.contains(&format!("  {code}  ")),
            "exit {code}: {}",
            r.stdout
        );
    }
}

/// `show` for people, fixed price: terms, escrow, milestones, an open
/// refund request with its deadline, and what happens when.
#[test]
fn show_table_fixed_price() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["refund", "request", "f1", "--amount", "100"]).ok();
    let t = l.run(&["show", "f1"]).ok().stdout;
    insta::assert_snapshot!("show_fixed_price", t);
}

/// `show` for people, hourly, as the freelancer (who sees fee and net):
/// the limit, this week's time with its running timer, and after the end
/// the hidden feedback of the other party.
#[test]
fn show_table_hourly_freelancer() {
    let l = Ledger::new();
    l.hourly("h1");
    let fl = |now: &str, args: &[&str]| {
        let mut all = vec!["--as", "freelancer"];
        all.extend_from_slice(args);
        l.run_at(now, &all).ok();
    };
    fl(
        "2026-11-10T12:00:00Z",
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-09 09:00",
            "--to",
            "2026-11-09 13:00",
            "--memo",
            "API",
        ],
    );
    fl(
        "2026-11-18T08:00:00Z",
        &["diary", "start", "h1", "--memo", "Fix"],
    );
    l.run_at("2026-11-18T09:00:00Z", &["limit", "h1", "5"]).ok();
    let t = l
        .run_at(
            "2026-11-18T09:30:00Z",
            &["--as", "freelancer", "show", "h1"],
        )
        .ok()
        .stdout;
    insta::assert_snapshot!("show_hourly_freelancer", t);
    l.run_at("2026-11-19T10:00:00Z", &["end", "h1"]).ok();
    l.run_at(
        "2026-11-19T11:00:00Z",
        &[
            "feedback",
            "give",
            "h1",
            "--stars",
            "5",
            "--comment",
            "Great",
        ],
    )
    .ok();
    let t = l
        .run_at(
            "2026-11-19T12:00:00Z",
            &["--as", "freelancer", "show", "h1"],
        )
        .ok()
        .stdout;
    insta::assert_snapshot!("show_hourly_ended_freelancer", t);
}

/// The ledger-wide tables for people, on one small ledger: `list`, `log`,
/// `milestone list`, `refund list`, what `sweep` applied, `report` and
/// `feedback summary`.
#[test]
fn ledger_tables() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    l.run_at(
        "2026-11-10T12:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-09 09:00",
            "--to",
            "2026-11-09 13:30",
            "--memo",
            "API",
        ],
    )
    .ok();
    l.run(&["--as", "freelancer", "milestone", "submit", "f1"])
        .ok();
    l.run_at(
        "2026-11-18T11:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    let at = "2026-11-19T09:00:00Z";
    let mut all = String::new();
    for args in [
        &["list"][..],
        &["log", "f1"],
        &["milestone", "list", "f1"],
        &["refund", "list"],
        &["--as", "freelancer", "report", "--by", "contract"],
    ] {
        all.push_str(&format!("$ contracts {}\n", args.join(" ")));
        all.push_str(&l.run_at(at, args).ok().stdout);
        all.push('\n');
    }
    let sweep = l.run_at("2026-11-26T09:00:00Z", &["sweep"]).ok().stdout;
    all.push_str(&format!("$ contracts sweep (a week later)\n{sweep}\n"));
    l.run_at(
        "2026-11-26T10:00:00Z",
        &["end", "f1", "--pay", "none", "--yes"],
    )
    .ok();
    l.run_at(
        "2026-11-26T11:00:00Z",
        &["feedback", "give", "f1", "--stars", "4", "--quality", "5"],
    )
    .ok();
    l.run_at(
        "2026-11-26T12:00:00Z",
        &[
            "--as",
            "freelancer",
            "feedback",
            "give",
            "f1",
            "--stars",
            "3",
        ],
    )
    .ok();
    let summary = l
        .run_at("2026-11-26T13:00:00Z", &["feedback", "summary"])
        .ok()
        .stdout;
    all.push_str(&format!("$ contracts feedback summary\n{summary}"));
    insta::assert_snapshot!("ledger_tables", all);
}

/// A table printed as it is laid out (`list`) into a pipe closed early
/// (`| head -1`) ends quietly with 0, into a full disk with 1 and the
/// error; complete, it ends with a newline.
#[test]
fn a_long_table_into_a_closed_pipe_or_a_full_disk() {
    use std::io::Read;
    use std::process::Stdio;
    let l = Ledger::new();
    l.fixed("f0", "100");
    // Copies of its file under other ids: more than two pipes' worth of
    // table (a pipe holds 64 KiB here, the writer's buffer as much).
    let text = l.read("contracts/f0.toml");
    for i in 1..1500 {
        l.write(
            &format!("contracts/f{i}.toml"),
            &text.replace("id = \"f0\"", &format!("id = \"f{i}\"")),
        );
    }
    let whole = l.run(&["list"]).ok().stdout;
    assert!(whole.len() > 3 * 64 * 1024, "too short: {}", whole.len());
    assert!(whole.ends_with(".\n"), "{:?}", &whole[whole.len() - 40..]);
    // The pipe closed after its first bytes.
    let now = crate::harness::NOW;
    let mut child = crate::reliability::std_cmd(&l, now, &["list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 16];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{:?}", out);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(&first[..], &whole.as_bytes()[..16]);
    // A full disk.
    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let out = crate::reliability::std_cmd(&l, now, &["list"])
            .stdout(full)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(1), "{:?}", out);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("No space left"), "{err}");
    }
}
