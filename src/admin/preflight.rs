//! Preflight: rules over the config in force, the proposed config and what rsh could learn
//! from each host, run before a change is sent. A `Fail` refuses the change; a `Warn` is
//! printed and the change goes ahead.

use std::collections::HashMap;

use bson::{Bson, Document};

use super::config::{self, Member, MAX_MEMBERS, MAX_VOTERS};
use super::finding::Finding;
use super::probe::{HostProbe, Probe};

/// The first wire version of 5.0, where the implicit default write concern rule starts.
const WIRE_VERSION_5_0: i32 = 13;

/// The exact command a user runs before adding an arbiter to a two-data-member set.
pub const SET_DEFAULT_WRITE_CONCERN: &str =
    "db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}})";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Initiate,
    Reconfig,
    Add,
    AddArb,
    Remove,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "initiate" => Action::Initiate,
            "reconfig" => Action::Reconfig,
            "add" => Action::Add,
            "addArb" => Action::AddArb,
            "remove" => Action::Remove,
            _ => return None,
        })
    }
}

/// A change about to be sent.
#[derive(Debug, Clone)]
pub struct Plan {
    pub action: Action,
    /// The config in force (`None` before `rs.initiate`).
    pub current: Option<Document>,
    /// The config to send (`None`: `rs.initiate()` without one, the server builds it).
    pub proposed: Option<Document>,
    /// `replSetReconfig`'s `force`.
    pub force: bool,
    /// The member the command goes to, as `host:port`.
    pub connected: String,
    /// That server's host name (`hostInfo`), for `rs.initiate()` without a config.
    pub server_hostname: Option<String>,
    /// That server's `--replSet`, for `rs.initiate()` without a config.
    pub set_name: Option<String>,
    /// The `getDefaultRWConcern` reply, `None` when it could not be read.
    pub default_rw_concern: Option<Document>,
}

/// Every host of the proposed config (the ones a check needs an answer from).
pub fn hosts_to_probe(plan: &Plan) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    if let Some(p) = &plan.proposed {
        for m in config::members(p) {
            if !hosts.iter().any(|h| config::same_host(h, &m.host)) {
                hosts.push(m.host);
            }
        }
    }
    hosts
}

/// Probe what the plan needs, then check it.
pub fn run(plan: &Plan, probe: &dyn Probe) -> Vec<Finding> {
    let probes = probe.probe(&hosts_to_probe(plan));
    check(plan, &probes)
}

/// All the rules, in the order they print.
pub fn check(plan: &Plan, probes: &[HostProbe]) -> Vec<Finding> {
    let Some(proposed) = &plan.proposed else {
        return default_initiate(plan).into_iter().collect();
    };
    let mut out = Vec::new();
    let members = config::members(proposed);
    let set_name = proposed.get_str("_id").unwrap_or("");
    let current_members = plan.current.as_ref().map(config::members);
    let is_new = |host: &str| match &current_members {
        Some(cur) => !cur.iter().any(|m| config::same_host(&m.host, host)),
        None => true,
    };
    let find = |host: &str| probes.iter().find(|p| config::same_host(&p.host, host));

    limits(&members, &mut out);
    names(&members, &mut out);
    for m in members.iter().filter(|m| is_new(&m.host)) {
        if let Some(p) = find(&m.host) {
            new_host(plan, set_name, m, p, &mut out);
        }
    }
    for m in &members {
        if let Some(h) = find(&m.host).and_then(HostProbe::hello) {
            if let Ok(me) = h.get_str("me") {
                if !config::same_host(me, &m.host) {
                    out.push(
                        Finding::warn(format!(
                            "{} calls itself \"{me}\" (hello's me): members and clients find it by the name in the config",
                            m.host
                        ))
                        .with_fix(format!("write host: \"{me}\" for member {}", m.id)),
                    );
                }
            }
        }
    }
    same_process(&members, probes, &mut out);
    majority(plan, &members, &find, &mut out);
    connected_member(plan, &members, &mut out);
    write_concern(plan, proposed, probes, &mut out);
    if plan.force {
        if let Some(p) = probes.iter().find(|p| {
            p.hello().is_some_and(|h| {
                config::truthy(h.get("isWritablePrimary")) || config::truthy(h.get("ismaster"))
            })
        }) {
            out.push(
                Finding::warn(format!(
                    "force reconfig while a primary ({}) is reachable: a forced config can roll back writes and start a second history",
                    p.host
                ))
                .with_fix("prefer a normal rs.reconfig(cfg) through the primary"),
            );
        }
    }
    out
}

/// `rs.initiate()` without a config: the server names itself by its host name.
fn default_initiate(plan: &Plan) -> Option<Finding> {
    let hostname = plan.server_hostname.as_deref()?;
    let (connected_name, port) = config::split_host(&plan.connected);
    if hostname.eq_ignore_ascii_case(connected_name) {
        return None;
    }
    let port = port.unwrap_or(config::DEFAULT_PORT);
    let set = plan.set_name.as_deref().unwrap_or("rs0");
    Some(
        Finding::warn(format!(
            "rs.initiate() without a config names this member \"{hostname}:{port}\" (the server's host name), which other members and clients may not resolve"
        ))
        .with_fix(format!(
            "rs.initiate({{_id: \"{set}\", members: [{{_id: 0, host: \"{}\"}}]}})",
            plan.connected
        )),
    )
}

