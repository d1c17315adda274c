//! `diary import --format watson|toggl`: the same rules and all-or-nothing
//! as timewarrior's import, and re-importing adds nothing.

use crate::harness::{Ledger, Run};
use serde_json::Value;

fn fl(l: &Ledger, now: &str, args: &[&str]) -> Run {
    let mut a = vec!["--as", "freelancer"];
    a.extend_from_slice(args);
    l.run_at(now, &a)
}

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// `diary import FILE ARGS... --json` as the freelancer: the counts.
fn import_json(l: &Ledger, f: &str, args: &[&str]) -> Value {
    let mut a = vec!["--json", "diary", "import", f];
    a.extend_from_slice(args);
    fl(l, NOW, &a).ok().json()
}

/// (imported, already present) of an import's counts.
fn counts(r: &Value) -> (i64, i64) {
    (
        r["imported"].as_i64().unwrap(),
        r["already_present"].as_i64().unwrap(),
    )
}

/// Seconds and entry count of `id`'s week.
fn week(l: &Ledger, id: &str, w: &str) -> (i64, usize) {
    let v: Value = l
        .run_at(
            "2026-11-30T00:00:00Z",
            &["--json", "diary", "show", id, "--week", w],
        )
        .ok()
        .json();
    let c = &v["weeks"][0]["contracts"][0];
    (
        c["seconds"].as_i64().unwrap_or(0),
        c["entries"].as_array().map_or(0, Vec::len),
    )
}

/// Two hourly contracts made on Monday 16 Nov.
fn two() -> Ledger {
    let l = Ledger::new();
    for id in ["h1", "web"] {
        l.run_at(
            "2026-11-16T00:00:00Z",
            &[
                "new",
                "--id",
                id,
                "--title",
                "T",
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
    l
}

const NOW: &str = "2026-11-21T12:00:00Z";

#[test]
fn watson_frames_go_to_the_contract_their_project_or_tag_names() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    // 2026-11-16 09:00:00Z = 1_763_283_600
    let mon9 = 1_794_819_600i64;
    let frames = format!(
        r#"[[{a}, {b}, "h1", "0c1e2f3a4b5c", ["design"], {b}],
            [{c}, {d}, "misc", "1d2e3f4a5b6c", ["web", "calls"], {d}],
            [{e}, {f}, "other", "2e3f4a5b6c7d", [], {f}]]"#,
        a = mon9,
        b = mon9 + 3599,
        c = mon9 + 7200,
        d = mon9 + 9000,
        e = mon9 + 10_000,
        f = mon9 + 10_600
    );
    let f = file(&dir, "frames", &frames);
    let r = fl(
        &l,
        NOW,
        &["--json", "diary", "import", &f, "--format", "watson"],
    )
    .ok()
    .json();
    assert_eq!(
        (&r["imported"], &r["unmatched"]),
        (&Value::from(2), &Value::from(1))
    );
    assert_eq!(week(&l, "h1", "2026-W47"), (3599, 1));
    assert_eq!(week(&l, "web", "2026-W47"), (1800, 1));
    let memo = l
        .run_at(
            NOW,
            &["--json", "diary", "show", "web", "--week", "2026-W47"],
        )
        .ok()
        .json()["weeks"][0]["contracts"][0]["entries"][0]["memo"]
        .clone();
    assert_eq!(memo, "misc calls");
    // Again: nothing added.
    let before = l.snapshot();
    let r = fl(
        &l,
        NOW,
        &["--json", "diary", "import", &f, "--format", "watson"],
    )
    .ok()
    .json();
    assert_eq!(
        (&r["imported"], &r["already_present"]),
        (&Value::from(0), &Value::from(2))
    );
    assert!(l.snapshot() == before, "a re-import wrote files");
}

#[test]
fn a_watson_frame_that_breaks_a_rule_refuses_the_whole_import() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let mon9 = 1_794_819_600i64;
    // The second frame lasts 8 days.
    let frames = format!(
        r#"[[{a}, {b}, "h1", "a1", [], {b}], [{a}, {c}, "web", "b2", [], {c}]]"#,
        a = mon9,
        b = mon9 + 600,
        c = mon9 + 8 * 86_400
    );
    let f = file(&dir, "frames", &frames);
    let before = l.snapshot();
    let r = l
        .with_json(|| {
            fl(
                &l,
                "2026-11-29T12:00:00Z",
                &["diary", "import", &f, "--format", "watson"],
            )
        })
        .refused_for("import");
    assert!(
        r.stderr.contains("frame b2") && r.stderr.contains("at most 7 days"),
        "{}",
        r.stderr
    );
    assert!(l.snapshot() == before);
    // Not a frames file: a usage error naming the format.
    let bad = file(&dir, "bad", r#"{"frames": []}"#);
    let r = fl(&l, NOW, &["diary", "import", &bad, "--format", "watson"]).code(2);
    assert!(r.stderr.contains("Watson frames"), "{}", r.stderr);
}

const TOGGL: &str = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)
Bob,bob@example.com,Acme,Client site,,\"Checkout, \"\"v2\"\"\",Yes,2026-11-16,10:00:00,2026-11-16,11:30:00,01:30:00,,75.00
Bob,bob@example.com,Acme,Internal,,Admin,No,2026-11-16,12:00:00,2026-11-16,12:15:00,00:15:00,,0.00
";

