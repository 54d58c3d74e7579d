//! Replica-set configs: parsing with the server's defaults and type rules, validation with its
//! exact codes and messages (member fields, settings, whole-set rules), and the document
//! replSetGetConfig serves.
//!
//! * [`parse`] reads a config document (what a shell or driver sends, or what is stored).
//! * [`validate`] applies the whole-set rules (voters, priorities, majorities).
//! * [`validate_initiate`] / [`validate_reconfig`] run the command-specific sequences and return
//!   the config to install, or the error reply (93 / 103 / …).

// CmdError (the shared reply error, with its `extra` document) is what every handler returns.
#![allow(clippy::result_large_err)]

mod commands;
pub mod host;
/// Invalid configs with mongod's exact answers: the unit tests and the over-the-wire test share it.
pub mod invalid_table;
mod parse;
mod validate;

use std::sync::atomic::{AtomicBool, Ordering};

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};

pub use commands::{default_config_doc, validate_initiate, validate_reconfig, ReconfigRequest};
pub use parse::parse;
pub use validate::validate;

#[derive(Debug, Clone, PartialEq)]
pub struct MemberConfig {
    pub id: i32,
    /// Normalised `host:port` (a missing port became `:27017`).
    pub host: String,
    pub arbiter_only: bool,
    pub build_indexes: bool,
    pub hidden: bool,
    /// An arbiter given the default priority 1 is stored with 0, as the server does.
    pub priority: f64,
    /// User tags (string values), in the order given.
    pub tags: Document,
    pub secondary_delay_secs: i64,
    /// 0 or 1.
    pub votes: i32,
    /// Set by the primary on members added to a running set until they reach SECONDARY.
    pub newly_added: bool,
    pub horizons: Option<Document>,
}

impl MemberConfig {
    /// A member with every default (what `{_id, host}` parses to).
    pub fn new(id: i32, host: impl Into<String>) -> Self {
        MemberConfig {
            id,
            host: host.into(),
            arbiter_only: false,
            build_indexes: true,
            hidden: false,
            priority: 1.0,
            tags: Document::new(),
            secondary_delay_secs: 0,
            votes: 1,
            newly_added: false,
            horizons: None,
        }
    }

    /// Votes while not `newlyAdded`.
    pub fn is_voter(&self) -> bool {
        self.votes > 0 && !self.newly_added
    }

    /// Can stand for election: not an arbiter, priority > 0, not newly added.
    pub fn is_electable(&self) -> bool {
        !self.arbiter_only && self.priority > 0.0 && !self.newly_added
    }

