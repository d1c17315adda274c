//! The core's modules form layers: no module uses one that (through others)
//! uses it back. Read from the sources' paths (`super::x`, `crate::core::x`,
//! `diary::x`), tests and comments left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each core module (`escrow`, `diary/billing`, ...) and its source, without
/// comments and without its `#[cfg(test)]` part.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let name = p.strip_prefix(&root).unwrap().with_extension("");
            let name = name.to_string_lossy().replace('\\', "/");
            if name == "mod" || name.ends_with("/mod") || name.ends_with("tests") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(name, code);
        }
    }
    out
}

/// Whether `code` names `path` as a whole path segment sequence.
fn names(code: &str, path: &str) -> bool {
    code.match_indices(path).any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + path.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// The modules `name` uses.
fn uses(name: &str, code: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let parent = name.rsplit_once('/').map(|(p, _)| p);
    let mut out = BTreeSet::new();
    for other in all.keys().filter(|o| *o != name) {
        let (o_parent, short) = match other.rsplit_once('/') {
            Some((p, s)) => (Some(p), s),
            None => (None, other.as_str()),
        };
        let full = format!("core::{}", other.replace('/', "::"));
        let sibling = o_parent == parent && names(code, &format!("super::{short}"));
        // From a top-level module, `diary::x` (or `diary::{...}`) names a
        // diary module: `diary::billing` that one, a re-export all of them.
        let via_parent = o_parent.is_some_and(|p| {
            parent.is_none()
                && (names(code, &format!("{p}::{short}"))
                    || (names(code, &format!("super::{p}")) || names(code, &format!("core::{p}")))
                        && !code.contains(&format!("{p}::billing"))
                        && !code.contains(&format!("{p}::week_file")))
        });
        if names(code, &full) || sibling || via_parent {
            out.insert(other.clone());
        }
    }
    out
}

#[test]
fn core_modules_form_layers() {
    let all = modules();
    assert!(
        all.contains_key("diary/billing") && all.contains_key("step"),
        "{:?}",
        all.keys()
    );
    let graph: BTreeMap<&str, BTreeSet<String>> = all
        .iter()
        .map(|(n, c)| (n.as_str(), uses(n, c, &all)))
        .collect();
    // A path back to itself from any module is a circle.
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = graph[start]
            .iter()
            .map(|d| (d.clone(), vec![start.to_string(), d.clone()]))
            .collect();
        while let Some((m, path)) = stack.pop() {
            assert!(
                m != *start,
                "a circle between core modules: {}",
                path.join(" -> ")
            );
            if seen.insert(m.clone()) {
                for d in &graph[m.as_str()] {
                    let mut p = path.clone();
                    p.push(d.clone());
                    stack.push((d.clone(), p));
                }
            }
        }
    }
    // The layering the README describes, spot-checked both ways.
    assert!(graph["step"].contains("timers"));
    assert!(graph["timers"].contains("accounts"));
    assert!(!graph["accounts"].contains("lifecycle"));
}
