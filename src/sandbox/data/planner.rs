//! Query planning: pick an index whose leading field(s) the filter bounds (equality, `$in`,
//! ranges in a top-level AND), or follow a `hint`; then scan only those key ranges and run the
//! full matcher on each candidate, so results never depend on the plan.

use std::cmp::Ordering;
use std::ops::Bound;
use std::sync::Arc;

use bson::{Bson, Document};

use super::collection::Collection;
use super::compare::{type_rank, Key};
use super::matcher::{Filter, Pred};
use super::secondary::{Entry, SecIndex};
use crate::sandbox::error::CmdError;

pub type Interval = (Bound<Key>, Bound<Key>);

/// Which index a scan walks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Id,
    Sec(usize),
}

#[derive(Debug, Clone)]
pub enum Plan {
    /// `{_id: <value>}`: one lookup in the `_id` index.
    IdHack,
    Collscan {
        forward: bool,
    },
    Ixscan {
        target: Target,
        /// Intervals per key-pattern field (`None`: unconstrained).
        bounds: Vec<Option<Vec<Interval>>>,
    },
}

/// What running a plan produced.
pub struct Exec {
    pub docs: Vec<(u64, Arc<Document>)>,
    pub keys_examined: u64,
    pub docs_examined: u64,
}

/// Past this many point combinations a compound scan falls back to its leading field's ranges.
const MAX_RANGES: usize = 500;
/// Plans are ranked by counting the keys in their ranges, up to this many.
const TRIAL_KEYS: u64 = 10_000;

fn min_of_rank(rank: i32) -> Option<Bson> {
    Some(match rank {
        10 => Bson::Double(f64::NAN),
        15 => Bson::String(String::new()),
        20 => Bson::Document(Document::new()),
        35 => Bson::ObjectId(bson::oid::ObjectId::from_bytes([0; 12])),
        40 => Bson::Boolean(false),
        45 => Bson::DateTime(bson::DateTime::from_millis(i64::MIN)),
        47 => Bson::Timestamp(bson::Timestamp {
            time: 0,
            increment: 0,
        }),
        50 => Bson::RegularExpression(bson::Regex {
            pattern: String::new(),
            options: String::new(),
        }),
        _ => return None,
    })
}

/// All values of `v`'s type (the range operators never cross types): [min, next type's min).
fn bracket(v: &Bson) -> Option<(Key, Key)> {
    let r = type_rank(v);
    let next = match r {
        10 => 15,
        15 => 20,
        35 => 40,
        40 => 45,
        45 => 47,
        47 => 50,
        _ => return None,
    };
    Some((Key(min_of_rank(r)?), Key(min_of_rank(next)?)))
}

/// The key intervals a predicate limits its field to, when it can be expressed as such.
/// Point keys that hold every document equal to `v`: an array value is indexed by its elements,
/// so equality to an array also looks at its first element (undefined for `[]`).
fn eq_points(v: &Bson, out: &mut Vec<Key>) {
    if let Bson::Array(a) = v {
        out.push(Key(a.first().cloned().unwrap_or(Bson::Undefined)));
    }
    out.push(Key(v.clone()));
}

fn points(keys: &mut Vec<Key>) -> Vec<Interval> {
    keys.sort();
    keys.dedup();
    keys.iter()
        .map(|k| (Bound::Included(k.clone()), Bound::Included(k.clone())))
        .collect()
}

fn pred_intervals(p: &Pred) -> Option<Vec<Interval>> {
    match p {
        Pred::Eq(v) if !matches!(v, Bson::Null | Bson::Undefined) => {
            let mut keys = Vec::new();
            eq_points(v, &mut keys);
            Some(points(&mut keys))
        }
        Pred::Cmp(dir, incl, v) => {
            let (lo, hi) = bracket(v)?;
            let at = Key(v.clone());
            let at = if *incl {
                Bound::Included(at)
            } else {
                Bound::Excluded(at)
            };
            Some(vec![match dir {
                Ordering::Greater => (at, Bound::Excluded(hi)),
                _ => (Bound::Included(lo), at),
            }])
        }
        Pred::In(vals, res) if res.is_empty() => {
            if vals
                .iter()
                .any(|v| matches!(v, Bson::Null | Bson::Undefined))
            {
                return None;
            }
            let mut keys = Vec::new();
            vals.iter().for_each(|v| eq_points(v, &mut keys));
            Some(points(&mut keys))
        }
        _ => None,
    }
}

