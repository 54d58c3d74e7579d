//! Member-to-member commands (our own formats): replSetHeartbeat, replSetRequestVotes,
//! replSetUpdatePosition, replSetStepUp, and the two sync commands a secondary sends its source.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bson::{doc, DateTime, Document};

use super::config_view;
use super::election::{self, rules, Reason};
use super::heartbeat::install::{adopt_term, install_config};
use super::heartbeat::proto::{
    config_is_newer, config_version_term, int, HeartbeatReply, HeartbeatRequest,
};
use super::replication::{self, entry_term, FETCH_CMD, SNAPSHOT_CMD};
use super::{MemberState, Node, Repl};
use crate::data::{pack_ts, unpack_ts, Export, OpTime, Store};
use crate::error::CmdError;
use crate::log;

/// Answers the internal commands; `None` when `name` is not one of them.
pub async fn handle(
    node: &Arc<Node>,
    name: &str,
    cmd: &Document,
) -> Option<Result<Document, CmdError>> {
    Some(match name {
        "replSetHeartbeat" => heartbeat(node, cmd),
        "replSetRequestVotes" => request_votes(node, cmd),
        "replSetUpdatePosition" => update_position(node, cmd),
        "replSetStepUp" => step_up(node, cmd).await,
        FETCH_CMD => fetch_oplog(node, cmd).await,
        SNAPSHOT_CMD => export_page(node, cmd).await,
        _ => return None,
    })
}

/// Initial syncs in progress on this process: export id → (last use, frozen data).
static EXPORTS: Mutex<BTreeMap<i64, (Instant, Export)>> = Mutex::new(BTreeMap::new());
/// Documents per reply page (replies stay far below the 48 MB message limit).
const EXPORT_PAGE_BYTES: u64 = 8 * 1024 * 1024;
/// An export nobody asked for within this long is dropped (its member died or gave up).
const EXPORT_IDLE: Duration = Duration::from_secs(120);

/// One page of a member's initial sync: `{id, parts, done}`. The first call (no `id`) freezes
/// the data; later calls pass the `id` back. Runs off the runtime's threads (copying pages of
/// documents takes a while and heartbeats must keep flowing).
async fn export_page(node: &Node, cmd: &Document) -> Result<Document, CmdError> {
    let id = cmd.get_i64("id").ok();
    let store = node.store.clone();
    tokio::task::spawn_blocking(move || {
        let lock = || EXPORTS.lock().unwrap_or_else(|p| p.into_inner());
        let (id, mut export) = match id {
            None => (rand::random::<i64>() & i64::MAX, store.begin_export()),
            Some(id) => {
                let mut map = lock();
                map.retain(|_, (used, _)| used.elapsed() < EXPORT_IDLE);
                let (_, export) = map.remove(&id).ok_or_else(|| {
                    CmdError::new(43, "CursorNotFound", format!("initial sync {id} not found"))
                })?;
                (id, export)
            }
        };
        let page = export.next_page(EXPORT_PAGE_BYTES).unwrap_or_default();
        let done = page.is_empty();
        if !done {
            lock().insert(id, (Instant::now(), export));
        }
        Ok(doc! {"id": id, "parts": page, "done": done})
    })
    .await
    .map_err(|e| CmdError::internal(format!("initial sync export failed: {e}")))?
}

fn no_repl() -> CmdError {
    CmdError::new(76, "NoReplicationEnabled", "not running with --replSet")
}

fn heartbeat(node: &Node, cmd: &Document) -> Result<Document, CmdError> {
    let req = HeartbeatRequest::from_command(cmd).map_err(CmdError::bad_value)?;
    let mut repl = node.repl();
    let Some(our_set) = repl.set_name.clone() else {
        return Err(no_repl());
    };
    if req.set_name != our_set {
        return Err(CmdError::new(
            108,
            "InconsistentReplicaSetNames",
            format!(
                "Our set name of {our_set} does not match name {} reported by remote node",
                req.set_name
            ),
        ));
    }
    if !req.check_quorum {
        learn_from_request(node, &mut repl, &req);
    }
    Ok(reply_for(node, &repl, (req.config_version, req.config_term)).to_document())
}

/// A heartbeat request carries the sender's config and term: take them when newer.
fn learn_from_request(node: &Node, repl: &mut Repl, req: &HeartbeatRequest) {
    if let Some(cfg) = req.config.as_ref() {
        let ours = repl.config_doc.as_ref().map(config_version_term);
        let newer = ours.is_none_or(|o| config_is_newer(config_version_term(cfg), o));
        // An uninitiated member only joins a config that lists it.
        let lists_us = config_view::members(cfg)
            .iter()
            .any(|m| node.is_self(&m.host));
        if newer && (ours.is_some() || lists_us) {
            install_config(node, repl, cfg.clone(), "heartbeat request");
        }
    }
    if req.term > repl.term && repl.config_doc.is_some() {
        adopt_term(node, repl, req.term, "heartbeat request");
    }
    let from = repl.config_doc.as_ref().and_then(|c| {
        config_view::members(c)
            .iter()
            .position(|m| m.host == req.from)
    });
    if let Some(m) = from.and_then(|i| repl.members.get_mut(i)) {
        m.last_heartbeat_recv = Some(DateTime::now());
    }
}

