//! `newlyAdded` members (MongoDB 4.4+): a voting member added by a non-force reconfig is stored
//! with `newlyAdded: true` and counts as a non-voter (elections, majorities) until it is a
//! SECONDARY; the primary then drops the flag by an automatic reconfig (version + 1), so a
//! member still in initial sync never makes the set lose its majority.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, Document};

use super::commands::replset_config::config_held_by_majority;
use super::config_view::{self, num};
use super::heartbeat::install::install_config;
use super::{MemberState, Node};
use crate::error::CmdError;
use crate::log;

const FIELD: &str = "newlyAdded";
/// How often the primary looks for members that may lose the flag.
const TICK: Duration = Duration::from_millis(100);

fn is_voting(m: &Document) -> bool {
    let arbiter = matches!(m.get("arbiterOnly"), Some(Bson::Boolean(true)));
    !arbiter && num(m.get("votes")).unwrap_or(1.0) != 0.0
}

fn flagged_ids(cfg: &Document) -> Vec<f64> {
    let members = cfg
        .get_array("members")
        .map(|a| a.as_slice())
        .unwrap_or(&[]);
    members
        .iter()
        .filter_map(Bson::as_document)
        .filter(|m| m.contains_key(FIELD))
        .filter_map(|m| num(m.get("_id")))
        .collect()
}

/// Only the primary sets the field: a user may pass it back (as read from
/// `local.system.replset`) only on members that still carry it.
pub fn refuse_user_flag(proposed: &Document, old: &Document) -> Result<(), CmdError> {
    let still = flagged_ids(old);
    if flagged_ids(proposed).iter().any(|id| !still.contains(id)) {
        return Err(CmdError::invalid_config(
            "Cannot provide newlyAdded field to member config during reconfig.",
        ));
    }
    Ok(())
}

/// Marks the voters of a validated non-force config that are new to `old` (or still newly
/// added there).
pub fn mark(proposed: &mut Document, old: &Document) {
    let old_members: Vec<&Document> = old
        .get_array("members")
        .map(|a| a.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default();
    let Ok(list) = proposed.get_array_mut("members") else {
        return;
    };
    for m in list.iter_mut().filter_map(|b| match b {
        Bson::Document(d) => Some(d),
        _ => None,
    }) {
        let id = num(m.get("_id"));
        let before = old_members
            .iter()
            .find(|o| id.is_some() && num(o.get("_id")) == id);
        let mark = match before {
            None => true,
            Some(o) => o.get_bool(FIELD).unwrap_or(false),
        };
        if mark && is_voting(m) {
            m.insert(FIELD, true);
        }
    }
}

/// replSetGetConfig hides the field unless asked with `$_internalIncludeNewlyAdded`.
pub fn hide(cfg: &mut Document) {
    if let Ok(list) = cfg.get_array_mut("members") {
        for m in list.iter_mut() {
            if let Bson::Document(d) = m {
                d.remove(FIELD);
            }
        }
    }
}

/// Starts the primary's loop that removes the flag from members that became SECONDARY.
pub fn spawn(node: &Arc<Node>) {
    let node = node.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            remove_ready(&node);
        }
    });
}

fn remove_ready(node: &Node) {
    // mongod changes one config at a time: only once the current one is on a majority.
    if !config_held_by_majority(node).0 {
        return;
    }
    let mut repl = node.repl();
    if !repl.is_writable_primary() || repl.config_in_progress {
        return;
    }
    let Some(mut cfg) = repl.config_doc.clone() else {
        return;
    };
    let mut removed = Vec::new();
    if let Ok(list) = cfg.get_array_mut("members") {
        for (i, m) in list.iter_mut().enumerate() {
            let Bson::Document(d) = m else { continue };
            let ready = repl
                .members
                .get(i)
                .is_some_and(|h| h.up && h.state == MemberState::Secondary)
                || Some(i) == repl.self_index;
            if d.get_bool(FIELD).unwrap_or(false) && ready {
                d.remove(FIELD);
                removed.push(num(d.get("_id")).unwrap_or(-1.0) as i32);
            }
        }
    }
    if removed.is_empty() {
        return;
    }
    let version = config_view::version(&cfg) + 1;
    cfg.insert(
        "version",
        i32::try_from(version)
            .map(Bson::Int32)
            .unwrap_or(Bson::Int64(version)),
    );
    install_config(node, &mut repl, cfg, "removing newlyAdded");
    drop(repl);
    for id in &removed {
        log::write(
            'I',
            "REPL",
            4634504,
            "ReplCoord",
            "Removed newlyAdded field from member config",
            doc! {"memberId": id, "version": version},
        );
    }
    node.store
        .append_noop(doc! {"msg": "Reconfig set", "version": version as i32});
    node.notify_progress();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old() -> Document {
        doc! {"members": [{"_id": 0, "host": "a:1"}, {"_id": 1, "host": "b:1", "newlyAdded": true}]}
    }

    #[test]
    fn new_voters_are_marked_and_old_flags_kept() {
        let mut p = doc! {"members": [
            {"_id": 0, "host": "a:1"}, {"_id": 1, "host": "b:1"},
            {"_id": 2, "host": "c:1"}, {"_id": 3, "host": "d:1", "votes": 0, "priority": 0},
            {"_id": 4, "host": "e:1", "arbiterOnly": true},
        ]};
        mark(&mut p, &old());
        let flags: Vec<bool> = p
            .get_array("members")
            .unwrap()
            .iter()
            .map(|m| m.as_document().unwrap().contains_key(FIELD))
            .collect();
        assert_eq!(flags, [false, true, true, false, false]);
    }

    #[test]
    fn a_user_supplied_flag_is_refused() {
        let p = doc! {"members": [{"_id": 0, "host": "a:1", "newlyAdded": true}]};
        let e = refuse_user_flag(&p, &old()).unwrap_err();
        assert_eq!(e.code, 93);
        let p = doc! {"members": [{"_id": 1, "host": "b:1", "newlyAdded": true}]};
        assert!(refuse_user_flag(&p, &old()).is_ok());
    }

    #[test]
    fn hide_drops_the_field() {
        let mut c = old();
        hide(&mut c);
        assert!(!format!("{c}").contains(FIELD));
    }
}
