//! Reliability (SPEC §5): concurrent writers, crashes at every step of the
//! atomic write (failpoints) and at random moments (SIGKILL), injected I/O
//! faults, and hostile arguments.
//!
//! The default run is bounded for CI; `CONTRACTS_LONG=1` runs the long
//! version (more rounds of writers, more kills). `CONTRACTS_SEED=N` replays
//! the random choices of a run (each test prints its seed).

use crate::harness::{Ledger, NOW, copy_dir};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ helpers

/// Whether the long runs were asked for (`CONTRACTS_LONG=1`).
pub fn long() -> bool {
    std::env::var("CONTRACTS_LONG").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The number in the environment variable `var`, if it holds one.
pub fn env_number<T: std::str::FromStr>(var: &str) -> Option<T> {
    std::env::var(var).ok().and_then(|s| s.parse().ok())
}

/// A seed from the clock, for runs meant to differ each time.
fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// The simulations' first seed: `CONTRACTS_SIM_SEED`, else one from the
/// clock in long runs (short enough to type back), else `ci`.
pub fn sim_seed(ci: u64) -> u64 {
    env_number("CONTRACTS_SIM_SEED").unwrap_or_else(|| {
        if long() {
            clock_seed() % 1_000_000_000
        } else {
            ci
        }
    })
}

/// A small deterministic generator (xorshift64*), seeded per test.
pub struct Rng(u64);

impl Rng {
    /// A generator from `CONTRACTS_SEED`, else from the clock; prints the seed.
    pub fn from_env(test: &str) -> Rng {
        let seed = env_number("CONTRACTS_SEED").unwrap_or_else(clock_seed);
        eprintln!("{test}: CONTRACTS_SEED={seed}");
        Rng::new(seed)
    }

    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The binary, spawned the way the harness runs it (cleared environment,
/// pinned clock), but as a `std` command so that it can be killed.
pub fn std_cmd(l: &Ledger, now: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_contracts"));
    c.env_clear()
        .env("TZ", &l.tz)
        .env("NO_COLOR", "1")
        .env("HOME", l.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg("-f")
        .arg(l.path())
        .arg("--now")
        .arg(now)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// A finished run of `std_cmd`.
pub struct Done {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// The signal that ended it, if any.
    #[cfg_attr(not(feature = "failpoints"), allow(dead_code))]
    pub signal: Option<i32>,
    /// Stderr.
    pub stderr: String,
}

fn signal_of(s: &ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    s.signal()
}

/// Runs a command to its end.
pub fn run_std(mut c: Command) -> Done {
    let o = c.output().expect("spawn contracts");
    Done {
        code: o.status.code(),
        signal: signal_of(&o.status),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Whether a path names a leftover temp file of the atomic write.
pub fn is_temp(rel: &str) -> bool {
    Path::new(rel)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
}

/// The temp files in the ledger.
pub fn temps(l: &Ledger) -> Vec<String> {
    l.snapshot()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| is_temp(p))
        .collect()
}

/// Files by path with their bytes.
#[cfg_attr(not(feature = "failpoints"), allow(dead_code))]
pub type Files = BTreeMap<String, Vec<u8>>;

/// The ledger's durable content: every file but temp files and the lock.
pub fn durable(l: &Ledger) -> BTreeMap<String, Vec<u8>> {
    // Operation ids are random: a command run whole on a copy, or re-run
    // after a crash, gives its events other ids than the run it stands for.
    l.snapshot_and_op_ids()
        .0
        .into_iter()
        .filter(|(p, _)| !is_temp(p) && !p.ends_with(".contracts.lock"))
        .map(|(p, text)| (p, text.into_bytes()))
        .collect()
}

/// A copy of a ledger in a new temp directory (same clock and zone).
pub fn copy_of(l: &Ledger) -> Ledger {
    let mut c = Ledger::empty();
    copy_dir(l.path(), c.path());
    c.now = l.now.clone();
    c.tz = l.tz.clone();
    c
}

/// Asserts that `check` passes and no file holds a NUL byte.
#[track_caller]
pub fn assert_consistent(l: &Ledger, context: &str) {
    let r = l.run(&["check"]);
    assert_eq!(
        r.code, 0,
        "{context}: check failed\n{}\n{}",
        r.stdout, r.stderr
    );
    for (p, bytes) in l.snapshot() {
        assert!(!bytes.contains(&0), "{context}: NUL byte in {p}");
    }
}

/// Asserts that every durable file is byte-identical to its `before` or its
/// `after` version (absent counting as a version).
#[track_caller]
#[cfg_attr(not(feature = "failpoints"), allow(dead_code))]
fn assert_before_or_after(
    now: &BTreeMap<String, Vec<u8>>,
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    context: &str,
) {
    let names: BTreeSet<&String> = now
        .keys()
        .chain(before.keys())
        .chain(after.keys())
        .collect();
    for n in names {
        let cur = now.get(n);
        assert!(
            cur == before.get(n) || cur == after.get(n),
            "{context}: {n} is neither as before nor as after:\n{}",
            cur.map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_else(|| "(absent)".into())
        );
    }
}

fn no_panic(context: &str, stderr: &str) {
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{context}: panic\n{stderr}"
    );
}

// ------------------------------------------------------------ 1. concurrency

/// The Monday of the harness's week, 00:00 UTC, plus `minutes`.
fn monday_plus(minutes: u64) -> String {
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-16T00:00:00Z").expect("time")
        + chrono::Duration::minutes(minutes as i64);
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[derive(Debug, Clone)]
enum Op {
    LogShared(u64),
    LogOwn(u64),
    New(u64),
    End(u64),
    Refund(u64),
    Sweep,
}

const PROCS: usize = 8;
const MUTATIONS: usize = 25;
const DUE: usize = 4;

fn new_args<'a>(id: &'a str, kind: &'a str, amount: &'a str) -> Vec<&'a str> {
    let mut v = vec![
        "new",
        "--id",
        id,
        "--title",
        "Work",
        "--client",
        "Acme",
        "--freelancer",
        "Bob",
        kind,
        amount,
    ];
    if kind == "--hourly" {
        v.extend(["--weekly-limit", "none"]);
    }
    v
}

fn concurrency_round(round: usize, rng: &mut Rng) -> (usize, usize, Duration) {
    let l = Ledger::new();
    let start = "2026-11-02T09:00:00Z";
    l.run_at(start, &new_args("shared", "--hourly", "40")).ok();
    for i in 0..PROCS {
        l.run_at(start, &new_args(&format!("own{i}"), "--hourly", "40"))
            .ok();
        for k in 0..3 {
            l.run_at(start, &new_args(&format!("end{i}-{k}"), "--fixed", "100"))
                .ok();
        }
        for k in 0..2 {
            l.run_at(start, &new_args(&format!("ref{i}-{k}"), "--fixed", "100"))
                .ok();
        }
    }
    for k in 0..DUE {
        let id = format!("due{k}");
        l.run_at(start, &new_args(&id, "--fixed", "100")).ok();
        l.run_at(
            "2026-11-03T09:00:00Z",
            &["refund", "request", &id, "--amount", "10"],
        )
        .ok();
    }

    // Each process: 8 entries on the shared week file, 5 on its own, 4
    // new contracts, 3 ends, 2 refunds (request + approve), 1 sweep.
    let mut scripts = Vec::new();
    for i in 0..PROCS as u64 {
        let mut ops: Vec<Op> = Vec::new();
        ops.extend((0..8).map(|j| Op::LogShared(i * 8 + j)));
        ops.extend((0..5).map(Op::LogOwn));
        ops.extend((0..4).map(Op::New));
        ops.extend((0..3).map(Op::End));
        ops.extend((0..2).map(Op::Refund));
        ops.push(Op::Sweep);
        for n in (1..ops.len()).rev() {
            ops.swap(n, rng.below(n as u64 + 1) as usize);
        }
        scripts.push(ops);
    }
    let dir = l.path().to_path_buf();
    let t0 = Instant::now();
    let handles: Vec<_> = scripts
        .into_iter()
        .enumerate()
        .map(|(i, ops)| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let run = |args: Vec<String>| -> Done {
                    let mut c = Command::new(env!("CARGO_BIN_EXE_contracts"));
                    c.env_clear()
                        .env("TZ", "UTC")
                        .env("NO_COLOR", "1")
                        .arg("-f")
                        .arg(&dir)
                        .arg("--now")
                        .arg(NOW)
                        .args(&args)
                        .stdin(Stdio::null());
                    run_std(c)
                };
                let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
                let mut log = Vec::new();
                let mut mutations = 0;
                for op in ops {
                    let codes: Vec<Done> = match &op {
                        Op::LogShared(slot) => {
                            let memo = format!("shared p{i} s{slot}");
                            vec![run(s(&[
                                "--as",
                                "freelancer",
                                "diary",
                                "log",
                                "shared",
                                "--from",
                                &monday_plus(slot * 5),
                                "--to",
                                &monday_plus(slot * 5 + 4),
                                "--memo",
                                &memo,
                            ]))]
                        }
                        Op::LogOwn(j) => {
                            let memo = format!("own p{i} s{j}");
                            vec![run(s(&[
                                "--as",
                                "freelancer",
                                "diary",
                                "log",
                                &format!("own{i}"),
                                "--from",
                                &monday_plus(600 + j * 5),
                                "--to",
                                &monday_plus(600 + j * 5 + 4),
                                "--memo",
                                &memo,
                            ]))]
                        }
                        Op::New(j) => vec![run(new_args(&format!("new{i}-{j}"), "--fixed", "50")
                            .iter()
                            .map(|x| x.to_string())
                            .collect())],
                        Op::End(k) => vec![run(s(&[
                            "end",
                            &format!("end{i}-{k}"),
                            "--pay",
                            "full",
                            "--yes",
                        ]))],
                        Op::Refund(k) => {
                            let id = format!("ref{i}-{k}");
                            let a = run(s(&["refund", "request", &id, "--amount", "10"]));
                            if a.code == Some(0) {
                                let b = run(s(&["--as", "freelancer", "refund", "approve", &id]));
                                vec![a, b]
                            } else {
                                vec![a]
                            }
                        }
                        Op::Sweep => vec![run(s(&["sweep"]))],
                    };
                    mutations += codes.len();
                    for d in &codes {
                        no_panic(&format!("process {i} {op:?}"), &d.stderr);
                        assert!(
                            matches!(d.code, Some(0) | Some(6)),
                            "process {i} {op:?}: exit {:?}\n{}",
                            d.code,
                            d.stderr
                        );
                    }
                    let done: Vec<bool> = codes.iter().map(|d| d.code == Some(0)).collect();
                    log.push((op, done));
                }
                (log, mutations)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("writer thread"))
        .collect();
    let took = t0.elapsed();

    // Every change a process reported as done is in the files.
    let diary = l
        .run(&["diary", "show", "--week", "2026-W47", "--json"])
        .ok();
    let mut memos: BTreeMap<String, usize> = BTreeMap::new();
    for w in diary.json()["weeks"].as_array().expect("weeks") {
        for c in w["contracts"].as_array().expect("contracts") {
            for e in c["entries"].as_array().expect("entries") {
                *memos
                    .entry(e["memo"].as_str().expect("memo").to_string())
                    .or_default() += 1;
            }
        }
    }
    let show = |id: &str| l.run(&["show", id, "--json"]).ok().json();
    let (mut total, mut busy) = (0, 0);
    let mut swept = false;
    for (i, (log, mutations)) in results.into_iter().enumerate() {
        total += mutations;
        for (op, done) in log {
            busy += done.iter().filter(|d| !**d).count();
            let ctx = format!("round {round}, process {i}, {op:?} (done: {done:?})");
            match op {
                Op::LogShared(slot) => {
                    let n = memos
                        .get(&format!("shared p{i} s{slot}"))
                        .copied()
                        .unwrap_or(0);
                    assert_eq!(n, usize::from(done[0]), "{ctx}: entries with this memo");
                }
                Op::LogOwn(j) => {
                    let n = memos.get(&format!("own p{i} s{j}")).copied().unwrap_or(0);
                    assert_eq!(n, usize::from(done[0]), "{ctx}: entries with this memo");
                }
                Op::New(j) => assert_eq!(
                    l.file(&format!("contracts/new{i}-{j}.toml")).is_file(),
                    done[0],
                    "{ctx}"
                ),
                Op::End(k) => {
                    let c = show(&format!("end{i}-{k}"));
                    let want = if done[0] { "ended" } else { "active" };
                    assert_eq!(c["status"], want, "{ctx}");
                }
                Op::Refund(k) => {
                    let c = show(&format!("ref{i}-{k}"));
                    let refunds = c["refunds"].as_array().expect("refunds");
                    match done.as_slice() {
                        [false] => assert!(refunds.is_empty(), "{ctx}: {refunds:?}"),
                        [true, b] => {
                            assert_eq!(refunds.len(), 1, "{ctx}");
                            let want = if *b { "refunded" } else { "requested" };
                            assert_eq!(refunds[0]["status"], want, "{ctx}");
                        }
                        _ => unreachable!(),
                    }
                }
                Op::Sweep => swept |= done[0],
            }
        }
    }
    if swept {
        for k in 0..DUE {
            let c = show(&format!("due{k}"));
            assert_ne!(
                c["refunds"][0]["status"], "requested",
                "due{k}: a sweep reported done but the due refund is still open"
            );
        }
    }
    assert!(temps(&l).is_empty(), "temp files left: {:?}", temps(&l));
    assert_consistent(&l, &format!("round {round}"));
    (total, busy, took)
}

#[test]
fn concurrent_writers_lose_no_update() {
    let mut rng = Rng::from_env("concurrent_writers_lose_no_update");
    let rounds = if long() { 20 } else { 1 };
    let (mut total, mut busy) = (0, 0);
    let t0 = Instant::now();
    for round in 0..rounds {
        let (t, b, took) = concurrency_round(round, &mut rng);
        assert_eq!(t, PROCS * MUTATIONS - b, "mutations attempted");
        eprintln!(
            "concurrency round {round}: {PROCS} processes, {t} mutations in {:.2}s, {b} busy (exit 6)",
            took.as_secs_f64()
        );
        total += t;
        busy += b;
    }
    eprintln!(
        "concurrency: {rounds} round(s), {total} mutations by {PROCS} concurrent processes each round, {busy} exit 6, 0 lost, in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
}

// ------------------------------------------------------------ 2. crashes: failpoints

/// A write command and the ledger it starts from.
#[cfg(feature = "failpoints")]
struct Scenario {
    name: &'static str,
    setup: fn(&Ledger),
    args: &'static [&'static str],
}

#[cfg(feature = "failpoints")]
fn scenarios() -> Vec<Scenario> {
    fn none(_: &Ledger) {}
    fn init(l: &Ledger) {
        l.run(&["init"]).ok();
    }
    fn fixed(l: &Ledger) {
        init(l);
        l.fixed("f1", "500");
    }
    fn hourly(l: &Ledger) {
        init(l);
        l.hourly("h1");
    }
    fn hourly_logged(l: &Ledger) {
        hourly(l);
        l.run(&[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-16T08:00:00Z",
            "--to",
            "2026-11-16T08:30:00Z",
            "--memo",
            "first",
        ])
        .ok();
    }
    fn two_due(l: &Ledger) {
        init(l);
        for id in ["d1", "d2"] {
            l.fixed(id, "100");
            l.run_at(
                "2026-11-03T09:00:00Z",
                &["refund", "request", id, "--amount", "10"],
            )
            .ok();
        }
    }
    const LOG: &[&str] = &[
        "--as",
        "freelancer",
        "diary",
        "log",
        "h1",
        "--from",
        "2026-11-16T09:00:00Z",
        "--to",
        "2026-11-16T10:30:00Z",
        "--memo",
        "second",
    ];
    vec![
        Scenario {
            name: "init (creates ledger.toml)",
            setup: none,
            args: &["init"],
        },
        Scenario {
            name: "new (creates a contract file)",
            setup: init,
            args: &[
                "new",
                "--id",
                "n1",
                "--title",
                "T",
                "--client",
                "Acme",
                "--freelancer",
                "Ann",
                "--fixed",
                "300",
            ],
        },
        Scenario {
            name: "end (replaces a contract file)",
            setup: fixed,
            args: &["end", "f1", "--pay", "full", "--yes"],
        },
        Scenario {
            name: "refund request (replaces a contract file)",
            setup: fixed,
            args: &["refund", "request", "f1", "--amount", "100"],
        },
        Scenario {
            name: "diary log (creates a week file)",
            setup: hourly,
            args: LOG,
        },
        Scenario {
            name: "diary log (replaces a week file)",
            setup: hourly_logged,
            args: LOG,
        },
        Scenario {
            name: "sweep (replaces two contract files)",
            setup: two_due,
            args: &["sweep"],
        },
        Scenario {
            // The batched write: a week file created, one replaced.
            name: "diary import (two week files, one flush)",
            setup: hourly_logged,
            args: &[
                "--as",
                "freelancer",
                "diary",
                "import",
                "tests/fixtures/import/two-weeks.json",
                // The earlier week is invoiced: it takes the time as history.
                "--history",
            ],
        },
    ]
}

#[cfg(feature = "failpoints")]
const KILL_POINTS: [&str; 5] = [
    "atomic::write",
    "atomic::fsync",
    "atomic::rename",
    "atomic::between_renames",
    "atomic::after_rename",
];

/// The ledger of a scenario, before and after its command.
#[cfg(feature = "failpoints")]
fn before_after(s: &Scenario) -> (Ledger, Files, Files) {
    let base = Ledger::empty();
    (s.setup)(&base);
    let before = durable(&base);
    let done = copy_of(&base);
    done.run(s.args).ok();
    let after = durable(&done);
    assert_ne!(before, after, "{}: the command changes nothing", s.name);
    (base, before, after)
}

#[cfg(feature = "failpoints")]
#[test]
fn a_kill_at_each_step_of_the_write_leaves_each_file_before_or_after() {
    let mut killed_at: BTreeMap<&str, usize> = BTreeMap::new();
    for s in scenarios() {
        let (base, before, after) = before_after(&s);
        for fp in KILL_POINTS {
            let l = copy_of(&base);
            let ctx = format!("{} killed at {fp}", s.name);
            let d = run_with(&l, s.args, &format!("{fp}=return(kill)"));
            no_panic(&ctx, &d.stderr);
            let now = durable(&l);
            if d.signal == Some(9) {
                *killed_at.entry(fp).or_default() += 1;
                assert_before_or_after(&now, &before, &after, &ctx);
            } else {
                // The failpoint is not on this command's path (a create has
                // no rename): it must have completed.
                assert_eq!(d.code, Some(0), "{ctx}: {}", d.stderr);
                assert!(now == after, "{ctx}: completed but not as after");
            }
            // The next command succeeds, and a re-run completes the change.
            if l.file("ledger.toml").is_file() {
                assert_consistent(&l, &ctx);
                l.run(&["sweep"]).ok();
            }
            let again = l.run(s.args);
            assert!(
                matches!(again.code, 0 | 4),
                "{ctx}: the re-run exits {}\n{}",
                again.code,
                again.stderr
            );
            assert!(
                durable(&l) == after,
                "{ctx}: after a re-run the ledger is not as after"
            );
            assert_consistent(&l, &ctx);
        }
    }
    eprintln!("failpoint kills per point: {killed_at:?}");
    for fp in KILL_POINTS {
        assert!(
            killed_at.get(fp).copied().unwrap_or(0) > 0,
            "the failpoint {fp} never fired: is the binary built with --features failpoints?"
        );
    }
}

/// Runs a command with failpoints set.
#[cfg(feature = "failpoints")]
fn run_with(l: &Ledger, args: &[&str], failpoints: &str) -> Done {
    let mut c = std_cmd(l, &l.now, args);
    c.env("FAILPOINTS", failpoints);
    run_std(c)
}

/// Kills each scenario's command (or those named `only`) before its rename,
/// re-runs it and runs one more write (`sweep`): the temp files the kill
/// left must be gone. Returns what was left, per scenario.
#[cfg(feature = "failpoints")]
fn temps_left_after_crash(only: impl Fn(&Scenario) -> bool) -> Vec<String> {
    let mut left = Vec::new();
    for s in scenarios().into_iter().filter(|s| only(s)) {
        let (base, _, after) = before_after(&s);
        let l = copy_of(&base);
        let d = run_with(&l, s.args, "atomic::rename=return(kill)");
        assert_eq!(d.signal, Some(9), "{}: not killed", s.name);
        assert!(
            !temps(&l).is_empty(),
            "{}: the kill left no temp file",
            s.name
        );
        l.run(s.args).ok();
        assert!(durable(&l) == after, "{}", s.name);
        l.run(&["sweep"]).ok();
        if !temps(&l).is_empty() {
            left.push(format!("{}: {:?}", s.name, temps(&l)));
        }
    }
    left
}

#[cfg(feature = "failpoints")]
#[test]
fn a_crashed_writers_temp_file_is_cleaned_up_by_later_writes() {
    let left = temps_left_after_crash(|s| !s.name.starts_with("diary log (replaces"));
    assert!(left.is_empty(), "temp files left:\n{}", left.join("\n"));
}

#[cfg(feature = "failpoints")]
#[test]
fn a_crashed_week_file_rewrites_temp_file_is_cleaned_up_by_later_writes() {
    let left = temps_left_after_crash(|s| s.name.starts_with("diary log (replaces"));
    assert!(left.is_empty(), "temp files left:\n{}", left.join("\n"));
}

/// A command killed while writing the derived index (SPEC §6), before or
/// after its temp file is written: every output stays as it was, the next
/// command writes the index, and the next `sweep` removes the temp file.
#[cfg(feature = "failpoints")]
#[test]
fn a_command_killed_writing_the_index_changes_no_output() {
    let views = |l: &Ledger| -> Vec<(i32, String)> {
        [
            &["list"][..],
            &["--json", "list"],
            &["sweep", "--dry-run"],
            &["diary", "show"],
            &["show", "h1"],
        ]
        .iter()
        .map(|a| {
            let r = l.run(a);
            (r.code, r.stdout)
        })
        .collect()
    };
    // From no index, and from one whose sections are garbage (the kill
    // before the rename then leaves one section missing).
    // `list` writes the contracts' sections, `diary show` the week's sheets.
    for (killed, fp, stale) in [
        (&["list"][..], "index::write", false),
        (&["list"], "index::rename", false),
        (&["list"], "index::rename", true),
        (&["diary", "show"], "index::write", false),
        (&["diary", "show"], "index::rename", true),
    ] {
        let l = Ledger::new();
        l.fixed("f1", "500");
        l.hourly("h1");
        l.run(&[
            "--as",
            "freelancer",
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-17T09:00:00Z",
            "--to",
            "2026-11-17T10:00:00Z",
            "--memo",
            "x",
        ])
        .ok();
        // Old enough for what a command reads to be recorded.
        crate::index::age(&l);
        let _ = fs::remove_dir_all(l.file(".contracts.index"));
        let expected = views(&copy_of(&l));
        let _ = fs::remove_dir_all(l.file(".contracts.index"));
        // Every section garbage: the first one the command writes again is
        // the one its kill leaves missing.
        let sections = || -> Vec<String> {
            let mut v: Vec<String> = fs::read_dir(l.file(".contracts.index"))
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .filter(|n| !n.starts_with(".tmp-"))
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        };
        let before = if stale {
            l.run(&["list"]).ok();
            l.run(&["diary", "show"]).ok();
            let all = sections();
            assert!(
                all.iter().any(|s| s == "names") && all.iter().any(|s| s.starts_with("sheets-")),
                "no names or sheets section: {all:?}"
            );
            for s in &all {
                fs::write(l.file(&format!(".contracts.index/{s}")), "garbage").expect("write");
            }
            all
        } else {
            Vec::new()
        };
        let d = run_with(&l, killed, &format!("{fp}=return(kill)"));
        assert_eq!(d.signal, Some(9), "{fp}: not killed\n{}", d.stderr);
        if stale {
            let after = sections();
            assert_eq!(
                after.len() + 1,
                before.len(),
                "{fp}: {before:?} → {after:?}"
            );
        }
        assert!(!temps(&l).is_empty(), "{fp}: no temp file left");
        assert_eq!(views(&l), expected, "{fp}");
        l.run(&["sweep"]).ok();
        assert!(temps(&l).is_empty(), "{fp}: {:?}", temps(&l));
        assert_consistent(&l, fp);
        assert_eq!(views(&l), expected, "{fp}: after the sweep");
    }
}

// ------------------------------------------------------------ 2. crashes: random SIGKILL

/// Templates of contract files to stamp out under new ids (cheap setup for
/// the kill loops): each a state one kind of command acts on.
struct Templates {
    ledger: Ledger,
    files: BTreeMap<&'static str, String>,
}

fn templates() -> Templates {
    let l = Ledger::new();
    let start = "2026-11-02T09:00:00Z";
    l.run_at(start, &new_args("tf", "--fixed", "500")).ok();
    l.run_at(start, &new_args("tr", "--fixed", "500")).ok();
    l.run(&["refund", "request", "tr", "--amount", "100"]).ok();
    l.run_at(start, &new_args("td", "--fixed", "500")).ok();
    l.run_at(
        "2026-11-03T09:00:00Z",
        &["refund", "request", "td", "--amount", "100"],
    )
    .ok();
    l.run_at(start, &new_args("te", "--fixed", "500")).ok();
    l.run(&["end", "te", "--pay", "full", "--yes"]).ok();
    l.run_at(start, &new_args("th", "--hourly", "40")).ok();
    l.run_at(start, &new_args("hw", "--hourly", "40")).ok();
    let mut files = BTreeMap::new();
    for id in ["tf", "tr", "td", "te", "th"] {
        files.insert(id, l.read(&format!("contracts/{id}.toml")));
        fs::remove_file(l.file(&format!("contracts/{id}.toml"))).expect("rm");
    }
    assert_consistent(&l, "templates");
    Templates { ledger: l, files }
}

impl Templates {
    fn stamp(&self, l: &Ledger, tpl: &str, id: &str) {
        let text =
            self.files[tpl].replacen(&format!("id = \"{tpl}\""), &format!("id = \"{id}\""), 1);
        l.write(&format!("contracts/{id}.toml"), &text);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KillKind {
    New,
    End,
    RefundRequest,
    RefundApprove,
    MilestoneAdd,
    FeedbackGive,
    DiaryLogNewFile,
    DiaryLogRewrite,
    Sweep,
}

const KILL_KINDS: [KillKind; 9] = [
    KillKind::New,
    KillKind::End,
    KillKind::RefundRequest,
    KillKind::RefundApprove,
    KillKind::MilestoneAdd,
    KillKind::FeedbackGive,
    KillKind::DiaryLogNewFile,
    KillKind::DiaryLogRewrite,
    KillKind::Sweep,
];

/// Sunday 23:00 of the harness's week: the whole week is open for time.
const SUNDAY: &str = "2026-11-22T23:00:00Z";

/// Prepares iteration `n` of `kind` and returns the command to kill.
fn victim(t: &Templates, l: &Ledger, kind: KillKind, n: u64) -> Vec<String> {
    let id = format!("k{n}");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match kind {
        KillKind::New => new_args(&id, "--fixed", "250")
            .iter()
            .map(|x| x.to_string())
            .collect(),
        KillKind::End => {
            t.stamp(l, "tf", &id);
            s(&["end", &id, "--pay", "200", "--yes"])
        }
        KillKind::RefundRequest => {
            t.stamp(l, "tf", &id);
            s(&["refund", "request", &id, "--amount", "50"])
        }
        KillKind::RefundApprove => {
            t.stamp(l, "tr", &id);
            s(&["--as", "freelancer", "refund", "approve", &id])
        }
        KillKind::MilestoneAdd => {
            t.stamp(l, "tf", &id);
            s(&["milestone", "add", &id, "--title", "More", "--amount", "75"])
        }
        KillKind::FeedbackGive => {
            t.stamp(l, "te", &id);
            s(&["feedback", "give", &id, "--stars", "4", "--comment", "fine"])
        }
        KillKind::DiaryLogNewFile => {
            t.stamp(l, "th", &id);
            s(&[
                "--as",
                "freelancer",
                "diary",
                "log",
                &id,
                "--from",
                &monday_plus(60),
                "--to",
                &monday_plus(120),
                "--memo",
                "new file",
            ])
        }
        KillKind::DiaryLogRewrite => s(&[
            "--as",
            "freelancer",
            "diary",
            "log",
            "hw",
            "--from",
            &monday_plus(n * 2),
            "--to",
            &monday_plus(n * 2 + 1),
            "--memo",
            &format!("slot {n}"),
        ]),
        KillKind::Sweep => {
            for x in ["a", "b", "c"] {
                t.stamp(l, "td", &format!("{id}{x}"));
            }
            s(&["sweep"])
        }
    }
}

#[derive(Debug, Default)]
struct KillStats {
    attempts: usize,
    kills: usize,
    temp_left: usize,
    changed: usize,
}

fn spawn_victim(l: &Ledger, args: &[String]) -> Child {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut c = std_cmd(l, SUNDAY, &a);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c.spawn().expect("spawn")
}

#[test]
fn sigkill_at_random_moments_never_breaks_the_ledger() {
    let mut rng = Rng::from_env("sigkill_at_random_moments_never_breaks_the_ledger");
    let per_kind = if long() { 250 } else { 25 };
    let t = templates();
    let t0 = Instant::now();
    let mut stats: BTreeMap<KillKind, KillStats> = BTreeMap::new();
    let mut n = 0u64;
    for kind in KILL_KINDS {
        // How long the command takes when left alone: the kill lands
        // anywhere from early start-up to just after that.
        let mut l = copy_of(&t.ledger);
        let args = victim(&t, &l, kind, n);
        n += 1;
        let t1 = Instant::now();
        let d = run_std({
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            std_cmd(&l, SUNDAY, &a)
        });
        let full = t1.elapsed().as_micros() as u64;
        assert_eq!(d.code, Some(0), "{kind:?} {args:?}: {}", d.stderr);
        let st = stats.entry(kind).or_default();
        let mut batch = 0u32;
        while st.kills < per_kind {
            assert!(st.attempts < per_kind * 20, "{kind:?}: too few kills land");
            // A fresh ledger now and then keeps the commands small.
            batch += 1;
            if batch.is_multiple_of(50) {
                l = copy_of(&t.ledger);
            }
            let args = victim(&t, &l, kind, n);
            n += 1;
            let before = durable(&l);
            let temps_before = temps(&l);
            let mut child = spawn_victim(&l, &args);
            let delay = 100 + rng.below(full + full / 5);
            std::thread::sleep(Duration::from_micros(delay));
            st.attempts += 1;
            let alive = child.try_wait().expect("try_wait").is_none();
            child.kill().expect("kill");
            let status = child.wait().expect("wait");
            if alive && signal_of(&status) == Some(9) {
                st.kills += 1;
                if temps(&l).iter().any(|t| !temps_before.contains(t)) {
                    st.temp_left += 1;
                }
            } else {
                assert_eq!(status.code(), Some(0), "{kind:?} {args:?} failed");
            }
            if durable(&l) != before {
                st.changed += 1;
            }
            let ctx = format!("{kind:?} {args:?} killed after {delay}µs");
            assert_consistent(&l, &ctx);
        }
    }
    let kills: usize = stats.values().map(|s| s.kills).sum();
    for (k, s) in &stats {
        eprintln!(
            "sigkill {k:?}: {} attempts, {} kills of a live process, {} left a temp file (killed mid-write), {} changed the ledger",
            s.attempts, s.kills, s.temp_left, s.changed
        );
    }
    eprintln!(
        "sigkill: {kills} kills over {} kinds of command, ledger valid after each, in {:.1}s",
        stats.len(),
        t0.elapsed().as_secs_f64()
    );
}

// ------------------------------------------------------------ 3. I/O faults

/// Whether permissions are enforced here (not as root).
pub fn permissions_enforced() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().expect("tempdir");
    let sub = d.path().join("ro");
    fs::create_dir(&sub).expect("mkdir");
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o500)).expect("chmod");
    let enforced = fs::write(sub.join("x"), "x").is_err();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o700)).expect("chmod");
    enforced
}

#[cfg(feature = "failpoints")]
#[test]
fn injected_io_errors_exit_1_with_a_message_and_leave_the_files_intact() {
    let faults: &[(&str, &str, &str)] = &[
        ("atomic::write", "ENOSPC", "No space left on device"),
        ("atomic::write", "EIO", EIO_TEXT),
        ("atomic::fsync", "ENOSPC", "No space left on device"),
        ("atomic::fsync", "EIO", EIO_TEXT),
        ("atomic::rename", "EIO", EIO_TEXT),
        ("atomic::rename", "EXDEV", "ross-device link"),
        ("atomic::write", "EROFS", "Read-only file system"),
        ("atomic::write", "EACCES", "Permission denied"),
    ];
    let mut cases = 0;
    for s in scenarios() {
        let (base, before, _) = before_after(&s);
        for (fp, errno, text) in faults {
            let l = copy_of(&base);
            let snap = l.snapshot();
            let ctx = format!("{} with {errno} at {fp}", s.name);
            let d = run_with(&l, s.args, &format!("{fp}=return({errno})"));
            no_panic(&ctx, &d.stderr);
            assert_eq!(d.code, Some(1), "{ctx}: exit\n{}", d.stderr);
            assert!(
                d.stderr.starts_with("error: cannot write ") && d.stderr.contains(text),
                "{ctx}: unclear message\n{}",
                d.stderr
            );
            assert!(
                d.stderr.contains(".toml"),
                "{ctx}: no file named\n{}",
                d.stderr
            );
            if s.args == ["init"] {
                assert!(!l.file("ledger.toml").exists(), "{ctx}");
                assert!(temps(&l).is_empty(), "{ctx}: {:?}", temps(&l));
            } else {
                assert!(l.snapshot() == snap, "{ctx}: files changed");
            }
            assert!(durable(&l) == before || s.args == ["init"], "{ctx}");
            // The fault gone, the same command succeeds.
            l.run(s.args).ok();
            assert_consistent(&l, &ctx);
            cases += 1;
        }
    }
    eprintln!("I/O faults: {cases} injected, each exit 1 with files intact");
}

#[cfg(feature = "failpoints")]
#[test]
fn a_fault_on_the_second_file_of_a_sweep_leaves_the_first_done_and_a_rerun_completes() {
    let s = scenarios()
        .into_iter()
        .find(|s| s.args == ["sweep"])
        .expect("sweep scenario");
    let (l, before, after) = before_after(&s);
    let d = run_with(&l, s.args, "atomic::write=1*off->return(ENOSPC)");
    assert_eq!(d.code, Some(1), "{}", d.stderr);
    assert!(d.stderr.contains("No space left on device"), "{}", d.stderr);
    let now = durable(&l);
    assert_before_or_after(&now, &before, &after, "sweep with ENOSPC on the 2nd file");
    let first_done = ["contracts/d1.toml", "contracts/d2.toml"]
        .iter()
        .filter(|f| now.get(**f) == after.get(**f))
        .count();
    assert_eq!(first_done, 1, "exactly one file written");
    assert!(temps(&l).is_empty(), "{:?}", temps(&l));
    assert_consistent(&l, "partial sweep");
    l.run(&["sweep"]).ok();
    assert!(durable(&l) == after, "the re-run completes the sweep");
}

/// The C library's words for EIO: glibc's and musl's (the static release
/// build) differ.
#[cfg(feature = "failpoints")]
const EIO_TEXT: &str = if cfg!(target_env = "musl") {
    "I/O error"
} else {
    "Input/output error"
};

#[cfg(feature = "failpoints")]
#[test]
fn a_failing_directory_fsync_is_reported() {
    // After the rename the new file is in place; the directory fsync that
    // makes the rename durable fails: the command must not claim success.
    let s = scenarios()
        .into_iter()
        .find(|s| s.args.first() == Some(&"end"))
        .expect("end scenario");
    let (l, before, after) = before_after(&s);
    let d = run_with(&l, s.args, "atomic::after_rename=return(EIO)");
    assert_eq!(d.code, Some(1), "{}", d.stderr);
    assert!(d.stderr.contains(EIO_TEXT), "{}", d.stderr);
    assert_before_or_after(&durable(&l), &before, &after, "dir fsync EIO");
    assert!(temps(&l).is_empty());
}

#[test]
fn a_read_only_directory_is_a_clear_failure() {
    use std::os::unix::fs::PermissionsExt;
    if !permissions_enforced() {
        eprintln!(
            "skipped: permissions are not enforced here (root); the injected EACCES/EROFS cases cover it"
        );
        return;
    }
    for (dir, args) in [
        ("contracts", vec!["end", "f1", "--pay", "full", "--yes"]),
        ("contracts", new_args("n1", "--fixed", "100")),
        (".", vec!["end", "f1", "--pay", "full", "--yes"]),
    ] {
        let l = Ledger::new();
        l.fixed("f1", "500");
        let snap = l.snapshot();
        let p = l.file(dir);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o500)).expect("chmod");
        let r = l.run(&args);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o700)).expect("chmod");
        assert_eq!(r.code, 1, "{dir} read-only, {args:?}\n{}", r.stderr);
        assert!(r.stderr.contains("Permission denied"), "{}", r.stderr);
        assert!(l.snapshot() == snap, "{dir} read-only: files changed");
    }
}

