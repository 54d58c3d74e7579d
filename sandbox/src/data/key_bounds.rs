//! Index key bounds from a filter: the intervals each predicate allows (within its type, as the
//! range operators never cross types), intersected per field, and turned into ranges of index
//! entries for compound keys.

use std::cmp::Ordering;
use std::ops::Bound;

use bson::{Bson, Document};

use super::compare::{type_rank, Key};
use super::matcher::{Filter, Pred};
use super::secondary::Entry;

pub type Interval = (Bound<Key>, Bound<Key>);

/// Past this many point combinations a compound scan falls back to its leading field's ranges.
const MAX_RANGES: usize = 500;

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

/// The key intervals a predicate limits its field to, when it can be expressed as such.
pub fn pred_intervals(p: &Pred) -> Option<Vec<Interval>> {
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

pub fn non_empty(i: &Interval) -> bool {
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
