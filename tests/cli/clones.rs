//! Proof by simulation (issue 21, SPEC §7): three clones of one shared,
//! signed ledger — the client (Acme), the client's second machine (same
//! key), the freelancer (Ann, her own key) — make random operations with
//! per-clone clock skew, sync in random order, have `sync` SIGKILLed at
//! random moments, and the freelancer now and then backdates an operation
//! (she resets her clone and records an act dated before one she already
//! pushed) or forges a commit signed with her own key. After final rounds
//! of `sync` every honest clone holds the same tracked files byte for byte, `check` and `verify` pass there, every
//! operation an honest clone printed is in every honest clone's `log`
//! (applied, or superseded with its reason), every backdated operation is
//! superseded, every forged commit was refused, and the fixed-price
//! contract's money equals the independent model (`model.rs`) run on the
//! merged order. Along the way: every command exits 0, 3 or 4, a refused
//! one leaves its clone as it was, every sync leaves a ledger `check`
//! accepts with nothing uncommitted, and the sync after a killed one
//! completes it. `merging_in_either_order_gives_the_same_bytes` merges two
//! copies of the same clones in the two orders.
//!
//! `CONTRACTS_SIM_SEED=N` replays a run (kills make a replay depend on
//! timing: `CONTRACTS_SIM_KILLS=0` turns them off); `CONTRACTS_CLONES_STEPS=N`
//! sets the number of steps; `CONTRACTS_LONG=1` runs at least 10,000
//! operations and 500 landed kills (`CONTRACTS_CLONES_KILLS=N`: N landed
//! kills); `CONTRACTS_CLONES_STRICT=0` and `CONTRACTS_CLONES_FORGE=0` leave
//! parts of the mix out (see `strict` and `forge_on`).

use crate::git::{forge, git, key, remote_and_clone};
use crate::harness::{Ledger, Run};
use crate::model::{DAY, Instant, MINUTE, monday};
use crate::reliability::{Rng, env_number, long, sim_seed, std_cmd};
use crate::simulation::{rfc, ts, week_name};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

/// The default seed of CI runs.
const CI_SEED: u64 = 20_261_206;
/// Steps of one history: a long run is several of them, each from setup.
const PER_RUN: usize = 400;

const A: usize = 0;
const A2: usize = 1;
const F: usize = 2;
const NAMES: [&str; 3] = ["A (Acme)", "A2 (Acme's second machine)", "F (Ann)"];

/// Whether forgeries are in the random mix (the default;
/// `CONTRACTS_CLONES_FORGE=0` leaves them out).
fn forge_on() -> bool {
    std::env::var("CONTRACTS_CLONES_FORGE").map_or(true, |v| v != "0")
}

/// Whether the whole mix and every assertion is in (the default;
/// `CONTRACTS_CLONES_STRICT=0` leaves out what three defects, now fixed,
/// once made fail):
/// - both of the client's desks act on the fixed-price f1, and Ann backdates
///   operations on f1
///   (`a_merge_of_a_merge_that_set_a_backdated_operation_aside_passes_check`);
/// - a clone that learns of a backdated operation by a real merge (with a
///   commit of its own) must exit 4, as one that fast-forwards must
///   (`a_clone_with_work_of_its_own_that_first_learns_of_a_backdated_operation_reports_it`);
/// - a killed sync is killed with every git it started
///   (`a_sync_killed_with_its_git_leaves_a_ledger_the_next_command_writes`).
fn strict() -> bool {
    std::env::var("CONTRACTS_CLONES_STRICT").map_or(true, |v| v != "0")
}