/// The (path, predicate) pairs of a top-level AND.
fn conjuncts<'a>(f: &'a Filter, out: &mut Vec<(&'a str, &'a Pred)>) {
    match f {
        Filter::Field(path, preds) => out.extend(preds.iter().map(|p| (path.as_str(), p))),
        Filter::And(fs) => fs.iter().for_each(|f| conjuncts(f, out)),
        _ => {}
    }
}

fn lower_max(a: &Bound<Key>, b: &Bound<Key>) -> Bound<Key> {
    match (a, b) {
        (Bound::Unbounded, x) | (x, Bound::Unbounded) => x.clone(),
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Greater => a.clone(),
                Ordering::Less => b.clone(),
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a.clone(),
                Ordering::Equal => b.clone(),
            }
        }
    }
}

fn upper_min(a: &Bound<Key>, b: &Bound<Key>) -> Bound<Key> {
    match (a, b) {
        (Bound::Unbounded, x) | (x, Bound::Unbounded) => x.clone(),
        (Bound::Included(x) | Bound::Excluded(x), Bound::Included(y) | Bound::Excluded(y)) => {
            match x.cmp(y) {
                Ordering::Less => a.clone(),
                Ordering::Greater => b.clone(),
                Ordering::Equal if matches!(a, Bound::Excluded(_)) => a.clone(),
                Ordering::Equal => b.clone(),
            }
        }
    }
}

fn non_empty(i: &Interval) -> bool {
    match i {
        (Bound::Included(a), Bound::Included(b)) => a <= b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a < b,
        _ => true,
    }
}

fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let i = (lower_max(&x.0, &y.0), upper_min(&x.1, &y.1));
            if non_empty(&i) {
                out.push(i);
            }
        }
    }
    out
}

/// Intervals per field of an index with these fields, from the filter's conjuncts. On a
/// multikey field two ranges may hold for different elements, so only one predicate is used.
pub fn field_bounds(
    fields: &[String],
    multikey: &dyn Fn(&str) -> bool,
    filter: &Filter,
) -> Vec<Option<Vec<Interval>>> {
    let mut cs = Vec::new();
    conjuncts(filter, &mut cs);
    fields
        .iter()
        .map(|f| {
            let mut acc: Option<Vec<Interval>> = None;
            for (_, p) in cs.iter().filter(|(path, _)| path == f) {
                let Some(iv) = pred_intervals(p) else {
                    continue;
                };
                acc = Some(match acc {
                    None => iv,
                    Some(prev) if multikey(f) => prev,
                    Some(prev) => intersect(&prev, &iv),
                });
            }
            acc
        })
        .collect()
}

fn is_point(i: &Interval) -> bool {
    matches!(i, (Bound::Included(a), Bound::Included(b)) if a == b)
}

fn pad(mut v: Vec<Key>, n: usize) -> Vec<Key> {
    v.extend(std::iter::repeat_n(Key(Bson::MaxKey), n));
    v
}

/// Entry ranges of a compound index for per-field bounds: leading point fields multiply out,
/// the first non-point (or last) bounded field gives the range, later fields are not narrowed.
pub fn entry_ranges(bounds: &[Option<Vec<Interval>>]) -> Vec<(Bound<Entry>, Bound<Entry>)> {
    let n = bounds.len();
    let mut prefixes: Vec<Vec<Key>> = vec![Vec::new()];
    for (i, b) in bounds.iter().enumerate() {
        let rest = n - i - 1;
        let Some(iv) = b else { break };
        let points = iv.iter().all(is_point);
        if points && i + 1 < n && prefixes.len() * iv.len() <= MAX_RANGES {
            prefixes = prefixes
                .iter()
                .flat_map(|p| {
                    iv.iter().filter_map(move |(lo, _)| match lo {
                        Bound::Included(k) => {
                            let mut p2 = p.clone();
                            p2.push(k.clone());
                            Some(p2)
                        }
                        _ => None,
                    })
                })
                .collect();
            continue;
        }
        let mut out = Vec::new();
        for p in &prefixes {
            for (lo, hi) in iv {
                let with = |k: &Key| {
                    let mut v = p.clone();
                    v.push(k.clone());
                    v
                };
                let lo = match lo {
                    Bound::Included(k) => Bound::Included((with(k), 0)),
                    Bound::Excluded(k) => Bound::Excluded((pad(with(k), rest), u64::MAX)),
                    Bound::Unbounded if p.is_empty() => Bound::Unbounded,
                    Bound::Unbounded => Bound::Included((p.clone(), 0)),
                };
                let hi = match hi {
                    Bound::Included(k) => Bound::Included((pad(with(k), rest), u64::MAX)),
                    Bound::Excluded(k) => Bound::Excluded((with(k), 0)),
                    Bound::Unbounded if p.is_empty() => Bound::Unbounded,
                    Bound::Unbounded => Bound::Included((pad(p.clone(), rest + 1), u64::MAX)),
                };
                out.push((lo, hi));
            }
        }
        return out;
    }
    // Every bounded field was a point (or none was bounded): one range per prefix.
    prefixes
        .into_iter()
        .map(|p| {
            if p.is_empty() {
                return (Bound::Unbounded, Bound::Unbounded);
            }
            let rest = n - p.len();
            (
                Bound::Included((p.clone(), 0)),
                Bound::Included((pad(p, rest), u64::MAX)),
            )
        })
        .collect()
}

