//! replSetStepDown (catch-up wait, election handoff), replSetFreeze, replSetSyncFrom and
//! replSetMaintenance with the server's argument rules, codes and messages (ref 6.5–6.8).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};

use super::config_view::{self, MemberView};
use super::election;
use super::heartbeat::install::step_down_locked;
use super::peer::peers;
use super::{MemberState, Node, Repl};
use crate::error::CmdError;
use crate::log;

/// Answers the four commands; `None` when `name` is not one of them.
pub async fn handle(
    node: &Arc<Node>,
    name: &str,
    cmd: &Document,
) -> Option<Result<Document, CmdError>> {
    let arg = cmd.get(name);
    Some(match name {
        "replSetStepDown" => step_down(node, arg, cmd).await,
        "replSetFreeze" => freeze(node, arg),
        "replSetSyncFrom" => sync_from(node, arg),
        "replSetMaintenance" => maintenance(node, arg),
        _ => return None,
    })
}

fn not_secondary(msg: impl Into<String>) -> CmdError {
    CmdError::new(95, "NotSecondary", msg)
}

/// 76 without --replSet, 94 before a config exists.
fn gate(repl: &Repl) -> Result<(), CmdError> {
    if repl.set_name.is_none() {
        return Err(CmdError::new(
            76,
            "NoReplicationEnabled",
            "not running with --replSet",
        ));
    }
    if repl.config_doc.is_none() {
        return Err(CmdError::new(
            94,
            "NotYetInitialized",
            "no replset config has been received",
        )
        .with_extra(doc! {"info": "run rs.initiate(...) if not yet done for the set"}));
    }
    Ok(())
}

fn number(v: Option<&Bson>) -> Option<f64> {
    config_view::num(v)
}

fn truthy(v: Option<&Bson>) -> bool {
    match v {
        Some(Bson::Boolean(b)) => *b,
        Some(Bson::Null) | None => false,
        Some(other) => number(Some(other)).is_none_or(|n| n != 0.0),
    }
}

/// Parsed replSetStepDown arguments: (stepdown period, catch-up period, force).
pub fn stepdown_args(arg: Option<&Bson>, cmd: &Document) -> Result<(u64, u64, bool), CmdError> {
    let secs = match number(arg) {
        Some(n) if n < 0.0 => {
            return Err(CmdError::bad_value(
                "stepdown period must be a positive integer",
            ))
        }
        Some(n) if n >= 1.0 => n as u64,
        _ => 60,
    };
    let force = truthy(cmd.get("force"));
    let catch_up = match cmd.get("secondaryCatchUpPeriodSecs") {
        None | Some(Bson::Null) => {
            if force {
                0
            } else {
                10
            }
        }
        Some(v) => match number(Some(v)) {
            Some(n) if n >= 0.0 => n as u64,
            _ => {
                return Err(CmdError::bad_value(
                    "secondaryCatchUpPeriodSecs period must be a positive or absent",
                ))
            }
        },
    };
    if secs < catch_up {
        return Err(CmdError::bad_value(
            "stepdown period must be longer than secondaryCatchUpPeriodSecs",
        ));
    }
    Ok((secs, catch_up, force))
}

