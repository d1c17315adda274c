//! A small harness: a temp ledger, a pinned clock, a cleared environment.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A Wednesday in 2026-W47.
pub const NOW: &str = "2026-11-18T10:00:00Z";

/// A temporary ledger directory and the settings of the runs against it.
pub struct Ledger {
    dir: tempfile::TempDir,
    /// `--now` of every run (unless a run overrides it).
    pub now: String,
    /// `TZ` of every run.
    pub tz: String,
    /// Whether every run is made with `--json` (see [`Ledger::with_json`]).
    json: std::cell::Cell<bool>,
}

/// The result of one run.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Stdout.
    pub stdout: String,
    /// Stderr.
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code, expected,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        self
    }

    /// Asserts success.
    #[track_caller]
    pub fn ok(self) -> Run {
        self.code(0)
    }

    /// Stderr parsed as one JSON document (a `--json` error).
    #[track_caller]
    pub fn json_err(&self) -> serde_json::Value {
        serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not one JSON document ({e}):\n{}", self.stderr))
    }

    /// Asserts a refusal of the rules (exit 4) for `reason`, the run made
    /// with `--json`: tests match why a command was refused by its kind,
    /// never by the wording of its message.
    #[track_caller]
    pub fn refused_for(self, reason: &str) -> Run {
        let r = self.code(4);
        let err = r.json_err();
        assert_eq!(err["error"]["kind"], "refused", "{err}");
        assert_eq!(
            err["error"]["reason"].as_str(),
            Some(reason),
            "refused, but for another reason: {err}"
        );
        r
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// What a refused run must show: an exit code (2 usage, 3 not found, ...),
/// or, for a refusal of the rules (exit 4), its reason (`"week_closed"`).
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// This exit code.
    Code(i32),
    /// Exit 4 for this reason.
    Reason(&'static str),
}

impl From<i32> for Expect {
    fn from(code: i32) -> Expect {
        Expect::Code(code)
    }
}

impl From<&'static str> for Expect {
    fn from(reason: &'static str) -> Expect {
        Expect::Reason(reason)
    }
}

impl Expect {
    /// The exit code expected.
    pub fn code(self) -> i32 {
        match self {
            Expect::Code(c) => c,
            Expect::Reason(_) => 4,
        }
    }
}

impl Ledger {
    /// Runs `args` with `--json` at `now`, expecting a refusal of the rules
    /// for `reason` that writes nothing and prints nothing on stdout.
    #[track_caller]
    pub fn refused_for(&self, now: &str, args: &[&str], reason: &str) -> Run {
        let before = self.snapshot();
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let r = self.run_at(now, &all).refused_for(reason);
        assert!(r.stdout.is_empty(), "nothing on stdout: {}", r.stdout);
        assert!(
            self.snapshot() == before,
            "{args:?} was refused but changed files"
        );
        r
    }

    /// Runs `f` with every run of this ledger made with `--json`: a
    /// helper's command, refused, says why in `error.reason`.
    pub fn with_json<T>(&self, f: impl FnOnce() -> T) -> T {
        self.json.set(true);
        let out = f();
        self.json.set(false);
        out
    }

    /// An empty directory (no ledger yet).
    pub fn empty() -> Ledger {
        Ledger {
            dir: tempfile::tempdir().expect("temp dir"),
            now: NOW.to_string(),
            tz: "UTC".to_string(),
            json: std::cell::Cell::new(false),
        }
    }

    /// A fresh ledger (USD, role client, fee 10 %).
    pub fn new() -> Ledger {
        let l = Ledger::empty();
        l.run(&["init"]).ok();
        l
    }

