//! The connection layer's one error type, shown to the user as one line, and the mapping from
//! the driver's errors. Server `ok: 0` replies are not errors for `run_command` (the legacy shell
//! prints them as documents); `reply_of` rebuilds that document from a driver error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use mongodb::bson::{doc, Document};
use mongodb::error::{Error as DriverError, ErrorKind};

use super::topology::{Failure, Heard};
use crate::format::first_line;

/// Codes meaning "this node is not (or no longer) the primary" or "it is going away".
const NOT_PRIMARY_CODES: &[i32] = &[10107, 13435, 10058, 11600, 11602, 13436, 189, 91];

#[derive(Clone, Debug, PartialEq)]
pub enum ConnError {
    /// The server answered `ok: 0` where a value was needed (cursor open, auth); the reply.
    Server(Document),
    /// A replica-set connection lost its primary while the command was in flight.
    PrimaryChanged {
        command: String,
    },
    /// The connection broke during the command (direct connection or no failover possible).
    Network {
        command: String,
        detail: String,
    },
    /// No suitable server could be selected in time.
    NoServer(String),
    Auth(String),
    /// Ctrl-C while waiting for the server.
    Interrupted,
    /// Bad arguments from the user (read preference mode, host string…).
    Usage(String),
    Other(String),
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Server(reply) => {
                let msg = reply.get_str("errmsg").unwrap_or("command failed");
                match reply.get_str("codeName") {
                    Ok(name) => write!(f, "{msg} ({name})"),
                    Err(_) => write!(f, "{msg}"),
                }
            }
            ConnError::PrimaryChanged { command } => write!(
                f,
                "the primary changed during the command '{command}'; it may not have run \
                 (the next command goes to the new primary)"
            ),
            ConnError::Network { command, detail } => {
                write!(
                    f,
                    "network error while attempting to run command '{command}': {detail}"
                )
            }
            ConnError::NoServer(m)
            | ConnError::Auth(m)
            | ConnError::Usage(m)
            | ConnError::Other(m) => {
                write!(f, "{m}")
            }
            ConnError::Interrupted => write!(f, "interrupted"),
        }
    }
}

impl std::error::Error for ConnError {}

/// What a driver error amounts to, independent of the driver's types (so it can be tested).
#[derive(Clone, Debug, PartialEq)]
pub enum ErrClass {
    /// An `ok: 0` reply (the full reply when the driver kept it).
    Command {
        code: i32,
        reply: Document,
    },
    Network(String),
    Selection(String),
    Auth(String),
    Other(String),
}

/// Context of the failed command, for the message.
#[derive(Clone, Debug)]
pub struct ErrCtx<'a> {
    pub command: &'a str,
    /// The connection discovers a replica set (not a direct connection).
    pub replica_set: bool,
    /// The command targeted the primary (a failover matters only then).
    pub to_primary: bool,
    pub selection_timeout_secs: f64,
    /// What is known about the hosts, to say why none could be used.
    pub facts: Facts,
}

/// What the driver's monitors (and, after a broken connection, a quick probe) know about the
/// hosts: the facts behind "wrong set name", "no member can be reached" and "no answer".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// The set name asked for (`replicaSet=` or `--host name/...`).
    pub expected_set: Option<String>,
    /// The seed list as `host:port`.
    pub seeds: Vec<String>,
    /// The monitors' last heartbeat outcome per host.
    pub heard: BTreeMap<String, Heard>,
    /// A connection attempt to every host just now (`None`: not probed); `None` inside means
    /// the host accepted the connection.
    pub probed: Option<BTreeMap<String, Option<Failure>>>,
}

impl Facts {
    /// Every host tried: the seeds and whatever the monitors discovered.
    pub fn hosts(&self) -> Vec<String> {
        let mut all: BTreeSet<String> = self.seeds.iter().cloned().collect();
        all.extend(self.heard.keys().cloned());
        if let Some(p) = &self.probed {
            all.extend(p.keys().cloned());
        }
        all.into_iter().collect()
    }

