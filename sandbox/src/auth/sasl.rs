//! The SASL commands (`saslStart`, `saslContinue`), speculative authentication and
//! `saslSupportedMechs` in hello, `logout`, `connectionStatus`.

use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, Document};

use super::scram::{self, Mech, ServerConversation};
use super::{auth_failed, credential, log_attempt, roles, AuthedUser};
use crate::error::CmdError;
use crate::node::dispatch::{Conn, Request};
use crate::node::Node;

/// A conversation between saslStart and its last saslContinue.
#[derive(Debug, Clone)]
pub struct Pending {
    id: i32,
    user: String,
    db: String,
    conv: ServerConversation,
    speculative: bool,
    skip_empty_exchange: bool,
    /// The proof was accepted; only the empty closing exchange is left.
    proven: bool,
}

fn payload_of(cmd: &Document) -> Result<Vec<u8>, CmdError> {
    match cmd.get("payload") {
        Some(Bson::Binary(b)) => Ok(b.bytes.clone()),
        // Some clients send the payload as a (base64) string.
        Some(Bson::String(s)) => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| CmdError::bad_value("Invalid SASL payload: not base64"))
        }
        _ => Err(CmdError::new(
            40414,
            "Location40414",
            "BSON field 'saslStart.payload' is missing but a required field",
        )),
    }
}

fn bin(bytes: Vec<u8>) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes,
    })
}

/// `saslStart` on `req.db`.
pub fn start(node: &Node, conn: &mut Conn, req: &Request) -> Result<Document, CmdError> {
    begin(node, conn, &req.cmd, &req.db, false)
}

/// Shared by saslStart and hello's `speculativeAuthenticate` (whose `db` field names the
/// authentication database).
fn begin(
    node: &Node,
    conn: &mut Conn,
    cmd: &Document,
    db: &str,
    speculative: bool,
) -> Result<Document, CmdError> {
    let mech_name = cmd.get_str("mechanism").unwrap_or_default().to_string();
    let Some(mech) = Mech::from_name(&mech_name) else {
        return Err(CmdError::new(
            334,
            "MechanismUnavailable",
            format!("Received authentication for mechanism {mech_name} which is not enabled"),
        ));
    };
    let payload = payload_of(cmd)?;
    let first = match scram::parse_client_first(&payload) {
        Ok(f) => f,
        Err(why) => {
            let why = CmdError::new(17, "ProtocolError", why);
            log_attempt(conn, &mech_name, "", db, speculative, Some(&why));
            return Err(auth_failed());
        }
    };
    let Some(cred) = credential(node, &first.user, db, mech) else {
        let why = CmdError::new(
            11,
            "UserNotFound",
            format!("Could not find user \"{}\" for db \"{db}\"", first.user),
        );
        log_attempt(conn, &mech_name, &first.user, db, speculative, Some(&why));
        return Err(auth_failed());
    };
    let (conv, server_first) = scram::server_first(mech, &cred, &first);
    conn.auth.next_conversation += 1;
    let id = conn.auth.next_conversation;
    let skip_empty_exchange = cmd
        .get_document("options")
        .ok()
        .and_then(|o| o.get_bool("skipEmptyExchange").ok())
        .unwrap_or(false);
    conn.auth.pending = Some(Pending {
        id,
        user: first.user,
        db: db.to_string(),
        conv,
        speculative,
        skip_empty_exchange,
        proven: false,
    });
    Ok(doc! {"conversationId": id, "done": false, "payload": bin(server_first)})
}

/// `saslContinue`: checks the proof, then (unless skipEmptyExchange) one empty closing step.
pub fn continue_(_node: &Node, conn: &mut Conn, req: &Request) -> Result<Document, CmdError> {
    let id = match req.cmd.get("conversationId") {
        Some(Bson::Int32(i)) => *i,
        Some(Bson::Int64(i)) => *i as i32,
        Some(Bson::Double(f)) => *f as i32,
        _ => -1,
    };
    let Some(mut p) = conn.auth.pending.take() else {
        return Err(CmdError::new(
            17,
            "ProtocolError",
            "No SASL session state found",
        ));
    };
    if p.id != id {
        return Err(CmdError::new(
            17,
            "ProtocolError",
            "Invalid conversation ID",
        ));
    }
    let mech = p.conv.mech.name();
    if p.proven {
        finish(conn, &p);
        return Ok(doc! {"conversationId": id, "done": true, "payload": bin(Vec::new())});
    }
    let payload = payload_of(&req.cmd)?;
    match p.conv.client_final(&payload) {
        Ok(server_final) => {
            if p.skip_empty_exchange {
                finish(conn, &p);
                return Ok(doc! {"conversationId": id, "done": true, "payload": bin(server_final)});
            }
            p.proven = true;
            conn.auth.pending = Some(p);
            Ok(doc! {"conversationId": id, "done": false, "payload": bin(server_final)})
        }
        Err(why) => {
            let why = CmdError::new(18, "AuthenticationFailed", why);
            log_attempt(conn, mech, &p.user, &p.db, p.speculative, Some(&why));
            Err(auth_failed())
        }
    }
}

/// The conversation succeeded: the connection is now that user (re-authenticating replaces the
/// previous identity, as mongod 7.0 does for single-user connections).
fn finish(conn: &mut Conn, p: &Pending) {
    conn.auth.users = vec![AuthedUser {
        user: p.user.clone(),
        db: p.db.clone(),
    }];
    log_attempt(
        conn,
        p.conv.mech.name(),
        &p.user,
        &p.db,
        p.speculative,
        None,
    );
}

/// Adds `saslSupportedMechs` and `speculativeAuthenticate` to a hello reply when asked.
pub fn hello_extras(node: &Node, conn: &mut Conn, req: &Request, reply: &mut Document) {
    if let Ok(spec) = req.cmd.get_str("saslSupportedMechs") {
        if let Some((db, user)) = spec.split_once('.') {
            let mechs: Vec<Bson> = scram::MECHANISMS
                .into_iter()
                .filter(|m| credential(node, user, db, *m).is_some())
                .map(|m| Bson::String(m.name().into()))
                .collect();
            if !mechs.is_empty() {
                reply.insert("saslSupportedMechs", mechs);
            }
        }
    }
    if let Ok(spec) = req.cmd.get_document("speculativeAuthenticate") {
        let db = spec.get_str("db").unwrap_or("admin").to_string();
        // A failed attempt only leaves the field out: the driver then authenticates normally and
        // gets the error there.
        if let Ok(d) = begin(node, conn, spec, &db, true) {
            reply.insert("speculativeAuthenticate", d);
        }
    }
}

/// `logout`: forgets the identities authenticated on this database.
pub fn logout(conn: &mut Conn, req: &Request) -> Document {
    conn.auth.users.retain(|u| u.db != req.db);
    conn.auth.pending = None;
    Document::new()
}

/// `connectionStatus`: who this connection is and the roles it holds.
pub fn connection_status(node: &Node, conn: &Conn, _req: &Request) -> Document {
    let users: Vec<Bson> = conn
        .auth
        .users
        .iter()
        .map(|u| Bson::Document(doc! {"user": u.user.as_str(), "db": u.db.as_str()}))
        .collect();
    let mut all_roles: Vec<(String, String)> = Vec::new();
    for u in &conn.auth.users {
        for r in super::roles_of(node, u) {
            if !all_roles.contains(&r) {
                all_roles.push(r);
            }
        }
    }
    doc! {"authInfo": {"authenticatedUsers": users, "authenticatedUserRoles": roles::roles_to_bson(&all_roles)}}
}
