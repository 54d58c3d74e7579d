//! Connection layer over the official `mongodb` crate: a connection from a `ConnectSpec`,
//! commands aimed at the primary, a read preference or one member, BSON cursors with lazy
//! getMore, a cached topology view, the legacy prompt, and errors as one clear line.
//!
//! Everything here is synchronous for the caller (the JS natives): async driver calls run on
//! one shared tokio runtime through `runtime::block_on`, raced against the Ctrl-C flag.

pub mod auth;
pub mod client;
pub mod cursor;
pub mod diagnose;
pub mod error;
pub mod names;
pub mod probe;
pub mod prompt;
pub mod runtime;
pub mod session;
pub mod socket_timeout;
pub mod spec;
pub mod tls_reason;
pub mod topology;
pub mod wait_progress;
pub mod writes;

pub use client::{redact_uri, Connection};
pub use cursor::ShellCursor;
pub use error::ConnError;
pub use spec::{ConnectSpec, ReadPref, Target, TlsSpec};
pub use topology::{Role, TopologyView};