    /// When the hosts that answered all report another set name than the one asked for (and
    /// none reports it): `the members report replica set "rs0", not "rsX"`.
    pub fn set_mismatch(&self) -> Option<String> {
        let expected = self.expected_set.as_ref()?;
        let mut others = BTreeSet::new();
        for h in self.heard.values() {
            if let Heard::Answered { set_name } = h {
                match set_name {
                    Some(n) if n == expected => return None,
                    Some(n) => {
                        others.insert(format!("\"{n}\""));
                    }
                    None => {}
                }
            }
        }
        if others.is_empty() {
            return None;
        }
        let sets = if others.len() == 1 { "set" } else { "sets" };
        let names: Vec<String> = others.into_iter().collect();
        Some(format!(
            "the members report replica {sets} {}, not \"{expected}\"",
            names.join(", ")
        ))
    }

    /// The mismatch is certain at once: every seed has answered, none with the set asked for.
    pub fn set_mismatch_decided(&self) -> Option<String> {
        let all_answered = !self.seeds.is_empty()
            && self
                .seeds
                .iter()
                .all(|s| matches!(self.heard.get(s), Some(Heard::Answered { .. })));
        if all_answered {
            self.set_mismatch()
        } else {
            None
        }
    }

    /// At connect: every seed refused the connection or does not resolve (and no host
    /// answered), which no wait changes: `connection refused` for one seed, else `no member
    /// can be reached (tried a:1, b:1: connection refused)`.
    pub fn refused_decided(&self) -> Option<String> {
        if self.seeds.is_empty()
            || self
                .heard
                .values()
                .any(|h| matches!(h, Heard::Answered { .. }))
        {
            return None;
        }
        let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for seed in &self.seeds {
            match self.heard.get(seed) {
                Some(Heard::Failed(f @ (Failure::Refused | Failure::NameNotFound))) => {
                    by_reason.entry(f.phrase()).or_default().push(seed.clone());
                }
                _ => return None,
            }
        }
        if self.seeds.len() == 1 {
            return by_reason.into_keys().next();
        }
        let parts: Vec<String> = by_reason
            .into_iter()
            .map(|(reason, hosts)| format!("{}: {reason}", hosts.join(", ")))
            .collect();
        Some(format!(
            "no member can be reached (tried {})",
            parts.join("; ")
        ))
    }

    /// When no host can be reached: `tried a:1, b:1: connection refused` (hosts grouped by
    /// reason). A probe, when there was one, is the fresher fact.
    pub fn unreachable(&self) -> Option<String> {
        let hosts = self.hosts();
        if hosts.is_empty() {
            return None;
        }
        let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for host in hosts {
            let failure = match &self.probed {
                Some(p) => match p.get(&host) {
                    Some(Some(f)) => Some(f.clone()),
                    Some(None) => return None,
                    None => None,
                },
                None => match self.heard.get(&host) {
                    Some(Heard::Failed(f)) => Some(f.clone()),
                    Some(Heard::Answered { .. }) => return None,
                    None => None,
                },
            };
            let reason = failure.map_or_else(|| "not tried yet".to_string(), |f| f.phrase());
            by_reason.entry(reason).or_default().push(host);
        }
        if by_reason.keys().all(|r| r == "not tried yet") {
            return None;
        }
        let parts: Vec<String> = by_reason
            .into_iter()
            .map(|(reason, hosts)| format!("{}: {reason}", hosts.join(", ")))
            .collect();
        Some(format!("tried {}", parts.join("; ")))
    }

    /// For a set where some members answer: who answers (and is not what the command needs)
    /// and why the others do not, e.g. `a:1 answers but is not primary; b:1: connection
    /// refused`.
    fn partial(&self, to_primary: bool) -> Option<String> {
        let mut answering = Vec::new();
        let mut by_reason: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for host in self.hosts() {
            match self.heard.get(&host) {
                Some(Heard::Answered { .. }) => answering.push(host),
                Some(Heard::Failed(f)) => by_reason.entry(f.phrase()).or_default().push(host),
                None => {}
            }
        }
        if answering.is_empty() {
            return None;
        }
        let what = if to_primary {
            "not primary"
        } else {
            "not a match for the read preference"
        };
        let (verb, is) = if answering.len() == 1 {
            ("answers", "is")
        } else {
            ("answer", "are")
        };
        let mut parts = vec![format!("{} {verb} but {is} {what}", answering.join(", "))];
        parts.extend(
            by_reason
                .into_iter()
                .map(|(reason, hosts)| format!("{}: {reason}", hosts.join(", "))),
        );
        Some(parts.join("; "))
    }

