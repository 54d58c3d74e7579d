//! find projections: inclusion (`{a: 1, "b.c": 1}`) or exclusion (`{a: 0}`), `_id` included
//! unless excluded. Output keeps the document's own field order.

use std::collections::HashMap;

use bson::{Bson, Document};

use super::matcher::{truthy, Filter};
use crate::error::CmdError;

#[derive(Debug, Clone, Default)]
struct Tree {
    /// Child name → subtree; an empty subtree marks a whole field.
    kids: HashMap<String, Tree>,
}

#[derive(Debug, Clone)]
pub struct Projection {
    include: bool,
    tree: Tree,
    id: bool,
    /// find's array operators (`$slice`, `$elemMatch`), applied after the fields are chosen.
    arrays: Vec<(String, ArrayOp)>,
}

/// find's array projection operators.
#[derive(Debug, Clone)]
enum ArrayOp {
    /// `$slice: n` (skip None) or `$slice: [skip, limit]`.
    Slice { skip: Option<i64>, n: i64 },
    /// `$elemMatch`: the first element matching, alone in its array (the field is dropped
    /// when none does); matched as `{field: {$elemMatch: ...}}` on that element.
    ElemMatch(Filter),
}

impl Tree {
    fn add(&mut self, path: &str) {
        let mut t = self;
        for p in path.split('.') {
            t = t.kids.entry(p.to_string()).or_default();
        }
    }
}

impl Projection {
    /// `None` when the projection keeps whole documents (an empty spec). `{_id: 1}` alone is an
    /// inclusion projection keeping only `_id`, as on the server.
    pub fn parse(spec: &Document) -> Result<Option<Projection>, CmdError> {
        let mut include: Option<bool> = None;
        let mut id = true;
        let mut id_named = false;
        let mut tree = Tree::default();
        for (k, v) in spec {
            let on = match v {
                Bson::Boolean(_) | Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => truthy(v),
                _ => {
                    return Err(CmdError::bad_value(format!(
                        "Unsupported projection option: {k}: {v} (only inclusion and exclusion are supported)"
                    )))
                }
            };
            if k == "_id" {
                id = on;
                id_named = true;
                continue;
            }
            match include {
                Some(true) if !on => {
                    return Err(CmdError::new(
                        31254,
                        "Location31254",
                        format!("Cannot do exclusion on field {k} in inclusion projection"),
                    ))
                }
                Some(false) if on => {
                    return Err(CmdError::new(
                        31253,
                        "Location31253",
                        format!("Cannot do inclusion on field {k} in exclusion projection"),
                    ))
                }
                _ => include = Some(on),
            }
            tree.add(k);
        }
        match include {
            None if !id_named => Ok(None),
            None => Ok(Some(Projection {
                include: id,
                tree: Tree::default(),
                id,
                arrays: Vec::new(),
            })),
            Some(inc) => Ok(Some(Projection {
                include: inc,
                tree,
                id,
                arrays: Vec::new(),
            })),
        }
    }

