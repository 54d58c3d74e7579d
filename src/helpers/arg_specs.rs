//! The argument signature of the db, collection and cursor helpers: what each argument must be.
//! The prelude wraps every helper listed here with a check made before the helper runs (so
//! nothing is sent on nonsense), and the completeness tests read the same rows.
//!
//! A spec lists the arguments in order, separated by `, `: `name: kind|kind`, a `?` after the
//! kinds when the argument may be left out (`undefined` or `null`; the helper's own code then
//! decides, e.g. with the legacy "need a query"), and optionally ` ! text` when the legacy
//! shell has its own message for a wrong type (thrown as an `Error` with that text). An empty
//! spec means the helper takes no arguments: any argument is refused (a helper that changes
//! something must not ignore what the user meant, `db.dropDatabase("other")`).

/// One kind of value an argument may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An object that is neither an array nor a function.
    Document,
    Array,
    String,
    /// A JS number or a NumberInt/NumberLong/NumberDecimal.
    Number,
    Boolean,
    Function,
    /// Any value, as long as it is given.
    Any,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "document" => Kind::Document,
            "array" => Kind::Array,
            "string" => Kind::String,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "function" => Kind::Function,
            "any" => Kind::Any,
            _ => return None,
        })
    }

    /// How a message names the kind: `"an object"`.
    pub fn text(self) -> &'static str {
        match self {
            Kind::Document => "an object",
            Kind::Array => "an array",
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Boolean => "true or false",
            Kind::Function => "a function",
            Kind::Any => "given",
        }
    }
}

/// One argument of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub kinds: Vec<Kind>,
    pub optional: bool,
    /// The legacy shell's own message for a wrong value.
    pub legacy: Option<&'static str>,
}

impl Param {
    /// `"an object, a string or a function"`.
    pub fn expected(&self) -> String {
        let texts: Vec<&str> = self.kinds.iter().map(|k| k.text()).collect();
        match texts.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => texts.concat(),
        }
    }
}

/// The parsed spec of `path`, `None` when the helper has none.
pub fn params(path: &str) -> Option<Vec<Param>> {
    spec(path).map(|s| parse(s).unwrap_or_default())
}

/// The spec text of `path`.
pub fn spec(path: &str) -> Option<&'static str> {
    ARG_SPECS.iter().find(|(p, _)| *p == path).map(|(_, s)| *s)
}

/// Parse a spec (see the module comment); `None` when it is malformed.
pub fn parse(spec: &'static str) -> Option<Vec<Param>> {
    let mut out = Vec::new();
    if spec.trim().is_empty() {
        return Some(out);
    }
    for part in spec.split(", ") {
        let (part, legacy) = match part.split_once(" ! ") {
            Some((p, l)) => (p, Some(l.trim())),
            None => (part, None),
        };
        let (name, kinds) = part.split_once(':')?;
        let kinds = kinds.trim();
        let (kinds, optional) = match kinds.strip_suffix('?') {
            Some(k) => (k, true),
            None => (kinds, false),
        };
        let kinds = kinds
            .split('|')
            .map(Kind::parse)
            .collect::<Option<Vec<Kind>>>()?;
        let name = name.trim();
        if name.is_empty() || kinds.is_empty() {
            return None;
        }
        out.push(Param {
            name,
            kinds,
            optional,
            legacy,
        });
    }
    Some(out)
}

/// The db, collection and cursor helpers that check their arguments in their own code (with
/// messages tests and scripts already know), so the prelude does not wrap them; and one the
/// legacy shell answers by printing, not throwing.
pub const OWN_CHECKS: &[&str] = &[
    "db.runCommand",
    "db.adminCommand",
    "db.runReadCommand",
    "db.getSiblingDB",
    "db.getSisterDB",
    "db.getCollection",
    "db.printCollectionStats",
];

