//! What each command accepts: one table, read by dispatch before a command runs and by the tests
//! (which walk the same table), so the two cannot drift apart.
//!
//! `Strict` commands are the ones mongod parses with its IDL in strict mode: any field that is
//! neither theirs nor a generic argument is refused with 40415 (`BSON field 'find.foo' is an
//! unknown field.`). `Loose` commands are the ones mongod itself does not check field by field
//! (hello, serverStatus, the replSet* commands...). `refused` lists fields mongod accepts but the
//! sandbox does not implement: set to anything but their neutral value they are refused with
//! IllegalOperation, never silently ignored.

use bson::{Bson, Document};

use crate::bson_type::name as type_name;
use crate::error::CmdError;

pub enum Accepts {
    Strict(&'static [&'static str]),
    Loose,
}

/// A check of a command's nested documents.
pub type NestedCheck = fn(&Document) -> Result<(), CmdError>;

pub struct CommandSpec {
    pub name: &'static str,
    pub accepts: Accepts,
    pub refused: &'static [&'static str],
    /// Checks of nested documents (update/delete statements).
    pub nested: Option<NestedCheck>,
}

/// Arguments every command accepts (mongod's generic arguments).
pub const GENERIC: &[&str] = &[
    "$db",
    "$readPreference",
    "$clusterTime",
    "$audit",
    "$client",
    "$configServerState",
    "$configTime",
    "$topologyTime",
    "$oplogQueryData",
    "$queryOptions",
    "$replData",
    "$gleStats",
    "apiVersion",
    "apiStrict",
    "apiDeprecationErrors",
    "lsid",
    "txnNumber",
    "txnRetryCounter",
    "autocommit",
    "startTransaction",
    "stmtId",
    "readConcern",
    "writeConcern",
    "maxTimeMS",
    "maxTimeMSOpOnly",
    "comment",
    "clientOperationKey",
    "databaseVersion",
    "shardVersion",
    "mayBypassWriteBlocking",
    "allowImplicitCollectionCreation",
    "help",
];

const fn strict(
    name: &'static str,
    fields: &'static [&'static str],
    refused: &'static [&'static str],
) -> CommandSpec {
    CommandSpec {
        name,
        accepts: Accepts::Strict(fields),
        refused,
        nested: None,
    }
}

const fn loose(name: &'static str) -> CommandSpec {
    CommandSpec {
        name,
        accepts: Accepts::Loose,
        refused: &[],
        nested: None,
    }
}

const fn with_nested(mut spec: CommandSpec, f: NestedCheck) -> CommandSpec {
    spec.nested = Some(f);
    spec
}