    /// A find (or findAndModify `fields`) projection: `parse` plus the `$slice` and
    /// `$elemMatch` operators. `$slice` alone keeps every other field; `$elemMatch` alone keeps
    /// only `_id` and its field (placed after the others, as mongod 4.4+ does).
    pub fn parse_find(spec: &Document) -> Result<Option<Projection>, CmdError> {
        let mut plain = Document::new();
        let mut arrays = Vec::new();
        for (k, v) in spec {
            let op = match v {
                Bson::Document(d) if d.len() == 1 => d
                    .iter()
                    .next()
                    .filter(|(o, _)| o.as_str() == "$slice" || o.as_str() == "$elemMatch"),
                _ => None,
            };
            match op {
                Some((o, arg)) if o == "$slice" => {
                    arrays.push((k.clone(), slice_arg(arg)?));
                }
                Some((_, arg)) => {
                    let Bson::Document(cond) = arg else {
                        return Err(CmdError::new(
                            31274,
                            "Location31274",
                            format!(
                                "elemMatch: Invalid argument, object required, but got {}",
                                crate::bson_type::name(arg)
                            ),
                        ));
                    };
                    if k.contains('.') {
                        return Err(CmdError::new(
                            31275,
                            "Location31275",
                            "Cannot use $elemMatch projection on a nested field.",
                        ));
                    }
                    let filter = Filter::parse(&bson::doc! {k.clone(): {"$elemMatch": cond}})?;
                    arrays.push((k.clone(), ArrayOp::ElemMatch(filter)));
                }
                None => {
                    plain.insert(k.clone(), v.clone());
                }
            }
        }
        let mut p = match Projection::parse(&plain)? {
            Some(p) => p,
            None if arrays.is_empty() => return Ok(None),
            None => Projection {
                include: false,
                tree: Tree::default(),
                id: true,
                arrays: Vec::new(),
            },
        };
        let elem_match = arrays
            .iter()
            .any(|(_, a)| matches!(a, ArrayOp::ElemMatch(_)));
        if !arrays.is_empty() && !plain.keys().any(|k| k != "_id") {
            // No plain field but _id: $elemMatch makes it an inclusion projection, $slice alone
            // an exclusion one.
            p.include = elem_match;
        }
        for (k, a) in &arrays {
            match (a, p.include) {
                (ArrayOp::Slice { .. }, true) => p.tree.add(k),
                (ArrayOp::ElemMatch(_), false) => p.tree.add(k),
                _ => {}
            }
        }
        p.arrays = arrays;
        Ok(Some(p))
    }

    pub fn apply(&self, doc: &Document) -> Document {
        let mut out = self.apply_fields(doc);
        for (path, op) in &self.arrays {
            match op {
                ArrayOp::Slice { skip, n } => slice_at(&mut out, path, *skip, *n),
                ArrayOp::ElemMatch(f) => {
                    out.remove(path);
                    if let Some(Bson::Array(items)) = doc.get(path) {
                        let first = items
                            .iter()
                            .find(|e| f.matches(&bson::doc! {path.clone(): [(*e).clone()]}));
                        if let Some(e) = first {
                            out.insert(path.clone(), vec![e.clone()]);
                        }
                    }
                }
            }
        }
        out
    }

    fn apply_fields(&self, doc: &Document) -> Document {
        if self.include {
            let mut out = Document::new();
            if self.id {
                if let Some(v) = doc.get("_id") {
                    out.insert("_id", v.clone());
                }
            }
            include_into(doc, &self.tree, &mut out);
            out
        } else {
            let mut out = exclude(doc, &self.tree);
            if !self.id {
                out.remove("_id");
            }
            out
        }
    }
}

fn include_into(doc: &Document, tree: &Tree, out: &mut Document) {
    for (k, v) in doc {
        let Some(t) = tree.kids.get(k) else { continue };
        if k == "_id" && out.contains_key("_id") {
            continue;
        }
        if t.kids.is_empty() {
            out.insert(k.clone(), v.clone());
        } else if let Some(sub) = include_value(v, t) {
            out.insert(k.clone(), sub);
        }
    }
}

/// `$slice`'s argument: a number, or `[skip, limit]` with a positive limit.
fn slice_arg(arg: &Bson) -> Result<ArrayOp, CmdError> {
    let int = |v: &Bson| {
        super::compare::to_f64(v).map(|f| f.clamp(i32::MIN as f64, i32::MAX as f64) as i64)
    };
    if let Some(n) = int(arg) {
        return Ok(ArrayOp::Slice { skip: None, n });
    }
    let Bson::Array(a) = arg else {
        return Err(CmdError::new(
            31273,
            "Location31273",
            "$slice only supports numbers and [skip, limit] arrays",
        ));
    };
    if a.len() != 2 {
        return Err(CmdError::new(
            31272,
            "Location31272",
            "$slice array wrong size",
        ));
    }
    let (Some(skip), Some(n)) = (int(&a[0]), int(&a[1])) else {
        return Err(CmdError::new(
            31257,
            "Location31257",
            "$slice only supports numbers and [skip, limit] arrays",
        ));
    };
    if n <= 0 {
        return Err(CmdError::new(
            31259,
            "Location31259",
            format!("$slice limit must be positive, got {n}"),
        ));
    }
    Ok(ArrayOp::Slice {
        skip: Some(skip),
        n,
    })
}