fn limits(members: &[Member], out: &mut Vec<Finding>) {
    if members.len() > MAX_MEMBERS {
        out.push(Finding::fail(format!(
            "{} members: a replica set has at most {MAX_MEMBERS} members",
            members.len()
        )));
    }
    let voters = members.iter().filter(|m| m.voter()).count();
    if voters > MAX_VOTERS {
        out.push(
            Finding::fail(format!(
                "{voters} voting members: at most {MAX_VOTERS} members may vote"
            ))
            .with_fix("give the others votes: 0 and priority: 0"),
        );
    } else if voters > 0 && voters % 2 == 0 {
        out.push(
            Finding::warn(format!(
                "{voters} voting members: an even number survives no more failures than {} would",
                voters - 1
            ))
            .with_fix("add a voting member (or an arbiter), or set votes: 0 on one"),
        );
    }
    let data: Vec<&Member> = members.iter().filter(|m| !m.arbiter && m.voter()).collect();
    if !data.is_empty() && data.iter().all(|m| m.priority == 0.0) {
        out.push(
            Finding::fail(
                "every voting data member has priority 0: no member could become primary",
            )
            .with_fix("give at least one member a priority above 0"),
        );
    }
}

fn names(members: &[Member], out: &mut Vec<Finding>) {
    for m in members {
        if config::split_host(&m.host).1.is_none() {
            out.push(
                Finding::warn(format!(
                    "\"{}\" has no port: the server takes {} there, which may be no member at all",
                    m.host,
                    config::with_port(&m.host)
                ))
                .with_fix(format!(
                    "write the port: \"{}\"",
                    config::with_port(&m.host)
                )),
            );
        }
    }
    let local: Vec<&str> = members
        .iter()
        .filter(|m| config::is_localhost(&m.host))
        .map(|m| m.host.as_str())
        .collect();
    let other: Vec<&str> = members
        .iter()
        .filter(|m| !config::is_localhost(&m.host))
        .map(|m| m.host.as_str())
        .collect();
    if !local.is_empty() && !other.is_empty() {
        out.push(
            Finding::fail(format!(
                "the config mixes localhost ({}) and other hosts ({}): the server refuses it",
                local.join(", "),
                other.join(", ")
            ))
            .with_fix("name every member by an address the other members can reach"),
        );
    }
}

/// A host joining the set: it must resolve, answer, run with the set's name and be empty.
fn new_host(plan: &Plan, set_name: &str, m: &Member, p: &HostProbe, out: &mut Vec<Finding>) {
    if let Some(e) = &p.resolve_error {
        out.push(
            Finding::fail(format!("cannot resolve \"{}\": {e}", m.host))
                .with_fix("use a name or address every member and rsh can resolve"),
        );
        return;
    }
    let hello = match &p.hello {
        Ok(h) => h,
        Err(e) => {
            out.push(
                Finding::fail(format!("{} does not answer hello: {e}", m.host)).with_fix(format!(
                    "start it with --replSet {set_name}, or correct the host name"
                )),
            );
            return;
        }
    };
    let initiated_as = hello.get_str("setName").ok();
    let started_as = p.repl_set.as_deref().or(initiated_as);
    let replica_member = config::truthy(hello.get("isreplicaset")) || initiated_as.is_some();
    if !replica_member && p.repl_set.is_none() {
        out.push(
            Finding::fail(format!("{} was not started with --replSet", m.host))
                .with_fix(format!("restart it with --replSet {set_name}")),
        );
        return;
    }
    if let Some(other) = started_as.filter(|s| *s != set_name) {
        out.push(
            Finding::fail(format!(
                "{} was started with --replSet {other}, not {set_name}",
                m.host
            ))
            .with_fix(format!("restart it with --replSet {set_name}")),
        );
        return;
    }
    // Members of a config answer with the set's hosts; a member removed from its set still
    // names the set but lists nobody, and may join again.
    let listed: Vec<&str> = ["hosts", "passives", "arbiters"]
        .iter()
        .filter_map(|k| hello.get_array(k).ok())
        .flat_map(|a| a.iter().filter_map(Bson::as_str))
        .collect();
    // A member just removed from this very set may not have heard of it yet: it still lists
    // members of the config in force, and may join again.
    let ours = plan.current.as_ref().is_some_and(|cur| {
        config::members(cur).iter().any(|c| {
            !config::same_host(&c.host, &m.host)
                && listed.iter().any(|h| config::same_host(h, &c.host))
        })
    });
    if let Some(name) = initiated_as.filter(|_| !listed.is_empty() && !ours) {
        let hosts = listed.join(", ");
        let which = if plan.action == Action::Initiate {
            "is already initiated"
        } else {
            "already has a replica-set config"
        };
        out.push(
            Finding::fail(format!(
                "{} {which} (set {name}: {hosts}); a new member must start empty",
                m.host
            ))
            .with_fix("use a member with an empty --dbpath, or remove it from its set first"),
        );
    }
}