/// Every command the sandbox answers outside authentication, with what it accepts.
pub static COMMANDS: &[CommandSpec] = &[
    // Reads.
    strict(
        "find",
        &[
            "filter",
            "projection",
            "sort",
            "hint",
            "skip",
            "limit",
            "batchSize",
            "singleBatch",
            "max",
            "min",
            "returnKey",
            "showRecordId",
            "tailable",
            "oplogReplay",
            "noCursorTimeout",
            "awaitData",
            "allowPartialResults",
            "collation",
            "allowDiskUse",
            "let",
            "readOnce",
            "term",
        ],
        &["collation", "let"],
    ),
    strict(
        "getMore",
        &[
            "collection",
            "batchSize",
            "term",
            "lastKnownCommittedOpTime",
        ],
        &[],
    ),
    strict("killCursors", &["cursors"], &[]),
    strict(
        "count",
        &["query", "limit", "skip", "hint", "collation", "fields"],
        &["collation"],
    ),
    strict(
        "distinct",
        &["key", "query", "collation", "hint"],
        &["collation"],
    ),
    strict(
        "aggregate",
        &[
            "pipeline",
            "explain",
            "allowDiskUse",
            "cursor",
            "bypassDocumentValidation",
            "hint",
            "collation",
            "let",
        ],
        &["collation", "let"],
    ),
    strict(
        "listCollections",
        &["filter", "nameOnly", "authorizedCollections", "cursor"],
        &[],
    ),
    strict(
        "listIndexes",
        &["cursor", "includeBuildUUIDs", "includeIndexBuildInfo"],
        &[],
    ),
    strict(
        "listDatabases",
        &["filter", "nameOnly", "authorizedDatabases"],
        &[],
    ),
    loose("collStats"),
    strict("dbStats", &["scale", "freeStorage"], &[]),
    strict("dbstats", &["scale", "freeStorage"], &[]),
    strict("dbHash", &["collections", "skipTempCollections"], &[]),
    strict("dbhash", &["collections", "skipTempCollections"], &[]),
    strict(
        "validate",
        &[
            "full",
            "repair",
            "metadata",
            "background",
            "enforceFastCount",
            "checkBSONConformance",
            "fixMultikey",
            "scandata",
        ],
        &["repair", "metadata", "fixMultikey"],
    ),
    strict("compact", &["force", "freeSpaceTargetMB"], &[]),
    strict(
        "collMod",
        &[
            "validator",
            "validationLevel",
            "validationAction",
            "index",
            "viewOn",
            "pipeline",
            "expireAfterSeconds",
            "changeStreamPreAndPostImages",
            "timeseries",
            "cappedSize",
            "cappedMax",
            "dryRun",
        ],
        &[
            "index",
            "viewOn",
            "pipeline",
            "expireAfterSeconds",
            "changeStreamPreAndPostImages",
            "timeseries",
            "cappedSize",
            "cappedMax",
            "dryRun",
        ],
    ),
    strict("explain", &["verbosity"], &[]),
    // Writes.
    strict(
        "insert",
        &[
            "documents",
            "ordered",
            "bypassDocumentValidation",
            "stmtIds",
        ],
        &[],
    ),
    with_nested(
        strict(
            "update",
            &[
                "updates",
                "ordered",
                "bypassDocumentValidation",
                "let",
                "stmtIds",
            ],
            &["let"],
        ),
        update_statements,
    ),
    with_nested(
        strict(
            "delete",
            &[
                "deletes",
                "ordered",
                "bypassDocumentValidation",
                "let",
                "stmtIds",
            ],
            &["let"],
        ),
        delete_statements,
    ),
    strict(
        "findAndModify",
        FIND_AND_MODIFY_FIELDS,
        FIND_AND_MODIFY_REFUSED,
    ),
    strict(
        "findandmodify",
        FIND_AND_MODIFY_FIELDS,
        FIND_AND_MODIFY_REFUSED,
    ),
    strict(
        "create",
        &[
            "capped",
            "autoIndexId",
            "idIndex",
            "size",
            "max",
            "storageEngine",
            "validator",
            "validationLevel",
            "validationAction",
            "indexOptionDefaults",
            "viewOn",
            "pipeline",
            "collation",
            "timeseries",
            "clusteredIndex",
            "changeStreamPreAndPostImages",
            "expireAfterSeconds",
            "encryptedFields",
            "temp",
            "flags",
        ],
        &["collation"],
    ),
    strict("drop", &[], &[]),
    strict("dropDatabase", &[], &[]),
    strict(
        "createIndexes",
        &["indexes", "commitQuorum", "ignoreUnknownIndexOptions"],
        &[],
    ),
    strict("dropIndexes", &["index"], &[]),
    strict("deleteIndexes", &["index"], &[]),
    strict("renameCollection", &["to", "dropTarget", "stayTemp"], &[]),
    // Server, session and replica-set commands mongod does not check field by field.
    loose("hello"),
    loose("isMaster"),
    loose("ismaster"),
    loose("ping"),
    loose("buildInfo"),
    loose("buildinfo"),
    loose("hostInfo"),
    loose("getCmdLineOpts"),
    loose("getLog"),
    loose("getParameter"),
    loose("serverStatus"),
    loose("whatsmyuri"),
    loose("connectionStatus"),
    loose("listCommands"),
    loose("getFreeMonitoringStatus"),
    loose("currentOp"),
    loose("killOp"),
    loose("startSession"),
    strict("endSessions", &[], &[]),
    strict("refreshSessions", &[], &[]),
    strict(
        "setDefaultRWConcern",
        &["defaultReadConcern", "defaultWriteConcern"],
        &[],
    ),
    strict("getDefaultRWConcern", &["inMemory"], &[]),
    loose("replSetGetStatus"),
    loose("replSetGetConfig"),
    loose("replSetInitiate"),
    loose("replSetReconfig"),
    loose("replSetStepDown"),
    loose("replSetFreeze"),
    loose("replSetSyncFrom"),
    loose("replSetMaintenance"),
    // Admin commands.
    strict(
        "fsync",
        &["lock", "async", "forBackup"],
        &["async", "forBackup"],
    ),
    strict("fsyncUnlock", &[], &[]),
    loose("setParameter"),
    strict(
        "setFeatureCompatibilityVersion",
        &["confirm", "fromConfigServer", "changeTimestamp"],
        &["fromConfigServer", "changeTimestamp"],
    ),
    strict("replSetResizeOplog", &["size", "minRetentionHours"], &[]),
    strict("replSetAbortPrimaryCatchUp", &[], &[]),
    strict("killSessions", &[], &[]),
    strict("killAllSessions", &[], &[]),
    loose("logRotate"),
    strict("top", &[], &[]),
    strict("profile", &["slowms", "sampleRate", "filter"], &[]),
];

