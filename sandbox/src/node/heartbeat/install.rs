//! Changes to the replica-set view that several paths share: installing a config (from
//! replSetInitiate, replSetReconfig or a heartbeat), adopting a higher term, stepping down.
//! All take the held `Repl` guard, so callers decide the locking.

use bson::doc;

use crate::log;
use crate::node::config_view;
use crate::node::{MemberHealth, MemberState, Node, Repl};

/// Installs `cfg` (already validated) as the member's config: persists it, re-maps the health
/// table and the known primary/sync source by host, and moves this member to the state the new
/// config gives it (REMOVED when absent, ARBITER, STARTUP2 when it holds no data yet, SECONDARY
/// after STARTUP/REMOVED; a primary that is no longer electable steps down).
pub fn install_config(node: &Node, repl: &mut Repl, cfg: bson::Document, source: &str) {
    let new_members = config_view::members(&cfg);
    let old_hosts: Vec<String> = repl
        .config_doc
        .as_ref()
        .map(|c| {
            config_view::members(c)
                .into_iter()
                .map(|m| m.host)
                .collect()
        })
        .unwrap_or_default();
    let host_at = |i: Option<usize>| i.and_then(|i| old_hosts.get(i).cloned());
    let index_of = |h: Option<String>| h.and_then(|h| new_members.iter().position(|m| m.host == h));

    let health: Vec<MemberHealth> = new_members
        .iter()
        .map(|m| {
            old_hosts
                .iter()
                .position(|h| *h == m.host)
                .and_then(|j| repl.members.get(j).cloned())
                .unwrap_or_default()
        })
        .collect();
    let self_index = new_members.iter().position(|m| node.is_self(&m.host));
    repl.primary_index = index_of(host_at(repl.primary_index));
    repl.sync_source = index_of(host_at(repl.sync_source));
    repl.sync_from_requested = index_of(host_at(repl.sync_from_requested));
    repl.members = health;
    repl.self_index = self_index;
    node.store.set_replset_config(&cfg);
    log::write(
        'I',
        "REPL",
        21392,
        "ReplCoord",
        "New replica set config in use",
        doc! {"config": &cfg, "source": source},
    );
    repl.config_doc = Some(cfg);

    match self_index.and_then(|i| new_members.get(i)) {
        None => {
            step_down_locked(node, repl, "removed from the replica set config");
            repl.primary_index = None;
            set_state(node, repl, MemberState::Removed);
        }
        Some(me) if me.arbiter_only => set_state(node, repl, MemberState::Arbiter),
        Some(me) => match repl.state {
            MemberState::Startup | MemberState::Removed | MemberState::Arbiter => {
                let empty = node.store.last_applied() == crate::data::OpTime::null();
                let next = if empty {
                    MemberState::Startup2
                } else {
                    MemberState::Secondary
                };
                set_state(node, repl, next);
            }
            MemberState::Primary if !me.is_electable() => {
                step_down_locked(node, repl, "no longer electable under the new config");
            }
            _ => {}
        },
    }
    // hosts, setVersion and member flags in hello all come from the config.
    node.bump_topology();
}

/// Moves to a higher `term` (persisting it); a primary seeing a higher term steps down.
pub fn adopt_term(node: &Node, repl: &mut Repl, term: i64, why: &str) {
    if term <= repl.term {
        return;
    }
    log::write(
        'I',
        "REPL",
        21400,
        "ReplCoord",
        "Updating term",
        doc! {"oldTerm": repl.term, "newTerm": term, "reason": why},
    );
    repl.term = term;
    node.persist_term(repl);
    step_down_locked(node, repl, "saw a higher term");
}

/// PRIMARY → SECONDARY (no-op for other states). Write-concern waiters are woken so they can
/// notice and fail with InterruptedDueToReplStateChange.
pub fn step_down_locked(node: &Node, repl: &mut Repl, reason: &str) {
    if !repl.is_primary() {
        return;
    }
    log::write(
        'I',
        "REPL",
        21809,
        "ReplCoord",
        "Stepping down from primary",
        doc! {"reason": reason, "term": repl.term},
    );
    if repl.primary_index == repl.self_index {
        repl.primary_index = None;
    }
    set_state(node, repl, MemberState::Secondary);
    node.notify_progress();
}

/// `Node::set_state` with mongod's state-transition log line.
pub fn set_state(node: &Node, repl: &mut Repl, state: MemberState) {
    let old = repl.state;
    if node.set_state(repl, state) {
        log::write(
            'I',
            "REPL",
            21358,
            "ReplCoord",
            "Replica set state transition",
            doc! {"newState": state.as_str(), "oldState": old.as_str()},
        );
    }
}