#[test]
fn toggl_rows_are_local_time_in_tz_and_projects_map_to_contracts() {
    let mut l = two();
    // Toggl writes the account's local time: Paris is UTC+1 in November.
    l.tz = "Europe/Paris".into();
    let dir = tempfile::tempdir().unwrap();
    let f = file(&dir, "toggl.csv", TOGGL);
    let r = fl(
        &l,
        NOW,
        &[
            "--json",
            "diary",
            "import",
            &f,
            "--format",
            "toggl",
            "--map",
            "Client site=web",
        ],
    )
    .ok()
    .json();
    assert_eq!(
        (&r["imported"], &r["unmatched"]),
        (&Value::from(1), &Value::from(1))
    );
    let v = l
        .run_at(
            NOW,
            &["--json", "diary", "show", "web", "--week", "2026-W47"],
        )
        .ok()
        .json();
    let e = &v["weeks"][0]["contracts"][0]["entries"][0];
    assert_eq!(
        (&e["start"], &e["end"]),
        (
            &Value::from("2026-11-16T09:00:00Z"),
            &Value::from("2026-11-16T10:30:00Z")
        )
    );
    assert_eq!(e["memo"], "Checkout, \"v2\"");
    // With --contract every row goes there.
    let r = fl(
        &l,
        NOW,
        &[
            "--json",
            "diary",
            "import",
            &f,
            "--format",
            "toggl",
            "--contract",
            "h1",
        ],
    )
    .ok()
    .json();
    // The row already imported to web is the same interval of the same
    // tracker: present, whichever contract it would go to now (SPEC §2).
    assert_eq!(
        (&r["imported"], &r["already_present"]),
        (&Value::from(1), &Value::from(1))
    );
    assert_eq!(week(&l, "h1", "2026-W47"), (900, 1));
    // --map belongs to Toggl.
    fl(&l, NOW, &["diary", "import", &f, "--map", "x=h1"]).code(2);
}

#[test]
fn a_toggl_mapping_must_name_a_contract_and_one_only() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let f = file(&dir, "toggl.csv", TOGGL);
    let before = l.snapshot();
    let import = |extra: &[&str]| {
        let mut a = vec!["diary", "import", f.as_str(), "--format", "toggl"];
        a.extend_from_slice(extra);
        fl(&l, NOW, &a)
    };
    // A typo in the contract is refused as --contract's is: no such contract.
    let r = import(&["--map", "Client site=nosuch"]).code(3);
    assert!(r.stderr.contains("nosuch"), "{}", r.stderr);
    // One project, two contracts: refused, not the last one silently.
    import(&["--map", "Client site=web", "--map", "Client site=h1"]).code(2);
    import(&["--map", "Client site=web", "--contract", "h1"]).code(2);
    assert_eq!(l.snapshot(), before, "nothing written");
    // The same mapping twice is still one mapping.
    let r = import(&["--map", "Client site=web", "--map", "Client site=web"]).ok();
    assert!(r.stdout.contains("--map PROJECT=ID"), "{}", r.stdout);
}