#[test]
fn a_read_only_file_is_a_clear_failure() {
    use std::os::unix::fs::PermissionsExt;
    let l = Ledger::new();
    l.fixed("f1", "500");
    let p = l.file("contracts/f1.toml");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).expect("chmod");
    let snap = l.snapshot();
    let r = l.run(&["end", "f1", "--pay", "full", "--yes"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("read-only") || r.stderr.contains("Permission denied"),
        "{}",
        r.stderr
    );
    assert!(l.snapshot() == snap, "files changed");
}

// ------------------------------------------------------------ 6. arguments

/// Hostile values for an argument slot.
fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "-",
        "--",
        "0",
        "-1",
        "-0.01",
        "0.001",
        "1e9",
        "NaN",
        "inf",
        "0x10",
        "1,000.00",
        "99999999999999999999999999999999",
        "18446744073709551616",
        "9223372036854775807",
        "4294967296",
        "nope",
        "c999",
        "../ledger",
        "/etc/passwd",
        "a/b",
        "c1/",
        "c1/2026W47-999",
        "x/../../y",
        "2026-13-45T99:99:99Z",
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "-2026-01-01",
        "25:61",
        "2026-W99",
        "2026-W00",
        "\u{1b}[31mred\u{1b}[0m",
        "bell\u{7}\u{8}\r\n\t",
        "\u{202e}gnp.exe",
        "\u{feff}c1",
        "💥",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(10_000));
    v.push("9".repeat(10_000));
    v
}

