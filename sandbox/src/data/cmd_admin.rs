//! The DBA's collection-level admin commands: dbHash (md5 of every document in `_id` order, as
//! mongod computes it, so members can be compared), validate (real consistency checks of the
//! in-memory structures), compact (nothing to reclaim in memory: `bytesFreed: 0`) and collMod
//! (only the form that changes nothing; every modification is refused, not ignored).

use bson::{doc, Bson, Document};
use md5::{Digest, Md5};

use super::collection::{bson_size, Collection};
use super::commands::{bool_arg, coll_arg, ok};
use super::engine::Engine;
use super::CmdOutcome;
use crate::error::CmdError;

/// md5 over the documents' BSON in `_id` order (natural order without an `_id` index).
fn coll_hash(c: &Collection) -> String {
    let mut h = Md5::new();
    let mut feed = |rid: &u64| {
        if let Some(s) = c.docs.get(rid) {
            let mut buf = Vec::with_capacity(s.size as usize);
            if s.doc().to_writer(&mut buf).is_ok() {
                h.update(&buf);
            }
        }
    };
    match &c.id_index {
        Some(ix) => ix.values().for_each(&mut feed),
        None => c.docs.keys().for_each(&mut feed),
    }
    hex::encode(h.finalize())
}

pub fn db_hash(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let started = std::time::Instant::now();
    let only: Option<Vec<String>> = match cmd.get("collections") {
        None | Some(Bson::Null) => None,
        Some(Bson::Array(a)) => Some(
            a.iter()
                .map(|v| match v {
                    Bson::String(s) => Ok(s.clone()),
                    _ => Err(CmdError::type_mismatch(
                        "BSON field 'dbHash.collections' must be an array of strings",
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => {
            return Err(CmdError::type_mismatch(
                "BSON field 'dbHash.collections' is the wrong type, expected type 'array'",
            ))
        }
    };
    let skip_temp = bool_arg(cmd, "skipTempCollections");
    let (mut collections, mut uuids, mut capped) = (Document::new(), Document::new(), Vec::new());
    let mut total = Md5::new();
    if let Some(colls) = e.dbs.get(db) {
        for (name, c) in colls {
            // mongod leaves out system collections other than the replicated catalog ones and,
            // in `local`, the oplog (it changes while hashing).
            let system = name.starts_with("system.")
                && !matches!(name.as_str(), "system.users" | "system.roles" | "system.js");
            if system || (db == "local" && name == "oplog.rs") {
                continue;
            }
            if only.as_ref().is_some_and(|o| !o.contains(name)) {
                continue;
            }
            if skip_temp && c.options.get("temp").is_some_and(super::matcher::truthy) {
                continue;
            }
            let h = coll_hash(c);
            total.update(h.as_bytes());
            collections.insert(name, h);
            uuids.insert(name, c.uuid);
            if c.is_capped() {
                capped.push(Bson::String(name.clone()));
            }
        }
    }
    let (host, port) = e.server_address();
    Ok(ok(
        doc! {
            "host": format!("{host}:{port}"),
            "collections": collections,
            "capped": capped,
            "uuids": uuids,
            "md5": hex::encode(total.finalize()),
            "timeMillis": started.elapsed().as_millis() as i64,
            "fromCache": Vec::<Bson>::new(),
        },
        None,
    ))
}

fn not_found(db: &str, coll: &str, what: &str) -> CmdError {
    CmdError::new(
        26,
        "NamespaceNotFound",
        format!("Collection '{db}.{coll}' does not exist to {what}"),
    )
}

pub fn validate(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "validate", db)?;
    if bool_arg(cmd, "background") {
        // mongod's background validation checks a checkpoint and cannot do the full checks.
        for other in ["full", "enforceFastCount"] {
            if bool_arg(cmd, other) {
                return Err(CmdError::new(
                    72,
                    "InvalidOptions",
                    format!(
                        "Running the validate command with both {{ background: true }} and {{ {other}: true }} is not supported."
                    ),
                ));
            }
        }
    }
    if bool_arg(cmd, "repair") {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox does not support validate with repair: true",
        ));
    }
    let c = e
        .coll(db, &coll)
        .ok_or_else(|| not_found(db, &coll, "validate."))?;
    let mut errors: Vec<Bson> = Vec::new();
    let mut invalid = 0i64;
    let mut size = 0u64;
    for s in c.docs.values() {
        let d = s.doc();
        if bson_size(&d) != s.size {
            invalid += 1;
        }
        size += u64::from(s.size);
    }
    if invalid > 0 {
        errors.push(format!("{invalid} records do not match their recorded size").into());
    }
    if size != c.data_size {
        errors.push(
            format!(
                "collection data size {} does not match the sum of its records {size}",
                c.data_size
            )
            .into(),
        );
    }
    let mut keys = Document::new();
    let mut details = Document::new();
    if let Some(ix) = &c.id_index {
        let good = ix.len() == c.docs.len() && ix.values().all(|rid| c.docs.contains_key(rid));
        if !good {
            errors.push(
                format!(
                    "index _id_ has {} entries for {} records",
                    ix.len(),
                    c.docs.len()
                )
                .into(),
            );
        }
        keys.insert("_id_", ix.len() as i64);
        details.insert("_id_", doc! {"valid": good});
    }
    for u in &c.unique {
        let good = u.map.values().all(|rid| c.docs.contains_key(rid));
        if !good {
            errors.push(format!("index {} points at missing records", u.name).into());
        }
        keys.insert(&u.name, u.map.len() as i64);
        details.insert(&u.name, doc! {"valid": good});
    }
    for s in &c.secondary {
        if keys.contains_key(&s.name) {
            continue;
        }
        keys.insert(&s.name, s.entries.len() as i64);
        details.insert(&s.name, doc! {"valid": true});
    }
    for spec in &c.indexes {
        // Indexes the sandbox records but does not maintain (text, hashed, ...) have no keys.
        if let Ok(name) = spec.get_str("name") {
            if !keys.contains_key(name) {
                keys.insert(name, 0i64);
                details.insert(name, doc! {"valid": true});
            }
        }
    }
    let valid = errors.is_empty();
    Ok(ok(
        doc! {
            "ns": format!("{db}.{coll}"),
            "uuid": c.uuid,
            "nInvalidDocuments": invalid,
            "nNonCompliantDocuments": 0i64,
            "nrecords": c.docs.len() as i64,
            "nIndexes": keys.len() as i32,
            "keysPerIndex": keys,
            "indexDetails": details,
            "valid": valid,
            "repaired": false,
            "warnings": Vec::<Bson>::new(),
            "errors": errors,
            "extraIndexEntries": Vec::<Bson>::new(),
            "missingIndexEntries": Vec::<Bson>::new(),
            "corruptRecords": Vec::<Bson>::new(),
        },
        None,
    ))
}

pub fn compact(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "compact", db)?;
    if e.coll(db, &coll).is_none() {
        return Err(CmdError::new(
            26,
            "NamespaceNotFound",
            "collection does not exist",
        ));
    }
    // Documents live in memory and the journal is compacted on its own: nothing to free.
    Ok(ok(doc! {"bytesFreed": 0i64}, None))
}

pub fn coll_mod(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "collMod", db)?;
    if e.coll(db, &coll).is_none() {
        return Err(CmdError::new(26, "NamespaceNotFound", "ns does not exist"));
    }
    let generic = |k: &str| crate::node::commands::fields::GENERIC.contains(&k);
    if let Some((field, _)) = cmd
        .iter()
        .skip(1)
        .find(|(k, _)| !generic(k) && !super::validation::OPTIONS.contains(&k.as_str()))
    {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            format!("rsh-sandbox does not support collMod '{field}'"),
        ));
    }
    // The validation options change, through the oplog so secondaries follow.
    let mut o = doc! {"collMod": &coll};
    for (k, v) in cmd.iter().skip(1) {
        if super::validation::OPTIONS.contains(&k.as_str()) {
            o.insert(k.clone(), v.clone());
        }
    }
    if o.len() == 1 {
        return Ok(ok(Document::new(), None));
    }
    super::validation::check_options(&o)?;
    let ui = e.coll(db, &coll).map(|c| c.uuid);
    let op = e
        .commit("c", format!("{db}.$cmd"), ui, o, None)
        .map_err(super::cmd_write::internal)?;
    Ok(ok(Document::new(), op))
}