#[test]
fn watson_frames_of_older_versions_and_of_another_year() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    // Older Watson writes [start, stop, project, id]: read as it is.
    // Mon 16 Nov 2026 09:00-10:00 UTC.
    let f = file(
        &dir,
        "old.json",
        r#"[[1794819600, 1794823200, "web", "abc1234"]]"#,
    );
    fl(&l, NOW, &["diary", "import", &f, "--format", "watson"]).ok();
    assert_eq!(week(&l, "web", "2026-W47"), (3600, 1));
    // A year before the contract started: the refusal says which year.
    let f = file(
        &dir,
        "last-year.json",
        r#"[[1763283600, 1763287200, "h1", "def5678"]]"#,
    );
    let r = l
        .with_json(|| fl(&l, NOW, &["diary", "import", &f, "--format", "watson"]))
        .refused_for("import");
    assert!(r.stderr.contains("2025-11-16 09:00:00 UTC"), "{}", r.stderr);
}

#[test]
fn an_imported_entry_edited_since_is_still_known_to_the_next_import() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    // timewarrior exports its whole history every time.
    let f = file(
        &dir,
        "timew.json",
        r#"[{"id":2,"start":"20261116T090000Z","end":"20261116T100000Z","tags":["h1"]},
            {"id":1,"start":"20261117T090000Z","end":"20261117T093000Z","tags":["h1"]}]"#,
    );
    fl(&l, NOW, &["diary", "import", &f]).ok();
    assert!(
        l.read("diary/2026-W47/h1.toml")
            .contains(r#"origin = 'timew 20261116T090000Z 20261116T100000Z ["h1",""]'"#),
        "{}",
        l.read("diary/2026-W47/h1.toml")
    );
    // The freelancer corrects the first: it ended at 09:45.
    fl(
        &l,
        NOW,
        &[
            "diary",
            "edit",
            "h1/2026W47-1",
            "--to",
            "2026-11-16T09:45:00Z",
        ],
    )
    .ok();
    let before = l.snapshot();
    // Re-importing the same export adds nothing and refuses nothing.
    let r = fl(&l, NOW, &["--json", "diary", "import", &f]).ok().json();
    assert_eq!(
        (&r["imported"], &r["already_present"]),
        (&Value::from(0), &Value::from(2))
    );
    assert_eq!(l.snapshot(), before);
    assert_eq!(week(&l, "h1", "2026-W47"), (2700 + 1800, 2));
    // Watson frames are known by their id, however they were edited.
    let w = file(
        &dir,
        "frames",
        r#"[[1794906000, 1794909600, "web", "abc1234", [], 0]]"#,
    );
    fl(&l, NOW, &["diary", "import", &w, "--format", "watson"]).ok();
    fl(
        &l,
        NOW,
        &[
            "diary",
            "edit",
            "web/2026W47-1",
            "--from",
            "2026-11-17T09:15:00Z",
        ],
    )
    .ok();
    let r = fl(
        &l,
        NOW,
        &["--json", "diary", "import", &w, "--format", "watson"],
    )
    .ok()
    .json();
    assert_eq!(r["already_present"], 1);
    assert_eq!(week(&l, "web", "2026-W47"), (2700, 1));
}

#[test]
fn frames_sharing_an_id_are_two_intervals_and_ids_may_be_any_text() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    // Two frames with one id (a hand-edited frames file), and a non-ASCII id.
    let f = file(
        &dir,
        "frames",
        r#"[[1794819600, 1794823200, "web", "abc123", [], 0],
            [1794906000, 1794909600, "web", "abc123", [], 0],
            [1794992400, 1794996000, "web", "ééééééééé", [], 0]]"#,
    );
    let watson = ["--format", "watson"];
    assert_eq!(counts(&import_json(&l, &f, &watson)), (3, 0));
    assert_eq!(week(&l, "web", "2026-W47"), (3 * 3600, 3));
    assert_eq!(counts(&import_json(&l, &f, &watson)), (0, 3));
}