fn reply_for(node: &Node, repl: &Repl, sender_config: (i64, i64)) -> HeartbeatReply {
    let cfg = repl.config_doc.as_ref();
    let members = cfg.map(config_view::members).unwrap_or_default();
    let id_of = |i: Option<usize>| i.and_then(|i| members.get(i)).map(|m| m.id).unwrap_or(-1);
    let ours = cfg.map(config_version_term);
    let applied = node.store.last_applied();
    let wall = node.store.last_applied_wall();
    let is_arbiter = repl.state == MemberState::Arbiter;
    HeartbeatReply {
        set_name: repl.set_name.clone().unwrap_or_default(),
        state: repl.reported_state().code(),
        term: repl.term,
        config_version: ours.map(|o| o.0).unwrap_or(-2),
        config_term: ours.map(|o| o.1).unwrap_or(-1),
        config: cfg
            .filter(|_| ours.is_some_and(|o| config_is_newer(o, sender_config)))
            .cloned(),
        applied: if is_arbiter { OpTime::null() } else { applied },
        durable: if is_arbiter { OpTime::null() } else { applied },
        applied_wall: wall,
        durable_wall: wall,
        election_time: repl.election_time.filter(|_| repl.is_primary()),
        sync_source_host: repl
            .sync_source
            .and_then(|i| members.get(i))
            .map(|m| m.host.clone())
            .unwrap_or_default(),
        sync_source_id: id_of(repl.sync_source),
        uptime: node.uptime_secs(),
        member_id: id_of(repl.self_index),
        primary_id: id_of(repl.primary_index),
    }
}

fn request_votes(node: &Node, cmd: &Document) -> Result<Document, CmdError> {
    let req = rules::VoteRequest::from_command(cmd).map_err(CmdError::bad_value)?;
    let mut repl = node.repl();
    if repl.set_name.is_none() {
        return Err(no_repl());
    }
    let Some(cfg) = repl.config_doc.clone() else {
        return Ok(doc! {"term": repl.term, "voteGranted": false, "reason": "not yet initialized"});
    };
    if !req.dry_run && req.term > repl.term {
        adopt_term(node, &mut repl, req.term, "vote request");
    }
    let members = config_view::members(&cfg);
    let me = repl.self_index.and_then(|i| members.get(i)).cloned();
    let my_applied = node.store.last_applied();
    let view = rules::VoterView {
        set_name: config_view::set_name(&cfg).to_string(),
        term: repl.term,
        config_version: config_view::version(&cfg),
        config_term: config_view::term(&cfg),
        last_applied: my_applied,
        voted: repl.voted_for,
        is_arbiter: me.as_ref().is_some_and(|m| m.arbiter_only),
    };
    let decision = match me.as_ref() {
        None => Err("I am not a member of the current config".to_string()),
        Some(_) => rules::decide_vote(&view, &req),
    };
    let granted = decision.is_ok();
    let reason = decision.err().unwrap_or_default();
    log::write(
        'I',
        "ELECTION",
        5972100,
        "conn",
        "Responding to vote request",
        doc! {
            "candidate": &req.candidate_host, "term": req.term, "dryRun": req.dry_run,
            "voteGranted": granted, "reason": &reason,
        },
    );
    if !req.dry_run {
        if granted {
            repl.voted_for = Some((req.term, req.candidate_index));
            node.persist_term(&repl);
        }
        let max_applied = repl
            .members
            .iter()
            .map(|m| m.applied)
            .chain([my_applied])
            .max()
            .unwrap_or(my_applied);
        let priority = me.as_ref().map(|m| m.priority).unwrap_or(0.0);
        repl.election_participant_metrics = Some(election::participant_metrics(
            granted,
            &req,
            &reason,
            my_applied,
            max_applied,
            priority,
        ));
    }
    Ok(doc! {"term": repl.term, "voteGranted": granted, "reason": reason})
}

fn update_position(node: &Node, cmd: &Document) -> Result<Document, CmdError> {
    let list = cmd
        .get_array("optimes")
        .map_err(|_| CmdError::bad_value("replSetUpdatePosition: 'optimes' must be an array"))?;
    let mut repl = node.repl();
    let Some(cfg) = repl.config_doc.clone() else {
        return Err(CmdError::new(
            94,
            "NotYetInitialized",
            "no replset config has been received",
        ));
    };
    let members = config_view::members(&cfg);
    for entry in list.iter().filter_map(|b| b.as_document()) {
        let Some(id) = int(entry, "memberId") else {
            continue;
        };
        let Some(idx) = members.iter().position(|m| i64::from(m.id) == id) else {
            continue;
        };
        if Some(idx) == repl.self_index {
            continue;
        }
        let applied = entry
            .get_document("appliedOpTime")
            .ok()
            .and_then(OpTime::from_document);
        let durable = entry
            .get_document("durableOpTime")
            .ok()
            .and_then(OpTime::from_document);
        if let Some(m) = repl.members.get_mut(idx) {
            if let Some(a) = applied.filter(|a| *a > m.applied) {
                m.applied = a;
                if let Ok(w) = entry.get_datetime("appliedWallTime") {
                    m.applied_wall = *w;
                }
            }
            if let Some(d) = durable.filter(|d| *d > m.durable) {
                m.durable = d;
                if let Ok(w) = entry.get_datetime("durableWallTime") {
                    m.durable_wall = *w;
                }
            }
        }
    }
    replication::update_commit_point(node, &mut repl);
    drop(repl);
    node.notify_progress();
    Ok(Document::new())
}

