//! Mutation fuzzing on stable Rust: property tests that break valid ledger
//! files (bytes, lines, values) and load them, through the library and
//! through the binary: never a panic, always exit 0 or 5, nothing written on
//! 5; and every file that loads round-trips parse -> serialise -> parse to
//! the same value (and the tool's own files to the same bytes).
//!
//! A few hundred cases by default; `CONTRACTS_FUZZ_CASES=N` for more.

use crate::corpus::base;
use crate::harness::Ledger;
use crate::reliability::{copy_of, is_temp};
use contracts::core::Currency;
use contracts::core::model::ContractId;
use contracts::core::week::Week;
use contracts::store::located::Source;
use contracts::store::{Access, Store, StoreError, codec, merge, tree};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn cases(default: u32) -> u32 {
    crate::reliability::env_number("CONTRACTS_FUZZ_CASES").unwrap_or(default)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    }
}

/// A valid ledger using most of the format: milestones, payments, refunds
/// and their disputes, feedback, limit changes, week files; plus a
/// hand-edited contract with comments and its own layout.
fn seed() -> Ledger {
    let l = base();
    for args in [
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "Checkout",
            "--amount",
            "200",
        ][..],
        &["--as", "freelancer", "milestone", "submit", "f1"],
        &["milestone", "approve", "f1", "--amount", "300"],
        // The rest carried to milestone 2: funding it makes it refundable.
        &["milestone", "fund", "f1"],
        &["refund", "request", "f1", "--amount", "100"],
        &[
            "--as",
            "freelancer",
            "refund",
            "dispute",
            "f1",
            "--note",
            "work delivered",
        ],
        &[
            "feedback",
            "give",
            "e1",
            "--stars",
            "4",
            "--comment",
            "ok \"quoted\" ünï",
        ],
        &[
            "--as",
            "freelancer",
            "feedback",
            "give",
            "e1",
            "--stars",
            "5",
            "--private",
            "p",
        ],
        &["limit", "h1", "5"],
        &["limit", "h1", "20"],
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-17T09:00:00Z",
            "--to",
            "2026-11-17T10:15:00Z",
            "--memo",
            "tab\there",
        ],
    ] {
        l.run(args).ok();
    }
    let hand = "# A contract edited by hand.\nversion = 1\nid = \"hand\"\ntitle = 'Shop'   # literal string\nclient=\"Acme\"\nfreelancer = \"Ann\"\nkind = \"fixed\"\nprice = \"250.00\"\nstatus = \"active\"\nstarted_at = 2026-11-02T10:00:00+01:00\n\n[[milestones]] # the only one\ntitle = \"All\"\namount = \"250.00\"\nstatus = \"funded\"\nfunded = \"250.00\"\nfunded_at = 2026-11-02T09:00:00Z\n";
    l.write("contracts/hand.toml", hand);
    let r = l.run(&["check"]);
    assert_eq!(r.code, 0, "seed ledger invalid:\n{}", r.stdout);
    l
}

/// The seed's files, by path relative to the ledger.
fn files(l: &Ledger) -> Vec<(String, Vec<u8>)> {
    l.snapshot()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".toml") && !is_temp(p))
        .collect()
}

// ------------------------------------------------------------ mutations

