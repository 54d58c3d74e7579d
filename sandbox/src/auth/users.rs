//! User management: createUser, updateUser, dropUser, dropAllUsersFromDatabase, usersInfo,
//! grantRolesToUser, revokeRolesFromUser. Users are documents of `admin.system.users`
//! (`_id: "<db>.<user>"`), written on the primary and replicated like any other data.

use std::sync::Arc;

use bson::{doc, Bson, Document};

use super::roles::{self, roles_to_bson};
use super::scram::{Credential, Mech, MECHANISMS};
use crate::data::OpTime;
use crate::error::CmdError;
use crate::node::commands::write_concern;
use crate::node::dispatch::Request;
use crate::node::Node;

pub const COMMANDS: &[&str] = &[
    "createUser",
    "updateUser",
    "dropUser",
    "dropAllUsersFromDatabase",
    "usersInfo",
    "grantRolesToUser",
    "revokeRolesFromUser",
];

pub async fn run(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    if req.name == "usersInfo" {
        return users_info(node, req);
    }
    writable(node, req)?;
    let (reply, optime) = match req.name.as_str() {
        "createUser" => create(node, req)?,
        "updateUser" => update(node, req)?,
        "dropUser" => drop_user(node, req)?,
        "dropAllUsersFromDatabase" => drop_all(node, req)?,
        "grantRolesToUser" => change_roles(node, req, true)?,
        "revokeRolesFromUser" => change_roles(node, req, false)?,
        other => return Err(CmdError::command_not_found(other)),
    };
    let mut reply = reply;
    if let Some(op) = optime {
        node.notify_progress();
        if let Some(wce) = write_concern::wait(node, req, op).await {
            reply.insert("writeConcernError", wce);
        }
    }
    Ok(reply)
}

/// User changes are writes: primary only (like any write to `admin`).
pub(super) fn writable(node: &Node, req: &Request) -> Result<(), CmdError> {
    let repl = node.repl();
    if repl.set_name.is_none() || repl.is_writable_primary() {
        return Ok(());
    }
    let msg = if req.conn.hello_ok || !req.legacy {
        "not primary"
    } else {
        "not master"
    };
    Err(CmdError::new(10107, "NotWritablePrimary", msg))
}

fn user_name(req: &Request) -> Result<String, CmdError> {
    match req.arg() {
        Some(Bson::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Bson::String(_)) => Err(CmdError::bad_value(
            "User document needs 'user' field to be non-empty",
        )),
        _ => Err(CmdError::type_mismatch(format!(
            "BSON field '{0}.{0}' is the wrong type, expected type 'string'",
            req.name
        ))),
    }
}

