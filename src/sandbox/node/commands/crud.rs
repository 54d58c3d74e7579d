//! Data commands: member-state gating (10107 / 13435 / 13436), execution by the store, and write
//! concern (`w: 1 | n | "majority"`, `wtimeout`) against the members' replicated positions.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, Document};

use super::super::super::data::{CmdKind, OpTime, Store};
use super::super::super::error::CmdError;
use super::super::config_view::{self, num};
use super::super::dispatch::Request;
use super::super::{MemberState, Node};

pub async fn run(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    let kind = Store::command_kind(&req.name).unwrap_or(CmdKind::Read);
    match kind {
        CmdKind::Write => gate_write(node, req)?,
        CmdKind::Read => gate_read(node, req)?,
        CmdKind::Cursor => {}
    }
    let (store, db, cmd) = (node.store.clone(), req.db.clone(), req.cmd.clone());
    let outcome = tokio::task::spawn_blocking(move || store.run(&db, &cmd))
        .await
        .map_err(|_| {
            CmdError::new(
                1,
                "InternalError",
                format!("{} failed unexpectedly", req.name),
            )
        })??;
    let mut reply = outcome.reply;
    if kind == CmdKind::Write {
        if let Some(optime) = outcome.write_optime {
            node.notify_progress();
            if let Some(wce) = wait_for_write_concern(node, req, optime).await {
                insert_before_ok(&mut reply, "writeConcernError", Bson::Document(wce));
            }
        }
    }
    Ok(reply)
}

fn not_writable(req: &Request) -> CmdError {
    let msg = if req.conn.hello_ok || !req.legacy {
        "not primary"
    } else {
        "not master"
    };
    CmdError::new(10107, "NotWritablePrimary", msg)
}

fn gate_write(node: &Node, req: &Request) -> Result<(), CmdError> {
    let repl = node.repl();
    if repl.set_name.is_none() || req.db == "local" || repl.is_writable_primary() {
        return Ok(());
    }
    Err(not_writable(req))
}

fn gate_read(node: &Node, req: &Request) -> Result<(), CmdError> {
    if req.name == "listDatabases" {
        super::admin_only(req)?;
    }
    let repl = node.repl();
    if repl.set_name.is_none() || (req.db == "local" && req.name != "listDatabases") {
        return Ok(());
    }
    match repl.reported_state() {
        MemberState::Primary => Ok(()),
        MemberState::Secondary if req.secondary_ok => Ok(()),
        MemberState::Secondary => Err(CmdError::not_primary_no_secondary_ok()),
        _ if req.name == "listDatabases" => Err(CmdError::new(
            13436,
            "NotPrimaryOrSecondary",
            "node is not in primary or recovering state",
        )),
        _ => Err(CmdError::new(
            13436,
            "NotPrimaryOrSecondary",
            "not primary or secondary; cannot currently read from this replSet member",
        )),
    }
}

fn insert_before_ok(reply: &mut Document, key: &str, value: Bson) {
    let ok = reply.remove("ok");
    reply.insert(key, value);
    if let Some(ok) = ok {
        reply.insert("ok", ok);
    }
}

/// What the client asked for, or the implicit default (`majority`, or `w: 1` for PSA sets).
enum W {
    Count(i64),
    Majority,
}

/// Waits until the write at `optime` satisfies the write concern; `Some(writeConcernError)` on
/// timeout or an impossible `w`.
async fn wait_for_write_concern(node: &Node, req: &Request, optime: OpTime) -> Option<Document> {
    let cfg = node.repl().config_doc.clone()?;
    let members = config_view::members(&cfg);
    let (majority, write_majority, _, writable) = config_view::majorities(&members);
    // No writeConcern: a global default from setDefaultRWConcern, else the implicit one.
    let custom = match req.cmd.get_document("writeConcern") {
        Ok(_) => None,
        Err(_) => super::rw_defaults::default_write_concern(node),
    };
    let provenance = if req.cmd.contains_key("writeConcern") {
        "clientSupplied"
    } else if custom.is_some() {
        "customDefault"
    } else {
        "implicitDefault"
    };
    let wc = req
        .cmd
        .get_document("writeConcern")
        .ok()
        .or(custom.as_ref());
    let w = match wc.and_then(|wc| wc.get("w")) {
        Some(Bson::String(s)) if s == "majority" => W::Majority,
        Some(Bson::String(mode)) => {
            return Some(wce(
                100,
                "UnknownReplWriteConcern",
                &format!("No write concern mode named '{mode}' found in replica set configuration"),
                wc,
                provenance,
                false,
            ))
        }
        Some(v) => W::Count(num(Some(v)).unwrap_or(1.0) as i64),
        None if writable <= majority
            && writable < members.iter().filter(|m| m.is_voter()).count() as i32 =>
        {
            W::Count(1)
        }
        None => W::Majority,
    };
    let data_members = members.iter().filter(|m| !m.arbiter_only).count() as i64;
    let needed = match w {
        W::Count(n) if n <= 1 => return None,
        W::Count(n) if n > data_members => {
            return Some(wce(
                100,
                "UnsatisfiableWriteConcern",
                "Not enough data-bearing nodes",
                wc,
                provenance,
                false,
            ));
        }
        W::Count(n) => n,
        W::Majority => i64::from(write_majority),
    };
    let timeout = wc
        .and_then(|wc| num(wc.get("wtimeout")).or_else(|| num(wc.get("wtimeoutMS"))))
        .filter(|ms| *ms > 0.0)
        .map(|ms| Duration::from_millis(ms as u64));
    let majority_only = matches!(w, W::Majority);
    let reached = || acknowledged(node, &members, optime, majority_only) >= needed;
    // A stepdown ends the wait (step_down_locked wakes waiters): mongod fails every waiter with
    // PrimarySteppedDown, which drivers retry.
    let term = node.repl().term;
    let stepped_down = || {
        let repl = node.repl();
        !repl.is_primary() || repl.term != term
    };
    if node
        .wait_progress(timeout, || reached() || stepped_down())
        .await
    {
        if reached() {
            return None;
        }
        return Some(wce(
            189,
            "PrimarySteppedDown",
            "Primary stepped down while waiting for replication",
            wc,
            provenance,
            false,
        ));
    }
    Some(wce(
        64,
        "WriteConcernFailed",
        "waiting for replication timed out",
        wc,
        provenance,
        true,
    ))
}

/// How many members (self included) have applied `optime`; for majority only voters count.
fn acknowledged(
    node: &Node,
    members: &[config_view::MemberView],
    optime: OpTime,
    voters_only: bool,
) -> i64 {
    let repl = node.repl();
    let mut n = 0;
    for (i, m) in members.iter().enumerate() {
        if m.arbiter_only || (voters_only && !m.is_voter()) {
            continue;
        }
        let applied = if Some(i) == repl.self_index {
            node.store.last_applied()
        } else {
            match repl.members.get(i) {
                Some(h) if h.up => h.applied,
                _ => continue,
            }
        };
        if applied >= optime {
            n += 1;
        }
    }
    n
}

fn wce(
    code: i32,
    code_name: &str,
    errmsg: &str,
    wc: Option<&Document>,
    provenance: &str,
    timed_out: bool,
) -> Document {
    let mut given = wc.cloned().unwrap_or_default();
    given.insert("provenance", provenance);
    let mut info = Document::new();
    if timed_out {
        info.insert("wtimeout", true);
    }
    info.insert("writeConcern", given);
    doc! {"code": code, "codeName": code_name, "errmsg": errmsg, "errInfo": info}
}
