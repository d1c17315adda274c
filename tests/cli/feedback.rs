//! Double-blind feedback: give, end --stars, show, reply, summary; what each
//! role sees in every output; the window's and the reply's boundaries.

use crate::harness::{Ledger, Run};
use serde_json::Value;

const ENDED: &str = "2026-11-18T10:00:00Z";
const LAST_SECOND: &str = "2026-12-02T23:59:59Z";
const CLOSES: &str = "2026-12-03T00:00:00Z";
const AFTER_CLOSE: &str = "2026-12-03T00:00:01Z";

/// The client's public comment and private note; the freelancer's.
const C_PUBLIC: &str = "PUBLIC-FROM-CLIENT";
const C_PRIVATE: &str = "PRIVATE-FROM-CLIENT";
const F_PUBLIC: &str = "PUBLIC-FROM-FREELANCER";
const F_PRIVATE: &str = "PRIVATE-FROM-FREELANCER";

/// A ledger with fixed contract f1 ended (paid in full) at `ENDED`.
fn ended() -> Ledger {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.run(&["end", "f1", "--pay", "full", "--yes"]).ok();
    l
}

/// `feedback give` of the client's feedback on f1.
const GIVE_CLIENT: &[&str] = &[
    "--as",
    "client",
    "feedback",
    "give",
    "f1",
    "--stars",
    "5",
    "--quality",
    "4",
    "--comment",
    C_PUBLIC,
    "--private",
    C_PRIVATE,
];

fn give_client(l: &Ledger, now: &str) -> Run {
    l.run_at(now, GIVE_CLIENT)
}

/// `feedback give` of the freelancer's feedback on f1.
const GIVE_FREELANCER: &[&str] = &[
    "--as",
    "freelancer",
    "feedback",
    "give",
    "f1",
    "--stars",
    "3",
    "--communication",
    "2",
    "--comment",
    F_PUBLIC,
    "--private",
    F_PRIVATE,
];

fn give_freelancer(l: &Ledger, now: &str) -> Run {
    l.run_at(now, GIVE_FREELANCER)
}

/// Everything `role` can print about the ledger at `now`: every read
/// command, tables and JSON, plus a dry-run sweep.
fn everything(l: &Ledger, role: &str, now: &str) -> String {
    let forms: &[&[&str]] = &[
        &["show", "f1"],
        &["--json", "show", "f1"],
        &["list"],
        &["--json", "list"],
        &["log"],
        &["--json", "log", "f1"],
        &["feedback", "show", "f1"],
        &["--json", "feedback", "show", "f1"],
        &["feedback", "show"],
        &["--json", "feedback", "show"],
        &["feedback", "summary"],
        &["--json", "feedback", "summary"],
        &["--json", "sweep", "--dry-run"],
    ];
    let mut all = String::new();
    for f in forms {
        let mut args = vec!["--as", role];
        args.extend_from_slice(f);
        let r = l.run_at(now, &args).ok();
        all.push_str(&r.stdout);
        all.push_str(&r.stderr);
    }
    all
}

fn fb_json(l: &Ledger, role: &str, now: &str) -> Value {
    l.run_at(now, &["--as", role, "--json", "show", "f1"])
        .ok()
        .json()["feedback"]
        .clone()
}

