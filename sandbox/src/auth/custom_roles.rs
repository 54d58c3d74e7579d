//! User-defined roles: createRole, updateRole, dropRole, dropAllRolesFromDatabase,
//! grantRolesToRole, revokeRolesFromRole, grantPrivilegesToRole, revokePrivilegesFromRole, and
//! their part of rolesInfo. Roles are documents of `admin.system.roles` (`_id: "<db>.<role>"`,
//! `role`, `db`, `privileges`, `roles`), written on the primary and replicated like users.
//!
//! Authorization stays coarse (see `roles::Action`): a user-defined role grants what the
//! built-in roles it inherits grant, plus, for each privilege, the built-in role whose action
//! class covers the privilege's actions on that database ([`effective`]).

use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::roles::{self, roles_to_bson};
use crate::data::OpTime;
use crate::error::CmdError;
use crate::node::commands::write_concern;
use crate::node::dispatch::Request;
use crate::node::Node;

pub const COMMANDS: &[&str] = &[
    "createRole",
    "updateRole",
    "dropRole",
    "dropAllRolesFromDatabase",
    "grantRolesToRole",
    "revokeRolesFromRole",
    "grantPrivilegesToRole",
    "revokePrivilegesFromRole",
];

/// Role graphs deeper than this are refused (and never walked further).
const MAX_DEPTH: usize = 32;

type Outcome = (Document, Option<OpTime>);

pub async fn run(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::users::writable(node, req)?;
    let (mut reply, optime) = match req.name.as_str() {
        "createRole" => create(node, req)?,
        "updateRole" => update(node, req)?,
        "dropRole" => drop_role(node, req)?,
        "dropAllRolesFromDatabase" => drop_all(node, req)?,
        "grantRolesToRole" => change_roles(node, req, true)?,
        "revokeRolesFromRole" => change_roles(node, req, false)?,
        "grantPrivilegesToRole" => change_privileges(node, req, true)?,
        "revokePrivilegesFromRole" => change_privileges(node, req, false)?,
        other => return Err(CmdError::command_not_found(other)),
    };
    if let Some(op) = optime {
        node.notify_progress();
        if let Some(wce) = write_concern::wait(node, req, op).await {
            reply.insert("writeConcernError", wce);
        }
    }
    Ok(reply)
}

fn role_name(req: &Request) -> Result<String, CmdError> {
    match req.arg() {
        Some(Bson::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Bson::String(_)) => Err(CmdError::bad_value("Role name must be non-empty")),
        _ => Err(CmdError::type_mismatch(format!(
            "BSON field '{0}.{0}' is the wrong type, expected type 'string'",
            req.name
        ))),
    }
}

/// Does `role@db` exist, built-in or user-defined?
pub fn exists(node: &Node, role: &str, db: &str) -> bool {
    roles::exists(role, db) || node.store.system_role(&format!("{db}.{role}")).is_some()
}

fn parse_roles(
    node: &Node,
    req: &Request,
    field: &str,
    required: bool,
) -> Result<Option<Vec<(String, String)>>, CmdError> {
    let v = req.cmd.get(field);
    if v.is_none() && !required {
        return Ok(None);
    }
    let custom = |r: &str, d: &str| node.store.system_role(&format!("{d}.{r}")).is_some();
    roles::parse_roles_with(v, &format!("{}.{field}", req.name), &req.db, &custom).map(Some)
}

/// A `privileges` array: each `{resource: {db, collection} | {cluster: true} |
/// {anyResource: true}, actions: [string, ...]}`.
fn parse_privileges(req: &Request, required: bool) -> Result<Option<Vec<Bson>>, CmdError> {
    let field = format!("{}.privileges", req.name);
    let list = match req.cmd.get("privileges") {
        None if !required => return Ok(None),
        None => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                format!("BSON field '{field}' is missing but a required field"),
            ))
        }
        Some(Bson::Array(a)) => a,
        Some(_) => {
            return Err(CmdError::type_mismatch(format!(
                "BSON field '{field}' is the wrong type, expected type 'array'"
            )))
        }
    };
    for p in list {
        let Bson::Document(p) = p else {
            return Err(CmdError::bad_value("Each privilege must be an object"));
        };
        let resource = p.get_document("resource").map_err(|_| {
            CmdError::bad_value("Privilege document must contain a \"resource\" object")
        })?;
        let ok = resource.get_bool("cluster") == Ok(true)
            || resource.get_bool("anyResource") == Ok(true)
            || (resource.get_str("db").is_ok() && resource.get_str("collection").is_ok());
        if !ok {
            return Err(CmdError::bad_value(
                "resource pattern must contain 'db' and 'collection', 'cluster' or 'anyResource'",
            ));
        }
        match p.get_array("actions") {
            Ok(a) if !a.is_empty() && a.iter().all(|x| matches!(x, Bson::String(_))) => {}
            _ => {
                return Err(CmdError::bad_value(
                    "Privilege document must contain a non-empty \"actions\" array of strings",
                ))
            }
        }
    }
    Ok(Some(list.clone()))
}

