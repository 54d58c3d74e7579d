//! The one table of shell helpers: name, signature, one-line help. Help text, tab completion
//! and "did you mean" all read it. Rows exist only for what is implemented.

/// One shell helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Helper {
    /// Dotted path as typed: `"rs.status"`, `"print"`.
    pub path: &'static str,
    /// Call form shown in help: `"rs.status()"`.
    pub signature: &'static str,
    /// One-line description.
    pub help: &'static str,
    /// `Some(replacement advice)` when deprecated.
    pub deprecated: Option<&'static str>,
}

pub mod arg_specs;
mod legacy;

pub use legacy::{Unsupported, LEGACY, UNSUPPORTED};

impl Helper {
    /// The argument spec of this helper (see [`arg_specs`]), when it has one.
    pub fn args(&self) -> Option<&'static str> {
        arg_specs::spec(self.path)
    }
}

/// Every row of the table: the core helpers, then the rest of the legacy 4.4 API.
pub fn all() -> impl Iterator<Item = &'static Helper> {
    HELPERS.iter().chain(LEGACY.iter())
}

/// The unsupported legacy name with exactly this path.
pub fn unsupported(path: &str) -> Option<&'static Unsupported> {
    UNSUPPORTED.iter().find(|u| u.path == path)
}

const fn h(path: &'static str, signature: &'static str, help: &'static str) -> Helper {
    Helper {
        path,
        signature,
        help,
        deprecated: None,
    }
}