#[test]
fn hidden_from_the_other_party_until_both_have_given() {
    let l = ended();
    let r = give_client(&l, ENDED).ok();
    assert!(r.stderr.contains("stays hidden from Ann"), "{}", r.stderr);

    // The search below is not vacuous: the author's outputs show both.
    let own = everything(&l, "client", ENDED);
    assert!(own.contains(C_PUBLIC) && own.contains(C_PRIVATE));
    // The freelancer sees that it was given, and nothing of it.
    let seen = everything(&l, "freelancer", ENDED);
    for secret in [C_PUBLIC, C_PRIVATE] {
        assert!(!seen.contains(secret), "{secret} leaked to the freelancer");
    }
    let fb = fb_json(&l, "freelancer", ENDED);
    assert_eq!(fb["client"]["status"], "submitted");
    assert_eq!(fb["client"]["hidden"], true);
    for key in ["stars", "comment", "scores", "private", "given_at"] {
        assert!(fb["client"].get(key).is_none(), "{key} shown: {fb}");
    }
    assert_eq!(fb["client"]["window_closes"], CLOSES);
    assert_eq!(fb["freelancer"]["status"], "pending");
    let r = l
        .run(&["--as", "freelancer", "feedback", "show", "f1"])
        .ok();
    assert!(
        r.stdout
            .contains("hidden until Thu 3 Dec 00:00 UTC or until you submit yours"),
        "{}",
        r.stdout
    );
    let r = l.run(&["--as", "freelancer", "show", "f1"]).ok();
    assert!(r.stdout.contains("hidden until Thu 3 Dec 00:00 UTC"));

    // The author sees all of their own, private note included.
    let fb = fb_json(&l, "client", ENDED);
    assert_eq!(fb["client"]["status"], "submitted");
    assert_eq!(fb["client"]["hidden"], false);
    assert_eq!(fb["client"]["stars"], 5);
    assert_eq!(fb["client"]["comment"], C_PUBLIC);
    assert_eq!(fb["client"]["private"], C_PRIVATE);
    assert_eq!(fb["client"]["scores"]["quality"], 4);
    let r = l.run(&["--as", "client", "feedback", "show", "f1"]).ok();
    assert!(r.stdout.contains(C_PUBLIC) && r.stdout.contains(C_PRIVATE));

    // The second give reveals both at once.
    let r = give_freelancer(&l, "2026-11-20T09:00:00Z").ok();
    assert!(!r.stdout.contains(C_PRIVATE) && !r.stderr.contains(C_PRIVATE));
    let r = l
        .run_at(
            "2026-11-20T09:00:00Z",
            &["--as", "freelancer", "--json", "log", "f1"],
        )
        .ok();
    let events: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert!(events.ends_with(&["feedback_given".into(), "feedback_revealed".into()]));

    let now = "2026-11-20T09:00:00Z";
    for (role, own_private, other_public, other_private) in [
        ("client", C_PRIVATE, F_PUBLIC, F_PRIVATE),
        ("freelancer", F_PRIVATE, C_PUBLIC, C_PRIVATE),
    ] {
        let fb = fb_json(&l, role, now);
        for author in ["client", "freelancer"] {
            assert_eq!(fb[author]["status"], "revealed");
            assert_eq!(fb[author]["hidden"], false);
        }
        let seen = everything(&l, role, now);
        assert!(
            seen.contains(other_public),
            "{role} sees the other's comment"
        );
        assert!(
            !seen.contains(other_private),
            "{other_private} leaked to the {role}"
        );
        let r = l
            .run_at(now, &["--as", role, "feedback", "show", "f1"])
            .ok();
        assert!(r.stdout.contains(own_private), "{}", r.stdout);
    }
    let fb = fb_json(&l, "client", now);
    assert_eq!(fb["freelancer"]["stars"], 3);
    assert_eq!(fb["freelancer"]["scores"]["communication"], 2);
    assert!(fb["freelancer"].get("private").is_none());
    assert_eq!(fb["client"]["private"], C_PRIVATE);
}

#[test]
fn history_says_who_gave_feedback_never_what() {
    let l = ended();
    give_client(&l, ENDED).ok();
    let log = l.run(&["--as", "freelancer", "log", "f1"]).ok().stdout;
    assert!(log.contains("client gave feedback"), "{log}");
    let text = l.read("contracts/f1.toml");
    let history = &text[text.find("[[history]]").unwrap()..];
    for leak in [C_PUBLIC, C_PRIVATE, "star", "quality"] {
        assert!(!history.contains(leak), "{leak} in history:\n{history}");
    }
}

#[test]
fn the_window_closes_at_midnight_after_the_14th_day() {
    let l = ended();
    give_client(&l, ENDED).ok();

    // One second before the close: still hidden, still open.
    let fb = fb_json(&l, "freelancer", LAST_SECOND);
    assert_eq!(fb["client"]["hidden"], true);
    assert!(!everything(&l, "freelancer", LAST_SECOND).contains(C_PUBLIC));

    // At the instant: revealed, the missing one expired, no more giving.
    let before = l.snapshot();
    let r = l.refused_for(CLOSES, GIVE_FREELANCER, "feedback_closed");
    assert!(
        r.stderr
            .contains("the feedback window of f1 closed on Thu 3 Dec 00:00 UTC"),
        "{}",
        r.stderr
    );
    assert_eq!(l.snapshot(), before, "a refusal writes nothing");
    l.refused_for(AFTER_CLOSE, GIVE_FREELANCER, "feedback_closed");
    let fb = fb_json(&l, "freelancer", CLOSES);
    assert_eq!(fb["client"]["status"], "revealed");
    assert_eq!(fb["client"]["stars"], 5);
    assert!(fb["client"].get("private").is_none());
    assert_eq!(fb["freelancer"]["status"], "expired");
    assert!(!everything(&l, "freelancer", CLOSES).contains(C_PRIVATE));

    // Recorded at the instant the window closed, by the system.
    let r = l.run_at("2026-12-10T12:00:00Z", &["--json", "sweep"]).ok();
    let doc = r.json();
    let ev = &doc["events"][0];
    assert_eq!(ev["event"], "feedback_window_closed");
    assert_eq!(ev["actor"], "system");
    assert_eq!(ev["at"], CLOSES);
    assert!(l.read("contracts/f1.toml").contains("status = \"expired\""));
}

