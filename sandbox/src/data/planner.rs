//! Query planning: pick an index whose leading field(s) the filter bounds (equality, `$in`,
//! ranges in a top-level AND), or follow a `hint`; then scan only those key ranges and run the
//! full matcher on each candidate, so results never depend on the plan.

use std::ops::Bound;
use std::sync::Arc;

use bson::{Bson, Document};

use super::collection::Collection;
use std::cmp::Ordering;

use super::compare::{cmp_bson, type_rank};
use super::matcher::Filter;
use super::secondary::SecIndex;
use crate::error::CmdError;

pub use super::key_bounds::{entry_ranges, field_bounds, non_empty, pred_intervals, Interval};

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

/// Plans are ranked by counting the keys in their ranges, up to this many.
const TRIAL_KEYS: u64 = 10_000;

fn id_scan_each(
    c: &Collection,
    bounds: &[Option<Vec<Interval>>],
    f: &mut dyn FnMut(Option<u64>, u64) -> bool,
) {
    let Some(ix) = &c.id_index else { return };
    let full = vec![(Bound::Unbounded, Bound::Unbounded)];
    let ivs = bounds.first().cloned().flatten().unwrap_or(full);
    let mut keys = 0;
    for i in ivs.iter().filter(|i| non_empty(i)) {
        for (_, rid) in ix.range(i.clone()) {
            keys += 1;
            if !f(Some(*rid), keys) {
                return;
            }
        }
    }
}

fn sec(c: &Collection, t: Target) -> Option<&SecIndex> {
    match t {
        Target::Sec(i) => c.secondary.get(i),
        Target::Id => None,
    }
}

/// Walks an index scan: `f` gets each record id (once, index order; `None` for a repeated
/// multikey entry) and the keys examined so far, and returns false to stop.
pub fn scan_each(
    c: &Collection,
    target: Target,
    bounds: &[Option<Vec<Interval>>],
    f: &mut dyn FnMut(Option<u64>, u64) -> bool,
) {
    match sec(c, target) {
        Some(ix) => ix.scan_each(&entry_ranges(bounds), f),
        None => id_scan_each(c, bounds, f),
    }
}

/// Record ids an index scan yields and the keys it examined, stopping after `cap` keys.
pub fn scan_ids(
    c: &Collection,
    target: Target,
    bounds: &[Option<Vec<Interval>>],
    cap: u64,
) -> (Vec<u64>, u64) {
    let mut out = Vec::new();
    let mut examined = 0;
    scan_each(c, target, bounds, &mut |rid, keys| {
        out.extend(rid);
        examined = keys;
        keys < cap
    });
    (out, examined)
}

/// The bounds every usable index would scan for `filter` (planner candidates).
fn candidates(
    c: &Collection,
    filter: &Filter,
    filter_doc: &Document,
) -> Vec<(Target, Vec<Option<Vec<Interval>>>)> {
    let mut out = Vec::new();
    if c.id_index.is_some() {
        let b = field_bounds(&["_id".to_string()], &|_| false, filter);
        if b[0].is_some() {
            out.push((Target::Id, b));
        }
    }
    for (i, ix) in c.secondary.iter().enumerate() {
        let usable = match &ix.partial_filter {
            Some((_, partial)) => implies(filter_doc, partial),
            None => !ix.partial,
        };
        if !usable || ix.truncated {
            continue;
        }
        let b = field_bounds(&ix.fields, &|f| ix.multikey_fields.contains(f), filter);
        if b.first().is_some_and(Option::is_some) {
            out.push((Target::Sec(i), b));
        }
    }
    out
}

/// The `{field: {op: value}}` conditions of a filter's top-level AND (normalized as explain's
/// parsedQuery).
fn conditions(filter: &Document) -> Vec<Document> {
    let parsed = super::explain::parsed_query(filter);
    match parsed.get_array("$and") {
        Ok(a) if parsed.len() == 1 => a.iter().filter_map(|p| p.as_document().cloned()).collect(),
        _ if parsed.is_empty() => Vec::new(),
        _ => vec![parsed],
    }
}

