//! Plan trees in mongod 7.0's explain shape: `winningPlan` stages (IDHACK, COLLSCAN,
//! FETCH over IXSCAN, with SORT/SKIP/LIMIT/PROJECTION and command stages on top) and the
//! matching `executionStages` with counters.

use std::ops::Bound;

use bson::{doc, Bson, Document};

use super::collection::Collection;
use super::compare::Key;
use super::planner::{Interval, Plan, Target};

/// What one plan did when run (for executionStats).
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Documents the access stage produced that passed the filter.
    pub matched: u64,
    pub keys: u64,
    pub docs: u64,
}

fn num(f: f64) -> String {
    if f.is_nan() {
        "nan.0".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf.0" } else { "-inf.0" }.into()
    } else if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn value(v: &Bson) -> String {
    match v {
        Bson::Double(f) => num(*f),
        Bson::String(s) => format!("{:?}", s),
        other => super::fmt::value(other),
    }
}

/// One interval as mongod prints it: `[5, 5]`, `(3, inf.0]`, `["a", {})`. The type bracket
/// the sandbox scans for numbers starts at NaN and ends before strings; mongod prints those
/// ends as -inf.0 and inf.0.
fn interval(i: &Interval, reverse: bool) -> String {
    let is_num = |b: &Bound<Key>| matches!(b, Bound::Included(Key(v)) | Bound::Excluded(Key(v)) if super::compare::type_rank(v) == 10);
    let numeric = is_num(&i.0) || is_num(&i.1);
    let end = |b: &Bound<Key>, low: bool| -> (bool, String) {
        match b {
            Bound::Unbounded => (true, if low { "MinKey" } else { "MaxKey" }.to_string()),
            Bound::Included(Key(Bson::Double(f))) if low && f.is_nan() && numeric => {
                (true, "-inf.0".into())
            }
            Bound::Excluded(Key(Bson::String(s))) if !low && s.is_empty() && numeric => {
                (true, "inf.0".into())
            }
            Bound::Included(Key(v)) => (true, value(v)),
            Bound::Excluded(Key(v)) => (false, value(v)),
        }
    };
    let (li, l) = end(&i.0, true);
    let (hi, h) = end(&i.1, false);
    let (li, l, hi, h) = if reverse {
        (hi, h, li, l)
    } else {
        (li, l, hi, h)
    };
    format!(
        "{}{l}, {h}{}",
        if li { '[' } else { '(' },
        if hi { ']' } else { ')' }
    )
}

/// `indexBounds`: intervals per key-pattern field (descending fields listed high to low).
pub fn index_bounds(fields: &[String], dirs: &[i32], bounds: &[Option<Vec<Interval>>]) -> Document {
    let mut out = Document::new();
    for (i, f) in fields.iter().enumerate() {
        let reverse = dirs.get(i).is_some_and(|d| *d < 0);
        let list: Vec<Bson> = match bounds.get(i).cloned().flatten() {
            None => vec![Bson::String(if reverse {
                "[MaxKey, MinKey]".into()
            } else {
                "[MinKey, MaxKey]".into()
            })],
            Some(ivs) => {
                let mut v: Vec<Bson> = ivs
                    .iter()
                    .map(|iv| Bson::String(interval(iv, reverse)))
                    .collect();
                if reverse {
                    v.reverse();
                }
                v
            }
        };
        out.insert(f.clone(), list);
    }
    out
}

/// The IXSCAN stage's descriptive fields for an index scan.
fn ixscan_fields(c: &Collection, target: Target, bounds: &[Option<Vec<Interval>>]) -> Document {
    let (name, fields, dirs, unique, sparse, partial, mk) = match target {
        Target::Id => (
            "_id_".to_string(),
            vec!["_id".to_string()],
            vec![1],
            true,
            false,
            false,
            Default::default(),
        ),
        Target::Sec(i) => match c.secondary.get(i) {
            Some(ix) => (
                ix.name.clone(),
                ix.fields.clone(),
                ix.dirs.clone(),
                ix.unique,
                ix.sparse,
                ix.partial,
                ix.multikey_fields.clone(),
            ),
            None => return Document::new(),
        },
    };
    let key_pattern = c
        .index_specs()
        .into_iter()
        .find(|s| s.get_str("name").ok() == Some(name.as_str()))
        .and_then(|s| s.get_document("key").ok().cloned())
        .unwrap_or_default();
    let mut paths = Document::new();
    for f in &fields {
        let v: Vec<Bson> = if mk.contains(f) {
            vec![Bson::String(f.clone())]
        } else {
            Vec::new()
        };
        paths.insert(f.clone(), v);
    }
    doc! {
        "stage": "IXSCAN",
        "keyPattern": key_pattern,
        "indexName": name,
        "isMultiKey": !mk.is_empty(),
        "multiKeyPaths": paths,
        "isUnique": unique,
        "isSparse": sparse,
        "isPartial": partial,
        "indexVersion": 2,
        "direction": "forward",
        "indexBounds": index_bounds(&fields, &dirs, bounds),
    }
}

/// A counter as mongod sends it: an int while it fits.
pub fn int(n: u64) -> Bson {
    i32::try_from(n).map_or(Bson::Int64(n as i64), Bson::Int32)
}

/// Counters every executed stage carries.
fn exec_common(stage: &mut Document, returned: u64, works: u64) {
    let mut d = doc! {
        "nReturned": int(returned),
        "executionTimeMillisEstimate": 0,
        "works": int(works),
        "advanced": int(returned),
        "needTime": int(works.saturating_sub(returned + 1)),
        "needYield": 0,
        "saveState": 0,
        "restoreState": 0,
        "isEOF": 1,
    };
    let stage_name = stage.remove("stage").unwrap_or(Bson::Null);
    let mut out = doc! {"stage": stage_name};
    // mongod puts the counters right after the stage name, then the stage's own fields.
    let rest = std::mem::take(stage);
    out.extend(std::mem::take(&mut d));
    out.extend(rest);
    *stage = out;
}

/// The access stage(s) of `plan`: `(winningPlan part, executionStages part)`.
pub fn access_stage(
    c: &Collection,
    plan: &Plan,
    filter: &Document,
    n: Counts,
) -> (Document, Document) {
    match plan {
        Plan::IdHack => {
            let p = doc! {"stage": "IDHACK"};
            let mut e = p.clone();
            exec_common(&mut e, n.matched, n.keys + 1);
            e.insert("keysExamined", int(n.keys));
            e.insert("docsExamined", int(n.docs));
            (p, e)
        }
        Plan::Collscan { forward } => {
            let mut p = doc! {"stage": "COLLSCAN"};
            if !filter.is_empty() {
                p.insert("filter", filter.clone());
            }
            p.insert("direction", if *forward { "forward" } else { "backward" });
            let mut e = p.clone();
            exec_common(&mut e, n.matched, n.docs + 1);
            e.insert("docsExamined", int(n.docs));
            (p, e)
        }
        Plan::Ixscan { target, bounds } => {
            let ix = ixscan_fields(c, *target, bounds);
            let mut fetch = doc! {"stage": "FETCH"};
            if !filter.is_empty() {
                fetch.insert("filter", filter.clone());
            }
            let mut fetch_e = fetch.clone();
            exec_common(&mut fetch_e, n.matched, n.docs + 1);
            fetch_e.insert("docsExamined", int(n.docs));
            fetch_e.insert("alreadyHasObj", 0);
            let mut ix_e = ix.clone();
            exec_common(&mut ix_e, n.docs, n.keys + 1);
            let multikey = ix.get_bool("isMultiKey").unwrap_or(false);
            ix_e.insert("keysExamined", int(n.keys));
            ix_e.insert("seeks", 1);
            ix_e.insert("dupsTested", int(if multikey { n.keys } else { 0 }));
            ix_e.insert(
                "dupsDropped",
                int(if multikey {
                    n.keys.saturating_sub(n.docs)
                } else {
                    0
                }),
            );
            fetch.insert("inputStage", ix);
            fetch_e.insert("inputStage", ix_e);
            (fetch, fetch_e)
        }
    }
}

/// Wraps both trees in a stage (`fields` after the name), `returned` documents out of it.
pub fn wrap(
    (plan, exec): (Document, Document),
    stage: &str,
    fields: Document,
    returned: u64,
    input_returned: u64,
) -> (Document, Document) {
    let mut p = doc! {"stage": stage};
    p.extend(fields);
    let mut e = p.clone();
    exec_common(&mut e, returned, input_returned + 1);
    p.insert("inputStage", plan);
    e.insert("inputStage", exec);
    (p, e)
}