    /// The one reason a single host gave, when the monitors have it.
    fn single_reason(&self) -> Option<String> {
        let hosts = self.hosts();
        match (hosts.as_slice(), self.unreachable()) {
            ([host], Some(_)) => match self.heard.get(host) {
                Some(Heard::Failed(f)) => Some(f.phrase()),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The driver's error text as one plain sentence: its first line without the `Kind: ` lead,
/// the kind's stock phrase and the `, labels: {…}, source: …` debug tail (kept for
/// `--verbose` only by not being printed at all here).
pub fn plain_error_text(text: &str) -> String {
    let mut t = first_line(text);
    for lead in ["Kind: ", "An invalid argument was provided: "] {
        while let Some(rest) = t.strip_prefix(lead) {
            t = rest;
        }
    }
    if let Some(at) = t.find(", labels: {") {
        t = &t[..at];
    }
    t.replace(": Kind: An invalid argument was provided: ", ": ")
        .replace(": Kind: ", ": ")
}

pub fn is_not_primary_code(code: i32) -> bool {
    NOT_PRIMARY_CODES.contains(&code)
}

/// `--verbose`: the driver's own error text goes to stderr too, for diagnosis.
static VERBOSE: AtomicBool = AtomicBool::new(false);

pub fn set_verbose(on: bool) {
    VERBOSE.store(on, Ordering::Relaxed);
}

pub fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Sort a driver error into an `ErrClass`.
pub fn classify(err: &DriverError) -> ErrClass {
    let class = classify_kind(err);
    // Server replies are shown as they are; only the driver's own failures have more to say.
    if VERBOSE.load(Ordering::Relaxed) && !matches!(class, ErrClass::Command { .. }) {
        eprintln!("driver error: {err}");
    }
    class
}

fn classify_kind(err: &DriverError) -> ErrClass {
    match err.kind.as_ref() {
        ErrorKind::Command(ce) => {
            let reply = reply_of(err).unwrap_or_else(|| {
                doc! {"ok": 0.0, "errmsg": ce.message.clone(), "code": ce.code, "codeName": ce.code_name.clone()}
            });
            ErrClass::Command {
                code: ce.code,
                reply,
            }
        }
        ErrorKind::Io(e) => ErrClass::Network(e.to_string()),
        ErrorKind::ConnectionPoolCleared { message, .. } => ErrClass::Network(message.clone()),
        ErrorKind::ServerSelection { message, .. } => ErrClass::Selection(message.clone()),
        ErrorKind::Authentication { message, .. } => ErrClass::Auth(message.clone()),
        ErrorKind::DnsResolve { message, .. } => ErrClass::Selection(message.clone()),
        _ => ErrClass::Other(plain_error_text(&err.to_string())),
    }
}

/// The server's reply carried by a driver error, as a document.
pub fn reply_of(err: &DriverError) -> Option<Document> {
    let raw = err.server_response()?;
    Document::try_from(raw.as_ref()).ok()
}

/// Turn a classified error into the user-facing error.
pub fn map_class(class: ErrClass, ctx: &ErrCtx<'_>) -> ConnError {
    match class {
        ErrClass::Command { code, reply } => {
            if ctx.replica_set && ctx.to_primary && is_not_primary_code(code) {
                ConnError::PrimaryChanged {
                    command: ctx.command.to_string(),
                }
            } else {
                ConnError::Server(reply)
            }
        }
        ErrClass::Network(detail) => {
            if let (true, Some(tried)) = (
                ctx.replica_set,
                ctx.facts.probed.as_ref().and(ctx.facts.unreachable()),
            ) {
                // Every member refuses or is silent: no failover is under way, the set is down.
                ConnError::NoServer(format!(
                    "no member can be reached ({tried}); the command '{}' may not have run",
                    ctx.command
                ))
            } else if ctx.replica_set && ctx.to_primary {
                ConnError::PrimaryChanged {
                    command: ctx.command.to_string(),
                }
            } else {
                ConnError::Network {
                    command: ctx.command.to_string(),
                    detail: first_line(&detail).to_string(),
                }
            }
        }
        ErrClass::Selection(message) => {
            if let Some(m) = ctx.facts.set_mismatch() {
                ConnError::NoServer(m)
            } else if let (true, Some(tried)) = (ctx.replica_set, ctx.facts.unreachable()) {
                ConnError::NoServer(format!(
                    "no member can be reached for command '{}' after {}s ({tried})",
                    ctx.command,
                    trim_secs(ctx.selection_timeout_secs)
                ))
            } else {
                ConnError::NoServer(selection_summary(&message, ctx))
            }
        }
        ErrClass::Auth(m) => ConnError::Auth(format!("Authentication failed: {}", first_line(&m))),
        ErrClass::Other(m) => ConnError::Other(m),
    }
}

/// `map_class(classify(err))`.
pub fn map_driver(err: &DriverError, ctx: &ErrCtx<'_>) -> ConnError {
    map_class(classify(err), ctx)
}

/// One line from the driver's long selection message, which embeds the whole topology.
pub fn selection_summary(message: &str, ctx: &ErrCtx<'_>) -> String {
    let lower = message.to_ascii_lowercase();
    let from_facts = if ctx.replica_set {
        ctx.facts.partial(ctx.to_primary)
    } else {
        ctx.facts.single_reason()
    };
    // A TLS failure reads the same whichever text carries it (a heartbeat's or the driver's).
    let tls = from_facts
        .as_deref()
        .and_then(|r| super::tls_reason::tls_reason(&r.to_ascii_lowercase()))
        .or_else(|| super::tls_reason::tls_reason(&lower));
    let reason = if let Some(tls) = tls {
        tls
    } else if let Some(r) = from_facts.as_deref() {
        r
    } else if lower.contains("connection refused") {
        "connection refused"
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "no answer"
    } else if lower.contains("failed to lookup")
        || lower.contains("dns")
        || lower.contains("resolve")
    {
        "host name not found"
    } else {
        "not reachable"
    };
    let what = if ctx.replica_set && ctx.to_primary {
        "no primary available"
    } else if ctx.replica_set {
        "no member matching the read preference"
    } else {
        "server not available"
    };
    format!(
        "{what} for command '{}' after {}s ({reason})",
        ctx.command,
        trim_secs(ctx.selection_timeout_secs)
    )
}

fn trim_secs(s: f64) -> String {
    let t = format!("{s:.1}");
    t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(rs: bool) -> ErrCtx<'static> {
        ErrCtx {
            command: "find",
            replica_set: rs,
            to_primary: true,
            selection_timeout_secs: 2.0,
            facts: Facts::default(),
        }
    }

    #[test]
    fn not_primary_on_replica_set_is_primary_changed() {
        let reply = doc! {"ok": 0.0, "errmsg": "not primary", "code": 10107, "codeName": "NotWritablePrimary"};
        let e = map_class(
            ErrClass::Command {
                code: 10107,
                reply: reply.clone(),
            },
            &ctx(true),
        );
        assert_eq!(
            e,
            ConnError::PrimaryChanged {
                command: "find".into()
            }
        );
        assert!(e.to_string().contains("it may not have run"));
        // On a direct connection the reply itself is the answer.
        let e = map_class(
            ErrClass::Command {
                code: 10107,
                reply: reply.clone(),
            },
            &ctx(false),
        );
        assert_eq!(e, ConnError::Server(reply));
        assert_eq!(e.to_string(), "not primary (NotWritablePrimary)");
    }

    #[test]
    fn other_command_errors_stay_server_errors() {
        let reply = doc! {"ok": 0.0, "errmsg": "bad", "code": 2, "codeName": "BadValue"};
        let e = map_class(
            ErrClass::Command {
                code: 2,
                reply: reply.clone(),
            },
            &ctx(true),
        );
        assert_eq!(e, ConnError::Server(reply));
    }

    #[test]
    fn network_errors_depend_on_topology() {
        let e = map_class(
            ErrClass::Network("connection reset\nmore".into()),
            &ctx(true),
        );
        assert!(matches!(e, ConnError::PrimaryChanged { .. }));
        let e = map_class(
            ErrClass::Network("connection reset\nmore".into()),
            &ctx(false),
        );
        assert_eq!(
            e.to_string(),
            "network error while attempting to run command 'find': connection reset"
        );
        let mut c = ctx(true);
        c.to_primary = false;
        assert!(matches!(
            map_class(ErrClass::Network("x".into()), &c),
            ConnError::Network { .. }
        ));
    }

    #[test]
    fn selection_message_is_one_short_line() {
        let msg = "Server selection timeout: No available servers. Topology: { Type: Single, Servers: [ { Address: localhost:1, Type: Unknown, Error: Kind: I/O error: Connection refused (os error 111), labels: {} } ] }";
        let e = map_class(ErrClass::Selection(msg.into()), &ctx(false));
        assert_eq!(
            e.to_string(),
            "server not available for command 'find' after 2s (connection refused)"
        );
        let e = map_class(
            ErrClass::Selection("No primary available".into()),
            &ctx(true),
        );
        assert_eq!(
            e.to_string(),
            "no primary available for command 'find' after 2s (not reachable)"
        );
    }

    fn answered(name: &str) -> Heard {
        Heard::Answered {
            set_name: Some(name.to_string()),
        }
    }

    fn rs_facts(heard: &[(&str, Heard)]) -> Facts {
        Facts {
            expected_set: Some("rsX".into()),
            seeds: vec!["a:1".into(), "b:1".into()],
            heard: heard
                .iter()
                .map(|(h, v)| (h.to_string(), v.clone()))
                .collect(),
            probed: None,
        }
    }

    #[test]
    fn another_set_name_is_named() {
        let mut c = ctx(true);
        c.facts = rs_facts(&[("a:1", answered("rs0")), ("b:1", answered("rs0"))]);
        let e = map_class(ErrClass::Selection("x".into()), &c);
        assert_eq!(
            e.to_string(),
            "the members report replica set \"rs0\", not \"rsX\""
        );
        assert!(c.facts.set_mismatch_decided().is_some());
        // One seed not heard from yet: not certain before the timeout, named after it.
        c.facts = rs_facts(&[("a:1", answered("rs0"))]);
        assert!(c.facts.set_mismatch_decided().is_none());
        assert!(c.facts.set_mismatch().is_some());
        // Two other names.
        c.facts = rs_facts(&[("a:1", answered("rs0")), ("b:1", answered("rs1"))]);
        assert_eq!(
            c.facts.set_mismatch().as_deref(),
            Some("the members report replica sets \"rs0\", \"rs1\", not \"rsX\"")
        );
        // A member of the set asked for answers: no mismatch.
        c.facts = rs_facts(&[("a:1", answered("rs0")), ("b:1", answered("rsX"))]);
        assert!(c.facts.set_mismatch().is_none());
    }

    #[test]
    fn all_members_down_is_not_a_failover() {
        let mut c = ctx(true);
        c.facts = rs_facts(&[
            ("a:1", Heard::Failed(Failure::Refused)),
            ("b:1", Heard::Failed(Failure::Refused)),
            ("c:1", Heard::Failed(Failure::NoAnswer)),
        ]);
        let e = map_class(ErrClass::Selection("x".into()), &c);
        assert_eq!(
            e.to_string(),
            "no member can be reached for command 'find' after 2s \
             (tried a:1, b:1: connection refused; c:1: no answer)"
        );
        // A broken connection: the probe decides between a failover and a set that is down.
        c.facts.probed = Some(
            ["a:1", "b:1", "c:1"]
                .into_iter()
                .map(|h| (h.to_string(), Some(Failure::Refused)))
                .collect(),
        );
        let e = map_class(ErrClass::Network("reset".into()), &c);
        assert_eq!(
            e.to_string(),
            "no member can be reached (tried a:1, b:1, c:1: connection refused); \
             the command 'find' may not have run"
        );
        c.facts.probed = Some(
            [
                ("a:1", Some(Failure::Refused)),
                ("b:1", None),
                ("c:1", Some(Failure::Refused)),
            ]
            .into_iter()
            .map(|(h, f)| (h.to_string(), f))
            .collect(),
        );
        let e = map_class(ErrClass::Network("reset".into()), &c);
        assert!(matches!(e, ConnError::PrimaryChanged { .. }), "{e}");
        // Without a probe a network error on the primary stays a possible failover.
        c.facts.probed = None;
        let e = map_class(ErrClass::Network("reset".into()), &c);
        assert!(matches!(e, ConnError::PrimaryChanged { .. }), "{e}");
    }

    #[test]
    fn no_primary_says_who_answers_and_why_the_others_do_not() {
        let mut c = ctx(true);
        c.facts = rs_facts(&[
            ("a:1", Heard::Failed(Failure::Refused)),
            ("b:1", Heard::Failed(Failure::Refused)),
            ("c:1", answered("rsX")),
        ]);
        let e = map_class(ErrClass::Selection("x".into()), &c);
        assert_eq!(
            e.to_string(),
            "no primary available for command 'find' after 2s \
             (c:1 answers but is not primary; a:1, b:1: connection refused)"
        );
        c.to_primary = false;
        let e = map_class(ErrClass::Selection("x".into()), &c);
        assert_eq!(
            e.to_string(),
            "no member matching the read preference for command 'find' after 2s \
             (c:1 answers but is not a match for the read preference; a:1, b:1: connection refused)"
        );
    }

    #[test]
    fn refused_everywhere_is_decided_at_connect() {
        let mut f = rs_facts(&[
            ("a:1", Heard::Failed(Failure::Refused)),
            ("b:1", Heard::Failed(Failure::NameNotFound)),
        ]);
        assert_eq!(
            f.refused_decided().as_deref(),
            Some("no member can be reached (tried a:1: connection refused; b:1: host name not found)")
        );
        // A seed not heard yet, or one that times out: wait.
        f.heard.remove("b:1");
        assert_eq!(f.refused_decided(), None);
        f.heard
            .insert("b:1".into(), Heard::Failed(Failure::NoAnswer));
        assert_eq!(f.refused_decided(), None);
        // A discovered member answers: wait.
        f.heard
            .insert("b:1".into(), Heard::Failed(Failure::Refused));
        f.heard.insert("c:1".into(), answered("rsX"));
        assert_eq!(f.refused_decided(), None);
        f.heard.remove("c:1");
        f.seeds = vec!["a:1".into()];
        assert_eq!(f.refused_decided().as_deref(), Some("connection refused"));
    }

    #[test]
    fn single_host_reason_comes_from_its_heartbeat() {
        let mut c = ctx(false);
        c.facts = Facts {
            seeds: vec!["h:1".into()],
            heard: [("h:1".to_string(), Heard::Failed(Failure::NameNotFound))]
                .into_iter()
                .collect(),
            ..Facts::default()
        };
        let e = map_class(ErrClass::Selection("timed out".into()), &c);
        assert_eq!(
            e.to_string(),
            "server not available for command 'find' after 2s (host name not found)"
        );
    }

    #[test]
    fn classify_io_error_is_network() {
        let err = DriverError::from(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset by peer",
        ));
        assert_eq!(classify(&err), ErrClass::Network("reset by peer".into()));
    }

    #[test]
    fn driver_debug_text_is_dropped() {
        assert_eq!(
            plain_error_text("Kind: An invalid argument was provided: an empty document cannot be passed to a run_command operation, labels: {}, source: None, server response: None"),
            "an empty document cannot be passed to a run_command operation"
        );
        assert_eq!(
            plain_error_text("invalid connection string: Kind: An invalid argument was provided: bogusoption is an invalid option, labels: {}, source: None, server response: None"),
            "invalid connection string: bogusoption is an invalid option"
        );
    }

    #[test]
    fn not_primary_codes() {
        for c in [10107, 13435, 11600, 189, 91] {
            assert!(is_not_primary_code(c));
        }
        assert!(!is_not_primary_code(11000));
    }
}
