//! Data out without surprises (issue 23): files safe to open, text within
//! its limits, every export option honoured or refused.

use crate::export::{LATER, cents, every_movement, money, read_by_both_tools, read_csv, tools};
use crate::harness::{Ledger, has_location};

/// A title of exactly 200 characters, many of them multi-byte, with what a
/// spreadsheet would run (`=`), a bidi override and isolate, a tab and C0
/// and C1 controls in it.
fn awkward_title() -> String {
    let head = "=HYPERLINK(\"x\") \u{202E}evil\u{202C} \u{2066}iso\u{2069} tab\there \u{7}\u{85} ";
    let n = head.chars().count();
    format!(
        "{head}{}",
        "日本語😀".chars().cycle().take(200 - n).collect::<String>()
    )
}

/// A name of exactly 100 characters starting with `start`, multi-byte, with
/// a bidi override in it.
fn awkward_name(start: &str) -> String {
    let head = format!("{start}Zoë \u{202E}Ïñ ");
    let n = head.chars().count();
    format!(
        "{head}{}",
        "é😀".chars().cycle().take(100 - n).collect::<String>()
    )
}

/// A ledger at the limits: a fixed contract whose title and names are as
/// long as allowed, with money released, a refund given back (negative in
/// CSV), a pending refund request (a deadline) and an hourly contract with
/// an entry whose memo starts with `@`.
fn at_the_limits() -> Ledger {
    let l = Ledger::new();
    let (title, client, freelancer) = (awkward_title(), awkward_name("+"), awkward_name("-"));
    assert_eq!(title.chars().count(), 200);
    assert_eq!(client.chars().count(), 100);
    // `--freelancer=-…`: a value that starts with `-` is joined to its flag.
    let freelancer_arg = format!("--freelancer={freelancer}");
    l.run_at(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "w1",
            "--title",
            &title,
            "--client",
            &client,
            &freelancer_arg,
            "--fixed",
            "500",
            "--milestone",
            "@Design=300",
            "--milestone",
            "Build=200",
        ],
    )
    .ok();
    l.run_at("2026-11-03T09:00:00Z", &["milestone", "approve", "w1"])
        .ok();
    l.run_at(
        "2026-11-04T09:00:00Z",
        &[
            "--as",
            "freelancer",
            "refund",
            "give",
            "w1",
            "--amount",
            "50",
        ],
    )
    .ok();
    l.run_at("2026-11-05T09:00:00Z", &["milestone", "fund", "w1"])
        .ok();
    l.run_at(
        "2026-11-17T09:00:00Z",
        &["refund", "request", "w1", "--amount", "20"],
    )
    .ok();
    l.run_at(
        "2026-11-02T09:00:00Z",
        &[
            "new",
            "--id",
            "h1",
            "--title=-1+1",
            "--client",
            &client,
            &freelancer_arg,
            "--hourly",
            "50",
        ],
    )
    .ok();
    l.run_at(
        "2026-11-18T12:00:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-16 09:00",
            "--to",
            "2026-11-16 10:00",
            "--memo",
            "@SUM(A1:A2)",
        ],
    )
    .ok();
    l
}

const NOW: &str = "2026-11-18T12:00:00Z";

fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\r')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn journals_at_the_limits_are_read_by_ledger_with_no_control_or_bidi_characters() {
    if !tools() {
        return;
    }
    let l = at_the_limits();
    let dir = tempfile::tempdir().unwrap();
    for role in ["client", "freelancer"] {
        let j = l
            .run_at(NOW, &["--as", role, "export", "hledger"])
            .ok()
            .stdout;
        assert!(j.contains("日本語😀"), "{j}");
        for line in j.lines() {
            assert!(line.len() <= 4096, "{} bytes: {line}", line.len());
            assert!(!line.chars().any(unsafe_char), "{role}: {line:?}");
        }
        let path = dir.path().join(format!("{role}.journal"));
        std::fs::write(&path, &j).unwrap();
        read_by_both_tools(path.to_str().unwrap());
        // Ledger itself reads every transaction: the journal balances to
        // zero and names the contract's accounts.
        let out = std::process::Command::new("ledger")
            .args([
                "-f",
                path.to_str().unwrap(),
                "reg",
                "--format",
                "%(account)\n",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let accounts = String::from_utf8_lossy(&out.stdout);
        let postings = j.lines().filter(|l| l.starts_with("    ")).count();
        assert_eq!(accounts.lines().count(), postings, "{accounts}");
    }
    let ics = l.run_at(NOW, &["export", "ics"]).ok().stdout;
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    assert!(!ics.chars().any(unsafe_char), "{ics:?}");
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains("日本語😀"), "{unfolded}");
}

