//! Heartbeats: every `heartbeatIntervalMillis` each member asks every other member how it is,
//! keeps the answers in the health table (`Repl::members`), and learns newer configs and higher
//! terms from them. A member that keeps failing is marked DOWN: at once after three refused
//! attempts in a row (mongod retries twice), or after `heartbeatTimeoutSecs` without an answer.

pub mod install;
pub mod proto;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{doc, DateTime};
use futures_util::future::join_all;

use super::config_view;
use super::peer::{peers, PeerError};
use super::{MemberHealth, MemberState, Node, Repl};
use crate::log;
pub use install::{adopt_term, install_config, step_down_locked};
use proto::{HeartbeatReply, HeartbeatRequest};

/// Shortest pause between two rounds.
const MIN_GAP: Duration = Duration::from_millis(50);
/// Retries inside one round before a refused member is marked DOWN.
const MAX_RETRIES: usize = 2;

/// Starts the heartbeat loop; it idles until the member has a config. A config loaded from
/// `local.system.replset` at start-up is installed first (self index, STARTUP → SECONDARY).
pub fn spawn(node: &Arc<Node>) {
    {
        let mut repl = node.repl();
        if repl.state == MemberState::Startup && repl.self_index.is_none() {
            if let Some(cfg) = repl.config_doc.clone() {
                install_config(node, &mut repl, cfg, "local.system.replset");
            }
        }
    }
    let node = node.clone();
    tokio::spawn(async move { heartbeat_loop(node).await });
}

/// One round's targets and timing, read under the lock.
struct Round {
    request: bson::Document,
    targets: Vec<(usize, String)>,
    interval: Duration,
    timeout: Duration,
}

async fn heartbeat_loop(node: Arc<Node>) {
    loop {
        let Some(round) = plan_round(&node) else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let started = Instant::now();
        let seen = node.topology.counter();
        let node_ref = &node;
        let round_ref = &round;
        join_all(round.targets.iter().map(|(idx, host)| async move {
            beat_one(node_ref, round_ref, *idx, host).await;
        }))
        .await;
        // Next round after the interval, or sooner when something hello shows changed (a new
        // primary, state or config): members then learn it at once, as mongod reschedules.
        tokio::time::sleep(MIN_GAP).await;
        let rest = round.interval.saturating_sub(started.elapsed());
        node.topology.wait_change(seen, rest).await;
    }
}

fn plan_round(node: &Node) -> Option<Round> {
    let repl = node.repl();
    let cfg = repl.config_doc.as_ref()?;
    let members = config_view::members(cfg);
    let self_idx = repl.self_index;
    let me = self_idx.and_then(|i| members.get(i));
    let interval = Duration::from_millis(config_view::heartbeat_interval_millis(cfg).max(1) as u64);
    let hb_timeout =
        Duration::from_secs(config_view::setting(cfg, "heartbeatTimeoutSecs", 10).max(1) as u64);
    let request = HeartbeatRequest {
        set_name: config_view::set_name(cfg).to_string(),
        from: me.map(|m| m.host.clone()).unwrap_or_default(),
        from_id: me.map(|m| m.id).unwrap_or(-1),
        term: repl.term,
        config_version: config_view::version(cfg),
        config_term: config_view::term(cfg),
        config: Some(cfg.clone()),
        check_quorum: false,
    }
    .to_command();
    let targets = members
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != self_idx)
        .map(|(i, m)| (i, m.host.clone()))
        .collect();
    // One attempt may take at most the interval (at least 500 ms) and never the whole window.
    let timeout = interval.max(Duration::from_millis(500)).min(hb_timeout);
    Some(Round {
        request,
        targets,
        interval,
        timeout,
    })
}

async fn beat_one(node: &Node, round: &Round, idx: usize, host: &str) {
    let mut attempt = 0;
    loop {
        let sent = Instant::now();
        let sent_wall = DateTime::now();
        let result = peers().command(host, &round.request, round.timeout).await;
        let ping = sent.elapsed().as_millis() as i64;
        match result {
            Ok(reply) if ok(&reply) => match HeartbeatReply::from_document(&reply) {
                Ok(hb) => return on_reply(node, idx, host, sent_wall, ping, hb),
                Err(e) => {
                    return on_failure(
                        node,
                        idx,
                        host,
                        sent_wall,
                        e,
                        round,
                        attempt >= MAX_RETRIES,
                    );
                }
            },
            Ok(reply) => {
                let msg = reply
                    .get_str("errmsg")
                    .unwrap_or("heartbeat failed")
                    .to_string();
                return on_failure(node, idx, host, sent_wall, msg, round, true);
            }
            Err(e) => {
                let last = attempt >= MAX_RETRIES || matches!(e, PeerError::Timeout { .. });
                peers().forget(host);
                on_failure(node, idx, host, sent_wall, e.to_string(), round, last);
                if last {
                    return;
                }
            }
        }
        attempt += 1;
    }
}

fn ok(reply: &bson::Document) -> bool {
    config_view::num(reply.get("ok")) == Some(1.0)
}

