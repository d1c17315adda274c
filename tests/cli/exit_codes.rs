//! Every exit code of SPEC §3, and `--json` errors on stderr.

use crate::harness::Ledger;

const NEW_HOURLY: &[&str] = &[
    "new",
    "--id",
    "h9",
    "--title",
    "T",
    "--client",
    "A",
    "--freelancer",
    "B",
    "--hourly",
];

fn new_hourly(rate: &str) -> Vec<&str> {
    let mut v = NEW_HOURLY.to_vec();
    v.push(rate);
    v
}

#[test]
fn exit_0_when_done() {
    let l = Ledger::new();
    let r = l.run(&["list"]).ok();
    assert!(r.stdout.contains("no contracts"), "{}", r.stdout);
    l.hourly("h1");
    l.run(&["show", "h1"]).ok();
    l.run(&["check"]).ok();
    l.run(&["sweep"]).ok();
    l.run(&["log"]).ok();
}

#[test]
fn exit_2_for_usage_errors_and_nothing_is_written() {
    let l = Ledger::new();
    l.hourly("h1");
    let before = l.snapshot();
    // Unknown flag.
    let r = l.run(&["list", "--bogus"]).code(2);
    assert!(r.stderr.contains("--bogus"), "{}", r.stderr);
    l.run(&["frobnicate"]).code(2);
    // Bad money.
    for bad in ["1,5", "1.234", "-5", "1_000", "abc", "1e3", ""] {
        let r = l.run(&new_hourly(bad)).code(2);
        assert!(r.stderr.contains("--hourly"), "{bad}: {}", r.stderr);
    }
    assert_eq!(l.snapshot(), before);
    // Bad --now.
    for bad in ["yesterday", "2026-13-01T00:00:00Z", "2026-11-18T25:00", ""] {
        let r = l.run_at(bad, &["list"]).code(2);
        assert!(r.stderr.contains("--now"), "{bad}: {}", r.stderr);
    }
    l.run_at("tomorrow", &["end", "h1", "--yes"]).code(2);
    // Invalid ids: a path, a dot, too long.
    let long = "a".repeat(33);
    for id in ["../x", "x/y", ".", "..", "a.b", "", long.as_str()] {
        l.run(&["show", id]).code(2);
        l.run(&["end", id, "--yes"]).code(2);
        l.run(&["pause", id]).code(2);
        l.run(&[
            "new",
            "--id",
            id,
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "50",
        ])
        .code(2);
    }
    // 32 characters is the longest id allowed.
    let max = "b".repeat(32);
    l.run(&[
        "new",
        "--id",
        &max,
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
    assert!(l.file(&format!("contracts/{max}.toml")).is_file());
    // Bad option values.
    l.run(&["--lock-timeout", "soon", "list"]).code(2);
    l.run(&["--as", "boss", "list"]).code(2);
    l.run(&["end", "h1", "--pay", "lots", "--yes"]).code(2);
    // Nothing but the 32-character contract was written.
    let after: Vec<_> = l
        .snapshot()
        .into_iter()
        .filter(|(p, _)| !p.contains(&max))
        .collect();
    assert_eq!(after, before);
}

#[test]
fn exit_3_for_an_unknown_contract() {
    let l = Ledger::new();
    let before = l.snapshot();
    let r = l.run(&["show", "nope"]).code(3);
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
    l.run(&["end", "nope", "--yes"]).code(3);
    l.run(&["pause", "nope"]).code(3);
    l.run(&["resume", "nope"]).code(3);
    l.run(&["log", "nope"]).code(3);
    assert_eq!(l.snapshot(), before);
}

#[test]
fn exit_3_for_a_missing_ledger_with_a_hint_to_init() {
    let l = Ledger::empty();
    let r = l.run(&["list"]).code(3);
    assert!(r.stderr.contains("no ledger"), "{}", r.stderr);
    assert!(
        r.stderr.contains("contracts") && r.stderr.contains("init`"),
        "hint names `contracts ... init`: {}",
        r.stderr
    );
    l.run(&["show", "c1"]).code(3);
    l.run(&["end", "c1", "--yes"]).code(3);
    l.run(&["sweep"]).code(3);
    l.run(&["check"]).code(3);
    assert!(
        l.snapshot().is_empty(),
        "nothing created: {:?}",
        l.snapshot()
    );
}

#[test]
fn exit_4_for_rule_refusals() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.hourly("h1");
    let before = l.snapshot();
    l.run(&["--json", "pause", "f1"]).refused_for("not_hourly");
    l.run(&["--json", "--as", "freelancer", "pause", "h1"])
        .refused_for("not_the_party");
    l.run(&["--json", "resume", "h1"]).refused_for("not_paused");
    assert_eq!(l.snapshot(), before);

    l.run(&["pause", "h1"]).ok();
    let paused = l.snapshot();
    l.run(&["--json", "pause", "h1"])
        .refused_for("already_paused");
    l.run(&["--json", "--as", "freelancer", "resume", "h1"])
        .refused_for("not_the_party");
    assert_eq!(l.snapshot(), paused);
    l.run(&["resume", "h1"]).ok();
    assert!(l.read("contracts/h1.toml").contains("status = \"active\""));
}

#[test]
fn exit_4_for_init_over_an_existing_ledger() {
    let l = Ledger::new();
    l.hourly("h1");
    let before = l.snapshot();
    l.run(&[
        "--json",
        "init",
        "--currency",
        "EUR",
        "--role",
        "freelancer",
    ])
    .refused_for("ledger_exists");
    assert_eq!(l.snapshot(), before);
    // Named by its ledger.toml too.
    l.run_on(&l.file("ledger.toml"), &["--json", "init"])
        .refused_for("ledger_exists");
    assert_eq!(l.snapshot(), before);
}

#[test]
fn dry_run_init_over_an_existing_ledger_is_refused_too() {
    let l = Ledger::new();
    let before = l.snapshot();
    let r = l
        .run(&["--json", "--dry-run", "init"])
        .refused_for("ledger_exists");
    assert!(!r.stdout.contains("would create"), "{}", r.stdout);
    assert_eq!(l.snapshot(), before);
}

#[test]
fn json_errors_are_one_object_on_stderr() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    for (args, code, kind, reason) in [
        (vec!["--json", "show", "nope"], 3, "not_found", None),
        (
            vec!["--json", "pause", "f1"],
            4,
            "refused",
            Some("not_hourly"),
        ),
        (
            vec!["--json", "end", "f1", "--yes"],
            4,
            "refused",
            Some("pay_needed"),
        ),
        (vec!["--json", "show", "../x"], 2, "usage", None),
        (vec!["--json", "list", "--bogus"], 2, "usage", None),
        (
            vec![
                "--json",
                "new",
                "--title",
                "T",
                "--client",
                "A",
                "--freelancer",
                "B",
                "--hourly",
                "1,5",
            ],
            2,
            "usage",
            None,
        ),
    ] {
        let r = l.run(&args).code(code);
        assert!(r.stdout.trim().is_empty(), "{args:?}: stdout {}", r.stdout);
        assert_eq!(
            r.stderr.trim().lines().count(),
            1,
            "{args:?}: one line: {}",
            r.stderr
        );
        let e = r.json_err();
        let obj = e.as_object().expect("object");
        assert_eq!(obj.len(), 1, "only `error`: {e}");
        assert_eq!(e["error"]["exit_code"], code, "{args:?}: {e}");
        assert_eq!(e["error"]["kind"], kind, "{args:?}: {e}");
        // Every key, always: `reason` names a refusal's kind, else null.
        assert_eq!(e["error"]["reason"].as_str(), reason, "{args:?}: {e}");
        assert!(
            e["error"].get("reason").is_some(),
            "{args:?}: reason is there: {e}"
        );
        assert!(
            e["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{e}"
        );
    }
    assert_eq!(l.snapshot(), before);

    // A missing ledger, and an invalid one.
    let e = Ledger::empty().run(&["--json", "list"]).code(3).json_err();
    assert_eq!(e["error"]["exit_code"], 3);
    l.write("contracts/f1.toml", "version = 1\nid = \n");
    let e = l.run(&["--json", "show", "f1"]).code(5).json_err();
    assert_eq!(e["error"]["exit_code"], 5);
    assert_eq!(e["error"]["kind"], "invalid");
}

#[test]
fn init_takes_the_global_options_like_every_command() {
    // `--role` (the ledger's default) and the global `--as` are two options.
    let l = Ledger::empty();
    l.run(&["--as", "client", "init", "--role", "freelancer"])
        .ok();
    assert!(l.read("ledger.toml").contains("role = \"freelancer\""));
    // The ledger's default acts when `--as` is not given: a freelancer
    // does not create contracts.
    let r = l
        .run(&[
            "--json",
            "new",
            "--title",
            "T",
            "--client",
            "C",
            "--freelancer",
            "F",
            "--hourly",
            "50",
        ])
        .refused_for("not_the_party");
    assert_eq!(
        r.json_err()["error"]["message"],
        "only the client creates contracts (use --as client)"
    );
}
