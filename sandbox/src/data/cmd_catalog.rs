//! create, drop, dropDatabase, listCollections, listDatabases.

use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::cmd_write::internal;
use super::commands::{bool_arg, coll_arg, doc_arg, ok};
use super::cursor::Cursor;
use super::engine::Engine;
use super::matcher::Filter;
use super::CmdOutcome;
use crate::error::CmdError;

/// Fields of `create` that are options of the collection (the rest are generic arguments).
const CREATE_OPTIONS: &[&str] = &[
    "capped",
    "size",
    "max",
    "validator",
    "validationLevel",
    "validationAction",
    "collation",
    "storageEngine",
    "indexOptionDefaults",
    "timeseries",
    "expireAfterSeconds",
    "clusteredIndex",
    "changeStreamPreAndPostImages",
    "comment",
];

pub fn create(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "create", db)?;
    let mut options = Document::new();
    for (k, v) in cmd.iter().skip(1) {
        if CREATE_OPTIONS.contains(&k.as_str()) && k != "comment" {
            options.insert(k.clone(), v.clone());
        }
    }
    super::validation::check_options(&options)?;
    if bool_arg(&options, "capped") {
        match options.get("size").and_then(super::compare::to_f64) {
            Some(s) if s > 0.0 => {
                // The server rounds capped sizes up to a multiple of 256 bytes.
                let rounded = ((s as i64 + 255) / 256) * 256;
                options.insert("size", rounded);
            }
            _ => {
                return Err(CmdError::new(
                    72,
                    "InvalidOptions",
                    "the 'size' field is required when 'capped' is true",
                ))
            }
        }
    } else {
        options.remove("size");
        options.remove("max");
        options.remove("capped");
    }
    if let Some(c) = e.coll(db, &coll) {
        if c.options == options {
            return Ok(ok(Document::new(), None));
        }
        return Err(CmdError::new(
            48,
            "NamespaceExists",
            format!("Collection {db}.{coll} already exists with different options"),
        ));
    }
    let mut o = doc! {"create": &coll};
    for (k, v) in &options {
        o.insert(k.clone(), v.clone());
    }
    o.insert("idIndex", doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"});
    let op = e
        .commit("c", format!("{db}.$cmd"), Some(bson::Uuid::new()), o, None)
        .map_err(internal)?;
    Ok(ok(Document::new(), op))
}

pub fn drop(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "drop", db)?;
    if db == "local" && coll == "oplog.rs" {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "can't drop live oplog while replicating",
        ));
    }
    let Some(c) = e.coll(db, &coll) else {
        return Ok(ok(Document::new(), None));
    };
    let n = c.index_specs().len() as i32;
    let ui = c.uuid;
    let op = e
        .commit(
            "c",
            format!("{db}.$cmd"),
            Some(ui),
            doc! {"drop": &coll},
            None,
        )
        .map_err(internal)?;
    Ok(ok(
        doc! {"nIndexesWas": n, "ns": format!("{db}.{coll}")},
        op,
    ))
}

pub fn drop_database(e: &mut Engine, db: &str) -> Result<CmdOutcome, CmdError> {
    if db == "local" && e.coll("local", "system.replset").is_some() {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "Cannot drop 'local' database while replication is active",
        ));
    }
    if !e.dbs.contains_key(db) || (db == "local" && e.dbs.get(db).is_some_and(|d| d.len() == 1)) {
        return Ok(ok(Document::new(), None));
    }
    let op = e
        .commit(
            "c",
            format!("{db}.$cmd"),
            None,
            doc! {"dropDatabase": 1},
            None,
        )
        .map_err(internal)?;
    Ok(ok(doc! {"dropped": db}, op))
}

/// `{cursor: {id, ns, firstBatch}}` for listings (listCollections / listIndexes order).
pub fn listing(
    e: &mut Engine,
    ns: String,
    docs: Vec<Document>,
    cmd: &Document,
) -> Result<CmdOutcome, CmdError> {
    let batch = match doc_arg(cmd, "listing", "cursor")? {
        Some(c) => super::commands::count_arg(&c, "cursor", "batchSize")?.map(|b| b as u64),
        None => None,
    };
    let mut cur = Cursor::docs(ns.clone(), docs.into_iter().map(Arc::new));
    let (first, done) = e.next_batch(&mut cur, batch);
    let id = if done { 0 } else { e.register_cursor(cur) };
    Ok(ok(
        doc! {"cursor": {"id": id, "ns": ns, "firstBatch": first}},
        None,
    ))
}

