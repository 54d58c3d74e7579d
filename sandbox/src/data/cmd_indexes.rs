//! createIndexes, listIndexes, dropIndexes. Indexes other than `_id_` are recorded (and unique
//! ones enforced); queries never need them.

use bson::{doc, Bson, Document};

use super::cmd_catalog::listing;
use super::cmd_write::internal;
use super::collection::spec_fields;
use super::commands::{coll_arg, ok};
use super::engine::Engine;
use super::{fmt, CmdOutcome, OpTime};
use crate::error::CmdError;

fn not_found(db: &str, coll: &str) -> CmdError {
    CmdError::new(
        26,
        "NamespaceNotFound",
        format!("ns does not exist: {db}.{coll}"),
    )
}

/// `{v: 2, key, name, ...options}` from a requested spec.
fn normalize(spec: &Bson) -> Result<Document, CmdError> {
    let Bson::Document(s) = spec else {
        return Err(CmdError::type_mismatch(
            "The 'indexes' field must be an array of index specifications",
        ));
    };
    let key = match s.get("key") {
        Some(Bson::Document(k)) if !k.is_empty() => k.clone(),
        _ => {
            return Err(CmdError::new(
                9,
                "FailedToParse",
                format!("Error in specification {} :: caused by :: The 'key' field is a required property of an index specification", fmt::document(s)),
            ))
        }
    };
    let name = match s.get("name") {
        Some(Bson::String(n)) if !n.is_empty() => n.clone(),
        _ => {
            return Err(CmdError::new(
                9,
                "FailedToParse",
                format!("Error in specification {} :: caused by :: The 'name' field is a required property of an index specification", fmt::document(s)),
            ))
        }
    };
    if key.values().any(|v| v.as_str() == Some("text")) {
        return text_spec(s, &key, name);
    }
    let mut out = doc! {"v": 2, "key": key, "name": name};
    for (k, v) in s {
        if !matches!(k.as_str(), "v" | "key" | "name" | "ns") {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

/// Options a text index spec carries in mongod's own form.
const TEXT_OPTIONS: &[&str] = &[
    "weights",
    "default_language",
    "language_override",
    "textIndexVersion",
];

/// A text index spec as mongod stores it: the text fields become `_fts: "text", _ftsx: 1` in
/// the key, each gets a weight (1 unless given), and the language options are filled in. The
/// index is kept in the catalog; `$text` queries are refused (text search is not simulated).
fn text_spec(s: &Document, key: &Document, name: String) -> Result<Document, CmdError> {
    let mut weights = match s.get("weights") {
        None => Document::new(),
        Some(Bson::Document(w)) => w.clone(),
        Some(_) => {
            return Err(CmdError::bad_value(
                "text index option 'weights' must be an object",
            ))
        }
    };
    for (k, v) in &weights {
        if !super::compare::to_f64(v).is_some_and(|w| w > 0.0 && w < 100_000.0) {
            return Err(CmdError::bad_value(format!(
                "text index weight must be in the exclusive interval (0,99999) but found: {}",
                fmt::element(k, v)
            )));
        }
    }
    let mut new_key = Document::new();
    for (k, v) in key {
        if v.as_str() == Some("text") {
            if !new_key.contains_key("_fts") {
                new_key.insert("_fts", "text");
                new_key.insert("_ftsx", 1);
            }
            if !weights.contains_key(k) {
                weights.insert(k.clone(), 1);
            }
        } else {
            new_key.insert(k.clone(), v.clone());
        }
    }
    let mut out = doc! {"v": 2, "key": new_key, "name": name};
    for (k, v) in s {
        if !matches!(k.as_str(), "v" | "key" | "name" | "ns") && !TEXT_OPTIONS.contains(&k.as_str())
        {
            out.insert(k.clone(), v.clone());
        }
    }
    let text = |k: &str, default: &str| match s.get(k) {
        Some(Bson::String(v)) => v.clone(),
        _ => default.to_string(),
    };
    out.insert("weights", weights);
    out.insert("default_language", text("default_language", "english"));
    out.insert("language_override", text("language_override", "language"));
    out.insert("textIndexVersion", 3);
    Ok(out)
}

/// Whether a (normalized) spec is a text index.
fn is_text(spec: &Document) -> bool {
    spec.get_document("key")
        .is_ok_and(|k| k.get_str("_fts") == Ok("text"))
}

/// Key patterns are equal field by field in order (`{a: 1, b: 1}` is not `{b: 1, a: 1}`;
/// `Document`'s own equality ignores order).
fn same_key(a: Option<&Document>, b: Option<&Document>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y),
        (None, None) => true,
        _ => false,
    }
}

pub fn create_indexes(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "createIndexes", db)?;
    let specs = match cmd.get("indexes") {
        Some(Bson::Array(a)) if !a.is_empty() => {
            a.iter().map(normalize).collect::<Result<Vec<_>, _>>()?
        }
        Some(Bson::Array(_)) => {
            return Err(CmdError::bad_value(
                "Must specify at least one index to create",
            ))
        }
        _ => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'createIndexes.indexes' is missing but a required field",
            ))
        }
    };
    let created = e.coll(db, &coll).is_none();
    let mut last: Option<OpTime> = e.ensure_collection(db, &coll)?;
    let c = e
        .coll(db, &coll)
        .ok_or_else(|| internal("collection vanished".into()))?;
    let before = c.index_specs().len() as i32;
    let existing = c.index_specs();
    let ui = c.uuid;
    let mut todo = Vec::new();
    for spec in specs {
        let name = spec.get_str("name").unwrap_or_default();
        let key = spec.get_document("key").ok();
        if let Some(old) = existing
            .iter()
            .chain(todo.iter())
            .find(|o| o.get_str("name").ok() == Some(name))
        {
            if same_key(old.get_document("key").ok(), key) {
                continue;
            }
            return Err(CmdError::new(86, "IndexKeySpecsConflict", format!(
                "An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: {}, existing index: {}",
                fmt::document(&spec), fmt::document(old)
            )));
        }
        if let Some(old) = existing
            .iter()
            .chain(todo.iter())
            .find(|o| is_text(o) && is_text(&spec) && !same_key(o.get_document("key").ok(), key))
        {
            return Err(CmdError::new(
                85,
                "IndexOptionsConflict",
                format!(
                    "only one text index per collection allowed, found existing text index \"{}\"",
                    old.get_str("name").unwrap_or_default()
                ),
            ));
        }
        if let Some(old) = existing
            .iter()
            .find(|o| same_key(o.get_document("key").ok(), key))
        {
            return Err(CmdError::new(
                85,
                "IndexOptionsConflict",
                format!(
                    "Index already exists with a different name: {}",
                    old.get_str("name").unwrap_or_default()
                ),
            ));
        }
        if matches!(spec.get("unique"), Some(Bson::Boolean(true))) {
            if let Some(dup) = c.duplicate_on(
                &spec_fields(&spec),
                spec.get("sparse").is_some_and(super::matcher::truthy),
            ) {
                return Err(CmdError::new(11000, "DuplicateKey", format!(
                    "Index build failed: {}: Collection {db}.{coll} ( {} ) :: caused by :: E11000 duplicate key error collection: {db}.{coll} index: {name} dup key: {}",
                    bson::Uuid::new(), c.uuid, fmt::document(&dup)
                )));
            }
        }
        todo.push(spec);
    }
    let after = before + todo.len() as i32;
    let mut reply = doc! {"createdCollectionAutomatically": created, "numIndexesBefore": before, "numIndexesAfter": after};
    if todo.is_empty() {
        reply.insert("note", "all indexes already exist");
    }
    for spec in todo {
        let mut o = doc! {"createIndexes": &coll};
        for (k, v) in spec {
            o.insert(k, v);
        }
        if let Some(op) = e
            .commit("c", format!("{db}.$cmd"), Some(ui), o, None)
            .map_err(internal)?
        {
            last = Some(op);
        }
    }
    Ok(ok(reply, last))
}