/// Every command with a `{}` where a hostile value goes. `FREE` marks a
/// free-text slot, where a hostile value may be accepted (and must then be
/// stored safely).
const FREE: &str = "FREE";

fn forms() -> Vec<Vec<&'static str>> {
    let f: &[&[&str]] = &[
        &["init", "--currency", "{}"],
        &["init", "--fee-percent", "{}"],
        &["init", "--role", "{}"],
        &[
            "new",
            "--id",
            "{}",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "100",
        ],
        &[
            "new",
            "--title",
            "{}",
            FREE,
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "100",
        ],
        &[
            "new",
            "--title",
            "T",
            "--client",
            "{}",
            FREE,
            "--freelancer",
            "B",
            "--hourly",
            "40",
        ],
        &[
            "new",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "{}",
        ],
        &[
            "new",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "{}",
        ],
        &[
            "new",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--hourly",
            "40",
            "--weekly-limit",
            "{}",
        ],
        &[
            "new",
            "--title",
            "T",
            "--client",
            "A",
            "--freelancer",
            "B",
            "--fixed",
            "100",
            "--milestone",
            "{}",
        ],
        &["show", "{}"],
        &["log", "{}"],
        &["end", "{}", "--yes"],
        &["end", "f1", "--pay", "{}", "--yes"],
        &["end", "f1", "--reason", "{}", "--yes"],
        &["end", "h1", "--note", "{}", FREE, "--yes"],
        &["pause", "{}"],
        &["resume", "{}"],
        &["limit", "h1", "{}"],
        &["limit", "{}", "20"],
        &["milestone", "add", "f1", "--title", "M", "--amount", "{}"],
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "{}",
            FREE,
            "--amount",
            "50",
        ],
        &["milestone", "fund", "f1", "{}"],
        &["milestone", "submit", "f1", "{}"],
        &["milestone", "approve", "f1", "--amount", "{}"],
        &["milestone", "request-changes", "{}"],
        &["milestone", "list", "{}"],
        &["refund", "request", "f1", "--amount", "{}"],
        &["refund", "request", "{}"],
        &["refund", "approve", "{}"],
        &["refund", "dispute", "f2", "--note", "{}", FREE],
        &[
            "refund",
            "resolve",
            "f1",
            "--client",
            "{}",
            "--freelancer",
            "1",
        ],
        &["refund", "give", "f1", "--amount", "{}"],
        &["feedback", "give", "e1", "--stars", "{}"],
        &[
            "feedback",
            "give",
            "e1",
            "--stars",
            "5",
            "--comment",
            "{}",
            FREE,
        ],
        &["feedback", "reply", "{}", "--text", "x"],
        &["feedback", "show", "{}"],
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "{}",
            "--to",
            "2026-11-16T10:00:00Z",
            "--memo",
            "m",
        ],
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-16T09:00:00Z",
            "--to",
            "{}",
            "--memo",
            "m",
        ],
        &[
            "diary",
            "log",
            "h1",
            "--at",
            "2026-11-16T09:00:00Z",
            "--duration",
            "{}",
            "--memo",
            "m",
        ],
        &[
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-17T09:00:00Z",
            "--to",
            "2026-11-17T09:05:00Z",
            "--memo",
            "{}",
            FREE,
        ],
        &["diary", "start", "{}", "--memo", "m"],
        &["diary", "stop", "{}"],
        &["diary", "edit", "{}", "--memo", "m"],
        &["diary", "rm", "{}"],
        &["diary", "show", "--week", "{}"],
        &["diary", "show", "--from", "{}", "--to", "2026-11-30"],
        &["diary", "dispute", "h1", "--week", "{}", "--reason", "r"],
        &["diary", "import", "{}"],
        &["sweep", "--lock-timeout", "{}"],
        &["list", "--color", "{}"],
        &["check", "--as", "{}"],
        &["--now", "{}", "sweep"],
        &["--now", "{}", "end", "f1", "--yes"],
    ];
    f.iter().map(|v| v.to_vec()).collect()
}

