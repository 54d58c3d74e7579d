//! find projections: inclusion (`{a: 1, "b.c": 1}`) or exclusion (`{a: 0}`), `_id` included
//! unless excluded. Output keeps the document's own field order.

use std::collections::HashMap;

use bson::{Bson, Document};

use super::matcher::truthy;
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
            })),
            Some(inc) => Ok(Some(Projection {
                include: inc,
                tree,
                id,
            })),
        }
    }

    pub fn apply(&self, doc: &Document) -> Document {
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
