//! Write concern after a write on the primary: `w: <n> | "majority" | "<getLastErrorModes name>"`
//! with `wtimeout`, measured against the members' replicated positions (heartbeats and
//! replSetUpdatePosition keep them fresh and wake waiters through `notify_progress`).

use std::collections::HashSet;
use std::time::Duration;

use bson::{doc, Bson, Document};

use crate::data::OpTime;
use crate::node::config_view::{self, num, MemberView};
use crate::node::dispatch::Request;
use crate::node::Node;

/// What the client asked for, or the default (global, else `majority` / `w: 1` for PSA sets).
enum W {
    Count(i64),
    Majority,
    /// A `settings.getLastErrorModes` entry: tag name → distinct values that must hold the write.
    Tags(Document),
}

/// Waits until the write at `optime` satisfies the write concern; `Some(writeConcernError)` on
/// timeout, stepdown or an impossible `w`.
pub async fn wait(node: &Node, req: &Request, optime: OpTime) -> Option<Document> {
    let cfg = node.repl().config_doc.clone()?;
    let members = config_view::members(&cfg);
    let (majority, write_majority, _, writable) = config_view::majorities(&members);
    // No writeConcern: a global default from setDefaultRWConcern, else the implicit one.
    let custom = match req.cmd.get_document("writeConcern") {
        Ok(_) => None,
        Err(_) => super::rw_defaults::default_write_concern_off_runtime(node).await,
    };
    let provenance = if req.cmd.contains_key("writeConcern") {
        "clientSupplied"
    } else if custom.is_some() {
        "customDefault"
    } else {
        "implicitDefault"
    };
    let wc = req
        .cmd
        .get_document("writeConcern")
        .ok()
        .or(custom.as_ref());
    let error = |code, name, msg: &str, timed_out| wce(code, name, msg, wc, provenance, timed_out);
    let w = match wc.and_then(|wc| wc.get("w")) {
        Some(Bson::String(s)) if s == "majority" => W::Majority,
        Some(Bson::String(mode)) => match mode_tags(&cfg, mode) {
            Some(tags) => W::Tags(tags),
            None => {
                return Some(error(
                    79,
                    "UnknownReplWriteConcern",
                    &format!(
                        "No write concern mode named '{mode}' found in replica set configuration"
                    ),
                    false,
                ))
            }
        },
        Some(v) => W::Count(num(Some(v)).unwrap_or(1.0) as i64),
        None if writable <= majority
            && writable < members.iter().filter(|m| m.is_voter()).count() as i32 =>
        {
            W::Count(1)
        }
        None => W::Majority,
    };
    let data_members = members.iter().filter(|m| !m.arbiter_only).count() as i64;
    match w {
        W::Count(n) if n <= 1 => return None,
        W::Count(n) if n > data_members => {
            return Some(error(
                100,
                "UnsatisfiableWriteConcern",
                "Not enough data-bearing nodes",
                false,
            ));
        }
        _ => {}
    }
    let wtimeout = wc
        .and_then(|wc| num(wc.get("wtimeout")).or_else(|| num(wc.get("wtimeoutMS"))))
        .filter(|ms| *ms > 0.0)
        .map(|ms| Duration::from_millis(ms as u64));
    // The command's maxTimeMS bounds the wait too; whichever comes first ends it.
    let limit = req
        .deadline
        .map(|d| d.saturating_duration_since(std::time::Instant::now()));
    let timeout = match (wtimeout, limit) {
        (Some(w), Some(l)) => Some(w.min(l)),
        (w, l) => w.or(l),
    };
    let by_limit = limit.is_some_and(|l| wtimeout.is_none_or(|w| l < w));
    let reached = || {
        let holders = holders(node, &members, optime);
        match &w {
            W::Count(n) => holders.len() as i64 >= *n,
            W::Majority => {
                let voters = holders.iter().filter(|m| m.is_voter()).count();
                voters as i64 >= i64::from(write_majority)
            }
            W::Tags(tags) => tags_satisfied(tags, &holders),
        }
    };
    // A stepdown ends the wait (step_down_locked wakes waiters): mongod fails every waiter with
    // PrimarySteppedDown, which drivers retry.
    let term = node.repl().term;
    let stepped_down = || {
        let repl = node.repl();
        !repl.is_primary() || repl.term != term
    };
    if node
        .wait_progress(timeout, || reached() || stepped_down())
        .await
    {
        // The step-down first: once a newer term exists, members' later optimes may belong to
        // the new primary's history and say nothing about this write (counting them acknowledged
        // a write that the rollback then took away).
        if !stepped_down() && reached() {
            return None;
        }
        return Some(error(
            189,
            "PrimarySteppedDown",
            "Primary stepped down while waiting for replication",
            false,
        ));
    }
    if by_limit {
        return Some(error(
            50,
            "MaxTimeMSExpired",
            "operation exceeded time limit",
            false,
        ));
    }
    Some(error(
        64,
        "WriteConcernFailed",
        "waiting for replication timed out",
        true,
    ))
}