/// The table entry for `name`, if the sandbox knows it.
pub fn spec(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|s| s.name == name)
}

/// Refuses unknown fields, unsupported options and malformed generic arguments of `cmd`
/// (command `name`, its first key). Commands outside the table are not checked here.
pub fn check(name: &str, cmd: &Document) -> Result<(), CmdError> {
    let Some(spec) = spec(name) else {
        return Ok(());
    };
    check_read_concern(cmd)?;
    if let Accepts::Strict(fields) = spec.accepts {
        for key in cmd.keys().skip(1) {
            if !fields.contains(&key.as_str()) && !GENERIC.contains(&key.as_str()) {
                return Err(unknown_field(&format!("{name}.{key}")));
            }
        }
    }
    for field in spec.refused {
        if let Some(v) = cmd.get(*field) {
            refuse_unless_neutral(name, field, v)?;
        }
    }
    if let Some(nested) = spec.nested {
        nested(cmd)?;
    }
    if name == "explain" {
        // The explained command is checked like the command itself (one level, not recursive).
        if let Some(Bson::Document(inner)) = cmd.get("explain") {
            if let Some(inner_name) = inner.keys().next().filter(|n| *n != "explain") {
                check(inner_name, inner)?;
            }
        }
    }
    Ok(())
}

pub fn unknown_field(path: &str) -> CmdError {
    CmdError::new(
        40415,
        "Location40415",
        format!("BSON field '{path}' is an unknown field."),
    )
}

/// findAndModify's fields (both spellings of the command take the same).
const FIND_AND_MODIFY_FIELDS: &[&str] = &[
    "query",
    "fields",
    "sort",
    "remove",
    "update",
    "new",
    "upsert",
    "bypassDocumentValidation",
    "collation",
    "arrayFilters",
    "hint",
    "let",
];
const FIND_AND_MODIFY_REFUSED: &[&str] = &["collation", "arrayFilters", "let"];

