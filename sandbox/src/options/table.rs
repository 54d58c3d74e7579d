//! The mongod options the sandbox knows: command-line spelling, the YAML path it maps to
//! (also its place in getCmdLineOpts `parsed`), its value type, and a warning when the sandbox
//! only accepts it for tutorial compatibility.

/// How an option's value is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Free text (`--dbpath /x`).
    Str,
    /// A whole number in `[min, max]`.
    Int { min: i64, max: i64 },
    /// A number (`--oplogSize 50`, `--wiredTigerCacheSizeGB 0.25`).
    Number,
    /// A switch without a value (`--fork`); `key=true|false` in old config files.
    Switch,
    /// A switch that stores a fixed string (`--auth` → `security.authorization: "enabled"`).
    Const(&'static str),
    /// Removed from mongod (in the version named); accepted with a warning, left out of `parsed`.
    Removed {
        since: &'static str,
        takes_value: bool,
    },
}

pub struct OptSpec {
    /// Command-line names without dashes; the first is the canonical one.
    pub cli: &'static [&'static str],
    /// YAML path, and key in `parsed` (empty for removed options).
    pub key: &'static str,
    pub kind: Kind,
    /// Shown as a startup warning when the option is used.
    pub note: Option<&'static str>,
    /// One line for `--help` (empty: not listed).
    pub help: &'static str,
}

const PORT: Kind = Kind::Int { min: 1, max: 65535 };
const ANY_INT: Kind = Kind::Int {
    min: i32::MIN as i64,
    max: i32::MAX as i64,
};
const IGNORED: Option<&str> = Some("accepted for compatibility and ignored by rsh-sandbox");
const NO_SHARDING: Option<&str> =
    Some("rsh-sandbox simulates replica sets only; sharding roles are ignored");

macro_rules! opt {
    ($cli:expr, $key:expr, $kind:expr, $note:expr, $help:expr) => {
        OptSpec {
            cli: $cli,
            key: $key,
            kind: $kind,
            note: $note,
            help: $help,
        }
    };
}

