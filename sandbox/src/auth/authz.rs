//! The authorization check run before every command when access control is on: which action
//! class a command needs on which database, the localhost exception, mongod's 13 Unauthorized
//! messages.

use std::sync::Arc;

use bson::{Bson, Document};

use super::roles::{self, Action};
use crate::data::Store;
use crate::error::CmdError;
use crate::node::commands;
use crate::node::dispatch::{Conn, Request};
use crate::node::Node;

/// Commands any connection may run before authenticating.
const OPEN: &[&str] = &[
    "hello",
    "isMaster",
    "ismaster",
    "buildInfo",
    "buildinfo",
    "ping",
    "saslStart",
    "saslContinue",
    "authenticate",
    "logout",
    "getnonce",
    "connectionStatus",
    "endSessions",
    "whatsmyuri",
    "_isSelf",
];

/// Commands an authenticated user may run whatever its roles.
const ANY_USER: &[&str] = &[
    "startSession",
    "refreshSessions",
    "listCommands",
    "listDatabases",
    "getFreeMonitoringStatus",
    "killCursors",
    "getMore",
];

const USER_ADMIN: &[&str] = &[
    "createUser",
    "updateUser",
    "dropUser",
    "dropAllUsersFromDatabase",
    "usersInfo",
    "grantRolesToUser",
    "revokeRolesFromUser",
    "rolesInfo",
    "createRole",
    "updateRole",
    "dropRole",
    "dropAllRolesFromDatabase",
    "grantRolesToRole",
    "revokeRolesFromRole",
    "grantPrivilegesToRole",
    "revokePrivilegesFromRole",
];

const CLUSTER_MANAGER: &[&str] = &[
    "replSetInitiate",
    "replSetReconfig",
    "replSetStepDown",
    "replSetFreeze",
    "replSetSyncFrom",
    "replSetMaintenance",
    "setDefaultRWConcern",
];

const CLUSTER_MONITOR: &[&str] = &[
    "replSetGetStatus",
    "replSetGetConfig",
    "serverStatus",
    "getCmdLineOpts",
    "getLog",
    "hostInfo",
    "getParameter",
    "getDefaultRWConcern",
    "currentOp",
    "top",
];

const HOST_MANAGER: &[&str] = &["shutdown", "setParameter", "logRotate", "killOp", "fsync"];

const INTERNAL: &[&str] = &[
    "replSetHeartbeat",
    "replSetRequestVotes",
    "replSetUpdatePosition",
    "replSetStepUp",
    "replSetGetRBID",
    "_sandboxFetchOplog",
    "_sandboxInitialSync",
];

/// What `req` needs: `None` when it is open to everyone; otherwise the (action, database)
/// pairs every one of which some role must grant (empty: being authenticated is enough).
pub fn required(req: &Request) -> Option<Vec<(Action, String)>> {
    let name = req.name.as_str();
    let db = req.db.clone();
    let on = |a: Action| Some(vec![(a, db.clone())]);
    if OPEN.contains(&name) {
        return None;
    }
    if ANY_USER.contains(&name) {
        return Some(Vec::new());
    }
    if USER_ADMIN.contains(&name) {
        return on(Action::UserAdmin);
    }
    if CLUSTER_MANAGER.contains(&name) {
        return on(Action::ClusterManager);
    }
    if CLUSTER_MONITOR.contains(&name) {
        return on(Action::ClusterMonitor);
    }
    if HOST_MANAGER.contains(&name) {
        return on(Action::HostManager);
    }
    if INTERNAL.contains(&name) {
        return on(Action::Internal);
    }
    match name {
        "dropDatabase" | "collMod" | "compact" | "validate" | "profile" => {
            return on(Action::DbAdmin)
        }
        "renameCollection" => {
            // Runs on admin; the databases are those of `from` and `to`.
            let ns_db = |v: Option<&Bson>| match v {
                Some(Bson::String(s)) => s.split('.').next().unwrap_or_default().to_string(),
                _ => db.clone(),
            };
            return Some(vec![
                (Action::Read, ns_db(req.arg())),
                (Action::Write, ns_db(req.arg())),
                (Action::Write, ns_db(req.cmd.get("to"))),
            ]);
        }
        _ => {}
    }
    match Store::command_kind(name) {
        Some(_) if targets_system_users(&req.cmd, name, &db) => {
            Some(vec![(Action::UserAdmin, "admin".to_string())])
        }
        Some(crate::data::CmdKind::Write) => on(Action::Write),
        Some(_) if name == "aggregate" && writes_output(&req.cmd) => {
            Some(vec![(Action::Read, db.clone()), (Action::Write, db)])
        }
        Some(_) => on(Action::Read),
        // Unknown names still need a login (they end in CommandNotFound afterwards).
        None => Some(Vec::new()),
    }
}

/// Reading `admin.system.users` directly needs user administration rights, as in mongod.
fn targets_system_users(cmd: &Document, name: &str, db: &str) -> bool {
    db == "admin" && matches!(cmd.get(name), Some(Bson::String(c)) if c == "system.users")
}

fn writes_output(cmd: &Document) -> bool {
    cmd.get_array("pipeline").is_ok_and(|p| {
        p.iter().any(|s| {
            matches!(s, Bson::Document(d) if d.contains_key("$out") || d.contains_key("$merge"))
        })
    })
}

