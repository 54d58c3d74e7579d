//! The `rsh-sandbox` command line, spelled like mongod's: options, `-f/--config` files in YAML or
//! the old `key=value` form (command line wins over the file), getCmdLineOpts' `argv`/`parsed`,
//! `--help`, `--version`, and the `cluster` subcommand.
//!
//! Choices: options mongod 7.0 no longer has but tutorials still pass (`--rest`, `--smallfiles`,
//! `--nojournal`, `--master`, …) are accepted with a startup warning; options the sandbox does not
//! simulate (`--fork`, `--ipv6`, …) are accepted with a warning too; anything else is rejected with
//! mongod's message. A missing `--dbpath` directory is refused like mongod does ([`check_dbpath`]):
//! creating it silently would hide a typo, and the message says how to fix it.

mod cluster_args;
mod cmdline;
mod config_file;
mod table;
pub mod tls;
mod values;

use std::path::{Path, PathBuf};

use bson::{Bson, Document};

pub use cluster_args::{ClusterArgs, CLUSTER_HELP};
pub use tls::{TlsMode, TlsOptions};
use values::{as_f64, Raw};

/// The server version the sandbox claims (buildInfo, `--version`); matches maxWireVersion 21.
pub const SERVER_VERSION: &str = "7.0.14";

/// What the process was asked to do.
#[derive(Debug, Clone)]
pub enum Invocation {
    Node(Box<Options>),
    Cluster(ClusterArgs),
    /// Print this text and exit 0.
    Help(String),
    /// Print [`version_text`] and exit 0.
    Version,
}

/// One member's settings, after the config file and the command line are merged.
#[derive(Debug, Clone)]
pub struct Options {
    pub port: u16,
    /// As given (`--bind_ip a,b` → ["a", "b"]); ["0.0.0.0"] with `--bind_ip_all`.
    pub bind_ip: Vec<String>,
    pub bind_ip_all: bool,
    pub dbpath: PathBuf,
    /// The set name of `--replSet name[/seed,…]` or `replication.replSetName`.
    pub repl_set: Option<String>,
    /// Seed hosts of the old `--replSet name/h1:p1,h2:p2` form, as written.
    pub seeds: Vec<String>,
    pub logpath: Option<PathBuf>,
    pub log_append: bool,
    pub oplog_size_mb: Option<f64>,
    /// `--setParameter name=value` and the YAML `setParameter` section, as given.
    pub set_parameters: Document,
    /// The whole command line, program name first (getCmdLineOpts `argv`).
    pub argv: Vec<String>,
    /// getCmdLineOpts `parsed`: every setting given, nested by YAML path, keys sorted like mongod.
    pub parsed: Document,
    /// Startup warnings to log (ignored or removed options).
    pub warnings: Vec<String>,
    /// `--auth` / `security.authorization: enabled`.
    pub authorization: bool,
    /// `--keyFile` / `security.keyFile` (read and checked at startup; implies authorization).
    pub key_file: Option<PathBuf>,
    /// `--tlsMode` and its files (`net.tls.*`).
    pub tls: TlsOptions,
    /// `--listenBacklog` / `net.listenBacklog`; the system's somaxconn when absent.
    pub listen_backlog: Option<u32>,
    /// `--repair`: salvage the dbpath and exit.
    pub repair: bool,
}

impl Options {
    /// The host string a default config uses for this node (`me` of replSetInitiate with no config):
    /// the first non-loopback bind address as given, else the first bind address, else (bound to
    /// all) the OS host name; with the port.
    pub fn default_me(&self) -> String {
        let is_loopback = |h: &str| h == "localhost" || h.starts_with("127.") || h == "::1";
        let host = if self.bind_ip_all {
            None
        } else {
            self.bind_ip
                .iter()
                .find(|h| !is_loopback(h) && *h != "0.0.0.0")
                .or_else(|| self.bind_ip.first().filter(|h| *h != "0.0.0.0"))
                .cloned()
        };
        format!("{}:{}", host.unwrap_or_else(os_hostname), self.port)
    }

