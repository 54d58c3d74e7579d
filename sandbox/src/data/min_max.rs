//! find's `min` and `max`: bounds on the hinted index's keys (min inclusive, max exclusive,
//! compared in the index's own order, so a descending field's `min` is its highest value).
//! As on mongod they need a hint, and their fields must be the index's key pattern, in order.

use std::sync::Arc;

use bson::{Bson, Document};

use super::collection::Collection;
use super::compare::Key;
use super::matcher::Filter;
use super::planner::{self, Plan, Target};
use super::secondary::{directed_cmp, Entry};
use crate::error::CmdError;

/// The documents of `c` whose keys in the hinted index lie in `[min, max)`, in index order,
/// matching `filter`.
pub fn bounded(
    c: &Collection,
    (filter, filter_doc): (&Filter, &Document),
    hint: Option<&Bson>,
    min: Option<&Document>,
    max: Option<&Document>,
    ns: &str,
) -> Result<Vec<(u64, Arc<Document>)>, CmdError> {
    let hinted = hint.filter(|h| match h {
        Bson::Document(d) => !d.is_empty(),
        Bson::String(s) => !s.is_empty(),
        _ => true,
    });
    let Some(hint) = hinted else {
        return Err(CmdError::new(
            51173,
            "Location51173",
            "When using min()/max() a hint of which index to use must be provided",
        ));
    };
    if let (Some(a), Some(b)) = (min, max) {
        if !a.keys().eq(b.keys()) {
            return Err(CmdError::new(
                51176,
                "Location51176",
                "min() and max() must have the same field names",
            ));
        }
    }
    let incompatible = || {
        CmdError::new(
            51174,
            "Location51174",
            "The index chosen is not compatible with min/max",
        )
    };
    let (plan, _) = planner::plan(c, filter, filter_doc, Some(hint), ns)?;
    let Plan::Ixscan { target, .. } = plan else {
        return Err(incompatible());
    };
    let (fields, dirs): (Vec<String>, Vec<i32>) = match target {
        Target::Sec(i) => match c.secondary.get(i) {
            Some(ix) => (ix.fields.clone(), ix.dirs.clone()),
            None => return Err(incompatible()),
        },
        Target::Id => (vec!["_id".to_string()], vec![1]),
    };
    let key_of = |d: &Document| -> Result<Vec<Key>, CmdError> {
        if !d.keys().eq(fields.iter()) {
            return Err(incompatible());
        }
        Ok(d.values().cloned().map(Key).collect())
    };
    let lo = min.map(key_of).transpose()?;
    let hi = max.map(key_of).transpose()?;
    let entries: Vec<Entry> = match target {
        Target::Sec(i) => c
            .secondary
            .get(i)
            .map(|ix| {
                ix.in_index_order(&[(std::ops::Bound::Unbounded, std::ops::Bound::Unbounded)])
            })
            .unwrap_or_default(),
        Target::Id => c
            .id_index
            .iter()
            .flatten()
            .map(|(k, rid)| (vec![k.clone()], *rid))
            .collect(),
    };
    let keys_cmp = |a: &[Key], b: &[Key]| directed_cmp(&dirs, &(a.to_vec(), 0), &(b.to_vec(), 0));
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (key, rid) in entries {
        if lo
            .as_ref()
            .is_some_and(|l| keys_cmp(&key, l) == std::cmp::Ordering::Less)
        {
            continue;
        }
        if hi
            .as_ref()
            .is_some_and(|h| keys_cmp(&key, h) != std::cmp::Ordering::Less)
        {
            continue;
        }
        if !seen.insert(rid) {
            continue;
        }
        if let Some(d) = c.get(rid).filter(|d| filter.matches(d)) {
            out.push((rid, d));
        }
    }
    Ok(out)
}
