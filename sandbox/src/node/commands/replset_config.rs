//! replSetInitiate and replSetReconfig (reference 6.1, 6.4): gates, validation (rsconfig), the
//! quorum check (peer), then installing the config (heartbeat::install) and its oplog no-op.

use std::sync::Arc;
use std::time::Duration;

use bson::{doc, Bson, Document};

use super::replset_status::require_config;
use crate::error::CmdError;
use crate::node::config_view;
use crate::node::dispatch::Request;
use crate::node::heartbeat::install::install_config;
use crate::node::peer::{peers, quorum_check, QuorumKind, QuorumTarget};
use crate::node::{newly_added, Node};
use crate::rsconfig;

/// How long members have to answer the quorum check.
const QUORUM_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a reconfig without `maxTimeMS` waits for the current config to reach a majority
/// (mongod waits until maxTimeMS; a bound keeps a client from hanging forever).
const CONFIG_COMMIT_WAIT: Duration = Duration::from_secs(30);

/// Clears `config_in_progress` however the command ends.
struct InProgress<'a>(&'a Node);

impl<'a> InProgress<'a> {
    fn start(node: &'a Node, what: &str) -> Result<InProgress<'a>, CmdError> {
        let mut repl = node.repl();
        if repl.config_in_progress {
            return Err(CmdError::new(
                109,
                "ConfigurationInProgress",
                format!(
                    "Cannot run {what} because the node is currently updating its configuration"
                ),
            ));
        }
        repl.config_in_progress = true;
        Ok(InProgress(node))
    }
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        self.0.repl().config_in_progress = false;
    }
}

/// The other members of `cfg` as quorum targets, and self's (`_id`, target).
fn quorum_targets(cfg: &Document, self_index: usize) -> (i32, QuorumTarget, Vec<QuorumTarget>) {
    let members = config_view::members(cfg);
    let target = |m: &config_view::MemberView| QuorumTarget {
        host: m.host.clone(),
        voter: m.is_voter(),
    };
    let me = members
        .get(self_index)
        .map(|m| (m.id, target(m)))
        .unwrap_or((
            0,
            QuorumTarget {
                host: String::new(),
                voter: false,
            },
        ));
    let others = members
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != self_index)
        .map(|(_, m)| target(m))
        .collect();
    (me.0, me.1, others)
}

pub async fn initiate(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let set_name = {
        let repl = node.repl();
        let Some(name) = repl.set_name.clone() else {
            return Err(CmdError::new(
                76,
                "NoReplicationEnabled",
                "This node was not started with the replSet option",
            ));
        };
        if repl.config_doc.is_some() {
            return Err(
                CmdError::new(23, "AlreadyInitialized", "already initialized").with_extra(
                    doc! {"info": "try querying local.system.replset to see current configuration"},
                ),
            );
        }
        name
    };
    let _guard = InProgress::start(node, "replSetInitiate")?;
    let (proposed, reply) = match req.arg() {
        Some(Bson::Document(d)) if !d.is_empty() => (d.clone(), Document::new()),
        _ => {
            let me = node.opts.default_me();
            let info = doc! {
                "info2": "no configuration specified. Using a default configuration for the set",
                "me": me.clone(),
            };
            (
                rsconfig::default_config_doc(&set_name, &me, &node.opts.seeds),
                info,
            )
        }
    };
    let is_self = |h: &str| node.is_self(h);
    let (cfg, me) = rsconfig::validate_initiate(&proposed, &set_name, &is_self)?;
    let cfg_doc = cfg.to_document();
    let (self_id, me_target, others) = quorum_targets(&cfg_doc, me);
    quorum_check(
        peers(),
        QuorumKind::Initiate,
        &cfg_doc,
        &me_target,
        self_id,
        &others,
        QUORUM_TIMEOUT,
    )
    .await?;

    node.store.append_noop(doc! {"msg": "initiating set"});
    {
        let mut repl = node.repl();
        install_config(node, &mut repl, cfg_doc, "initiate");
    }
    Ok(reply)
}

