//! The place where a connection plan becomes a live connection: open it through the
//! connection layer, print the startup lines (unless `--quiet`) and give the runtime its `db`.
use crate::cli::ConnectionPlan;
use crate::conn::{ConnectSpec, Connection, TlsSpec};
use crate::js::Runtime;

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
            &format!(
                "MongoDB shell version v{} (rsh)\n",
                env!("CARGO_PKG_VERSION")
            ),
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
        if let Ok(v) = conn.server_version() {
            out(runtime, &format!("MongoDB server version: {v}\n"));
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