#[test]
fn giving_in_the_last_second_is_allowed() {
    let l = ended();
    let r = give_freelancer(&l, LAST_SECOND).ok();
    assert!(r.stdout.contains("feedback_given"), "{}", r.stdout);
    let fb = fb_json(&l, "freelancer", LAST_SECOND);
    assert_eq!(fb["freelancer"]["status"], "submitted");
    assert_eq!(fb["freelancer"]["given_at"], LAST_SECOND);
}

#[test]
fn once_only_not_before_the_end_and_stars_in_range() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.refused_for(ENDED, GIVE_CLIENT, "feedback_before_end");
    l.run(&["end", "f1", "--pay", "full", "--yes"]).ok();
    give_client(&l, ENDED).ok();
    let before = l.snapshot();
    l.refused_for("2026-11-19T10:00:00Z", GIVE_CLIENT, "already_gave");
    for bad in [
        &["feedback", "give", "f1", "--stars", "0"][..],
        &["feedback", "give", "f1", "--stars", "6"],
        &["feedback", "give", "f1", "--stars", "4", "--quality", "6"],
        &["feedback", "give", "f1"],
        &["end", "f1", "--stars", "9", "--yes"],
    ] {
        l.run(&[&["--as", "freelancer"], bad].concat()).code(2);
    }
    l.run(&[
        "--as",
        "freelancer",
        "feedback",
        "give",
        "nope",
        "--stars",
        "4",
    ])
    .code(3);
    let r = l
        .run(&[
            "--as",
            "freelancer",
            "--json",
            "feedback",
            "give",
            "f1",
            "--stars",
            "9",
        ])
        .code(2);
    assert_eq!(r.json_err()["error"]["exit_code"], 2);
    assert_eq!(l.snapshot(), before);
}

#[test]
fn end_with_stars_gives_feedback_in_the_same_write() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    // refused end: nothing written, no feedback either
    let before = l.snapshot();
    l.run(&["--json", "end", "f1", "--stars", "5", "--yes"])
        .refused_for("pay_needed");
    l.run(&[
        "--dry-run",
        "end",
        "f1",
        "--pay",
        "full",
        "--stars",
        "5",
        "--yes",
    ])
    .ok();
    assert_eq!(l.snapshot(), before);

    let r = l
        .run(&[
            "--json",
            "end",
            "f1",
            "--pay",
            "full",
            "--yes",
            "--stars",
            "4",
            "--comment",
            C_PUBLIC,
            "--private",
            C_PRIVATE,
        ])
        .ok();
    let doc = r.json();
    let evs: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(evs, ["ended", "released", "feedback_given"]);
    assert_eq!(doc["contract"]["status"], "ended");
    assert_eq!(doc["contract"]["feedback"]["client"]["status"], "submitted");
    assert_eq!(doc["contract"]["feedback"]["client"]["stars"], 4);
    assert_eq!(doc["contract"]["feedback"]["client"]["private"], C_PRIVATE);
    let text = l.read("contracts/f1.toml");
    assert!(text.contains("stars = 4") && text.contains("status = \"ended\""));
    assert!(!everything(&l, "freelancer", ENDED).contains(C_PUBLIC));
    // the freelancer ending an hourly contract with stars
    l.hourly("h1");
    let r = l
        .run(&[
            "--as",
            "freelancer",
            "--json",
            "end",
            "h1",
            "--yes",
            "--stars",
            "2",
        ])
        .ok();
    assert_eq!(r.json()["contract"]["feedback"]["freelancer"]["stars"], 2);
    // --comment without --stars is a usage error
    l.hourly("h2");
    l.run(&["end", "h2", "--yes", "--comment", "x"]).code(2);
}

