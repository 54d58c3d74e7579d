//! The internal `replSetHeartbeat` exchange (our own format; only sandbox members speak it).
//!
//! The request always carries the sender's config so that a member added by reconfig (still
//! uninitiated) or one that missed a reconfig learns it from the first heartbeat it receives;
//! the reply carries the receiver's config when the sender's is older. Configs are small.

use bson::{doc, Bson, DateTime, Document, Timestamp};

use crate::data::OpTime;

#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatRequest {
    pub set_name: String,
    /// Sender's host string as written in its config ("" when it has none).
    pub from: String,
    pub from_id: i32,
    pub term: i64,
    pub config_version: i64,
    pub config_term: i64,
    pub config: Option<Document>,
    /// Quorum check for initiate/reconfig: answer, but install nothing.
    pub check_quorum: bool,
}

impl HeartbeatRequest {
    pub fn to_command(&self) -> Document {
        let mut d = doc! {
            "replSetHeartbeat": &self.set_name,
            "from": &self.from,
            "fromId": self.from_id,
            "term": self.term,
            "configVersion": self.config_version,
            "configTerm": self.config_term,
        };
        if let Some(c) = &self.config {
            d.insert("config", c.clone());
        }
        if self.check_quorum {
            d.insert("checkQuorum", true);
        }
        d.insert("$db", "admin");
        d
    }

    pub fn from_command(cmd: &Document) -> Result<HeartbeatRequest, String> {
        Ok(HeartbeatRequest {
            set_name: cmd
                .get_str("replSetHeartbeat")
                .map_err(|_| "replSetHeartbeat: the set name must be a string")?
                .to_string(),
            from: cmd.get_str("from").unwrap_or("").to_string(),
            from_id: int(cmd, "fromId").unwrap_or(-1) as i32,
            term: int(cmd, "term").unwrap_or(-1),
            config_version: int(cmd, "configVersion").unwrap_or(-2),
            config_term: int(cmd, "configTerm").unwrap_or(-1),
            config: cmd.get_document("config").ok().cloned(),
            check_quorum: cmd.get_bool("checkQuorum").unwrap_or(false),
        })
    }
}

/// What a member tells the sender about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct HeartbeatReply {
    pub set_name: String,
    pub state: i32,
    pub term: i64,
    /// -2 when uninitiated (no config).
    pub config_version: i64,
    pub config_term: i64,
    pub config: Option<Document>,
    pub applied: OpTime,
    pub durable: OpTime,
    pub applied_wall: DateTime,
    pub durable_wall: DateTime,
    /// When the member is primary: the optime of its election.
    pub election_time: Option<Timestamp>,
    pub sync_source_host: String,
    pub sync_source_id: i32,
    /// Seconds since the member process started.
    pub uptime: i64,
    /// The member's own `_id` in its config, -1 when none.
    pub member_id: i32,
    /// `_id` of the primary it knows, -1 when none.
    pub primary_id: i32,
}

impl HeartbeatReply {
    pub fn to_document(&self) -> Document {
        let mut d = doc! {
            "set": &self.set_name,
            "state": self.state,
            "term": self.term,
            "configVersion": self.config_version,
            "configTerm": self.config_term,
        };
        if let Some(c) = &self.config {
            d.insert("config", c.clone());
        }
        d.insert("appliedOpTime", self.applied.to_document());
        d.insert("durableOpTime", self.durable.to_document());
        d.insert("appliedWallTime", self.applied_wall);
        d.insert("durableWallTime", self.durable_wall);
        if let Some(ts) = self.election_time {
            d.insert("electionTime", ts);
        }
        d.insert("syncSourceHost", &self.sync_source_host);
        d.insert("syncSourceId", self.sync_source_id);
        d.insert("uptime", self.uptime);
        d.insert("memberId", self.member_id);
        d.insert("primaryId", self.primary_id);
        d.insert("ok", 1.0);
        d
    }