fn not_found(role: &str, db: &str) -> CmdError {
    CmdError::new(31, "RoleNotFound", format!("Role {role}@{db} not found"))
}

fn existing(node: &Node, role: &str, db: &str) -> Result<Document, CmdError> {
    if roles::exists(role, db) {
        return Err(CmdError::new(
            49,
            "InvalidRoleModification",
            format!("Cannot modify built-in role: {role}@{db}"),
        ));
    }
    node.store
        .system_role(&format!("{db}.{role}"))
        .ok_or_else(|| not_found(role, db))
}

fn create(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let role = role_name(req)?;
    let db = req.db.as_str();
    if db == "local" || db == "$external" {
        return Err(CmdError::bad_value(format!(
            "Cannot create roles in the {db} database"
        )));
    }
    if exists(node, &role, db) {
        return Err(CmdError::new(
            51002,
            "Location51002",
            format!("Role \"{role}@{db}\" already exists"),
        ));
    }
    let privileges = parse_privileges(req, true)?.unwrap_or_default();
    let inherited = parse_roles(node, req, "roles", true)?.unwrap_or_default();
    let d = doc! {
        "_id": format!("{db}.{role}"),
        "role": role.as_str(),
        "db": db,
        "privileges": privileges,
        "roles": roles_to_bson(&inherited),
    };
    let op = node.store.put_system_role(d)?;
    Ok((Document::new(), op))
}

fn update(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let role = role_name(req)?;
    let privileges = parse_privileges(req, false)?;
    let inherited = parse_roles(node, req, "roles", false)?;
    if privileges.is_none() && inherited.is_none() {
        return Err(CmdError::bad_value(
            "Must specify at least one field to update in updateRole",
        ));
    }
    let mut d = existing(node, &role, &req.db)?;
    if let Some(p) = privileges {
        d.insert("privileges", p);
    }
    if let Some(r) = inherited {
        check_cycle(node, &role, &req.db, &r)?;
        d.insert("roles", roles_to_bson(&r));
    }
    let op = node.store.put_system_role(d)?;
    Ok((Document::new(), op))
}

fn drop_role(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let role = role_name(req)?;
    existing(node, &role, &req.db)?;
    let (_, op) = node
        .store
        .delete_system_roles(&[format!("{}.{role}", req.db)])?;
    Ok((Document::new(), op))
}

fn drop_all(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let ids: Vec<String> = node
        .store
        .system_roles()
        .iter()
        .filter(|r| r.get_str("db") == Ok(req.db.as_str()))
        .filter_map(|r| r.get_str("_id").ok().map(str::to_string))
        .collect();
    let (n, op) = node.store.delete_system_roles(&ids)?;
    Ok((doc! {"n": n as i32}, op))
}