#[test]
fn reply_by_the_recipient_once_after_reveal_within_28_days() {
    let l = ended();
    give_client(&l, ENDED).ok();
    let reply = |role: &str, now: &str, text: &str| {
        l.run_at(
            now,
            &["--as", role, "feedback", "reply", "f1", "--text", text],
        )
    };
    let refused = |role: &str, now: &str, text: &str, reason: &str| {
        l.refused_for(
            now,
            &["--as", role, "feedback", "reply", "f1", "--text", text],
            reason,
        )
    };
    // hidden from the freelancer: nothing to reply to yet
    let r = refused(
        "freelancer",
        "2026-11-19T10:00:00Z",
        "early",
        "nothing_to_reply",
    );
    assert!(
        r.stderr.contains("hidden until Thu 3 Dec 00:00 UTC"),
        "{}",
        r.stderr
    );
    // the client is not the recipient of their own feedback; the
    // freelancer's (which the client would answer) is not given
    let r = refused("client", "2026-11-19T10:00:00Z", "self", "nothing_to_reply");
    assert!(
        r.stderr.contains("freelancer has not given feedback"),
        "{}",
        r.stderr
    );

    // at the 28-day mark (inclusive) after the reveal at the window's close
    let before = l.snapshot();
    let r = refused("freelancer", "2026-12-16T10:00:01Z", "late", "reply_closed");
    assert!(
        r.stderr.contains("until Wed 16 Dec 10:00 UTC"),
        "{}",
        r.stderr
    );
    assert_eq!(l.snapshot(), before);
    reply("freelancer", "2026-12-16T10:00:00Z", "Thank you").ok();
    refused(
        "freelancer",
        "2026-12-16T10:00:00Z",
        "again",
        "already_replied",
    );
    // the freelancer's feedback expired: the client has nothing to reply to
    refused("client", "2026-12-10T00:00:00Z", "x", "before_latest");
    // both see the reply
    for role in ["client", "freelancer"] {
        let fb = fb_json(&l, role, "2026-12-16T10:00:00Z");
        assert_eq!(fb["client"]["reply"], "Thank you");
        assert_eq!(fb["client"]["replied_at"], "2026-12-16T10:00:00Z");
    }
}

#[test]
fn reply_right_after_both_gave() {
    let l = ended();
    give_client(&l, ENDED).ok();
    give_freelancer(&l, "2026-11-19T10:00:00Z").ok();
    let r = l
        .run_at(
            "2026-11-19T11:00:00Z",
            &[
                "--as", "client", "--json", "feedback", "reply", "f1", "--text", "Noted",
            ],
        )
        .ok();
    let doc = r.json();
    assert_eq!(doc["contract"]["feedback"]["freelancer"]["reply"], "Noted");
    assert_eq!(doc["events"][0]["event"], "feedback_replied");
    assert_eq!(doc["events"][0]["actor"], "client");
}

#[test]
fn show_without_id_lists_what_is_still_to_give_with_days_left() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.fixed("f2", "500");
    l.hourly("h1");
    l.run(&["end", "f1", "--pay", "full", "--yes"]).ok();
    l.run_at(
        "2026-11-20T15:00:00Z",
        &["end", "f2", "--pay", "full", "--yes"],
    )
    .ok();
    let now = "2026-11-25T12:00:00Z";
    let r = l.run_at(now, &["feedback", "show"]).ok();
    assert!(
        r.stdout.contains("f1") && r.stdout.contains("f2"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("h1"),
        "active contracts have no feedback yet"
    );
    let doc = l.run_at(now, &["--json", "feedback", "show"]).ok().json();
    let rows = doc["to_give"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "f1");
    assert_eq!(rows[0]["window_closes"], CLOSES);
    assert_eq!(rows[0]["days_left"], 8);
    assert_eq!(rows[1]["id"], "f2");
    assert_eq!(rows[1]["window_closes"], "2026-12-05T00:00:00Z");
    assert_eq!(rows[1]["days_left"], 10);
    assert_eq!(rows[0]["other_party"], "Ann");

    // once given, it is off the client's list but on the freelancer's
    give_client(&l, now).ok();
    let doc = l.run_at(now, &["--json", "feedback", "show"]).ok().json();
    assert_eq!(doc["to_give"].as_array().unwrap().len(), 1);
    let doc = l
        .run_at(now, &["--as", "freelancer", "--json", "feedback", "show"])
        .ok()
        .json();
    assert_eq!(doc["to_give"][0]["other_status"], "submitted");
    // after the windows closed, nothing is left
    let r = l.run_at("2026-12-06T00:00:00Z", &["feedback", "show"]).ok();
    assert!(r.stdout.contains("no feedback to give"), "{}", r.stdout);
}