/// The slot `idx` still names `host` (a reconfig may have happened during the round).
fn slot<'a>(repl: &'a mut Repl, idx: usize, host: &str) -> Option<&'a mut MemberHealth> {
    let cfg = repl.config_doc.as_ref()?;
    let same = config_view::members(cfg)
        .get(idx)
        .is_some_and(|m| m.host == host);
    if !same {
        return None;
    }
    repl.members.get_mut(idx)
}

fn on_reply(node: &Node, idx: usize, host: &str, sent: DateTime, ping: i64, hb: HeartbeatReply) {
    let mut repl = node.repl();
    // A newer config first: it may renumber the members.
    if let Some(cfg) = hb.config.as_ref() {
        let ours = repl
            .config_doc
            .as_ref()
            .map(|c| (config_view::version(c), config_view::term(c)));
        let theirs = proto::config_version_term(cfg);
        let same_set = repl.set_name.as_deref() == cfg.get_str("_id").ok();
        if same_set && ours.is_none_or(|o| proto::config_is_newer(theirs, o)) {
            install_config(node, &mut repl, cfg.clone(), "heartbeat");
        }
    }
    if hb.term > repl.term {
        adopt_term(node, &mut repl, hb.term, "heartbeat response");
    }
    let new_state = MemberState::from_code(hb.state).unwrap_or(MemberState::Unknown);
    let Some(m) = slot(&mut repl, idx, host) else {
        return;
    };
    let was = (m.up, m.state);
    m.up = true;
    m.state = new_state;
    m.uptime_secs = hb.uptime;
    m.applied = hb.applied;
    m.durable = hb.durable;
    m.applied_wall = hb.applied_wall;
    m.durable_wall = hb.durable_wall;
    m.last_heartbeat = Some(sent);
    m.last_ok = Some(Instant::now());
    m.ping_ms = ping;
    m.last_heartbeat_message = String::new();
    m.sync_source_host = hb.sync_source_host.clone();
    m.sync_source_id = hb.sync_source_id;
    m.config_version = hb.config_version;
    m.config_term = hb.config_term;
    m.term = hb.term;
    m.election_time = hb.election_time;
    m.election_date = hb
        .election_time
        .map(|ts| DateTime::from_millis(i64::from(ts.time) * 1000));
    if was != (true, new_state) {
        log::write(
            'I',
            "REPL_HB",
            21215,
            "ReplCoord",
            "Member is in new state",
            doc! {"hostAndPort": host, "newState": new_state.as_str()},
        );
    }
    track_primary(node, &mut repl, idx, new_state, hb.term);
    super::replication::update_commit_point(node, &mut repl);
    drop(repl);
    node.notify_progress();
}

/// Keeps `primary_index` in line with what members report (bumping topologyVersion when the
/// primary hello shows changes).
fn track_primary(node: &Node, repl: &mut Repl, idx: usize, state: MemberState, term: i64) {
    if state == MemberState::Primary && term >= repl.term {
        if repl.primary_index != Some(idx) {
            if repl.is_primary() {
                // Two primaries: the one in the older term yields (equal terms cannot happen).
                step_down_locked(node, repl, "another member is primary in a newer term");
            }
            repl.primary_index = Some(idx);
            node.bump_topology();
        }
    } else if repl.primary_index == Some(idx) && state != MemberState::Primary {
        repl.primary_index = None;
        node.bump_topology();
    }
}

fn on_failure(
    node: &Node,
    idx: usize,
    host: &str,
    sent: DateTime,
    msg: String,
    round: &Round,
    last: bool,
) {
    let mut repl = node.repl();
    let hb_timeout = repl
        .config_doc
        .as_ref()
        .map(|c| {
            Duration::from_secs(config_view::setting(c, "heartbeatTimeoutSecs", 10).max(1) as u64)
        })
        .unwrap_or(round.timeout);
    let Some(m) = slot(&mut repl, idx, host) else {
        return;
    };
    m.last_heartbeat = Some(sent);
    m.last_heartbeat_message = msg;
    let silent_too_long = m.last_ok.is_none_or(|t| t.elapsed() >= hb_timeout);
    if !last && !silent_too_long {
        return;
    }
    let was_up = m.up || m.state != MemberState::Down;
    mark_down(m);
    if was_up {
        log::write(
            'I',
            "REPL_HB",
            21216,
            "ReplCoord",
            "Member is now in state RS_DOWN",
            doc! {"hostAndPort": host, "error": &m.last_heartbeat_message},
        );
    }
    if repl.primary_index == Some(idx) {
        repl.primary_index = None;
        node.bump_topology();
    }
}

/// A member that stopped answering: what replSetGetStatus shows for `(not reachable/healthy)`.
fn mark_down(m: &mut MemberHealth) {
    m.up = false;
    m.state = MemberState::Down;
    m.uptime_secs = 0;
    m.applied = crate::data::OpTime::null();
    m.durable = crate::data::OpTime::null();
    m.applied_wall = DateTime::from_millis(0);
    m.durable_wall = DateTime::from_millis(0);
    m.ping_ms = 0;
    m.config_version = -1;
    m.config_term = -1;
    m.sync_source_host = String::new();
    m.sync_source_id = -1;
    m.election_time = None;
    m.election_date = None;
}
