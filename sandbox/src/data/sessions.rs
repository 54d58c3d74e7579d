//! Retryable writes: a command carrying `lsid` and `txnNumber` must not be executed twice when a
//! driver retries it (after a failover, possibly on another member). Each statement's oplog entry
//! carries `lsid`, `txnNumber` and `stmtId`, and applying an entry (as primary, secondary, or on
//! journal replay) records the statement as executed; a retry then answers from this record
//! instead of writing again. Only the newest txnNumber per session is kept, as on the server.

use std::collections::{BTreeMap, HashMap};

use bson::{Bson, Document};

use crate::error::CmdError;

/// What an executed statement did: the oplog op and the document's `_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Executed {
    pub op: String,
    pub id: Bson,
}

#[derive(Debug, Default)]
pub struct Sessions {
    by_lsid: HashMap<Vec<u8>, (i64, BTreeMap<i32, Executed>)>,
}

/// The retry context of one write command.
#[derive(Debug, Clone)]
pub struct TxnCtx {
    pub lsid: Document,
    pub key: Vec<u8>,
    pub txn: i64,
}

/// The session key: the `lsid` document's bytes (its `id` UUID, plus `uid` when authenticated).
fn key_of(lsid: &Document) -> Vec<u8> {
    let mut buf = Vec::new();
    let _ = lsid.to_writer(&mut buf);
    buf
}

/// The retry context of `cmd` when it is a retryable write (`lsid` + `txnNumber`, no `autocommit`).
pub fn txn_ctx(cmd: &Document) -> Option<TxnCtx> {
    if cmd.contains_key("autocommit") {
        return None;
    }
    let lsid = cmd.get_document("lsid").ok()?.clone();
    let txn = match cmd.get("txnNumber")? {
        Bson::Int64(t) => *t,
        Bson::Int32(t) => i64::from(*t),
        _ => return None,
    };
    Some(TxnCtx {
        key: key_of(&lsid),
        lsid,
        txn,
    })
}

impl Sessions {
    /// Starts (or continues) `ctx` on its session; an older txnNumber than the session's newest
    /// is refused like the server does.
    pub fn begin(&mut self, ctx: &TxnCtx) -> Result<(), CmdError> {
        let entry = self
            .by_lsid
            .entry(ctx.key.clone())
            .or_insert((ctx.txn, BTreeMap::new()));
        if entry.0 > ctx.txn {
            return Err(CmdError::new(
                225,
                "TransactionTooOld",
                format!(
                    "Retryable write with txnNumber {} is prohibited on session because a newer retryable write with txnNumber {} has already started on this session.",
                    ctx.txn, entry.0
                ),
            ));
        }
        if entry.0 < ctx.txn {
            *entry = (ctx.txn, BTreeMap::new());
        }
        Ok(())
    }

    /// The statement's earlier execution, if this is a retry of it.
    pub fn executed(&self, ctx: &TxnCtx, stmt: i32) -> Option<&Executed> {
        let (txn, stmts) = self.by_lsid.get(&ctx.key)?;
        if *txn != ctx.txn {
            return None;
        }
        stmts.get(&stmt)
    }

    /// Records an applied oplog entry that carries `lsid`, `txnNumber` and `stmtId`.
    pub fn record_entry(&mut self, e: &Document) {
        let (Ok(lsid), Some(txn), Some(stmt)) = (
            e.get_document("lsid"),
            int(e.get("txnNumber")),
            int(e.get("stmtId")),
        ) else {
            return;
        };
        let op = e.get_str("op").unwrap_or_default().to_string();
        let id = match op.as_str() {
            "u" => e
                .get_document("o2")
                .ok()
                .and_then(|d| d.get("_id"))
                .cloned(),
            _ => e.get_document("o").ok().and_then(|d| d.get("_id")).cloned(),
        }
        .unwrap_or(Bson::Null);
        let entry = self
            .by_lsid
            .entry(key_of(lsid))
            .or_insert((txn, BTreeMap::new()));
        if entry.0 < txn {
            *entry = (txn, BTreeMap::new());
        }
        if entry.0 == txn {
            entry.1.insert(stmt as i32, Executed { op, id });
        }
    }

    pub fn clear(&mut self) {
        self.by_lsid.clear();
    }
}

fn int(v: Option<&Bson>) -> Option<i64> {
    match v? {
        Bson::Int64(t) => Some(*t),
        Bson::Int32(t) => Some(i64::from(*t)),
        _ => None,
    }
}
