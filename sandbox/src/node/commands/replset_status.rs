//! replSetGetStatus and replSetGetConfig (reference 6.2, 6.3), plus the 76/94 gates every
//! replSet* command shares.

use bson::{doc, Bson, DateTime, Document, Timestamp};

use crate::data::OpTime;
use crate::error::CmdError;
use crate::node::config_view::{self, MemberView};
use crate::node::dispatch::Request;
use crate::node::{MemberHealth, MemberState, Node, Repl};

/// 76 without `--replSet`, 94 before a config is installed.
pub fn require_config(repl: &Repl) -> Result<&Document, CmdError> {
    if repl.set_name.is_none() {
        return Err(CmdError::new(
            76,
            "NoReplicationEnabled",
            "not running with --replSet",
        ));
    }
    repl.config_doc.as_ref().ok_or_else(|| {
        CmdError::new(
            94,
            "NotYetInitialized",
            "no replset config has been received",
        )
        .with_extra(doc! {"info": "run rs.initiate(...) if not yet done for the set"})
    })
}

pub fn get_config(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let repl = node.repl();
    let cfg = require_config(&repl)?;
    let mut cfg = cfg.clone();
    if !req
        .cmd
        .get_bool("$_internalIncludeNewlyAdded")
        .unwrap_or(false)
    {
        crate::node::newly_added::hide(&mut cfg);
    }
    let mut d = doc! {"config": cfg};
    if req.cmd.get_bool("commitmentStatus").unwrap_or(false) {
        if !repl.is_primary() {
            return Err(CmdError::new(
                10107,
                "NotWritablePrimary",
                "commitmentStatus is only supported on primary.",
            ));
        }
        d.insert("commitmentStatus", true);
    }
    Ok(d)
}

fn date_of(o: OpTime) -> DateTime {
    DateTime::from_millis(i64::from(o.ts.time) * 1000)
}

fn or_epoch(d: Option<DateTime>) -> DateTime {
    d.unwrap_or_else(|| DateTime::from_millis(0))
}

pub fn get_status(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let repl = node.repl();
    let cfg = require_config(&repl)?;
    let members = config_view::members(cfg);
    let applied = node.store.last_applied();
    let applied_wall = node.store.last_applied_wall();
    let sync = repl.sync_source.and_then(|i| members.get(i));
    let (sync_host, sync_id) = sync.map(|m| (m.host.clone(), m.id)).unwrap_or_default();
    let sync_id = if sync.is_some() { sync_id } else { -1 };
    let Some(me) = repl.self_index.filter(|&i| i < members.len()) else {
        return Err(removed_error(node, &repl, applied));
    };
    let (majority, write_majority, voters, writable) = config_view::majorities(&members);
    let mut d = doc! {
        "set": config_view::set_name(cfg),
        "date": DateTime::now(),
        "myState": repl.reported_state().code(),
        "term": repl.term,
        "syncSourceHost": sync_host.clone(),
        "syncSourceId": sync_id,
        "heartbeatIntervalMillis": config_view::heartbeat_interval_millis(cfg),
        "majorityVoteCount": majority,
        "writeMajorityCount": write_majority,
        "votingMembersCount": voters,
        "writableVotingMembersCount": writable,
        "optimes": {
            "lastCommittedOpTime": repl.last_committed.to_document(),
            "lastCommittedWallTime": repl.last_committed_wall,
            "readConcernMajorityOpTime": repl.last_committed.to_document(),
            "appliedOpTime": applied.to_document(),
            "durableOpTime": applied.to_document(),
            "lastAppliedWallTime": applied_wall,
            "lastDurableWallTime": applied_wall,
        },
        "lastStableRecoveryTimestamp": repl.last_committed.ts,
    };
    if let Some(m) = &repl.election_candidate_metrics {
        d.insert("electionCandidateMetrics", m.clone());
    }
    if let Some(m) = &repl.election_participant_metrics {
        d.insert("electionParticipantMetrics", m.clone());
    }
    let version = config_view::version(cfg);
    let term = config_view::term(cfg);
    let entries: Vec<Bson> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let e = if i == me {
                self_entry(
                    node,
                    &repl,
                    m,
                    (applied, applied_wall),
                    (&sync_host, sync_id),
                    (version, term),
                )
            } else {
                let h = repl.members.get(i).cloned().unwrap_or_default();
                other_entry(m, &h, &members)
            };
            Bson::Document(e)
        })
        .collect();
    d.insert("members", entries);
    Ok(d)
}

