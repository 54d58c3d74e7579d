//! What an operator update changed, as change streams report it (`updateDescription`):
//! `updatedFields` by dotted path (descending into embedded documents that both versions have),
//! `removedFields`, and `truncatedArrays` (always empty: a changed array is reported whole).
//! The oplog keeps full post-images, so the description is computed when the update is applied on
//! the primary and stored beside the `_id` in the entry's `o2` (secondaries ignore it).

use bson::{doc, Bson, Document};

/// The `o2` field holding the description.
pub const DIFF_FIELD: &str = "updateDescription";

/// The change from `old` to `new`. Walks embedded documents with an explicit stack, so deep
/// documents cannot exhaust the thread's stack.
pub fn update_description(old: &Document, new: &Document) -> Document {
    let mut updated = Document::new();
    let mut removed: Vec<Bson> = Vec::new();
    let mut work: Vec<(String, &Document, &Document)> = vec![(String::new(), old, new)];
    while let Some((prefix, a, b)) = work.pop() {
        let path = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        for (k, nv) in b {
            match a.get(k) {
                Some(ov) if ov == nv => {}
                Some(Bson::Document(od)) => match nv {
                    Bson::Document(nd) => work.push((path(k), od, nd)),
                    _ => {
                        updated.insert(path(k), nv.clone());
                    }
                },
                _ => {
                    updated.insert(path(k), nv.clone());
                }
            }
        }
        for k in a.keys() {
            if !b.contains_key(k) {
                removed.push(Bson::String(path(k)));
            }
        }
    }
    let none: Vec<Bson> = Vec::new();
    doc! {"updatedFields": updated, "removedFields": removed, "truncatedArrays": none}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_unset_and_nested_paths() {
        let old = doc! {"_id": 1, "a": 1, "b": {"c": 1, "d": 2}, "gone": true, "same": [1]};
        let new = doc! {"_id": 1, "a": 2, "b": {"c": 1, "d": 3, "e": 4}, "same": [1], "n": "x"};
        let d = update_description(&old, &new);
        assert_eq!(
            d.get_document("updatedFields").unwrap(),
            &doc! {"a": 2, "n": "x", "b.d": 3, "b.e": 4}
        );
        assert_eq!(
            d.get_array("removedFields").unwrap(),
            &vec![Bson::String("gone".into())]
        );
        assert!(d.get_array("truncatedArrays").unwrap().is_empty());
    }

    #[test]
    fn deep_documents_do_not_recurse() {
        let mut old = doc! {"x": 1};
        let mut new = doc! {"x": 2};
        for _ in 0..1_000 {
            old = doc! {"n": old};
            new = doc! {"n": new};
        }
        let d = update_description(&old, &new);
        assert_eq!(d.get_document("updatedFields").unwrap().len(), 1);
    }
}