/// `settings.getLastErrorModes.<mode>` of the installed config.
fn mode_tags(cfg: &Document, mode: &str) -> Option<Document> {
    cfg.get_document("settings")
        .ok()?
        .get_document("getLastErrorModes")
        .ok()?
        .get_document(mode)
        .ok()
        .cloned()
}

/// Every tag of the mode has at least the required number of distinct values among the members
/// holding the write (mongod's tag-set write concern).
fn tags_satisfied(mode: &Document, holders: &[&MemberView]) -> bool {
    mode.iter().all(|(tag, need)| {
        let values: HashSet<String> = holders
            .iter()
            .filter_map(|m| m.tags.get_str(tag).ok().map(str::to_string))
            .collect();
        values.len() as f64 >= num(Some(need)).unwrap_or(1.0)
    })
}

/// The data-bearing members (self included) known to have applied `optime`.
fn holders<'a>(node: &Node, members: &'a [MemberView], optime: OpTime) -> Vec<&'a MemberView> {
    let repl = node.repl();
    let mut out = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if m.arbiter_only {
            continue;
        }
        let applied = if Some(i) == repl.self_index {
            node.store.last_applied()
        } else {
            match repl.members.get(i) {
                Some(h) if h.up => h.applied,
                _ => continue,
            }
        };
        if applied >= optime {
            out.push(m);
        }
    }
    out
}

fn wce(
    code: i32,
    code_name: &str,
    errmsg: &str,
    wc: Option<&Document>,
    provenance: &str,
    timed_out: bool,
) -> Document {
    let mut given = wc.cloned().unwrap_or_default();
    given.insert("provenance", provenance);
    let mut info = Document::new();
    if timed_out {
        info.insert("wtimeout", true);
    }
    info.insert("writeConcern", given);
    doc! {"code": code, "codeName": code_name, "errmsg": errmsg, "errInfo": info}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: i32, dc: &str) -> MemberView {
        MemberView {
            id,
            host: format!("h:{id}"),
            arbiter_only: false,
            build_indexes: true,
            hidden: false,
            priority: 1.0,
            votes: 1,
            secondary_delay_secs: 0,
            tags: doc! {"dc": dc},
            newly_added: false,
        }
    }

    #[test]
    fn tag_modes_count_distinct_values() {
        let (a, b, c) = (member(0, "east"), member(1, "east"), member(2, "west"));
        let mode = doc! {"dc": 2};
        assert!(!tags_satisfied(&mode, &[&a, &b]));
        assert!(tags_satisfied(&mode, &[&a, &c]));
        assert!(!tags_satisfied(&doc! {"rack": 1}, &[&a, &b, &c]));
    }

    #[test]
    fn modes_come_from_the_config_settings() {
        let cfg = doc! {"settings": {"getLastErrorModes": {"twoDCs": {"dc": 2}}}};
        assert_eq!(mode_tags(&cfg, "twoDCs"), Some(doc! {"dc": 2}));
        assert_eq!(mode_tags(&cfg, "other"), None);
    }
}