    /// The ledger directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A file of the ledger.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// A file's text.
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.file(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Writes a file of the ledger (hand edits, corrupt fixtures).
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.file(rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }

    /// Every file of the ledger with its bytes, for before/after comparisons.
    pub fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
            for e in fs::read_dir(dir).expect("read_dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    let rel = p.strip_prefix(root).expect("prefix").display().to_string();
                    // The derived index (SPEC §6) is no ledger file: a
                    // reader may write it, and deleting it changes nothing.
                    // Its crashed writers' temp files are the ledger's
                    // to clean, though.
                    let temp = e.file_name().to_string_lossy().starts_with(".tmp-");
                    if rel == ".contracts.index"
                        || (!temp
                            && (rel.starts_with(".contracts.index/")
                                || rel.starts_with(".git/contracts/index/")))
                    {
                        continue;
                    }
                    out.push((rel, fs::read(&p).expect("read")));
                }
            }
        }
        walk(self.path(), self.path(), &mut out);
        out.sort();
        out
    }

    /// [`Ledger::snapshot`] with each history event's operation id taken
    /// out (`id = "…"`), and the ids in the order found: operation ids are
    /// random (unique across clones), everything else is a function of the
    /// commands and the clock.
    pub fn snapshot_and_op_ids(&self) -> (Vec<(String, String)>, Vec<String>) {
        let mut ids = Vec::new();
        let files = self
            .snapshot()
            .into_iter()
            .map(|(rel, bytes)| {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                // An operation's id is given once, in the history; what it
                // came to is kept under the same id among the effects.
                let mut in_history = false;
                let lines: Vec<String> = text
                    .split_inclusive('\n')
                    .map(|line| {
                        if line.starts_with('[') {
                            in_history = line.trim_end() == "[[history]]";
                        }
                        match op_id(line) {
                            Some(id) => {
                                if in_history {
                                    ids.push(id.to_string());
                                }
                                "id = \"…\"\n".to_string()
                            }
                            None => line.to_string(),
                        }
                    })
                    .collect();
                (rel, lines.concat())
            })
            .collect();
        (files, ids)
    }

    /// A command against this ledger with a cleared environment and the
    /// pinned clock.
    pub fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_at(&self.now, args)
    }

    /// The same at another time.
    pub fn cmd_at(&self, now: &str, args: &[&str]) -> Command {
        self.cmd_on(self.path(), now, args)
    }

    /// A command naming the ledger by another path (a symlink, the
    /// `ledger.toml`, a new directory), with this ledger's environment.
    pub fn cmd_on(&self, ledger: &Path, now: &str, args: &[&str]) -> Command {
        let mut c = Command::cargo_bin("contracts").expect("binary");
        c.env_clear()
            .env("TZ", &self.tz)
            .env("NO_COLOR", "1")
            .env("HOME", self.path())
            .arg("-f")
            .arg(ledger)
            .arg("--now")
            .arg(now);
        if self.json.get() {
            c.arg("--json");
        }
        c.args(args);
        c
    }

    /// Runs a command against the ledger named by `ledger`.
    pub fn run_on(&self, ledger: &Path, args: &[&str]) -> Run {
        Run::from(
            self.cmd_on(ledger, &self.now, args)
                .write_stdin("")
                .output()
                .expect("run"),
        )
    }

    /// The permission bits of a file of the ledger.
    pub fn mode(&self, rel: &str) -> u32 {
        mode(&self.file(rel))
    }

    /// Overwrites a file of the ledger with raw bytes (invalid UTF-8, BOM).
    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        fs::write(self.file(rel), bytes).expect("write");
    }

    /// Replaces the first `from` by `to` in a file of the ledger.
    #[track_caller]
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` in {rel}:\n{text}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Runs a command (stdin empty).
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).write_stdin("").output().expect("run"))
    }

    /// Runs a command at another time.
    pub fn run_at(&self, now: &str, args: &[&str]) -> Run {
        Run::from(
            self.cmd_at(now, args)
                .write_stdin("")
                .output()
                .expect("run"),
        )
    }

    /// Creates a fixed contract `id` of `price` (one milestone).
    pub fn fixed(&self, id: &str, price: &str) {
        self.run_at(
            "2026-11-02T09:00:00Z",
            &[
                "new",
                "--id",
                id,
                "--title",
                "Storefront",
                "--client",
                "Acme",
                "--freelancer",
                "Ann",
                "--fixed",
                price,
            ],
        )
        .ok();
    }

    /// Creates an hourly contract `id` at 50/h with a 10 h limit.
    pub fn hourly(&self, id: &str) {
        self.run_at(
            "2026-11-02T09:00:00Z",
            &[
                "new",
                "--id",
                id,
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
    }
}

/// The permission bits of a path (following symlinks).
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Whether every line of `needles` appears in `haystack`, in order (not
/// necessarily adjacent).
pub fn lines_in_order(haystack: &str, needles: &str) -> bool {
    let mut have = haystack.lines();
    needles.lines().all(|n| have.any(|h| h == n))
}

/// Copies the directory `from` into `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for e in fs::read_dir(from).expect("read_dir").flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Whether `text` contains `file:LINE:COL` for some column.
pub fn has_location(text: &str, file: &str, line: usize) -> bool {
    let prefix = format!("{file}:{line}:");
    text.match_indices(&prefix).any(|(i, _)| {
        text[i + prefix.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The operation id on a line `id = "0123456789abcdef"` (or `….2`), if any:
/// 16 hex digits, unlike a diary entry's `2026W47-1`.
fn op_id(line: &str) -> Option<&str> {
    let v = line.strip_prefix("id = \"")?.trim_end().strip_suffix('"')?;
    let hex = v.split('.').next()?;
    (hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(v)
}
