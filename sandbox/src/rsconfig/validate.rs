//! Whole-set rules (voters, priorities, arbiters, majorities) and the checks between an old and a new config.
//! These return the server's inner codes; replSetInitiate re-wraps them as 93 and
//! replSetReconfig as 103.

use std::collections::BTreeSet;

use super::host::HostAndPort;
use super::{allow_multiple_arbiters, ReplSetConfig};
use crate::error::CmdError;

const MAX_MEMBERS: usize = 50;
const MAX_VOTING_MEMBERS: usize = 7;

fn incompatible(msg: impl Into<String>) -> CmdError {
    CmdError::new(103, "NewReplicaSetConfigurationIncompatible", msg)
}

/// Section 8: member count, unique `_id` and host, localhost mixing, voter count, an electable
/// member, config-server rules, a single arbiter.
pub fn validate(cfg: &ReplSetConfig) -> Result<(), CmdError> {
    let n = cfg.members.len();
    if n == 0 || n > MAX_MEMBERS {
        return Err(CmdError::bad_value(format!(
            "Replica set configuration contains {n} members, but must have at least 1 and no more than  {MAX_MEMBERS}"
        )));
    }
    let (mut localhost, mut voters, mut arbiters, mut electable) = (0, 0, 0, 0);
    for (i, mi) in cfg.members.iter().enumerate() {
        if HostAndPort::parse(&mi.host).is_ok_and(|h| h.is_localhost()) {
            localhost += 1;
        }
        if mi.is_voter() {
            voters += 1;
        }
        if mi.arbiter_only {
            arbiters += 1;
        } else if mi.priority > 0.0 {
            electable += 1;
        }
        for (j, mj) in cfg.members.iter().enumerate() {
            if i == j {
                continue;
            }
            if mi.id == mj.id {
                return Err(CmdError::bad_value(format!(
                    "Found two member configurations with same _id field, members.{i}._id == members.{j}._id == {}",
                    mi.id
                )));
            }
            if mi.host == mj.host {
                return Err(CmdError::bad_value(format!(
                    "Found two member configurations with same host field, members.{i}.host == members.{j}.host == {}",
                    mi.host
                )));
            }
        }
    }
    if localhost != 0 && localhost != n {
        return Err(CmdError::bad_value(format!(
            "Either all host names in a replica set configuration must be localhost references, or none must be; found {localhost} out of {n}"
        )));
    }
    if voters == 0 || voters > MAX_VOTING_MEMBERS {
        return Err(CmdError::bad_value(format!(
            "Replica set configuration contains {voters} voting members, but must be at least 1 and no more than {MAX_VOTING_MEMBERS}"
        )));
    }
    if electable == 0 {
        return Err(CmdError::bad_value(
            "Replica set configuration must contain at least one non-arbiter member with priority > 0",
        ));
    }
    if cfg.configsvr {
        if arbiters > 0 {
            return Err(CmdError::bad_value(
                "Arbiters are not allowed in replica set configurations being used for config servers",
            ));
        }
        return Err(CmdError::bad_value(
            "Nodes being used for config servers must be started with the --configsvr flag",
        ));
    }
    if arbiters > 1 && !allow_multiple_arbiters() {
        return Err(CmdError::bad_value(
            "Multiple arbiters are not allowed unless all nodes were started with with --setParameter 'allowMultipleArbiters=true'",
        ));
    }
    Ok(())
}

/// An arbiter whose priority is not 0 after parsing was given an explicit non-default one.
pub fn validate_arbiter_priorities(cfg: &ReplSetConfig) -> Result<(), CmdError> {
    match cfg
        .members
        .iter()
        .find(|m| m.arbiter_only && m.priority != 0.0)
    {
        Some(m) => Err(CmdError::invalid_config(format!(
            "Member {} is an arbiter but has priority {}. Arbiter priority must be 0.",
            m.host,
            fmt_priority(m.priority)
        ))),
        None => Ok(()),
    }
}

fn fmt_priority(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{}", p as i64)
    } else {
        p.to_string()
    }
}

/// `getLastErrorDefaults` other than `{w: 1, wtimeout: 0}` (or empty) is refused since 5.0.
pub fn has_customized_get_last_error_defaults(cfg: &ReplSetConfig) -> bool {
    let d = &cfg.settings.get_last_error_defaults;
    let num = |k: &str| {
        d.get(k).and_then(|v| match v {
            bson::Bson::Int32(n) => Some(*n as f64),
            bson::Bson::Int64(n) => Some(*n as f64),
            bson::Bson::Double(f) => Some(*f),
            _ => None,
        })
    };
    let w_ok = d.get("w").is_none() || num("w") == Some(1.0);
    let wtimeout_ok = d.get("wtimeout").is_none() || num("wtimeout") == Some(0.0);
    let only_known = d.keys().all(|k| k == "w" || k == "wtimeout");
    !(w_ok && wtimeout_ok && only_known)
}