/// Whether every document matching `query` matches a partial index's filter (so the index
/// holds all of them): each condition of the partial filter is in the query, or is
/// `{f: {$exists: true}}` with a query equality or range on `f`, or a range the query's same
/// range operator on `f` tightens.
fn implies(query: &Document, partial: &Document) -> bool {
    let have = conditions(query);
    conditions(partial).iter().all(|need| {
        let Some((field, Bson::Document(op))) = need.iter().next() else {
            return false;
        };
        let Some((op, v)) = op.iter().next() else {
            return false;
        };
        have.iter().any(|h| {
            if h == need {
                return true;
            }
            let Some((hf, Bson::Document(hop))) = h.iter().next() else {
                return false;
            };
            let Some((hop, hv)) = hop.iter().next() else {
                return false;
            };
            if hf != field {
                return false;
            }
            let same_type = type_rank(hv) == type_rank(v);
            let o = cmp_bson(hv, v);
            match (op.as_str(), hop.as_str()) {
                ("$exists", "$eq" | "$gt" | "$gte" | "$lt" | "$lte") => {
                    super::matcher::truthy(v) && !matches!(hv, Bson::Null)
                }
                ("$gt" | "$gte", "$eq" | "$gt" | "$gte") if same_type => {
                    o == Ordering::Greater
                        || (o == Ordering::Equal && (op == "$gte" || hop != "$eq" && hop != "$gte"))
                }
                ("$lt" | "$lte", "$eq" | "$lt" | "$lte") if same_type => {
                    o == Ordering::Less
                        || (o == Ordering::Equal && (op == "$lte" || hop != "$eq" && hop != "$lte"))
                }
                _ => false,
            }
        })
    })
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
    let mut ranked: Vec<(u64, usize, Plan)> = candidates(c, filter, filter_doc)
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

/// Whether scanning `target` in key order yields documents in `keys` order: the sort is an
/// ascending prefix of the index pattern, and the index holds every document once (not
/// multikey, sparse or partial).
fn sorts(c: &Collection, target: Target, keys: &[(String, bool)]) -> bool {
    let (fields, dirs): (Vec<String>, Vec<i32>) = match sec(c, target) {
        Some(ix) if ix.multikey || ix.sparse || ix.partial || ix.truncated => return false,
        Some(ix) => (ix.fields.clone(), ix.dirs.clone()),
        None => (vec!["_id".to_string()], vec![1]),
    };
    !keys.is_empty()
        && keys.len() <= fields.len()
        && keys
            .iter()
            .zip(fields.iter().zip(dirs.iter()))
            .all(|((k, asc), (f, d))| k == f && *asc && *d == 1)
}

/// Adapts a plan to a sort: true when the plan's index already yields the sort order, also
/// after replacing a collection scan by a full scan of an index that does (as mongod does).
pub fn order(c: &Collection, plan: Plan, keys: &[(String, bool)], hinted: bool) -> (Plan, bool) {
    match plan {
        Plan::Ixscan { target, .. } if sorts(c, target, keys) => (plan, true),
        Plan::Collscan { forward: true } if !hinted => {
            let mut targets: Vec<Target> = (0..c.secondary.len()).map(Target::Sec).collect();
            if c.id_index.is_some() {
                targets.insert(0, Target::Id);
            }
            match targets.into_iter().find(|t| sorts(c, *t, keys)) {
                Some(target) => {
                    let n = sec(c, target).map_or(1, |ix| ix.fields.len());
                    let bounds = vec![None; n];
                    (Plan::Ixscan { target, bounds }, true)
                }
                None => (plan, false),
            }
        }
        other => (other, false),
    }
}

/// Runs `plan`: the matching documents (index order for index scans, natural otherwise).
pub fn execute(c: &Collection, plan: &Plan, filter: &Filter) -> Exec {
    execute_limited(c, plan, filter, None)
}

/// `execute`, stopping after `max` matches (when no later sort needs them all).
pub fn execute_limited(c: &Collection, plan: &Plan, filter: &Filter, max: Option<u64>) -> Exec {
    let max = max.map_or(usize::MAX, |m| m as usize);
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
            let mut examined = 0;
            let docs = it
                .take_while(|_| !super::interrupt::expired())
                .inspect(|_| examined += 1)
                .map(|(rid, s)| (*rid, s.doc()))
                .filter(|(_, d)| filter.matches(d))
                .take(max)
                .collect();
            Exec {
                docs,
                keys_examined: 0,
                docs_examined: examined,
            }
        }
        Plan::Ixscan { target, bounds } => {
            let mut docs = Vec::new();
            let (mut keys, mut docs_examined) = (0, 0);
            scan_each(c, *target, bounds, &mut |rid, k| {
                keys = k;
                if let Some(d) = rid.and_then(|r| c.get(r).map(|d| (r, d))) {
                    docs_examined += 1;
                    if filter.matches(&d.1) {
                        docs.push(d);
                    }
                }
                docs.len() < max && !super::interrupt::expired()
            });
            Exec {
                docs,
                keys_examined: keys,
                docs_examined,
            }
        }
    }
}