fn id_scan(c: &Collection, bounds: &[Option<Vec<Interval>>], cap: u64) -> (Vec<u64>, u64) {
    let Some(ix) = &c.id_index else {
        return (Vec::new(), 0);
    };
    let full = vec![(Bound::Unbounded, Bound::Unbounded)];
    let ivs = bounds.first().cloned().flatten().unwrap_or(full);
    let mut out = Vec::new();
    let mut keys = 0;
    for i in ivs.iter().filter(|i| non_empty(i)) {
        for (_, rid) in ix.range(i.clone()) {
            keys += 1;
            out.push(*rid);
            if keys >= cap {
                return (out, keys);
            }
        }
    }
    (out, keys)
}

fn sec(c: &Collection, t: Target) -> Option<&SecIndex> {
    match t {
        Target::Sec(i) => c.secondary.get(i),
        Target::Id => None,
    }
}

/// Record ids an index scan yields (each once, index order) and the keys it examined.
pub fn scan_ids(
    c: &Collection,
    target: Target,
    bounds: &[Option<Vec<Interval>>],
    cap: u64,
) -> (Vec<u64>, u64) {
    match sec(c, target) {
        Some(ix) => ix.scan(&entry_ranges(bounds), cap),
        None => id_scan(c, bounds, cap),
    }
}

/// The bounds every usable index would scan for `filter` (planner candidates).
fn candidates(c: &Collection, filter: &Filter) -> Vec<(Target, Vec<Option<Vec<Interval>>>)> {
    let mut out = Vec::new();
    if c.id_index.is_some() {
        let b = field_bounds(&["_id".to_string()], &|_| false, filter);
        if b[0].is_some() {
            out.push((Target::Id, b));
        }
    }
    for (i, ix) in c.secondary.iter().enumerate() {
        if ix.partial || ix.truncated {
            continue;
        }
        let b = field_bounds(&ix.fields, &|f| ix.multikey_fields.contains(f), filter);
        if b.first().is_some_and(Option::is_some) {
            out.push((Target::Sec(i), b));
        }
    }
    out
}

/// The index a hint names (by name or key pattern), `$natural`, or an error like mongod's.
fn hinted(c: &Collection, hint: &Bson, ns: &str, filter_doc: &Document) -> Result<Plan, CmdError> {
    let same_pattern = |spec: &Document, k: &Document| {
        spec.get_document("key").is_ok_and(|key| {
            key.len() == k.len()
                && key
                    .iter()
                    .zip(k.iter())
                    .all(|((a, x), (b, y))| a == b && super::compare::bson_eq(x, y))
        })
    };
    let found = match hint {
        Bson::Document(k) => {
            if let Some(v) = k.get("$natural") {
                let forward = super::compare::to_f64(v).is_none_or(|f| f >= 0.0);
                return Ok(Plan::Collscan { forward });
            }
            c.index_specs().into_iter().find(|s| same_pattern(s, k))
        }
        Bson::String(name) => c
            .index_specs()
            .into_iter()
            .find(|s| s.get_str("name").ok() == Some(name.as_str())),
        _ => None,
    };
    let Some(spec) = found else {
        return Err(CmdError::bad_value(format!(
            "error processing query: ns={ns}Tree: {}\nSort: {{}}\nProj: {{}}\n planner returned error :: caused by :: hint provided does not correspond to an existing index",
            super::fmt::document(filter_doc)
        )));
    };
    let name = spec.get_str("name").unwrap_or_default();
    if name == "_id_" {
        return Ok(Plan::Ixscan {
            target: Target::Id,
            bounds: vec![None],
        });
    }
    // Text, hashed and other special indexes are not kept: such a hint scans the collection.
    let Some(i) = c.secondary.iter().position(|s| s.name == name) else {
        return Ok(Plan::Collscan { forward: true });
    };
    // The caller computes the bounds from the filter.
    Ok(Plan::Ixscan {
        target: Target::Sec(i),
        bounds: Vec::new(),
    })
}

