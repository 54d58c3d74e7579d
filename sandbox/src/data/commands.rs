//! Command dispatch for the data layer and the argument helpers its handlers share.

use bson::{Bson, Document};

use super::engine::Engine;
use super::{CmdOutcome, OpTime};
use crate::error::CmdError;

pub fn dispatch(
    e: &mut Engine,
    db: &str,
    name: &str,
    cmd: &Document,
) -> Result<CmdOutcome, CmdError> {
    if db.is_empty() || db.contains(['/', '\\', '.', ' ', '"', '$', '\0']) {
        return Err(CmdError::new(
            73,
            "InvalidNamespace",
            format!("Invalid database name: '{db}'"),
        ));
    }
    match name {
        "find" => super::cmd_read::find(e, db, cmd),
        "getMore" => super::cmd_read::get_more(e, db, cmd),
        "killCursors" => super::cmd_read::kill_cursors(e, db, cmd),
        "count" => super::cmd_read::count(e, db, cmd),
        "distinct" => super::cmd_read::distinct(e, db, cmd),
        "insert" => super::cmd_write::insert(e, db, cmd),
        "update" => super::cmd_write::update(e, db, cmd),
        "delete" => super::cmd_write::delete(e, db, cmd),
        "findAndModify" | "findandmodify" => super::cmd_modify::find_and_modify(e, db, cmd),
        "aggregate" => super::aggregate::aggregate(e, db, cmd),
        "create" => super::cmd_catalog::create(e, db, cmd),
        "drop" => super::cmd_catalog::drop(e, db, cmd),
        "dropDatabase" => super::cmd_catalog::drop_database(e, db),
        "createIndexes" => super::cmd_indexes::create_indexes(e, db, cmd),
        "listIndexes" => super::cmd_indexes::list_indexes(e, db, cmd),
        "dropIndexes" | "deleteIndexes" => super::cmd_indexes::drop_indexes(e, db, cmd),
        "renameCollection" => super::cmd_catalog::rename_collection(e, db, cmd),
        "listCollections" => super::cmd_catalog::list_collections(e, db, cmd),
        "listDatabases" => super::cmd_catalog::list_databases(e, cmd),
        "collStats" => super::cmd_stats::coll_stats(e, db, cmd),
        "dbStats" | "dbstats" => super::cmd_stats::db_stats(e, db, cmd),
        "dbHash" | "dbhash" => super::cmd_admin::db_hash(e, db, cmd),
        "validate" => super::cmd_admin::validate(e, db, cmd),
        "compact" => super::cmd_admin::compact(e, db, cmd),
        "collMod" => super::cmd_admin::coll_mod(e, db, cmd),
        "explain" => super::explain::explain(e, db, cmd),
        other => Err(CmdError::command_not_found(other)),
    }
}

/// A reply: `fields` then `ok: 1.0`.
pub fn ok(mut fields: Document, write: Option<OpTime>) -> CmdOutcome {
    fields.insert("ok", 1.0);
    CmdOutcome {
        reply: fields,
        write_optime: write,
    }
}

use crate::bson_type::name as type_name;

/// The collection named by the command's first field.
pub fn coll_arg(cmd: &Document, name: &str, db: &str) -> Result<String, CmdError> {
    match cmd.get(name) {
        Some(Bson::String(s)) if !s.is_empty() && !s.contains('\0') && !s.starts_with('$') => {
            Ok(s.clone())
        }
        Some(Bson::String(s)) => Err(CmdError::new(
            73,
            "InvalidNamespace",
            format!("Invalid namespace specified '{db}.{s}'"),
        )),
        Some(other) => Err(CmdError::new(
            73,
            "InvalidNamespace",
            format!("collection name has invalid type {}", type_name(other)),
        )),
        None => Err(CmdError::new(
            73,
            "InvalidNamespace",
            "collection name missing",
        )),
    }
}

/// An optional document argument (`BSON field '<cmd>.<name>' is the wrong type` otherwise).
pub fn doc_arg(cmd: &Document, cmd_name: &str, name: &str) -> Result<Option<Document>, CmdError> {
    match cmd.get(name) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d.clone())),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field '{cmd_name}.{name}' is the wrong type '{}', expected type 'object'",
            type_name(other)
        ))),
    }
}

/// An optional non-negative integer argument.
pub fn count_arg(cmd: &Document, cmd_name: &str, name: &str) -> Result<Option<i64>, CmdError> {
    match cmd.get(name) {
        None | Some(Bson::Null) => Ok(None),
        Some(v) => match super::compare::to_f64(v) {
            Some(f) if f.fract() == 0.0 && f >= 0.0 => Ok(Some(f as i64)),
            Some(f) if f.fract() == 0.0 => Err(CmdError::new(
                51024,
                "Location51024",
                format!("BSON field '{name}' value must be >= 0, actual value '{}'", f as i64),
            )),
            _ => Err(CmdError::type_mismatch(format!(
                "BSON field '{cmd_name}.{name}' is the wrong type '{}', expected types '[long, int, decimal, double']",
                type_name(v)
            ))),
        },
    }
}

/// An optional boolean argument (numbers count as booleans, as the server allows).
pub fn bool_arg(cmd: &Document, name: &str) -> bool {
    cmd.get(name).is_some_and(super::matcher::truthy)
}