/// Unset-looking values of an unsupported option are harmless (drivers send `let: {}`,
/// `returnKey: false`, the simple collation); anything else is refused.
fn refuse_unless_neutral(cmd_name: &str, field: &str, v: &Bson) -> Result<(), CmdError> {
    let neutral = match v {
        Bson::Null | Bson::Boolean(false) => true,
        Bson::Document(d) if field == "collation" => {
            d.is_empty() || (d.len() == 1 && d.get_str("locale") == Ok("simple"))
        }
        Bson::Document(d) => d.is_empty(),
        Bson::Array(a) => a.is_empty(),
        _ => false,
    };
    if neutral {
        return Ok(());
    }
    if field == "collation" && !matches!(v, Bson::Document(_)) {
        return Err(CmdError::type_mismatch(format!(
            "BSON field '{cmd_name}.collation' is the wrong type '{}', expected type 'object'",
            type_name(v)
        )));
    }
    Err(CmdError::new(
        20,
        "IllegalOperation",
        format!("rsh-sandbox does not support the '{field}' option of {cmd_name}"),
    ))
}

const READ_CONCERN_LEVELS: &[&str] =
    &["local", "majority", "linearizable", "available", "snapshot"];

fn check_read_concern(cmd: &Document) -> Result<(), CmdError> {
    let rc = match cmd.get("readConcern") {
        None | Some(Bson::Null) => return Ok(()),
        Some(Bson::Document(rc)) => rc,
        Some(other) => {
            return Err(CmdError::new(
                9,
                "FailedToParse",
                format!("readConcern must be an object, found {}", type_name(other)),
            ))
        }
    };
    for (k, v) in rc {
        match k.as_str() {
            "level" => {
                match v {
                    Bson::String(s) if READ_CONCERN_LEVELS.contains(&s.as_str()) => {}
                    Bson::String(_) => return Err(CmdError::new(
                        9,
                        "FailedToParse",
                        "readConcern.level must be either 'local', 'majority', 'linearizable', \
                         'available', or 'snapshot'",
                    )),
                    other => {
                        return Err(CmdError::type_mismatch(format!(
                    "BSON field 'readConcern.level' is the wrong type '{}', expected type 'string'",
                    type_name(other)
                )))
                    }
                }
            }
            "afterOpTime"
            | "afterClusterTime"
            | "atClusterTime"
            | "provenance"
            | "allowTransactionTableSnapshot"
            | "$_waitLastStableRecoveryTimestamp" => {}
            other => return Err(unknown_field(&format!("readConcern.{other}"))),
        }
    }
    if rc.get_str("level") == Ok("snapshot") {
        // Reads at one point in time across batches are not implemented.
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox does not support readConcern level 'snapshot'",
        ));
    }
    Ok(())
}

const UPDATE_STATEMENT: &[&str] = &[
    "q",
    "u",
    "c",
    "multi",
    "upsert",
    "arrayFilters",
    "hint",
    "collation",
    "upsertSupplied",
    "sampleId",
];

const DELETE_STATEMENT: &[&str] = &["q", "limit", "hint", "collation", "sampleId"];

fn update_statements(cmd: &Document) -> Result<(), CmdError> {
    statements(
        cmd,
        "update",
        "updates",
        UPDATE_STATEMENT,
        &["c", "arrayFilters", "collation"],
    )
}

fn delete_statements(cmd: &Document) -> Result<(), CmdError> {
    statements(cmd, "delete", "deletes", DELETE_STATEMENT, &["collation"])
}