/// The stepdown handoff: the old primary asks the freshest electable secondary to stand now.
async fn step_up(node: &Arc<Node>, cmd: &Document) -> Result<Document, CmdError> {
    let reason = if cmd.get_bool("skipDryRun").unwrap_or(false) {
        Reason::StepUpRequestSkipDryRun
    } else {
        Reason::StepUpRequest
    };
    let prior = int(cmd, "priorPrimaryMemberId").map(|v| v as i32);
    if let Some(term) = int(cmd, "term") {
        // The handing-off primary's term: stand in the next one even before heartbeats tell us.
        let mut repl = node.repl();
        adopt_term(node, &mut repl, term, "replSetStepUp");
    }
    match election::run_election(node, reason, prior).await {
        Ok(()) => Ok(Document::new()),
        Err(why) => {
            log::write(
                'I',
                "ELECTION",
                4615655,
                "conn",
                "Not becoming primary",
                doc! {"reason": &why},
            );
            Err(CmdError::new(
                125,
                "CommandFailed",
                format!("Election failed: {why}"),
            ))
        }
    }
}

/// A secondary's oplog pull: entries after `after`, held open up to `maxAwaitMS` when there are
/// none yet; `sourceBehind: true` when we lag the caller, `diverged: true` when `after` is not
/// in our history (the caller must resync).
async fn fetch_oplog(node: &Node, cmd: &Document) -> Result<Document, CmdError> {
    let after = cmd
        .get_document("after")
        .ok()
        .and_then(OpTime::from_document)
        .ok_or_else(|| CmdError::bad_value("fetch: 'after' must be an optime"))?;
    let limit = int(cmd, "limit").unwrap_or(1000).clamp(1, 10_000) as usize;
    // Bounded by bytes as well as entries: a reply of 1000 large entries would pass the 48 MB
    // message limit. One entry always comes, so a 16 MB document still fits in one reply.
    let max_bytes = int(cmd, "maxBytes")
        .unwrap_or(replication::FETCH_MAX_BYTES as i64)
        .clamp(1, replication::FETCH_MAX_BYTES as i64) as u64;
    let max_await =
        Duration::from_millis(int(cmd, "maxAwaitMS").unwrap_or(0).clamp(0, 10_000) as u64);
    if node
        .fail_points
        .fires(super::fail_points::STOP_REPL_PRODUCER)
    {
        // The fail point: this source serves nothing (its followers stall, as on mongod).
        tokio::time::sleep(max_await).await;
        let repl = node.repl();
        let none: Vec<Document> = Vec::new();
        return Ok(
            doc! {"entries": none, "lastCommitted": repl.last_committed.to_document(), "term": repl.term},
        );
    }
    let store = node.store.clone();
    // Reading the oplog waits for the store lock: do it off the runtime's threads.
    let read = tokio::task::spawn_blocking(move || {
        if diverged(&store, after) {
            Err(after > store.last_applied())
        } else {
            Ok(store.oplog_after(after.ts, limit, max_bytes))
        }
    });
    let mut entries = match read.await {
        Ok(Ok(entries)) => entries,
        // Past our newest entry: we are the one lagging (same history or a newer term we have
        // not seen yet), so the caller waits. Otherwise its history left ours: it must resync.
        Ok(Err(true)) => return Ok(doc! {"sourceBehind": true}),
        Ok(Err(false)) => return Ok(doc! {"diverged": true}),
        Err(e) => return Err(CmdError::internal(format!("oplog read failed: {e}"))),
    };
    let deadline = Instant::now() + max_await;
    while entries.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
        if node.store.last_applied() > after {
            let store = node.store.clone();
            entries =
                tokio::task::spawn_blocking(move || store.oplog_after(after.ts, limit, max_bytes))
                    .await
                    .unwrap_or_default();
        }
    }
    let repl = node.repl();
    Ok(
        doc! {"entries": entries, "lastCommitted": repl.last_committed.to_document(), "term": repl.term},
    )
}

/// `after` is not an entry of our history (or is the null optime of an empty member).
fn diverged(store: &Store, after: OpTime) -> bool {
    if after == OpTime::null() || !store.oplog_contains(after.ts) {
        return true;
    }
    let before = unpack_ts(pack_ts(after.ts).saturating_sub(1));
    let here = store.oplog_after(before, 1, u64::MAX);
    let term = here
        .first()
        .filter(|e| e.get_timestamp("ts").ok() == Some(after.ts))
        .map(entry_term);
    matches!(term, Some(t) if t >= 0 && after.t >= 0 && t != after.t)
}