fn removed_error(node: &Node, repl: &Repl, applied: OpTime) -> CmdError {
    let state = repl.reported_state();
    let mut extra = doc! {
        "state": state.code(),
        "stateStr": state.as_str(),
        "uptime": node.uptime_secs() as i32,
        "optime": applied.to_document(),
        "optimeDate": date_of(applied),
        "lastHeartbeatMessage": "",
        "syncSourceHost": "",
        "syncSourceId": -1,
        "infoMessage": "",
    };
    if repl.maintenance > 0 {
        extra.insert("maintenanceMode", repl.maintenance as i32);
    }
    CmdError::invalid_config("Our replica set config is invalid or we are not a member of it")
        .with_extra(extra)
}

fn self_entry(
    node: &Node,
    repl: &Repl,
    m: &MemberView,
    (applied, wall): (OpTime, DateTime),
    (sync_host, sync_id): (&str, i32),
    (version, term): (i64, i64),
) -> Document {
    let state = repl.reported_state();
    let mut e = doc! {
        "_id": m.id,
        "name": m.host.clone(),
        "health": 1.0,
        "state": state.code(),
        "stateStr": state.as_str(),
        "uptime": node.uptime_secs() as i32,
    };
    if !m.arbiter_only {
        e.insert("optime", applied.to_document());
        e.insert("optimeDate", date_of(applied));
        e.insert("lastAppliedWallTime", wall);
        e.insert("lastDurableWallTime", wall);
    }
    e.insert("syncSourceHost", sync_host);
    e.insert("syncSourceId", sync_id);
    if repl.maintenance > 0 {
        e.insert("maintenanceMode", repl.maintenance as i32);
    }
    let info = if state == MemberState::Secondary && sync_id < 0 {
        "Could not find member to sync from"
    } else {
        ""
    };
    e.insert("infoMessage", info);
    if state == MemberState::Primary {
        e.insert(
            "electionTime",
            repl.election_time.unwrap_or(Timestamp {
                time: 0,
                increment: 0,
            }),
        );
        e.insert("electionDate", or_epoch(repl.election_date));
    }
    e.insert("configVersion", version as i32);
    e.insert("configTerm", term);
    e.insert("self", true);
    e.insert("lastHeartbeatMessage", "");
    e
}

fn other_entry(m: &MemberView, h: &MemberHealth, members: &[MemberView]) -> Document {
    let down = !h.up && h.state == MemberState::Down;
    let state = if down { MemberState::Down } else { h.state };
    let mut e = doc! {
        "_id": m.id,
        "name": m.host.clone(),
        "health": if h.up { 1.0 } else { 0.0 },
        "state": state.code(),
        "stateStr": state.as_str(),
        "uptime": if h.up { h.uptime_secs as i32 } else { 0 },
    };
    if !m.arbiter_only {
        let (applied, durable) = if down {
            (OpTime::null(), OpTime::null())
        } else {
            (h.applied, h.durable)
        };
        e.insert("optime", applied.to_document());
        e.insert("optimeDurable", durable.to_document());
        e.insert("optimeDate", date_of(applied));
        e.insert("optimeDurableDate", date_of(durable));
        e.insert(
            "lastAppliedWallTime",
            if down {
                DateTime::from_millis(0)
            } else {
                h.applied_wall
            },
        );
        e.insert(
            "lastDurableWallTime",
            if down {
                DateTime::from_millis(0)
            } else {
                h.durable_wall
            },
        );
    }
    e.insert("lastHeartbeat", or_epoch(h.last_heartbeat));
    e.insert(
        "lastHeartbeatRecv",
        if down {
            DateTime::from_millis(0)
        } else {
            or_epoch(h.last_heartbeat_recv)
        },
    );
    e.insert("pingMs", if down { 0 } else { h.ping_ms });
    e.insert("lastHeartbeatMessage", h.last_heartbeat_message.clone());
    let sync_host = if down {
        String::new()
    } else {
        h.sync_source_host.clone()
    };
    let sync_id = if down || sync_host.is_empty() {
        -1
    } else {
        members
            .iter()
            .find(|x| x.host == sync_host)
            .map(|x| x.id)
            .unwrap_or(h.sync_source_id)
    };
    e.insert("syncSourceHost", sync_host);
    e.insert("syncSourceId", sync_id);
    e.insert("infoMessage", "");
    if state == MemberState::Primary {
        if let (Some(t), Some(d)) = (h.election_time, h.election_date) {
            e.insert("electionTime", t);
            e.insert("electionDate", d);
        }
    }
    let (v, t) = if down {
        (-1, -1)
    } else {
        (h.config_version, h.config_term)
    };
    e.insert("configVersion", v as i32);
    e.insert("configTerm", t);
    e
}