#[test]
fn csv_text_cells_that_a_spreadsheet_would_run_are_prefixed_and_money_stays_numeric() {
    let l = at_the_limits();
    let title = awkward_title();
    let (client, freelancer) = (awkward_name("+"), awkward_name("-"));
    let (h, rows) = read_csv(
        &l.run_at(NOW, &["--as", "freelancer", "export", "csv", "contracts"])
            .ok()
            .stdout,
    );
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let w1 = rows.iter().find(|r| r[col("id")] == "w1").unwrap();
    assert_eq!(w1[col("title")], format!("'{title}"));
    assert_eq!(w1[col("client")], format!("'{client}"));
    assert_eq!(w1[col("freelancer")], format!("'{freelancer}"));
    let h1 = rows.iter().find(|r| r[col("id")] == "h1").unwrap();
    assert_eq!(h1[col("title")], "'-1+1");

    let (h, rows) = read_csv(
        &l.run_at(NOW, &["--as", "freelancer", "export", "csv", "payments"])
            .ok()
            .stdout,
    );
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let given = rows.iter().find(|r| r[col("movement")] == "given").unwrap();
    // A negative amount is a number, not a formula: no prefix.
    assert_eq!(given[col("amount")], "-50.00");
    assert!(given[col("fee")].starts_with('-') && given[col("net")].starts_with('-'));

    let (h, rows) = read_csv(&l.run_at(NOW, &["export", "csv", "diary"]).ok().stdout);
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    assert_eq!(rows[0][col("memo")], "'@SUM(A1:A2)");
    assert_eq!(rows[0][col("seconds")], "3600");
    // Every cell of every export: none starts with a character a
    // spreadsheet runs, unless it is a number.
    for what in ["contracts", "payments", "diary"] {
        let (_, rows) = read_csv(
            &l.run_at(NOW, &["--as", "freelancer", "export", "csv", what])
                .ok()
                .stdout,
        );
        for cell in rows.iter().flatten() {
            let runs = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            assert!(!runs || cell.parse::<f64>().is_ok(), "{what}: {cell:?}");
        }
    }
}

