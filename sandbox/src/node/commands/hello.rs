//! `hello` / `isMaster` / `ismaster`, including the awaitable form
//! (topologyVersion + maxAwaitTimeMS: the reply waits for a change or the timeout).

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, DateTime, Document};

use crate::error::CmdError;
use crate::node::config_view::{self, num};
use crate::node::dispatch::Request;
use crate::node::state::election_id;
use crate::node::{MemberState, Node};

pub async fn hello(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    await_topology_change(node, req).await?;
    Ok(reply(node, req, true))
}

/// Validates `topologyVersion`/`maxAwaitTimeMS` and waits while the client's counter is current.
async fn await_topology_change(node: &Node, req: &Request) -> Result<(), CmdError> {
    let tv = req.cmd.get("topologyVersion");
    let max_await = req.cmd.get("maxAwaitTimeMS");
    let (tv, max_await) = match (tv, max_await) {
        (None, None) => return Ok(()),
        (Some(_), None) => {
            return Err(CmdError::new(
                31368,
                "Location31368",
                "A request with a 'topologyVersion' must include 'maxAwaitTimeMS'",
            ))
        }
        (None, Some(_)) => {
            return Err(CmdError::new(
                31368,
                "Location31368",
                "A request with 'maxAwaitTimeMS' must include a 'topologyVersion'",
            ))
        }
        (Some(tv), Some(m)) => (tv, m),
    };
    let Bson::Document(tv) = tv else {
        return Err(CmdError::type_mismatch(
            "BSON field 'topologyVersion' is the wrong type, expected type 'object'",
        ));
    };
    let max_ms = num(Some(max_await)).ok_or_else(|| {
        CmdError::type_mismatch(
            "BSON field 'maxAwaitTimeMS' is the wrong type, expected type 'long'",
        )
    })?;
    let counter = num(tv.get("counter")).unwrap_or(0.0) as i64;
    if counter < 0 {
        return Err(CmdError::new(
            31372,
            "Location31372",
            "topologyVersion must have a non-negative counter",
        ));
    }
    if max_ms < 0.0 {
        return Err(CmdError::new(
            31373,
            "Location31373",
            "maxAwaitTimeMS must be a non-negative integer",
        ));
    }
    let same_process = tv.get_object_id("processId").ok() == Some(node.topology.process_id);
    let ours = node.topology.counter();
    if !same_process || counter < ours {
        return Ok(());
    }
    if counter > ours {
        return Err(CmdError::new(
            31382,
            "Location31382",
            format!(
                "Received a topology version with counter: {counter} which is greater than the server topology version counter: {ours}"
            ),
        ));
    }
    node.topology
        .wait_change(counter, Duration::from_millis(max_ms as u64))
        .await;
    Ok(())
}

/// The hello document. `hello_naming`: `isWritablePrimary` for `hello`, `ismaster` otherwise
/// (serverStatus' repl section passes true).
pub fn reply(node: &Node, req: &Request, with_limits: bool) -> Document {
    let legacy_name = req.name != "hello";
    let mut d = Document::new();
    if req.cmd.get_bool("helloOk").unwrap_or(false) {
        d.insert("helloOk", true);
    }
    d.insert("topologyVersion", node.topology.to_document());
    let primary_flag = if legacy_name {
        "ismaster"
    } else {
        "isWritablePrimary"
    };
    replica_fields(node, &mut d, primary_flag, legacy_name);
    if with_limits {
        d.insert("maxBsonObjectSize", 16_777_216i32);
        d.insert("maxMessageSizeBytes", 48_000_000i32);
        d.insert("maxWriteBatchSize", 100_000i32);
        d.insert("localTime", DateTime::now());
        d.insert("logicalSessionTimeoutMinutes", 30i32);
        d.insert("connectionId", req.conn.id);
        d.insert("minWireVersion", 0i32);
        d.insert("maxWireVersion", 21i32);
        d.insert("readOnly", false);
    }
    d
}

fn replica_fields(node: &Node, d: &mut Document, primary_flag: &str, legacy_name: bool) {
    let repl = node.repl();
    if repl.set_name.is_none() {
        d.insert(primary_flag, true);
        d.insert("secondary", false);
        return;
    }
    let (cfg, me) = match (&repl.config_doc, repl.self_index) {
        (Some(cfg), Some(me)) => (cfg, me),
        (cfg, _) => {
            // Uninitiated or REMOVED: a ghost.
            if let Some(cfg) = cfg {
                d.insert("setName", config_view::set_name(cfg));
            }
            d.insert(primary_flag, false);
            d.insert("secondary", false);
            d.insert("info", "Does not have a valid replica set config");
            d.insert("isreplicaset", true);
            return;
        }
    };
    let members = config_view::members(cfg);
    let listed = |m: &&config_view::MemberView| !m.hidden && m.secondary_delay_secs == 0;
    let hosts: Vec<&str> = members
        .iter()
        .filter(listed)
        .filter(|m| m.is_electable())
        .map(|m| m.host.as_str())
        .collect();
    let passives: Vec<&str> = members
        .iter()
        .filter(listed)
        .filter(|m| !m.arbiter_only && m.priority == 0.0)
        .map(|m| m.host.as_str())
        .collect();
    let arbiters: Vec<&str> = members
        .iter()
        .filter(|m| m.arbiter_only)
        .map(|m| m.host.as_str())
        .collect();
    d.insert("hosts", hosts);
    if !passives.is_empty() {
        d.insert("passives", passives);
    }
    if !arbiters.is_empty() {
        d.insert("arbiters", arbiters);
    }
    d.insert("setName", config_view::set_name(cfg));
    d.insert("setVersion", config_view::version(cfg) as i32);
    let state = repl.reported_state();
    d.insert(primary_flag, repl.is_writable_primary());
    let secondary = state == MemberState::Secondary
        || (state == MemberState::Primary && !repl.is_writable_primary());
    d.insert("secondary", secondary);
    if let Some(p) = repl.primary_index.and_then(|i| members.get(i)) {
        d.insert("primary", p.host.as_str());
    }
    let Some(me_view) = members.get(me) else {
        return;
    };
    if me_view.arbiter_only {
        d.insert("arbiterOnly", true);
    } else if me_view.priority == 0.0 {
        d.insert("passive", true);
    }
    if me_view.hidden {
        d.insert("hidden", true);
    }
    if !me_view.build_indexes {
        d.insert("buildIndexes", false);
    }
    if me_view.secondary_delay_secs > 0 {
        let key = if legacy_name {
            "slaveDelay"
        } else {
            "secondaryDelaySecs"
        };
        d.insert(key, me_view.secondary_delay_secs);
    }
    if !me_view.tags.is_empty() {
        d.insert("tags", me_view.tags.clone());
    }
    d.insert("me", me_view.host.as_str());
    if state == MemberState::Primary {
        d.insert("electionId", election_id(repl.term));
    }
    if !me_view.arbiter_only {
        let applied = node.store.last_applied();
        let wall = node.store.last_applied_wall();
        d.insert(
            "lastWrite",
            doc! {
                "opTime": applied.to_document(),
                "lastWriteDate": whole_seconds(wall),
                "majorityOpTime": repl.last_committed.to_document(),
                "majorityWriteDate": whole_seconds(repl.last_committed_wall),
            },
        );
    }
}

fn whole_seconds(d: DateTime) -> DateTime {
    DateTime::from_millis(d.timestamp_millis() / 1000 * 1000)
}