/// Whether `s` is a valid contract id (SPEC §4: letters, digits, `-`, `_`;
/// at most 32 characters).
fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[test]
fn hostile_arguments_get_a_usage_not_found_or_refusal_never_a_panic() {
    let l = Ledger::new();
    l.fixed("f1", "500");
    l.fixed("f2", "500");
    l.run(&["refund", "request", "f2", "--amount", "100"]).ok();
    l.hourly("h1");
    l.fixed("e1", "300");
    l.run(&["end", "e1", "--pay", "full", "--yes"]).ok();
    let mut runs = 0;
    let mut accepted = 0;
    let mut failures = Vec::new();
    let t0 = Instant::now();
    // A working copy, replaced whenever a run changed it.
    let mut work = copy_of(&l);
    for form in forms() {
        let free = form.contains(&FREE);
        let id_slot = form.windows(2).any(|w| w == ["--id", "{}"]);
        for value in hostile() {
            let args: Vec<&str> = form
                .iter()
                .filter(|a| **a != FREE)
                .map(|a| if *a == "{}" { value.as_str() } else { a })
                .collect();
            // `init` needs a directory without a ledger.
            let fresh;
            let target = if form[0] == "init" {
                fresh = Ledger::empty();
                &fresh
            } else {
                &work
            };
            let before = target.snapshot();
            let r = target.run(&args);
            runs += 1;
            let shown: String = format!("{args:?}").chars().take(160).collect();
            let mut fail = |why: String| {
                failures.push(format!(
                    "{shown}: {why}\n  exit {}; stderr: {}",
                    r.code,
                    r.stderr.chars().take(300).collect::<String>()
                ))
            };
            if r.stderr.contains("panicked") {
                fail("panic".into());
                continue;
            }
            if [&r.stdout, &r.stderr]
                .iter()
                .any(|o| o.contains('\u{1b}') || o.contains('\u{7}'))
            {
                fail("raw control character printed".into());
            }
            // A hostile value may be accepted where it is free text, a
            // valid id, or an `init` setting; it must then be stored validly.
            // So may a plain number (a large price is still a price) and
            // the end-of-options markers.
            let plain_number = !value.is_empty()
                && value.len() <= 40
                && value.chars().all(|c| c.is_ascii_digit() || c == '.');
            let may_accept = free
                || form[0] == "init"
                || (id_slot && valid_id(&value))
                || plain_number
                || value == "-"
                || value == "--";
            // A missing import file is an I/O failure (exit 1).
            if form[..2] == ["diary", "import"]
                && r.code == 1
                && r.stderr.starts_with("error: cannot read ")
            {
                continue;
            }
            if r.code == 0 && may_accept {
                accepted += 1;
                let c = target.run(&["check"]);
                if c.code != 0 {
                    fail(format!("accepted but check fails: {}", c.stdout));
                }
                if target.snapshot() != before {
                    work = copy_of(&l);
                }
                continue;
            }
            if ![2, 3, 4].contains(&r.code) {
                fail("exit code not 2, 3 or 4".into());
                continue;
            }
            if r.stderr.trim().len() < 10 {
                fail("no message".into());
            }
            if target.snapshot() != before {
                fail("files changed".into());
                work = copy_of(&l);
            }
        }
    }
    eprintln!(
        "hostile arguments: {runs} runs, {accepted} values accepted (free text, valid ids) and stored validly, {} failures, {:.1}s",
        failures.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn arguments_that_are_not_utf8_are_a_usage_error() {
    use std::os::unix::ffi::OsStrExt;
    let l = Ledger::new();
    l.fixed("f1", "500");
    let before = l.snapshot();
    let bad = std::ffi::OsStr::from_bytes(b"c\xff\xfe1");
    for args in [
        vec![std::ffi::OsStr::new("show"), bad],
        vec![
            std::ffi::OsStr::new("end"),
            bad,
            std::ffi::OsStr::new("--yes"),
        ],
        vec![
            std::ffi::OsStr::new("milestone"),
            std::ffi::OsStr::new("add"),
            std::ffi::OsStr::new("f1"),
            std::ffi::OsStr::new("--title"),
            bad,
            std::ffi::OsStr::new("--amount"),
            std::ffi::OsStr::new("10"),
        ],
    ] {
        let o = l
            .cmd(&[])
            .args(&args)
            .write_stdin("")
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(l.snapshot() == before);
    }
}