/// Removes every `*.lock` file of the bare repository `dir` (at its top
/// and under `refs/`).
fn remove_locks(dir: &Path) {
    fn walk(dir: &Path, deep: bool) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() && (deep || name == "refs") {
                walk(&p, true);
            } else if name.ends_with(".lock") {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    walk(dir, false);
}

/// Whether kills are on (`CONTRACTS_SIM_KILLS=0` turns them off).
fn kills_on() -> bool {
    std::env::var("CONTRACTS_SIM_KILLS").map_or(true, |v| v != "0")
}

/// Every tracked file of a clone: `git ls-tree -r HEAD` and each file's
/// bytes in the work tree — the whole tree, not single files.
fn whole_tree(dir: &Path) -> (String, BTreeMap<String, Vec<u8>>) {
    let listing = git(dir, &["ls-tree", "-r", "HEAD"]);
    let files = git(dir, &["ls-files"])
        .lines()
        .map(|p| {
            let bytes = std::fs::read(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
            (p.to_string(), bytes)
        })
        .collect();
    (listing, files)
}

/// The files of a clone outside `.git`, and its HEAD: what a refused
/// command must leave as it was.
fn state(dir: &Path) -> (String, BTreeMap<String, Vec<u8>>) {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("prefix").display().to_string();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    (git(dir, &["rev-parse", "HEAD"]), files)
}

#[derive(Default, Debug, Clone)]
struct Stats {
    steps: usize,
    accepted: usize,
    refused: usize,
    syncs: usize,
    syncs_set_aside: usize,
    kills: usize,
    kills_landed: usize,
    backdated: usize,
    forged: usize,
    superseded: usize,
    rounds: usize,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.steps += o.steps;
        self.accepted += o.accepted;
        self.refused += o.refused;
        self.syncs += o.syncs;
        self.syncs_set_aside += o.syncs_set_aside;
        self.kills += o.kills;
        self.kills_landed += o.kills_landed;
        self.backdated += o.backdated;
        self.forged += o.forged;
        self.superseded += o.superseded;
        self.rounds += o.rounds;
    }
}

struct Sim {
    seed: u64,
    rng: Rng,
    step: usize,
    steps: usize,
    /// The simulated world clock; each clone reads it with its skew.
    t: Instant,
    clones: Vec<Ledger>,
    skew: [i64; 3],
    _keys: tempfile::TempDir,
    bare: tempfile::TempDir,
    /// Operation ids printed by honest commands, with what printed them.
    ids: BTreeMap<String, String>,
    /// Diary entries (`h1/2026W46-2`) printed by honest commands.
    entries: BTreeSet<String>,
    /// Operation ids the freelancer backdated.
    backdated: BTreeSet<String>,
    /// Forged commits (short hashes) and whether a receiving sync refused
    /// each.
    forged: Vec<(String, String)>,
    /// Whether F has forged (then F is not an honest clone).
    f_forged: bool,
    /// A clone whose last sync was killed: its next sync must complete it.
    killed: [bool; 3],
    /// A clone that must report (exit 4) the backdated or forged operations
    /// at its next completed sync.
    to_report: [bool; 3],
    /// A clone whose next completed sync meets a forged commit: named there
    /// (exit 4, `rejected`) unless another clone's merge left it out first.
    to_name: [bool; 3],
    /// Forged commits a sync named (left out as rejected).
    named: BTreeSet<String>,
    /// How long a sync takes, in µs (for the kill's delay).
    sync_us: u64,
    stats: Stats,
    trace: Vec<String>,
}

impl Sim {
    fn fail(&self, what: &str) -> ! {
        if let Some(keep) = std::env::var_os("CONTRACTS_CLONES_KEEP") {
            // The clones and the remote as they are, for a look.
            let keep = Path::new(&keep);
            for (i, l) in self.clones.iter().enumerate() {
                crate::harness::copy_dir(l.path(), &keep.join(["a", "a2", "f"][i]));
            }
            crate::harness::copy_dir(self.bare.path(), &keep.join("bare"));
        }
        let from = self.trace.len().saturating_sub(30);
        panic!(
            "clones simulation failed: {what}\n  the last steps:\n{}\n  seed: CONTRACTS_SIM_SEED={} (step {} of {}, world clock {})\n  replay: CONTRACTS_SIM_SEED={} CONTRACTS_CLONES_STEPS={} cargo test --test cli clones (CONTRACTS_SIM_KILLS=0 for a replay independent of timing)",
            self.trace[from..].join("\n"),
            self.seed,
            self.step,
            self.steps,
            rfc(self.t),
            self.seed,
            self.steps
        );
    }

    fn below(&mut self, n: u64) -> u64 {
        self.rng.below(n)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn now(&self, c: usize) -> Instant {
        self.t + self.skew[c]
    }

    fn honest(&self, c: usize) -> bool {
        c != F || !self.f_forged
    }

    /// Runs `args` in clone `c` at its clock (`--as freelancer` in F).
    fn run(&mut self, c: usize, args: &[&str]) -> Run {
        self.run_at(c, self.now(c), args)
    }

    fn run_at(&mut self, c: usize, now: Instant, args: &[&str]) -> Run {
        let mut all: Vec<&str> = Vec::new();
        if c == F {
            all.extend(["--as", "freelancer"]);
        }
        all.extend_from_slice(args);
        let r = self.clones[c].run_at(&rfc(now), &all);
        let mut line = format!(
            "[{}] {} --now {} {}: exit {}",
            self.step,
            NAMES[c],
            rfc(now),
            all.join(" "),
            r.code
        );
        if r.code != 0 {
            let first = r.stderr.lines().next().unwrap_or("").to_string();
            line.push_str(&format!(
                " — {}",
                first.chars().take(300).collect::<String>()
            ));
        }
        if std::env::var_os("CONTRACTS_SIM_TRACE").is_some() {
            eprintln!("{line}");
        }
        self.trace.push(line);
        if r.stderr.contains("panicked") {
            self.fail(&format!("a panic:\n{}", r.stderr));
        }
        r
    }

    // ---------------------------------------------------------- commands

    /// Runs a mutating command in clone `c`: exit 0, 3 or 4; a refused one
    /// leaves the clone as it was; an accepted one commits all it wrote.
    /// Returns the ids of the operations it printed (`None`: refused).
    fn mutate(&mut self, c: usize, args: &[String]) -> Option<Vec<String>> {
        self.mutate_at(c, self.now(c), args)
    }

    fn mutate_at(&mut self, c: usize, now: Instant, args: &[String]) -> Option<Vec<String>> {
        let dir = self.clones[c].path().to_path_buf();
        let before = state(&dir);
        let mut all = vec!["--json"];
        all.extend(args.iter().map(String::as_str));
        let r = self.run_at(c, now, &all);
        // The forger's own files are forged: `check` refuses them there.
        let forger = !self.honest(c) && r.code == 5;
        if !matches!(r.code, 0 | 3 | 4) && !forger {
            self.fail(&format!(
                "exit {} (only 0, 3 or 4 are right here)\n--- stdout\n{}\n--- stderr\n{}",
                r.code, r.stdout, r.stderr
            ));
        }
        if r.code != 0 {
            self.stats.refused += 1;
            // After a killed sync, a command first puts back what that sync
            // half wrote: the clone is then as its HEAD has it.
            if self.killed[c] {
                let status = git(&dir, &["status", "--porcelain"]);
                if !status.trim().is_empty() {
                    self.fail(&format!(
                        "refused (exit {}) after a killed sync, and left changes: {status}\n{}",
                        r.code, r.stderr
                    ));
                }
            } else if state(&dir) != before {
                self.fail(&format!(
                    "refused (exit {}) but the clone changed: {}",
                    r.code, r.stderr
                ));
            }
            return None;
        }
        self.stats.accepted += 1;
        // (After a killed sync, what it wrote is the next sync's to
        // complete: see `sync`.)
        let status = git(&dir, &["status", "--porcelain", "--untracked-files=no"]);
        if !status.is_empty() && !self.killed[c] {
            self.fail(&format!("accepted, but left uncommitted:\n{status}"));
        }
        let v: Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| self.fail(&format!("stdout is not JSON ({e}): {}", r.stdout)));
        let role = if c == F { "freelancer" } else { "client" };
        let mut ids = Vec::new();
        for e in v["events"].as_array().cloned().unwrap_or_default() {
            // `ID.2`, `ID.3`: what the operation `ID` came to (a timer it
            // stopped, ...), derived again by each merge's fold: the
            // operation is what every clone must keep.
            if e["actor"] == role
                && let Some(id) = e["id"].as_str()
            {
                let op = id.split('.').next().unwrap_or(id).to_string();
                if !ids.contains(&op) {
                    ids.push(op);
                }
            }
        }
        if let Some(entry) = v["entry"]["id"].as_str()
            && self.honest(c)
        {
            self.entries.insert(entry.to_string());
        }
        if self.honest(c) {
            for id in &ids {
                self.ids.insert(
                    id.clone(),
                    format!("step {} {}: {}", self.step, NAMES[c], args.join(" ")),
                );
            }
        }
        Some(ids)
    }

    fn amount(&mut self) -> String {
        format!("{}", 10 + self.below(190))
    }

    /// A random command the party of clone `c` may make.
    fn command(&mut self, c: usize) -> Vec<String> {
        let now = self.now(c);
        let end_phase = self.step * 10 >= self.steps * 9;
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        if self.chance(6) {
            return s(&["sweep"]);
        }
        if c == F {
            match self.below(if end_phase { 9 } else { 8 }) {
                0..=2 => {
                    // A past interval in the current week.
                    let week = monday(now);
                    let back = (20 + self.below(30 * 60)) as i64 * MINUTE;
                    let from = (now - back).max(week) / MINUTE * MINUTE;
                    let to = from + (15 + self.below(165)) as i64 * MINUTE;
                    if to > now - MINUTE {
                        return s(&["sweep"]);
                    }
                    s(&[
                        "diary",
                        "log",
                        "h1",
                        "--from",
                        &rfc(from),
                        "--to",
                        &rfc(to),
                        "--memo",
                        "work",
                    ])
                }
                3 => s(&["diary", "start", "h1", "--memo", "on it"]),
                4 => s(&["diary", "stop", "h1"]),
                5 => s(&["milestone", "submit", "f1"]),
                6 => {
                    if self.chance(50) {
                        s(&["refund", "approve", "f1"])
                    } else {
                        s(&["refund", "dispute", "f1"])
                    }
                }
                7 => s(&[
                    "diary",
                    "dispute",
                    "h1",
                    "--week",
                    &week_name(monday(now) - 7 * DAY),
                    "--decline",
                ]),
                _ => {
                    let id = if self.chance(50) { "f1" } else { "h1" };
                    s(&["feedback", "give", id, "--stars", "4", "--comment", "fine"])
                }
            }
        } else if c == A2 && !strict() {
            // See `strict`: the second desk keeps to h1.
            match self.below(if end_phase { 6 } else { 5 }) {
                0 => s(&["pause", "h1"]),
                1 => s(&["resume", "h1"]),
                2 => s(&[
                    "diary",
                    "dispute",
                    "h1",
                    "--week",
                    &week_name(monday(now) - 7 * DAY),
                    "--reason",
                    "too long",
                ]),
                3 => s(&["limit", "h1", &format!("{}", 5 + self.below(30))]),
                4 => s(&["diary", "show", "h1"]),
                _ => s(&["end", "h1", "--yes"]),
            }
        } else {
            match self.below(if end_phase { 10 } else { 9 }) {
                0 => s(&["pause", "h1"]),
                1 => s(&["resume", "h1"]),
                2 => {
                    let mut v = s(&["milestone", "approve", "f1"]);
                    if self.chance(40) {
                        let a = self.amount();
                        v.extend(s(&["--amount", &a]));
                    }
                    v
                }
                3 => s(&["milestone", "fund", "f1"]),
                4 => {
                    let a = self.amount();
                    let mut v = s(&["milestone", "add", "f1", "--title", "more", "--amount", &a]);
                    if self.chance(50) {
                        v.push("--fund".into());
                    }
                    v
                }
                5 => {
                    let a = self.amount();
                    s(&["refund", "request", "f1", "--amount", &a])
                }
                6 => s(&[
                    "diary",
                    "dispute",
                    "h1",
                    "--week",
                    &week_name(monday(now) - 7 * DAY),
                    "--reason",
                    "too long",
                ]),
                7 => s(&["limit", "h1", &format!("{}", 5 + self.below(30))]),
                8 => s(&["diary", "show", "h1"]),
                _ => {
                    if self.chance(50) {
                        let pay = if self.chance(50) { "none" } else { "full" };
                        s(&["end", "f1", "--yes", "--pay", pay])
                    } else {
                        s(&["end", "h1", "--yes"])
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------- sync

    /// A sync in clone `c`, whole: exit 0 or 4 (operations set aside).
    fn sync(&mut self, c: usize) -> Run {
        let dir = self.clones[c].path().to_path_buf();
        // Whether this clone has commits of its own to merge (see `strict`).
        let head = git(&dir, &["rev-parse", "HEAD"]);
        let fast_forward = std::process::Command::new("git")
            .arg("-C")
            .arg(self.bare.path())
            .args(["merge-base", "--is-ancestor", head.trim(), "HEAD"])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .is_ok_and(|o| o.status.success());
        let t0 = std::time::Instant::now();
        let r = self.run(c, &["--json", "sync"]);
        let us = t0.elapsed().as_micros() as u64;
        self.sync_us = (self.sync_us * 3 + us) / 4;
        self.stats.syncs += 1;
        // (The forger's own sync may find its forged files: exit 5.)
        let forger = r.code == 5 && !self.honest(c);
        if !matches!(r.code, 0 | 4) && !forger {
            self.fail(&format!(
                "{} sync exited {}\n--- stdout\n{}\n--- stderr\n{}",
                NAMES[c], r.code, r.stdout, r.stderr
            ));
        }
        if r.code == 4 {
            self.stats.syncs_set_aside += 1;
            let err = r.json_err();
            let reason = err["error"]["reason"].as_str().unwrap_or("");
            // Until rejection lands, a forgery makes `sync` refuse the whole
            // incoming branch (`unverified`); SPEC: merged as rejected.
            if reason != "set_aside"
                && !(self.f_forged && matches!(reason, "unverified" | "rejected"))
            {
                self.fail(&format!("sync refused for `{reason}`: {err}"));
            }
        }
        let report = std::mem::take(&mut self.to_report[c]);
        if report && r.code != 4 && (fast_forward || strict()) {
            self.fail(&format!(
                "{}'s sync learned of a backdated or forged operation but exited {}",
                NAMES[c], r.code
            ));
        }
        let meets = std::mem::take(&mut self.to_name[c]);
        if self.honest(c) {
            // Named by any honest clone's sync, even one whose duty to name
            // it was forgotten with a killed sync before it.
            for (rev, _) in self.forged.clone() {
                if r.stderr.contains(&rev) {
                    self.named.insert(rev);
                }
            }
        }
        if (report || meets) && self.honest(c) {
            // A forged commit is named by the first sync that meets it and
            // leaves it out; a clone that learns of it through that merge
            // takes the merge as it is. A sync killed once it had merged
            // named it in its merge commit only.
            for (rev, _) in self.forged.clone() {
                if !self.named.contains(&rev) && self.left_out_by_a_merge(c, &rev) {
                    self.named.insert(rev.clone());
                }
                if !self.named.contains(&rev) {
                    self.fail(&format!(
                        "{}'s sync met forged commit {rev} without naming it: {}",
                        NAMES[c], r.stderr
                    ));
                }
            }
        }
        if std::mem::take(&mut self.killed[c]) {
            self.assert_whole(c, "the sync after a killed one");
        } else {
            self.assert_whole(c, "a sync");
        }
        for leftover in [".git/MERGE_HEAD", ".git/index.lock"] {
            if dir.join(leftover).exists() {
                self.fail(&format!("{leftover} left by a whole sync in {}", NAMES[c]));
            }
        }
        r
    }

    /// Whether a merge in `c`'s history left out the commit `rev` (its
    /// message names it as rejected).
    fn left_out_by_a_merge(&self, c: usize, rev: &str) -> bool {
        std::process::Command::new("git")
            .args(["log", "--merges", "--format=%B", "HEAD"])
            .current_dir(self.clones[c].path())
            .output()
            .is_ok_and(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l.starts_with("Rejected: ") && l.contains(rev))
            })
    }

    /// No merge half done, nothing left uncommitted, `check` passes.
    fn assert_whole(&mut self, c: usize, what: &str) {
        if !self.honest(c) {
            return;
        }
        let dir = self.clones[c].path().to_path_buf();
        for leftover in [".git/MERGE_HEAD", ".git/index.lock"] {
            if dir.join(leftover).exists() {
                self.fail(&format!("{what}: {leftover} left in {}", NAMES[c]));
            }
        }
        let status = git(&dir, &["status", "--porcelain", "--untracked-files=no"]);
        if !status.is_empty() {
            self.fail(&format!(
                "{what}: left uncommitted in {}:\n{status}",
                NAMES[c]
            ));
        }
        let r = self.run(c, &["check"]);
        if r.code != 0 {
            self.fail(&format!(
                "{what}: check exited {}: {}{}",
                r.code, r.stdout, r.stderr
            ));
        }
    }

    /// A sync in clone `c` SIGKILLed (with every git it started) after a
    /// random delay.
    fn killed_sync(&mut self, c: usize) {
        use std::os::unix::process::{CommandExt, ExitStatusExt};
        self.stats.kills += 1;
        let l = &self.clones[c];
        let mut args = Vec::new();
        if c == F {
            args.extend(["--as", "freelancer"]);
        }
        args.push("sync");
        let mut cmd = std_cmd(l, &rfc(self.now(c)), &args);
        cmd.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0);
        let mut child = cmd.spawn().expect("spawn sync");
        let full = self.sync_us.max(1000);
        let delay = self.below(full + full / 5 + 1);
        std::thread::sleep(Duration::from_micros(delay));
        let alive = child.try_wait().expect("try_wait").is_none();
        let group = format!("-{}", child.id());
        if alive && strict() {
            // The sync and every git it started, all at once.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &group])
                .status();
        } else if alive {
            let _ = child.kill();
        }
        let status = child.wait().expect("wait");
        // A git the sync started runs to its end (see `strict`): wait for
        // it, so that it holds no lock when the next command runs.
        let mut polls = 0;
        while std::process::Command::new("kill")
            .args(["-0", "--", &group])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            polls += 1;
            assert!(polls < 10_000, "a git started by a killed sync never ends");
            std::thread::sleep(Duration::from_millis(1));
        }
        let landed = alive && status.signal() == Some(9);
        // The remote is a directory here, its `git-receive-pack` a child of
        // the killed push, killed with it: a server's would live on and
        // finish its ref update. Its locks go, as that server would leave
        // none (seed 392192269 of the long run: every later push failed on
        // the bare remote's `refs/heads/master.lock`).
        if landed {
            remove_locks(self.bare.path());
        }
        let line = format!(
            "[{}] {} --now {} sync killed after {delay}µs: {}",
            self.step,
            NAMES[c],
            rfc(self.now(c)),
            if landed { "landed" } else { "it had finished" }
        );
        if std::env::var_os("CONTRACTS_SIM_TRACE").is_some() {
            eprintln!("{line}");
        }
        self.trace.push(line);
        if landed {
            self.stats.kills_landed += 1;
            self.killed[c] = true;
            // Whether it learned of what it had to report is unknown now.
            self.to_report[c] = false;
            self.to_name[c] = false;
            if self.clones[c].path().join(".git/MERGE_HEAD").exists() {
                self.fail(&format!("a killed sync left a git merge in {}", NAMES[c]));
            }
        } else if !matches!(status.code(), Some(0 | 4)) {
            self.fail(&format!("an unkilled sync exited {:?}", status.code()));
        } else {
            self.to_report[c] = false;
            self.to_name[c] = false;
        }
    }

    // ---------------------------------------------------------- the freelancer's misdeeds

    /// Ann resets her clone to before her latest contract operation (which
    /// the remote has) and records another dated before it: backdated.
    fn backdate(&mut self) {
        let dir = self.clones[F].path().to_path_buf();
        if git(self.bare.path(), &["rev-parse", "HEAD"]) != git(&dir, &["rev-parse", "HEAD"]) {
            // Everything of hers pushed first: the reset loses nothing.
            self.sync(F);
        }
        let head = git(&dir, &["rev-parse", "HEAD"]);
        if git(self.bare.path(), &["rev-parse", "HEAD"]) != head {
            return;
        }
        let log = git(
            &dir,
            &[
                "log",
                "--no-merges",
                "--author=Ann",
                "--format=%H %at %s",
                "-20",
            ],
        );
        // (f1 only in strict runs: see `strict`.)
        let Some((x, tx, subject)) = log.lines().find_map(|l| {
            let mut p = l.splitn(3, ' ');
            let (h, t, s) = (p.next()?, p.next()?, p.next()?);
            ((strict() && s.starts_with("f1: ")) || s.starts_with("h1: "))
                .then(|| (h.to_string(), t.parse::<i64>().ok(), s.to_string()))
                .and_then(|(h, t, s)| Some((h, t?, s)))
        }) else {
            return;
        };
        let parent = format!("{x}^");
        let tp: i64 = git(&dir, &["log", "-1", "--format=%at", &parent])
            .trim()
            .parse()
            .expect("instant");
        if tx - tp < 2 * MINUTE {
            return;
        }
        let tb = tp + 1 + self.below((tx - tp - 1) as u64) as i64;
        git(&dir, &["reset", "-q", "--hard", &parent]);
        self.trace.push(format!(
            "[{}] F resets to {} (before its `{subject}` at {}) to backdate",
            self.step,
            &parent,
            rfc(tx)
        ));
        // What she did then is likely allowed again before it; else another.
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let contract = &subject[..2];
        // The same contract: SPEC §7 names "an operation of the same party
        // in a concurrent commit"; the merge compares a contract's own.
        let mut tries = if contract == "f1" {
            vec![
                s(&["milestone", "submit", "f1"]),
                s(&["refund", "dispute", "f1"]),
                s(&["refund", "approve", "f1"]),
            ]
        } else {
            let week = |back: i64| week_name(monday(tb) - back * DAY);
            vec![
                s(&["diary", "dispute", "h1", "--week", &week(7), "--decline"]),
                s(&["diary", "dispute", "h1", "--week", &week(14), "--decline"]),
            ]
        };
        if subject.ends_with("offer_accepted") {
            tries.insert(0, s(&["accept", contract]));
        } else if subject.ends_with("feedback_given") {
            tries.insert(0, s(&["feedback", "give", contract, "--stars", "5"]));
        } else if subject.ends_with("refund_approved") {
            tries.swap(0, 2);
        } else if subject.ends_with("refund_disputed") {
            tries.swap(0, 1);
        }
        let mut got = None;
        for cmd in tries {
            if let Some(ids) = self.mutate_at(F, tb, &cmd)
                && !ids.is_empty()
            {
                got = Some(ids);
                break;
            }
        }
        let Some(ids) = got else {
            git(&dir, &["reset", "-q", "--hard", head.trim()]);
            return;
        };
        self.stats.backdated += 1;
        self.backdated.extend(ids);
        let r = self.sync(F);
        let m = r.stderr.clone();
        if r.code != 4 || !m.contains("backdated") {
            self.fail(&format!(
                "the sync that pushed a backdated operation exited {}: {m}",
                r.code
            ));
        }
        for c in [A, A2] {
            if !self.killed[c] {
                self.to_report[c] = true;
            }
        }
    }

    /// Ann forges f1 by hand, signed with her key, into a file the program
    /// reads (money conserves), which only the fold shows no operation
    /// explains: she releases the funded milestone to herself, or, with
    /// none funded, adds one funded from nowhere.
    fn forgery(&mut self) {
        let f1 = "contracts/f1.toml";
        let text = self.clones[F].read(f1);
        let Some(head) = text.find("\n[[history]]") else {
            return;
        };
        let at = rfc(self.now(F));
        let blocks: Vec<&str> = text[..head].split("\n[[milestones]]\n").collect();
        let funded = blocks.iter().enumerate().skip(1).find_map(|(n, b)| {
            // Funded, or submitted (its escrow still held).
            let status = ["funded", "submitted"]
                .into_iter()
                .find(|s| b.contains(&format!("status = \"{s}\"")))?;
            let amount = b.lines().find_map(|l| l.strip_prefix("funded = "))?;
            Some((n, status, amount.trim_matches('"').to_string()))
        });
        let forged = match funded {
            Some((n, status, amount)) => {
                let mut blocks: Vec<String> = blocks.iter().map(|b| b.to_string()).collect();
                blocks[n] = blocks[n].replacen(
                    &format!("status = \"{status}\""),
                    "status = \"released\"",
                    1,
                );
                format!(
                    "{}\n[[payments]]\nat = {at}\nmilestone = {n}\namount = \"{amount}\"\nfee = \"0.00\"\n{}",
                    blocks.join("\n[[milestones]]\n"),
                    &text[head..]
                )
            }
            None => {
                // After the last milestone, before what follows it.
                let Some(last) = text[..head].rfind("\n[[milestones]]\n") else {
                    return;
                };
                let after = text[last + 1..].find("\n[[").map_or(head, |i| last + 1 + i);
                format!(
                    "{}\n[[milestones]]\ntitle = \"forged\"\namount = \"100.00\"\nstatus = \"funded\"\nfunded = \"100.00\"\nfunded_at = {at}\n{}",
                    &text[..after],
                    &text[after..]
                )
            }
        };
        // A file the program refuses to read (an open refund holding more
        // than the escrow left) is no forgery that could pass: left alone.
        self.clones[F].write(f1, &forged);
        let readable = self.run(F, &["show", "f1"]).code == 0;
        self.clones[F].write(f1, &text);
        if !readable {
            return;
        }
        let rev = forge(&self.clones[F], f1, &forged);
        self.trace.push(format!(
            "[{}] F forges {rev} (milestone released)",
            self.step
        ));
        self.f_forged = true;
        self.stats.forged += 1;
        self.forged.push((rev.clone(), at));
        // `verify` names it (exit 4).
        let r = self.run(F, &["--json", "verify"]);
        if r.code != 4 || !r.stderr.contains(&format!("{rev}: ")) {
            self.fail(&format!(
                "verify in F exited {} after a forgery, naming {rev}? {}",
                r.code, r.stderr
            ));
        }
        self.sync(F);
        // Pushed: the client's clones must name it when they meet it.
        let pushed = std::process::Command::new("git")
            .args(["merge-base", "--is-ancestor", &rev, "HEAD"])
            .current_dir(self.bare.path())
            .status()
            .is_ok_and(|s| s.success());
        if !pushed {
            self.fail(&format!("F's sync did not push the forged commit {rev}"));
        }
        for c in [A, A2] {
            if !self.killed[c] {
                self.to_name[c] = true;
            }
        }
    }

    // ---------------------------------------------------------- the run

    fn step(&mut self) {
        // Minutes to hours pass.
        let adv = if self.chance(70) {
            5 + self.below(55)
        } else {
            60 + self.below(240)
        };
        self.t += adv as i64 * MINUTE;
        let c = self.below(3) as usize;
        if c == F && !self.f_forged && self.chance(8) {
            self.backdate();
        } else if c == F
            && forge_on()
            && !self.f_forged
            && self.step * 2 > self.steps
            && self.chance(10)
        {
            // In the second half of a history: she backdates in the first
            // (a forger is no longer an honest clone, and backdates no more).
            self.forgery();
        } else {
            let cmd = self.command(c);
            self.mutate(c, &cmd);
        }
        if self.chance(40) {
            self.t += MINUTE;
            let c = self.below(3) as usize;
            let kill_percent = if long() { 25 } else { 10 };
            if kills_on() && !self.killed[c] && self.chance(kill_percent) {
                self.killed_sync(c);
            } else {
                self.sync(c);
            }
        }
    }

    /// Every clone syncs in turn until two full rounds change nothing.
    fn converge(&mut self) {
        let mut quiet = 0;
        let mut heads = Vec::new();
        for _ in 0..12 {
            self.stats.rounds += 1;
            let mut codes = Vec::new();
            for c in [A, A2, F] {
                self.t += MINUTE;
                codes.push(self.sync(c).code);
            }
            let now: Vec<String> = self
                .clones
                .iter()
                .map(|l| git(l.path(), &["rev-parse", "HEAD"]))
                .collect();
            // A forger's clone is not asked to agree (see `assert_final`).
            let honest = [A, A2, F].map(|c| self.honest(c));
            let now: Vec<String> = now
                .into_iter()
                .zip(honest)
                .filter_map(|(h, ok)| ok.then_some(h))
                .collect();
            let codes: Vec<i32> = codes
                .into_iter()
                .zip(honest)
                .filter_map(|(code, ok)| ok.then_some(code))
                .collect();
            if now == heads && codes.iter().all(|&c| c == 0) {
                quiet += 1;
                if quiet == 2 {
                    return;
                }
            } else {
                quiet = 0;
            }
            heads = now;
        }
        self.fail("the clones did not converge in 12 rounds of sync");
    }

    /// Replays f1's merged history — its operations not superseded, in the
    /// file's order, each by its actor at its instant — into the
    /// independent model (`model.rs`), and compares the money with `show`.
    fn money_against_the_model(&mut self, c: usize) {
        use crate::model::{Model, Op, Pay, Role, Verdict};
        let text = self.clones[c].read("contracts/f1.toml");
        let doc: toml_edit::DocumentMut = text.parse().expect("f1 parses");
        let money = |v: Option<&toml_edit::Item>| -> Option<i64> {
            let s = v?.as_str()?;
            let (a, b) = s.split_once('.').unwrap_or((s, "00"));
            Some(a.parse::<i64>().ok()? * 100 + format!("{b:0<2}")[..2].parse::<i64>().ok()?)
        };
        let mut model = Model::default();
        let history = doc["history"]
            .as_array_of_tables()
            .expect("f1's history")
            .clone();
        let id = "f1".to_string();
        let mut replayed = Vec::new();
        for h in history.iter() {
            if h.get("superseded").is_some() {
                continue;
            }
            let event = h["event"].as_str().unwrap_or("");
            let at = ts(&h["at"].to_string().trim().replace(' ', "T"));
            let role = if h["actor"].as_str() == Some("freelancer") {
                Role::Freelancer
            } else {
                Role::Client
            };
            let n = h
                .get("milestone")
                .and_then(|v| v.as_integer())
                .map(|n| n as usize);
            let op = match event {
                "created" => Op::NewFixed {
                    id: id.clone(),
                    milestones: vec![money(h.get("price")).expect("price")],
                },
                "milestone_added" => Op::MilestoneAdd {
                    id: id.clone(),
                    amount: money(h.get("amount")).expect("amount"),
                    fund: h.get("fund").and_then(|v| v.as_bool()).unwrap_or(false),
                },
                "milestone_funded" => Op::MilestoneFund { id: id.clone(), n },
                "milestone_submitted" => Op::MilestoneSubmit { id: id.clone(), n },
                "milestone_approved" => Op::MilestoneApprove {
                    id: id.clone(),
                    n,
                    amount: money(h.get("asked")),
                },
                "refund_requested" => Op::RefundRequest {
                    id: id.clone(),
                    amount: money(h.get("asked")),
                },
                "refund_approved" => Op::RefundApprove { id: id.clone() },
                "refund_disputed" => Op::RefundDispute { id: id.clone() },
                "ended" => Op::End {
                    id: id.clone(),
                    pay: Some(if h.get("all").and_then(|v| v.as_bool()) == Some(true) {
                        Pay::Full
                    } else {
                        match money(h.get("asked")) {
                            Some(0) | None => Pay::Nothing,
                            Some(m) => Pay::Amount(m),
                        }
                    }),
                },
                // No money moves.
                "offer_accepted" | "feedback_given" | "feedback_published" => continue,
                other => self.fail(&format!("the model replay has no form for f1's `{other}`")),
            };
            let out = model.exec(&op, role, at);
            replayed.push(format!("{} {event} {:?}", rfc(at), out.verdict));
            match (out.verdict, out.next) {
                (Verdict::Refuse(_, why), _) => self.fail(&format!(
                    "{}: f1's merged history applies `{event}` at {} that the model refuses: {why}\n  replayed: {}",
                    NAMES[c],
                    rfc(at),
                    replayed.join("\n    ")
                )),
                (_, Some(next)) => model = next,
                (_, None) => unreachable!("accepted with no state"),
            }
        }
        let now = self.now(c);
        let want = model.view("f1", now).expect("f1").figures(now);
        let r = self.run(c, &["--json", "show", "f1"]);
        let v = r.json();
        let got = |k: &str| money(Some(&toml_edit::value(v[k].as_str().unwrap_or("?"))));
        let mut diffs = Vec::new();
        for (k, w) in [
            ("escrow", want.escrow),
            ("paid", want.paid),
            ("refunded", want.refunded),
            ("fee", want.fee),
            ("held", want.held),
        ] {
            if v.get(k).is_some() && got(k) != Some(w) {
                diffs.push(format!(
                    "{k}: {} in the ledger, {}.{:02} in the model",
                    v[k],
                    w / 100,
                    w % 100
                ));
            }
        }
        if !diffs.is_empty() {
            self.fail(&format!(
                "{}: f1's money differs from the model run on the merged order: {}\n  replayed: {}\n--- show\n{v:#}",
                NAMES[c],
                diffs.join("; "),
                replayed.join("\n    ")
            ));
        }
    }

    fn assert_final(&mut self) {
        let honest: Vec<usize> = [A, A2, F].into_iter().filter(|&c| self.honest(c)).collect();
        let trees: Vec<_> = honest
            .iter()
            .map(|&c| whole_tree(self.clones[c].path()))
            .collect();
        for (i, &c) in honest.iter().enumerate().skip(1) {
            if trees[i] != trees[0] {
                let (la, fa) = &trees[0];
                let (lb, fb) = &trees[i];
                let differ: Vec<&String> = fa
                    .keys()
                    .chain(fb.keys())
                    .filter(|k| fa.get(*k) != fb.get(*k))
                    .collect();
                self.fail(&format!(
                    "divergence: {} and {} hold different trees; files that differ: {differ:?}\n--- {}\n{la}\n--- {}\n{lb}",
                    NAMES[honest[0]], NAMES[c], NAMES[honest[0]], NAMES[c]
                ));
            }
        }
        for &c in &honest {
            self.assert_whole(c, "after the final rounds");
            self.money_against_the_model(c);
            let r = self.run(c, &["verify"]);
            if r.code != 0 {
                self.fail(&format!(
                    "verify in {} exited {}: {}",
                    NAMES[c], r.code, r.stderr
                ));
            }
            let r = self.run(c, &["--json", "log"]);
            if r.code != 0 {
                self.fail(&format!(
                    "log in {} exited {}: {}",
                    NAMES[c], r.code, r.stderr
                ));
            }
            let log: BTreeMap<String, Value> = r
                .json()
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|e| Some((e["id"].as_str()?.to_string(), e)))
                .collect();
            for (id, made) in &self.ids {
                let Some(e) = log.get(id) else {
                    self.fail(&format!(
                        "operation {id} ({made}) is not in {}'s log",
                        NAMES[c]
                    ));
                };
                let sup = &e["superseded"];
                if !sup.is_null() && sup.as_str().is_none_or(str::is_empty) && !sup.is_object() {
                    self.fail(&format!("{id} superseded with no reason: {e}"));
                }
            }
            for id in &self.backdated {
                let Some(e) = log.get(id) else {
                    self.fail(&format!("backdated {id} is not in {}'s log", NAMES[c]));
                };
                if e["superseded"].is_null() || !e["superseded"].to_string().contains("backdated") {
                    self.fail(&format!(
                        "backdated {id} is not superseded as backdated in {}: {e}",
                        NAMES[c]
                    ));
                }
            }
            if c == A {
                self.stats.superseded +=
                    log.values().filter(|e| !e["superseded"].is_null()).count();
            }
            for entry in &self.entries {
                let (contract, eid) = entry.split_once('/').expect("entry id");
                let week = format!("{}-W{}", &eid[..4], &eid[5..7]);
                let file = format!("diary/{week}/{contract}.toml");
                let text =
                    std::fs::read_to_string(self.clones[c].path().join(&file)).unwrap_or_default();
                if !text.contains(&format!("\"{eid}\"")) {
                    self.fail(&format!("entry {entry} is not in {}'s {file}", NAMES[c]));
                }
            }
        }
        // Every forged commit refused: none of its changes in an honest
        // clone (its payment to Ann, its milestone from nowhere, are
        // nowhere).
        for (rev, at) in self.forged.clone() {
            for &c in &honest {
                let r = self.run(c, &["--json", "show", "f1"]);
                let v = r.json();
                let paid = v["payments"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["at"] == at.as_str()));
                if paid
                    || self.clones[c]
                        .read("contracts/f1.toml")
                        .contains("\"forged\"")
                {
                    self.fail(&format!(
                        "forged commit {rev}: its payment at {at}, or its milestone, is in {}'s f1: {v:#}",
                        NAMES[c]
                    ));
                }
                // (It adds no operation, only state: nothing of it is
                // in the history to keep as superseded; it was named by the
                // sync that left it out, checked as it happened.)
            }
        }
    }
}

