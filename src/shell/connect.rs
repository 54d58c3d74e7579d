//! The place where a connection plan becomes a live connection: open it through the
//! connection layer, print the startup lines (unless `--quiet`) and give the runtime its `db`.
use crate::cli::ConnectionPlan;
use crate::conn::session::session_uuid;
use crate::conn::{ConnectSpec, Connection, TlsSpec};
use crate::js::Runtime;

/// The shell version rsh reports (banner, `version()`): its own release, not a server's.
const SHELL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The legacy rule for `WARNING: shell and server versions do not match`: the first three
/// characters differ (`4.4.6` and `4.4.29` match, `4.4` and `5.0` do not).
fn versions_differ(shell: &str, server: &str) -> bool {
    shell.chars().take(3).ne(server.chars().take(3))
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
            allow_invalid_certificates: plan.tls.allow_invalid_certificates,
            allow_invalid_hostnames: plan.tls.allow_invalid_hostnames,
        },
        server_selection_timeout: None,
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
    if !quiet {
        let session = conn.implicit_session_id().ok().flatten();
        if let Some(uuid) = session.as_ref().and_then(session_uuid) {
            out(
                runtime,
                &format!("Implicit session: session {{ \"id\" : UUID(\"{uuid}\") }}\n"),
            );
        }
        if let Ok(v) = conn.server_version() {
            out(runtime, &format!("MongoDB server version: {v}\n"));
            if versions_differ(SHELL_VERSION, &v) {
                out(runtime, "WARNING: shell and server versions do not match\n");
            }
        }
    }
    let handle = crate::js::natives::conn::attach(runtime.context(), conn);
    let db = serde_json::to_string(&plan.db).unwrap_or_else(|_| "\"test\"".to_string());
    runtime
        .eval(
            &format!("__loadConn(); __shellConnected({handle}, {db})"),
            "(connect)",
        )
        .map_err(|e| format!("Error: cannot set up the connection: {e}"))
}

#[cfg(test)]
mod tests {
    use super::versions_differ;

    #[test]
    fn version_mismatch_compares_the_first_three_characters() {
        assert!(!versions_differ("4.4.6", "4.4.29"));
        assert!(versions_differ("4.4.6", "5.0.3"));
        assert!(versions_differ("0.1.0", "7.0.14"));
        assert!(versions_differ("4.4.6", "4."));
    }
}