/// Index of the best handoff target: an electable secondary holding our last write (freshest,
/// then highest priority); `None` unless a majority of voters also holds it.
fn caught_up_target(node: &Node, repl: &Repl) -> Option<usize> {
    let cfg = repl.config_doc.as_ref()?;
    let members = config_view::members(cfg);
    let mine = node.store.last_applied();
    let our_config = (config_view::version(cfg), config_view::term(cfg));
    // Caught up = holds our last write and our config (a candidate with an older config would
    // be refused by the voters).
    let holds = |i: usize| {
        Some(i) == repl.self_index
            || repl.members.get(i).is_some_and(|h| {
                h.up && h.applied >= mine && (h.config_version, h.config_term) == our_config
            })
    };
    let voters = members.iter().filter(|m| m.is_voter()).count();
    let holding = members
        .iter()
        .enumerate()
        .filter(|(i, m)| m.is_voter() && holds(*i))
        .count();
    if holding < election::rules::majority(voters) {
        return None;
    }
    let electable = |(i, m): &(usize, &MemberView)| {
        Some(*i) != repl.self_index
            && m.is_electable()
            && holds(*i)
            && repl
                .members
                .get(*i)
                .is_some_and(|h| h.state == MemberState::Secondary)
    };
    members
        .iter()
        .enumerate()
        .filter(electable)
        .max_by(|(a, ma), (b, mb)| {
            let (ha, hb) = (&repl.members[*a], &repl.members[*b]);
            (ha.applied, ma.priority)
                .partial_cmp(&(hb.applied, mb.priority))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(i, _)| i)
}

async fn step_down(
    node: &Arc<Node>,
    arg: Option<&Bson>,
    cmd: &Document,
) -> Result<Document, CmdError> {
    {
        let repl = node.repl();
        gate(&repl)?;
    }
    let (secs, catch_up, force) = stepdown_args(arg, cmd)?;
    {
        let mut repl = node.repl();
        if !repl.is_primary() {
            return Err(CmdError::new(
                10107,
                "NotWritablePrimary",
                "not primary so can't step down",
            ));
        }
        if repl.stepping_down {
            return Err(CmdError::new(
                117,
                "ConflictingOperationInProgress",
                "This node is already in the process of stepping down",
            ));
        }
        // From here hello says isWritablePrimary: false.
        repl.stepping_down = true;
        node.bump_topology();
    }
    let caught_up = node
        .wait_progress(Some(Duration::from_secs(catch_up)), || {
            let repl = node.repl();
            !repl.is_primary() || caught_up_target(node, &repl).is_some()
        })
        .await;
    let mut repl = node.repl();
    if repl.is_primary() && !caught_up && !force {
        repl.stepping_down = false;
        node.bump_topology();
        let now = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z");
        return Err(CmdError::new(
            262,
            "ExceededTimeLimit",
            format!(
                "No electable secondaries caught up as of {now}Please use the replSetStepDown command with the argument {{force: true}} to force node to step down."
            ),
        ));
    }
    let handoff = step_down_with_handoff(
        node,
        &mut repl,
        Duration::from_secs(secs),
        "replSetStepDown command",
    );
    drop(repl);
    if let Some((host, step_up)) = handoff {
        // Fire and forget: the reply to the client must not wait for the election.
        tokio::spawn(async move {
            let _ = peers()
                .command(&host, &step_up, Duration::from_secs(10))
                .await;
        });
    }
    Ok(Document::new())
}

/// Steps down for `period` and, when a caught-up electable secondary exists, returns it with the
/// `replSetStepUp` request to send it (election handoff).
fn step_down_with_handoff(
    node: &Node,
    repl: &mut Repl,
    period: Duration,
    reason: &str,
) -> Option<(String, Document)> {
    let target = caught_up_target(node, repl);
    let members = repl
        .config_doc
        .as_ref()
        .map(config_view::members)
        .unwrap_or_default();
    let my_id = repl.self_index.and_then(|i| members.get(i)).map(|m| m.id);
    let term = repl.term;
    repl.stepdown_until = Some(Instant::now() + period);
    step_down_locked(node, repl, reason);
    repl.stepping_down = false;
    let host = target
        .and_then(|i| members.get(i))
        .map(|m| m.host.clone())?;
    log::write(
        'I',
        "REPL",
        21347,
        "conn",
        "Handing off election to",
        doc! {"target": &host},
    );
    let mut step_up = doc! {"replSetStepUp": 1, "skipDryRun": true, "term": term};
    if let Some(id) = my_id {
        step_up.insert("priorPrimaryMemberId", id);
    }
    step_up.insert("$db", "admin");
    Some((host, step_up))
}

/// Clean shutdown (SIGTERM) of a primary: like mongod, wait up to `wait` for a caught-up
/// secondary, step down and hand it the election before the process exits, so a new primary
/// appears in well under a second instead of after an election timeout.
pub async fn step_down_for_shutdown(node: &Arc<Node>, wait: Duration) {
    {
        let mut repl = node.repl();
        if !repl.is_primary() || repl.stepping_down {
            return;
        }
        repl.stepping_down = true;
        node.bump_topology();
    }
    node.wait_progress(Some(wait), || {
        let repl = node.repl();
        !repl.is_primary() || caught_up_target(node, &repl).is_some()
    })
    .await;
    let handoff = {
        let mut repl = node.repl();
        if !repl.is_primary() {
            repl.stepping_down = false;
            return;
        }
        step_down_with_handoff(node, &mut repl, Duration::from_secs(60), "shutting down")
    };
    if let Some((host, step_up)) = handoff {
        // Awaited: the process exits right after; the target runs the election on its own.
        let _ = peers()
            .command(&host, &step_up, Duration::from_secs(2))
            .await;
    }
}

fn freeze(node: &Node, arg: Option<&Bson>) -> Result<Document, CmdError> {
    let mut repl = node.repl();
    gate(&repl)?;
    if repl.is_primary() {
        return Err(not_secondary(
            "Cannot freeze node when primary or running for election, state: Primary",
        ));
    }
    if election::is_running() {
        return Err(not_secondary(
            "Cannot freeze node when primary or running for election, state: Running-Election",
        ));
    }
    let secs = number(arg).unwrap_or(0.0);
    if secs < 1.0 {
        repl.frozen_until = None;
        repl.stepdown_until = None;
        log::write('I', "REPL", 21403, "conn", "Unfreezing", doc! {});
        return Ok(doc! {"info": "unfreezing"});
    }
    repl.frozen_until = Some(Instant::now() + Duration::from_secs(secs as u64));
    log::write(
        'I',
        "REPL",
        21404,
        "conn",
        "Freezing",
        doc! {"secs": secs as i64},
    );
    if secs < 2.0 {
        return Ok(doc! {"warning": "you really want to freeze for only 1 second?"});
    }
    Ok(Document::new())
}

fn sync_from(node: &Node, arg: Option<&Bson>) -> Result<Document, CmdError> {
    let mut repl = node.repl();
    gate(&repl)?;
    let target = match arg {
        Some(Bson::String(s)) => s.clone(),
        _ => String::new(),
    };
    let cfg = repl.config_doc.clone().unwrap_or_default();
    let members = config_view::members(&cfg);
    let Some(me) = repl.self_index.and_then(|i| members.get(i)).cloned() else {
        return Err(not_secondary("Removed and uninitialized nodes do not sync"));
    };
    if me.arbiter_only {
        return Err(not_secondary("arbiters don't sync"));
    }
    if repl.is_primary() {
        return Err(not_secondary("primaries don't sync"));
    }
    let Some(idx) = members.iter().position(|m| m.host == target) else {
        return Err(CmdError::new(
            74,
            "NodeNotFound",
            format!("Could not find member \"{target}\" in replica set"),
        ));
    };
    let invalid = |msg: String| CmdError::new(72, "InvalidOptions", msg);
    let t = &members[idx];
    if Some(idx) == repl.self_index {
        return Err(invalid("I cannot sync from myself".into()));
    }
    if t.arbiter_only {
        return Err(invalid(format!(
            "Cannot sync from \"{target}\" because it is an arbiter"
        )));
    }
    if me.build_indexes && !t.build_indexes {
        return Err(invalid(format!(
            "Cannot sync from \"{target}\" because it does not build indexes"
        )));
    }
    if me.is_voter() && !t.is_voter() {
        return Err(invalid(format!(
            "Cannot sync from \"{target}\" because it is not a voter"
        )));
    }
    let health = repl.members.get(idx).cloned().unwrap_or_default();
    if !health.up {
        return Err(CmdError::new(
            6,
            "HostUnreachable",
            format!("I cannot reach the requested member: {target}"),
        ));
    }
    let mut reply = doc! {"syncFromRequested": &target};
    if let Some(prev) = repl.sync_source.and_then(|i| members.get(i)) {
        reply.insert("prevSyncTarget", &prev.host);
    }
    let mine = node.store.last_applied();
    if u64::from(health.applied.ts.time) + 10 < u64::from(mine.ts.time) {
        reply.insert(
            "warning",
            format!("requested member \"{target}\" is more than 10 seconds behind us"),
        );
    }
    repl.sync_from_requested = Some(idx);
    Ok(reply)
}

fn maintenance(node: &Node, arg: Option<&Bson>) -> Result<Document, CmdError> {
    let mut repl = node.repl();
    gate(&repl)?;
    if repl.is_primary() {
        return Err(not_secondary("primaries can't modify maintenance mode"));
    }
    if election::is_running() {
        return Err(not_secondary("currently running for election"));
    }
    let before = repl.reported_state();
    if truthy(arg) {
        repl.maintenance += 1;
    } else if repl.maintenance == 0 {
        return Err(CmdError::new(
            96,
            "OperationFailed",
            "already out of maintenance mode",
        ));
    } else {
        repl.maintenance -= 1;
    }
    if repl.reported_state() != before {
        log::write(
            'I',
            "REPL",
            21350,
            "conn",
            "Going into maintenance mode",
            doc! {"maintenanceModeCount": i64::from(repl.maintenance)},
        );
        // hello's secondary flag changes with RECOVERING.
        node.bump_topology();
    }
    Ok(Document::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepdown_argument_rules() {
        let no = doc! {};
        assert_eq!(
            stepdown_args(Some(&Bson::Int32(0)), &no),
            Ok((60, 10, false))
        );
        assert_eq!(
            stepdown_args(Some(&Bson::String("x".into())), &no),
            Ok((60, 10, false))
        );
        assert_eq!(
            stepdown_args(None, &doc! {"force": true}),
            Ok((60, 0, true))
        );
        assert_eq!(
            stepdown_args(
                Some(&Bson::Double(30.0)),
                &doc! {"secondaryCatchUpPeriodSecs": 5}
            ),
            Ok((30, 5, false))
        );
        let e = stepdown_args(Some(&Bson::Int32(-1)), &no).unwrap_err();
        assert_eq!(
            (e.code, e.errmsg.as_str()),
            (2, "stepdown period must be a positive integer")
        );
        let e = stepdown_args(Some(&Bson::Int32(5)), &no).unwrap_err();
        assert_eq!(
            e.errmsg,
            "stepdown period must be longer than secondaryCatchUpPeriodSecs"
        );
        let e = stepdown_args(
            Some(&Bson::Int32(60)),
            &doc! {"secondaryCatchUpPeriodSecs": -1},
        )
        .unwrap_err();
        assert_eq!(
            e.errmsg,
            "secondaryCatchUpPeriodSecs period must be a positive or absent"
        );
    }

    #[test]
    fn truthiness_of_arguments() {
        assert!(truthy(Some(&Bson::Boolean(true))));
        assert!(!truthy(Some(&Bson::Int32(0))));
        assert!(truthy(Some(&Bson::Int32(2))));
        assert!(!truthy(None));
    }
}
