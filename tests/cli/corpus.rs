//! The bad-input corpus (`tests/fixtures/bad/`, listed in its MANIFEST):
//! every broken file gets exit 5 with `file:line:col`, nothing written, no
//! panic; and `check` lists every problem of a ledger, not just the first.

use crate::harness::{Ledger, has_location};
use crate::reliability::{copy_of, durable};
use std::fs;
use std::path::{Path, PathBuf};

/// One line of the MANIFEST.
struct Case {
    fixture: String,
    target: String,
    /// `(line, col)`, or `None` for a problem about the whole file.
    location: Option<(usize, usize)>,
    needle: String,
    command: Vec<String>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad")
}

fn cases() -> Vec<Case> {
    let text = fs::read_to_string(dir().join("MANIFEST")).expect("MANIFEST");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert!(f.len() >= 5, "MANIFEST line: {l}");
            let location = (f[2] != "-").then(|| {
                let (a, b) = f[2].split_once(':').expect("LINE:COL");
                (a.parse().expect("line"), b.parse().expect("col"))
            });
            Case {
                fixture: f[0].into(),
                target: f[1].into(),
                location,
                needle: f[3].replace('+', " "),
                command: f[4..]
                    .iter()
                    .filter(|s| **s != "-")
                    .map(|s| s.to_string())
                    .collect(),
            }
        })
        .collect()
}

/// The ledger every case starts from: h1 (hourly, one entry this week), e1
/// (hourly, ended 2026-11-17T12:00Z), f1 (fixed).
pub fn base() -> Ledger {
    let l = Ledger::new();
    let start = "2026-11-02T09:00:00Z";
    l.run_at(
        start,
        &[
            "new",
            "--id",
            "h1",
            "--title",
            "Support",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "50",
            "--weekly-limit",
            "10",
        ],
    )
    .ok();
    l.run_at(
        start,
        &[
            "new",
            "--id",
            "e1",
            "--title",
            "Old",
            "--client",
            "Acme",
            "--freelancer",
            "Bob",
            "--hourly",
            "40",
        ],
    )
    .ok();
    l.run_at(
        start,
        &[
            "new",
            "--id",
            "f1",
            "--title",
            "Shop",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--fixed",
            "500",
        ],
    )
    .ok();
    l.run_at(
        "2026-11-16T09:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-16T08:00:00Z",
            "--to",
            "2026-11-16T09:00:00Z",
            "--memo",
            "api",
        ],
    )
    .ok();
    l.run_at("2026-11-17T12:00:00Z", &["end", "e1", "--yes"])
        .ok();
    l.run(&["check"]).ok();
    l
}

fn place(l: &Ledger, c: &Case) {
    let bytes = fs::read(dir().join(&c.fixture)).expect("fixture");
    let p = l.file(&c.target);
    fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    fs::write(p, bytes).expect("write");
}

/// Whether `out` reports the case's problem at its place.
fn reported(out: &str, c: &Case) -> bool {
    let at = match c.location {
        Some((line, col)) => format!("{}:{line}:{col}: ", c.target),
        None => format!("{}: ", c.target),
    };
    out.lines()
        .any(|l| l.starts_with(&at) && l.contains(&c.needle))
}

#[test]
fn the_corpus_has_at_least_30_cases_and_every_fixture_is_listed() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let listed: Vec<&str> = cases.iter().map(|c| c.fixture.as_str()).collect();
    for e in fs::read_dir(dir()).expect("dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name != "MANIFEST" {
            assert!(listed.contains(&name.as_str()), "{name} is not in MANIFEST");
        }
    }
}