/// Values that go where a value was.
const VALUES: &[&str] = &[
    "\"\"",
    "\"-1.00\"",
    "1.5",
    "-0",
    "nan",
    "inf",
    "99999999999999999999",
    "\"1e9\"",
    "\"0.001\"",
    "\"99999999999999.99\"",
    "\"92233720368547758.07\"",
    "2026-11-18T10:00:00",
    "2026-11-18",
    "10:00:00",
    "1979-05-27T07:32:00-08:00",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "true",
    "[]",
    "{}",
    "[1, \"a\"]",
    "{ a = 1 }",
    "\"💥\"",
    "\"\\u001b[31m\"",
    "\"c1\"",
    "\"h1\"",
    "\"2026-W99\"",
    "\"2026-W47\"",
    "\"ended\"",
    "\"refunded\"",
    "\"hourly\"",
    "\"fixed\"",
    "'''multi\nline'''",
    "\"a\\\"b\"",
    "0",
    "1",
    "-1",
    "2",
    "4294967296",
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipByte(usize, u8),
    InsertByte(usize, u8),
    DeleteRange(usize, usize),
    Truncate(usize),
    DuplicateRange(usize, usize),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    SpliceLine(usize, usize, usize),
    ReplaceValue(usize, usize),
    ReplaceKey(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<usize>();
    prop_oneof![
        (i, any::<u8>()).prop_map(|(a, b)| Mutation::FlipByte(a, b)),
        (i, any::<u8>()).prop_map(|(a, b)| Mutation::InsertByte(a, b)),
        (i, 1usize..40).prop_map(|(a, b)| Mutation::DeleteRange(a, b)),
        i.prop_map(Mutation::Truncate),
        (i, 1usize..60).prop_map(|(a, b)| Mutation::DuplicateRange(a, b)),
        i.prop_map(Mutation::DeleteLine),
        i.prop_map(Mutation::DuplicateLine),
        (i, i).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (i, i, i).prop_map(|(a, b, c)| Mutation::SpliceLine(a, b, c)),
        (i, i).prop_map(|(a, b)| Mutation::ReplaceValue(a, b)),
        (i, i).prop_map(|(a, b)| Mutation::ReplaceKey(a, b)),
    ]
}

fn lines_of(b: &[u8]) -> Vec<Vec<u8>> {
    b.split_inclusive(|c| *c == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

fn apply(m: &Mutation, text: &mut Vec<u8>, all: &[(String, Vec<u8>)]) {
    let n = text.len().max(1);
    match *m {
        Mutation::FlipByte(i, b) => {
            if !text.is_empty() {
                text[i % n] = b;
            }
        }
        Mutation::InsertByte(i, b) => text.insert(i % (text.len() + 1), b),
        Mutation::DeleteRange(i, len) => {
            let s = i % n;
            let e = (s + len).min(text.len());
            text.drain(s.min(e)..e);
        }
        Mutation::Truncate(i) => text.truncate(i % n),
        Mutation::DuplicateRange(i, len) => {
            let s = i % n;
            let e = (s + len).min(text.len());
            let part = text[s.min(e)..e].to_vec();
            text.splice(e..e, part);
        }
        Mutation::DeleteLine(i)
        | Mutation::DuplicateLine(i)
        | Mutation::SwapLines(i, _)
        | Mutation::SpliceLine(i, _, _)
        | Mutation::ReplaceValue(i, _)
        | Mutation::ReplaceKey(i, _) => {
            let mut lines = lines_of(text);
            if lines.is_empty() {
                return;
            }
            let k = i % lines.len();
            match *m {
                Mutation::DeleteLine(_) => {
                    lines.remove(k);
                }
                Mutation::DuplicateLine(_) => {
                    let l = lines[k].clone();
                    lines.insert(k, l);
                }
                Mutation::SwapLines(_, j) => {
                    let j = j % lines.len();
                    lines.swap(k, j);
                }
                Mutation::SpliceLine(_, f, j) => {
                    let other = lines_of(&all[f % all.len()].1);
                    if !other.is_empty() {
                        lines.insert(k, other[j % other.len()].clone());
                    }
                }
                Mutation::ReplaceValue(_, v) => {
                    let l = String::from_utf8_lossy(&lines[k]).into_owned();
                    if let Some((key, _)) = l.split_once(" = ") {
                        lines[k] = format!("{key} = {}\n", VALUES[v % VALUES.len()]).into_bytes();
                    }
                }
                Mutation::ReplaceKey(_, j) => {
                    // Another key of the same file, keeping the value.
                    let l = String::from_utf8_lossy(&lines[k]).into_owned();
                    let keys: Vec<String> = lines
                        .iter()
                        .filter_map(|x| {
                            String::from_utf8_lossy(x)
                                .split_once(" = ")
                                .map(|(a, _)| a.to_string())
                        })
                        .collect();
                    if let (Some((_, val)), false) = (l.split_once(" = "), keys.is_empty()) {
                        lines[k] = format!("{} = {val}", keys[j % keys.len()]).into_bytes();
                    }
                }
                _ => unreachable!(),
            }
            *text = lines.concat();
        }
    }
}

// ------------------------------------------------------------ loading through the library

/// What a file loaded as.
#[derive(Debug)]
enum Loaded {
    Settings,
    Contract(Box<contracts::core::model::Contract>),
    Week(contracts::core::diary::WeekFile),
}

/// Loads the file `rel` of the ledger in `root` the way commands do.
fn load(root: &Path, rel: &str) -> Result<Loaded, StoreError> {
    let store = Store::open(root, Access::Read, Duration::from_secs(5))?;
    let parts: Vec<&str> = rel.trim_end_matches(".toml").split('/').collect();
    match parts.as_slice() {
        ["ledger"] => Ok(Loaded::Settings),
        ["contracts", id] => {
            let id = ContractId::parse(id).expect("seed id");
            Ok(Loaded::Contract(Box::new(store.contract(&id)?.value)))
        }
        ["diary", week, id] => {
            let id = ContractId::parse(id).expect("seed id");
            let week: Week = week.parse().expect("seed week");
            let contract = match store.contract(&id) {
                Ok(d) => Some(d.value),
                Err(_) => None,
            };
            let w = store
                .week_for_check(week, &id, contract.as_ref())?
                .expect("week file");
            Ok(Loaded::Week(w.value))
        }
        _ => panic!("unexpected file {rel}"),
    }
}

fn usd() -> Currency {
    Currency::from_code("USD").expect("USD")
}

fn parse_contract(text: &str) -> contracts::core::model::Contract {
    let doc = tree::parse(text).expect("serialised text parses");
    let src = Source {
        file: "x.toml",
        text,
    };
    let mut cx = codec::Cx::new(&src, Some(usd()));
    let c = codec::read_contract(&mut cx, &doc);
    assert!(cx.problems.is_empty(), "{:?}\n{text}", cx.problems);
    c.expect("contract")
}

fn parse_week(text: &str) -> contracts::core::diary::WeekFile {
    let doc = tree::parse(text).expect("serialised text parses");
    let src = Source {
        file: "x.toml",
        text,
    };
    let mut cx = codec::Cx::new(&src, Some(usd()));
    let w = codec::read_week(&mut cx, &doc);
    assert!(cx.problems.is_empty(), "{:?}\n{text}", cx.problems);
    w.expect("week")
}

/// Serialises a loaded value (canonical form) and, merged into `old`, the
/// format-preserving rewrite; asserts both parse back to the same value and
/// that the rewrite is a fixpoint.
fn round_trip(loaded: &Loaded, old: &str) -> Option<String> {
    let (canonical, table) = match loaded {
        Loaded::Settings => return None,
        Loaded::Contract(c) => {
            let t = codec::write_contract(c, &usd()).unwrap();
            let text = merge::render_new(t.clone());
            assert_eq!(&parse_contract(&text), &**c, "canonical round trip\n{text}");
            (text, t)
        }
        Loaded::Week(w) => {
            let t = codec::write_week(w, &usd()).unwrap();
            let text = merge::render_new(t.clone());
            assert_eq!(&parse_week(&text), w, "canonical round trip\n{text}");
            (text, t)
        }
    };
    // Serialising the re-parsed value gives the same bytes.
    let again = match loaded {
        Loaded::Contract(_) => {
            merge::render_new(codec::write_contract(&parse_contract(&canonical), &usd()).unwrap())
        }
        Loaded::Week(_) => {
            merge::render_new(codec::write_week(&parse_week(&canonical), &usd()).unwrap())
        }
        Loaded::Settings => unreachable!(),
    };
    assert_eq!(again, canonical, "serialise(parse(serialise(v))) differs");
    // The format-preserving rewrite: same value, and a fixpoint.
    let mut doc: toml_edit::DocumentMut = old.parse().expect("loaded text parses");
    merge::merge_table(doc.as_table_mut(), &table);
    let merged = doc.to_string();
    match loaded {
        Loaded::Contract(c) => assert_eq!(&parse_contract(&merged), &**c, "rewrite\n{merged}"),
        Loaded::Week(w) => assert_eq!(&parse_week(&merged), w, "rewrite\n{merged}"),
        Loaded::Settings => {}
    }
    let mut doc2: toml_edit::DocumentMut = merged.parse().expect("rewrite parses");
    merge::merge_table(doc2.as_table_mut(), &table);
    assert_eq!(
        doc2.to_string(),
        merged,
        "a second rewrite changes the file"
    );
    Some(canonical)
}

#[test]
fn the_tools_own_files_round_trip_to_the_same_value_and_bytes() {
    let l = seed();
    let mut n = 0;
    for (rel, bytes) in files(&l) {
        let text = String::from_utf8(bytes).expect("utf-8");
        let loaded = load(l.path(), &rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
        // The tool's own files take the fast line reader, which agrees with
        // the full parser; the hand-edited one (comments) takes the full one.
        match tree::fast(&text) {
            Some(fast) => assert_eq!(Ok(fast), tree::full(&text), "{rel}"),
            None => assert_eq!(rel, "contracts/hand.toml", "line reader refused {rel}"),
        }
        if let Some(canonical) = round_trip(&loaded, &text) {
            n += 1;
            if rel != "contracts/hand.toml" {
                assert_eq!(
                    canonical, text,
                    "{rel}: serialise(parse(file)) differs from the file"
                );
            }
        }
    }
    assert!(n >= 5, "{n} files");
}

static LIB_LOADED: AtomicUsize = AtomicUsize::new(0);
static FAST_READ: AtomicUsize = AtomicUsize::new(0);

#[test]
fn mutated_files_never_panic_the_loader_and_what_loads_round_trips() {
    let l = seed();
    let all = files(&l);
    let n = cases(600);
    let t0 = Instant::now();
    let work = copy_of(&l);
    let mut runner = TestRunner::new(config(n));
    let strategy = (0..all.len(), proptest::collection::vec(mutation(), 1..4));
    let result = runner.run(&strategy, |(f, muts)| {
        let (rel, orig) = &all[f];
        let mut text = orig.clone();
        for m in &muts {
            apply(m, &mut text, &all);
        }
        // Whatever the line reader accepts, the full parser reads the same.
        if let Ok(s) = std::str::from_utf8(&text)
            && let Some(fast) = tree::fast(s)
        {
            FAST_READ.fetch_add(1, Ordering::Relaxed);
            prop_assert_eq!(Ok(fast), tree::full(s), "{:?}", s);
        }
        std::fs::write(work.file(rel), &text).expect("write");
        let loaded = load(work.path(), rel);
        std::fs::write(work.file(rel), orig).expect("restore");
        match loaded {
            Ok(v) => {
                LIB_LOADED.fetch_add(1, Ordering::Relaxed);
                let text = String::from_utf8(text).expect("loaded text is UTF-8");
                round_trip(&v, &text);
            }
            Err(StoreError::Invalid(ps)) => {
                prop_assert!(!ps.is_empty());
                for p in &ps {
                    // Every located problem points inside the file.
                    if let (Some(line), Some(col)) = (p.line, p.col) {
                        prop_assert!(line >= 1 && col >= 1, "{p:?}");
                    }
                }
            }
            Err(e) => prop_assert!(false, "{rel}: unexpected error {e}"),
        }
        Ok(())
    });
    eprintln!(
        "fuzz (library): {n} mutated files loaded, {} of them valid and round-tripped, {} read alike by the line reader and the full parser, {:.1}s",
        LIB_LOADED.load(Ordering::Relaxed),
        FAST_READ.load(Ordering::Relaxed),
        t0.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

// ------------------------------------------------------------ through the binary

#[test]
fn mutated_ledgers_get_exit_0_or_5_from_every_command_and_5_writes_nothing() {
    let l = seed();
    let all = files(&l);
    let n = cases(150);
    let t0 = Instant::now();
    let mut runner = TestRunner::new(config(n));
    let strategy = (0..all.len(), proptest::collection::vec(mutation(), 1..4));
    let codes: RefCell<BTreeMap<(i32, i32, i32), usize>> = RefCell::new(BTreeMap::new());
    let result = runner.run(&strategy, |(f, muts)| {
        let (rel, orig) = &all[f];
        let mut text = orig.clone();
        for m in &muts {
            apply(m, &mut text, &all);
        }
        let work = copy_of(&l);
        std::fs::write(work.file(rel), &text).expect("write");
        let before = work.snapshot();
        let check = work.run(&["check"]);
        let sweep = work.run(&["sweep"]);
        let show = work.run(&["diary", "show", "--week", "2026-W47"]);
        for (what, r) in [("check", &check), ("sweep", &sweep), ("diary show", &show)] {
            prop_assert!(
                !r.stderr.contains("panicked"),
                "{what} panicked on {rel}:\n{}",
                r.stderr
            );
            prop_assert!(
                [0, 5].contains(&r.code),
                "{what} exit {} on {rel}:\n{}\n{}",
                r.code,
                r.stderr,
                String::from_utf8_lossy(&text)
            );
        }
        // What `check` accepts, every command accepts, and the reverse.
        if check.code == 0 {
            prop_assert_eq!(sweep.code, 0, "check ok but sweep:\n{}", sweep.stderr);
        }
        if sweep.code == 5 || show.code == 5 {
            prop_assert_eq!(check.code, 5, "a command refused what check accepts");
        }
        if sweep.code == 5 {
            prop_assert!(work.snapshot() == before, "sweep exit 5 but files changed");
        }
        *codes
            .borrow_mut()
            .entry((check.code, sweep.code, show.code))
            .or_default() += 1;
        Ok(())
    });
    eprintln!(
        "fuzz (binary): {n} mutated ledgers x 3 commands, exit codes (check, sweep, diary show): {:?}, {:.1}s",
        codes.borrow(),
        t0.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
