//! The shape of every `--json` document — its keys in their order and the
//! type of each value — held by a snapshot, so that a key cannot be dropped,
//! renamed or moved without the change being seen (SPEC §3: stable keys).

use crate::harness::Ledger;
use serde_json::Value;

/// `{ key: type, ... }` with nested objects and the first element of arrays.
fn shape(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    match v {
        Value::Object(m) => {
            out.push_str("{\n");
            for (k, v) in m {
                out.push_str(&format!("{pad}  {k}: "));
                shape(v, indent + 1, out);
                out.push('\n');
            }
            out.push_str(&format!("{pad}}}"));
        }
        Value::Array(a) => match a.first() {
            Some(first) => {
                out.push('[');
                shape(first, indent, out);
                out.push(']');
            }
            None => out.push_str("[]"),
        },
        Value::String(_) => out.push_str("string"),
        Value::Number(_) => out.push_str("number"),
        Value::Bool(_) => out.push_str("bool"),
        Value::Null => out.push_str("null"),
    }
}

fn doc_shape(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let mut out = String::new();
    shape(&v, 0, &mut out);
    out
}

/// A ledger with a bit of everything: a fixed contract with a refund in
/// dispute and one ended with feedback, an hourly contract with a settled
/// week, a running timer.
fn ledger() -> Ledger {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.fixed("f2", "300");
    l.hourly("h1");
    let fl = |now: &str, args: &[&str]| {
        let mut a = vec!["--as", "freelancer"];
        a.extend_from_slice(args);
        l.run_at(now, &a).ok();
    };
    l.run_at(
        "2026-11-10T10:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    fl(
        "2026-11-10T11:00:00Z",
        &["refund", "dispute", "f1", "--note", "done"],
    );
    fl(
        "2026-11-04T12:00:00Z",
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-04 09:00",
            "--to",
            "2026-11-04 11:30",
            "--memo",
            "w",
        ],
    );
    l.run_at(
        "2026-11-16T09:00:00Z",
        &[
            "end",
            "f2",
            "--pay",
            "full",
            "--yes",
            "--stars",
            "4",
            "--comment",
            "ok",
        ],
    )
    .ok();
    fl(
        "2026-11-18T09:00:00Z",
        &["diary", "start", "h1", "--memo", "t"],
    );
    l
}

#[test]
fn every_json_document_keeps_its_shape() {
    let l = ledger();
    let now = "2026-11-18T10:00:00Z";
    let docs: Vec<(&str, Vec<&str>)> = vec![
        ("show fixed (client)", vec!["show", "f1"]),
        (
            "show hourly (freelancer)",
            vec!["--as", "freelancer", "show", "h1"],
        ),
        ("list", vec!["list"]),
        ("log", vec!["log", "f1"]),
        (
            "diary show (freelancer)",
            vec!["--as", "freelancer", "diary", "show", "--week", "2026-W45"],
        ),
        ("milestone list", vec!["milestone", "list", "f1"]),
        ("refund list", vec!["refund", "list"]),
        ("feedback show", vec!["feedback", "show", "f2"]),
        (
            "feedback to give",
            vec!["--as", "freelancer", "feedback", "show"],
        ),
        ("feedback summary", vec!["feedback", "summary"]),
        ("check", vec!["check"]),
        (
            "end (dry run)",
            vec!["--dry-run", "end", "f1", "--pay", "none", "--yes"],
        ),
        (
            "diary stop (dry run)",
            vec!["--dry-run", "--as", "freelancer", "diary", "stop", "h1"],
        ),
        ("sweep (dry run)", vec!["--dry-run", "sweep"]),
    ];
    let mut all = String::new();
    for (name, args) in docs {
        let mut a = vec!["--json"];
        a.extend(args);
        let r = l.run_at(now, &a).ok();
        all.push_str(&format!("== {name}\n{}\n", doc_shape(&r.stdout)));
    }
    // An error, on stderr.
    let r = l.run_at(now, &["--json", "show", "nope"]).code(3);
    all.push_str(&format!("== error\n{}\n", doc_shape(r.stderr.trim())));
    // A refusal, on stderr: its reason named.
    let r = l
        .run_at(now, &["--json", "--as", "client", "diary", "start", "h1"])
        .code(4);
    all.push_str(&format!("== refusal\n{}\n", doc_shape(r.stderr.trim())));
    insta::assert_snapshot!("json_shapes", all);
}