pub async fn reconfig(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let force = req.cmd.get_bool("force").unwrap_or(false);
    let Some(Bson::Document(proposed)) = req.arg().cloned() else {
        return Err(CmdError::bad_value("no configuration specified"));
    };
    let (old_cfg, term, set_name) = {
        let repl = node.repl();
        let cfg = require_config(&repl).map_err(|e| {
            if e.code == 94 {
                CmdError::new(
                    94,
                    "NotYetInitialized",
                    "Node not yet initialized; use the replSetInitiate command",
                )
            } else {
                e
            }
        })?;
        if !force && !repl.is_writable_primary() {
            return Err(CmdError::new(
                10107,
                "NotWritablePrimary",
                format!(
                    "New config is rejected :: caused by :: replSetReconfig should only be run on a writable PRIMARY. Current state {};",
                    repl.reported_state().as_str()
                ),
            ));
        }
        let set_name = repl.set_name.clone().unwrap_or_default();
        (cfg.clone(), repl.term, set_name)
    };
    let _guard = InProgress::start(node, "replSetReconfig")?;
    if !force {
        newly_added::refuse_user_flag(&proposed, &old_cfg)?;
    }
    if !force {
        wait_current_config_committed(node, req).await?;
    }
    let old = rsconfig::parse(&old_cfg)?;
    super::rw_defaults::publish_to_rsconfig(node);
    let is_self = |h: &str| node.is_self(h);
    // rsconfig stamps the term, or for force bumps the version and drops the term.
    let (cfg, me) = rsconfig::validate_reconfig(&rsconfig::ReconfigRequest {
        new: &proposed,
        old: &old,
        force,
        current_term: term,
        set_name: &set_name,
        is_self: &is_self,
    })?;
    let mut cfg_doc = cfg.to_document();
    if !force {
        newly_added::mark(&mut cfg_doc, &old_cfg);
        let (self_id, me_target, others) = quorum_targets(&cfg_doc, me);
        quorum_check(
            peers(),
            QuorumKind::Reconfig,
            &cfg_doc,
            &me_target,
            self_id,
            &others,
            QUORUM_TIMEOUT,
        )
        .await?;
    }
    let version = config_view::version(&cfg_doc);
    let was_primary = {
        let mut repl = node.repl();
        let was = repl.is_primary();
        install_config(
            node,
            &mut repl,
            cfg_doc,
            if force { "forced reconfig" } else { "reconfig" },
        );
        was
    };
    if was_primary && node.repl().is_primary() {
        node.store
            .append_noop(doc! {"msg": "Reconfig set", "version": version as i32});
        node.notify_progress();
    }
    Ok(Document::new())
}

/// mongod 4.4+: a non-force reconfig first waits until a majority of the voters hold the current
/// config (same version and term, learned from heartbeats), so configs change one step at a time.
async fn wait_current_config_committed(node: &Node, req: &Request) -> Result<(), CmdError> {
    let limit = config_view::num(req.cmd.get("maxTimeMS"))
        .filter(|ms| *ms > 0.0)
        .map(|ms| Duration::from_millis(ms as u64))
        .unwrap_or(CONFIG_COMMIT_WAIT);
    let committed = || config_held_by_majority(node).0;
    if node.wait_progress(Some(limit), committed).await {
        return Ok(());
    }
    let (_, version, term) = config_held_by_majority(node);
    Err(CmdError::new(
        308,
        "CurrentConfigNotCommittedYet",
        format!(
            "New config is rejected :: caused by :: the current config with {{version: {version}, term: {term}}} has not yet propagated to a majority of nodes"
        ),
    ))
}

/// (whether a majority of voters hold our config, its version, its term).
pub(crate) fn config_held_by_majority(node: &Node) -> (bool, i64, i64) {
    let repl = node.repl();
    let Some(cfg) = repl.config_doc.as_ref() else {
        return (false, -1, -1);
    };
    let ours = (config_view::version(cfg), config_view::term(cfg));
    let members = config_view::members(cfg);
    let (majority, ..) = config_view::majorities(&members);
    let holders = members
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            m.is_voter()
                && (Some(*i) == repl.self_index
                    || repl
                        .members
                        .get(*i)
                        .is_some_and(|h| h.up && (h.config_version, h.config_term) == ours))
        })
        .count();
    (holders as i32 >= majority, ours.0, ours.1)
}
