//! Sort specifications: `{a: 1, "b.c": -1}` or `{$natural: ±1}`; keys follow the server's rules
//! for arrays (ascending uses the smallest element, descending the largest) and missing fields.

use std::cmp::Ordering;
use std::sync::Arc;

use bson::{Bson, Document};

use super::compare::cmp_bson;
use super::path::lookup_all;
use crate::error::CmdError;

#[derive(Debug, Clone, PartialEq)]
pub enum Sort {
    /// Natural order, forward (true) or backward.
    Natural(bool),
    Keys(Vec<(String, bool)>),
}

impl Sort {
    /// `None` for an empty spec.
    pub fn parse(spec: &Document) -> Result<Option<Sort>, CmdError> {
        if spec.is_empty() {
            return Ok(None);
        }
        let mut keys = Vec::new();
        for (k, v) in spec {
            let asc = match super::compare::to_f64(v) {
                Some(1.0) => true,
                Some(-1.0) => false,
                _ => {
                    return Err(CmdError::new(
                        15975,
                        "Location15975",
                        "$sort key ordering must be 1 (for ascending) or -1 (for descending)",
                    ))
                }
            };
            if k == "$natural" {
                return Ok(Some(Sort::Natural(asc)));
            }
            if k.is_empty() {
                return Err(CmdError::bad_value(
                    "FieldPath cannot be constructed with empty string",
                ));
            }
            keys.push((k.clone(), asc));
        }
        Ok(Some(Sort::Keys(keys)))
    }
}

/// The value a document sorts by on `path`.
pub fn sort_key(doc: &Document, path: &str, asc: bool) -> Bson {
    let (vals, _) = lookup_all(doc, path);
    let mut best: Option<&Bson> = None;
    let mut saw_empty_array = false;
    for v in vals {
        let items: Vec<&Bson> = match v {
            Bson::Array(a) if a.is_empty() => {
                saw_empty_array = true;
                Vec::new()
            }
            Bson::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for it in items {
            best = match best {
                None => Some(it),
                Some(b) => {
                    let o = cmp_bson(it, b);
                    if (asc && o == Ordering::Less) || (!asc && o == Ordering::Greater) {
                        Some(it)
                    } else {
                        Some(b)
                    }
                }
            };
        }
    }
    match best {
        Some(b) => b.clone(),
        None if saw_empty_array => Bson::Undefined,
        None => Bson::Null,
    }
}

/// Sorts documents by `keys` (stable: ties keep natural order).
pub fn sort_docs(docs: &mut Vec<Arc<Document>>, keys: &[(String, bool)]) {
    let mut keyed: Vec<(Vec<Bson>, Arc<Document>)> = docs
        .drain(..)
        .map(|d| {
            (
                keys.iter().map(|(p, asc)| sort_key(&d, p, *asc)).collect(),
                d,
            )
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b, keys));
    docs.extend(keyed.into_iter().map(|(_, d)| d));
}

/// A document with its record id.
type Pair = (u64, Arc<Document>);

/// `sort_docs` for documents paired with their record ids.
pub fn sort_pairs(pairs: &mut Vec<Pair>, keys: &[(String, bool)]) {
    let mut keyed: Vec<(Vec<Bson>, Pair)> = pairs
        .drain(..)
        .map(|p| {
            (
                keys.iter()
                    .map(|(k, asc)| sort_key(&p.1, k, *asc))
                    .collect(),
                p,
            )
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b, keys));
    pairs.extend(keyed.into_iter().map(|(_, p)| p));
}

fn compare_keys(a: &[Bson], b: &[Bson], keys: &[(String, bool)]) -> Ordering {
    for ((x, y), (_, asc)) in a.iter().zip(b.iter()).zip(keys.iter()) {
        let o = cmp_bson(x, y);
        if o != Ordering::Equal {
            return if *asc { o } else { o.reverse() };
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn ids(docs: &[Arc<Document>]) -> Vec<i32> {
        docs.iter()
            .map(|d| d.get_i32("_id").unwrap_or(-1))
            .collect()
    }

    #[test]
    fn sorts_across_types_arrays_and_missing() {
        let mut docs: Vec<Arc<Document>> = vec![
            doc! {"_id": 1, "a": 5},
            doc! {"_id": 2, "a": "x"},
            doc! {"_id": 3},
            doc! {"_id": 4, "a": [9, 0]},
            doc! {"_id": 5, "a": 2.5},
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        sort_docs(&mut docs, &[("a".into(), true)]);
        assert_eq!(ids(&docs), vec![3, 4, 5, 1, 2]);
        sort_docs(&mut docs, &[("a".into(), false)]);
        assert_eq!(ids(&docs), vec![2, 4, 1, 5, 3]);
    }

    #[test]
    fn compound_keys_and_stability() {
        let mut docs: Vec<Arc<Document>> = vec![
            doc! {"_id": 1, "a": 1, "b": 1},
            doc! {"_id": 2, "a": 0, "b": 1},
            doc! {"_id": 3, "a": 1, "b": 2},
            doc! {"_id": 4, "a": 1, "b": 2},
        ]
        .into_iter()
        .map(Arc::new)
        .collect();
        sort_docs(&mut docs, &[("a".into(), false), ("b".into(), false)]);
        assert_eq!(ids(&docs), vec![3, 4, 1, 2]);
    }

    #[test]
    fn parse_specs() {
        assert_eq!(
            Sort::parse(&doc! {"$natural": -1}).ok().flatten(),
            Some(Sort::Natural(false))
        );
        assert_eq!(Sort::parse(&doc! {}).ok().flatten(), None);
        assert_eq!(
            Sort::parse(&doc! {"a": 2}).err().map(|e| e.code),
            Some(15975)
        );
    }
}