#[test]
fn every_bad_file_is_refused_with_its_location_and_nothing_is_written() {
    let base = base();
    let mut failures = Vec::new();
    for c in cases() {
        let l = copy_of(&base);
        place(&l, &c);
        let before = l.snapshot();
        let check = l.run(&["check"]);
        let ctx = format!("{} at {}", c.fixture, c.target);
        if check.code != 5 || !reported(&check.stdout, &c) {
            failures.push(format!(
                "{ctx}: check exit {}, wanted {}:{:?} `{}`:\n{}{}",
                check.code, c.target, c.location, c.needle, check.stdout, check.stderr
            ));
        }
        let args: Vec<&str> = c.command.iter().map(String::as_str).collect();
        let r = l.run(if args.is_empty() { &["check"] } else { &args });
        // The command names the file and the line, as `check` does.
        let located = match c.location {
            Some((line, _)) => has_location(&r.stderr, &c.target, line),
            None => r.stderr.contains(&c.target),
        };
        if !args.is_empty() && (r.code != 5 || !located) {
            failures.push(format!("{ctx}: {args:?} exit {}:\n{}", r.code, r.stderr));
        }
        // A write command over the whole ledger refuses too, or does nothing.
        let sweep = l.run(&["sweep"]);
        for (what, out) in [
            ("check", &check.stderr),
            ("command", &r.stderr),
            ("sweep", &sweep.stderr),
        ] {
            if out.contains("panicked") {
                failures.push(format!("{ctx}: {what} panicked:\n{out}"));
            }
        }
        if ![0, 5].contains(&sweep.code) {
            failures.push(format!(
                "{ctx}: sweep exit {}:\n{}",
                sweep.code, sweep.stderr
            ));
        }
        if l.snapshot() != before {
            failures.push(format!("{ctx}: files changed"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn check_lists_every_problem_of_every_file_at_once() {
    let l = base();
    // Every case that is not about ledger.toml, all in one ledger.
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| c.target != "ledger.toml")
        .collect();
    for c in &cases {
        place(&l, c);
    }
    let before = durable(&l);
    let r = l.run(&["check"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    let missing: Vec<String> = cases
        .iter()
        .filter(|c| !reported(&r.stdout, c))
        .map(|c| {
            format!(
                "{} ({}:{:?} `{}`)",
                c.fixture, c.target, c.location, c.needle
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "check did not list:\n{}\n--- its output\n{}",
        missing.join("\n"),
        r.stdout
    );
    let json = l.run(&["check", "--json"]);
    assert_eq!(json.code, 5);
    let problems = json.json()["problems"].as_array().expect("problems").len();
    assert!(problems >= cases.len(), "{problems} problems in --json");
    assert!(durable(&l) == before);
}

#[test]
fn a_misnamed_contract_file_does_not_hide_the_other_problems() {
    let l = base();
    let c = cases()
        .into_iter()
        .find(|c| c.fixture == "float-money.toml")
        .expect("case");
    place(&l, &c);
    l.write("contracts/bad name.toml", &l.read("contracts/f1.toml"));
    let r = l.run(&["check"]);
    assert_eq!(r.code, 5);
    assert!(
        r.stdout.contains("contracts/bad name.toml: "),
        "{}",
        r.stdout
    );
    assert!(
        reported(&r.stdout, &c),
        "the float money is not listed:\n{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("no contract `h1`"),
        "h1 exists:\n{}",
        r.stdout
    );
}

#[test]
fn a_stray_diary_directory_does_not_hide_the_week_problems() {
    let l = base();
    let c = cases()
        .into_iter()
        .find(|c| c.fixture == "overlapping-entries.toml")
        .expect("case");
    place(&l, &c);
    fs::create_dir_all(l.file("diary/notes")).expect("mkdir");
    let r = l.run(&["check"]);
    assert_eq!(r.code, 5);
    assert!(r.stdout.contains("diary/notes: "), "{}", r.stdout);
    assert!(
        reported(&r.stdout, &c),
        "the overlap is not listed:\n{}",
        r.stdout
    );
}

#[test]
fn a_week_file_naming_a_missing_contract_makes_the_week_invalid() {
    let l = base();
    let c = cases()
        .into_iter()
        .find(|c| c.fixture == "missing-contract.toml")
        .expect("case");
    place(&l, &c);
    let r = l.run(&["diary", "show", "--week", "2026-W47"]);
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(has_location(&r.stderr, &c.target, 2), "{}", r.stderr);
}
