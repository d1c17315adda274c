//! Every command the README shows runs as written, in order, on a fresh
//! machine: the `sh` blocks of README.md, run by bash with an empty HOME,
//! the built binary first on PATH and nothing else of the environment.
//! Lines that build or test this repository (`cargo …`, `rustup …`,
//! `bash .ci/run`, `examples/make-ledger.sh`) are what CI runs itself; `cargo run -q --`
//! is the binary.

use crate::harness::copy_dir;
use std::path::Path;
use std::process::Command;

/// The README's shell lines, in order, continuation lines joined.
fn readme_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut out = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        let full = format!("{pending}{line}");
        pending.clear();
        let full = full.trim().replace("cargo run -q -- ", "contracts ");
        let first = full.split_whitespace().next().unwrap_or("");
        if full.is_empty()
            || first.starts_with('#')
            || ["cargo", "rustup", "bash"].contains(&first)
            || first.ends_with("make-ledger.sh")
        {
            continue;
        }
        out.push(full);
    }
    out
}

#[test]
fn every_command_in_the_readme_runs_as_written_in_order() {
    let lines = readme_lines();
    assert!(lines.len() > 20, "found only {} lines", lines.len());
    assert!(lines.iter().any(|l| l.starts_with("contracts ")));
    let home = tempfile::tempdir().unwrap();
    // The working directory of a fresh clone: the README reads examples/.
    let work = home.path().join("clone");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        &work.join("examples"),
    );
    let bin = assert_cmd::cargo::cargo_bin("contracts");
    let path = format!("{}:/usr/bin:/bin", bin.parent().expect("bin dir").display());
    let mut script = String::from("set -euo pipefail\n");
    for (i, l) in lines.iter().enumerate() {
        script.push_str(&format!("echo '>>> line {i}' >&2\n{l}\n"));
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&work)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", path)
        .env("TZ", "UTC")
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .output()
        .expect("bash");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let last = stderr
            .lines()
            .rfind(|l| l.starts_with(">>> line "))
            .and_then(|l| l[9..].parse::<usize>().ok());
        panic!(
            "README line failed (exit {:?}): {}\n--- stderr\n{stderr}",
            out.status.code(),
            last.map_or("?", |i| lines[i].as_str())
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The README's sample outputs (a block opening with `$ COMMAND`) are what
/// that command prints, run by bash beside a copy of `examples/` with the
/// binary (and hledger) on PATH.
#[test]
fn the_readmes_sample_output_is_what_the_binary_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let mut checked = 0;
    for block in readme.split("```").skip(1).step_by(2) {
        let body = block.split_once('\n').map_or("", |(_, b)| b);
        let Some((cmd, shown)) = body.split_once('\n') else {
            continue;
        };
        let Some(line) = cmd.strip_prefix("$ ") else {
            continue;
        };
        // Copy the example ledger: even a read takes its lock file.
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(&root.join("examples"), &tmp.path().join("examples"));
        let bin = assert_cmd::cargo::cargo_bin("contracts");
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", line])
            .current_dir(tmp.path())
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", bin.parent().expect("dir").display()),
            )
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            // hledger reads its files in the locale's encoding.
            .env("LANG", "C.UTF-8")
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            shown,
            "README output of `{cmd}`"
        );
        checked += 1;
    }
    assert!(checked >= 1, "no sample output found");
}

/// The README's list of history event kinds is the one the program reads:
/// every kind, in order, no other.
#[test]
fn the_readme_lists_every_event_kind() {
    use contracts::core::{EventKind, Op};
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("| event | made by | arguments |")
        .expect("the table");
    let rows: Vec<&str> = readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    let listed: Vec<&str> = rows
        .iter()
        .map(|r| r.split('`').nth(1).expect("a kind"))
        .collect();
    let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(listed, known);
    // Each row's arguments are the kind's: needed bare, optional in brackets.
    for (row, kind) in rows.iter().zip(EventKind::ALL) {
        let (needs, may) = Op::arguments(*kind);
        let mut want: Vec<String> = needs.iter().map(|n| format!("`{n}`")).collect();
        want.extend(may.iter().map(|n| format!("[`{n}`]")));
        let want = if want.is_empty() {
            "—".to_string()
        } else {
            want.join(" ")
        };
        let cell = row.trim_end_matches('|').rsplit('|').next().unwrap().trim();
        assert_eq!(cell, want, "{kind}");
    }
}

/// A newcomer's two commands: the README puts the install line of the
/// tools the tests run for real (`bash .ci/deps`) right before its test
/// command, and CI runs the same script.
#[test]
fn the_readme_installs_the_test_tools_beside_the_test_command() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let tests: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("cargo test --all-features --all-targets"))
        .map(|(i, _)| i)
        .collect();
    assert!(!tests.is_empty(), "the README's test command");
    for test in tests {
        assert!(
            lines[test - 1].starts_with("bash .ci/deps"),
            "the line before the test command installs the tools: {:?}",
            lines[test - 1]
        );
    }
    let deps = std::fs::read_to_string(root.join(".ci/deps")).unwrap();
    for tool in [
        "hledger",
        "ledger",
        "git",
        "ssh-keygen",
        "apt-get install -y",
    ] {
        assert!(deps.contains(tool), ".ci/deps: {tool}");
    }
    let run = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        run.lines().any(|l| l.trim() == "bash .ci/deps"),
        ".ci/run calls .ci/deps"
    );
    // It parses, and with every tool here it has nothing to do.
    let syntax = std::process::Command::new("bash")
        .args(["-n", ".ci/deps"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(syntax.success());
    let here = |t: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {t}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ["hledger", "ledger", "git", "ssh-keygen"]
        .iter()
        .all(|t| here(t))
    {
        let out = std::process::Command::new("bash")
            .arg(".ci/deps")
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