/// Three clones of a signed ledger with the hourly contract h1 and the
/// fixed-price f1 (500.00), both accepted by Ann and synced everywhere.
fn setup(seed: u64, steps: usize) -> Sim {
    let keys = tempfile::tempdir().expect("keys");
    let (acme_key, ann_key) = (key(keys.path(), "acme"), key(keys.path(), "ann"));
    let a = Ledger::empty();
    a.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    git(a.path(), &["config", "user.signingkey", &acme_key]);
    a.run_at(
        "2026-11-02T08:01:00Z",
        &["party", "add", "Acme", "--key", &format!("{acme_key}.pub")],
    )
    .ok();
    let (bare, f) = remote_and_clone(&a);
    git(f.path(), &["config", "user.signingkey", &ann_key]);
    f.run_at(
        "2026-11-02T08:02:00Z",
        &["party", "add", "Ann", "--key", &format!("{ann_key}.pub")],
    )
    .ok();
    f.run_at("2026-11-02T08:03:00Z", &["sync"]).ok();
    a.run_at("2026-11-02T08:04:00Z", &["sync"]).ok();
    let new = |id: &str, at: &str, kind: &[&str]| {
        let mut args = vec![
            "new",
            "--id",
            id,
            "--title",
            "Work",
            "--client",
            "Acme",
            "--freelancer",
            "Ann",
        ];
        args.extend_from_slice(kind);
        a.run_at(at, &args).ok();
    };
    new(
        "h1",
        "2026-11-02T09:00:00Z",
        &["--hourly", "50", "--weekly-limit", "20"],
    );
    new("f1", "2026-11-02T09:01:00Z", &["--fixed", "500"]);
    a.run_at("2026-11-02T09:02:00Z", &["sync"]).ok();
    f.run_at("2026-11-02T09:03:00Z", &["sync"]).ok();
    for (id, at) in [
        ("h1", "2026-11-02T09:10:00Z"),
        ("f1", "2026-11-02T09:11:00Z"),
    ] {
        f.run_at(at, &["--as", "freelancer", "accept", id]).ok();
    }
    f.run_at("2026-11-02T09:12:00Z", &["sync"]).ok();
    a.run_at("2026-11-02T09:13:00Z", &["sync"]).ok();
    let a2 = crate::git::clone_of(bare.path());
    git(a2.path(), &["config", "user.signingkey", &acme_key]);
    a2.run_at("2026-11-02T09:14:00Z", &["check"]).ok();
    let mut rng = Rng::new(seed);
    // Each clone's clock is off by up to 2 minutes either way: two clocks
    // differ by less than the 5-minute tolerance.
    let mut skew = [0i64; 3];
    for s in &mut skew {
        *s = rng.below(241) as i64 - 120;
    }
    Sim {
        seed,
        rng,
        step: 0,
        steps,
        t: ts("2026-11-02T10:00:00Z"),
        clones: vec![a, a2, f],
        skew,
        _keys: keys,
        bare,
        ids: BTreeMap::new(),
        entries: BTreeSet::new(),
        backdated: BTreeSet::new(),
        forged: Vec::new(),
        f_forged: false,
        killed: [false; 3],
        to_report: [false; 3],
        to_name: [false; 3],
        named: BTreeSet::new(),
        sync_us: 100_000,
        stats: Stats::default(),
        trace: Vec::new(),
    }
}

