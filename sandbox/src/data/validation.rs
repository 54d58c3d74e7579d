//! Document validation: a collection's `validator` (a query filter; `$jsonSchema` is not
//! simulated and refused), `validationLevel` (`strict`, `moderate`: updates of documents that
//! already failed are not checked, `off`) and `validationAction` (`error`: the write fails with
//! 121; `warn`: it is logged and goes through), set by create or collMod and skipped by
//! `bypassDocumentValidation`. The failure carries `failingDocumentId` but not mongod's
//! `details` explanation.

use bson::{doc, Bson, Document};

use super::engine::Engine;
use super::matcher::{uses_where, Filter};
use crate::error::CmdError;

/// The options that make up a collection's validation.
pub const OPTIONS: &[&str] = &["validator", "validationLevel", "validationAction"];

const LEVELS: &[&str] = &["off", "strict", "moderate"];
const ACTIONS: &[&str] = &["error", "warn"];

/// Checks the validation options of a create or collMod as mongod does.
pub fn check_options(opts: &Document) -> Result<(), CmdError> {
    for (field, allowed) in [("validationLevel", LEVELS), ("validationAction", ACTIONS)] {
        match opts.get(field) {
            None => {}
            Some(Bson::String(s)) if allowed.contains(&s.as_str()) => {}
            Some(Bson::String(s)) => {
                return Err(CmdError::bad_value(format!(
                    "Enumeration value '{s}' for field '{field}' is not a valid value."
                )))
            }
            Some(other) => {
                return Err(CmdError::type_mismatch(format!(
                    "BSON field '{field}' is the wrong type '{}', expected type 'string'",
                    crate::bson_type::name(other)
                )))
            }
        }
    }
    match opts.get("validator") {
        None => Ok(()),
        Some(Bson::Document(v)) => parse(v).map(|_| ()),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field 'validator' is the wrong type '{}', expected type 'object'",
            crate::bson_type::name(other)
        ))),
    }
}

fn parse(v: &Document) -> Result<Filter, CmdError> {
    if mentions(v, "$jsonSchema") {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox does not support $jsonSchema validators",
        ));
    }
    if uses_where(v) {
        return Err(CmdError::bad_value("$where is not allowed in this context"));
    }
    Filter::parse(v)
}

/// Whether `key` appears as a field name anywhere in `d` (iteratively: no recursion that a
/// validator's nesting can drive deep).
fn mentions(d: &Document, key: &str) -> bool {
    let mut stack: Vec<&Bson> = d.values().collect();
    if d.contains_key(key) {
        return true;
    }
    while let Some(v) = stack.pop() {
        match v {
            Bson::Document(sub) => {
                if sub.contains_key(key) {
                    return true;
                }
                stack.extend(sub.values());
            }
            Bson::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    false
}

/// A collection's validation as it applies to writes.
struct Rules {
    filter: Filter,
    moderate: bool,
    warn: bool,
}

fn rules(options: &Document) -> Option<Rules> {
    let v = options.get_document("validator").ok()?;
    let level = options.get_str("validationLevel").unwrap_or("strict");
    if v.is_empty() || level == "off" {
        return None;
    }
    Some(Rules {
        // Checked when the validator was set; a stored one that no longer parses validates
        // nothing rather than failing every write.
        filter: parse(v).ok()?,
        moderate: level == "moderate",
        warn: options.get_str("validationAction") == Ok("warn"),
    })
}

impl Engine {
    /// Whether writing `new` into `db.coll` (replacing `old` for an update) passes the
    /// collection's validator; the 121 error when it does not and the action is `error`.
    pub fn validate_write(
        &self,
        db: &str,
        coll: &str,
        new: &Document,
        old: Option<&Document>,
    ) -> Result<(), CmdError> {
        if self.bypass_validation {
            return Ok(());
        }
        let Some(r) = self.coll(db, coll).and_then(|c| rules(&c.options)) else {
            return Ok(());
        };
        if r.filter.matches(new) {
            return Ok(());
        }
        if r.moderate && old.is_some_and(|o| !r.filter.matches(o)) {
            return Ok(());
        }
        let id = new.get("_id").cloned().unwrap_or(Bson::Null);
        if r.warn {
            crate::log::write(
                'W',
                "STORAGE",
                20294,
                "conn",
                "Document would fail validation",
                doc! {"namespace": format!("{db}.{coll}"), "document": {"_id": id}},
            );
            return Ok(());
        }
        Err(CmdError::new(
            121,
            "DocumentValidationFailure",
            "Document failed validation",
        )
        .with_extra(doc! {"errInfo": {"failingDocumentId": id}}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked_like_mongod() {
        assert!(check_options(&doc! {"validator": {"a": {"$gt": 1}}}).is_ok());
        let e = check_options(&doc! {"validationLevel": "loose"}).unwrap_err();
        assert_eq!(
            (e.code, e.errmsg.as_str()),
            (
                2,
                "Enumeration value 'loose' for field 'validationLevel' is not a valid value."
            )
        );
        assert_eq!(
            check_options(&doc! {"validationAction": 1})
                .unwrap_err()
                .code,
            14
        );
        assert_eq!(
            check_options(&doc! {"validator": {"$jsonSchema": {}}})
                .unwrap_err()
                .code,
            20
        );
        assert_eq!(
            check_options(&doc! {"validator": {"$or": [{"$where": "1"}]}})
                .unwrap_err()
                .code,
            2
        );
        assert_eq!(
            check_options(&doc! {"validator": {"a": {"$bogus": 1}}})
                .unwrap_err()
                .code,
            2
        );
    }

    #[test]
    fn levels_and_actions_decide_what_is_checked() {
        let strict = rules(&doc! {"validator": {"a": {"$exists": true}}});
        assert!(strict.as_ref().is_some_and(|r| !r.moderate && !r.warn));
        assert!(rules(&doc! {"validator": {"a": 1}, "validationLevel": "off"}).is_none());
        assert!(rules(&doc! {"validator": {}}).is_none());
        let m = rules(
            &doc! {"validator": {"a": 1}, "validationLevel": "moderate", "validationAction": "warn"},
        );
        assert!(m.is_some_and(|r| r.moderate && r.warn));
    }
}
