//! The config checks of replSetInitiate and replSetReconfig, in the server's order and with its
//! codes: initiate reports everything as 93; reconfig reports parse and name errors as 93 and
//! the rest as 103 (reference 6.1 and 6.4). Network steps (quorum check, waiting for the old
//! config to commit) and state gates (76/94/10107) belong to the node.

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};
use rand::Rng;

use super::validate::{
    has_customized_get_last_error_defaults, validate_arbiter_priorities, validate_compatible,
    validate_single_node_change,
};
use super::{default_rw_concern_set, parse, parse::server_string, validate, ReplSetConfig};
use crate::error::CmdError;

/// `{_id: set, version: 1, members: [{_id: 0, host: me}, …seeds]}`: what replSetInitiate uses
/// when given no config (`{}`, null, undefined); seeds come from `--replSet name/h1,h2`.
pub fn default_config_doc(set_name: &str, self_host: &str, seeds: &[String]) -> Document {
    let mut members = vec![Bson::Document(doc! {"_id": 0, "host": self_host})];
    for (i, seed) in seeds.iter().enumerate() {
        members.push(Bson::Document(
            doc! {"_id": (i + 1) as i32, "host": seed.as_str()},
        ));
    }
    doc! {"_id": set_name, "version": 1, "members": members}
}

fn as_invalid(e: CmdError) -> CmdError {
    CmdError::invalid_config(e.errmsg)
}

fn as_incompatible(e: CmdError) -> CmdError {
    CmdError::new(103, "NewReplicaSetConfigurationIncompatible", e.errmsg)
}

/// Finds this node in the config: exactly one member must map to it.
fn find_self(cfg: &ReplSetConfig, is_self: &dyn Fn(&str) -> bool) -> Result<usize, CmdError> {
    let mine: Vec<usize> = (0..cfg.members.len())
        .filter(|&i| is_self(&cfg.members[i].host))
        .collect();
    match mine.as_slice() {
        [] => Err(CmdError::new(
            74,
            "NodeNotFound",
            format!(
                "No host described in new configuration with {} for replica set {} maps to this node",
                cfg.version_and_term(),
                cfg.id
            ),
        )),
        [one] => Ok(*one),
        [first, middle @ .., last] => {
            let mut msg = format!("The hosts {}", cfg.members[*first].host);
            for i in middle {
                msg.push_str(&format!(", {}", cfg.members[*i].host));
            }
            msg.push_str(&format!(
                " and {} all map to this node in new configuration with {} for replica set {}",
                cfg.members[*last].host,
                cfg.version_and_term(),
                cfg.id
            ));
            Err(CmdError::invalid_config(msg))
        }
    }
}

fn check_electable(cfg: &ReplSetConfig, index: usize) -> Result<(), CmdError> {
    let m = &cfg.members[index];
    if m.is_electable() {
        return Ok(());
    }
    Err(CmdError::new(
        104,
        "NodeNotElectable",
        format!(
            "This node, {}, with _id {} is not electable under the new configuration with {} for replica set {}",
            m.host,
            m.id,
            cfg.version_and_term(),
            cfg.id
        ),
    ))
}