pub fn collection_entry(e: &Engine, db: &str, name: &str) -> Option<Document> {
    let c = e.coll(db, name)?;
    let mut d = doc! {"name": name, "type": "collection", "options": c.options.clone(),
    "info": {"readOnly": false, "uuid": c.uuid}};
    if c.id_index.is_some() {
        d.insert("idIndex", doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"});
    }
    Some(d)
}

pub fn list_collections(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let filter = Filter::parse(&doc_arg(cmd, "listCollections", "filter")?.unwrap_or_default())?;
    let name_only = bool_arg(cmd, "nameOnly");
    let names: Vec<String> = e
        .dbs
        .get(db)
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for n in &names {
        let Some(entry) = collection_entry(e, db, n) else {
            continue;
        };
        if !filter.matches(&entry) {
            continue;
        }
        out.push(if name_only {
            doc! {"name": n.as_str(), "type": "collection"}
        } else {
            entry
        });
    }
    listing(e, format!("{db}.$cmd.listCollections"), out, cmd)
}

/// Bytes a collection would occupy on disk (data rounded to pages plus an index page each).
pub fn disk_size(c: &super::collection::Collection) -> i64 {
    let data = (c.data_size as i64 + 4095) / 4096 * 4096;
    data + 4096 * (1 + c.index_specs().len() as i64)
}

pub fn list_databases(e: &mut Engine, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let filter = Filter::parse(&doc_arg(cmd, "listDatabases", "filter")?.unwrap_or_default())?;
    let name_only = bool_arg(cmd, "nameOnly");
    let mut dbs = Vec::new();
    let mut total = 0i64;
    // admin, config and local always exist on mongod (version, sessions and oplog collections
    // live there), whether or not the sandbox stored anything in them yet.
    let always = ["admin", "config", "local"];
    let empty = super::engine::Db::new();
    let names: std::collections::BTreeSet<&str> =
        e.dbs.keys().map(String::as_str).chain(always).collect();
    for name in names {
        let colls = e.dbs.get(name).unwrap_or(&empty);
        let builtin = always.contains(&name);
        if colls.is_empty() && !builtin {
            continue;
        }
        let size: i64 =
            colls
                .values()
                .map(disk_size)
                .sum::<i64>()
                .max(if builtin { 8192 } else { 0 });
        let entry = if name_only {
            doc! {"name": name}
        } else {
            doc! {"name": name, "sizeOnDisk": size, "empty": !builtin && colls.values().all(|c| c.count() == 0)}
        };
        if !filter.matches(&entry) {
            continue;
        }
        total += size;
        dbs.push(Bson::Document(entry));
    }
    if name_only {
        return Ok(ok(doc! {"databases": dbs}, None));
    }
    Ok(ok(
        doc! {"databases": dbs, "totalSize": total, "totalSizeMb": total / (1024 * 1024)},
        None,
    ))
}

fn namespace_arg(cmd: &Document, name: &str) -> Result<(String, String), CmdError> {
    let ns = match cmd.get(name) {
        Some(Bson::String(s)) => s.clone(),
        _ => {
            return Err(CmdError::type_mismatch(format!(
                "BSON field 'renameCollection.{name}' is the wrong type, expected type 'string'"
            )))
        }
    };
    match ns.split_once('.') {
        Some((d, c)) if !d.is_empty() && !c.is_empty() => Ok((d.to_string(), c.to_string())),
        _ => Err(CmdError::new(
            73,
            "InvalidNamespace",
            format!("Invalid {name} namespace: {ns}"),
        )),
    }
}

pub fn rename_collection(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    if db != "admin" {
        return Err(CmdError::new(
            13,
            "Unauthorized",
            "renameCollection may only be run against the admin database.",
        ));
    }
    let (sdb, scoll) = namespace_arg(cmd, "renameCollection")?;
    let (tdb, tcoll) = namespace_arg(cmd, "to")?;
    let drop_target = bool_arg(cmd, "dropTarget");
    if sdb == "local"
        || tdb == "local"
        || scoll.starts_with("system.")
        || tcoll.starts_with("system.")
    {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            format!("renameCollection cannot rename {sdb}.{scoll} to {tdb}.{tcoll}"),
        ));
    }
    let Some(src) = e.coll(&sdb, &scoll) else {
        return Err(CmdError::new(
            26,
            "NamespaceNotFound",
            format!("Source collection {sdb}.{scoll} does not exist"),
        ));
    };
    let ui = src.uuid;
    if (sdb.as_str(), scoll.as_str()) == (tdb.as_str(), tcoll.as_str()) {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "Can't rename a collection to itself",
        ));
    }
    let mut last = None;
    if let Some(t) = e.coll(&tdb, &tcoll) {
        if !drop_target {
            return Err(CmdError::new(
                48,
                "NamespaceExists",
                "target namespace exists",
            ));
        }
        let tui = t.uuid;
        last = e
            .commit(
                "c",
                format!("{tdb}.$cmd"),
                Some(tui),
                doc! {"drop": &tcoll},
                None,
            )
            .map_err(internal)?;
    }
    let o = doc! {"renameCollection": format!("{sdb}.{scoll}"), "to": format!("{tdb}.{tcoll}"), "stayTemp": false, "dropTarget": false};
    if let Some(op) = e
        .commit("c", format!("{sdb}.$cmd"), Some(ui), o, None)
        .map_err(internal)?
    {
        last = Some(op);
    }
    Ok(ok(Document::new(), last))
}