pub fn list_indexes(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "listIndexes", db)?;
    let specs = e
        .coll(db, &coll)
        .ok_or_else(|| not_found(db, &coll))?
        .index_specs();
    listing(e, format!("{db}.$cmd.listIndexes.{coll}"), specs, cmd)
}

pub fn drop_indexes(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let name = cmd.keys().next().cloned().unwrap_or_default();
    let coll = coll_arg(cmd, &name, db)?;
    let c = e.coll(db, &coll).ok_or_else(|| {
        CmdError::new(26, "NamespaceNotFound", format!("ns not found {db}.{coll}"))
    })?;
    let was = c.index_specs().len() as i32;
    let ui = c.uuid;
    let names: Vec<String> = match cmd.get("index") {
        Some(Bson::String(s)) if s == "*" => c
            .indexes
            .iter()
            .filter_map(|s| s.get_str("name").ok().map(str::to_string))
            .collect(),
        Some(Bson::String(s)) => vec![s.clone()],
        Some(Bson::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(Bson::Document(k)) => {
            let found = c
                .index_specs()
                .into_iter()
                .find(|s| same_key(s.get_document("key").ok(), Some(k)));
            match found {
                Some(s) => vec![s.get_str("name").unwrap_or_default().to_string()],
                None => {
                    return Err(CmdError::new(
                        27,
                        "IndexNotFound",
                        format!("can't find index with key: {}", fmt::document(k)),
                    ))
                }
            }
        }
        _ => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'dropIndexes.index' is missing but a required field",
            ))
        }
    };
    for n in &names {
        if n == "_id_" {
            return Err(CmdError::new(72, "InvalidOptions", "cannot drop _id index"));
        }
        if !c
            .indexes
            .iter()
            .any(|s| s.get_str("name").ok() == Some(n.as_str()))
        {
            return Err(CmdError::new(
                27,
                "IndexNotFound",
                format!("index not found with name [{n}]"),
            ));
        }
    }
    let mut last = None;
    for n in names {
        if let Some(op) = e
            .commit(
                "c",
                format!("{db}.$cmd"),
                Some(ui),
                doc! {"dropIndexes": &coll, "index": n},
                None,
            )
            .map_err(internal)?
        {
            last = Some(op);
        }
    }
    Ok(ok(doc! {"nIndexesWas": was}, last))
}