fn statements(
    cmd: &Document,
    name: &str,
    list: &str,
    fields: &[&str],
    refused: &[&str],
) -> Result<(), CmdError> {
    let Ok(stmts) = cmd.get_array(list) else {
        // Missing or mistyped lists get the command's own error.
        return Ok(());
    };
    for s in stmts.iter().filter_map(Bson::as_document) {
        for (k, v) in s {
            if !fields.contains(&k.as_str()) {
                return Err(unknown_field(&format!("{name}.{list}.{k}")));
            }
            if refused.contains(&k.as_str()) {
                refuse_unless_neutral(name, k, v)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    /// A value of the right general shape for any field (only the name is under test).
    fn some_value(field: &str) -> Bson {
        match field {
            "collation" => Bson::Document(doc! {"locale": "simple"}),
            _ => Bson::Null,
        }
    }

    #[test]
    fn every_listed_field_passes_and_anything_else_is_refused_with_40415() {
        for spec in COMMANDS {
            let Accepts::Strict(fields) = spec.accepts else {
                let cmd = doc! {spec.name: 1, "anythingAtAll": 1};
                assert!(check(spec.name, &cmd).is_ok(), "{} is loose", spec.name);
                continue;
            };
            for f in fields.iter().chain(GENERIC) {
                if *f == "readConcern" {
                    continue;
                }
                let mut cmd = doc! {spec.name: "c"};
                cmd.insert(*f, some_value(f));
                assert!(
                    check(spec.name, &cmd).is_ok(),
                    "{}.{f} is accepted",
                    spec.name
                );
            }
            let cmd = doc! {spec.name: "c", "noSuchField": 1};
            let e = check(spec.name, &cmd).expect_err(spec.name);
            assert_eq!(e.code, 40415, "{}", spec.name);
            assert_eq!(
                e.errmsg,
                format!(
                    "BSON field '{}.noSuchField' is an unknown field.",
                    spec.name
                )
            );
        }
    }

    #[test]
    fn refused_options_are_listed_as_accepted_by_mongod_and_refused_when_set() {
        for spec in COMMANDS {
            for f in spec.refused {
                if let Accepts::Strict(fields) = spec.accepts {
                    assert!(fields.contains(f), "{}.{f} is a mongod field", spec.name);
                }
                let mut cmd = doc! {spec.name: "c"};
                cmd.insert(*f, doc! {"x": 1});
                let e = check(spec.name, &cmd).expect_err(f);
                assert_eq!(e.code, 20, "{}.{f}", spec.name);
            }
        }
        let ok = doc! {"find": "c", "collation": {"locale": "simple"}, "let": {}};
        assert!(check("find", &ok).is_ok());
        let fr = doc! {"find": "c", "collation": {"locale": "fr"}};
        assert_eq!(check("find", &fr).map_err(|e| e.code), Err(20));
    }

    #[test]
    fn statements_and_read_concern_are_checked() {
        let sort =
            doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": 1}}, "sort": {"a": 1}}]};
        let e = check("update", &sort).unwrap_err();
        assert_eq!(
            (e.code, e.errmsg.as_str()),
            (
                40415,
                "BSON field 'update.updates.sort' is an unknown field."
            )
        );
        let del = doc! {"delete": "c", "deletes": [{"q": {}, "limit": 0, "multi": true}]};
        assert_eq!(check("delete", &del).unwrap_err().code, 40415);
        let af = doc! {"update": "c", "updates": [{"q": {}, "u": {}, "arrayFilters": [{"x": 1}]}]};
        assert_eq!(check("update", &af).unwrap_err().code, 20);
        let bad = doc! {"find": "c", "readConcern": {"level": "nope"}};
        assert_eq!(check("find", &bad).unwrap_err().code, 9);
        let extra = doc! {"find": "c", "readConcern": {"level": "local", "x": 1}};
        assert_eq!(check("find", &extra).unwrap_err().code, 40415);
        let good = doc! {"find": "c", "readConcern": {"level": "majority"}};
        assert!(check("find", &good).is_ok());
        let inner = doc! {"explain": {"find": "c", "bogus": 1}, "verbosity": "queryPlanner"};
        assert_eq!(check("explain", &inner).unwrap_err().code, 40415);
    }

    #[test]
    fn names_are_unique() {
        for (i, s) in COMMANDS.iter().enumerate() {
            assert!(
                COMMANDS[i + 1..].iter().all(|o| o.name != s.name),
                "{} twice",
                s.name
            );
        }
    }
}