    /// A setParameter value as text (`"true"` for a YAML `true`).
    pub fn set_parameter(&self, name: &str) -> Option<String> {
        self.set_parameters.get(name).map(|v| match v {
            Bson::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// `enableTestCommands=1` (or `true`): configureFailPoint exists, as on mongod.
    pub fn test_commands_enabled(&self) -> bool {
        self.set_parameter("enableTestCommands")
            .is_some_and(|v| v == "true" || v == "1")
    }

    /// `allowMultipleArbiters=true` given with `--setParameter` (rsconfig's arbiter rule).
    pub fn allow_multiple_arbiters(&self) -> bool {
        self.set_parameter("allowMultipleArbiters")
            .is_some_and(|v| v == "true" || v == "1")
    }
}

fn os_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Parses the whole argv (program name first). Errors are mongod's one-line messages.
pub fn parse(argv: &[String]) -> Result<Invocation, String> {
    let args = argv.get(1..).unwrap_or_default();
    if args.first().map(String::as_str) == Some("cluster") {
        return Ok(match cluster_args::parse(&args[1..])? {
            Some(c) => Invocation::Cluster(c),
            None => Invocation::Help(CLUSTER_HELP.to_string()),
        });
    }
    let cli = cmdline::parse(args)?;
    if cli.help {
        return Ok(Invocation::Help(help_text()));
    }
    if cli.version {
        return Ok(Invocation::Version);
    }
    let file = match &cli.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("Error reading config file: {path}: {}", io_reason(&e)))?;
            config_file::parse(&text)?
        }
        None => Raw::default(),
    };
    resolve(argv, file, cli)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

/// Merges file and command line (the command line wins) and derives the typed settings.
fn resolve(argv: &[String], file: Raw, cli: Raw) -> Result<Invocation, String> {
    let mut settings = file.settings;
    settings.extend(cli.settings);
    let mut warnings = file.warnings;
    warnings.extend(cli.warnings);

    let text = |k: &str| match settings.get(k) {
        Some(Bson::String(s)) => Some(s.clone()),
        _ => None,
    };
    let flag = |k: &str| matches!(settings.get(k), Some(Bson::Boolean(true)));

    let port = match settings.get("net.port") {
        Some(Bson::Int32(p)) => {
            u16::try_from(*p).map_err(|_| format!("Bad value for net.port: {p}"))?
        }
        _ => 27017,
    };
    let bind_ip_all = flag("net.bindIpAll");
    if bind_ip_all && settings.contains_key("net.bindIp") {
        return Err(
            "Error parsing command line: net.bindIp and net.bindIpAll are mutually exclusive"
                .to_string(),
        );
    }
    let bind_ip = if bind_ip_all {
        vec!["0.0.0.0".to_string()]
    } else {
        match text("net.bindIp") {
            Some(list) => {
                let ips: Vec<String> = list
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if ips.is_empty() {
                    return Err(format!("Bad value for net.bindIp: '{list}'"));
                }
                ips
            }
            None => vec!["127.0.0.1".to_string()],
        }
    };
    let dbpath = PathBuf::from(text("storage.dbPath").unwrap_or_else(|| "/data/db".into()));

    let (repl_set, seeds) =
        match text("replication.replSet").or_else(|| text("replication.replSetName")) {
            Some(spec) => {
                let (name, seed_list) = spec.split_once('/').unwrap_or((spec.as_str(), ""));
                if name.is_empty() {
                    return Err(format!(
                        "bad --replSet command line config string - missing set name: {spec}"
                    ));
                }
                let seeds: Vec<String> = seed_list
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                (Some(name.to_string()), seeds)
            }
            None => (None, Vec::new()),
        };

    let logpath = match text("systemLog.destination").as_deref() {
        Some("file") => match text("systemLog.path") {
            Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
            _ => {
                return Err(
                    "systemLog.path is required if systemLog.destination is to a file".into(),
                )
            }
        },
        Some("syslog") => None,
        Some(other) => {
            return Err(format!(
                "Bad value for systemLog.destination: {other}; it must be \"file\" or \"syslog\""
            ))
        }
        None => {
            if settings.contains_key("systemLog.path") {
                warnings.push("systemLog.path is ignored without systemLog.destination: file; logging to stdout".into());
            }
            None
        }
    };

    let oplog_size_mb = match settings.get("replication.oplogSizeMB") {
        Some(v) => match as_f64(v) {
            Some(mb) if mb > 0.0 => Some(mb),
            _ => {
                return Err(format!(
                    "bad --oplogSize, arg must be greater than 0,found: {v}"
                ))
            }
        },
        None => None,
    };

    let authorization = match text("security.authorization").as_deref() {
        Some("enabled") => true,
        Some("disabled") | None => false,
        Some(other) => {
            return Err(format!(
            "Bad value for security.authorization: {other}; it must be \"enabled\" or \"disabled\""
        ))
        }
    };
    let key_file = text("security.keyFile").map(PathBuf::from);
    // Members could not authenticate to each other; mongod refuses this at startup.
    if authorization && repl_set.is_some() && key_file.is_none() {
        return Err(
            "BadValue: security.keyFile is required when authorization is enabled with replica sets"
                .into(),
        );
    }

    let tls = tls::from_settings(&settings)?;

    let mut set_parameters = Document::new();
    for (k, v) in &settings {
        if let Some(name) = k.strip_prefix("setParameter.") {
            set_parameters.insert(name, v.clone());
        }
    }

    let mut parsed = Document::new();
    if let Some(c) = &cli.config {
        parsed.insert("config", c.clone());
    }
    for (k, v) in &settings {
        insert_path(&mut parsed, k, v.clone());
    }

    Ok(Invocation::Node(Box::new(Options {
        port,
        bind_ip,
        bind_ip_all,
        dbpath,
        repl_set,
        seeds,
        logpath,
        log_append: flag("systemLog.logAppend"),
        oplog_size_mb,
        set_parameters,
        argv: argv.to_vec(),
        parsed,
        warnings,
        authorization,
        key_file,
        tls,
        listen_backlog: match settings.get("net.listenBacklog") {
            Some(Bson::Int32(n)) => u32::try_from(*n).ok(),
            _ => None,
        },
        repair: flag("repair"),
    })))
}

/// Inserts `a.b.c = v` as nested documents. Keys arrive sorted, so sub-documents stay sorted.
fn insert_path(doc: &mut Document, path: &str, v: Bson) {
    match path.split_once('.') {
        None => {
            doc.insert(path, v);
        }
        Some((head, rest)) => {
            if !matches!(doc.get(head), Some(Bson::Document(_))) {
                doc.insert(head, Document::new());
            }
            if let Some(Bson::Document(sub)) = doc.get_mut(head) {
                insert_path(sub, rest, v);
            }
        }
    }
}

/// mongod refuses to start without its data directory; so does the sandbox.
pub fn check_dbpath(dbpath: &Path) -> Result<(), String> {
    if dbpath.is_dir() {
        return Ok(());
    }
    Err(format!(
        "Data directory {} not found. Create the missing directory or specify another path using \
         (1) the --dbpath command line option, or (2) by adding the 'storage.dbPath' option in the \
         configuration file.",
        dbpath.display()
    ))
}

/// `rsh-sandbox --version`, shaped like `mongod --version`.
pub fn version_text() -> String {
    format!(
        "db version v{SERVER_VERSION}\nBuild Info: {{\n    \"version\": \"{SERVER_VERSION}\",\n    \
         \"gitVersion\": \"0000000000000000000000000000000000000000\",\n    \"modules\": [],\n    \
         \"allocator\": \"system\",\n    \"environment\": {{\n        \"distarch\": \"{}\",\n        \
         \"target_arch\": \"{}\"\n    }}\n}}\n(rsh-sandbox: a replica-set simulator, not a real mongod)\n",
        std::env::consts::ARCH,
        std::env::consts::ARCH
    )
}

/// `rsh-sandbox --help`: the options the sandbox understands, in mongod's layout.
pub fn help_text() -> String {
    let mut out = String::from(
        "Usage: rsh-sandbox [options]\n       rsh-sandbox cluster [options]   (see rsh-sandbox cluster --help)\n\n\
         A MongoDB replica-set member simulator, started like mongod.\n\nOptions:\n\
         \x20 -h [ --help ]                  Show this usage information\n\
         \x20 --version                      Show version information\n\
         \x20 -f [ --config ] arg            Configuration file specifying additional options\n\
         \x20 -v [ --verbose ] [=arg(=v)]    Be more verbose (include multiple times for more verbosity e.g. -vvvvv)\n\
         \x20 --setParameter arg             Set a configurable parameter\n",
    );
    for o in table::OPTIONS.iter().filter(|o| !o.help.is_empty()) {
        let takes = !matches!(o.kind, table::Kind::Switch | table::Kind::Const(_));
        let left = format!("--{}{}", o.cli[0], if takes { " arg" } else { "" });
        out.push_str(&format!("  {left:<31}{}\n", o.help));
    }
    out.push_str(
        "\nAlso accepted with a warning: --fork, --ipv6 and other mongod options the\n\
         sandbox does not simulate, and options removed from mongod (--rest, --smallfiles, --nojournal, ...).\n",
    );
    out
}

#[cfg(test)]
mod tests;