#[test]
fn an_overlap_with_an_interval_of_the_same_export_names_that_interval() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let b = r#"{"id":2,"start":"20261116T100000Z","end":"20261116T103000Z","tags":["h1"]}"#;
    fl(
        &l,
        NOW,
        &["diary", "import", &file(&dir, "b.json", &format!("[{b}]"))],
    )
    .ok();
    fl(
        &l,
        NOW,
        &[
            "diary",
            "edit",
            "h1/2026W47-1",
            "--from",
            "2026-11-16T13:00:00Z",
            "--to",
            "2026-11-16T13:30:00Z",
        ],
    )
    .ok();
    // A (09-12) is new, B is the edited entry, C (11-11:30) lies inside A.
    let all = format!(
        r#"[{{"id":3,"start":"20261116T090000Z","end":"20261116T120000Z","tags":["h1"]}},{b},
            {{"id":1,"start":"20261116T110000Z","end":"20261116T113000Z","tags":["h1"]}}]"#
    );
    let before = l.snapshot();
    let r = l
        .with_json(|| fl(&l, NOW, &["diary", "import", &file(&dir, "all.json", &all)]))
        .refused_for("import");
    assert!(
        r.stderr.contains("interval @1 (20261116T110000Z")
            && r.stderr.contains("overlaps interval @3 (20261116T090000Z"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("already in the diary"), "{}", r.stderr);
    assert_eq!(l.snapshot(), before);
}

#[test]
fn a_mapped_toggl_project_goes_to_its_contract_even_if_named_like_another() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let csv = "Project,Description,Start date,Start time,End date,End time\nweb,x,2026-11-16,09:00:00,2026-11-16,10:00:00\n";
    let mut l = l;
    l.tz = "UTC".into();
    fl(
        &l,
        NOW,
        &[
            "diary",
            "import",
            &file(&dir, "t.csv", csv),
            "--format",
            "toggl",
            "--map",
            "web=h1",
        ],
    )
    .ok();
    assert_eq!(week(&l, "h1", "2026-W47"), (3600, 1));
    assert_eq!(week(&l, "web", "2026-W47"), (0, 0));
}