/// Ordering of configs: by term then version, or by version alone when either term is −1.
pub fn newer_than(new: &ReplSetConfig, old: &ReplSetConfig) -> bool {
    if new.term == -1 || old.term == -1 || new.term == old.term {
        new.version > old.version
    } else {
        new.term > old.term
    }
}

/// The old→new compatibility rules of replSetReconfig (all 103).
pub fn validate_compatible(old: &ReplSetConfig, new: &ReplSetConfig) -> Result<(), CmdError> {
    if !newer_than(new, old) {
        return Err(incompatible(format!(
            "New replica set configuration version and term must be greater than old, but {} is not greater than {} for replica set {}",
            new.version_and_term(),
            old.version_and_term(),
            new.id
        )));
    }
    if old.id != new.id {
        return Err(incompatible(format!(
            "New and old configurations differ in replica set name; old was {}, and new is {}",
            old.id, new.id
        )));
    }
    if old.settings.replica_set_id != new.settings.replica_set_id {
        let show = |o: Option<bson::oid::ObjectId>| o.map(|o| o.to_hex()).unwrap_or_default();
        return Err(incompatible(format!(
            "New and old configurations differ in replica set ID; old was {}, and new is {}",
            show(old.settings.replica_set_id),
            show(new.settings.replica_set_id)
        )));
    }
    if old.configsvr && !new.configsvr {
        return Err(incompatible(
            "Cannot remove \"configsvr\" from replica set configuration on reconfig",
        ));
    }
    for mn in &new.members {
        for mo in &old.members {
            let ids = mo.id == mn.id;
            let hosts = mo.host == mn.host;
            if !ids && !hosts {
                continue;
            }
            if hosts && !ids {
                return Err(incompatible(format!(
                    "New and old configurations both have members with host of {} but in the new configuration the _id field is {} and in the old configuration it is {} for replica set {}",
                    mo.host, mn.id, mo.id, new.id
                )));
            }
            for (field, differs) in [
                ("buildIndexes", mo.build_indexes != mn.build_indexes),
                ("arbiterOnly", mo.arbiter_only != mn.arbiter_only),
            ] {
                if differs {
                    return Err(incompatible(format!(
                        "New and old configurations differ in the setting of the {field} field for member {}; to make this change, remove then re-add the member",
                        mo.host
                    )));
                }
            }
        }
    }
    // PSA guard: with no overlap between election and write quorums in the old config, a new
    // PSA config must not make the secondary electable.
    let old_voters = old.members.iter().filter(|m| m.votes > 0).count();
    let old_arbiters = old.members.iter().filter(|m| m.arbiter_only).count();
    // majority (voters / 2 + 1) <= writable voters
    let overlap = old_voters / 2 < old_voters - old_arbiters;
    let new_electable = new.members.iter().filter(|m| m.priority > 0.0).count();
    if !overlap && is_psa(new) && new_electable > 1 {
        return Err(incompatible(
            "Rejecting reconfig where the new config has a PSA topology and the secondary is electable, but the old config contains only one writable node. Refer to https://docs.mongodb.com/manual/reference/method/rs.reconfigForPSASet/ for next steps on reconfiguring a PSA set.",
        ));
    }
    Ok(())
}

/// Three voting members, one of them an arbiter.
fn is_psa(cfg: &ReplSetConfig) -> bool {
    cfg.members.iter().filter(|m| m.votes > 0).count() == 3
        && cfg.members.iter().filter(|m| m.arbiter_only).count() == 1
}

/// Non-force reconfigs add or remove at most one voting member (by `_id`).
pub fn validate_single_node_change(
    old: &ReplSetConfig,
    new: &ReplSetConfig,
) -> Result<(), CmdError> {
    let ids = |c: &ReplSetConfig| {
        c.members
            .iter()
            // newlyAdded members count here by their `votes` (one voter change at a time).
            .filter(|m| m.votes > 0)
            .map(|m| m.id)
            .collect::<BTreeSet<_>>()
    };
    let (a, b) = (ids(old), ids(new));
    if a.symmetric_difference(&b).count() > 1 {
        return Err(CmdError::invalid_config(
            "Non force replica set reconfig can only add or remove at most 1 voting member.",
        ));
    }
    Ok(())
}
