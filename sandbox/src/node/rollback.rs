//! ROLLBACK by refetch: find the newest entry we share with the sync source, fetch the source's
//! current version of every document our later entries touched, save ours under
//! `<dbpath>/rollback/<ns>/` and put theirs in place, cut our oplog back to the common point, and
//! let normal replication re-apply the source's entries from there. Diverged commands (create,
//! drop, index changes) are not undone this way: the caller falls back to a full resync.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, Document};

use super::heartbeat::install::set_state;
use super::peer::peers;
use super::replication::FETCH_CMD;
use super::{MemberState, Node};
use crate::data::{counts_doc, OpTime, RollbackSummary, Touched};
use crate::log;

/// How far back the common point is looked for.
const MAX_ENTRIES: usize = 1_000_000;
/// Documents refetched per `find`.
const REFETCH_CHUNK: usize = 100;
const TIMEOUT: Duration = Duration::from_secs(30);

pub async fn run(node: &Arc<Node>, host: &str) -> Result<(), String> {
    {
        let mut repl = node.repl();
        set_state(node, &mut repl, MemberState::Rollback);
    }
    let result = roll_back(node, host).await;
    {
        let mut repl = node.repl();
        if repl.state == MemberState::Rollback {
            set_state(node, &mut repl, MemberState::Secondary);
        }
    }
    result
}

async fn roll_back(node: &Arc<Node>, host: &str) -> Result<(), String> {
    let store = node.store.clone();
    let mine = tokio::task::spawn_blocking(move || store.recent_optimes(MAX_ENTRIES))
        .await
        .map_err(|e| e.to_string())?;
    let common = common_point(host, &mine).await?;
    let store = node.store.clone();
    let diverged = tokio::task::spawn_blocking(move || store.diverged_documents(common))
        .await
        .map_err(|e| e.to_string())?;
    let (entries, touched) = match diverged {
        Ok(d) => d,
        Err(why) => {
            // A full resync follows; what we wrote after the fork is kept in rollback files
            // first, as mongod keeps every document a rollback takes away.
            let store = node.store.clone();
            let summary = tokio::task::spawn_blocking(move || store.save_diverged(common))
                .await
                .map_err(|e| e.to_string())??;
            log_saved(&summary);
            return Err(why);
        }
    };
    let refetched = refetch(host, touched).await?;
    let store = node.store.clone();
    let summary = tokio::task::spawn_blocking(move || store.roll_back_to(common, refetched))
        .await
        .map_err(|e| e.to_string())??;
    log_saved(&summary);
    let mut attr = doc! {
        "syncSource": host,
        "commonPoint": common.to_document(),
        "entriesRolledBack": summary.entries as i64,
        "entriesRead": entries as i64,
        "rollbackFiles": summary.files.clone(),
    };
    attr.extend(counts_doc(&summary));
    log::write(
        'I',
        "ROLLBACK",
        21612,
        "BackgroundSync",
        "Rollback summary",
        attr,
    );
    Ok(())
}

fn log_saved(summary: &RollbackSummary) {
    for (ns, n) in &summary.saved {
        log::write(
            'I',
            "ROLLBACK",
            21608,
            "BackgroundSync",
            "Wrote rolled-back documents to a rollback file",
            doc! {"namespace": ns, "documents": *n as i64},
        );
    }
}

/// True when `at` is an entry of the source's history.
async fn source_has(host: &str, at: OpTime) -> Result<bool, String> {
    let cmd = doc! {FETCH_CMD: 1, "after": at.to_document(), "limit": 1i64, "maxAwaitMS": 0i64, "$db": "admin"};
    let reply = peers().command_ok(host, &cmd, TIMEOUT, "fetch").await?;
    Ok(!reply.get_bool("diverged").unwrap_or(false)
        && !reply.get_bool("sourceBehind").unwrap_or(false))
}

/// The newest of `mine` (newest first) the source also holds: entries after the fork are not in
/// its history, those before are, so a galloping search then a binary search find the edge.
async fn common_point(host: &str, mine: &[OpTime]) -> Result<OpTime, String> {
    let (mut lo, mut hi) = (0usize, None::<usize>);
    let mut step = 1usize;
    let mut i = 0usize;
    while i < mine.len() {
        if source_has(host, mine[i]).await? {
            hi = Some(i);
            break;
        }
        lo = i + 1;
        i += step;
        step *= 2;
    }
    let mut hi = match hi {
        Some(h) => h,
        None => {
            let last = mine.len().checked_sub(1).ok_or("empty oplog")?;
            if lo > last || !source_has(host, mine[last]).await? {
                return Err("no common point with the sync source".into());
            }
            last
        }
    };
    // mine[lo - 1] is not held (or lo is 0); mine[hi] is.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if source_has(host, mine[mid]).await? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(mine[hi])
}

/// The source's current version of each touched document (None: it has none).
async fn refetch(
    host: &str,
    touched: Vec<Touched>,
) -> Result<Vec<(Touched, Option<Document>)>, String> {
    let mut out = Vec::with_capacity(touched.len());
    let mut by_ns: Vec<(String, Vec<Touched>)> = Vec::new();
    for t in touched {
        match by_ns.iter_mut().find(|(ns, _)| *ns == t.ns) {
            Some((_, v)) => v.push(t),
            None => by_ns.push((t.ns.clone(), vec![t])),
        }
    }
    for (ns, list) in by_ns {
        let (db, coll) = ns
            .split_once('.')
            .ok_or_else(|| format!("bad namespace {ns}"))?;
        for chunk in list.chunks(REFETCH_CHUNK) {
            let ids: Vec<Bson> = chunk.iter().map(|t| t.id.clone()).collect();
            let cmd = doc! {"find": coll, "filter": {"_id": {"$in": ids}}, "batchSize": REFETCH_CHUNK as i64,
            "$db": db, "$readPreference": {"mode": "secondaryPreferred"}};
            let reply = peers().command_ok(host, &cmd, TIMEOUT, "refetch").await?;
            let cursor = reply
                .get_document("cursor")
                .map_err(|_| "refetch reply without a cursor".to_string())?;
            // More than one batch (huge documents): refuse rather than miss one.
            if cursor.get_i64("id").unwrap_or(0) != 0 {
                return Err("refetch needs more than one batch".into());
            }
            let docs: Vec<Document> = cursor
                .get_array("firstBatch")
                .map(|a| a.iter().filter_map(|b| b.as_document().cloned()).collect())
                .unwrap_or_default();
            for t in chunk {
                let theirs = docs.iter().find(|d| d.get("_id") == Some(&t.id)).cloned();
                out.push((t.clone(), theirs));
            }
        }
    }
    Ok(out)
}
