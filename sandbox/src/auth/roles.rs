//! Built-in roles and the coarse action classes they grant.
//!
//! mongod's privileges are (resource, action) pairs; the sandbox groups commands into a few
//! classes instead (see `authz::required`), which is enough to tell a reader from a writer from
//! an administrator the way tutorials exercise it.

use bson::{doc, Bson, Document};

use crate::error::CmdError;

/// What a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    DbAdmin,
    UserAdmin,
    /// Status and configuration reads (replSetGetStatus, serverStatus, getLog, ...).
    ClusterMonitor,
    /// Replica-set changes (replSetReconfig, replSetStepDown, replSetInitiate, ...).
    ClusterManager,
    /// Process control (shutdown, setParameter, ...).
    HostManager,
    /// Member-to-member traffic (heartbeats, votes, oplog fetching): `__system` only.
    Internal,
}

/// Roles defined in every database.
const DB_ROLES: &[&str] = &["read", "readWrite", "dbAdmin", "dbOwner", "userAdmin"];
/// Roles defined only in `admin`.
const ADMIN_ROLES: &[&str] = &[
    "clusterAdmin",
    "clusterManager",
    "clusterMonitor",
    "hostManager",
    "backup",
    "restore",
    "root",
    "readAnyDatabase",
    "readWriteAnyDatabase",
    "userAdminAnyDatabase",
    "dbAdminAnyDatabase",
    "__system",
];

pub fn exists(role: &str, db: &str) -> bool {
    DB_ROLES.contains(&role) || (db == "admin" && ADMIN_ROLES.contains(&role))
}

/// Does `role@role_db` allow `action` on database `db`?
pub fn grants(role: &str, role_db: &str, action: Action, db: &str) -> bool {
    use Action::*;
    if !exists(role, role_db) {
        return false;
    }
    let here = role_db == db;
    match role {
        "read" => here && action == Read,
        "readWrite" => here && matches!(action, Read | Write),
        "dbAdmin" => here && action == DbAdmin,
        "userAdmin" => here && action == UserAdmin,
        "dbOwner" => here && matches!(action, Read | Write | DbAdmin | UserAdmin),
        "readAnyDatabase" | "backup" => action == Read,
        "readWriteAnyDatabase" => matches!(action, Read | Write),
        "userAdminAnyDatabase" => action == UserAdmin,
        "dbAdminAnyDatabase" => action == DbAdmin,
        "restore" => matches!(action, Write | UserAdmin),
        "clusterMonitor" => action == ClusterMonitor,
        "clusterManager" => matches!(action, ClusterManager | ClusterMonitor),
        "hostManager" => action == HostManager,
        "clusterAdmin" => matches!(action, ClusterManager | ClusterMonitor | HostManager),
        "root" => action != Internal,
        "__system" => true,
        _ => false,
    }
}

/// A role as written in `roles: [...]`: `"name"` (in `default_db`) or `{role, db}`; the role
/// must exist (31 RoleNotFound otherwise, as mongod).
pub fn parse_role(v: &Bson, default_db: &str) -> Result<(String, String), CmdError> {
    parse_role_with(v, default_db, &|_: &str, _: &str| false)
}

/// [`parse_role`] where `custom(role, db)` says whether a user-defined role exists.
pub fn parse_role_with(
    v: &Bson,
    default_db: &str,
    custom: &dyn Fn(&str, &str) -> bool,
) -> Result<(String, String), CmdError> {
    let (role, db) = match v {
        Bson::String(r) => (r.clone(), default_db.to_string()),
        Bson::Document(d) => {
            let role = d
                .get_str("role")
                .map_err(|_| CmdError::bad_value("Missing expected field \"role\""))?;
            let db = d
                .get_str("db")
                .map_err(|_| CmdError::bad_value("Missing expected field \"db\""))?;
            (role.to_string(), db.to_string())
        }
        _ => {
            return Err(CmdError::bad_value(
                "Role names must be either strings or objects",
            ))
        }
    };
    if !exists(&role, &db) && !custom(&role, &db) {
        return Err(CmdError::new(
            31,
            "RoleNotFound",
            format!("Could not find role: {role}@{db}"),
        ));
    }
    Ok((role, db))
}

/// All roles of a `roles` array argument, built-in or user-defined (`custom(role, db)`).
pub fn parse_roles_with(
    v: Option<&Bson>,
    field: &str,
    default_db: &str,
    custom: &dyn Fn(&str, &str) -> bool,
) -> Result<Vec<(String, String)>, CmdError> {
    match v {
        Some(Bson::Array(a)) => a
            .iter()
            .map(|r| parse_role_with(r, default_db, custom))
            .collect(),
        Some(_) => Err(CmdError::type_mismatch(format!(
            "BSON field '{field}' is the wrong type, expected type 'array'"
        ))),
        None => Err(CmdError::new(
            40414,
            "Location40414",
            format!("BSON field '{field}' is missing but a required field"),
        )),
    }
}