#[test]
fn summary_averages_revealed_feedback_per_party() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.fixed("f2", "500");
    l.fixed("f3", "500");
    for id in ["f1", "f2", "f3"] {
        l.run(&["end", id, "--pay", "full", "--yes"]).ok();
    }
    let give = |id: &str, stars: &str, quality: &str| {
        l.run(&[
            "feedback",
            "give",
            id,
            "--stars",
            stars,
            "--quality",
            quality,
        ])
        .ok();
    };
    give("f1", "5", "4");
    give("f2", "4", "3");
    give("f3", "1", "1");
    // f1 and f2 revealed by the freelancer's feedback; f3 stays hidden
    for id in ["f1", "f2"] {
        l.run(&["--as", "freelancer", "feedback", "give", id, "--stars", "5"])
            .ok();
    }
    for role in ["client", "freelancer"] {
        let doc = l
            .run(&[
                "--as", role, "--json", "feedback", "summary", "--party", "Ann",
            ])
            .ok()
            .json();
        let p = &doc["parties"][0];
        assert_eq!(p["party"], "Ann");
        assert_eq!(p["as"], "freelancer");
        assert_eq!(p["feedback_count"], 2);
        assert_eq!(p["average_stars"], 4.5);
        assert_eq!(p["average_scores"]["quality"], 3.5);
        assert_eq!(p["average_scores"]["skills"], Value::Null);
    }
    let r = l.run(&["feedback", "summary"]).ok();
    assert!(
        r.stdout.contains("4.50") && r.stdout.contains("Acme"),
        "{}",
        r.stdout
    );
    l.run(&["feedback", "summary", "--party", "Nobody"]).code(3);
    // at the window's close f3 counts too
    let doc = l
        .run_at(CLOSES, &["--json", "feedback", "summary", "--party", "Ann"])
        .ok()
        .json();
    assert_eq!(doc["parties"][0]["feedback_count"], 3);
}

#[test]
fn feedback_text_is_printed_with_control_characters_escaped() {
    let l = ended();
    l.run(&[
        "feedback",
        "give",
        "f1",
        "--stars",
        "4",
        "--comment",
        "red\u{1b}[31m alert",
        "--private",
        "bell\u{7}",
    ])
    .ok();
    for args in [
        &["feedback", "show", "f1"][..],
        &["show", "f1"],
        &["feedback", "show"],
    ] {
        let r = l.run(args).ok();
        assert!(!r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'));
    }
    let r = l.run(&["feedback", "show", "f1"]).ok();
    assert!(r.stdout.contains("red\\u{1b}[31m alert"), "{}", r.stdout);
}

#[test]
fn show_of_a_contract_not_ended() {
    let l = Ledger::new();
    l.hourly("h1");
    let r = l.run(&["feedback", "show", "h1"]).ok();
    assert!(r.stdout.contains("feedback opens when the contract ends"));
    l.run(&["feedback", "show", "zz"]).code(3);
    l.run(&["--json", "feedback", "reply", "h1", "--text", "x"])
        .refused_for("feedback_before_end");
}

/// The tables of `feedback show` as each side sees them: the client, who
/// gave, sees theirs with the private note and the freelancer's still to
/// come; the freelancer sees the client's hidden and what is left to give.
/// After both gave and the freelancer replied, everything is shown.
#[test]
fn feedback_show_tables() {
    let l = ended();
    give_client(&l, "2026-11-20T09:00:00Z").ok();
    let at = "2026-11-21T09:00:00Z";
    let t = l
        .run_at(at, &["--as", "client", "feedback", "show", "f1"])
        .ok()
        .stdout;
    insta::assert_snapshot!("feedback_show_client_gave", t);
    let t = l
        .run_at(at, &["--as", "freelancer", "feedback", "show", "f1"])
        .ok()
        .stdout;
    insta::assert_snapshot!("feedback_show_freelancer_to_give", t);
    let t = l
        .run_at(at, &["--as", "freelancer", "feedback", "show"])
        .ok()
        .stdout;
    insta::assert_snapshot!("feedback_to_give_freelancer", t);
    give_freelancer(&l, "2026-11-22T09:00:00Z").ok();
    l.run_at(
        "2026-11-23T09:00:00Z",
        &[
            "--as",
            "freelancer",
            "feedback",
            "reply",
            "f1",
            "--text",
            "Thanks",
        ],
    )
    .ok();
    let t = l
        .run_at(
            "2026-11-24T09:00:00Z",
            &["--as", "freelancer", "feedback", "show", "f1"],
        )
        .ok()
        .stdout;
    insta::assert_snapshot!("feedback_show_both_gave", t);
}