/// Slices the array at `path` in `doc` (through subdocuments, and each document of an array
/// met on the way); anything else is left as it is.
fn slice_at(doc: &mut Document, path: &str, skip: Option<i64>, n: i64) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let Some(v) = doc.get_mut(head) else { return };
    slice_value(v, rest, skip, n);
}

fn slice_value(v: &mut Bson, rest: Option<&str>, skip: Option<i64>, n: i64) {
    match (v, rest) {
        (Bson::Array(a), None) => {
            let len = a.len() as i64;
            let (start, count) = match skip {
                None if n >= 0 => (0, n),
                None => ((len + n).max(0), len),
                Some(s) if s >= 0 => (s.min(len), n),
                Some(s) => ((len + s).max(0), n),
            };
            let end = start.saturating_add(count).min(len);
            *a = a[start as usize..end.max(start) as usize].to_vec();
        }
        (Bson::Document(d), Some(r)) => slice_at(d, r, skip, n),
        (Bson::Array(a), Some(r)) => {
            for e in a.iter_mut() {
                if let Bson::Document(d) = e {
                    slice_at(d, r, skip, n);
                }
            }
        }
        _ => {}
    }
}

fn include_value(v: &Bson, t: &Tree) -> Option<Bson> {
    match v {
        Bson::Document(d) => {
            let mut sub = Document::new();
            include_into(d, t, &mut sub);
            Some(Bson::Document(sub))
        }
        Bson::Array(a) => Some(Bson::Array(
            a.iter()
                .filter_map(|e| include_value(e, t))
                .filter(|e| matches!(e, Bson::Document(_) | Bson::Array(_)))
                .collect(),
        )),
        _ => None,
    }
}

fn exclude(doc: &Document, tree: &Tree) -> Document {
    let mut out = Document::new();
    for (k, v) in doc {
        match tree.kids.get(k) {
            None => {
                out.insert(k.clone(), v.clone());
            }
            Some(t) if t.kids.is_empty() => {}
            Some(t) => {
                out.insert(k.clone(), exclude_value(v, t));
            }
        }
    }
    out
}

