//! Invalid configs and the server's exact answer to each (code, codeName, errmsg).
//! Shared by the unit tests (rsconfig/tests.rs) and tests/sandbox/configs.rs, which sends the same
//! configs to a running node.

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};

pub struct Case {
    pub name: &'static str,
    pub config: Document,
    pub code: i32,
    pub code_name: &'static str,
    pub errmsg: String,
}

const SET: &str = "rs0";

fn case(name: &'static str, config: Document, code: i32, errmsg: impl Into<String>) -> Case {
    let code_name = match code {
        93 => "InvalidReplicaSetConfig",
        103 => "NewReplicaSetConfigurationIncompatible",
        _ => "Location",
    };
    Case {
        name,
        config,
        code,
        code_name,
        errmsg: errmsg.into(),
    }
}

fn cfg(members: Vec<Document>) -> Document {
    doc! {"_id": SET, "version": 1, "members": members.into_iter().map(Bson::Document).collect::<Vec<_>>()}
}

fn with(mut d: Document, k: &str, v: impl Into<Bson>) -> Document {
    d.insert(k, v);
    d
}

/// replSetInitiate on a node started with `--replSet rs0` whose host is `me`; `a` and `b` are
/// other loopback hosts (never contacted: every case fails validation first).
pub fn initiate_cases(me: &str, a: &str, b: &str) -> Vec<Case> {
    let m = |id: i32, h: &str| doc! {"_id": id, "host": h};
    let vt = "{version: 1, term: 0}";
    let mut v = vec![
        case("version 2", with(cfg(vec![m(0, me)]), "version", 2), 93,
            "Configuration used to initiate a replica set must  have version 1, but found 2"),
        case("wrong set name", with(cfg(vec![m(0, me)]), "_id", "other"), 93,
            "Attempting to initiate a replica set with name other, but command line reports rs0; rejecting"),
        case("self missing", cfg(vec![m(0, a)]), 93,
            format!("No host described in new configuration with {vt} for replica set rs0 maps to this node")),
        case("self not electable", cfg(vec![with(m(0, me), "priority", 0), m(1, a)]), 93,
            format!("This node, {me}, with _id 0 is not electable under the new configuration with {vt} for replica set rs0")),
        case("no members", cfg(vec![]), 93,
            "Replica set configuration contains 0 members, but must have at least 1 and no more than  50"),
        case("51 members", cfg((0..51).map(|i| with(with(m(i, &format!("127.0.0.1:{}", 20000 + i)), "votes", 0), "priority", 0)).collect()), 93,
            "Replica set configuration contains 51 members, but must have at least 1 and no more than  50"),
        case("8 voters", cfg((0..8).map(|i| m(i, &format!("127.0.0.1:{}", 20000 + i))).collect()), 93,
            "Replica set configuration contains 8 voting members, but must be at least 1 and no more than 7"),
        case("votes 2", cfg(vec![m(0, me), with(m(1, a), "votes", 2)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", votes: 2 }} :: caused by :: BSON field 'votes' value must be <= 1, actual value '2'")),
        case("priority 1001", cfg(vec![m(0, me), with(m(1, a), "priority", 1001)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", priority: 1001 }} :: caused by :: BSON field 'priority' value must be <= 1000, actual value '1001'")),
        case("priority -1", cfg(vec![m(0, me), with(m(1, a), "priority", -1.0)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", priority: -1.0 }} :: caused by :: BSON field 'priority' value must be >= 0, actual value '-1'")),
        case("non-voter with priority", cfg(vec![m(0, me), with(m(1, a), "votes", 0)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", votes: 0 }} :: caused by :: priority must be 0 when non-voting (votes:0)")),
        case("hidden with priority", cfg(vec![m(0, me), with(m(1, a), "hidden", true)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", hidden: true }} :: caused by :: priority must be 0 when hidden=true")),
        case("delayed with priority", cfg(vec![m(0, me), with(m(1, a), "secondaryDelaySecs", 60)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", secondaryDelaySecs: 60 }} :: caused by :: priority must be 0 when secondaryDelaySecs is used")),
        case("no index builds with priority", cfg(vec![m(0, me), with(m(1, a), "buildIndexes", false)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", buildIndexes: false }} :: caused by :: priority must be 0 when buildIndexes=false")),
        case("delay too long", cfg(vec![m(0, me), with(with(m(1, a), "priority", 0), "secondaryDelaySecs", 31622401)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", priority: 0, secondaryDelaySecs: 31622401 }} :: caused by :: BSON field 'secondaryDelaySecs' value must be <= 31622400, actual value '31622401'")),
        case("arbiter priority 2", cfg(vec![m(0, me), with(with(m(1, a), "arbiterOnly", true), "priority", 2)]), 93,
            format!("Member {a} is an arbiter but has priority 2. Arbiter priority must be 0.")),
        case("arbiter without vote", cfg(vec![m(0, me), with(with(with(m(1, a), "arbiterOnly", true), "votes", 0), "priority", 0)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", arbiterOnly: true, votes: 0, priority: 0 }} :: caused by :: Arbiter must vote (cannot have 0 votes)")),
        case("arbiter with tags", cfg(vec![m(0, me), with(with(m(1, a), "arbiterOnly", true), "tags", doc! {"dc": "ny"})]), 93,
            "Cannot set tags on arbiters."),
        case("two arbiters", cfg(vec![m(0, me), with(m(1, a), "arbiterOnly", true), with(m(2, b), "arbiterOnly", true)]), 93,
            "Multiple arbiters are not allowed unless all nodes were started with with --setParameter 'allowMultipleArbiters=true'"),
        case("duplicate _id", cfg(vec![m(0, me), m(0, a)]), 93,
            "Found two member configurations with same _id field, members.0._id == members.1._id == 0"),
        case("duplicate host", cfg(vec![m(0, me), m(1, a), m(2, a)]), 93,
            format!("Found two member configurations with same host field, members.1.host == members.2.host == {a}")),
        case("no electable member", cfg(vec![with(m(0, me), "priority", 0), with(m(1, a), "priority", 0)]), 93,
            "Replica set configuration must contain at least one non-arbiter member with priority > 0"),
        case("localhost mixed", cfg(vec![m(0, me), m(1, "host.invalid:27017")]), 93,
            "Either all host names in a replica set configuration must be localhost references, or none must be; found 1 out of 2"),
        case("tag not a string", cfg(vec![with(m(0, me), "tags", doc! {"dc": 1})]), 93,
            "tags.dc field has non-string value of type int"),
        case("slaveDelay field", cfg(vec![m(0, me), with(with(m(1, a), "priority", 0), "slaveDelay", 5)]), 93,
            format!("member: {{ _id: 1, host: \"{a}\", priority: 0, slaveDelay: 5 }} :: caused by :: BSON field 'MemberConfig.slaveDelay' is an unknown field.")),
        case("host missing", cfg(vec![m(0, me), doc! {"_id": 1}]), 93,
            "member: { _id: 1 } :: caused by :: BSON field 'MemberConfig.host' is missing but a required field"),
        case("host not a string", cfg(vec![m(0, me), doc! {"_id": 1, "host": 5}]), 93,
            "member: { _id: 1, host: 5 } :: caused by :: BSON field 'MemberConfig.host' is the wrong type 'int', expected type 'string'"),
        case("members missing", doc! {"_id": SET, "version": 1}, 93,
            "BSON field 'ReplSetConfig.members' is missing but a required field"),
        case("unknown top-level field", with(cfg(vec![m(0, me)]), "bogus", 1), 93,
            "BSON field 'ReplSetConfig.bogus' is an unknown field."),
        case("heartbeat interval 0", with(cfg(vec![m(0, me)]), "settings", doc! {"heartbeatIntervalMillis": 0}), 93,
            "BSON field 'heartbeatIntervalMillis' value must be > 0, actual value '0'"),
        case("election timeout -5", with(cfg(vec![m(0, me)]), "settings", doc! {"electionTimeoutMillis": -5}), 93,
            "BSON field 'electionTimeoutMillis' value must be > 0, actual value '-5'"),
        case("catch-up timeout -2", with(cfg(vec![m(0, me)]), "settings", doc! {"catchUpTimeoutMillis": -2}), 93,
            "BSON field 'catchUpTimeoutMillis' value must be >= -1, actual value '-2'"),
        case("protocolVersion 0", with(cfg(vec![m(0, me)]), "protocolVersion", 0), 93,
            "BSON field 'protocolVersion' value must be >= 1, actual value '0'"),
        case("newlyAdded on initiate", cfg(vec![m(0, me), with(with(with(m(1, a), "newlyAdded", true), "priority", 0), "votes", 0)]), 93,
            format!("Member {a}, with _id 1, has a newlyAdded field, which is not valid for initial configuration of a replica set.")),
        case("customized getLastErrorDefaults", with(cfg(vec![m(0, me)]), "settings", doc! {"getLastErrorDefaults": {"w": "majority", "wtimeout": 0}}), 93,
            "Failed to initiate: Replica set config contains customized getLastErrorDefaults, which has been deprecated and is now ignored. Use setDefaultRWConcern instead to set a cluster-wide default writeConcern."),
    ];
    let rsid = ObjectId::parse_str("5f1d3c2b1a0f0e0d0c0b0a09").unwrap_or_default();
    v.push(case("replicaSetId given", with(cfg(vec![m(0, me)]), "settings", doc! {"replicaSetId": rsid}), 93,
        format!("replica set configuration cannot contain 'replicaSetId' field when called from replSetInitiate: {{ _id: \"rs0\", version: 1, members: [ {{ _id: 0, host: \"{me}\" }} ], settings: {{ replicaSetId: ObjectId('5f1d3c2b1a0f0e0d0c0b0a09') }} }}")));
    v
}

/// replSetReconfig (not forced) on a one-member set `[{_id: 0, host: me}]` at version 1 whose
/// primary is in `term`, with replicaSetId `rsid`.
pub fn reconfig_cases(me: &str, a: &str, b: &str, term: i64, rsid: ObjectId) -> Vec<Case> {
    let m = |id: i32, h: &str| doc! {"_id": id, "host": h};
    let v2 = |members: Vec<Document>| with(cfg(members), "version", 2);
    vec![
        case("version not greater", cfg(vec![m(0, me)]), 103,
            format!("New replica set configuration version and term must be greater than old, but {{version: 1, term: {term}}} is not greater than {{version: 1, term: {term}}} for replica set rs0")),
        case("reconfig wrong set name", with(v2(vec![m(0, me)]), "_id", "other"), 93,
            "Attempting to reconfigure a replica set with name other, but command line reports rs0; rejecting"),
        case("reconfig votes 2", v2(vec![with(m(0, me), "votes", 2)]), 93,
            format!("member: {{ _id: 0, host: \"{me}\", votes: 2 }} :: caused by :: BSON field 'votes' value must be <= 1, actual value '2'")),
        case("reconfig duplicate host", v2(vec![m(0, me), m(1, me)]), 103,
            format!("Found two member configurations with same host field, members.0.host == members.1.host == {me}")),
        case("two voters added", v2(vec![m(0, me), m(1, a), m(2, b)]), 103,
            "Non force replica set reconfig can only add or remove at most 1 voting member."),
        case("member _id changed", v2(vec![m(5, me)]), 103,
            format!("New and old configurations both have members with host of {me} but in the new configuration the _id field is 5 and in the old configuration it is 0 for replica set rs0")),
        case("buildIndexes changed", v2(vec![with(with(m(0, me), "buildIndexes", false), "priority", 0), m(1, a)]), 103,
            format!("New and old configurations differ in the setting of the buildIndexes field for member {me}; to make this change, remove then re-add the member")),
        case("replicaSetId changed", with(v2(vec![m(0, me)]), "settings", doc! {"replicaSetId": ObjectId::parse_str("000000000000000000000001").unwrap_or_default()}), 103,
            format!("New and old configurations differ in replica set ID; old was {}, and new is 000000000000000000000001", rsid.to_hex())),
        case("self made unelectable", v2(vec![with(m(0, me), "priority", 0), m(1, a)]), 103,
            format!("This node, {me}, with _id 0 is not electable under the new configuration with {{version: 2, term: {term}}} for replica set rs0")),
        case("arbiter changes implicit write concern", v2(vec![m(0, me), with(m(1, a), "arbiterOnly", true)]), 103,
            "Reconfig attempted to install a config that would change the implicit default write concern. Use the setDefaultRWConcern command to set a cluster-wide write concern and try the reconfig again."),
    ]
}