#[test]
fn an_empty_origin_is_reported_at_its_line() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let f = file(
        &dir,
        "timew.json",
        r#"[{"start":"20261116T090000Z","end":"20261116T100000Z","tags":["h1"]}]"#,
    );
    fl(&l, NOW, &["diary", "import", &f]).ok();
    let path = l.file("diary/2026-W47/h1.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().position(|x| x.starts_with("origin")).unwrap() + 1;
    let edited: String = text
        .lines()
        .map(|x| {
            if x.starts_with("origin") {
                "origin = \"\""
            } else {
                x
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, edited + "\n").unwrap();
    let r = l.run(&["check"]).code(5);
    assert!(
        r.stdout
            .contains(&format!("diary/2026-W47/h1.toml:{line}:"))
            || r.stderr
                .contains(&format!("diary/2026-W47/h1.toml:{line}:")),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(format!("{}{}", r.stdout, r.stderr).contains("empty origin"));
}

// ---------------------------------------------------------------------------
// One door for time (SPEC §2): an import is held to the rule `diary log` is.

/// A timewarrior export of one interval tagged `tags`.
fn timew(dir: &tempfile::TempDir, name: &str, start: &str, end: &str, tags: &str) -> String {
    file(
        dir,
        name,
        &format!(r#"[{{"id":1,"start":"{start}","end":"{end}","tags":[{tags}]}}]"#),
    )
}

/// Imports `f` as the freelancer at `now`: refused with exit 4 and nothing
/// written; an interval it names is refused for `reason`.
fn refused_import(l: &Ledger, now: &str, f: &str, extra: &[&str], reason: &str) {
    let before = l.snapshot();
    let mut a = vec!["--json", "diary", "import", f];
    a.extend_from_slice(extra);
    let r = fl(l, now, &a).refused_for("import");
    let problems = r.json_err()["error"]["problems"].clone();
    let all = problems.as_array().expect("problems");
    assert!(!all.is_empty(), "{}", r.stderr);
    assert!(all.iter().all(|p| p["interval"].is_string()), "{problems}");
    assert!(
        all.iter().any(|p| p["reason"] == reason),
        "`{reason}` in {problems}"
    );
    assert!(l.snapshot() == before, "a refused import wrote files");
}

#[test]
fn an_import_into_a_week_past_review_is_refused_as_log_is() {
    let l = two();
    // Time on web in W47 (Mon 16 - Sun 22 Nov), logged while it was open.
    l.run_at(
        "2026-11-17T12:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "web",
            "--from",
            "2026-11-17T09:00:00Z",
            "--to",
            "2026-11-17T11:00:00Z",
            "--memo",
            "api",
        ],
    )
    .ok();
    let dir = tempfile::tempdir().unwrap();
    let f = timew(
        &dir,
        "w47.json",
        "20261118T090000Z",
        "20261118T170000Z",
        r#""web""#,
    );
    // Invoiced (Mon 23 Nov 12:00 on) and settled (Sat 28 Nov on): `diary
    // log` of the same interval is refused, and so is its import.
    for now in ["2026-11-24T09:00:00Z", "2026-11-30T09:00:00Z"] {
        let log = fl(
            &l,
            now,
            &[
                "--json",
                "diary",
                "log",
                "web",
                "--from",
                "2026-11-18T09:00:00Z",
                "--to",
                "2026-11-18T17:00:00Z",
                "--memo",
                "x",
            ],
        )
        .refused_for("week_closed");
        assert!(log.stderr.contains("2026-W47 is"), "{}", log.stderr);
        refused_import(&l, now, &f, &[], "week_closed");
    }
    // The week settles at what was logged: 2 h at 50.00, no back-dated pay.
    l.run_at("2026-12-01T00:00:00Z", &["sweep"]).ok();
    let show = l
        .run_at("2026-12-01T00:00:00Z", &["--json", "show", "web"])
        .ok()
        .json();
    assert_eq!(show["paid"], "100.00");
    // Even a week that had no time (h1's W47) takes none.
    let f = timew(
        &dir,
        "h1.json",
        "20261118T090000Z",
        "20261118T100000Z",
        r#""h1""#,
    );
    refused_import(&l, "2026-12-01T00:00:00Z", &f, &[], "week_closed");
}

#[test]
fn an_import_into_an_ended_paused_offered_or_tracked_only_contract_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Ended on Thursday: the diary is locked for every entry, even one
    // that lies before the end.
    let l = two();
    l.run_at("2026-11-19T12:00:00Z", &["end", "web", "--yes"])
        .ok();
    let f = timew(
        &dir,
        "a.json",
        "20261117T090000Z",
        "20261117T100000Z",
        r#""web""#,
    );
    refused_import(&l, NOW, &f, &[], "ended");
    // Paused: no new time, even before the pause.
    l.run_at("2026-11-19T12:00:00Z", &["pause", "h1"]).ok();
    let f = timew(
        &dir,
        "b.json",
        "20261117T090000Z",
        "20261117T100000Z",
        r#""h1""#,
    );
    refused_import(&l, NOW, &f, &[], "contract_paused");
    // Made with --no-manual-time: imported time is manual.
    let l = Ledger::new();
    l.run_at(
        "2026-11-16T00:00:00Z",
        &[
            "new",
            "--id",
            "t1",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "50",
            "--no-manual-time",
        ],
    )
    .ok();
    let f = timew(
        &dir,
        "c.json",
        "20261117T090000Z",
        "20261117T100000Z",
        r#""t1""#,
    );
    refused_import(&l, NOW, &f, &[], "manual_time_not_allowed");
    // An offer the freelancer never accepted (a shared ledger).
    let l = Ledger::empty();
    l.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    l.hourly("o1");
    let f = timew(
        &dir,
        "d.json",
        "20261117T090000Z",
        "20261117T100000Z",
        r#""o1""#,
    );
    refused_import(&l, NOW, &f, &[], "offer");
}

#[test]
fn an_interval_is_its_source_and_identity_never_its_span_alone() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let f = timew(
        &dir,
        "a.json",
        "20261117T090000Z",
        "20261117T170000Z",
        r#""design""#,
    );
    assert_eq!(counts(&import_json(&l, &f, &["--contract", "h1"])), (1, 0));
    // The same export to a second contract: already in the ledger, not
    // eight more hours.
    assert_eq!(counts(&import_json(&l, &f, &["--contract", "web"])), (0, 1));
    assert_eq!(week(&l, "web", "2026-W47"), (0, 0));
    // Two people's 09:00-17:00 on two contracts stay two entries: the same
    // span with other tags is another interval.
    let g = timew(
        &dir,
        "b.json",
        "20261117T090000Z",
        "20261117T170000Z",
        r#""web""#,
    );
    assert_eq!(counts(&import_json(&l, &g, &[])), (1, 0));
    assert_eq!(week(&l, "h1", "2026-W47"), (8 * 3600, 1));
    assert_eq!(week(&l, "web", "2026-W47"), (8 * 3600, 1));
}

#[test]
fn history_moves_the_past_over_shown_and_counted_never_billed() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    // On Monday 30 Nov: W47 is settled (and W46 lies before the contracts
    // started); W48 is in review.
    let now = "2026-11-30T09:00:00Z";
    let f = file(
        &dir,
        "past.json",
        r#"[{"id":1,"start":"20261110T090000Z","end":"20261110T120000Z","tags":["web"]},
            {"id":2,"start":"20261118T090000Z","end":"20261118T170000Z","tags":["web"]},
            {"id":3,"start":"20261124T090000Z","end":"20261124T100000Z","tags":["web"]}]"#,
    );
    refused_import(&l, now, &f, &[], "week_closed");
    let r = fl(&l, now, &["--json", "diary", "import", &f, "--history"])
        .ok()
        .json();
    assert_eq!(counts(&r), (3, 0));
    let shown = |w: &str| {
        l.run_at(now, &["--json", "diary", "show", "web", "--week", w])
            .ok()
            .json()["weeks"][0]["contracts"][0]
            .clone()
    };
    // W47: history, counted in hours, never billed.
    let w47 = shown("2026-W47");
    assert_eq!(w47["seconds"], 8 * 3600);
    assert_eq!(w47["history_seconds"], 8 * 3600);
    assert_eq!(w47["billable_seconds"], 0);
    assert_eq!(w47["over_limit_seconds"], 0);
    assert_eq!(w47["amount"], "0.00");
    assert_eq!(w47["entries"][0]["history"], true);
    // Before the contract started: history too (work done before it came
    // into the ledger).
    assert_eq!(shown("2026-W46")["history_seconds"], 3 * 3600);
    // W48 is still in review: --history changes nothing, it is billed.
    let w48 = shown("2026-W48");
    assert_eq!(w48["history_seconds"], 0);
    assert_eq!(w48["billable_seconds"], 3600);
    assert_eq!(w48["entries"][0]["history"], false);
    // The table says so.
    let t = l
        .run_at(now, &["diary", "show", "web", "--week", "2026-W47"])
        .ok()
        .stdout;
    assert!(t.contains("history"), "{t}");
    assert!(t.contains("history 8h00m (not billed)"), "{t}");
    // Sweeping pays only W48's hour.
    l.run_at("2026-12-12T00:00:00Z", &["sweep"]).ok();
    let show = l
        .run_at("2026-12-12T00:00:00Z", &["--json", "show", "web"])
        .ok()
        .json();
    assert_eq!(show["paid"], "50.00");
    // Re-importing adds nothing.
    let r = fl(
        &l,
        "2026-12-12T00:00:00Z",
        &["--json", "diary", "import", &f, "--history"],
    )
    .ok()
    .json();
    assert_eq!(counts(&r), (0, 3));
}

