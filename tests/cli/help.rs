//! Help that helps: every command's `--help` opens with a sentence, `man`
//! writes the pages it refers to, and a usage error does not show an option
//! its environment variable supplied as if it had to be typed.

use crate::harness::Ledger;
use clap::CommandFactory;
use contracts::cli::Cli;

/// Every visible command and subcommand, as the words that name it
/// (`["diary", "log"]`).
fn every_command() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut p = path.to_vec();
            p.push(sub.get_name().to_string());
            out.push(p.clone());
            walk(sub, &p, out);
        }
    }
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, &[], &mut out);
    out
}

/// A first line of help that says what the command does: a sentence of
/// several words, not the command's name or a placeholder in backticks, and
/// not the same line as another command's.
#[test]
fn every_help_opens_with_a_sentence_of_its_own() {
    let l = Ledger::empty();
    let commands = every_command();
    assert!(commands.len() > 40, "{commands:?}");
    let mut firsts: Vec<(String, String)> = Vec::new();
    for path in &commands {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = l.run(&args).ok();
        let first = r.stdout.lines().next().unwrap_or("").trim().to_string();
        let name = path.join(" ");
        assert!(
            !first.starts_with('`') && first != name && first != path[path.len() - 1],
            "`{name} --help` opens with a placeholder: {first:?}"
        );
        assert!(
            first.split_whitespace().count() >= 3
                && first.chars().next().is_some_and(char::is_uppercase),
            "`{name} --help` does not open with a sentence: {first:?}"
        );
        assert!(
            !first.starts_with("What to export"),
            "`{name} --help` opens with its arguments' description: {first:?}"
        );
        // A sentence saying what the command does starts with a verb, not
        // with a noun's article ("The hourly work diary: ...").
        let word = first.split_whitespace().next().unwrap_or("");
        assert!(
            !["The", "A", "An"].contains(&word),
            "`{name} --help` opens with a noun, not what the command does: {first:?}"
        );
        if let Some((other, _)) = firsts.iter().find(|(_, f)| *f == first) {
            panic!("`{name}` and `{other}` open their help with the same line: {first:?}");
        }
        firsts.push((name, first));
    }
}

/// `man --dir` writes the main page and every page it refers to; `man`
/// alone prints a page that refers to none.
#[test]
fn man_writes_the_pages_it_refers_to() {
    let l = Ledger::empty();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    l.run(&["man", "--dir", out.to_str().unwrap()]).ok();
    let main = std::fs::read_to_string(out.join("contracts.1")).unwrap();
    assert!(main.contains(".TH"), "{main}");
    // Every page referred to, in every page, exists.
    let mut referred = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        // roff writes a hyphen as `\-`.
        let page = std::fs::read_to_string(entry.unwrap().path())
            .unwrap()
            .replace("\\-", "-");
        for (i, _) in page.match_indices("contracts-") {
            let rest = &page[i..];
            let Some(end) = rest.find("(1)") else {
                continue;
            };
            let name = &rest[..end];
            if name.contains(char::is_whitespace) {
                continue;
            }
            assert!(
                out.join(format!("{name}.1")).exists(),
                "{name}(1) is referred to but not written"
            );
            referred += 1;
        }
    }
    assert!(referred > 40, "{referred} references");
    for path in every_command() {
        let file = out.join(format!("contracts-{}.1", path.join("-")));
        assert!(file.exists(), "{} missing", file.display());
    }
    assert!(out.join("contracts-diary-log.1").exists());
    assert!(!out.join("contracts-git-merge-driver.1").exists(), "hidden");

    let printed = l.run(&["man"]).ok().stdout;
    assert!(
        printed.contains(".TH") && printed.contains("Create a contract"),
        "{printed}"
    );
    assert!(
        !printed.contains("(1)"),
        "refers to a page it did not write:\n{printed}"
    );
}

/// With `CONTRACTS_LEDGER` (and the role and clock) set, a usage error's
/// usage line shows what has to be typed, not `--ledger <PATH>`.
#[test]
fn a_usage_error_does_not_list_options_the_environment_gave() {
    let l = Ledger::new();
    let mut c = assert_cmd::Command::cargo_bin("contracts").unwrap();
    let o = c
        .env_clear()
        .env("TZ", "UTC")
        .env("CONTRACTS_LEDGER", l.path())
        .env("CONTRACTS_ROLE", "client")
        .env("CONTRACTS_NOW", "2026-11-18T10:00:00Z")
        .args(["show"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Usage: contracts show <ID>"), "{err}");
    assert!(!err.contains("--ledger"), "{err}");
    assert!(!err.contains("--as"), "{err}");
    assert!(!err.contains("--now"), "{err}");
    // The variables still work.
    let mut c = assert_cmd::Command::cargo_bin("contracts").unwrap();
    let o = c
        .env_clear()
        .env("TZ", "UTC")
        .env("CONTRACTS_LEDGER", l.path())
        .env("CONTRACTS_NOW", "2026-11-18T10:00:00Z")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A bad value in one of them is still named.
    let mut c = assert_cmd::Command::cargo_bin("contracts").unwrap();
    let o = c
        .env_clear()
        .env("CONTRACTS_LEDGER", l.path())
        .env("CONTRACTS_ROLE", "boss")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("boss"));
}
