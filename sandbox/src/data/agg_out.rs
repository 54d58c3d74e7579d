//! The aggregation stages that write: `$out` (the results replace a collection's contents: they
//! go into a temporary collection given the target's indexes, which is then renamed over the
//! target, so readers see the old contents or the new, never a mix) and `$merge` (each result
//! is matched to a target document on the `on` fields, then replaced, merged, kept or inserted
//! as `whenMatched`/`whenNotMatched` say; not atomic, as on mongod). Both come last in a pipeline
//! and answer an empty cursor.

use std::sync::Arc;

use bson::{doc, oid::ObjectId, Bson, Document};

use super::cmd_write::{insert_one, replace_one, with_id_first};
use super::engine::Engine;
use super::matcher::Filter;
use super::{fmt, OpTime};
use crate::error::CmdError;

/// Whether an aggregate's pipeline ends in a writing stage (it then runs as a write: on the
/// primary only, under its write concern).
pub fn writes(cmd: &Document) -> bool {
    let Some(Bson::Array(p)) = cmd.get("pipeline") else {
        return false;
    };
    p.iter()
        .filter_map(Bson::as_document)
        .any(|s| s.contains_key("$out") || s.contains_key("$merge"))
}

/// A writing stage anywhere but last is mongod's 40601.
pub fn check_position(stages: &[Document]) -> Result<(), CmdError> {
    let last = stages.len().saturating_sub(1);
    for (i, s) in stages.iter().enumerate() {
        for name in ["$out", "$merge"] {
            if s.contains_key(name) && i != last {
                return Err(CmdError::new(
                    40601,
                    "Location40601",
                    format!("{name} can only be the final stage in the pipeline"),
                ));
            }
        }
    }
    Ok(())
}

/// Runs the final writing stage on the pipeline's results; the newest optime it wrote.
pub fn run(
    e: &mut Engine,
    db: &str,
    stage: &Document,
    docs: Vec<Arc<Document>>,
) -> Result<Option<OpTime>, CmdError> {
    match stage.iter().next() {
        Some((name, arg)) if name == "$out" => out(e, db, arg, docs),
        Some((_, arg)) => merge(e, db, arg, docs),
        None => Ok(None),
    }
}

/// `"coll"` or `{db, coll}` (the stage's own database when none is named).
fn target(db: &str, v: &Bson, stage: &str) -> Result<(String, String), CmdError> {
    let (tdb, tcoll) = match v {
        Bson::String(c) => (db.to_string(), c.clone()),
        Bson::Document(d) => match (d.get("db"), d.get("coll")) {
            (Some(Bson::String(tdb)), Some(Bson::String(c))) => (tdb.clone(), c.clone()),
            (None, Some(Bson::String(c))) if stage == "$merge" => (db.to_string(), c.clone()),
            _ => {
                return Err(CmdError::new(
                    16994,
                    "Location16994",
                    format!("{stage} requires a target 'coll' and 'db' in its specification"),
                ))
            }
        },
        other => {
            return Err(CmdError::new(
                16990,
                "Location16990",
                format!(
                    "{stage} only supports a string or object argument, not {}",
                    crate::bson_type::name(other)
                ),
            ))
        }
    };
    let bad = tcoll.is_empty()
        || tcoll.starts_with("system.")
        || tcoll.contains(['$', '\0'])
        || tdb.is_empty()
        || tdb.contains(['/', '\\', '.', ' ', '"', '$', '\0'])
        || tdb == "local"
        || tdb == "admin"
        || tdb == "config";
    if bad {
        return Err(CmdError::new(
            17385,
            "Location17385",
            format!("Invalid {stage} target namespace, {tdb}.{tcoll}"),
        ));
    }
    Ok((tdb, tcoll))
}