/// `(helper path, spec)`. Paths as in the helper table.
pub static ARG_SPECS: &[(&str, &str)] = &[
    // DB
    ("db.getCollectionInfos", "filter: document?, nameOnly: boolean?, authorizedCollections: boolean?"),
    ("db.createCollection", "name: string, options: document?"),
    ("db.dropDatabase", "writeConcern: document?"),
    ("db.serverStatus", "options: document?"),
    ("db.stats", "scale: number|document?"),
    ("db.watch", "pipeline: array?, options: document?"),
    ("db.currentOp", "filter: boolean|document?"),
    ("db.currentOP", "filter: boolean|document?"),
    ("db.killOp", "opid: number|string?"),
    ("db.killOP", "opid: number|string?"),
    ("db.createUser", "user: document, writeConcern: document?"),
    ("db.dropUser", "name: string, writeConcern: document?"),
    ("db.auth", "user: string|document, password: string?"),
    ("db.shutdownServer", "options: document?"),
    ("db.fsyncLock", ""),
    ("db.fsyncUnlock", ""),
    ("db.getUser", "name: string ! User name for getUser shell helper must be a string, args: document?"),
    ("db.getUsers", "args: document?"),
    ("db.updateUser", "name: string, update: document, writeConcern: document?"),
    ("db.changeUserPassword", "name: string, password: string, writeConcern: document?"),
    ("db.grantRolesToUser", "name: string, roles: array, writeConcern: document?"),
    ("db.revokeRolesFromUser", "name: string, roles: array, writeConcern: document?"),
    ("db.dropAllUsers", "writeConcern: document?"),
    ("db.removeUser", "name: string, writeConcern: document?"),
    ("db.createRole", "role: document, writeConcern: document?"),
    ("db.updateRole", "name: string, update: document, writeConcern: document?"),
    ("db.dropRole", "name: string, writeConcern: document?"),
    ("db.dropAllRoles", "writeConcern: document?"),
    ("db.grantRolesToRole", "name: string, roles: array, writeConcern: document?"),
    ("db.revokeRolesFromRole", "name: string, roles: array, writeConcern: document?"),
    ("db.grantPrivilegesToRole", "name: string, privileges: array, writeConcern: document?"),
    ("db.revokePrivilegesFromRole", "name: string, privileges: array, writeConcern: document?"),
    ("db.getRole", "name: string ! Role name for getRole shell helper must be a string, args: document?"),
    ("db.getRoles", "args: document?"),
    ("db.setProfilingLevel", "level: number, options: number|document?"),
    ("db.getLastError", "w: number|string?, wtimeout: number?"),
    ("db.getLastErrorObj", "w: number|string?, wtimeout: number?, j: boolean?"),
    ("db.getLastErrorCmd", "w: number|string?, wtimeout: number?, j: boolean?"),
    ("db.setLogLevel", "level: number, component: string? ! component must be a string"),
    ("db.commandHelp", "name: string"),
    ("db.createView", "name: string, source: string, pipeline: array|document?, options: document?"),
    ("db.aggregate", "pipeline: array|document?, options: document?"),
    ("db.setWriteConcern", "wc: document"),
    ("db.setSecondaryOk", "value: boolean?"),
    ("db.setSlaveOk", "value: boolean?"),
    // DBCollection
    ("db.collection.find", "query: document|string|function?, fields: document?"),
    ("db.collection.findOne", "query: document|string|function?, fields: document?"),
    ("db.collection.insert", "doc: document|array?, options: document|number?"),
    ("db.collection.insertOne", "doc: document, options: document?"),
    ("db.collection.insertMany", "docs: array, options: document?"),
    ("db.collection.save", "doc: document?, options: document?"),
    ("db.collection.update", "query: document?, update: document|array?, upsert: boolean|number|document?, multi: boolean|number?"),
    ("db.collection.updateOne", "filter: document, update: document|array, options: document?"),
    ("db.collection.updateMany", "filter: document, update: document|array, options: document?"),
    ("db.collection.replaceOne", "filter: document, doc: document, options: document?"),
    ("db.collection.remove", "query: document|string|function?, justOne: boolean|number|document?"),
    ("db.collection.deleteOne", "filter: document?, options: document?"),
    ("db.collection.deleteMany", "filter: document?, options: document?"),
    ("db.collection.findAndModify", "args: document"),
    ("db.collection.findOneAndUpdate", "filter: document, update: document|array, options: document?"),
    ("db.collection.findOneAndReplace", "filter: document, doc: document, options: document?"),
    ("db.collection.findOneAndDelete", "filter: document, options: document?"),
    ("db.collection.bulkWrite", "operations: array, options: document?"),
    ("db.collection.count", "query: document|string|function?, options: document?"),
    ("db.collection.countDocuments", "query: document?, options: document?"),
    ("db.collection.estimatedDocumentCount", "options: document?"),
    ("db.collection.distinct", "field: string, query: document?, options: document?"),
    ("db.collection.aggregate", "pipeline: array|document?, options: document?"),
    ("db.collection.mapReduce", "map: function|string, reduce: function|string, options: document|string"),
    ("db.collection.watch", "pipeline: array?, options: document?"),
    ("db.collection.explain", "verbosity: string|boolean?"),
    ("db.collection.createIndex", "keys: document, options: document|string|boolean?"),
    ("db.collection.ensureIndex", "keys: document, options: document|string|boolean?"),
    ("db.collection.createIndexes", "keys: array, options: document|string|boolean?, commitQuorum: number|string?"),
    ("db.collection.dropIndex", "index: string|document?"),
    ("db.collection.dropIndexes", "names: string|array|document?"),
    ("db.collection.hideIndex", "index: string|document"),
    ("db.collection.unhideIndex", "index: string|document"),
    ("db.collection.stats", "scale: number|document?"),
    ("db.collection.totalIndexSize", "verbose: boolean|number?"),
    ("db.collection.latencyStats", "options: document?"),
    ("db.collection.validate", "full: boolean|document?"),
    ("db.collection.convertToCapped", "bytes: number?"),
    ("db.collection.drop", "options: document?"),
    ("db.collection.reIndex", ""),
    ("db.collection.renameCollection", "newName: string|document ! renameCollection must either take a string and an optional boolean or an object., dropTarget: boolean|document? ! renameCollection must either take a string and an optional boolean or an object."),
    ("db.collection.runCommand", "name: string|document, options: document?"),
    ("db.collection.runReadCommand", "name: string|document, options: document?"),
    ("db.collection.compact", "options: document?"),
    ("db.collection.getCollection", "sub: string"),
    ("db.collection.setWriteConcern", "wc: document"),
    ("db.collection.setSecondaryOk", "value: boolean?"),
    ("db.collection.setSlaveOk", "value: boolean?"),
    ("db.collection.convertToSingleObject", "valueField: string"),
    // Cursors
    ("cursor.sort", "spec: document"),
    ("cursor.limit", "n: number?"),
    ("cursor.skip", "n: number?"),
    ("cursor.batchSize", "n: number?"),
    ("cursor.hint", "index: string|document"),
    ("cursor.min", "key: document"),
    ("cursor.max", "key: document"),
    ("cursor.comment", "text: any"),
    ("cursor.maxTimeMS", "ms: number"),
    ("cursor.readConcern", "level: string"),
    ("cursor.readPref", "mode: string, tagSets: array?"),
    ("cursor.collation", "spec: document"),
    ("cursor.allowDiskUse", "value: boolean?"),
    ("cursor.projection", "fields: document"),
    ("cursor.tailable", "awaitData: boolean|number?"),
    ("cursor.addOption", "option: number"),
    ("cursor.modifiers", "document: document"),
    ("cursor.explain", "verbosity: string|boolean?"),
    ("cursor.forEach", "func: function"),
    ("cursor.map", "func: function"),
    ("cursor.count", "applySkipLimit: boolean|number?"),
    ("cursor.arrayAccess", "i: number"),
    // The Bulk API (`db.c.initializeOrderedBulkOp()`); `insert` keeps its legacy messages.
    ("Bulk.find", "query: document?"),
    ("Bulk.execute", "writeConcern: document?"),
    // The connection (`db.getMongo()`) and its sessions.
    ("Mongo.getDB", "name: string"),
    ("Mongo.getSiblingDB", "name: string"),
    ("Mongo.getCollection", "ns: string"),
    ("Mongo.adminCommand", "cmd: document|string"),
    ("Mongo.runCommand", "db: string, cmd: document|string, options: document?"),
    ("Mongo.setReadPref", "mode: string?, tagSets: array?"),
    ("Mongo.setReadConcern", "level: string?"),
    ("Mongo.setWriteConcern", "wc: document"),
    ("Mongo.setSecondaryOk", "value: boolean?"),
    ("Mongo.setSlaveOk", "value: boolean?"),
    ("Mongo.setLogLevel", "level: number, component: string? ! component must be a string"),
    ("Mongo.startSession", "options: document?"),
    ("Mongo.setCausalConsistency", "value: boolean?"),
    ("Mongo.advanceClusterTime", "t: document"),
    ("Mongo.watch", "pipeline: array?, options: document?"),
    ("Mongo.forceWriteMode", "mode: string"),
    ("Mongo.forceReadMode", "mode: string"),
    ("Mongo.find", "ns: string, query: document|string|function?, fields: document?"),
    ("Mongo.insert", "ns: string, docs: document|array?, options: document|number?"),
    ("Mongo.update", "ns: string, query: document?, update: document|array?, upsert: boolean|number|document?, multi: boolean|number?"),
    ("Mongo.remove", "ns: string, query: document|string|function?, justOne: boolean|number|document?"),
    ("Mongo.auth", "db: string|document, user: string?, password: string?"),
    ("Mongo.logout", "db: string?"),
    ("session.getDatabase", "name: string"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let p = parse("doc: document|array?, n: number ! legacy text").expect("parses");
        let three = parse("q: document|string|function").expect("parses");
        assert_eq!(three[0].expected(), "an object, a string or a function");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].name, "doc");
        assert_eq!(p[0].kinds, vec![Kind::Document, Kind::Array]);
        assert!(p[0].optional);
        assert_eq!(p[0].expected(), "an object or an array");
        assert_eq!(p[1].legacy, Some("legacy text"));
        assert!(!p[1].optional);
        assert_eq!(parse(""), Some(Vec::new()));
        assert_eq!(parse("x: nonsense"), None);
        assert_eq!(parse("x"), None);
    }

    /// Every db, collection and cursor helper of the table that takes arguments (by its
    /// signature) has a spec with a name for each of them, or checks in its own code.
    #[test]
    fn every_db_collection_and_cursor_helper_with_arguments_has_a_spec() {
        for (path, s) in ARG_SPECS {
            assert!(parse(s).is_some(), "{path}: malformed spec {s:?}");
            assert!(
                crate::helpers::find(path).is_some(),
                "{path}: not in the helper table"
            );
        }
        for h in crate::helpers::all() {
            let scoped = ["db.", "cursor."].iter().any(|p| h.path.starts_with(p));
            let args = h
                .signature
                .split_once('(')
                .map(|(_, rest)| rest.trim_end_matches(')').trim())
                .unwrap_or("");
            if !scoped || args.is_empty() || OWN_CHECKS.contains(&h.path) {
                continue;
            }
            let params = params(h.path).unwrap_or_else(|| panic!("{}: no argument spec", h.path));
            assert!(!params.is_empty(), "{}: takes arguments", h.path);
        }
    }
}
