//! Data commands: member-state gating (10107 / 13435 / 13436), execution by the store, and write
//! concern waits (write_concern.rs).

use std::sync::Arc;
use std::time::Instant;

use bson::{Bson, Document};

use crate::data::{CmdKind, Store};
use crate::error::CmdError;
use crate::node::dispatch::Request;
use crate::node::{max_time, MemberState, Node};

pub async fn run(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    let kind = match Store::command_kind(&req.name).unwrap_or(CmdKind::Read) {
        // An aggregate ending in $out/$merge writes: primary only, under its write concern.
        CmdKind::Read if req.name == "aggregate" && crate::data::agg_out::writes(&req.cmd) => {
            CmdKind::Write
        }
        k => k,
    };
    match kind {
        CmdKind::Write => gate_write(node, req)?,
        CmdKind::Read => gate_read(node, req)?,
        CmdKind::Cursor => {}
    }
    if kind == CmdKind::Write {
        // fsync {lock: true} holds writes until fsyncUnlock, as on mongod (or the time limit).
        tokio::select! {
            () = node.admin.wait_unlocked() => {}
            () = max_time::reached(req.deadline) => return Err(max_time::expired()),
        }
    }
    if kind != CmdKind::Write && max_time::passed(req.deadline) {
        // A getMore whose cursor has no time left: mongod fails it and closes the cursor.
        if let Some(id) = get_more_id(req) {
            node.store.close_cursor(id);
        }
        return Err(max_time::expired());
    }
    let started = std::time::Instant::now();
    super::tailing::prepare(node, req)?;
    // Reads stop scanning at their time limit; a write, once started, completes.
    let limit = req.deadline.filter(|_| kind != CmdKind::Write);
    let run_once = || {
        let (store, db, cmd) = (node.store.clone(), req.db.clone(), req.cmd.clone());
        let member = node.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                // A write applied in parts stops when the member steps down meanwhile.
                let still_writable = || kind != CmdKind::Write || writable(&member, &db);
                crate::data::interrupt::with_deadline(limit, || {
                    store.run_while(&db, &cmd, &still_writable)
                })
            })
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
    if kind != CmdKind::Write && req.deadline.is_some() {
        let cursor = get_more_id(req).or_else(|| opened_cursor(&reply));
        if max_time::passed(req.deadline) {
            // The scans stopped at the limit: what they found is dropped.
            if let Some(id) = cursor {
                node.store.close_cursor(id);
            }
            return Err(max_time::expired());
        }
        if let (Some(id), Some(d)) = (cursor, req.deadline) {
            node.store
                .set_cursor_time_left(id, d.saturating_duration_since(Instant::now()));
        }
    }
    note_usage(node, req, kind, &reply, started);
    if kind == CmdKind::Write {
        // A standalone writes no oplog entry, so this does not depend on `write_optime`.
        if super::durability::wanted(node, req).await {
            let store = node.store.clone();
            let synced = tokio::task::spawn_blocking(move || store.wait_durable()).await;
            match synced {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(CmdError::new(14031, "OutOfDiskSpace", e)),
                Err(_) => return Err(CmdError::new(1, "InternalError", "journal sync failed")),
            }
        }
        // A write that changed nothing (no match, duplicate key, ...) still waits, for the newest
        // optime this member holds: mongod moves the client's last optime there, so `w` reports
        // whether the client's earlier writes are replicated.
        let optime = match outcome.write_optime {
            Some(optime) => {
                node.notify_progress();
                optime
            }
            None => node.store.last_applied(),
        };
        if let Some(wce) = super::write_concern::wait(node, req, optime).await {
            insert_before_ok(&mut reply, "writeConcernError", Bson::Document(wce));
        }
    }
    Ok(reply)
}

/// The cursor a getMore continues.
fn get_more_id(req: &Request) -> Option<i64> {
    match req.cmd.get("getMore") {
        Some(Bson::Int64(i)) if req.name == "getMore" => Some(*i),
        Some(Bson::Int32(i)) if req.name == "getMore" => Some(i64::from(*i)),
        _ => None,
    }
}

/// The cursor a find or aggregate left open.
fn opened_cursor(reply: &Document) -> Option<i64> {
    reply
        .get_document("cursor")
        .ok()?
        .get_i64("id")
        .ok()
        .filter(|id| *id != 0)
}

fn not_writable(req: &Request) -> CmdError {
    let msg = if req.conn.hello_ok || !req.legacy {
        "not primary"
    } else {
        "not master"
    };
    CmdError::new(10107, "NotWritablePrimary", msg)
}

/// Writes to `db` may go on here: a standalone, the `local` database, or a writable primary.
fn writable(node: &Node, db: &str) -> bool {
    let repl = node.repl();
    repl.set_name.is_none() || db == "local" || repl.is_writable_primary()
}

fn gate_write(node: &Node, req: &Request) -> Result<(), CmdError> {
    if writable(node, &req.db) {
        return Ok(());
    }
    if req.name == "aggregate" && req.secondary_ok {
        // mongod 5.0+ runs such a pipeline on a secondary and sends its writes to the primary.
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox does not run $out or $merge on a secondary",
        ));
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

/// Counts the command for `top` and notes its session and any cursor it left open (killSessions,
/// $listLocalSessions).
fn note_usage(
    node: &Node,
    req: &Request,
    kind: CmdKind,
    reply: &Document,
    started: std::time::Instant,
) {
    let coll = match (req.name.as_str(), req.arg()) {
        ("getMore", _) => req.cmd.get_str("collection").ok(),
        (_, Some(Bson::String(c))) => Some(c.as_str()),
        _ => None,
    };
    if let Some(coll) = coll {
        let ns = format!("{}.{coll}", req.db);
        let micros = started.elapsed().as_micros().min(i64::MAX as u128) as i64;
        let op = super::admin::top_op(&req.name);
        node.admin.record(&ns, op, kind == CmdKind::Write, micros);
    }
    let cursor = reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get_i64("id").ok())
        .filter(|id| *id != 0 && req.name != "getMore")
        .zip(coll)
        .map(|(id, coll)| (req.db.clone(), coll.to_string(), id));
    node.admin.saw_session(&req.cmd, cursor);
}