fn max_op(a: Option<OpTime>, b: Option<OpTime>) -> Option<OpTime> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn out(
    e: &mut Engine,
    db: &str,
    arg: &Bson,
    docs: Vec<Arc<Document>>,
) -> Result<Option<OpTime>, CmdError> {
    let (tdb, tcoll) = target(db, arg, "$out")?;
    let existing = e.coll(&tdb, &tcoll);
    if existing.is_some_and(|c| c.capped_max.is_some()) {
        return Err(CmdError::new(
            17152,
            "Location17152",
            format!("namespace '{tdb}.{tcoll}' is capped so it can't be used for $out"),
        ));
    }
    let indexes: Vec<Bson> = existing
        .map(|c| c.index_specs())
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.get_str("name") != Ok("_id_"))
        .map(|mut s| {
            s.remove("v");
            s.remove("ns");
            Bson::Document(s)
        })
        .collect();
    let temp = format!("tmp.agg_out.{}", bson::Uuid::new());
    let filled = fill_temp(e, &tdb, &temp, &indexes, docs);
    let mut last = match filled {
        Ok(op) => op,
        Err(err) => {
            // Nothing of a failed $out stays behind.
            if e.coll(&tdb, &temp).is_some() {
                let _ = super::cmd_catalog::drop(e, &tdb, &doc! {"drop": &temp});
            }
            return Err(err);
        }
    };
    let rename = doc! {
        "renameCollection": format!("{tdb}.{temp}"), "to": format!("{tdb}.{tcoll}"), "dropTarget": true,
    };
    let renamed = super::cmd_catalog::rename_collection(e, "admin", &rename)?;
    last = max_op(last, renamed.write_optime);
    Ok(last)
}

/// The temporary collection of an `$out`: created, filled, given the target's indexes.
fn fill_temp(
    e: &mut Engine,
    tdb: &str,
    temp: &str,
    indexes: &[Bson],
    docs: Vec<Arc<Document>>,
) -> Result<Option<OpTime>, CmdError> {
    let mut last = e.ensure_collection(tdb, temp)?;
    for d in docs {
        let d = with_id_first(&d)?;
        last = max_op(last, insert_one(e, tdb, temp, d)?);
    }
    if !indexes.is_empty() {
        let cmd = doc! {"createIndexes": temp, "indexes": indexes.to_vec()};
        let built = super::cmd_indexes::create_indexes(e, tdb, &cmd)?;
        last = max_op(last, built.write_optime);
    }
    Ok(last)
}

enum WhenMatched {
    Replace,
    KeepExisting,
    Merge,
    Fail,
}

enum WhenNotMatched {
    Insert,
    Discard,
    Fail,
}

