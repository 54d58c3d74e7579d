//! Replication by pulling: a data-bearing non-primary picks a sync source (a `replSetSyncFrom`
//! target, else the primary, else the freshest healthy member), long-polls it for oplog entries
//! after its own last applied one, applies them and reports its position at once
//! (`replSetUpdatePosition`), so `w: "majority"` waits end a few milliseconds after the write.
//!
//! A new (empty) member first copies a snapshot (initial sync, state STARTUP2). A member whose
//! last applied entry is not in the source's oplog (a restarted ex-primary holding writes the set
//! never acknowledged) rolls back (rollback.rs): only the documents its diverged writes touched
//! are saved to rollback files and refetched; when that is impossible it resyncs as above.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, DateTime, Document};

use super::config_view::{self, MemberView};
use super::heartbeat::install::set_state;
use super::peer::peers;
use super::{MemberState, Node, Repl};
use crate::data::OpTime;
use crate::log;

/// Internal commands a syncing member sends to its source (answered in internal_cmds).
pub const FETCH_CMD: &str = "_sandboxFetchOplog";
pub const SNAPSHOT_CMD: &str = "_sandboxInitialSync";
/// Entries per fetch.
const BATCH: i64 = 1000;
/// Bytes of entries per fetch reply (mongod's fetcher batches are bounded the same way). A reply
/// is one document, which may not pass 16 MB + 16 KB: the headroom covers the array's keys and
/// the reply's other fields, and an entry holding a 16 MB document travels alone.
pub const FETCH_MAX_BYTES: u64 = 16 * 1024 * 1024 - 16 * 1024;

/// How long the source holds a fetch open when it has nothing new.
const MAX_AWAIT: Duration = Duration::from_millis(500);

pub fn spawn(node: &Arc<Node>) {
    let node = node.clone();
    tokio::spawn(async move { sync_loop(node).await });
}

/// What the loop does next.
enum Step {
    Idle(Duration),
    InitialSync { host: String },
    Fetch { host: String, delay_secs: i64 },
}