/// Every helper the shell provides, grouped, in help order.
pub static HELPERS: &[Helper] = &[
    h(
        "print",
        "print(a, b, ...)",
        "print the arguments separated by spaces",
    ),
    h(
        "printjson",
        "printjson(x)",
        "print x as legacy JSON (pretty, one line when short)",
    ),
    h(
        "printjsononeline",
        "printjsononeline(x)",
        "print x as legacy JSON on one line",
    ),
    h(
        "tojson",
        "tojson(x[, indent, nolint])",
        "x as legacy JSON text",
    ),
    h(
        "tojsononeline",
        "tojsononeline(x)",
        "x as legacy JSON text on one line",
    ),
    h(
        "load",
        "load(file, ...)",
        "run JavaScript files in the global scope",
    ),
    h(
        "sleep",
        "sleep(ms)",
        "pause for ms milliseconds (Ctrl-C interrupts)",
    ),
    h("quit", "quit([code])", "leave the shell with an exit code"),
    h("exit", "exit([code])", "leave the shell with an exit code"),
    h("cat", "cat(path)", "the contents of a file as a string"),
    h("ls", "ls([dir])", "list a directory"),
    h(
        "listFiles",
        "listFiles([dir])",
        "list a directory as {name, baseName, isDirectory, size}",
    ),
    h("pwd", "pwd()", "the current directory"),
    h("cd", "cd(dir)", "change the current directory"),
    h("hostname", "hostname()", "the host name of this machine"),
    h(
        "getHostName",
        "getHostName()",
        "the host name of this machine",
    ),
    h("version", "version()", "the shell version"),
    h("help", "help()", "show help"),
    h("ObjectId", "ObjectId([hex])", "a new or given ObjectId"),
    h(
        "ISODate",
        "ISODate([string])",
        "a Date from an ISO-8601 string (now without one)",
    ),
    h("Timestamp", "Timestamp(t, i)", "a BSON timestamp"),
    h("NumberLong", "NumberLong(n or \"n\")", "a 64-bit integer"),
    h("NumberInt", "NumberInt(n)", "a 32-bit integer"),
    h("NumberDecimal", "NumberDecimal(\"n\")", "a 128-bit decimal"),
    h("BinData", "BinData(subtype, base64)", "binary data"),
    h("HexData", "HexData(subtype, hex)", "binary data from hex"),
    h("UUID", "UUID([hex])", "a UUID (binary subtype 4)"),
    h("MD5", "MD5(hex)", "an MD5 digest (binary subtype 5)"),
    h("DBRef", "DBRef(ns, id[, db])", "a database reference"),
    h("MinKey", "MinKey", "the BSON MinKey value"),
    h("MaxKey", "MaxKey", "the BSON MaxKey value"),
    // Connection layer.
    h(
        "Mongo",
        "new Mongo([host])",
        "open a connection (host:port, set/h1,h2 or a mongodb:// URI)",
    ),
    h(
        "connect",
        "connect(\"host[:port]/db\")",
        "open a connection and return its database",
    ),
    h(
        "rs.status",
        "rs.status()",
        "{ replSetGetStatus : 1 } checks repl set status",
    ),
    h(
        "rs.initiate",
        "rs.initiate([cfg, {dryRun, preflight}])",
        "initiate the set (with cfg, or the server's default config); checked first",
    ),
    h(
        "rs.conf",
        "rs.conf()",
        "the current replica set configuration",
    ),
    h(
        "rs.config",
        "rs.config()",
        "the current replica set configuration",
    ),
    h(
        "rs.reconfig",
        "rs.reconfig(cfg[, {force, dryRun, preflight}])",
        "install cfg as the new configuration (version bumped)",
    ),
    h(
        "rs.reconfigForPSASet",
        "rs.reconfigForPSASet(memberIndex, cfg)",
        "give a PSA member its vote, then its priority",
    ),
    h(
        "rs.add",
        "rs.add(hostport or memberDoc[, arbiterOnly][, {dryRun, preflight}])",
        "add a member",
    ),
    h(
        "rs.addArb",
        "rs.addArb(hostport[, {dryRun, preflight}])",
        "add an arbiter",
    ),
    h(
        "rs.remove",
        "rs.remove(hostport[, {dryRun, preflight}])",
        "remove a member",
    ),
    h(
        "rs.stepDown",
        "rs.stepDown([stepdownSecs, catchUpSecs])",
        "step down as primary",
    ),
    h(
        "rs.freeze",
        "rs.freeze(secs)",
        "make a member ineligible to become primary for secs",
    ),
    h(
        "rs.syncFrom",
        "rs.syncFrom(hostport)",
        "make a secondary sync from the given member",
    ),
    h(
        "rs.secondaryOk",
        "rs.secondaryOk()",
        "allow queries on secondary members",
    ),
    h("rs.isMaster", "rs.isMaster()", "check who is primary"),
    h("rs.hello", "rs.hello()", "check who is primary"),
    h(
        "rs.printReplicationInfo",
        "rs.printReplicationInfo()",
        "check oplog size and time range",
    ),
    h(
        "rs.printSecondaryReplicationInfo",
        "rs.printSecondaryReplicationInfo()",
        "check replica set members and replication lag",
    ),
    h(
        "rs.printStatus",
        "rs.printStatus()",
        "one row per member: state, health, lag, heartbeat, priority/votes, flags",
    ),
    h(
        "rs.waitForPrimary",
        "rs.waitForPrimary([timeoutSecs])",
        "wait until the set has a primary; returns the status",
    ),
    h(
        "rs.waitForMember",
        "rs.waitForMember(host, state[, timeoutSecs])",
        "wait until a member reaches a state (\"SECONDARY\", 2, ...)",
    ),
    h(
        "rs.waitForCaughtUp",
        "rs.waitForCaughtUp([maxLagSecs, timeoutSecs])",
        "wait until every secondary is within maxLagSecs of the primary",
    ),
    h(
        "rs.doctor",
        "rs.doctor()",
        "check a running set: OK/WARN/FAIL lines with the fix",
    ),
    h("rs.help", "rs.help()", "replica set helpers"),
    h(
        "db.runCommand",
        "db.runCommand(cmd)",
        "run a command on this database (a string becomes {cmd: 1})",
    ),
    h(
        "db.adminCommand",
        "db.adminCommand(cmd)",
        "run a command on the admin database",
    ),
    h(
        "db.getSiblingDB",
        "db.getSiblingDB(name)",
        "another database on the same connection",
    ),
    h("db.getMongo", "db.getMongo()", "the connection"),
    h("db.getName", "db.getName()", "this database's name"),
    h(
        "db.getCollection",
        "db.getCollection(name)",
        "a collection (same as db.name)",
    ),
    h(
        "db.getCollectionNames",
        "db.getCollectionNames()",
        "names of the collections",
    ),
    h(
        "db.getCollectionInfos",
        "db.getCollectionInfos([filter])",
        "names and options of the collections",
    ),
    h(
        "db.createCollection",
        "db.createCollection(name[, options])",
        "create a collection",
    ),
    h("db.dropDatabase", "db.dropDatabase()", "drop this database"),
    h("db.serverStatus", "db.serverStatus()", "server status"),
    h(
        "db.serverCmdLineOpts",
        "db.serverCmdLineOpts()",
        "the server's parsed command line",
    ),
    h(
        "db.hostInfo",
        "db.hostInfo()",
        "details about the server's host",
    ),
    h("db.version", "db.version()", "the server version"),
    h(
        "db.watch",
        "db.watch([pipeline[, options]])",
        "print changes to this database as they happen (Ctrl-C stops)",
    ),
    h("db.stats", "db.stats([scale])", "database statistics"),
    h(
        "db.currentOp",
        "db.currentOp([true])",
        "operations in progress",
    ),
    h("db.killOp", "db.killOp(opid)", "kill an operation"),
    h(
        "db.createUser",
        "db.createUser(userDocument)",
        "create a user",
    ),
    h("db.dropUser", "db.dropUser(name)", "drop a user"),
    h("db.auth", "db.auth(user, password)", "authenticate (SCRAM)"),
    h("db.logout", "db.logout()", "forget the credentials"),
    h(
        "db.shutdownServer",
        "db.shutdownServer()",
        "shut the server down (admin database)",
    ),
    h(
        "db.fsyncLock",
        "db.fsyncLock()",
        "flush and lock the server for backups",
    ),
    h(
        "db.fsyncUnlock",
        "db.fsyncUnlock()",
        "unlock after db.fsyncLock()",
    ),
    h("db.isMaster", "db.isMaster()", "check who is primary"),
    h("db.hello", "db.hello()", "check who is primary"),
    h(
        "db.getReplicationInfo",
        "db.getReplicationInfo()",
        "oplog size and time range as a document",
    ),
    h(
        "db.printReplicationInfo",
        "db.printReplicationInfo()",
        "check oplog size and time range",
    ),
    h(
        "db.printSecondaryReplicationInfo",
        "db.printSecondaryReplicationInfo()",
        "check replica set members and replication lag",
    ),
    h("db.help", "db.help()", "database helpers"),
    Helper {
        path: "rs.slaveOk",
        signature: "rs.slaveOk()",
        help: "allow queries on secondary members",
        deprecated: Some("use rs.secondaryOk()"),
    },
    Helper {
        path: "rs.printSlaveReplicationInfo",
        signature: "rs.printSlaveReplicationInfo()",
        help: "check replica set members and replication lag",
        deprecated: Some("use rs.printSecondaryReplicationInfo()"),
    },
    Helper {
        path: "db.printSlaveReplicationInfo",
        signature: "db.printSlaveReplicationInfo()",
        help: "check replica set members and replication lag",
        deprecated: Some("use db.printSecondaryReplicationInfo()"),
    },
];