#[test]
fn titles_and_names_beyond_their_limits_are_refused_at_input_and_reported_by_check() {
    let l = Ledger::new();
    let long_title = "é".repeat(201);
    let long_name = "😀".repeat(101);
    let new = |title: &str, client: &str, extra: &[&str]| {
        let mut a = vec![
            "new",
            "--title",
            title,
            "--client",
            client,
            "--freelancer",
            "Ann",
            "--fixed",
            "500",
        ];
        a.extend_from_slice(extra);
        l.run(&a)
    };
    let r = new(&long_title, "Acme", &[]).code(2);
    assert!(r.stderr.contains("at most 200 characters"), "{}", r.stderr);
    let r = new("Shop", &long_name, &[]).code(2);
    assert!(r.stderr.contains("at most 100 characters"), "{}", r.stderr);
    let ms = format!("{long_title}=500");
    let r = new("Shop", "Acme", &["--milestone", &ms]).code(2);
    assert!(r.stderr.contains("at most 200 characters"), "{}", r.stderr);
    assert!(
        l.run(&["list", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    // At the limits: accepted.
    new(&"é".repeat(200), &"😀".repeat(100), &["--id", "f1"]).ok();
    let r = l
        .run(&[
            "milestone",
            "add",
            "f1",
            "--title",
            &long_title,
            "--amount",
            "10",
        ])
        .code(2);
    assert!(r.stderr.contains("at most 200 characters"), "{}", r.stderr);
    let r = l
        .run(&["party", "add", &long_name, "--key", "/nonexistent"])
        .code(2);
    assert!(r.stderr.contains("at most 100 characters"), "{}", r.stderr);
    l.run(&["check"]).ok();
    // A hand-edited file beyond the limits: `check` names each place.
    l.edit(
        "contracts/f1.toml",
        &format!("title = \"{}\"", "é".repeat(200)),
        &format!("title = \"{long_title}\""),
    );
    l.edit(
        "contracts/f1.toml",
        "freelancer = \"Ann\"",
        &format!("freelancer = \"{long_name}\""),
    );
    let text = l.read("contracts/f1.toml");
    let line_of = |key: &str| text.lines().position(|line| line.starts_with(key)).unwrap() + 1;
    let r = l.run(&["check"]).code(5);
    let report = format!("{}{}", r.stdout, r.stderr);
    assert!(
        has_location(&report, "contracts/f1.toml", line_of("title =")),
        "{report}"
    );
    assert!(
        has_location(&report, "contracts/f1.toml", line_of("freelancer =")),
        "{report}"
    );
    assert!(report.contains("a title is at most 200 characters; this one has 201"));
    assert!(report.contains("a name is at most 100 characters; this one has 101"));
}

/// An ended contract's diary is locked: `export ics` has no week-close
/// event for it, though its week still has time in review.
#[test]
fn ics_leaves_out_the_week_close_of_a_contract_whose_diary_is_locked() {
    let l = Ledger::new();
    l.hourly("h1");
    l.hourly("h2");
    for id in ["h1", "h2"] {
        l.run_at(
            "2026-11-17T12:00:00Z",
            &[
                "--as",
                "freelancer",
                "diary",
                "log",
                id,
                "--from",
                "2026-11-17 09:00",
                "--to",
                "2026-11-17 10:00",
                "--memo",
                "w",
            ],
        )
        .ok();
    }
    let uids = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix("UID:"))
            .map(str::to_string)
            .collect()
    };
    let before = l
        .run_at("2026-11-18T10:00:00Z", &["export", "ics"])
        .ok()
        .stdout;
    assert!(
        uids(&before).contains(&"h2-week-2026-W47-close@contracts".to_string()),
        "{before}"
    );
    l.run_at("2026-11-18T11:00:00Z", &["end", "h2", "--yes"])
        .ok();
    let after = l
        .run_at("2026-11-18T12:00:00Z", &["export", "ics"])
        .ok()
        .stdout;
    let after = uids(&after);
    assert!(
        after.contains(&"h1-week-2026-W47-close@contracts".to_string()),
        "{after:?}"
    );
    assert!(
        !after.iter().any(|u| u.starts_with("h2-week-")),
        "a locked diary has no week to close: {after:?}"
    );
}

/// Money columns of `export csv contracts` by contract id, in minor units.
fn csv_money(text: &str) -> std::collections::BTreeMap<String, Vec<(String, Option<i64>)>> {
    let (h, rows) = read_csv(text);
    rows.into_iter()
        .map(|r| {
            let cols = [
                "funded",
                "escrow",
                "paid",
                "fee",
                "net",
                "refunded",
                "held",
                "disputable",
            ]
            .iter()
            .map(|name| {
                let i = h.iter().position(|c| c == name).unwrap();
                let cell = &r[i];
                (name.to_string(), (!cell.is_empty()).then(|| cents(cell)))
            })
            .collect();
            (r[0].clone(), cols)
        })
        .collect()
}

/// `export csv contracts --from --to` gives the money of the period: the
/// months of a year add up to the lifetime figures, and a month with
/// nothing moving is all zero.
#[test]
fn csv_contracts_of_a_period_is_the_money_of_that_period() {
    let l = every_movement();
    for role in ["client", "freelancer"] {
        let whole = csv_money(
            &l.run_at(LATER, &["--as", role, "export", "csv", "contracts"])
                .ok()
                .stdout,
        );
        let months = [
            ("2026-10-01", "2026-10-31"),
            ("2026-11-01", "2026-11-30"),
            ("2026-12-01", "2026-12-31"),
        ];
        let mut summed: std::collections::BTreeMap<(String, String), i64> = Default::default();
        let mut per_month = Vec::new();
        for (from, to) in months {
            let m = csv_money(
                &l.run_at(
                    LATER,
                    &[
                        "--as",
                        role,
                        "export",
                        "csv",
                        "contracts",
                        "--from",
                        from,
                        "--to",
                        to,
                    ],
                )
                .ok()
                .stdout,
            );
            for (id, cols) in &m {
                for (name, v) in cols {
                    match name.as_str() {
                        // Standings now, not movements: empty for a period.
                        "held" | "disputable" => assert_eq!(*v, None, "{id} {name}"),
                        _ => {
                            *summed.entry((id.clone(), name.clone())).or_default() += v.unwrap_or(0)
                        }
                    }
                }
            }
            per_month.push(m);
        }
        for (id, cols) in &whole {
            for (name, v) in cols {
                if name == "held" || name == "disputable" {
                    continue;
                }
                assert_eq!(
                    summed[&(id.clone(), name.clone())],
                    v.unwrap_or(0),
                    "{role}: {id} {name}: the months add up to the whole"
                );
            }
        }
        // October is not the lifetime: f1's refund given back is in October,
        // h1's in November.
        let paid = |m: &std::collections::BTreeMap<String, Vec<(String, Option<i64>)>>,
                    id: &str| {
            m[id].iter().find(|(n, _)| n == "paid").unwrap().1.unwrap()
        };
        assert_ne!(paid(&per_month[0], "h1"), paid(&whole, "h1"), "{role}");
        assert!(per_month[2].values().flatten().all(|(n, v)| {
            matches!(n.as_str(), "held" | "disputable") || *v == Some(0) || v.is_none()
        }));
    }
}

/// An export takes no `--json` (it writes its own format): refused, not
/// ignored. Every form's `--from`, `--to` and ids are honoured.
#[test]
fn every_export_option_is_honoured_or_refused() {
    let l = every_movement();
    for form in [
        vec!["export", "hledger"],
        vec!["export", "csv", "contracts"],
        vec!["export", "csv", "payments"],
        vec!["export", "csv", "diary"],
        vec!["export", "ics"],
    ] {
        let mut a = vec!["--json"];
        a.extend(&form);
        let r = l.run_at(LATER, &a).code(2);
        assert!(
            r.json_err()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("--json")
        );
        // A period and ids narrow every form.
        let all = l.run_at(LATER, &form).ok().stdout;
        let mut narrowed = form.clone();
        narrowed.extend(["--from", "2026-11-01", "--to", "2026-11-30", "f2"]);
        let some = l.run_at(LATER, &narrowed).ok().stdout;
        assert!(!some.contains("h1"), "{form:?}: {some}");
        let mut bad = form.clone();
        bad.extend(["--from", "2026-13-01"]);
        l.run_at(LATER, &bad).code(2);
        let _ = all;
    }
}

/// One view of a contract's money: `show` (table and JSON), `list --json`
/// and `export csv contracts` say the same `held` (by an open refund
/// request or dispute) and `disputable` (invoiced weeks).
#[test]
fn show_list_and_csv_say_the_same_held_and_disputable() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run_at(
        "2026-11-16T09:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    l.hourly("h1");
    let log = |now: &str, from: &str, to: &str| {
        l.run_at(
            now,
            &[
                "--as",
                "freelancer",
                "diary",
                "log",
                "h1",
                "--from",
                from,
                "--to",
                to,
                "--memo",
                "w",
            ],
        )
        .ok();
    };
    // W45 is disputed (held); W46 was invoiced on Monday (disputable).
    log(
        "2026-11-04T12:00:00Z",
        "2026-11-04 09:00",
        "2026-11-04 11:00",
    );
    l.run_at(
        "2026-11-10T09:00:00Z",
        &[
            "diary", "dispute", "h1", "--week", "2026-W45", "--reason", "no",
        ],
    )
    .ok();
    // A dispute pauses the contract; the client resumes it.
    l.run_at("2026-11-10T10:00:00Z", &["resume", "h1"]).ok();
    log(
        "2026-11-11T12:00:00Z",
        "2026-11-11 09:00",
        "2026-11-11 12:00",
    );
    let now = "2026-11-18T10:00:00Z";
    let list = l.run_at(now, &["--json", "list"]).ok().json();
    let csv = csv_money(&l.run_at(now, &["export", "csv", "contracts"]).ok().stdout);
    for (id, held, disputable) in [("f1", 10_000, 0), ("h1", 10_000, 15_000)] {
        let show = l.run_at(now, &["--json", "show", id]).ok().json();
        assert_eq!(money(&show["held"]), held, "{id}: {show}");
        assert_eq!(money(&show["disputable"]), disputable, "{id}: {show}");
        let listed = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        assert_eq!(listed["held"], show["held"], "{id}");
        assert_eq!(listed["disputable"], show["disputable"], "{id}");
        let col = |name: &str| csv[id].iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(col("held"), Some(held), "{id}");
        assert_eq!(col("disputable"), Some(disputable), "{id}");
        assert_eq!(col("paid"), Some(money(&show["paid"])), "{id}");
    }
    let table = l.run_at(now, &["show", "h1"]).ok().stdout;
    assert!(
        table.contains("Invoiced (disputable)") && table.contains("150.00"),
        "{table}"
    );
    assert!(
        table.contains("Held by an open dispute") && table.contains("100.00"),
        "{table}"
    );
}

/// The balance queries the README documents for `export hledger`: each
/// line `hledger -f ROLE.journal bal ARGS...  # = [-]KEY`.
fn readme_queries() -> Vec<(String, Vec<String>, bool, String)> {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    readme
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("hledger -f ")?;
            let (cmd, key) = rest.split_once("# = ")?;
            let (file, args) = cmd.split_once(' ')?;
            let role = file.strip_suffix(".journal")?.to_string();
            let args = args.trim().strip_prefix("bal ")?;
            // Words, single quotes as the shell reads them.
            let mut words = Vec::new();
            let mut word = String::new();
            let mut quoted = false;
            for c in args.chars() {
                match c {
                    '\'' => quoted = !quoted,
                    c if c.is_whitespace() && !quoted => {
                        if !word.is_empty() {
                            words.push(std::mem::take(&mut word));
                        }
                    }
                    c => word.push(c),
                }
            }
            if !word.is_empty() {
                words.push(word);
            }
            let key = key.trim();
            let (neg, key) = match key.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, key),
            };
            Some((role, words, neg, key.to_string()))
        })
        .collect()
}