#[test]
fn history_never_lies_after_an_end_or_across_another_entry() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let now = "2026-11-30T09:00:00Z";
    let f = timew(
        &dir,
        "a.json",
        "20261118T090000Z",
        "20261118T170000Z",
        r#""web""#,
    );
    fl(&l, now, &["diary", "import", &f, "--history"]).ok();
    // Across an entry already there.
    let g = timew(
        &dir,
        "b.json",
        "20261118T160000Z",
        "20261118T180000Z",
        r#""web""#,
    );
    refused_import(&l, now, &g, &["--history"], "overlap");
    // After an end: the diary is locked.
    l.run_at(now, &["end", "h1", "--yes"]).ok();
    let h = timew(
        &dir,
        "c.json",
        "20261118T090000Z",
        "20261118T100000Z",
        r#""h1""#,
    );
    refused_import(&l, now, &h, &["--history"], "ended");
}

#[test]
fn an_entry_removed_with_rm_does_not_come_back_with_the_next_import() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let f = timew(
        &dir,
        "a.json",
        "20261117T090000Z",
        "20261117T100000Z",
        r#""h1""#,
    );
    assert_eq!(counts(&import_json(&l, &f, &[])), (1, 0));
    fl(&l, NOW, &["diary", "rm", "h1/2026W47-1"]).ok();
    let text = l.read("diary/2026-W47/h1.toml");
    assert!(text.contains("[[removed]]\nid = \"2026W47-1\""), "{text}");
    // timewarrior's whole history again: the removed interval stays removed.
    assert_eq!(counts(&import_json(&l, &f, &[])), (0, 1));
    assert_eq!(week(&l, "h1", "2026-W47"), (0, 0));
    // A new entry never takes the removed one's id.
    let g = timew(
        &dir,
        "b.json",
        "20261118T090000Z",
        "20261118T100000Z",
        r#""h1""#,
    );
    assert_eq!(counts(&import_json(&l, &g, &[])), (1, 0));
    assert!(
        l.read("diary/2026-W47/h1.toml")
            .contains("id = \"2026W47-2\"")
    );
}