/// replSetInitiate with a config object. Returns the config to install (version 1, term 0, a
/// new replicaSetId) and this node's member index; every error is 93.
pub fn validate_initiate(
    given: &Document,
    set_name: &str,
    is_self: &dyn Fn(&str) -> bool,
) -> Result<(ReplSetConfig, usize), CmdError> {
    let mut d = given.clone();
    if !d.contains_key("version") {
        d.insert("version", 1);
    }
    let mut cfg = parse(&d)?;
    if cfg.settings.replica_set_id.is_some() {
        return Err(CmdError::invalid_config(format!(
            "replica set configuration cannot contain 'replicaSetId' field when called from replSetInitiate: {}",
            server_string(given)
        )));
    }
    cfg.term = 0;
    cfg.settings.replica_set_id = Some(ObjectId::new());
    if cfg.id != set_name {
        return Err(CmdError::invalid_config(format!(
            "Attempting to initiate a replica set with name {}, but command line reports {set_name}; rejecting",
            cfg.id
        )));
    }
    validate(&cfg).map_err(as_invalid)?;
    if has_customized_get_last_error_defaults(&cfg) {
        return Err(CmdError::invalid_config(
            "Failed to initiate: Replica set config contains customized getLastErrorDefaults, which has been deprecated and is now ignored. Use setDefaultRWConcern instead to set a cluster-wide default writeConcern.",
        ));
    }
    validate_arbiter_priorities(&cfg)?;
    if let Some(m) = cfg.members.iter().find(|m| m.newly_added) {
        return Err(CmdError::invalid_config(format!(
            "Member {}, with _id {}, has a newlyAdded field, which is not valid for initial configuration of a replica set.",
            m.host, m.id
        )));
    }
    if cfg.version != 1 {
        return Err(CmdError::invalid_config(format!(
            "Configuration used to initiate a replica set must  have version 1, but found {}",
            cfg.version
        )));
    }
    let me = find_self(&cfg, is_self).map_err(as_invalid)?;
    check_electable(&cfg, me).map_err(as_invalid)?;
    Ok((cfg, me))
}

/// What replSetReconfig needs besides the new config document.
pub struct ReconfigRequest<'a> {
    pub new: &'a Document,
    pub old: &'a ReplSetConfig,
    pub force: bool,
    /// The node's current term, stamped into a non-force config.
    pub current_term: i64,
    /// The `--replSet` name.
    pub set_name: &'a str,
    pub is_self: &'a dyn Fn(&str) -> bool,
}

/// replSetReconfig's config checks. Returns the config to install (term stamped, or version
/// bumped and term −1 when forced) and this node's member index.
pub fn validate_reconfig(req: &ReconfigRequest) -> Result<(ReplSetConfig, usize), CmdError> {
    let old = req.old;
    let mut cfg = parse(req.new)?;
    if cfg.settings.replica_set_id.is_none() {
        cfg.settings.replica_set_id = old.settings.replica_set_id;
    }
    if req.force {
        // A forced config must win over any config that may exist elsewhere in the set.
        let bump = 10_000 + rand::thread_rng().gen_range(0..100_000);
        cfg.version = (cfg.version.max(old.version) + bump).min(i32::MAX as i64);
        cfg.term = -1;
    } else {
        cfg.term = req.current_term;
    }
    if cfg.id != req.set_name {
        return Err(CmdError::invalid_config(format!(
            "Attempting to reconfigure a replica set with name {}, but command line reports {}; rejecting",
            cfg.id, req.set_name
        )));
    }
    validate(&cfg).map_err(as_incompatible)?;
    if has_customized_get_last_error_defaults(&cfg) {
        return Err(CmdError::new(
            5624102,
            "Location5624102",
            "Failed to reconfig: Replica set config contains customized getLastErrorDefaults, which has been deprecated and is now ignored. Use setDefaultRWConcern instead to set a cluster-wide default writeConcern.",
        ));
    }
    validate_compatible(old, &cfg)?;
    if !req.force {
        validate_single_node_change(old, &cfg).map_err(as_incompatible)?;
    }
    validate_arbiter_priorities(&cfg).map_err(as_incompatible)?;
    if !req.force
        && !default_rw_concern_set()
        && old.is_implicit_default_majority() != cfg.is_implicit_default_majority()
    {
        return Err(as_incompatible(CmdError::bad_value(
            "Reconfig attempted to install a config that would change the implicit default write concern. Use the setDefaultRWConcern command to set a cluster-wide write concern and try the reconfig again.",
        )));
    }
    let me = find_self(&cfg, req.is_self).map_err(as_incompatible)?;
    if !req.force {
        check_electable(&cfg, me).map_err(as_incompatible)?;
    }
    Ok((cfg, me))
}