fn exclude_value(v: &Bson, t: &Tree) -> Bson {
    match v {
        Bson::Document(d) => Bson::Document(exclude(d, t)),
        Bson::Array(a) => Bson::Array(a.iter().map(|e| exclude_value(e, t)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn p(spec: Document, d: Document) -> Document {
        match Projection::parse(&spec) {
            Ok(Some(pr)) => pr.apply(&d),
            Ok(None) => d,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn inclusion_keeps_document_order_and_id() {
        let d = doc! {"_id": 1, "a": 1, "b": {"c": 2, "d": 3}, "e": 4};
        assert_eq!(
            p(doc! {"e": 1, "a": 1}, d.clone()),
            doc! {"_id": 1, "a": 1, "e": 4}
        );
        assert_eq!(
            p(doc! {"b.d": 1, "_id": 0}, d.clone()),
            doc! {"b": {"d": 3}}
        );
        assert_eq!(
            p(doc! {"x.y": 1}, doc! {"_id": 1, "x": [{"y": 1, "z": 2}, 5]}),
            doc! {"_id": 1, "x": [{"y": 1}]}
        );
        assert_eq!(p(doc! {"_id": 1}, d.clone()), doc! {"_id": 1});
        assert_eq!(p(doc! {}, d.clone()), d);
    }

    #[test]
    fn exclusion_removes_paths() {
        let d = doc! {"_id": 1, "a": 1, "b": {"c": 2, "d": 3}};
        assert_eq!(
            p(doc! {"a": 0}, d.clone()),
            doc! {"_id": 1, "b": {"c": 2, "d": 3}}
        );
        assert_eq!(
            p(doc! {"b.c": 0, "_id": 0}, d.clone()),
            doc! {"a": 1, "b": {"d": 3}}
        );
        assert_eq!(p(doc! {"_id": 0}, d), doc! {"a": 1, "b": {"c": 2, "d": 3}});
    }

    fn pf(spec: Document, d: Document) -> Document {
        match Projection::parse_find(&spec) {
            Ok(Some(pr)) => pr.apply(&d),
            Ok(None) => d,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn slice_keeps_other_fields_unless_inclusion() {
        let d = doc! {"_id": 1, "a": [1, 2, 3, 4, 5], "b": 2, "c": {"d": [1, 2, 3]}};
        assert_eq!(
            pf(doc! {"a": {"$slice": 2}}, d.clone()),
            doc! {"_id": 1, "a": [1, 2], "b": 2, "c": {"d": [1, 2, 3]}}
        );
        assert_eq!(
            pf(doc! {"a": {"$slice": -2}, "b": 1}, d.clone()),
            doc! {"_id": 1, "a": [4, 5], "b": 2}
        );
        assert_eq!(
            pf(doc! {"a": {"$slice": [1, 2]}, "b": 0}, d.clone()),
            doc! {"_id": 1, "a": [2, 3], "c": {"d": [1, 2, 3]}}
        );
        assert_eq!(
            pf(doc! {"a": {"$slice": [-2, 5]}, "_id": 0}, d.clone()),
            doc! {"a": [4, 5], "b": 2, "c": {"d": [1, 2, 3]}}
        );
        assert_eq!(
            pf(doc! {"c.d": {"$slice": 1}, "b": {"$slice": 1}}, d.clone()),
            doc! {"_id": 1, "a": [1, 2, 3, 4, 5], "b": 2, "c": {"d": [1]}}
        );
        assert_eq!(
            pf(doc! {"a": {"$slice": [9, 1]}}, d.clone())
                .get_array("a")
                .map(Vec::len),
            Ok(0)
        );
    }

    #[test]
    fn elem_match_keeps_the_first_matching_element_last() {
        let d = doc! {"_id": 1, "xs": [{"q": 1}, {"q": 5}, {"q": 9}], "n": "a", "m": 2};
        assert_eq!(
            pf(doc! {"xs": {"$elemMatch": {"q": {"$gt": 2}}}}, d.clone()),
            doc! {"_id": 1, "xs": [{"q": 5}]}
        );
        assert_eq!(
            pf(
                doc! {"xs": {"$elemMatch": {"q": {"$gt": 2}}}, "n": 1, "_id": 0},
                d.clone()
            ),
            doc! {"n": "a", "xs": [{"q": 5}]}
        );
        assert_eq!(
            pf(doc! {"xs": {"$elemMatch": {"q": 100}}}, d.clone()),
            doc! {"_id": 1}
        );
        assert_eq!(
            pf(doc! {"xs": {"$elemMatch": {"q": 1}}, "m": 0}, d.clone()),
            doc! {"_id": 1, "n": "a", "xs": [{"q": 1}]}
        );
    }

    #[test]
    fn array_operator_errors_are_mongods() {
        let code = |spec: Document| Projection::parse_find(&spec).err().map(|e| e.code);
        assert_eq!(code(doc! {"a": {"$slice": "x"}}), Some(31273));
        assert_eq!(code(doc! {"a": {"$slice": [1, 2, 3]}}), Some(31272));
        assert_eq!(code(doc! {"a": {"$slice": [1, 0]}}), Some(31259));
        assert_eq!(code(doc! {"a": {"$elemMatch": 1}}), Some(31274));
        assert_eq!(code(doc! {"a.b": {"$elemMatch": {}}}), Some(31275));
        // Aggregation's $project keeps refusing them (there $slice is an expression).
        assert!(Projection::parse(&doc! {"a": {"$slice": 1}}).is_err());
    }

    #[test]
    fn mixing_is_an_error() {
        assert_eq!(
            Projection::parse(&doc! {"a": 1, "b": 0})
                .err()
                .map(|e| e.code),
            Some(31254)
        );
        assert_eq!(
            Projection::parse(&doc! {"a": 0, "b": 1})
                .err()
                .map(|e| e.code),
            Some(31253)
        );
        assert!(Projection::parse(&doc! {"a": "x"}).is_err());
    }
}
