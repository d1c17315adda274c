//! The keys where two canonical tables of one file differ: what a file
//! records against what its operations, folded again, give.

use toml_edit::{Item, Table, Value};

/// Keys of free text, which a person may edit by hand in a ledger that is
/// not shared: never compared.
const FREE_TEXT: &[&str] = &["title", "memo", "note", "reason"];

/// One difference: the key path (`milestones[0].status`) and both values
/// as TOML writes them (`(absent)` where there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The key path.
    pub path: String,
    /// What the file records.
    pub recorded: String,
    /// What the fold gives.
    pub folded: String,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn shown(v: Option<&Item>) -> String {
    match v {
        None => "(absent)".into(),
        Some(Item::Value(v)) => value(v),
        Some(Item::Table(_)) => "a table".into(),
        Some(Item::ArrayOfTables(a)) if a.len() == 1 => "1 entry".into(),
        Some(Item::ArrayOfTables(a)) => format!("{} entries", a.len()),
        Some(Item::None) => "(absent)".into(),
    }
}

fn value(v: &Value) -> String {
    let mut v = v.clone();
    v.decor_mut().clear();
    v.to_string()
}

/// The differences between `a` (recorded) and `b` (folded) under `prefix`,
/// appended to `out`.
pub fn tables(a: &Table, b: &Table, prefix: &str, out: &mut Vec<Difference>) {
    let mut keys: Vec<&str> = a.iter().map(|(k, _)| k).collect();
    for (k, _) in b.iter() {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    for k in keys {
        if FREE_TEXT.contains(&k) {
            continue;
        }
        let path = join(prefix, k);
        let (x, y) = (a.get(k), b.get(k));
        // Why a merge set an operation aside is its words: that it was set
        // aside is what counts.
        if k == "superseded" && x.is_some() && y.is_some() {
            continue;
        }
        match (x, y) {
            (Some(Item::Table(x)), Some(Item::Table(y))) => tables(x, y, &path, out),
            (Some(Item::ArrayOfTables(x)), Some(Item::ArrayOfTables(y))) => {
                for i in 0..x.len().max(y.len()) {
                    let at = format!("{path}[{i}]");
                    match (x.get(i), y.get(i)) {
                        (Some(x), Some(y)) => tables(x, y, &at, out),
                        (x, y) => out.push(Difference {
                            path: at,
                            recorded: entry(x),
                            folded: entry(y),
                        }),
                    }
                }
            }
            (Some(Item::Value(x)), Some(Item::Value(y))) if value(x) == value(y) => {}
            _ => out.push(Difference {
                path,
                recorded: shown(x),
                folded: shown(y),
            }),
        }
    }
}

/// An entry of an array of tables, in a message.
fn entry(t: Option<&Table>) -> String {
    match t {
        None => "(absent)".into(),
        Some(t) => {
            let parts: Vec<String> = t
                .iter()
                .filter(|(k, _)| !FREE_TEXT.contains(k))
                .filter_map(|(k, v)| v.as_value().map(|v| format!("{k} = {}", value(v))))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Table {
        s.parse::<toml_edit::DocumentMut>()
            .unwrap()
            .as_table()
            .clone()
    }

    #[test]
    fn differences_are_named_by_path_free_text_is_not_compared() {
        let a = t(
            "status = \"active\"\ntitle = \"A\"\n[[payments]]\namount = \"1.00\"\nnote = \"x\"\n",
        );
        let b = t(
            "status = \"ended\"\ntitle = \"B\"\n[[payments]]\namount = \"2.00\"\nnote = \"y\"\n[[payments]]\namount = \"3.00\"\n",
        );
        let mut out = Vec::new();
        tables(&a, &b, "", &mut out);
        let paths: Vec<&str> = out.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["status", "payments[0].amount", "payments[1]"]);
        assert_eq!(out[1].recorded, "\"1.00\"");
        assert_eq!(out[1].folded, "\"2.00\"");
        assert_eq!(out[2].recorded, "(absent)");
    }
}
