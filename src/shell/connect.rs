//! The place where a connection plan becomes a live connection: open it through the
//! connection layer, print the startup lines (unless `--quiet`) and give the runtime its `db`.
use crate::cli::ConnectionPlan;
use crate::conn::session::session_uuid;
use crate::conn::{ConnectSpec, Connection, TlsSpec};
use crate::js::Runtime;

/// The shell version rsh reports (banner, `version()`): its own release, not a server's.
const SHELL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The oldest server release rsh supports (its driver, the mongodb crate 3.x, needs 4.0).
const OLDEST_SERVER: (u32, u32) = (4, 0);

/// When `WARNING: shell and server versions do not match` is printed. The legacy shell compared
/// its own version with the server's because its helpers were built for one release; rsh's own
/// version (0.x) never equals a server's, and its helpers follow the server, so it warns, in the
/// legacy words, only about a server older than it supports (or a version it cannot read).
fn versions_mismatch(server: &str) -> bool {
    let mut parts = server.split('.').map(|p| p.trim().parse::<u32>());
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) < OLDEST_SERVER,
        _ => true,
    }
}

/// The connection layer's spec for a plan.
pub fn spec_of(plan: &ConnectionPlan) -> ConnectSpec {
    ConnectSpec {
        uri: plan.uri.clone(),
        db: plan.db.clone(),
        username: plan.username.clone(),
        password: plan.password.clone(),
        auth_db: plan.auth_db.clone(),
        auth_mechanism: plan.mechanism.clone(),
        tls: TlsSpec {
            enabled: plan.tls.enabled,
            ca_file: plan.tls.ca_file.clone(),
            cert_key_file: plan.tls.cert_key_file.clone(),
            cert_key_password: plan.tls.cert_key_password.clone(),
            allow_invalid_certificates: plan.tls.allow_invalid_certificates,
            allow_invalid_hostnames: plan.tls.allow_invalid_hostnames,
        },
        server_selection_timeout: plan
            .server_selection_timeout_ms
            .map(std::time::Duration::from_millis),
        retry_writes: plan.retry_writes,
    }
}

/// Connect `runtime` to the server(s) of `plan`. On failure the message is printed on stderr
/// followed by `exception: connect failed`, and rsh exits with status 1.
pub fn connect(runtime: &mut Runtime, plan: &ConnectionPlan) -> Result<(), String> {
    let quiet = crate::js::host::host(runtime.context())
        .map(|h| h.opts.quiet)
        .unwrap_or(false);
    let out = |rt: &mut Runtime, text: &str| {
        if let Ok(h) = crate::js::host::host(rt.context()) {
            h.write(text);
        }
    };
    if !quiet {
        out(
            runtime,
            &format!("MongoDB shell version v{SHELL_VERSION} (rsh)\n"),
        );
        out(runtime, &format!("connecting to: {}\n", plan.display_uri));
        runtime.flush();
    }
    let conn = Connection::connect(spec_of(plan), runtime.interrupt_flag()).map_err(|e| {
        format!(
            "Error: couldn't connect to server {}: {e}",
            plan.hosts.join(",")
        )
    })?;
    // Taken quiet or not: from here on every command of the connection carries this session.
    let session = conn.implicit_session_id().ok().flatten();
    if !quiet {
        if let Some(uuid) = session.as_ref().and_then(session_uuid) {
            out(
                runtime,
                &format!("Implicit session: session {{ \"id\" : UUID(\"{uuid}\") }}\n"),
            );
        }
        if let Ok(v) = conn.server_version() {
            out(runtime, &format!("MongoDB server version: {v}\n"));
            if versions_mismatch(&v) {
                out(runtime, "WARNING: shell and server versions do not match\n");
            }
        }
    }
    let handle = crate::js::natives::conn::attach(runtime.context(), conn);
    let db = serde_json::to_string(&plan.db).unwrap_or_else(|_| "\"test\"".to_string());
    runtime
        .eval(&format!("__shellConnected({handle}, {db})"), "(connect)")
        .map_err(|e| format!("Error: cannot set up the connection: {e}"))
}

#[cfg(test)]
mod tests {
    use super::versions_mismatch;

    #[test]
    fn only_servers_older_than_supported_or_unreadable_versions_warn() {
        assert!(!versions_mismatch("7.0.14"));
        assert!(!versions_mismatch("4.0.0"));
        assert!(!versions_mismatch("4.4.29"));
        assert!(versions_mismatch("3.6.23"));
        assert!(versions_mismatch("2.4.9"));
        assert!(versions_mismatch("4."));
        assert!(versions_mismatch("unknown"));
    }
}
