//! The connection layer's one error type, shown to the user as one line, and the mapping from
//! the driver's errors. Server `ok: 0` replies are not errors for `run_command` (the legacy shell
//! prints them as documents); `reply_of` rebuilds that document from a driver error.

use std::fmt;

use mongodb::bson::{doc, Document};
use mongodb::error::{Error as DriverError, ErrorKind};

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

/// Sort a driver error into an `ErrClass`.
pub fn classify(err: &DriverError) -> ErrClass {
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
            if ctx.replica_set && ctx.to_primary {
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
        ErrClass::Selection(message) => ConnError::NoServer(selection_summary(&message, ctx)),
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
    let reason = if let Some(tls) = super::tls_reason::tls_reason(&lower) {
        tls
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