pub fn roles_to_bson(roles: &[(String, String)]) -> Bson {
    Bson::Array(
        roles
            .iter()
            .map(|(r, d)| Bson::Document(doc! {"role": r.as_str(), "db": d.as_str()}))
            .collect(),
    )
}

/// The `{role, db}` pairs of a stored user document.
pub fn roles_of(user: &Document) -> Vec<(String, String)> {
    user.get_array("roles")
        .map(|a| {
            a.iter()
                .filter_map(|r| match r {
                    Bson::Document(d) => Some((
                        d.get_str("role").ok()?.to_string(),
                        d.get_str("db").ok()?.to_string(),
                    )),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `rolesInfo`: the built-in roles asked for (`1` lists them only with `showBuiltinRoles`).
/// Unknown names are left out, as mongod does; user-defined roles are added by the caller.
pub fn roles_info(arg: Option<&Bson>, cmd: &Document, db: &str) -> Result<Document, CmdError> {
    let entry = |role: &str, rdb: &str| {
        Bson::Document(doc! {
            "role": role, "db": rdb, "isBuiltin": true, "roles": [], "inheritedRoles": [],
        })
    };
    let one = |v: &Bson| -> Result<Option<Bson>, CmdError> {
        let (role, rdb) = match v {
            Bson::String(r) => (r.clone(), db.to_string()),
            Bson::Document(d) => match (d.get_str("role"), d.get_str("db")) {
                (Ok(r), Ok(d)) => (r.to_string(), d.to_string()),
                _ => return Err(CmdError::bad_value("Missing expected field \"role\"")),
            },
            _ => {
                return Err(CmdError::bad_value(
                    "Role names must be either strings or objects",
                ))
            }
        };
        Ok(exists(&role, &rdb).then(|| entry(&role, &rdb)))
    };
    let roles: Vec<Bson> = match arg {
        Some(Bson::Array(a)) => a
            .iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect(),
        Some(v @ (Bson::String(_) | Bson::Document(_))) => one(v)?.into_iter().collect(),
        Some(_) if cmd.get_bool("showBuiltinRoles") == Ok(true) => DB_ROLES
            .iter()
            .chain(if db == "admin" { ADMIN_ROLES } else { &[] })
            .filter(|r| **r != "__system")
            .map(|r| entry(r, db))
            .collect(),
        Some(_) => Vec::new(),
        None => return Err(CmdError::bad_value("rolesInfo requires an argument")),
    };
    Ok(doc! {"roles": roles})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_roles_stay_in_their_database() {
        assert!(grants("readWrite", "test", Action::Write, "test"));
        assert!(!grants("readWrite", "test", Action::Write, "other"));
        assert!(!grants("read", "test", Action::Write, "test"));
        assert!(!grants(
            "readWrite",
            "admin",
            Action::ClusterManager,
            "admin"
        ));
        assert!(grants("readAnyDatabase", "admin", Action::Read, "x"));
        assert!(!grants("readAnyDatabase", "test", Action::Read, "test"));
        assert!(grants("root", "admin", Action::ClusterManager, "admin"));
        assert!(!grants("root", "admin", Action::Internal, "admin"));
        assert!(grants(
            "clusterAdmin",
            "admin",
            Action::ClusterManager,
            "admin"
        ));
        assert!(!grants(
            "clusterMonitor",
            "admin",
            Action::ClusterManager,
            "admin"
        ));
    }

    #[test]
    fn roles_info_lists_built_in_roles() {
        let r = roles_info(Some(&Bson::String("read".into())), &doc! {}, "test").expect("ok"); // ok: test data
        assert_eq!(
            r,
            doc! {"roles": [{"role": "read", "db": "test", "isBuiltin": true, "roles": [], "inheritedRoles": []}]}
        );
        let all = roles_info(
            Some(&Bson::Int32(1)),
            &doc! {"showBuiltinRoles": true},
            "admin",
        )
        .expect("ok"); // ok: test data
        assert_eq!(all.get_array("roles").map(Vec::len), Ok(16));
        let none = roles_info(Some(&Bson::Int32(1)), &doc! {}, "test").expect("ok"); // ok: test data
        assert_eq!(none, doc! {"roles": []});
    }

    #[test]
    fn unknown_and_misplaced_roles_are_role_not_found() {
        let e = parse_role(&Bson::String("nope".into()), "test").unwrap_err();
        assert_eq!(
            (e.code, e.errmsg.as_str()),
            (31, "Could not find role: nope@test")
        );
        let e = parse_role(&Bson::Document(doc! {"role": "root", "db": "test"}), "x").unwrap_err();
        assert_eq!(e.errmsg, "Could not find role: root@test");
        assert_eq!(
            parse_role(&Bson::String("root".into()), "admin"),
            Ok(("root".into(), "admin".into()))
        );
    }
}
