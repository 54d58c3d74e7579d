//! find's `returnKey` (each result becomes the keys of the index the plan walked, `{}` for a
//! collection scan; the projection is then not applied) and `showRecordId` (each result gains
//! `$recordId`, the record's id).

use bson::{Bson, Document};

use super::collection::Collection;
use super::planner::{Plan, Target};
use crate::error::CmdError;

#[derive(Debug, Clone)]
pub struct Shape {
    /// `returnKey`: the key pattern's fields (empty: no index was used).
    key: Option<Vec<String>>,
    record_id: bool,
}

fn flag(cmd: &Document, name: &str) -> Result<bool, CmdError> {
    match cmd.get(name) {
        None | Some(Bson::Null) => Ok(false),
        Some(Bson::Boolean(b)) => Ok(*b),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field 'FindCommandRequest.{name}' is the wrong type '{}', expected type 'bool'",
            crate::bson_type::name(other)
        ))),
    }
}

/// The key pattern fields of the index `plan` walks (none for a collection scan).
fn index_fields(c: Option<&Collection>, plan: &Plan) -> Vec<String> {
    match plan {
        Plan::IdHack
        | Plan::Ixscan {
            target: Target::Id, ..
        } => vec!["_id".to_string()],
        Plan::Ixscan {
            target: Target::Sec(i),
            ..
        } => c
            .and_then(|c| c.secondary.get(*i))
            .map(|ix| ix.fields.clone())
            .unwrap_or_default(),
        Plan::Collscan { .. } => Vec::new(),
    }
}

impl Shape {
    /// The shape a find asks for (None: results as stored, projected).
    pub fn from_find(
        cmd: &Document,
        c: Option<&Collection>,
        plan: &Plan,
    ) -> Result<Option<Shape>, CmdError> {
        let (key, record_id) = (flag(cmd, "returnKey")?, flag(cmd, "showRecordId")?);
        if !key && !record_id {
            return Ok(None);
        }
        Ok(Some(Shape {
            key: key.then(|| index_fields(c, plan)),
            record_id,
        }))
    }

    /// Whether the projection still applies (not under returnKey).
    pub fn projects(&self) -> bool {
        self.key.is_none()
    }

    /// Shapes one result: `projected` is the stored document after the projection.
    pub fn apply(&self, stored: &Document, projected: Document, rid: Option<u64>) -> Document {
        let mut out = match &self.key {
            Some(fields) => {
                let mut k = Document::new();
                for f in fields {
                    // A multikey field's key is one element; the first stands for it.
                    let v = match super::path::lookup_first(stored, f) {
                        Some(Bson::Array(a)) => a.first().cloned().unwrap_or(Bson::Undefined),
                        Some(v) => v.clone(),
                        None => Bson::Null,
                    };
                    k.insert(f.clone(), v);
                }
                k
            }
            None => projected,
        };
        if let (true, Some(rid)) = (self.record_id, rid) {
            out.insert("$recordId", rid as i64);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn return_key_and_record_id() {
        let plan = Plan::IdHack;
        let s = Shape::from_find(&doc! {"returnKey": true, "showRecordId": true}, None, &plan)
            .unwrap()
            .unwrap();
        assert!(!s.projects());
        let d = doc! {"_id": 3, "a": 1};
        assert_eq!(
            s.apply(&d, d.clone(), Some(7)),
            doc! {"_id": 3, "$recordId": 7i64}
        );
        let scan = Plan::Collscan { forward: true };
        let s = Shape::from_find(&doc! {"returnKey": true}, None, &scan)
            .unwrap()
            .unwrap();
        assert_eq!(s.apply(&d, d.clone(), Some(7)), doc! {});
        let s = Shape::from_find(&doc! {"showRecordId": true}, None, &scan)
            .unwrap()
            .unwrap();
        assert_eq!(
            s.apply(&d, doc! {"a": 1}, Some(2)),
            doc! {"a": 1, "$recordId": 2i64}
        );
        assert!(Shape::from_find(&doc! {"returnKey": false}, None, &scan)
            .unwrap()
            .is_none());
        assert_eq!(
            Shape::from_find(&doc! {"returnKey": 1}, None, &scan)
                .unwrap_err()
                .code,
            14
        );
    }
}