/// The credentials for `pwd` (honouring `mechanisms` and `digestPassword`).
fn credentials(req: &Request, user: &str, pwd: &str) -> Result<Document, CmdError> {
    if pwd.is_empty() {
        return Err(CmdError::bad_value("Password cannot be empty"));
    }
    let digested = req.cmd.get_bool("digestPassword") == Ok(false);
    let mechs: Vec<Mech> = match req.cmd.get("mechanisms") {
        None => {
            if digested {
                vec![Mech::Sha1]
            } else {
                MECHANISMS.to_vec()
            }
        }
        Some(Bson::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|m| match m {
                Bson::String(s) => Mech::from_name(s)
                    .ok_or_else(|| CmdError::bad_value(format!("Unknown auth mechanism '{s}'"))),
                _ => Err(CmdError::bad_value(
                    "mechanisms field must be an array of strings",
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(CmdError::bad_value(
                "mechanisms field must be a non-empty array of strings",
            ))
        }
    };
    let mut out = Document::new();
    for m in mechs {
        let prepared = match (m, digested) {
            (Mech::Sha1, true) => pwd.to_string(),
            (Mech::Sha256, true) => {
                return Err(CmdError::bad_value(
                    "Use of SCRAM-SHA-256 requires undigested passwords",
                ))
            }
            _ => m.prepare_password(user, pwd).map_err(CmdError::bad_value)?,
        };
        out.insert(m.name(), Credential::generate(m, &prepared).to_document());
    }
    Ok(out)
}

fn password(req: &Request) -> Result<Option<String>, CmdError> {
    match req.cmd.get("pwd") {
        None => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(CmdError::type_mismatch(format!(
            "BSON field '{}.pwd' is the wrong type, expected type 'string'",
            req.name
        ))),
    }
}

type Outcome = (Document, Option<OpTime>);

/// A `roles` argument; user-defined roles count as existing.
fn parse_roles(
    node: &Node,
    v: Option<&Bson>,
    field: &str,
    db: &str,
) -> Result<Vec<(String, String)>, CmdError> {
    let custom = |r: &str, d: &str| node.store.system_role(&format!("{d}.{r}")).is_some();
    roles::parse_roles_with(v, field, db, &custom)
}

fn create(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let user = user_name(req)?;
    let db = req.db.as_str();
    if db == "$external" || db == "local" {
        return Err(CmdError::bad_value(format!(
            "rsh-sandbox cannot create users in the {db} database"
        )));
    }
    let Some(pwd) = password(req)? else {
        return Err(CmdError::bad_value(
            "Must provide a 'pwd' field for all user documents, except those with '$external' as the user's source db",
        ));
    };
    let roles = parse_roles(node, req.cmd.get("roles"), "createUser.roles", db)?;
    let id = format!("{db}.{user}");
    if node.store.system_user(&id).is_some() {
        return Err(CmdError::new(
            51003,
            "Location51003",
            format!("User \"{user}@{db}\" already exists"),
        ));
    }
    let mut d = doc! {
        "_id": id,
        "userId": bson::Uuid::new(),
        "user": user.as_str(),
        "db": db,
        "credentials": credentials(req, &user, &pwd)?,
    };
    if let Some(cd) = custom_data(req)? {
        d.insert("customData", cd);
    }
    d.insert("roles", roles_to_bson(&roles));
    let op = node.store.put_system_user(d)?;
    Ok((Document::new(), op))
}

fn custom_data(req: &Request) -> Result<Option<Document>, CmdError> {
    match req.cmd.get("customData") {
        None => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d.clone())),
        Some(_) => Err(CmdError::type_mismatch(format!(
            "BSON field '{}.customData' is the wrong type, expected type 'object'",
            req.name
        ))),
    }
}

fn existing(node: &Node, req: &Request, user: &str) -> Result<Document, CmdError> {
    node.store
        .system_user(&format!("{}.{user}", req.db))
        .ok_or_else(|| {
            CmdError::new(
                11,
                "UserNotFound",
                format!("Could not find user \"{user}\" for db \"{}\"", req.db),
            )
        })
}

fn update(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let user = user_name(req)?;
    let pwd = password(req)?;
    let roles = match req.cmd.get("roles") {
        Some(v) => Some(parse_roles(node, Some(v), "updateUser.roles", &req.db)?),
        None => None,
    };
    let cd = custom_data(req)?;
    if pwd.is_none() && roles.is_none() && cd.is_none() {
        return Err(CmdError::bad_value(
            "Must specify at least one field to update in updateUser",
        ));
    }
    if pwd.is_none() && req.cmd.contains_key("mechanisms") {
        return Err(CmdError::bad_value(
            "mechanisms field must not be set without also setting pwd",
        ));
    }
    let mut d = existing(node, req, &user)?;
    if let Some(p) = pwd {
        d.insert("credentials", credentials(req, &user, &p)?);
    }
    if let Some(cd) = cd {
        d.insert("customData", cd);
    }
    if let Some(r) = roles {
        d.insert("roles", roles_to_bson(&r));
    }
    let op = node.store.put_system_user(d)?;
    Ok((Document::new(), op))
}

fn drop_user(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let user = user_name(req)?;
    let (n, op) = node
        .store
        .delete_system_users(&[format!("{}.{user}", req.db)])?;
    if n == 0 {
        return Err(CmdError::new(
            11,
            "UserNotFound",
            format!("User '{user}@{}' not found", req.db),
        ));
    }
    Ok((Document::new(), op))
}

fn drop_all(node: &Node, req: &Request) -> Result<Outcome, CmdError> {
    let ids: Vec<String> = node
        .store
        .system_users()
        .iter()
        .filter(|u| u.get_str("db") == Ok(req.db.as_str()))
        .filter_map(|u| u.get_str("_id").ok().map(str::to_string))
        .collect();
    let (n, op) = node.store.delete_system_users(&ids)?;
    Ok((doc! {"n": n as i32}, op))
}

fn change_roles(node: &Node, req: &Request, grant: bool) -> Result<Outcome, CmdError> {
    let user = user_name(req)?;
    let given = parse_roles(
        node,
        req.cmd.get("roles"),
        &format!("{}.roles", req.name),
        &req.db,
    )?;
    if given.is_empty() {
        return Err(CmdError::bad_value(format!(
            "{} command requires a non-empty \"roles\" array",
            req.name
        )));
    }
    let mut d = existing(node, req, &user)?;
    let mut held = roles::roles_of(&d);
    for r in given {
        if grant && !held.contains(&r) {
            held.push(r);
        } else if !grant {
            held.retain(|h| *h != r);
        }
    }
    d.insert("roles", roles_to_bson(&held));
    let op = node.store.put_system_user(d)?;
    Ok((Document::new(), op))
}

/// Which users a usersInfo argument names: `(db, Some(user))`, or `(db, None)` for all of `db`.
fn wanted(req: &Request) -> Result<Vec<(String, Option<String>)>, CmdError> {
    let one = |v: &Bson| -> Result<(String, Option<String>), CmdError> {
        match v {
            Bson::String(u) => Ok((req.db.clone(), Some(u.clone()))),
            Bson::Document(d) => match (d.get_str("user"), d.get_str("db")) {
                (Ok(u), Ok(db)) => Ok((db.to_string(), Some(u.to_string()))),
                _ => Err(CmdError::bad_value(
                    "User name must contain both 'user' and 'db' fields",
                )),
            },
            _ => Err(CmdError::bad_value(
                "User name must be either a string or an object",
            )),
        }
    };
    match req.arg() {
        Some(Bson::Int32(1)) | Some(Bson::Int64(1)) => Ok(vec![(req.db.clone(), None)]),
        Some(Bson::Double(f)) if *f == 1.0 => Ok(vec![(req.db.clone(), None)]),
        Some(Bson::Array(a)) => a.iter().map(one).collect(),
        Some(Bson::Document(d)) if d.get_bool("forAllDBs") == Ok(true) => {
            Ok(vec![(String::new(), None)])
        }
        Some(v) => Ok(vec![one(v)?]),
        None => Err(CmdError::bad_value("usersInfo requires an argument")),
    }
}

fn users_info(node: &Node, req: &Request) -> Result<Document, CmdError> {
    let wanted = wanted(req)?;
    let show_creds = req.cmd.get_bool("showCredentials").unwrap_or(false);
    let mut users = Vec::new();
    for u in node.store.system_users() {
        let (db, name) = (
            u.get_str("db").unwrap_or(""),
            u.get_str("user").unwrap_or(""),
        );
        let hit = wanted.iter().any(|(wdb, wuser)| {
            (wdb.is_empty() || wdb == db) && wuser.as_deref().is_none_or(|w| w == name)
        });
        if hit {
            users.push(Bson::Document(shown(&u, show_creds)));
        }
    }
    Ok(doc! {"users": users})
}

/// A user as usersInfo shows it: credentials only on request, `mechanisms` always.
fn shown(u: &Document, show_creds: bool) -> Document {
    let creds = u.get_document("credentials").ok();
    let mechs: Vec<Bson> = creds
        .map(|c| c.keys().map(|k| Bson::String(k.clone())).collect())
        .unwrap_or_default();
    let mut out = Document::new();
    for (k, v) in u {
        if k == "credentials" && !show_creds {
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    out.insert("mechanisms", mechs);
    out
}
