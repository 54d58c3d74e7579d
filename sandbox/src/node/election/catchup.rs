//! The catch-up phase after winning an election: before it accepts writes, the new primary
//! copies the entries that a member it hears from (heartbeats) has and it lacks, for up to
//! `settings.catchUpTimeoutMillis` (−1: until caught up; 0: no catch-up). Writes that reached
//! only a minority before the old primary died are then kept instead of rolled back. A member
//! whose history left ours ends the phase (the new primary never rolls itself back).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{doc, Document};

use crate::data::OpTime;
use crate::log;
use crate::node::config_view::{self, num};
use crate::node::peer::peers;
use crate::node::replication::FETCH_CMD;
use crate::node::Node;

/// A catch-up phase is running in this process (one member per process).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// replSetAbortPrimaryCatchUp asked the running phase to end.
static ABORT: AtomicBool = AtomicBool::new(false);

/// replSetAbortPrimaryCatchUp: ends a running catch-up phase; false when none is running.
pub fn abort() -> bool {
    if !ACTIVE.load(Ordering::SeqCst) {
        return false;
    }
    ABORT.store(true, Ordering::SeqCst);
    true
}

/// Entries per pull (replies stay far below the message limit at ordinary entry sizes).
const BATCH: i64 = 500;
const PULL_TIMEOUT: Duration = Duration::from_secs(5);

/// Where to catch up from: the member heartbeats show furthest ahead of us, and its optime.
fn target(node: &Node) -> Option<(String, OpTime, i64)> {
    let repl = node.repl();
    let cfg = repl.config_doc.as_ref()?;
    let timeout = config_view::setting(cfg, "catchUpTimeoutMillis", -1);
    if timeout == 0 {
        return None;
    }
    let views = config_view::members(cfg);
    let mine = node.store.last_applied();
    let (i, best) = repl
        .members
        .iter()
        .enumerate()
        .filter(|(i, m)| Some(*i) != repl.self_index && m.up && m.applied > mine)
        .max_by_key(|(_, m)| m.applied)
        .map(|(i, m)| (i, m.applied))?;
    Some((views.get(i)?.host.clone(), best, timeout))
}

/// Runs the phase for the primary of `term`; returns (target, entries applied) when there was
/// something to catch up on.
pub async fn run(node: &Arc<Node>, term: i64) -> Option<(OpTime, i64)> {
    let (first, goal, timeout) = target(node)?;
    log::write(
        'I',
        "REPL",
        21359,
        "ReplCoord",
        "Entering primary catch-up mode",
        doc! {"targetOpTime": goal.to_document(), "syncSource": &first},
    );
    let deadline = u64::try_from(timeout)
        .ok()
        .map(|ms| Instant::now() + Duration::from_millis(ms));
    let mut applied = 0i64;
    ABORT.store(false, Ordering::SeqCst);
    ACTIVE.store(true, Ordering::SeqCst);
    let why = loop {
        if ABORT.swap(false, Ordering::SeqCst) {
            break "Catchup aborted by replSetAbortPrimaryCatchUp";
        }
        let still_ours = {
            let repl = node.repl();
            repl.is_primary() && repl.term == term
        };
        if !still_ours {
            break "no longer primary in this term";
        }
        let mine = node.store.last_applied();
        // Heartbeats may have moved on: the member furthest ahead now (none: caught up).
        let Some((host, _, _)) = target(node).filter(|_| mine < goal) else {
            break "Caught up to the latest optime known via heartbeats";
        };
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break "Catchup timed out";
        }
        match pull(node, &host, mine).await {
            Ok(n) => applied += n,
            Err(stop) if stop => break "the sync source's history differs",
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    ACTIVE.store(false, Ordering::SeqCst);
    log::write(
        'I',
        "REPL",
        21363,
        "ReplCoord",
        "Exited primary catch-up mode",
        doc! {"reason": why, "numCatchUpOps": applied},
    );
    Some((goal, applied))
}

/// One pull of entries after `after` from `host`, applied here. Err(true): stop for good.
async fn pull(node: &Arc<Node>, host: &str, after: OpTime) -> Result<i64, bool> {
    let cmd = doc! {FETCH_CMD: 1, "after": after.to_document(), "limit": BATCH, "maxAwaitMS": 200i64, "$db": "admin"};
    let reply = peers()
        .command(host, &cmd, PULL_TIMEOUT)
        .await
        .map_err(|_| false)?;
    if num(reply.get("ok")) != Some(1.0) || reply.get_bool("sourceBehind").unwrap_or(false) {
        return Err(false);
    }
    if reply.get_bool("diverged").unwrap_or(false) {
        return Err(true);
    }
    let entries: Vec<Document> = reply
        .get_array("entries")
        .map_err(|_| false)?
        .iter()
        .filter_map(|b| b.as_document().cloned())
        .collect();
    let n = entries.len() as i64;
    if n == 0 {
        return Ok(0);
    }
    let store = node.store.clone();
    tokio::task::spawn_blocking(move || store.apply_oplog(&entries))
        .await
        .map_err(|_| false)?
        .map_err(|_| true)?;
    Ok(n)
}