fn simulate(seed: u64, steps: usize) -> Stats {
    let mut sim = setup(seed, steps);
    for step in 1..=steps {
        sim.step = step;
        sim.step();
        sim.stats.steps += 1;
    }
    sim.converge();
    sim.assert_final();
    sim.stats
}

#[test]
fn clones_simulation_converges_byte_for_byte() {
    let seed = sim_seed(CI_SEED);
    let steps = env_number("CONTRACTS_CLONES_STEPS").unwrap_or(if long() { 10_000 } else { 100 });
    // Long runs go on until 500 kills landed (`CONTRACTS_CLONES_KILLS=N`).
    let min_kills = env_number("CONTRACTS_CLONES_KILLS").unwrap_or(if long() { 500 } else { 0 });
    let t0 = std::time::Instant::now();
    let mut total = Stats::default();
    let mut run = 0u64;
    while total.steps < steps || total.kills_landed < min_kills {
        let n = PER_RUN.min(steps.saturating_sub(total.steps).max(PER_RUN.min(steps)));
        let s = simulate(seed.wrapping_add(run), n);
        total.add(&s);
        run += 1;
        if long() {
            eprintln!(
                "clones: run {run} (seed {}): {s:?}",
                seed.wrapping_add(run - 1)
            );
        }
    }
    eprintln!(
        "clones: seed CONTRACTS_SIM_SEED={seed}, {} runs, {} steps ({} accepted, {} refused), {} syncs ({} set aside), {} kills during sync ({} landed), {} backdated, {} forged, {} superseded in the end, {} final rounds, 0 divergences, {:.1}s",
        run,
        total.steps,
        total.accepted,
        total.refused,
        total.syncs,
        total.syncs_set_aside,
        total.kills,
        total.kills_landed,
        total.backdated,
        total.forged,
        total.superseded,
        total.rounds,
        t0.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------- either order

/// A copy of clone `l` whose `origin` is `bare`.
fn copy_clone(l: &Ledger, bare: &Path) -> Ledger {
    let c = Ledger::empty();
    crate::harness::copy_dir(l.path(), c.path());
    git(
        c.path(),
        &["remote", "set-url", "origin", &bare.display().to_string()],
    );
    c
}

/// A sync that merged, possibly setting operations aside: exit 0 or 4.
fn synced(l: &Ledger, now: &str) {
    let r = l.run_at(now, &["--json", "sync"]);
    assert!(
        r.code == 0 || (r.code == 4 && r.json_err()["error"]["reason"] == "set_aside"),
        "sync exited {}: {}",
        r.code,
        r.stderr
    );
}

#[test]
fn merging_in_either_order_gives_the_same_bytes() {
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    acme.fixed("f1", "500");
    acme.hourly("h1");
    for id in ["f1", "h1"] {
        acme.run_at(
            "2026-11-02T09:30:00Z",
            &["--as", "freelancer", "accept", id],
        )
        .ok();
    }
    let (bare, ann) = remote_and_clone(&acme);
    // Apart, both change both contracts; some of it the merge must set
    // aside (time logged into the span the client paused).
    let client = [
        ("2026-11-03T09:00:00Z", "refund request f1 --amount 100"),
        ("2026-11-03T11:00:00Z", "pause h1"),
        (
            "2026-11-03T11:30:00Z",
            "milestone add f1 --title more --amount 80",
        ),
    ];
    let freelancer = [
        ("2026-11-03T09:10:00Z", "milestone submit f1"),
        (
            "2026-11-03T10:45:00Z",
            "diary log h1 --from 2026-11-03T09:00:00Z --to 2026-11-03T10:30:00Z --memo work",
        ),
        (
            "2026-11-03T12:05:00Z",
            "diary log h1 --from 2026-11-03T11:30:00Z --to 2026-11-03T12:00:00Z --memo more",
        ),
    ];
    for (at, args) in client {
        acme.run_at(at, &args.split(' ').collect::<Vec<_>>()).ok();
    }
    for (at, args) in freelancer {
        let mut all = vec!["--as", "freelancer"];
        all.extend(args.split(' '));
        ann.run_at(at, &all).ok();
    }
    // The same three clones twice: one merges Acme first, the other Ann.
    let bare2 = tempfile::tempdir().expect("temp dir");
    crate::harness::copy_dir(bare.path(), bare2.path());
    let acme2 = copy_clone(&acme, bare2.path());
    let ann2 = copy_clone(&ann, bare2.path());
    let times = [
        "2026-11-03T13:00:00Z",
        "2026-11-03T13:01:00Z",
        "2026-11-03T13:02:00Z",
    ];
    for (l, at) in [&acme, &ann, &acme].into_iter().zip(times) {
        synced(l, at);
    }
    for (l, at) in [&ann2, &acme2, &ann2].into_iter().zip(times) {
        synced(l, at);
    }
    let trees: Vec<_> = [&acme, &ann, &acme2, &ann2]
        .iter()
        .map(|l| {
            l.run_at("2026-11-03T13:03:00Z", &["check"]).ok();
            whole_tree(l.path())
        })
        .collect();
    assert_eq!(trees[0], trees[1], "Acme then Ann: the two clones differ");
    assert_eq!(trees[2], trees[3], "Ann then Acme: the two clones differ");
    assert_eq!(
        trees[0].0, trees[2].0,
        "merged in either order, the trees differ"
    );
    assert!(
        trees[0] == trees[2],
        "merged in either order, the bytes differ"
    );
    // Both sides' work is there, and something was set aside.
    let f1 = String::from_utf8_lossy(&trees[0].1["contracts/f1.toml"]).into_owned();
    assert!(
        f1.contains("refund_requested") && f1.contains("milestone_submitted"),
        "{f1}"
    );
    let w45 = String::from_utf8_lossy(&trees[0].1["diary/2026-W45/h1.toml"]).into_owned();
    assert!(
        w45.contains("set_aside"),
        "the hour logged into the pause: {w45}"
    );
}

// ---------------------------------------------------------------- defects found

/// Found by the simulation (seed 20261206, 60 steps, step 46): the
/// client approves f1's milestone at its first desk at 11:00 and, not
/// synced, at its second desk at 15:00; the second desk pushes first, the
/// first desk's `sync` sets its own approval aside as backdated. The second
/// desk, which meanwhile added a milestone, then syncs: its merge writes
/// the backdated approval after its own later one in f1's history, and
/// `check` refuses the file that `sync` just committed and pushed (exit 5:
/// "`history[..].id` is .., but folding the contract's operations gives ..").
#[test]
fn a_merge_of_a_merge_that_set_a_backdated_operation_aside_passes_check() {
    let (bare, acme, _ann) = crate::git::two_clones();
    let desk = crate::git::clone_of(bare.path());
    acme.run_at("2026-11-03T11:00:00Z", &["milestone", "approve", "f1"])
        .ok();
    desk.run_at("2026-11-03T15:00:00Z", &["milestone", "approve", "f1"])
        .ok();
    desk.run_at("2026-11-03T15:01:00Z", &["sync"]).ok();
    let r = acme
        .run_at("2026-11-03T15:02:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    assert!(r.stderr.contains("backdated"), "{}", r.stderr);
    acme.run_at("2026-11-03T15:03:00Z", &["check"]).ok();
    // Meanwhile the second desk adds a milestone, then syncs: a merge.
    desk.run_at(
        "2026-11-03T16:00:00Z",
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "more",
            "--amount",
            "100",
        ],
    )
    .ok();
    desk.run_at("2026-11-03T16:01:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    desk.run_at("2026-11-03T16:02:00Z", &["check"]).ok();
    acme.run_at("2026-11-03T16:03:00Z", &["sync"]).ok();
    acme.run_at("2026-11-03T16:04:00Z", &["check"]).ok();
    assert_eq!(whole_tree(acme.path()), whole_tree(desk.path()));
}

/// Found by the simulation (seed 20261206, 150 steps, step 127, the second
/// desk kept to h1): a clone that first learns of an operation set aside
/// as backdated through a real merge (it has a commit of its own to merge)
/// exits 0 — SPEC §7: such an operation "is reported with exit 4 by the
/// `sync` of *each* clone when it first learns of it". (A clone with
/// nothing of its own, fast-forwarded, does report it.)
#[test]
fn a_clone_with_work_of_its_own_that_first_learns_of_a_backdated_operation_reports_it() {
    let acme = Ledger::empty();
    acme.run_at("2026-11-02T08:00:00Z", &["init", "--git"]).ok();
    acme.hourly("c1");
    acme.run_at(
        "2026-11-02T09:30:00Z",
        &["--as", "freelancer", "accept", "c1"],
    )
    .ok();
    let (bare, bob) = remote_and_clone(&acme);
    let desk = crate::git::clone_of(bare.path());
    // The client raises the limit at its first desk at 12:00 and syncs;
    // its second desk, not synced, pauses at 11:00 and syncs: backdated.
    acme.run_at("2026-11-03T12:00:00Z", &["limit", "c1", "20"])
        .ok();
    acme.run_at("2026-11-03T12:01:00Z", &["sync"]).ok();
    desk.run_at("2026-11-03T11:00:00Z", &["pause", "c1"]).ok();
    let r = desk
        .run_at("2026-11-03T12:30:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    assert!(r.stderr.contains("backdated"), "{}", r.stderr);
    // Bob, who logged an hour meanwhile, learns of it with his sync.
    bob.run_at(
        "2026-11-03T12:10:00Z",
        &[
            "--as",
            "freelancer",
            "diary",
            "log",
            "c1",
            "--from",
            "2026-11-03T09:00:00Z",
            "--to",
            "2026-11-03T10:00:00Z",
            "--memo",
            "work",
        ],
    )
    .ok();
    let r = bob
        .run_at("2026-11-03T12:40:00Z", &["--json", "sync"])
        .refused_for("set_aside");
    assert!(r.stderr.contains("backdated"), "{}", r.stderr);
}

/// Found by the simulation (seed 5, 150 steps, `CONTRACTS_CLONES_STRICT=1`
/// kills, step 9): a `sync` SIGKILLed together with the `git` it started
/// (a kill of the process group, as at a power cut) leaves
/// `.git/index.lock` — what git leaves when killed mid-write, made here by
/// hand to be deterministic. SPEC §7: "sync killed at any point leaves a
/// ledger that every command reads and that the next sync completes"; the
/// next command that writes fails with exit 1 ("git add failed: Unable to
/// create '.git/index.lock': File exists"), and so does every one after it.
#[test]
fn a_sync_killed_with_its_git_leaves_a_ledger_the_next_command_writes() {
    let (_bare, _acme, ann) = crate::git::two_clones();
    // No contracts process runs: the lock is stale.
    // Every lock a killed git can leave (seed 317856931 of the long run
    // left `HEAD.lock`, and every later commit failed, exit 1).
    let branch = git(ann.path(), &["symbolic-ref", "--short", "HEAD"]);
    let locks = [
        ".git/index.lock".to_string(),
        ".git/HEAD.lock".to_string(),
        format!(".git/refs/heads/{branch}.lock"),
        ".git/refs/remotes/origin/HEAD.lock".to_string(),
    ];
    for lock in &locks {
        ann.write(lock, "");
    }
    let r = ann
        .run_at(
            "2026-11-03T09:00:00Z",
            &["--as", "freelancer", "milestone", "submit", "f1"],
        )
        .ok();
    assert!(r.stderr.contains(".git/HEAD.lock"), "{}", r.stderr);
    ann.run_at("2026-11-03T09:01:00Z", &["sync"]).ok();
    ann.run_at("2026-11-03T09:02:00Z", &["check"]).ok();
    for lock in &locks {
        assert!(!ann.path().join(lock).exists(), "{lock}");
    }
    assert_eq!(git(ann.path(), &["status", "--porcelain"]), "");
}

/// After the long clones simulation (seed 694436477, step 116): Acme's
/// second machine's `sync` was killed while git fast-forwarded it — the
/// work tree already held Ann's `refund_disputed`, the branch not yet —
/// and its next command (`milestone add f1`) committed that file, Ann's
/// operation in a commit signed by Acme; every other clone then left the
/// commit out as rejected. Now the next command puts the files of a
/// killed sync back first. (The kill is put between the two steps of the
/// fast-forward by a failpoint.)
#[cfg(feature = "failpoints")]
#[test]
fn a_command_after_a_fast_forward_killed_midway_commits_none_of_the_other_clones_files() {
    use crate::reliability::run_std;
    let (_keys, _bare, acme, bob) = crate::git::signed_pair();
    acme.run_at(
        "2026-11-03T09:00:00Z",
        &["refund", "request", "f1", "--amount", "100"],
    )
    .ok();
    acme.run_at("2026-11-03T09:01:00Z", &["sync"]).ok();
    bob.run_at("2026-11-03T09:02:00Z", &["sync"]).ok();
    bob.run_at(
        "2026-11-03T10:00:00Z",
        &["--as", "freelancer", "refund", "dispute", "f1"],
    )
    .ok();
    bob.run_at("2026-11-03T10:01:00Z", &["sync"]).ok();
    let mut c = crate::reliability::std_cmd(&acme, "2026-11-03T11:00:00Z", &["sync"]);
    c.env("FAILPOINTS", "sync::fast_forward=return(kill)");
    assert_eq!(run_std(c).signal, Some(9), "the fast-forward was killed");
    // Acme's next command is not a sync, and touches the same contract.
    acme.run_at(
        "2026-11-03T11:10:00Z",
        &[
            "milestone",
            "add",
            "f1",
            "--title",
            "More",
            "--amount",
            "50",
        ],
    )
    .ok();
    let last = git(acme.path(), &["show", "--stat", "HEAD"]);
    assert!(!last.contains("refund_disputed"), "{last}");
    acme.run_at("2026-11-03T11:11:00Z", &["sync"]).ok();
    bob.run_at("2026-11-03T11:12:00Z", &["sync"]).ok();
    for l in [&acme, &bob] {
        l.run_at("2026-11-03T11:13:00Z", &["verify"]).ok();
        l.run_at("2026-11-03T11:13:00Z", &["check"]).ok();
    }
    assert_eq!(whole_tree(acme.path()), whole_tree(bob.path()));
    let f1 = acme.read("contracts/f1.toml");
    assert!(
        f1.contains("refund_disputed") && f1.contains("More"),
        "{f1}"
    );
}

/// After the long clones simulation (seed 641203702, step 150): a sync
/// killed after it took a new week file from the other side (staged) and
/// then rewrote it (entries set aside) left a file that differs from both
/// HEAD, where it is absent, and what is staged; putting the sync's writes
/// back left it staged (`git rm --cached` keeps such a file), and the next
/// `sync` found the work tree dirty. Made by hand here: the plan a sync
/// notes first, the file staged, then changed.
#[test]
fn a_new_file_a_killed_sync_staged_and_rewrote_is_put_back() {
    let (_bare, acme, _ann) = crate::git::two_clones();
    let rel = "diary/2026-W46/f1.toml";
    acme.write(
        ".git/contracts/sync-merging",
        &format!("path {rel}\ncontract f1\n"),
    );
    acme.write(rel, "staged = true\n");
    git(acme.path(), &["add", "--", rel]);
    acme.write(rel, "rewritten = true\n");
    // A refused command puts the sync's writes back first.
    acme.run_at("2026-11-03T09:00:00Z", &["--json", "resume", "f1"])
        .code(4);
    assert_eq!(git(acme.path(), &["status", "--porcelain"]), "");
    assert!(!acme.path().join(rel).exists());
    assert!(!acme.path().join(".git/contracts/sync-merging").exists());
    acme.run_at("2026-11-03T09:01:00Z", &["sync"]).ok();
}

/// After the long simulation (seed 245373990, 400 steps, step 341): there
/// Acme's `sync` was SIGKILLed (it alone; the git it ran went on) while it
/// merged, and Acme's next command (`resume h1`) or sync made an ordinary
/// commit, signed by Acme, holding Ann's `dispute_declined` and changed
/// `limit_changed` operations; every other clone's `sync` then refused the
/// whole remote (`unverified`) and the clones could never converge again.
/// That kill came late in the sync (1.7 s) and is not reproduced here:
/// this kills the sync after each of its own writes in turn (failpoints),
/// makes Acme's next command not a sync, and has everyone sync — which
/// passes; the kill in the simulation must have landed elsewhere (while a
/// git the sync ran wrote the work tree, e.g. `git checkout THEIRS -- P`).
#[cfg(feature = "failpoints")]
#[test]
fn a_command_after_a_sync_killed_at_any_of_its_writes_commits_no_half_merge() {
    use crate::reliability::run_std;
    let mut kills = 0;
    for nth in 0..6 {
        let mut sim = setup(1, 0);
        sim.t = ts("2026-11-03T11:00:00Z");
        let log = [
            "diary",
            "log",
            "h1",
            "--from",
            "2026-11-03T09:00:00Z",
            "--to",
            "2026-11-03T10:00:00Z",
            "--memo",
            "work",
        ]
        .map(String::from);
        sim.skew = [0; 3];
        assert!(sim.mutate(F, &log).is_some(), "nth {nth}: the log");
        sim.t += MINUTE;
        assert_eq!(sim.sync(F).code, 0);
        sim.t += 30 * MINUTE;
        assert!(
            sim.mutate(A, &["limit", "h1", "25"].map(String::from))
                .is_some()
        );
        sim.t += 30 * MINUTE;
        let mut c = std_cmd(&sim.clones[A], &rfc(sim.t), &["sync"]);
        let points = if nth == 0 {
            "atomic::after_rename=return(kill)".to_string()
        } else {
            format!("atomic::after_rename={nth}*off->return(kill)")
        };
        c.env("FAILPOINTS", &points);
        if run_std(c).signal != Some(9) {
            continue;
        }
        kills += 1;
        // Acme's next command is not a sync.
        sim.t += 10 * MINUTE;
        let r = sim.run(A, &["pause", "h1"]);
        assert!(matches!(r.code, 0 | 4), "nth {nth}: pause: {}", r.stderr);
        sim.t += 10 * MINUTE;
        for c in [A, F, A2, A, F] {
            sim.t += MINUTE;
            let r = sim.run(c, &["--json", "sync"]);
            assert!(
                r.code == 0 || (r.code == 4 && r.json_err()["error"]["reason"] == "set_aside"),
                "nth {nth}: {}'s sync exited {}: {}",
                NAMES[c],
                r.code,
                r.stderr
            );
        }
        for c in [A, F, A2] {
            let r = sim.run(c, &["verify"]);
            assert_eq!(r.code, 0, "nth {nth}: verify in {}: {}", NAMES[c], r.stderr);
        }
        assert_eq!(
            whole_tree(sim.clones[A].path()),
            whole_tree(sim.clones[F].path()),
            "nth {nth}"
        );
    }
    assert!(kills >= 1, "the sync was never killed");
}