/// The plan for `filter` on `c` (a hint, when given and not empty, decides), and the plans
/// the planner considered and did not choose.
pub fn plan(
    c: &Collection,
    filter: &Filter,
    filter_doc: &Document,
    hint: Option<&Bson>,
    ns: &str,
) -> Result<(Plan, Vec<Plan>), CmdError> {
    let hint = hint.filter(|h| match h {
        Bson::Document(d) => !d.is_empty(),
        Bson::String(s) => !s.is_empty(),
        _ => true,
    });
    if let Some(h) = hint {
        let p = match hinted(c, h, ns, filter_doc)? {
            Plan::Ixscan { target, .. } => {
                let fields = match sec(c, target) {
                    Some(ix) => ix.fields.clone(),
                    None => vec!["_id".to_string()],
                };
                let mk = |f: &str| sec(c, target).is_some_and(|ix| ix.multikey_fields.contains(f));
                Plan::Ixscan {
                    target,
                    bounds: field_bounds(&fields, &mk, filter),
                }
            }
            other => other,
        };
        return Ok((p, Vec::new()));
    }
    if filter.id_equality().is_some() && c.id_index.is_some() {
        return Ok((Plan::IdHack, Vec::new()));
    }
    let mut ranked: Vec<(u64, usize, Plan)> = candidates(c, filter)
        .into_iter()
        .map(|(target, bounds)| {
            let (_, keys) = scan_ids(c, target, &bounds, TRIAL_KEYS);
            let bounded = bounds.iter().take_while(|b| b.is_some()).count();
            (keys, usize::MAX - bounded, Plan::Ixscan { target, bounds })
        })
        .collect();
    ranked.sort_by_key(|r| (r.0, r.1));
    let mut plans = ranked.into_iter().map(|(_, _, p)| p);
    match plans.next() {
        Some(best) => Ok((best, plans.collect())),
        None => Ok((Plan::Collscan { forward: true }, Vec::new())),
    }
}

/// Runs `plan`: the matching documents (index order for index scans, natural otherwise).
pub fn execute(c: &Collection, plan: &Plan, filter: &Filter) -> Exec {
    match plan {
        Plan::IdHack => {
            let found = filter
                .id_equality()
                .and_then(|id| c.find_id(id))
                .and_then(|rid| c.get(rid).map(|d| (rid, d)));
            let n = u64::from(found.is_some());
            Exec {
                docs: found.into_iter().collect(),
                keys_examined: n,
                docs_examined: n,
            }
        }
        Plan::Collscan { forward } => {
            let it: Box<dyn Iterator<Item = _>> = if *forward {
                Box::new(c.docs.iter())
            } else {
                Box::new(c.docs.iter().rev())
            };
            let docs = it
                .map(|(rid, s)| (*rid, s.doc()))
                .filter(|(_, d)| filter.matches(d))
                .collect();
            Exec {
                docs,
                keys_examined: 0,
                docs_examined: c.count(),
            }
        }
        Plan::Ixscan { target, bounds } => {
            let (rids, keys) = scan_ids(c, *target, bounds, u64::MAX);
            let docs_examined = rids.len() as u64;
            let docs = rids
                .into_iter()
                .filter_map(|rid| c.get(rid).map(|d| (rid, d)))
                .filter(|(_, d)| filter.matches(d))
                .collect();
            Exec {
                docs,
                keys_examined: keys,
                docs_examined,
            }
        }
    }
}
