//! Secondary indexes used by queries: an ordered set of (key tuple, record id) entries per index.
//! Keys come from the same path expansion the matcher uses (arrays contribute their elements), so
//! every document a query on the indexed field can match has an entry in the scanned ranges
//! (equality to an array scans its first element too); the full matcher checks each candidate.

use std::collections::BTreeSet;
use std::ops::Bound;

use bson::{Bson, Document};

use super::compare::Key;
use super::path::lookup_all;

/// One index entry: key tuple (one value per key-pattern field), then the record id.
pub type Entry = (Vec<Key>, u64);

/// Past this many key tuples for one document (arrays in several fields), only the first are kept
/// and the index stops being used by the planner (its ranges could miss a document).
const MAX_KEYS_PER_DOC: usize = 1000;

#[derive(Debug, Clone)]
pub struct SecIndex {
    pub name: String,
    pub fields: Vec<String>,
    /// 1 or -1 per field, as in the key pattern.
    pub dirs: Vec<i32>,
    pub unique: bool,
    pub sparse: bool,
    pub partial: bool,
    /// A partial index holds only the documents matching its `partialFilterExpression`.
    pub partial_filter: Option<(super::matcher::Filter, Document)>,
    /// Some document had more than one key for it (an array on an indexed path).
    pub multikey: bool,
    /// Fields on which some document had an array (explain's `multiKeyPaths`).
    pub multikey_fields: BTreeSet<String>,
    /// A document produced too many keys: never chosen by the planner.
    pub truncated: bool,
    pub entries: BTreeSet<Entry>,
    /// Estimated bytes of all keys (collStats `indexSizes`).
    pub key_bytes: u64,
}

/// Whether `spec` is an ordinary ascending/descending index the sandbox can build and scan
/// (not text, hashed, 2dsphere, wildcard or collated).
pub fn scannable(spec: &Document) -> bool {
    let Ok(key) = spec.get_document("key") else {
        return false;
    };
    !spec.contains_key("collation")
        && !key.is_empty()
        && key.iter().all(|(k, v)| {
            !k.contains("$**") && super::compare::to_f64(v).is_some_and(|f| f == 1.0 || f == -1.0)
        })
}

/// The index keys of `path` in `doc`: each value, arrays replaced by their elements; null when
/// the path is missing somewhere. The flag is true when an array was met.
fn field_values(doc: &Document, path: &str) -> (Vec<Key>, bool) {
    let (vals, missing) = lookup_all(doc, path);
    let mut out: Vec<Key> = Vec::new();
    let mut array = vals.len() > 1;
    for v in vals {
        match v {
            // As mongod: an array is indexed by its elements (an empty one as undefined).
            Bson::Array(a) if a.is_empty() => {
                array = true;
                out.push(Key(Bson::Undefined));
            }
            Bson::Array(a) => {
                array = true;
                out.extend(a.iter().cloned().map(Key));
            }
            other => out.push(Key(other.clone())),
        }
    }
    if missing || out.is_empty() {
        out.push(Key(Bson::Null));
    }
    out.sort();
    out.dedup();
    (out, array)
}

fn key_size(k: &[Key]) -> u64 {
    k.iter()
        .map(|Key(v)| {
            let d = bson::doc! {"": v.clone()};
            u64::from(super::collection::bson_size(&d)).saturating_sub(6)
        })
        .sum::<u64>()
        + 8
}

impl SecIndex {
    pub fn from_spec(spec: &Document) -> Option<SecIndex> {
        if !scannable(spec) {
            return None;
        }
        let key = spec.get_document("key").ok()?;
        let flag = |k: &str| spec.get(k).is_some_and(super::matcher::truthy);
        Some(SecIndex {
            name: spec.get_str("name").unwrap_or_default().to_string(),
            fields: key.keys().cloned().collect(),
            dirs: key
                .values()
                .map(|v| {
                    if super::compare::to_f64(v).unwrap_or(1.0) < 0.0 {
                        -1
                    } else {
                        1
                    }
                })
                .collect(),
            unique: flag("unique"),
            sparse: flag("sparse"),
            partial: spec.contains_key("partialFilterExpression"),
            partial_filter: match spec.get("partialFilterExpression") {
                Some(Bson::Document(d)) => {
                    Some((super::matcher::Filter::parse(d).ok()?, d.clone()))
                }
                Some(_) => return None,
                None => None,
            },
            multikey: false,
            multikey_fields: BTreeSet::new(),
            truncated: false,
            entries: BTreeSet::new(),
            key_bytes: 0,
        })
    }