async fn sync_loop(node: Arc<Node>) {
    loop {
        let step = {
            let mut repl = node.repl();
            next_step(&node, &mut repl)
        };
        let outcome = match step {
            Step::Idle(d) => {
                tokio::time::sleep(d).await;
                Ok(())
            }
            Step::InitialSync { host } => resync(&node, &host, MemberState::Startup2).await,
            Step::Fetch { host, delay_secs } => fetch_and_apply(&node, &host, delay_secs).await,
        };
        if let Err(e) = outcome {
            log::write(
                'I',
                "REPL",
                21799,
                "BackgroundSync",
                "Sync source problem",
                doc! {"error": &e},
            );
            {
                // Choose again next time; the source may be gone.
                let mut repl = node.repl();
                repl.sync_source = None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn usable_source(repl: &Repl, members: &[MemberView], i: usize) -> bool {
    Some(i) != repl.self_index
        && members
            .get(i)
            .is_some_and(|m| !m.arbiter_only && m.build_indexes)
        && repl
            .members
            .get(i)
            .is_some_and(|h| h.up && h.state.is_readable())
}

fn next_step(node: &Node, repl: &mut Repl) -> Step {
    let idle = Step::Idle(Duration::from_millis(100));
    let Some(cfg) = repl.config_doc.as_ref() else {
        return idle;
    };
    let members = config_view::members(cfg);
    let chaining = cfg
        .get_document("settings")
        .ok()
        .and_then(|s| s.get_bool("chainingAllowed").ok())
        .unwrap_or(true);
    let Some(me) = repl.self_index.and_then(|i| members.get(i)).cloned() else {
        repl.sync_source = None;
        return idle;
    };
    let syncing_state = matches!(
        repl.state,
        MemberState::Secondary | MemberState::Recovering | MemberState::Startup2
    );
    if me.arbiter_only || !syncing_state {
        repl.sync_source = None;
        return idle;
    }
    let my_applied = node.store.last_applied();
    if repl.state == MemberState::Startup2 && my_applied != OpTime::null() {
        // Configured while already holding data (e.g. right after initiate).
        set_state(node, repl, MemberState::Secondary);
    }
    let chosen = choose_source(repl, &members, my_applied, chaining);
    if chosen != repl.sync_source {
        if let Some(i) = chosen {
            log::write(
                'I',
                "REPL",
                21088,
                "BackgroundSync",
                "Changed sync source",
                doc! {"newSyncSource": &members[i].host},
            );
        }
        repl.sync_source = chosen;
    }
    let Some(src) = chosen else {
        return idle;
    };
    let host = members[src].host.clone();
    if repl.state == MemberState::Startup2 {
        return Step::InitialSync { host };
    }
    Step::Fetch {
        host,
        delay_secs: me.secondary_delay_secs,
    }
}

/// The replSetSyncFrom target (once), the current source while usable, the primary, or the
/// freshest usable member ahead of us. With `settings.chainingAllowed: false` only the primary
/// (or an explicit replSetSyncFrom target) serves, as on mongod.
fn choose_source(
    repl: &mut Repl,
    members: &[MemberView],
    my_applied: OpTime,
    chaining: bool,
) -> Option<usize> {
    if let Some(i) = repl.sync_from_requested.take() {
        if usable_source(repl, members, i) {
            return Some(i);
        }
    }
    if let Some(i) = repl
        .sync_source
        .filter(|i| chaining || Some(*i) == repl.primary_index)
        .filter(|i| usable_source(repl, members, *i))
    {
        return Some(i);
    }
    if let Some(p) = repl
        .primary_index
        .filter(|p| usable_source(repl, members, *p))
    {
        return Some(p);
    }
    if !chaining {
        return None;
    }
    (0..members.len())
        .filter(|i| usable_source(repl, members, *i))
        .filter(|i| repl.members[*i].applied > my_applied)
        .max_by_key(|i| repl.members[*i].applied)
}

async fn fetch_and_apply(node: &Arc<Node>, host: &str, delay_secs: i64) -> Result<(), String> {
    let after = node.store.last_applied();
    let cmd = doc! {
        FETCH_CMD: 1,
        "after": after.to_document(),
        "limit": BATCH,
        "maxBytes": FETCH_MAX_BYTES as i64,
        "maxAwaitMS": MAX_AWAIT.as_millis() as i64,
        "$db": "admin",
    };
    let reply = peers()
        .command_ok(host, &cmd, MAX_AWAIT + Duration::from_secs(5), "fetch")
        .await?;
    if reply.get_bool("sourceBehind").unwrap_or(false) {
        // It will catch up (it syncs too); ask again shortly.
        tokio::time::sleep(Duration::from_millis(50)).await;
        return Ok(());
    }
    if reply.get_bool("diverged").unwrap_or(false) {
        log::write(
            'I',
            "ROLLBACK",
            21593,
            "BackgroundSync",
            "Our last applied entry is not in the sync source's oplog; rolling back",
            doc! {"syncSource": host, "lastApplied": after.to_document()},
        );
        return match super::rollback::run(node, host).await {
            Ok(()) => Ok(()),
            Err(e) => {
                log::write(
                    'W',
                    "ROLLBACK",
                    21606,
                    "BackgroundSync",
                    "Rollback by refetch impossible; resyncing from the sync source",
                    doc! {"syncSource": host, "error": e},
                );
                resync(node, host, MemberState::Rollback).await
            }
        };
    }
    let entries: Vec<Document> = match reply.get_array("entries") {
        Ok(a) => a.iter().filter_map(|b| b.as_document().cloned()).collect(),
        Err(_) => return Err("fetch reply without 'entries'".into()),
    };
    if node
        .fail_points
        .fires(super::fail_points::RS_SYNC_APPLY_STOP)
    {
        // The fail point: fetched entries are not applied (the next pull asks for them again).
        tokio::time::sleep(Duration::from_millis(50)).await;
        return Ok(());
    }
    let ready = due_entries(entries, delay_secs);
    let applied_any = !ready.is_empty();
    if !ready.is_empty() {
        // Applying waits for the store lock: off the runtime's threads, so heartbeats go on.
        let limits = node.admin.params();
        let (max_ops, max_bytes) = (
            limits.batch_limit_ops.max(1) as usize,
            limits.batch_limit_bytes.max(1) as u64,
        );
        for batch in apply_batches(ready, max_ops, max_bytes) {
            let store = node.store.clone();
            let n = batch.len();
            tokio::task::spawn_blocking(move || store.apply_oplog(&batch))
                .await
                .map_err(|e| format!("applying {n} entries failed: {e}"))??;
        }
    } else if delay_secs > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let source_commit = reply
        .get_document("lastCommitted")
        .ok()
        .and_then(OpTime::from_document);
    learn_commit_point(node, source_commit);
    if applied_any {
        report_position(node).await;
    }
    Ok(())
}

/// Splits fetched entries into apply batches of at most `max_ops` entries and `max_bytes` bytes
/// (`replBatchLimitOperations` / `replBatchLimitBytes`; one larger entry is a batch of its own).
fn apply_batches(entries: Vec<Document>, max_ops: usize, max_bytes: u64) -> Vec<Vec<Document>> {
    let mut out: Vec<Vec<Document>> = Vec::new();
    let mut bytes = 0u64;
    for e in entries {
        let size = u64::from(crate::data::bson_size(&e));
        match out.last_mut() {
            Some(b) if b.len() < max_ops && bytes + size <= max_bytes => {
                bytes += size;
                b.push(e);
            }
            _ => {
                bytes = size;
                out.push(vec![e]);
            }
        }
    }
    out
}

/// Entries old enough to apply under `secondaryDelaySecs` (all of them without a delay).
fn due_entries(entries: Vec<Document>, delay_secs: i64) -> Vec<Document> {
    if delay_secs <= 0 {
        return entries;
    }
    let cutoff = DateTime::now().timestamp_millis() - delay_secs * 1000;
    entries
        .into_iter()
        .take_while(|e| {
            e.get_datetime("wall")
                .map(|w| w.timestamp_millis() <= cutoff)
                .unwrap_or(true)
        })
        .collect()
}

/// Copies the source's data and oplog (initial sync; also the rollback-by-resync path).
async fn resync(node: &Arc<Node>, host: &str, during: MemberState) -> Result<(), String> {
    {
        let mut repl = node.repl();
        set_state(node, &mut repl, during);
    }
    let result = async {
        // Paged: the source freezes its data at the first call and hands it out ~8 MB a time.
        let mut parts: Vec<Document> = Vec::new();
        let mut id: Option<i64> = None;
        loop {
            let mut cmd = doc! {SNAPSHOT_CMD: 1, "$db": "admin"};
            if let Some(id) = id {
                cmd.insert("id", id);
            }
            let reply = peers()
                .command_ok(host, &cmd, Duration::from_secs(30), "initial sync")
                .await?;
            let page = reply
                .get_array("parts")
                .map_err(|_| "initial sync reply without 'parts'".to_string())?;
            parts.extend(page.iter().filter_map(|b| b.as_document().cloned()));
            if reply.get_bool("done").unwrap_or(true) {
                break;
            }
            id = reply.get_i64("id").ok();
        }
        let store = node.store.clone();
        tokio::task::spawn_blocking(move || store.import_snapshot(&parts))
            .await
            .map_err(|e| format!("initial sync import failed: {e}"))?
    }
    .await;
    {
        let mut repl = node.repl();
        if repl.state == during {
            // On failure STARTUP2 stays (retried); ROLLBACK returns to SECONDARY and retries too.
            let next = if result.is_ok() || during == MemberState::Rollback {
                MemberState::Secondary
            } else {
                during
            };
            set_state(node, &mut repl, next);
        }
    }
    result?;
    log::write(
        'I',
        "INITSYNC",
        21192,
        "ReplCoordExtern",
        "Initial sync done",
        doc! {"syncSource": host},
    );
    report_position(node).await;
    Ok(())
}

/// A secondary's commit point: the source's, capped by what we hold.
fn learn_commit_point(node: &Node, source: Option<OpTime>) {
    let Some(c) = source else {
        return;
    };
    let mine = node.store.last_applied();
    let point = c.min(mine);
    let mut repl = node.repl();
    if point > repl.last_committed {
        repl.last_committed = point;
        repl.last_committed_wall = node.store.last_applied_wall();
        drop(repl);
        node.notify_progress();
    }
}

/// Tells the primary (and the sync source, when it is another member) where we are.
pub async fn report_position(node: &Node) {
    let (cmd, targets) = {
        let repl = node.repl();
        let Some(cfg) = repl.config_doc.as_ref() else {
            return;
        };
        let members = config_view::members(cfg);
        let Some(me) = repl.self_index.and_then(|i| members.get(i)) else {
            return;
        };
        let applied = node.store.last_applied();
        let wall = node.store.last_applied_wall();
        let cmd = doc! {
            "replSetUpdatePosition": 1,
            "optimes": [{
                "memberId": me.id,
                "cfgver": config_view::version(cfg),
                "appliedOpTime": applied.to_document(),
                "durableOpTime": applied.to_document(),
                "appliedWallTime": wall,
                "durableWallTime": wall,
            }],
            "$db": "admin",
        };
        let mut targets: Vec<String> = Vec::new();
        for i in [repl.primary_index, repl.sync_source].into_iter().flatten() {
            if Some(i) != repl.self_index {
                if let Some(m) = members.get(i) {
                    if !targets.contains(&m.host) {
                        targets.push(m.host.clone());
                    }
                }
            }
        }
        (cmd, targets)
    };
    for host in targets {
        // Best effort: heartbeats carry the same figures a moment later.
        let _ = peers().command(&host, &cmd, Duration::from_secs(2)).await;
    }
}

/// On the primary: moves `last_committed` to the newest optime held by a write majority of the
/// voting data-bearing members.
pub fn update_commit_point(node: &Node, repl: &mut Repl) {
    if !repl.is_primary() {
        return;
    }
    let Some(cfg) = repl.config_doc.as_ref() else {
        return;
    };
    let members = config_view::members(cfg);
    let (_, write_majority, _, _) = config_view::majorities(&members);
    let mine = node.store.last_applied();
    let mut optimes: Vec<OpTime> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_voter() && !m.arbiter_only)
        .map(|(i, _)| {
            if Some(i) == repl.self_index {
                mine
            } else {
                repl.members
                    .get(i)
                    .map(|h| h.applied)
                    .unwrap_or_else(OpTime::null)
            }
        })
        .collect();
    optimes.sort_by(|a, b| b.cmp(a));
    let Some(point) = usize::try_from(write_majority)
        .ok()
        .and_then(|k| optimes.get(k.checked_sub(1)?))
    else {
        return;
    };
    if *point > repl.last_committed {
        repl.last_committed = *point;
        repl.last_committed_wall = DateTime::now();
    }
}

/// Data-bearing members (self included) known to hold `optime`: for `w: <n>` write concern.
pub fn members_holding(node: &Node, repl: &Repl, optime: OpTime) -> usize {
    let Some(cfg) = repl.config_doc.as_ref() else {
        return usize::from(node.store.last_applied() >= optime);
    };
    config_view::members(cfg)
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.arbiter_only)
        .filter(|(i, _)| {
            if Some(*i) == repl.self_index {
                node.store.last_applied() >= optime
            } else {
                repl.members.get(*i).is_some_and(|h| h.applied >= optime)
            }
        })
        .count()
}

/// The `t` of an oplog entry (`-1` when absent, as on `initiating set`).
pub fn entry_term(e: &Document) -> i64 {
    match e.get("t") {
        Some(Bson::Int64(v)) => *v,
        Some(Bson::Int32(v)) => i64::from(*v),
        _ => -1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delayed_members_apply_only_old_entries() {
        let now = DateTime::now().timestamp_millis();
        let old = doc! {"ts": bson::Timestamp{time: 1, increment: 1}, "wall": DateTime::from_millis(now - 60_000)};
        let new =
            doc! {"ts": bson::Timestamp{time: 2, increment: 1}, "wall": DateTime::from_millis(now)};
        let later = doc! {"ts": bson::Timestamp{time: 3, increment: 1}, "wall": DateTime::from_millis(now - 60_000)};
        let all = vec![old.clone(), new.clone(), later];
        assert_eq!(due_entries(all.clone(), 0).len(), 3);
        // Order is kept: nothing after the first entry that is too new.
        assert_eq!(due_entries(all, 30), vec![old]);
        assert_eq!(entry_term(&doc! {"t": 4i64}), 4);
        assert_eq!(entry_term(&doc! {}), -1);
    }
}