fn merge(
    e: &mut Engine,
    db: &str,
    arg: &Bson,
    docs: Vec<Arc<Document>>,
) -> Result<Option<OpTime>, CmdError> {
    let spec = match arg {
        Bson::Document(d) => d.clone(),
        Bson::String(_) => doc! {"into": arg.clone()},
        other => {
            return Err(CmdError::new(
                51182,
                "Location51182",
                format!(
                    "$merge only supports a string or object argument, not {}",
                    crate::bson_type::name(other)
                ),
            ))
        }
    };
    for k in spec.keys() {
        if !["into", "on", "whenMatched", "whenNotMatched", "let"].contains(&k.as_str()) {
            return Err(CmdError::new(
                40415,
                "Location40415",
                format!("BSON field '$merge.{k}' is an unknown field."),
            ));
        }
    }
    let into = spec.get("into").ok_or_else(|| {
        CmdError::new(
            40414,
            "Location40414",
            "BSON field '$merge.into' is missing but a required field",
        )
    })?;
    let (tdb, tcoll) = target(db, into, "$merge")?;
    let on: Vec<String> = match spec.get("on") {
        None => vec!["_id".to_string()],
        Some(Bson::String(s)) => vec![s.clone()],
        Some(Bson::Array(a)) if !a.is_empty() && a.iter().all(|v| v.as_str().is_some()) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(_) => {
            return Err(CmdError::new(
                51186,
                "Location51186",
                "$merge 'on' field must be either a string or an array of strings",
            ))
        }
    };
    let when_matched =
        match spec.get("whenMatched") {
            None => WhenMatched::Merge,
            Some(Bson::String(s)) => match s.as_str() {
                "replace" => WhenMatched::Replace,
                "keepExisting" => WhenMatched::KeepExisting,
                "merge" => WhenMatched::Merge,
                "fail" => WhenMatched::Fail,
                other => {
                    return Err(CmdError::bad_value(format!(
                "Enumeration value '{other}' for field '$merge.whenMatched' is not a valid value."
            )))
                }
            },
            Some(Bson::Array(_)) => {
                // A pipeline run with the incoming document as $$new: not simulated.
                return Err(CmdError::new(
                    20,
                    "IllegalOperation",
                    "rsh-sandbox does not support a pipeline for $merge's whenMatched",
                ));
            }
            Some(_) => return Err(CmdError::type_mismatch(
                "BSON field '$merge.whenMatched' is the wrong type, expected a string or an array",
            )),
        };
    let when_not_matched = match spec.get("whenNotMatched") {
        None => WhenNotMatched::Insert,
        Some(Bson::String(s)) => match s.as_str() {
            "insert" => WhenNotMatched::Insert,
            "discard" => WhenNotMatched::Discard,
            "fail" => WhenNotMatched::Fail,
            other => {
                return Err(CmdError::bad_value(format!(
                    "Enumeration value '{other}' for field '$merge.whenNotMatched' is not a valid value."
                )))
            }
        },
        Some(_) => {
            return Err(CmdError::type_mismatch(
                "BSON field '$merge.whenNotMatched' is the wrong type, expected type 'string'",
            ))
        }
    };
    if spec.contains_key("let") {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox does not support $merge's 'let'",
        ));
    }
    if on != ["_id"] && !unique_on(e, &tdb, &tcoll, &on) {
        return Err(CmdError::new(
            51183,
            "Location51183",
            "Cannot find index to verify that join fields will be unique",
        ));
    }
    let mut last = None;
    for d in docs {
        let mut d = (*d).clone();
        if !d.contains_key("_id") {
            d.insert("_id", ObjectId::new());
        }
        let mut key = Document::new();
        for f in &on {
            match super::path::lookup_first(&d, f) {
                Some(v) if !matches!(v, Bson::Null | Bson::Undefined | Bson::Array(_)) => {
                    key.insert(f.clone(), v.clone());
                }
                _ => {
                    return Err(CmdError::new(
                        51132,
                        "Location51132",
                        format!(
                            "$merge write error: 'on' field '{f}' cannot be missing, null, undefined or an array"
                        ),
                    ))
                }
            }
        }
        let filter = Filter::parse(&key)?;
        let found = super::cmd_read::matching_hinted(e, &tdb, &tcoll, &filter, &key, None)?;
        match (found.into_iter().next(), &when_matched, &when_not_matched) {
            (Some(_), WhenMatched::KeepExisting, _) => {}
            (Some(_), WhenMatched::Fail, _) => {
                return Err(CmdError::new(
                    11000,
                    "DuplicateKey",
                    format!(
                        "$merge with whenMatched: fail found an existing document with the same values for the 'on' field: {}",
                        fmt::document(&key)
                    ),
                ))
            }
            (Some((rid, old)), how, _) => {
                let mut new = match how {
                    WhenMatched::Merge => (*old).clone(),
                    _ => doc! {"_id": old.get("_id").cloned().unwrap_or(Bson::Null)},
                };
                for (k, v) in &d {
                    new.insert(k.clone(), v.clone());
                }
                let same_id = match (old.get("_id"), new.get("_id")) {
                    (Some(a), Some(b)) => super::compare::bson_eq(a, b),
                    _ => false,
                };
                if !same_id {
                    return Err(CmdError::new(
                        66,
                        "ImmutableField",
                        "$merge failed to update the matching document, did you attempt to modify the _id or the shard key?",
                    ));
                }
                if new != *old {
                    last = max_op(last, replace_one(e, &tdb, &tcoll, rid, new)?);
                }
            }
            (None, _, WhenNotMatched::Insert) => {
                let d = with_id_first(&d)?;
                last = max_op(last, insert_one(e, &tdb, &tcoll, d)?);
            }
            (None, _, WhenNotMatched::Discard) => {}
            (None, _, WhenNotMatched::Fail) => {
                return Err(CmdError::new(
                    13113,
                    "MergeStageNoMatchingDocument",
                    "$merge could not find a matching document in the target collection for at least one document in the source collection",
                ))
            }
        }
    }
    Ok(last)
}

/// Whether `db.coll` has a unique index on exactly the fields `on` (any order), which a `$merge`
/// on other fields than `_id` needs.
fn unique_on(e: &Engine, db: &str, coll: &str, on: &[String]) -> bool {
    let Some(c) = e.coll(db, coll) else {
        return false;
    };
    c.secondary.iter().any(|ix| {
        ix.unique
            && !ix.partial
            && ix.fields.len() == on.len()
            && on.iter().all(|f| ix.fields.contains(f))
    })
}
