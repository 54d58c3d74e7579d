//! Read-only views of the installed config document (already validated and normalised by
//! rsconfig), so hello, status and gating need no re-validation on every request.

use bson::{Bson, Document};

#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    pub id: i32,
    pub host: String,
    pub arbiter_only: bool,
    pub build_indexes: bool,
    pub hidden: bool,
    pub priority: f64,
    pub votes: i32,
    pub secondary_delay_secs: i64,
    pub tags: Document,
    /// Added by a reconfig and not yet SECONDARY: neither votes nor stands.
    pub newly_added: bool,
}

impl MemberView {
    pub fn is_electable(&self) -> bool {
        self.priority > 0.0 && !self.arbiter_only && !self.newly_added
    }
    pub fn is_voter(&self) -> bool {
        self.votes > 0 && !self.newly_added
    }
}

pub fn num(v: Option<&Bson>) -> Option<f64> {
    match v? {
        Bson::Int32(i) => Some(f64::from(*i)),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        _ => None,
    }
}

fn boolean(v: Option<&Bson>, default: bool) -> bool {
    match v {
        Some(Bson::Boolean(b)) => *b,
        Some(other) => num(Some(other)).map(|n| n != 0.0).unwrap_or(default),
        None => default,
    }
}

pub fn members(cfg: &Document) -> Vec<MemberView> {
    let Ok(list) = cfg.get_array("members") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|m| match m {
            Bson::Document(m) => Some(member(m)),
            _ => None,
        })
        .collect()
}

fn member(m: &Document) -> MemberView {
    let arbiter_only = boolean(m.get("arbiterOnly"), false);
    let default_priority = if arbiter_only { 0.0 } else { 1.0 };
    MemberView {
        id: num(m.get("_id")).unwrap_or(-1.0) as i32,
        host: m.get_str("host").unwrap_or_default().to_string(),
        arbiter_only,
        build_indexes: boolean(m.get("buildIndexes"), true),
        hidden: boolean(m.get("hidden"), false),
        priority: num(m.get("priority")).unwrap_or(default_priority),
        votes: num(m.get("votes")).unwrap_or(1.0) as i32,
        secondary_delay_secs: num(m.get("secondaryDelaySecs").or_else(|| m.get("slaveDelay")))
            .unwrap_or(0.0) as i64,
        tags: m.get_document("tags").cloned().unwrap_or_default(),
        newly_added: boolean(m.get("newlyAdded"), false),
    }
}

pub fn set_name(cfg: &Document) -> &str {
    cfg.get_str("_id").unwrap_or_default()
}

pub fn version(cfg: &Document) -> i64 {
    num(cfg.get("version")).unwrap_or(1.0) as i64
}

/// Config term; −1 when absent (after a forced reconfig).
pub fn term(cfg: &Document) -> i64 {
    num(cfg.get("term")).unwrap_or(-1.0) as i64
}

/// A `settings` number with its default.
pub fn setting(cfg: &Document, name: &str, default: i64) -> i64 {
    cfg.get_document("settings")
        .ok()
        .and_then(|s| num(s.get(name)))
        .map(|n| n as i64)
        .unwrap_or(default)
}

pub fn heartbeat_interval_millis(cfg: &Document) -> i64 {
    setting(cfg, "heartbeatIntervalMillis", 2000)
}

pub fn election_timeout_millis(cfg: &Document) -> i64 {
    setting(cfg, "electionTimeoutMillis", 10000)
}

/// Majority figures as mongod computes them: (majorityVoteCount, writeMajorityCount, voters, writable voters).
pub fn majorities(members: &[MemberView]) -> (i32, i32, i32, i32) {
    let voters = members.iter().filter(|m| m.is_voter()).count() as i32;
    let writable = members
        .iter()
        .filter(|m| m.is_voter() && !m.arbiter_only)
        .count() as i32;
    let majority = voters / 2 + 1;
    (majority, majority.min(writable), voters, writable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn defaults_and_majorities() {
        let cfg = doc! {"_id": "rs0", "version": 2, "members": [
            {"_id": 0, "host": "a:1"},
            {"_id": 1, "host": "b:1", "priority": 0, "hidden": true},
            {"_id": 2, "host": "c:1", "arbiterOnly": true},
        ]};
        let ms = members(&cfg);
        assert_eq!(ms.len(), 3);
        assert!(ms[0].is_electable() && !ms[1].is_electable() && !ms[2].is_electable());
        assert_eq!(ms[2].priority, 0.0);
        assert_eq!(majorities(&ms), (2, 2, 3, 2));
        assert_eq!(version(&cfg), 2);
        assert_eq!(term(&cfg), -1);
        assert_eq!(heartbeat_interval_millis(&cfg), 2000);
    }
}
