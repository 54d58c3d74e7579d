//! Authentication and authorization, active with `--auth` / `security.authorization: enabled`
//! or `--keyFile` / `security.keyFile` (which implies authorization, as in mongod).
//!
//! * `scram`   — SCRAM-SHA-1/256 credentials, server and client conversations.
//! * `keyfile` — reading the key file with mongod's rules.
//! * `roles`   — built-in roles and the coarse action classes they grant.
//! * `authz`   — which action a command needs; the check run before every command.
//! * `sasl`    — saslStart/saslContinue, speculative authentication in hello, logout,
//!   connectionStatus.
//! * `users`   — createUser & co., stored in `admin.system.users` (replicated like any data).
//!
//! Members authenticate to each other as `__system@local` with SCRAM-SHA-256 and the key file's
//! content as password, like mongod's keyFile internal authentication (`internal_client`).
//! Without `--auth`/`--keyFile` nothing here changes a reply.

pub mod authz;
pub mod custom_roles;
pub mod internal_client;
pub mod keyfile;
pub mod roles;
pub mod sasl;
pub mod scram;
pub mod users;

use std::sync::{Arc, OnceLock};

use bson::{doc, Document};

use super::error::CmdError;
use super::log;
use super::node::dispatch::{Conn, Request};
use super::node::Node;
use scram::{Credential, Mech};

/// The process's security settings (set once at startup).
#[derive(Debug)]
pub struct Security {
    pub authorization: bool,
    key: Option<String>,
    /// `__system@local` credentials derived from the key (one per mechanism).
    system: Vec<(Mech, Credential)>,
}

static SECURITY: OnceLock<Security> = OnceLock::new();

/// Installs the settings; call once before serving. `key` is the validated key-file content.
pub fn configure(authorization: bool, key: Option<String>) {
    let system = match &key {
        Some(k) => scram::MECHANISMS
            .into_iter()
            .filter_map(|m| {
                let prepared = m.prepare_password(SYSTEM_USER, k).ok()?;
                Some((m, Credential::generate(m, &prepared)))
            })
            .collect(),
        None => Vec::new(),
    };
    let _ = SECURITY.set(Security {
        authorization,
        key,
        system,
    });
}

/// Access control is on (`--auth` or `--keyFile`).
pub fn enforced() -> bool {
    SECURITY
        .get()
        .is_some_and(|s| s.authorization || s.key.is_some())
}

/// The key members prove to each other, when `--keyFile` was given.
pub fn cluster_key() -> Option<&'static str> {
    SECURITY.get()?.key.as_deref()
}

pub const SYSTEM_USER: &str = "__system";
pub const SYSTEM_DB: &str = "local";

/// One authenticated identity of a connection.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthedUser {
    pub user: String,
    pub db: String,
}

impl AuthedUser {
    pub fn is_system(&self) -> bool {
        self.user == SYSTEM_USER && self.db == SYSTEM_DB
    }
}

/// Per-connection authentication state (lives in `Conn`).
#[derive(Debug, Clone, Default)]
pub struct ConnAuth {
    pub users: Vec<AuthedUser>,
    pub pending: Option<sasl::Pending>,
    pub next_conversation: i32,
}

/// The stored credential of `user@db` for `mech` (`__system@local` comes from the key file).
pub fn credential(node: &Node, user: &str, db: &str, mech: Mech) -> Option<Credential> {
    if user == SYSTEM_USER && db == SYSTEM_DB {
        let sec = SECURITY.get()?;
        return sec
            .system
            .iter()
            .find(|(m, _)| *m == mech)
            .map(|(_, c)| c.clone());
    }
    let doc = node.store.system_user(&format!("{db}.{user}"))?;
    let creds = doc.get_document("credentials").ok()?;
    Credential::from_document(creds.get_document(mech.name()).ok()?)
}

/// The roles `who` holds now (read from `admin.system.users`, so grants apply at once).
pub fn roles_of(node: &Node, who: &AuthedUser) -> Vec<(String, String)> {
    if who.is_system() {
        return vec![("__system".into(), "admin".into())];
    }
    node.store
        .system_user(&format!("{}.{}", who.db, who.user))
        .map(|d| roles::roles_of(&d))
        .unwrap_or_default()
}

/// Commands this module answers itself (they need the connection's mutable state).
pub async fn run_command(
    node: &Arc<Node>,
    conn: &mut Conn,
    req: &Request,
) -> Option<Result<Document, CmdError>> {
    Some(match req.name.as_str() {
        "saslStart" => sasl::start(node, conn, req),
        "saslContinue" => sasl::continue_(node, conn, req),
        "logout" => Ok(sasl::logout(conn, req)),
        "connectionStatus" => Ok(sasl::connection_status(node, conn, req)),
        "authenticate" => Err(CmdError::new(
            334,
            "MechanismUnavailable",
            format!(
                "Unable to use {} based authentication",
                req.cmd.get_str("mechanism").unwrap_or("MONGODB-CR")
            ),
        )),
        "listDatabases" if enforced() => authz::list_databases(node, conn, req).await,
        "rolesInfo" => roles::roles_info(req.arg(), &req.cmd, &req.db).map(|mut reply| {
            let mut all = reply.get_array("roles").cloned().unwrap_or_default();
            all.extend(custom_roles::info(node, req.arg(), &req.cmd, &req.db));
            reply.insert("roles", all);
            reply
        }),
        name if users::COMMANDS.contains(&name) => users::run(node, req).await,
        name if custom_roles::COMMANDS.contains(&name) => custom_roles::run(node, req).await,
        _ => return None,
    })
}

/// mongod's ACCESS log lines for a finished authentication attempt; `failure` is the detailed
/// reason (the client only ever sees [`auth_failed`]).
pub fn log_attempt(
    conn: &Conn,
    mech: &str,
    user: &str,
    db: &str,
    speculative: bool,
    failure: Option<&CmdError>,
) {
    let ctx = format!("conn{}", conn.id);
    let mut attr = doc! {
        "client": conn.peer.to_string(),
        "isSpeculative": speculative,
        "isClusterMember": user == SYSTEM_USER && db == SYSTEM_DB,
        "mechanism": mech,
        "user": user,
        "db": db,
    };
    match failure {
        None => {
            attr.insert("result", 0);
            log::write(
                'I',
                "ACCESS",
                5286306,
                &ctx,
                "Successfully authenticated",
                attr,
            );
        }
        Some(err) => {
            attr.insert("error", format!("{}: {}", err.code_name, err.errmsg));
            attr.insert("result", err.code);
            log::write('I', "ACCESS", 5286307, &ctx, "Failed to authenticate", attr);
        }
    }
}

/// The error every failed attempt returns (details only go to the log).
pub fn auth_failed() -> CmdError {
    CmdError::new(18, "AuthenticationFailed", "Authentication failed.")
}