    /// The member as stored (replSetGetConfig hides `newlyAdded` unless asked for it).
    pub fn to_document(&self) -> Document {
        let mut d = doc! {"_id": self.id, "host": &self.host};
        if self.newly_added {
            d.insert("newlyAdded", true);
        }
        d.insert("arbiterOnly", self.arbiter_only);
        d.insert("buildIndexes", self.build_indexes);
        d.insert("hidden", self.hidden);
        d.insert("priority", self.priority);
        d.insert("tags", self.tags.clone());
        if let Some(h) = &self.horizons {
            d.insert("horizons", h.clone());
        }
        d.insert("secondaryDelaySecs", self.secondary_delay_secs);
        d.insert("votes", self.votes);
        d
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub chaining_allowed: bool,
    pub heartbeat_interval_millis: i64,
    pub heartbeat_timeout_secs: i64,
    pub election_timeout_millis: i64,
    /// −1: unlimited catch-up; 0: none.
    pub catch_up_timeout_millis: i64,
    /// −1: catch-up takeover disabled.
    pub catch_up_takeover_delay_millis: i64,
    pub get_last_error_modes: Document,
    pub get_last_error_defaults: Document,
    pub replica_set_id: Option<ObjectId>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            chaining_allowed: true,
            heartbeat_interval_millis: 2000,
            heartbeat_timeout_secs: 10,
            election_timeout_millis: 10000,
            catch_up_timeout_millis: -1,
            catch_up_takeover_delay_millis: 30000,
            get_last_error_modes: Document::new(),
            get_last_error_defaults: doc! {"w": 1, "wtimeout": 0},
            replica_set_id: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplSetConfig {
    /// The set name (`_id`).
    pub id: String,
    pub version: i64,
    /// −1 after a forced reconfig (then `term` is left out of the document).
    pub term: i64,
    pub members: Vec<MemberConfig>,
    pub configsvr: bool,
    pub protocol_version: i64,
    pub write_concern_majority_journal_default: bool,
    pub settings: Settings,
}

/// smallExactInt64 fields serialise as int32 when they fit.
fn small_int(v: i64) -> Bson {
    match i32::try_from(v) {
        Ok(i) => Bson::Int32(i),
        Err(_) => Bson::Int64(v),
    }
}

impl ReplSetConfig {
    /// replSetGetConfig's `config` (and `local.system.replset`): every default, server order.
    pub fn to_document(&self) -> Document {
        let mut d = doc! {"_id": &self.id, "version": small_int(self.version)};
        if self.term != -1 {
            d.insert("term", small_int(self.term));
        }
        let members: Vec<Bson> = self
            .members
            .iter()
            .map(|m| Bson::Document(m.to_document()))
            .collect();
        d.insert("members", members);
        if self.configsvr {
            d.insert("configsvr", true);
        }
        d.insert("protocolVersion", self.protocol_version);
        d.insert(
            "writeConcernMajorityJournalDefault",
            self.write_concern_majority_journal_default,
        );
        let s = &self.settings;
        let mut sd = doc! {
            "chainingAllowed": s.chaining_allowed,
            "heartbeatIntervalMillis": small_int(s.heartbeat_interval_millis),
            "heartbeatTimeoutSecs": small_int(s.heartbeat_timeout_secs),
            "electionTimeoutMillis": small_int(s.election_timeout_millis),
            "catchUpTimeoutMillis": small_int(s.catch_up_timeout_millis),
            "catchUpTakeoverDelayMillis": small_int(s.catch_up_takeover_delay_millis),
            "getLastErrorModes": s.get_last_error_modes.clone(),
            "getLastErrorDefaults": s.get_last_error_defaults.clone(),
        };
        if let Some(id) = s.replica_set_id {
            sd.insert("replicaSetId", id);
        }
        d.insert("settings", sd);
        d
    }

    /// `{version: 1, term: 0}` as the server prints it in messages.
    pub fn version_and_term(&self) -> String {
        format!("{{version: {}, term: {}}}", self.version, self.term)
    }

    pub fn voting_members_count(&self) -> usize {
        self.members.iter().filter(|m| m.is_voter()).count()
    }

    /// Votes needed to win an election: voters / 2 + 1.
    pub fn majority_vote_count(&self) -> usize {
        self.voting_members_count() / 2 + 1
    }

    /// Voting members that hold data (voters − arbiters).
    pub fn writable_voting_members_count(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.is_voter() && !m.arbiter_only)
            .count()
    }

    /// The implicit default write concern is `{w: "majority"}` unless arbiters make writable
    /// voters no more than the majority (PSA sets).
    pub fn is_implicit_default_majority(&self) -> bool {
        let arbiters = self.voting_members_count() - self.writable_voting_members_count();
        arbiters == 0 || self.writable_voting_members_count() > self.majority_vote_count()
    }
}

static ALLOW_MULTIPLE_ARBITERS: AtomicBool = AtomicBool::new(false);
static DEFAULT_RW_CONCERN_SET: AtomicBool = AtomicBool::new(false);

/// `--setParameter allowMultipleArbiters=true` (set once at startup).
pub fn set_allow_multiple_arbiters(on: bool) {
    ALLOW_MULTIPLE_ARBITERS.store(on, Ordering::Relaxed);
}

pub fn allow_multiple_arbiters() -> bool {
    ALLOW_MULTIPLE_ARBITERS.load(Ordering::Relaxed)
}

/// A cluster-wide default write concern exists (setDefaultRWConcern), so a reconfig may change
/// the implicit default.
pub fn set_default_rw_concern_set(on: bool) {
    DEFAULT_RW_CONCERN_SET.store(on, Ordering::Relaxed);
}

pub fn default_rw_concern_set() -> bool {
    DEFAULT_RW_CONCERN_SET.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests;