/// Two config entries answering from one process (same topologyVersion.processId).
fn same_process(members: &[Member], probes: &[HostProbe], out: &mut Vec<Finding>) {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for m in members {
        let Some(pid) = probes
            .iter()
            .find(|p| config::same_host(&p.host, &m.host))
            .and_then(HostProbe::hello)
            .and_then(|h| h.get_document("topologyVersion").ok())
            .and_then(|t| t.get("processId"))
            .map(|v| v.to_string())
        else {
            continue;
        };
        match seen.get(&pid) {
            Some(first) => out.push(
                Finding::fail(format!(
                    "{} and {first} are the same server process",
                    m.host
                ))
                .with_fix("list each mongod once"),
            ),
            None => {
                seen.insert(pid, &m.host);
            }
        }
    }
}

/// After the change, the voters rsh can reach must be a majority of the new config's voters.
fn majority<'a>(
    plan: &Plan,
    members: &[Member],
    find: &dyn Fn(&str) -> Option<&'a HostProbe>,
    out: &mut Vec<Finding>,
) {
    let voters: Vec<&Member> = members.iter().filter(|m| m.voter()).collect();
    if voters.is_empty() {
        out.push(Finding::fail("the config has no voting member"));
        return;
    }
    let down: Vec<&str> = voters
        .iter()
        .filter(|m| !find(&m.host).is_some_and(HostProbe::answered))
        .map(|m| m.host.as_str())
        .collect();
    let up = voters.len() - down.len();
    let need = voters.len() / 2 + 1;
    if up < need {
        let verb = if plan.action == Action::Initiate {
            "initiate"
        } else {
            "change"
        };
        out.push(
            Finding::fail(format!(
                "only {up} of {} voting members answer ({} do not): after this {verb} the set has no majority ({need} needed) and no primary",
                voters.len(),
                down.join(", ")
            ))
            .with_fix("start the missing members, or keep the members that answer a majority of the voters"),
        );
    }
}

/// Removing or demoting the member the command goes to.
fn connected_member(plan: &Plan, members: &[Member], out: &mut Vec<Finding>) {
    let Some(current) = &plan.current else {
        return;
    };
    let before = config::members(current)
        .into_iter()
        .find(|m| config::same_host(&m.host, &plan.connected));
    let Some(before) = before else {
        return;
    };
    match members.iter().find(|m| config::same_host(&m.host, &plan.connected)) {
        None => out.push(
            Finding::warn(format!(
                "this removes {}, the member rsh is connected to: it leaves the set and rsh loses it",
                plan.connected
            ))
            .with_fix("run the change through another member (step this one down first)"),
        ),
        Some(after) if before.electable() && !after.electable() => out.push(
            Finding::warn(format!(
                "this demotes {} (the member rsh is connected to) to priority {} votes {}: it cannot stay primary",
                plan.connected, after.priority, after.votes
            ))
            .with_fix("step it down first (rs.stepDown()) and run the change through the new primary"),
        ),
        Some(_) => {}
    }
}

/// 5.0+: a change of the implicit default write concern needs a cluster-wide default first.
fn write_concern(plan: &Plan, proposed: &Document, probes: &[HostProbe], out: &mut Vec<Finding>) {
    let Some(current) = &plan.current else {
        return;
    };
    if plan.force {
        return;
    }
    let wire = probes
        .iter()
        .filter_map(|p| p.hello().and_then(|h| config::num(h.get("maxWireVersion"))))
        .fold(0.0f64, f64::max);
    if wire < f64::from(WIRE_VERSION_5_0) {
        return;
    }
    let defaults_set = plan.default_rw_concern.as_ref().is_some_and(|d| {
        d.get_document("defaultWriteConcern").is_ok()
            && d.get_str("defaultWriteConcernSource").unwrap_or("global") != "implicit"
    });
    if defaults_set {
        return;
    }
    let before = config::implicit_default_majority(current);
    let after = config::implicit_default_majority(proposed);
    if before == after {
        return;
    }
    let (from, to) = if before {
        ("{w: \"majority\"}", "{w: 1}")
    } else {
        ("{w: 1}", "{w: \"majority\"}")
    };
    out.push(
        Finding::fail(format!(
            "this changes the implicit default write concern from {from} to {to}, which 5.0+ servers refuse (code 103) until a cluster-wide default is set.\n\
             In a primary-secondary-arbiter set the arbiter holds no data: majority writes then need both data members, and stall when one is down."
        ))
        .with_fix(format!(
            "{SET_DEFAULT_WRITE_CONCERN}, then run this again ({{w: \"majority\"}} there keeps today's default, but writes wait while a data member is down)"
        )),
    );
}

#[cfg(test)]
mod tests;
