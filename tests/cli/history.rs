//! History events as typed operations: ids unique across clones, the
//! arguments in the file, the sentence derived when shown, and files of
//! version 1 read and upgraded on their next write.

use crate::harness::Ledger;
use serde_json::Value;

/// A contract file as version 1 wrote it: no ids, a sentence per event.
const V1: &str = r#"version = 1
id = "c1"
title = "Storefront"
client = "Acme"
freelancer = "Ann"
kind = "fixed"
price = "500.00"
status = "active"
started_at = 2026-11-02T09:00:00Z

[[milestones]]
title = "Design"
amount = "200.00"
status = "released"
funded = "200.00"
funded_at = 2026-11-02T09:00:00Z

[[milestones]]
title = "Build"
amount = "300.00"
status = "funded"
funded = "300.00"
funded_at = 2026-11-04T09:00:00Z

[[payments]]
at = 2026-11-03T09:00:00Z
milestone = 1
amount = "200.00"
fee = "20.00"

[[history]]
at = 2026-11-02T09:00:00Z
actor = "client"
event = "created"
detail = "fixed price 500.00; milestone 1 funded with 200.00"

[[history]]
at = 2026-11-03T09:00:00Z
actor = "client"
event = "milestone_approved"
amount = "200.00"
detail = "milestone 1 approved: 200.00 released (fee 20.00)"

[[history]]
at = 2026-11-04T09:00:00Z
actor = "client"
event = "milestone_funded"
amount = "300.00"
detail = "milestone 2 funded with 300.00"
"#;

fn v1_ledger() -> Ledger {
    let l = Ledger::new();
    // A ledger made by the release that wrote version 1.
    l.edit("ledger.toml", "version = 3", "version = 1");
    l.write("contracts/c1.toml", V1);
    l
}