    pub fn from_document(d: &Document) -> Result<HeartbeatReply, String> {
        let optime = |k: &str| -> Result<OpTime, String> {
            d.get_document(k)
                .ok()
                .and_then(OpTime::from_document)
                .ok_or_else(|| format!("heartbeat reply: malformed '{k}'"))
        };
        let wall = |k: &str| {
            d.get_datetime(k)
                .copied()
                .unwrap_or(DateTime::from_millis(0))
        };
        Ok(HeartbeatReply {
            set_name: d
                .get_str("set")
                .map_err(|_| "heartbeat reply: missing 'set'")?
                .to_string(),
            state: int(d, "state").ok_or("heartbeat reply: missing 'state'")? as i32,
            term: int(d, "term").unwrap_or(-1),
            config_version: int(d, "configVersion").unwrap_or(-2),
            config_term: int(d, "configTerm").unwrap_or(-1),
            config: d.get_document("config").ok().cloned(),
            applied: optime("appliedOpTime")?,
            durable: optime("durableOpTime")?,
            applied_wall: wall("appliedWallTime"),
            durable_wall: wall("durableWallTime"),
            election_time: d.get_timestamp("electionTime").ok(),
            sync_source_host: d.get_str("syncSourceHost").unwrap_or("").to_string(),
            sync_source_id: int(d, "syncSourceId").unwrap_or(-1) as i32,
            uptime: int(d, "uptime").unwrap_or(0),
            member_id: int(d, "memberId").unwrap_or(-1) as i32,
            primary_id: int(d, "primaryId").unwrap_or(-1) as i32,
        })
    }
}

/// Any integer-valued number as i64 (peers may send int32, int64 or whole doubles).
pub fn int(d: &Document, k: &str) -> Option<i64> {
    match d.get(k)? {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.fract() == 0.0 => Some(*v as i64),
        _ => None,
    }
}

/// `(version, term)` of a config document, compared the way the server does: term first when
/// both terms are known (≥ 0), else by version alone (a forced reconfig has term -1).
pub fn config_is_newer(new: (i64, i64), old: (i64, i64)) -> bool {
    let (nv, nt) = new;
    let (ov, ot) = old;
    if nt >= 0 && ot >= 0 && nt != ot {
        return nt > ot;
    }
    nv > ov
}

/// `(version, term)` read from a config document (term -1 when absent).
pub fn config_version_term(cfg: &Document) -> (i64, i64) {
    (
        int(cfg, "version").unwrap_or(0),
        int(cfg, "term").unwrap_or(-1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips() {
        let r = HeartbeatRequest {
            set_name: "rs0".into(),
            from: "127.0.0.1:1".into(),
            from_id: 0,
            term: 2,
            config_version: 3,
            config_term: 2,
            config: Some(doc! {"_id": "rs0", "version": 3}),
            check_quorum: true,
        };
        assert_eq!(HeartbeatRequest::from_command(&r.to_command()), Ok(r));
        assert!(HeartbeatRequest::from_command(&doc! {"replSetHeartbeat": 1}).is_err());
    }

    #[test]
    fn reply_round_trips() {
        let r = HeartbeatReply {
            set_name: "rs0".into(),
            state: 2,
            term: 4,
            config_version: 1,
            config_term: 4,
            config: None,
            applied: OpTime {
                ts: Timestamp {
                    time: 9,
                    increment: 2,
                },
                t: 4,
            },
            durable: OpTime::null(),
            applied_wall: DateTime::from_millis(9000),
            durable_wall: DateTime::from_millis(0),
            election_time: Some(Timestamp {
                time: 3,
                increment: 1,
            }),
            sync_source_host: "h:1".into(),
            sync_source_id: 0,
            uptime: 12,
            member_id: 1,
            primary_id: 0,
        };
        assert_eq!(HeartbeatReply::from_document(&r.to_document()), Ok(r));
        assert!(HeartbeatReply::from_document(&doc! {"set": "x"}).is_err());
    }

    #[test]
    fn newer_config_compares_term_then_version() {
        assert!(config_is_newer((2, 1), (1, 1)));
        assert!(!config_is_newer((1, 1), (1, 1)));
        assert!(config_is_newer((1, 2), (5, 1)));
        // Forced reconfig: term -1, version jumps.
        assert!(config_is_newer((10_005, -1), (3, 4)));
        assert!(!config_is_newer((2, -1), (3, 4)));
    }
}