/// The helper whose path is closest to `name` (see [`suggestions`]), for "Did you mean …?".
pub fn did_you_mean(name: &str) -> Option<&'static str> {
    suggestions(name).into_iter().next()
}

/// Every helper path at the smallest distance from `name` (edit distance with transpositions,
/// ignoring case, at most a third of its length and at most 3), those `name` is a prefix of
/// first. A mistyped `set`/`get` in front of the last part counts as one edit
/// (`rs.setSalveOk` → `rs.slaveOk`). An exact match is not a suggestion.
pub fn suggestions(name: &str) -> Vec<&'static str> {
    if name.is_empty() {
        return Vec::new();
    }
    // Short names get no suggestion: `rs` is not a typo of `ls`.
    let limit = (name.chars().count() / 3).min(3);
    if limit == 0 {
        return Vec::new();
    }
    let lower = name.to_lowercase();
    let stripped = strip_accessor_prefix(&lower);
    let mut best: Vec<(usize, &'static str)> = Vec::new();
    for helper in all() {
        let path = helper.path.to_lowercase();
        if path == name {
            return Vec::new();
        }
        // Compare like with like: "rs.stats" against full paths, "prnt" against the last part too.
        let last = path.rsplit('.').next().unwrap_or(&path);
        let mut d = distance(&lower, &path);
        if !name.contains('.') {
            d = d.min(distance(&lower, last) + usize::from(last != path));
        }
        if let Some(s) = &stripped {
            d = d.min(distance(s, &path) + 1);
        }
        if d <= limit {
            best.push((d, helper.path));
        }
    }
    let Some(min) = best.iter().map(|(d, _)| *d).min() else {
        return Vec::new();
    };
    let mut out: Vec<&'static str> = best
        .into_iter()
        .filter(|(d, _)| *d == min)
        .map(|(_, p)| p)
        .collect();
    out.sort_by_key(|p| !p.to_lowercase().starts_with(&lower));
    out
}