// ---------------------------------------------------------------------------
// What the file does say: the same refusals for every format.

#[test]
fn a_file_not_utf8_or_empty_is_refused_the_same_way_for_every_format() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1");
    std::fs::write(&bad, b"[\"caf\xe9\"]").unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let empty = file(&dir, "empty", " \n");
    let before = l.snapshot();
    for format in ["timew", "watson", "toggl"] {
        let r = fl(&l, NOW, &["diary", "import", &bad, "--format", format]).code(2);
        assert!(
            r.stderr.contains("not UTF-8 text (byte 5"),
            "{format}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(&bad), "{format}: {}", r.stderr);
        let r = fl(&l, NOW, &["diary", "import", &empty, "--format", format]).code(2);
        assert!(r.stderr.contains("is empty"), "{format}: {}", r.stderr);
    }
    // Not the format: each names where it stopped reading.
    let csv = file(&dir, "other.csv", "Name,Hours\nAnn,3\n");
    let r = fl(&l, NOW, &["diary", "import", &csv, "--format", "toggl"]).code(2);
    assert!(r.stderr.contains("no `Start date` column"), "{}", r.stderr);
    let r = fl(&l, NOW, &["diary", "import", &csv, "--format", "watson"]).code(2);
    assert!(
        r.stderr.contains("not a Watson frames file"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("line 1"), "{}", r.stderr);
    assert!(l.snapshot() == before, "nothing written");
}

#[test]
fn a_toggl_row_in_a_daylight_saving_fold_is_placed_by_its_duration() {
    let dir = tempfile::tempdir().unwrap();
    // Europe/Paris, Sunday 25 Oct 2026: 02:00-03:00 happens twice. A row
    // from 02:30 (the first time, +02:00) to 02:15 (the second, +01:00)
    // lasts 45 minutes: only one reading of each fits.
    let f = file(
        &dir,
        "toggl.csv",
        "Project,Description,Start date,Start time,End date,End time,Duration,Tags\n\
         web,night,2026-10-25,02:30:00,2026-10-25,02:15:00,00:45:00,\n",
    );
    let l = Ledger::new();
    l.run_at(
        "2026-10-19T00:00:00Z",
        &[
            "new",
            "--id",
            "web",
            "--title",
            "T",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "50",
        ],
    )
    .ok();
    // Imported on a Paris clock, the day after the clocks went back:
    // exits `code`, its stderr.
    let paris = |args: &[&str], code: i32| {
        let out = l
            .cmd_at("2026-10-26T09:00:00Z", args)
            .env("TZ", "Europe/Paris")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{err}");
        err
    };
    paris(
        &[
            "--as",
            "freelancer",
            "--json",
            "diary",
            "import",
            &f,
            "--format",
            "toggl",
        ],
        0,
    );
    let text = l.read("diary/2026-W43/web.toml");
    assert!(text.contains("start = 2026-10-25T00:30:00Z"), "{text}");
    assert!(text.contains("end = 2026-10-25T01:15:00Z"), "{text}");
    // Without a duration that settles it, the row is refused naming both.
    let g = file(
        &dir,
        "toggl2.csv",
        "Project,Description,Start date,Start time,End date,End time,Duration,Tags\n\
         web,night,2026-10-25,02:10:00,2026-10-25,02:20:00,,\n",
    );
    let out = paris(
        &[
            "--as",
            "freelancer",
            "diary",
            "import",
            &g,
            "--format",
            "toggl",
        ],
        4,
    );
    assert!(out.contains("ambiguous"), "{out}");
}

#[test]
fn watsons_skip_message_names_the_project_and_the_tags() {
    let l = two();
    let dir = tempfile::tempdir().unwrap();
    let f = file(
        &dir,
        "frames",
        r#"[[1794819600, 1794823200, "garden", "abc1234", ["home"]]]"#,
    );
    let r = fl(&l, NOW, &["diary", "import", &f, "--format", "watson"]).ok();
    assert!(
        r.stdout
            .contains("neither their project nor a tag names a contract"),
        "{}",
        r.stdout
    );
}