pub static OPTIONS: &[OptSpec] = &[
    opt!(&["port"], "net.port", PORT, None, "specify port number - 27017 by default"),
    opt!(&["bind_ip"], "net.bindIp", Kind::Str, None,
        "comma separated list of ip addresses to listen on - localhost by default"),
    opt!(&["bind_ip_all"], "net.bindIpAll", Kind::Switch, None, "bind to all ip addresses"),
    opt!(&["ipv6"], "net.ipv6", Kind::Switch, IGNORED, ""),
    opt!(&["maxConns"], "net.maxIncomingConnections", ANY_INT, IGNORED, ""),
    opt!(&["listenBacklog"], "net.listenBacklog", Kind::Int { min: 1, max: i32::MAX as i64 },
        None, "set socket listen backlog size - the system's somaxconn by default"),
    opt!(&["unixSocketPrefix"], "net.unixDomainSocket.pathPrefix", Kind::Str, IGNORED, ""),
    opt!(&["dbpath"], "storage.dbPath", Kind::Str, None,
        "directory for datafiles - defaults to /data/db"),
    opt!(&["repair"], "repair", Kind::Switch, None,
        "salvage what the checksums of --dbpath prove into a fresh snapshot, then exit"),
    opt!(&["directoryperdb"], "storage.directoryPerDB", Kind::Switch, IGNORED, ""),
    opt!(&["storageEngine"], "storage.engine", Kind::Str, IGNORED, ""),
    opt!(&["wiredTigerCacheSizeGB"], "storage.wiredTiger.engineConfig.cacheSizeGB", Kind::Number,
        IGNORED, ""),
    opt!(&["syncdelay"], "storage.syncPeriodSecs", Kind::Number, IGNORED, ""),
    opt!(&["logpath"], "systemLog.path", Kind::Str, None,
        "log file to send write to instead of stdout - has to be a file, not directory"),
    opt!(&["logappend"], "systemLog.logAppend", Kind::Switch, None,
        "append to logpath instead of over-writing"),
    opt!(&["syslog"], "systemLog.destination", Kind::Const("syslog"),
        Some("rsh-sandbox cannot log to syslog; the log goes to stdout"), ""),
    opt!(&["quiet"], "systemLog.quiet", Kind::Switch, None, "quieter output"),
    opt!(&["timeZoneInfo"], "processManagement.timeZoneInfo", Kind::Str, IGNORED, ""),
    opt!(&["fork"], "processManagement.fork", Kind::Switch,
        Some("rsh-sandbox does not fork: it stays in the foreground (start it with & to background it)"),
        ""),
    opt!(&["pidfilepath"], "processManagement.pidFilePath", Kind::Str, IGNORED, ""),
    opt!(&["replSet"], "replication.replSet", Kind::Str, None,
        "arg is <setname>[/<optionalseedhostlist>]"),
    opt!(&["oplogSize"], "replication.oplogSizeMB", Kind::Number, None,
        "size to use (in MB) for replication op log"),
    opt!(&["enableMajorityReadConcern"], "replication.enableMajorityReadConcern", Kind::Str, IGNORED,
        ""),
    opt!(&["auth"], "security.authorization", Kind::Const("enabled"), None,
        "run with security (users must authenticate)"),
    opt!(&["noauth"], "security.authorization", Kind::Const("disabled"), None, ""),
    opt!(&["keyFile"], "security.keyFile", Kind::Str, None,
        "private key for cluster authentication (implies --auth)"),
    opt!(&["tlsMode"], "net.tls.mode", Kind::Str, None,
        "set the TLS operation mode (disabled|allowTLS|preferTLS|requireTLS)"),
    opt!(&["tlsCertificateKeyFile"], "net.tls.certificateKeyFile", Kind::Str, None,
        "certificate and key file (PEM) for TLS"),
    opt!(&["tlsCAFile"], "net.tls.CAFile", Kind::Str, None,
        "certificate authority file (PEM) for TLS"),
    opt!(&["tlsAllowConnectionsWithoutCertificates"],
        "net.tls.allowConnectionsWithoutCertificates", Kind::Switch, None,
        "allow clients without a certificate to connect"),
    opt!(&["shardsvr"], "sharding.clusterRole", Kind::Const("shardsvr"), NO_SHARDING, ""),
    opt!(&["configsvr"], "sharding.clusterRole", Kind::Const("configsvr"), NO_SHARDING, ""),
    opt!(&["slowms"], "operationProfiling.slowOpThresholdMs", ANY_INT, IGNORED, ""),
    opt!(&["profile"], "operationProfiling.mode", ANY_INT, IGNORED, ""),
    // Options that tutorials still pass but mongod 7.0 no longer has.
    opt!(&["rest"], "", Kind::Removed { since: "3.6", takes_value: false }, None, ""),
    opt!(&["httpinterface"], "", Kind::Removed { since: "3.6", takes_value: false }, None, ""),
    opt!(&["nohttpinterface"], "", Kind::Removed { since: "3.6", takes_value: false }, None, ""),
    opt!(&["jsonp"], "", Kind::Removed { since: "3.6", takes_value: false }, None, ""),
    opt!(&["master"], "", Kind::Removed { since: "4.0", takes_value: false }, None, ""),
    opt!(&["slave"], "", Kind::Removed { since: "4.0", takes_value: false }, None, ""),
    opt!(&["source"], "", Kind::Removed { since: "4.0", takes_value: true }, None, ""),
    opt!(&["only"], "", Kind::Removed { since: "4.0", takes_value: true }, None, ""),
    opt!(&["smallfiles"], "", Kind::Removed { since: "4.2", takes_value: false }, None, ""),
    opt!(&["noprealloc"], "", Kind::Removed { since: "4.2", takes_value: false }, None, ""),
    opt!(&["nssize"], "", Kind::Removed { since: "4.2", takes_value: true }, None, ""),
    opt!(&["journal"], "", Kind::Removed { since: "6.1", takes_value: false }, None, ""),
    opt!(&["nojournal"], "", Kind::Removed { since: "6.1", takes_value: false }, None, ""),
];

/// YAML-only settings (no command-line spelling) that the sandbox accepts.
pub static YAML_ONLY: &[(&str, Kind, Option<&str>)] = &[
    ("replication.replSetName", Kind::Str, None),
    ("systemLog.destination", Kind::Str, None),
    ("systemLog.verbosity", ANY_INT, None),
    ("systemLog.timeStampFormat", Kind::Str, IGNORED),
    ("systemLog.logRotate", Kind::Str, IGNORED),
    ("net.compression.compressors", Kind::Str, IGNORED),
    ("net.unixDomainSocket.enabled", Kind::Switch, IGNORED),
    (
        "storage.journal.enabled",
        Kind::Switch,
        Some("journaling is always on since MongoDB 6.1"),
    ),
    ("storage.journal.commitIntervalMs", ANY_INT, IGNORED),
    ("security.authorization", Kind::Str, None),
];

/// YAML sections whose every sub-key is accepted as is (tuning knobs the sandbox ignores).
pub static YAML_OPEN_PREFIXES: &[&str] = &[
    "setParameter.",
    "storage.wiredTiger.",
    "systemLog.component.",
    "operationProfiling.",
    "security.",
    "auditLog.",
    "sharding.",
];

pub fn by_cli_name(name: &str) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| o.cli.contains(&name))
}

pub fn by_key(key: &str) -> Option<&'static OptSpec> {
    OPTIONS.iter().find(|o| !o.key.is_empty() && o.key == key)
}

/// The warning printed when a removed option is used.
pub fn removed_warning(name: &str, since: &str) -> String {
    format!("Option '{name}' was removed in MongoDB {since}; rsh-sandbox accepts and ignores it")
}
