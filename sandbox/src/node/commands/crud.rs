//! Data commands: member-state gating (10107 / 13435 / 13436), execution by the store, and write
//! concern waits (write_concern.rs).

use std::sync::Arc;

use bson::{Bson, Document};

use crate::data::{CmdKind, Store};
use crate::error::CmdError;
use crate::node::dispatch::Request;
use crate::node::{MemberState, Node};

pub async fn run(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    let kind = Store::command_kind(&req.name).unwrap_or(CmdKind::Read);
    match kind {
        CmdKind::Write => gate_write(node, req)?,
        CmdKind::Read => gate_read(node, req)?,
        CmdKind::Cursor => {}
    }
    super::tailing::prepare(node, req)?;
    let run_once = || {
        let (store, db, cmd) = (node.store.clone(), req.db.clone(), req.cmd.clone());
        async move {
            tokio::task::spawn_blocking(move || store.run(&db, &cmd))
                .await
                .map_err(|_| {
                    CmdError::new(
                        1,
                        "InternalError",
                        format!("{} failed unexpectedly", req.name),
                    )
                })?
        }
    };
    let outcome = match super::tailing::await_budget(node, req) {
        Some(budget) => super::tailing::await_data(node, req, budget, run_once).await?,
        None => run_once().await?,
    };
    let mut reply = outcome.reply;
    if kind == CmdKind::Write {
        if let Some(optime) = outcome.write_optime {
            node.notify_progress();
            if let Some(wce) = super::write_concern::wait(node, req, optime).await {
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
