//! Format-preserving updates: the canonical form of the new state is merged
//! into the document as it was read, so comments, blank lines and the layout
//! a person gave the file survive, and only what changed is rewritten.

use toml_edit::{Item, Table, TableLike, Value};

/// Makes `old` hold the values of `new`, keeping `old`'s formatting wherever
/// the value is unchanged (and its key's decoration where it changed). New
/// keys go right after their canonical predecessor, so a table that appears
/// later (say `[[refunds]]`) lands where a new file would have it.
pub fn merge_table(old: &mut Table, new: &Table) {
    remove_stale(old, new);
    for (idx, (k, new_item)) in new.iter().enumerate() {
        if let Some(old_item) = old.get_mut(k) {
            merge_item(old_item, new_item);
            continue;
        }
        let pred = new
            .iter()
            .take(idx)
            .map(|(k, _)| k)
            .filter(|k| old.contains_key(k))
            .last()
            .map(str::to_string);
        insert_after(old, pred.as_deref(), k, new_item.clone());
    }
}

fn remove_stale(old: &mut dyn TableLike, new: &Table) {
    let stale: Vec<String> = old
        .iter()
        .filter(|(k, _)| !new.contains_key(k))
        .map(|(k, _)| k.to_string())
        .collect();
    for k in stale {
        old.remove(&k);
    }
}

fn insert_after(t: &mut Table, pred: Option<&str>, key: &str, item: Item) {
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    let at = pred
        .and_then(|p| keys.iter().position(|k| k == p))
        .map_or(0, |i| i + 1);
    let tail: Vec<_> = keys[at..]
        .iter()
        .filter_map(|k| t.remove_entry(k))
        .collect();
    t.insert(key, item);
    for (k, v) in tail {
        t.insert_formatted(&k, v);
    }
}

/// The same for a hand-written inline table; new keys are appended.
fn merge_inline(old: &mut toml_edit::InlineTable, new: &Table) {
    remove_stale(old, new);
    for (k, new_item) in new.iter() {
        match old.get_mut(k) {
            Some(ov) => {
                let mut item = Item::Value(ov.clone());
                merge_item(&mut item, new_item);
                if let Item::Value(v) = item {
                    *ov = v;
                }
            }
            None => {
                if let Ok(v) = new_item.clone().into_value() {
                    old.insert(k, v);
                }
            }
        }
    }
}

fn merge_item(old: &mut Item, new: &Item) {
    match (&mut *old, new) {
        (Item::Value(ov), Item::Value(nv)) => {
            if !same_value(ov, nv) {
                let decor = ov.decor().clone();
                *ov = nv.clone();
                *ov.decor_mut() = decor;
            }
        }
        (Item::Table(ot), Item::Table(nt)) => merge_table(ot, nt),
        (Item::Value(Value::InlineTable(ot)), Item::Table(nt)) => merge_inline(ot, nt),
        (Item::ArrayOfTables(oa), Item::ArrayOfTables(na)) if ids(oa).zip(ids(na)).is_some() => {
            merge_by_id(oa, na)
        }
        (Item::ArrayOfTables(oa), Item::ArrayOfTables(na)) => {
            while oa.len() > na.len() {
                oa.remove(oa.len() - 1);
            }
            for (i, nt) in na.iter().enumerate() {
                match oa.get_mut(i) {
                    Some(ot) => merge_table(ot, nt),
                    None => oa.push(nt.clone()),
                }
            }
        }
        (Item::Value(Value::Array(oa)), Item::ArrayOfTables(na))
            if oa.iter().all(Value::is_inline_table) && oa.len() <= na.len() =>
        {
            // A hand-written `key = [{...}, ...]` stays inline.
            for (i, nt) in na.iter().enumerate() {
                match oa.get_mut(i).and_then(Value::as_inline_table_mut) {
                    Some(ot) => merge_inline(ot, nt),
                    None => oa.push(Value::InlineTable(nt.clone().into_inline_table())),
                }
            }
        }
        _ => *old = new.clone(),
    }
}

/// The `id` of every table of `a`, if every one has a string `id`.
fn ids(a: &toml_edit::ArrayOfTables) -> Option<Vec<String>> {
    a.iter()
        .map(|t| t.get("id")?.as_str().map(str::to_string))
        .collect()
}

/// Tables with ids (diary entries) are matched by id, not by position, so
/// the comments a person wrote at an entry stay with it when others are
/// inserted before it or removed.
fn merge_by_id(oa: &mut toml_edit::ArrayOfTables, na: &toml_edit::ArrayOfTables) {
    let old_ids = ids(oa).unwrap_or_default();
    let new_ids = ids(na).unwrap_or_default();
    if old_ids == new_ids {
        for (ot, nt) in oa.iter_mut().zip(na.iter()) {
            merge_table(ot, nt);
        }
        return;
    }
    let mut out = toml_edit::ArrayOfTables::new();
    for (id, nt) in new_ids.iter().zip(na.iter()) {
        let mut t = match old_ids.iter().position(|o| o == id).and_then(|i| oa.get(i)) {
            Some(ot) => {
                let mut ot = ot.clone();
                merge_table(&mut ot, nt);
                ot
            }
            None => nt.clone(),
        };
        // Rendered in array order, after whatever table precedes the array.
        t.set_position(None);
        out.push(t);
    }
    *oa = out;
}

/// Equal as data, whatever the formatting (so `+01:00` vs `Z` of the same
/// instant, or a literal vs a basic string, is not a change).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::Float(x), Value::Float(y)) => x.value().to_bits() == y.value().to_bits(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        (Value::Datetime(x), Value::Datetime(y)) => {
            let inst = |d: &toml_edit::Datetime| crate::store::codec::instant(d).ok();
            x.value() == y.value()
                || (inst(x.value()).is_some() && inst(x.value()) == inst(y.value()))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| same_value(a, b))
        }
        (Value::InlineTable(x), Value::InlineTable(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

/// Renders a canonical table as a new document's text.
pub fn render_new(t: Table) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    *doc.as_table_mut() = t;
    doc.to_string()
}