/// Refuse a grant that would make `role@db` inherit itself.
fn check_cycle(
    node: &Node,
    role: &str,
    db: &str,
    inherited: &[(String, String)],
) -> Result<(), CmdError> {
    let me = (role.to_string(), db.to_string());
    let mut stack: Vec<((String, String), usize)> =
        inherited.iter().cloned().map(|r| (r, 0)).collect();
    while let Some((r, depth)) = stack.pop() {
        if r == me {
            return Err(CmdError::new(
                49,
                "InvalidRoleModification",
                format!("Granting roles to {role}@{db} would introduce a cycle in the role graph."),
            ));
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        if let Some(d) = node.store.system_role(&format!("{}.{}", r.1, r.0)) {
            for next in roles::roles_of(&d) {
                stack.push((next, depth + 1));
            }
        }
    }
    Ok(())
}

fn change_roles(node: &Node, req: &Request, grant: bool) -> Result<Outcome, CmdError> {
    let role = role_name(req)?;
    let given = parse_roles(node, req, "roles", true)?.unwrap_or_default();
    if given.is_empty() {
        return Err(CmdError::bad_value(format!(
            "{} command requires a non-empty \"roles\" array",
            req.name
        )));
    }
    let mut d = existing(node, &role, &req.db)?;
    let mut held = roles::roles_of(&d);
    for r in given {
        if grant && !held.contains(&r) {
            held.push(r);
        } else if !grant {
            held.retain(|h| *h != r);
        }
    }
    if grant {
        check_cycle(node, &role, &req.db, &held)?;
    }
    d.insert("roles", roles_to_bson(&held));
    let op = node.store.put_system_role(d)?;
    Ok((Document::new(), op))
}

fn change_privileges(node: &Node, req: &Request, grant: bool) -> Result<Outcome, CmdError> {
    let role = role_name(req)?;
    let given = parse_privileges(req, true)?.unwrap_or_default();
    if given.is_empty() {
        return Err(CmdError::bad_value(format!(
            "{} command requires a non-empty \"privileges\" array",
            req.name
        )));
    }
    let mut d = existing(node, &role, &req.db)?;
    let mut held: Vec<Bson> = d.get_array("privileges").cloned().unwrap_or_default();
    for p in given {
        let Bson::Document(p) = p else { continue };
        let resource = p.get_document("resource").ok().cloned();
        let actions: Vec<Bson> = p.get_array("actions").cloned().unwrap_or_default();
        let pos = held.iter().position(|h| {
            h.as_document()
                .and_then(|h| h.get_document("resource").ok())
                .cloned()
                == resource
        });
        match (pos, grant) {
            (Some(i), true) => {
                if let Some(Bson::Document(h)) = held.get_mut(i) {
                    let mut acts = h.get_array("actions").cloned().unwrap_or_default();
                    for a in actions {
                        if !acts.contains(&a) {
                            acts.push(a);
                        }
                    }
                    h.insert("actions", acts);
                }
            }
            (None, true) => held.push(Bson::Document(p)),
            (Some(i), false) => {
                let mut empty = false;
                if let Some(Bson::Document(h)) = held.get_mut(i) {
                    let mut acts = h.get_array("actions").cloned().unwrap_or_default();
                    acts.retain(|a| !actions.contains(a));
                    empty = acts.is_empty();
                    h.insert("actions", acts);
                }
                if empty {
                    held.remove(i);
                }
            }
            (None, false) => {}
        }
    }
    d.insert("privileges", held);
    let op = node.store.put_system_role(d)?;
    Ok((Document::new(), op))
}

/// The built-in roles that `held` amounts to: built-in roles as they are, user-defined roles
/// replaced by what they inherit and by the built-in role matching each privilege.
pub fn effective(node: &Node, held: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack: Vec<((String, String), usize)> = held.into_iter().map(|r| (r, 0)).collect();
    while let Some(((role, db), depth)) = stack.pop() {
        if roles::exists(&role, &db) {
            if !out.contains(&(role.clone(), db.clone())) {
                out.push((role, db));
            }
            continue;
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Some(d) = node.store.system_role(&format!("{db}.{role}")) else {
            continue;
        };
        for r in roles::roles_of(&d) {
            stack.push((r, depth + 1));
        }
        for p in d
            .get_array("privileges")
            .map(|a| a.as_slice())
            .unwrap_or(&[])
        {
            if let Some(p) = p.as_document() {
                for r in privilege_roles(p) {
                    if !out.contains(&r) {
                        out.push(r);
                    }
                }
            }
        }
    }
    out
}

/// The built-in roles covering one privilege's actions (coarse, as the sandbox's action model).
fn privilege_roles(p: &Document) -> Vec<(String, String)> {
    let resource = p.get_document("resource").ok();
    let cluster = resource.is_some_and(|r| {
        r.get_bool("cluster") == Ok(true) || r.get_bool("anyResource") == Ok(true)
    });
    let db = resource
        .and_then(|r| r.get_str("db").ok())
        .unwrap_or("")
        .to_string();
    let any_db = db.is_empty() || resource.is_some_and(|r| r.get_bool("anyResource") == Ok(true));
    let actions: Vec<&str> = p
        .get_array("actions")
        .map(|a| a.iter().filter_map(Bson::as_str).collect())
        .unwrap_or_default();
    let has = |names: &[&str]| actions.iter().any(|a| names.contains(a));
    let mut out = Vec::new();
    let mut add = |here: &str, anywhere: &str| {
        if any_db {
            out.push((anywhere.to_string(), "admin".to_string()));
        } else {
            out.push((here.to_string(), db.clone()));
        }
    };
    if has(&[
        "find",
        "listCollections",
        "listIndexes",
        "collStats",
        "dbStats",
    ]) {
        add("read", "readAnyDatabase");
    }
    if has(&["insert", "update", "remove"]) {
        add("readWrite", "readWriteAnyDatabase");
    }
    if has(&[
        "createCollection",
        "dropCollection",
        "createIndex",
        "dropIndex",
        "collMod",
        "dropDatabase",
        "renameCollectionSameDB",
        "validate",
        "enableProfiler",
        "compact",
        "reIndex",
        "convertToCapped",
    ]) {
        add("dbAdmin", "dbAdminAnyDatabase");
    }
    if has(&[
        "createUser",
        "dropUser",
        "grantRole",
        "revokeRole",
        "viewUser",
        "createRole",
        "dropRole",
        "viewRole",
        "changePassword",
        "changeCustomData",
    ]) {
        add("userAdmin", "userAdminAnyDatabase");
    }
    if cluster {
        if has(&[
            "serverStatus",
            "replSetGetStatus",
            "replSetGetConfig",
            "getLog",
            "hostInfo",
        ]) {
            out.push(("clusterMonitor".into(), "admin".into()));
        }
        if has(&["replSetConfigure", "replSetStateChange"]) {
            out.push(("clusterManager".into(), "admin".into()));
        }
        if has(&["shutdown", "setParameter", "killop", "fsync", "logRotate"]) {
            out.push(("hostManager".into(), "admin".into()));
        }
    }
    out
}

/// The user-defined roles a rolesInfo argument names (all of `db` for `1`), as mongod shows
/// them; `showPrivileges` adds `privileges` and `inheritedPrivileges`.
pub fn info(node: &Node, arg: Option<&Bson>, cmd: &Document, db: &str) -> Vec<Bson> {
    let wanted: Vec<(String, Option<String>)> = match arg {
        Some(Bson::Array(a)) => a.iter().filter_map(|v| name_of(v, db)).collect(),
        Some(v @ (Bson::String(_) | Bson::Document(_))) => name_of(v, db).into_iter().collect(),
        Some(_) => vec![(db.to_string(), None)],
        None => Vec::new(),
    };
    let show_privileges = matches!(cmd.get("showPrivileges"), Some(Bson::Boolean(true)));
    let mut out = Vec::new();
    for r in node.store.system_roles() {
        let (rdb, name) = (
            r.get_str("db").unwrap_or(""),
            r.get_str("role").unwrap_or(""),
        );
        let hit = wanted
            .iter()
            .any(|(wdb, w)| wdb == rdb && w.as_deref().is_none_or(|w| w == name));
        if !hit {
            continue;
        }
        let direct = roles::roles_of(&r);
        let inherited = effective_names(node, &direct);
        let mut d = doc! {
            "_id": format!("{rdb}.{name}"),
            "role": name,
            "db": rdb,
        };
        let mut all_privileges = None;
        if show_privileges {
            let privileges = r.get_array("privileges").cloned().unwrap_or_default();
            let mut all = privileges.clone();
            for (ir, idb) in &inherited {
                if let Some(x) = node.store.system_role(&format!("{idb}.{ir}")) {
                    all.extend(x.get_array("privileges").cloned().unwrap_or_default());
                }
            }
            d.insert("privileges", privileges);
            all_privileges = Some(all);
        }
        d.insert("roles", roles_to_bson(&direct));
        d.insert("isBuiltin", false);
        d.insert("inheritedRoles", roles_to_bson(&inherited));
        if let Some(all) = all_privileges {
            d.insert("inheritedPrivileges", all);
        }
        out.push(Bson::Document(d));
    }
    out
}

fn name_of(v: &Bson, db: &str) -> Option<(String, Option<String>)> {
    match v {
        Bson::String(r) => Some((db.to_string(), Some(r.clone()))),
        Bson::Document(d) => Some((
            d.get_str("db").ok()?.to_string(),
            Some(d.get_str("role").ok()?.to_string()),
        )),
        _ => None,
    }
}

/// Every role reachable from `direct` (built-in and user-defined), each once.
fn effective_names(node: &Node, direct: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut stack: Vec<((String, String), usize)> =
        direct.iter().cloned().map(|r| (r, 0)).collect();
    while let Some((r, depth)) = stack.pop() {
        if out.contains(&r) {
            continue;
        }
        out.push(r.clone());
        if depth >= MAX_DEPTH {
            continue;
        }
        if let Some(d) = node.store.system_role(&format!("{}.{}", r.1, r.0)) {
            for next in roles::roles_of(&d) {
                stack.push((next, depth + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileges_map_to_action_classes() {
        let p = doc! {"resource": {"db": "app", "collection": ""}, "actions": ["find", "insert"]};
        assert_eq!(
            privilege_roles(&p),
            vec![
                ("read".to_string(), "app".to_string()),
                ("readWrite".to_string(), "app".to_string())
            ]
        );
        let any = doc! {"resource": {"db": "", "collection": ""}, "actions": ["find"]};
        assert_eq!(
            privilege_roles(&any),
            vec![("readAnyDatabase".to_string(), "admin".to_string())]
        );
        let cluster = doc! {"resource": {"cluster": true}, "actions": ["serverStatus"]};
        assert_eq!(
            privilege_roles(&cluster),
            vec![("clusterMonitor".to_string(), "admin".to_string())]
        );
    }
}