fn log(l: &Ledger) -> Vec<Value> {
    l.run(&["--json", "log", "c1"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn history_block(text: &str, n: usize) -> String {
    text.split("[[history]]")
        .nth(n)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn a_version_1_file_is_read_as_it_was_and_upgraded_on_its_next_write() {
    let l = v1_ledger();
    l.run(&["check"]).ok();
    let before = log(&l);
    assert_eq!(before.len(), 3);
    assert_eq!(
        before[2]["detail"], "milestone 2 funded with 300.00",
        "the recorded sentence is shown as it was"
    );
    // Ids for the old events: the same on every read and in every clone
    // that upgrades the same file, so two clones agree on them.
    let other = v1_ledger();
    let ids: Vec<&Value> = before.iter().map(|e| &e["id"]).collect();
    assert!(
        ids.iter()
            .all(|id| id.as_str().is_some_and(|s| s.len() == 16))
    );
    assert_eq!(
        ids,
        log(&other).iter().map(|e| &e["id"]).collect::<Vec<_>>()
    );
    // Its money reads as before: milestone 2's funding is found in the sentence.
    let show = l.run(&["--json", "show", "c1"]).ok().json();
    assert_eq!(show["escrow"], "300.00", "{show}");

    l.run(&["--as", "freelancer", "milestone", "submit", "c1"])
        .ok();
    let text = l.read("contracts/c1.toml");
    assert!(text.starts_with("version = 3\n"), "{text}");
    // The old events keep their sentence and gain the ids they were shown with.
    for (n, e) in before.iter().enumerate() {
        let block = history_block(&text, n + 1);
        assert!(block.contains(&format!("id = {}", e["id"])), "{n}: {block}");
        assert!(
            block.contains(&format!("detail = {}", e["detail"])),
            "{block}"
        );
    }
    // The new one has its arguments, and no sentence.
    let new = history_block(&text, 4);
    assert!(new.contains("event = \"milestone_submitted\""), "{new}");
    assert!(new.contains("milestone = 2\n"), "{new}");
    assert!(new.contains("due = 2026-12-02T10:00:00Z\n"), "{new}");
    assert!(!new.contains("detail"), "{new}");
    let after = log(&l);
    assert_eq!(&after[..3], &before[..]);
    assert_eq!(
        after[3]["detail"],
        "work on milestone 2 submitted; released automatically on Wed 2 Dec 10:00 UTC unless the client acts"
    );
    // Read again, unchanged: an upgraded file is a version-2 file like any other.
    l.run(&["check"]).ok();
    assert_eq!(log(&l), after);
}

#[test]
fn an_events_sentence_is_derived_from_its_arguments() {
    let l = Ledger::new();
    l.run_at(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "c1",
            "--title",
            "Shop",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "500",
            "--milestone",
            "Design=200",
            "--milestone",
            "Build=300",
        ],
    )
    .ok();
    l.run_at("2026-11-03T09:00:00Z", &["milestone", "approve", "c1"])
        .ok();
    l.run_at("2026-11-04T09:00:00Z", &["milestone", "fund", "c1"])
        .ok();
    l.run_at(
        "2026-11-05T09:00:00Z",
        &["refund", "request", "c1", "--amount", "50"],
    )
    .ok();
    let text = l.read("contracts/c1.toml");
    assert!(!text.contains("detail"), "{text}");
    let funded = history_block(&text, 3);
    assert!(funded.contains("event = \"milestone_funded\""), "{funded}");
    assert!(funded.contains("milestone = 2\n"), "{funded}");
    let request = history_block(&text, 4);
    for arg in [
        "refund = 1\n",
        "milestone = 2\n",
        "deadline = 2026-11-12T09:00:00Z\n",
    ] {
        assert!(request.contains(arg), "{arg} in {request}");
    }
    let log_at = |l: &Ledger| -> Vec<Value> {
        l.run_at("2026-11-05T09:00:00Z", &["--json", "log", "c1"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(log_at(&l)[2]["detail"], "milestone 2 funded with 300.00");
    assert_eq!(
        log_at(&l)[3]["detail"],
        "refund of 50.00 from milestone 2 requested; Ann may approve or dispute until Thu 12 Nov 09:00 UTC, else it is approved"
    );
    // Change an argument by hand: the sentence follows it (there is no prose to go stale).
    l.edit(
        "contracts/c1.toml",
        "freelancer = \"Ann\"",
        "freelancer = \"Anna\"",
    );
    assert!(
        log_at(&l)[3]["detail"]
            .as_str()
            .unwrap()
            .contains("Anna may approve"),
    );
}

#[test]
fn an_event_with_a_missing_or_foreign_argument_is_refused_at_its_place() {
    let l = Ledger::new();
    l.hourly("h1");
    l.run(&["pause", "h1"]).ok();
    let text = l.read("contracts/h1.toml");
    let file = "contracts/h1.toml";
    // `check` on the file as made, with `from` replaced by `to`: its output.
    let check = |from: &str, to: &str| {
        l.write(file, &text.replacen(from, to, 1));
        let r = l.run(&["check"]).code(5);
        assert!(
            r.stderr.contains("1 problem(s)"),
            "reported once: {}",
            r.stderr
        );
        r.stdout
    };
    let paused = "event = \"paused\"";

    let out = check(paused, "event = \"paused\"\nmilestone = 1");
    let at = l
        .read(file)
        .lines()
        .position(|x| x == "milestone = 1")
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!(
            "{file}:{at}:1: `paused` has no argument `milestone` (its arguments: none)"
        )),
        "{out}"
    );
    let out = check(paused, "event = \"milestone_funded\"");
    assert!(
        out.contains("`milestone_funded` needs `milestone`"),
        "{out}"
    );
    let out = check(paused, "event = \"milestone_funded\"\nmilestone = \"one\"");
    assert!(
        out.contains("`milestone`: expected a whole number"),
        "{out}"
    );

    // A version-2 event needs an id of its own: ids are what merges of two
    // clones go by.
    let ids: Vec<&str> = text
        .lines()
        .filter(|x| x.starts_with("id = \"") && x.len() == 23)
        .collect();
    assert_eq!(ids.len(), 2, "{text}");
    let out = check(&format!("{}\n", ids[1]), "");
    assert!(out.contains("an event needs an id"), "{out}");
    let out = check(ids[1], ids[0]);
    assert!(out.contains("is taken by an earlier event"), "{out}");
}

#[test]
fn a_commands_events_share_its_operation_id() {
    let l = Ledger::new();
    l.fixed("c1", "500");
    let r = l
        .run(&[
            "--json", "end", "c1", "--pay", "200", "--reason", "other", "--yes",
        ])
        .ok()
        .json();
    let ids: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    // ended, released, refund_requested: one operation.
    assert_eq!(ids.len(), 3, "{r}");
    assert_eq!(ids[1], format!("{}.2", ids[0]));
    assert_eq!(ids[2], format!("{}.3", ids[0]));
    let logged: Vec<Value> = log(&l);
    let in_log: Vec<&str> = logged[1..]
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(in_log, ids, "what the command reported is what it recorded");
}

// ------------------------------------------------------------ version 2 -> 3

/// The instant the version-2 binary's views of `tests/fixtures/ledger-v2`
/// were taken at (see `tests/fixtures/make-ledger-v2.sh`).
const V2_SEEN: &str = "2026-12-08T10:00:00Z";

fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// What the version-2 binary showed of the fixture.
fn seen_by_v2(name: &str) -> String {
    std::fs::read_to_string(fixture("ledger-v2.out").join(name)).expect(name)
}

/// A fresh copy of the ledger the version-2 binary made.
fn ledger_v2() -> Ledger {
    let l = Ledger::empty();
    crate::harness::copy_dir(&fixture("ledger-v2"), l.path());
    l
}

/// Each `[[history]]` table of a contract file.
fn history_tables(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with('[') {
            inside = line == "[[history]]";
            if inside {
                out.push(String::new());
            }
        } else if inside {
            let t = out.last_mut().expect("a table");
            t.push_str(line);
            t.push('\n');
        }
    }
    out
}

#[test]
fn a_version_2_ledger_shows_what_its_binary_showed_and_is_upgraded_on_each_files_next_write() {
    let l = ledger_v2();
    // Read as it stands: every view is what the version-2 binary printed.
    let views = |l: &Ledger, now: &str| -> Vec<(String, String)> {
        let mut out = vec![
            ("list.json".to_string(), vec!["--json", "list"]),
            ("log.json".into(), vec!["--json", "log"]),
            ("journal".into(), vec!["export", "hledger"]),
            ("payments.csv".into(), vec!["export", "csv", "payments"]),
            (
                "diary-2026-W45.json".into(),
                vec!["--json", "diary", "show", "--week", "2026-W45"],
            ),
        ];
        for id in ["f1", "f2", "f3", "h1", "h2"] {
            out.push((format!("show-{id}.json"), vec!["--json", "show", id]));
        }
        out.into_iter()
            .map(|(name, args)| (name, l.run_at(now, &args).ok().stdout))
            .collect()
    };
    for (name, got) in views(&l, V2_SEEN) {
        assert_eq!(got, seen_by_v2(&name), "{name}");
    }
    l.run_at(V2_SEEN, &["check"]).ok();
    assert!(l.read("contracts/f1.toml").starts_with("version = 2\n"));

    // One write to each contract that can still take one; none moves money.
    let later = "2026-12-08T11:00:00Z";
    for args in [
        &[
            "--as",
            "freelancer",
            "feedback",
            "reply",
            "f1",
            "--text",
            "Thanks",
        ][..],
        &["feedback", "give", "f2", "--stars", "3"],
        &["feedback", "give", "h1", "--stars", "4"],
        &["pause", "h2"],
    ] {
        l.run_at(later, args).ok();
    }
    // Each is version 3: its history holds what was asked, its outcomes
    // (fees, deadlines, timers' events) are kept apart.
    for id in ["f1", "f2", "h1", "h2"] {
        let text = l.read(&format!("contracts/{id}.toml"));
        assert!(text.starts_with("version = 3\n"), "{id}: {text}");
        assert!(text.contains("\n[[effects]]\n"), "{id}: {text}");
        let ops = history_tables(&text);
        assert!(ops.len() >= 3, "{id}: {ops:?}");
        for op in &ops {
            for outcome in [
                "fee = ",
                "deadline = ",
                "due = ",
                "paid = ",
                "escrow = ",
                "carried = ",
                "actor = \"system\"",
                "event = \"week_paid\"",
                "event = \"released\"",
                "event = \"refund_auto_approved\"",
                "event = \"dispute_defaulted\"",
                "event = \"milestone_auto_released\"",
                "event = \"feedback_revealed\"",
            ] {
                assert!(!op.contains(outcome), "{id}: `{outcome}` in\n{op}");
            }
        }
    }
    // f3 took no write: it stays as version 2 wrote it, and reads the same.
    assert!(l.read("contracts/f3.toml").starts_with("version = 2\n"));
    // The money is what it was, and the history before the writes is what
    // version 2 showed; `check` folds the upgraded files clean.
    l.run_at(later, &["check"]).ok();
    let after = views(&l, later);
    for name in ["journal", "payments.csv"] {
        let got = &after.iter().find(|(n, _)| n == name).expect(name).1;
        assert_eq!(got, &seen_by_v2(name), "{name}");
    }
    let log: Vec<Value> = serde_json::from_str(&after[1].1).expect("log");
    let old: Vec<Value> = serde_json::from_str(&seen_by_v2("log.json")).expect("old log");
    assert_eq!(
        log.len(),
        old.len() + 4,
        "the four writes, and nothing else"
    );
    assert_eq!(&log[..old.len()], &old[..]);
    for id in ["f1", "f2", "f3", "h1", "h2"] {
        let name = format!("show-{id}.json");
        let (now, then): (Value, Value) = (
            serde_json::from_str(&after.iter().find(|(n, _)| *n == name).expect("shown").1)
                .expect("json"),
            serde_json::from_str(&seen_by_v2(&name)).expect("json"),
        );
        for key in [
            "funded",
            "escrow",
            "held",
            "paid",
            "refunded",
            "payments",
            "refunds",
            "milestones",
            "disputes",
        ] {
            assert_eq!(now[key], then[key], "{id}: {key}");
        }
    }
}