/// The README's `hledger bal 'tag:contract=^ID$'` queries, run as written
/// on a ledger with `c1` and `c10` (whose ids a bare `tag:contract=c1`
/// would confuse), agree with `contracts show` for each.
#[test]
fn the_readmes_hledger_queries_agree_with_show_for_c1_and_c10() {
    if !tools() {
        return;
    }
    let queries = readme_queries();
    assert_eq!(queries.len(), 6, "{queries:?}");
    assert!(
        queries
            .iter()
            .all(|(_, w, _, _)| w.iter().any(|a| a == "tag:contract=^ID$"))
    );
    let l = Ledger::new();
    let new = |id: &str, price: &str| {
        l.run_at(
            "2026-11-02T09:00:00Z",
            &[
                "new",
                "--id",
                id,
                "--title",
                "Shop",
                "--client",
                "Acme",
                "--freelancer",
                "Ann",
                "--fixed",
                price,
            ],
        )
        .ok();
    };
    new("c1", "500");
    new("c10", "800");
    l.run_at(
        "2026-11-03T09:00:00Z",
        &["milestone", "approve", "c1", "--amount", "200"],
    )
    .ok();
    l.run_at(
        "2026-11-04T09:00:00Z",
        &["milestone", "approve", "c10", "--amount", "300"],
    )
    .ok();
    l.run_at(
        "2026-11-05T09:00:00Z",
        &[
            "--as",
            "freelancer",
            "refund",
            "give",
            "c10",
            "--amount",
            "40",
        ],
    )
    .ok();
    l.run_at(
        "2026-11-06T09:00:00Z",
        &["end", "c1", "--pay", "none", "--yes"],
    )
    .ok();
    let dir = tempfile::tempdir().unwrap();
    for role in ["client", "freelancer"] {
        let j = l
            .run_at(LATER, &["--as", role, "export", "hledger"])
            .ok()
            .stdout;
        std::fs::write(dir.path().join(format!("{role}.journal")), j).unwrap();
    }
    let mut nonzero = 0;
    for id in ["c1", "c10"] {
        for (role, words, neg, key) in &queries {
            let show = l
                .run_at(LATER, &["--json", "--as", role, "show", id])
                .ok()
                .json();
            let args: Vec<String> = words.iter().map(|w| w.replace("ID", id)).collect();
            let out = std::process::Command::new("hledger")
                .current_dir(dir.path())
                .env("LANG", "C.UTF-8")
                .args(["-f", &format!("{role}.journal"), "bal", "-O", "csv", "-N"])
                .args(&args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let got: i64 = String::from_utf8_lossy(&out.stdout)
                .lines()
                .skip(1)
                .map(|l| {
                    let amount = l.rsplit(',').next().unwrap_or("").trim_matches('"');
                    cents(amount.trim_end_matches(" USD"))
                })
                .sum();
            let want = money(&show[key.as_str()]);
            assert_eq!(
                got,
                if *neg { -want } else { want },
                "{id}: hledger bal {args:?} is {key}"
            );
            if want != 0 {
                nonzero += 1;
            }
        }
    }
    assert!(nonzero >= 8, "the queries compare real money: {nonzero}");
}

/// `hledger bal` of a journal, as CSV (every account, with the total).
fn hledger_bal(path: &std::path::Path) -> String {
    let out = std::process::Command::new("hledger")
        .env("LANG", "C.UTF-8")
        .args(["-f", path.to_str().unwrap(), "bal", "-O", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A ledger through five months with every kind of movement — funding,
/// release, refund of escrow, settled hourly weeks, a week whose dispute is
/// accepted in the month after its invoice, a refund given back — each
/// month's journal exported just after the month ended, for each role.
/// Their concatenation balances as the journal of the whole does, and a
/// month's journal exported again at the end of the year is the same.
#[test]
fn monthly_journals_exported_after_each_month_add_up_to_the_whole() {
    if !tools() {
        return;
    }
    let l = Ledger::new();
    let roles = ["client", "freelancer"];
    let mut monthly: Vec<(String, String, [String; 2])> = Vec::new();
    let mut export_month = |from: &str, to: &str, now: &str| {
        let journals = roles.map(|role| {
            l.run_at(
                now,
                &[
                    "--as", role, "export", "hledger", "--from", from, "--to", to,
                ],
            )
            .ok()
            .stdout
        });
        monthly.push((from.to_string(), to.to_string(), journals));
    };
    let cl = |now: &str, args: &[&str]| {
        l.run_at(now, args).ok();
    };
    let fl = |now: &str, args: &[&str]| {
        let mut a = vec!["--as", "freelancer"];
        a.extend_from_slice(args);
        l.run_at(now, &a).ok();
    };
    let log = |now: &str, from: &str, to: &str| {
        fl(
            now,
            &[
                "diary", "log", "h1", "--from", from, "--to", to, "--memo", "w",
            ],
        );
    };
    // January: a fixed contract funded, its first milestone released; an
    // hourly contract.
    cl(
        "2026-01-05T09:00:00Z",
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
            "--milestone",
            "Design=300",
            "--milestone",
            "Build=200",
        ],
    );
    cl(
        "2026-01-05T09:00:00Z",
        &[
            "new",
            "--id",
            "h1",
            "--title",
            "Support",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
            "--hourly",
            "47.50",
            "--weekly-limit",
            "10",
        ],
    );
    cl("2026-01-20T09:00:00Z", &["milestone", "approve", "f1"]);
    export_month("2026-01-01", "2026-01-31", "2026-02-01T00:00:00Z");
    // February: the second milestone funded, a refund of escrow asked for
    // (approved by the system 7 days later), an hourly week settled.
    cl("2026-02-02T09:00:00Z", &["milestone", "fund", "f1"]);
    cl(
        "2026-02-10T09:00:00Z",
        &["refund", "request", "f1", "--amount", "50"],
    );
    log(
        "2026-02-10T18:00:00Z",
        "2026-02-10 09:00",
        "2026-02-10 12:20",
    );
    export_month("2026-02-01", "2026-02-28", "2026-03-01T00:00:00Z");
    // March: a refund given back; a week invoiced on March 30 and disputed
    // at once...
    fl(
        "2026-03-03T09:00:00Z",
        &["refund", "give", "f1", "--amount", "20"],
    );
    log(
        "2026-03-24T18:00:00Z",
        "2026-03-24 09:00",
        "2026-03-24 11:00",
    );
    cl(
        "2026-03-30T13:00:00Z",
        &[
            "diary", "dispute", "h1", "--week", "2026-W13", "--reason", "no",
        ],
    );
    export_month("2026-03-01", "2026-03-31", "2026-04-01T00:00:00Z");
    // April: ...and the dispute accepted (the week refunded); a week
    // invoiced on May 4 and settled on May 9.
    fl(
        "2026-04-02T09:00:00Z",
        &["diary", "dispute", "h1", "--week", "2026-W13", "--accept"],
    );
    cl("2026-04-02T10:00:00Z", &["resume", "h1"]);
    log(
        "2026-04-28T18:00:00Z",
        "2026-04-28 09:00",
        "2026-04-28 13:00",
    );
    export_month("2026-04-01", "2026-04-30", "2026-05-01T00:00:00Z");
    // May: the fixed contract ends, the rest of its escrow released.
    cl(
        "2026-05-20T09:00:00Z",
        &["end", "f1", "--pay", "full", "--yes"],
    );
    export_month("2026-05-01", "2026-05-31", "2026-06-01T00:00:00Z");

    let dir = tempfile::tempdir().unwrap();
    for (i, role) in roles.iter().enumerate() {
        let whole = l
            .run_at(LATER, &["--as", role, "export", "hledger"])
            .ok()
            .stdout;
        for kind in [
            "funding",
            "release",
            "refund",
            "week",
            "given",
            "week_charged",
            "week_refunded",
        ] {
            if *role == "client" {
                assert!(
                    whole.contains(&format!("movement:{kind}\n")),
                    "{kind}:\n{whole}"
                );
            }
        }
        // Each month: the same journal now as just after it ended.
        let mut joined = String::new();
        for (from, to, journals) in &monthly {
            let again = l
                .run_at(
                    LATER,
                    &[
                        "--as", role, "export", "hledger", "--from", from, "--to", to,
                    ],
                )
                .ok()
                .stdout;
            assert_eq!(
                journals[i], again,
                "{role} {from}..{to}: a closed period's export changed"
            );
            joined.push_str(&journals[i]);
            joined.push('\n');
        }
        let (whole_path, joined_path) = (
            dir.path().join(format!("{role}-whole.journal")),
            dir.path().join(format!("{role}-months.journal")),
        );
        std::fs::write(&whole_path, &whole).unwrap();
        std::fs::write(&joined_path, &joined).unwrap();
        let (w, j) = (hledger_bal(&whole_path), hledger_bal(&joined_path));
        assert_eq!(j, w, "{role}: the months add up to the whole");
        assert!(w.lines().count() > 3, "{w}");
        // Both tools read the concatenation.
        read_by_both_tools(joined_path.to_str().unwrap());
    }
}