/// Runs before the command; `Err` is the reply.
pub fn check(node: &Node, conn: &Conn, req: &Request) -> Result<(), CmdError> {
    if !super::enforced() {
        return Ok(());
    }
    let Some(needs) = required(req) else {
        return Ok(());
    };
    if conn.auth.users.is_empty() {
        if localhost_exception(node, conn, req) {
            return Ok(());
        }
        return Err(CmdError::new(
            13,
            "Unauthorized",
            format!("command {} requires authentication", req.name),
        ));
    }
    let direct: Vec<(String, String)> = conn
        .auth
        .users
        .iter()
        .flat_map(|u| super::roles_of(node, u))
        .collect();
    // User-defined roles count as the built-in roles they amount to.
    let held = super::custom_roles::effective(node, direct);
    let allowed = needs.iter().all(|(action, db)| {
        held.iter()
            .any(|(r, rdb)| roles::grants(r, rdb, *action, db))
    });
    if allowed {
        return Ok(());
    }
    Err(CmdError::new(
        13,
        "Unauthorized",
        format!(
            "not authorized on {} to execute command {}",
            req.db,
            Store::format_command(&req.cmd)
        ),
    ))
}

/// With no user defined yet, a loopback connection may create the first user in `admin` and
/// initiate the set (mongod's localhost exception).
fn localhost_exception(node: &Node, conn: &Conn, req: &Request) -> bool {
    let first_user = req.name == "createUser" && req.db == "admin";
    (first_user || req.name == "replSetInitiate")
        && conn.peer.ip().is_loopback()
        && !node.store.has_system_users()
}

/// Roles holding mongod's cluster-wide `listDatabases` privilege.
const LIST_ALL: &[&str] = &[
    "root",
    "__system",
    "clusterMonitor",
    "clusterAdmin",
    "backup",
    "readAnyDatabase",
    "readWriteAnyDatabase",
    "userAdminAnyDatabase",
    "dbAdminAnyDatabase",
];

/// listDatabases under access control: a user without the cluster-wide privilege sees only
/// the databases its roles name (mongod's `authorizedDatabases` default).
pub async fn list_databases(
    node: &Arc<Node>,
    conn: &Conn,
    req: &Request,
) -> Result<Document, CmdError> {
    let mut reply = commands::run(node, req).await?;
    let held: Vec<(String, String)> = conn
        .auth
        .users
        .iter()
        .flat_map(|u| super::roles_of(node, u))
        .collect();
    let all = held
        .iter()
        .any(|(r, db)| db == "admin" && LIST_ALL.contains(&r.as_str()));
    if all || conn.auth.users.is_empty() {
        return Ok(reply);
    }
    let Ok(dbs) = reply.get_array("databases") else {
        return Ok(reply);
    };
    let kept: Vec<Bson> = dbs
        .iter()
        .filter(|d| {
            let name = d.as_document().and_then(|d| d.get_str("name").ok());
            name.is_some_and(|n| held.iter().any(|(_, db)| db == n))
        })
        .cloned()
        .collect();
    let total: i64 = kept
        .iter()
        .filter_map(|d| d.as_document()?.get_i64("sizeOnDisk").ok())
        .sum();
    reply.insert("databases", kept);
    if reply.contains_key("totalSize") {
        reply.insert("totalSize", total);
        reply.insert("totalSizeMb", total / (1024 * 1024));
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(db: &str, cmd: Document) -> Request {
        let peer = "127.0.0.1:5000".parse().expect("addr"); // ok: test data
        Request {
            name: cmd.keys().next().cloned().unwrap_or_default(),
            db: db.to_string(),
            cmd: cmd.into(),
            secondary_ok: false,
            legacy: false,
            conn: Conn::new(1, peer),
            deadline: None,
        }
    }

    #[test]
    fn commands_map_to_action_classes() {
        use bson::doc;
        assert_eq!(required(&req("admin", doc! {"hello": 1})), None);
        assert_eq!(required(&req("admin", doc! {"saslStart": 1})), None);
        assert_eq!(
            required(&req("test", doc! {"find": "c"})),
            Some(vec![(Action::Read, "test".into())])
        );
        assert_eq!(
            required(&req("test", doc! {"insert": "c"})),
            Some(vec![(Action::Write, "test".into())])
        );
        assert_eq!(
            required(&req("admin", doc! {"find": "system.users"})),
            Some(vec![(Action::UserAdmin, "admin".into())])
        );
        assert_eq!(
            required(&req("admin", doc! {"replSetReconfig": {}})),
            Some(vec![(Action::ClusterManager, "admin".into())])
        );
        assert_eq!(
            required(&req("admin", doc! {"replSetHeartbeat": "rs0"})),
            Some(vec![(Action::Internal, "admin".into())])
        );
        let agg = doc! {"aggregate": "c", "pipeline": [{"$match": {}}, {"$out": "d"}]};
        assert_eq!(
            required(&req("t", agg)),
            Some(vec![
                (Action::Read, "t".into()),
                (Action::Write, "t".into())
            ])
        );
        assert_eq!(
            required(&req("admin", doc! {"renameCollection": "a.x", "to": "b.y"})),
            Some(vec![
                (Action::Read, "a".into()),
                (Action::Write, "a".into()),
                (Action::Write, "b".into())
            ])
        );
        assert_eq!(required(&req("t", doc! {"noSuchCommand": 1})), Some(vec![]));
    }
}