/// `rs.setsalveok` → `rs.salveok`: the last part without a leading `set`/`get`.
fn strip_accessor_prefix(lower: &str) -> Option<String> {
    let (head, last) = match lower.rsplit_once('.') {
        Some((h, l)) => (format!("{h}."), l),
        None => (String::new(), lower),
    };
    let rest = last
        .strip_prefix("set")
        .or_else(|| last.strip_prefix("get"))?;
    (!rest.is_empty()).then(|| format!("{head}{rest}"))
}

/// The line printed after an error about an unknown `name`: `Did you mean a or b?`, with a
/// deprecated helper replaced by its successor and named as deprecated.
pub fn suggestion_line(name: &str) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for path in suggestions(name) {
        let shown = match find(path).and_then(|h| h.deprecated) {
            Some(advice) => {
                notes.push(format!("{path} is deprecated"));
                replacement(advice).unwrap_or(path).to_string()
            }
            None => path.to_string(),
        };
        if !names.contains(&shown) {
            names.push(shown);
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut line = format!("Did you mean {}?", names.join(" or "));
    if !notes.is_empty() {
        line.push_str(&format!(" ({})", notes.join(", ")));
    }
    Some(line)
}

/// `"use rs.secondaryOk()"` → `rs.secondaryOk`.
fn replacement(advice: &'static str) -> Option<&'static str> {
    let rest = advice.strip_prefix("use ")?;
    Some(rest.split('(').next().unwrap_or(rest))
}

/// Edit distance over characters, a swap of two neighbours counting as one edit.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The helper with exactly this path.
pub fn find(path: &str) -> Option<&'static Helper> {
    all().find(|h| h.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("prnt"), Some("print"));
        assert_eq!(did_you_mean("printjsn"), Some("printjson"));
        assert_eq!(did_you_mean("print"), None);
        assert_eq!(did_you_mean("zzzzzzzz"), None);
        assert_eq!(did_you_mean("rs"), None);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("salve", "slave"), 1);
    }

    #[test]
    fn tutorial_typos() {
        assert_eq!(
            suggestion_line("re.initiate").as_deref(),
            Some("Did you mean rs.initiate?")
        );
        assert_eq!(
            suggestion_line("rs.reconf").as_deref(),
            Some("Did you mean rs.reconfig or rs.conf?")
        );
        assert_eq!(
            suggestion_line("rs.setSalveOk").as_deref(),
            Some("Did you mean rs.secondaryOk? (rs.slaveOk is deprecated)")
        );
        assert_eq!(suggestion_line("rs.status"), None);
        assert_eq!(suggestion_line("zzzzzzzzzz"), None);
    }

    #[test]
    fn paths_are_unique() {
        let paths: Vec<&str> = all()
            .map(|h| h.path)
            .chain(UNSUPPORTED.iter().map(|u| u.path))
            .collect();
        for (i, a) in paths.iter().enumerate() {
            assert!(!paths[i + 1..].contains(a), "{a}");
        }
    }
}