    /// All key tuples of `doc` (the cartesian product of each field's values), or none when a
    /// sparse index skips it.
    fn keys(&self, doc: &Document) -> (Vec<Vec<Key>>, Vec<bool>) {
        let per: Vec<(Vec<Key>, bool)> = self.fields.iter().map(|f| field_values(doc, f)).collect();
        let arrays = per.iter().map(|(_, a)| *a).collect();
        if self.sparse
            && self
                .fields
                .iter()
                .all(|f| super::path::lookup_first(doc, f).is_none())
        {
            return (Vec::new(), arrays);
        }
        let mut tuples: Vec<Vec<Key>> = vec![Vec::new()];
        for (vals, _) in &per {
            let mut next = Vec::with_capacity(tuples.len() * vals.len());
            'outer: for t in &tuples {
                for v in vals {
                    if next.len() >= MAX_KEYS_PER_DOC {
                        break 'outer;
                    }
                    let mut t2 = t.clone();
                    t2.push(v.clone());
                    next.push(t2);
                }
            }
            tuples = next;
        }
        (tuples, arrays)
    }

    pub fn add(&mut self, rid: u64, doc: &Document) {
        if self
            .partial_filter
            .as_ref()
            .is_some_and(|(f, _)| !f.matches(doc))
        {
            return;
        }
        let (keys, arrays) = self.keys(doc);
        if keys.len() > 1 {
            self.multikey = true;
        }
        if keys.len() >= MAX_KEYS_PER_DOC {
            self.truncated = true;
        }
        for (f, a) in self.fields.iter().zip(arrays) {
            if a {
                self.multikey = true;
                self.multikey_fields.insert(f.clone());
            }
        }
        for k in keys {
            let size = key_size(&k);
            if self.entries.insert((k, rid)) {
                self.key_bytes += size;
            }
        }
    }

    pub fn remove(&mut self, rid: u64, doc: &Document) {
        for k in self.keys(doc).0 {
            let size = key_size(&k);
            if self.entries.remove(&(k, rid)) {
                self.key_bytes = self.key_bytes.saturating_sub(size);
            }
        }
    }

    /// Calls `f` with each record id in the given entry ranges, in index order, each once,
    /// until it returns false; `f` also gets the number of keys looked at so far.
    pub fn scan_each(
        &self,
        ranges: &[(Bound<Entry>, Bound<Entry>)],
        f: &mut dyn FnMut(Option<u64>, u64) -> bool,
    ) {
        let mut seen = std::collections::HashSet::new();
        let mut keys = 0u64;
        if !self.ascending() {
            for (_, rid) in self.in_index_order(ranges) {
                keys += 1;
                let new = (!self.multikey || seen.insert(rid)).then_some(rid);
                if !f(new, keys) {
                    return;
                }
            }
            return;
        }
        for (lo, hi) in ranges {
            if !valid_range(lo, hi) {
                continue;
            }
            for (_, rid) in self.entries.range((lo.clone(), hi.clone())) {
                keys += 1;
                // A multikey document has several keys in the range: it is returned once.
                let new = (!self.multikey || seen.insert(*rid)).then_some(*rid);
                if !f(new, keys) {
                    return;
                }
            }
        }
    }

    /// Whether every field of the key pattern is ascending (entries are kept in ascending
    /// order, so then their stored order is the index's order).
    pub fn ascending(&self) -> bool {
        self.dirs.iter().all(|d| *d == 1)
    }

    /// The entries in `ranges` in the index's own order: descending fields from high to low,
    /// the record id breaking ties upwards (as mongod's index keys).
    pub fn in_index_order(&self, ranges: &[(Bound<Entry>, Bound<Entry>)]) -> Vec<Entry> {
        let mut all: Vec<&Entry> = ranges
            .iter()
            .filter(|(lo, hi)| valid_range(lo, hi))
            .flat_map(|(lo, hi)| self.entries.range((lo.clone(), hi.clone())))
            .collect();
        all.sort_by(|a, b| directed_cmp(&self.dirs, a, b));
        all.dedup();
        all.into_iter().cloned().collect()
    }

    /// Estimated size in bytes (collStats): the keys plus a page.
    pub fn size_estimate(&self) -> u64 {
        4096 + self.key_bytes
    }
}

/// Compares two entries in the order of a key pattern with directions `dirs`.
pub fn directed_cmp(dirs: &[i32], a: &Entry, b: &Entry) -> std::cmp::Ordering {
    for (i, (x, y)) in a.0.iter().zip(b.0.iter()).enumerate() {
        let o = x.cmp(y);
        if o != std::cmp::Ordering::Equal {
            return if dirs.get(i) == Some(&-1) {
                o.reverse()
            } else {
                o
            };
        }
    }
    a.0.len().cmp(&b.0.len()).then(a.1.cmp(&b.1))
}

/// `BTreeSet::range` panics on an inverted or empty-exclusive range; such ranges hold nothing.
pub fn valid_range(lo: &Bound<Entry>, hi: &Bound<Entry>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a <= b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a < b,
        _ => true,
    }
}
