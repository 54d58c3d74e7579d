use super::invalid_table::{initiate_cases, reconfig_cases};
use super::*;
use bson::oid::ObjectId;

/// Serialises the tests that depend on the process-wide allowMultipleArbiters switch.
static ARBITER_SWITCH: std::sync::Mutex<()> = std::sync::Mutex::new(());

const ME: &str = "127.0.0.1:40001";
const A: &str = "127.0.0.1:40002";
const B: &str = "127.0.0.1:40003";

fn is_me(h: &str) -> bool {
    h == ME
}

fn old_config(term: i64, rsid: ObjectId) -> ReplSetConfig {
    let (mut cfg, _) =
        validate_initiate(&default_config_doc("rs0", ME, &[]), "rs0", &is_me).unwrap();
    cfg.term = term;
    cfg.settings.replica_set_id = Some(rsid);
    cfg
}

#[test]
fn every_invalid_initiate_config_gets_the_servers_answer() {
    let _guard = ARBITER_SWITCH.lock().unwrap_or_else(|p| p.into_inner());
    let cases = initiate_cases(ME, A, B);
    assert!(cases.len() >= 25);
    for c in cases {
        let e = validate_initiate(&c.config, "rs0", &is_me).expect_err(c.name);
        assert_eq!(
            (e.code, e.code_name, e.errmsg.as_str()),
            (c.code, c.code_name, c.errmsg.as_str()),
            "{}",
            c.name
        );
    }
}

#[test]
fn every_invalid_reconfig_gets_the_servers_answer() {
    let rsid = ObjectId::new();
    let old = old_config(3, rsid);
    for c in reconfig_cases(ME, A, B, 3, rsid) {
        let req = ReconfigRequest {
            new: &c.config,
            old: &old,
            force: false,
            current_term: 3,
            set_name: "rs0",
            is_self: &is_me,
        };
        let e = validate_reconfig(&req).expect_err(c.name);
        assert_eq!(
            (e.code, e.code_name, e.errmsg.as_str()),
            (c.code, c.code_name, c.errmsg.as_str()),
            "{}",
            c.name
        );
    }
}

#[test]
fn initiate_fills_defaults_and_to_document_has_the_served_shape() {
    let given = doc! {"_id": "rs0", "members": [
        {"_id": 0, "host": ME},
        {"_id": 1.0, "host": "127.0.0.1:40002", "priority": 0.5, "tags": {"dc": "ny"}},
        {"_id": 2, "host": "127.0.0.1:40003", "arbiterOnly": true},
    ]};
    let (cfg, me) = validate_initiate(&given, "rs0", &is_me).unwrap();
    assert_eq!(me, 0);
    assert_eq!((cfg.version, cfg.term), (1, 0));
    let d = cfg.to_document();
    let keys: Vec<&str> = d.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "_id",
            "version",
            "term",
            "members",
            "protocolVersion",
            "writeConcernMajorityJournalDefault",
            "settings"
        ]
    );
    assert_eq!(d.get("protocolVersion"), Some(&Bson::Int64(1)));
    let m0 = d.get_array("members").unwrap()[0]
        .as_document()
        .unwrap()
        .clone();
    assert_eq!(
        m0,
        doc! {"_id": 0, "host": ME, "arbiterOnly": false, "buildIndexes": true, "hidden": false, "priority": 1.0,
        "tags": {}, "secondaryDelaySecs": 0_i64, "votes": 1}
    );
    let arb = d.get_array("members").unwrap()[2].as_document().unwrap();
    assert_eq!(arb.get_f64("priority").unwrap(), 0.0);
    let s = d.get_document("settings").unwrap();
    let skeys: Vec<&str> = s.keys().map(String::as_str).collect();
    assert_eq!(
        skeys,
        [
            "chainingAllowed",
            "heartbeatIntervalMillis",
            "heartbeatTimeoutSecs",
            "electionTimeoutMillis",
            "catchUpTimeoutMillis",
            "catchUpTakeoverDelayMillis",
            "getLastErrorModes",
            "getLastErrorDefaults",
            "replicaSetId"
        ]
    );
    assert_eq!(s.get("heartbeatIntervalMillis"), Some(&Bson::Int32(2000)));
    assert_eq!(
        s.get_document("getLastErrorDefaults").unwrap(),
        &doc! {"w": 1, "wtimeout": 0}
    );
    // Round trip: the served document parses back to the same config.
    assert_eq!(parse(&d).unwrap(), cfg);
    assert_eq!(cfg.majority_vote_count(), 2);
    assert_eq!(cfg.writable_voting_members_count(), 2);
    assert!(!cfg.is_implicit_default_majority());
}

#[test]
fn hosts_without_port_are_normalised_and_timing_comes_from_settings() {
    let given = doc! {"_id": "rs0", "version": 1, "members": [{"_id": 0, "host": " localhost "}],
    "settings": {"heartbeatIntervalMillis": 200, "electionTimeoutMillis": 1000, "catchUpTimeoutMillis": 0, "unknownSetting": 1}};
    let (cfg, _) = validate_initiate(&given, "rs0", &|h| h == "localhost:27017").unwrap();
    assert_eq!(cfg.members[0].host, "localhost:27017");
    let st = &cfg.settings;
    assert_eq!(
        (
            st.heartbeat_interval_millis,
            st.election_timeout_millis,
            st.heartbeat_timeout_secs
        ),
        (200, 1000, 10)
    );
    assert_eq!(
        (
            st.catch_up_timeout_millis,
            st.catch_up_takeover_delay_millis
        ),
        (0, 30000)
    );
    let (defaults, _) =
        validate_initiate(&default_config_doc("rs0", ME, &[]), "rs0", &is_me).unwrap();
    assert_eq!(defaults.settings.catch_up_timeout_millis, -1);
}

#[test]
fn reconfig_stamps_the_term_and_force_bumps_the_version() {
    let rsid = ObjectId::new();
    let old = old_config(4, rsid);
    let new = doc! {"_id": "rs0", "version": 2, "members": [{"_id": 0, "host": ME}, {"_id": 1, "host": A, "priority": 0, "votes": 0}]};
    let req = ReconfigRequest {
        new: &new,
        old: &old,
        force: false,
        current_term: 4,
        set_name: "rs0",
        is_self: &is_me,
    };
    let (cfg, me) = validate_reconfig(&req).unwrap();
    assert_eq!((cfg.version, cfg.term, me), (2, 4, 0));
    assert_eq!(cfg.settings.replica_set_id, Some(rsid));
    // Force: two voters at once is fine, the version jumps by 10000+ and the term disappears.
    let new = doc! {"_id": "rs0", "version": 2, "members": [{"_id": 0, "host": ME}, {"_id": 1, "host": A}, {"_id": 2, "host": B}]};
    let req = ReconfigRequest {
        new: &new,
        old: &old,
        force: true,
        current_term: 4,
        set_name: "rs0",
        is_self: &is_me,
    };
    let (cfg, _) = validate_reconfig(&req).unwrap();
    assert!(
        cfg.version >= 10_002 && cfg.version < 110_002,
        "{}",
        cfg.version
    );
    assert_eq!(cfg.term, -1);
    assert!(!cfg.to_document().contains_key("term"));
}

#[test]
fn psa_guard_and_multiple_arbiters_parameter() {
    let rsid = ObjectId::new();
    // Old: P + A (no overlap between election and write quorums).
    let given = doc! {"_id": "rs0", "members": [{"_id": 0, "host": ME}, {"_id": 2, "host": B, "arbiterOnly": true}]};
    let (mut old, _) = validate_initiate(&given, "rs0", &is_me).unwrap();
    old.settings.replica_set_id = Some(rsid);
    let new = doc! {"_id": "rs0", "version": 2, "members": [{"_id": 0, "host": ME}, {"_id": 1, "host": A}, {"_id": 2, "host": B, "arbiterOnly": true}]};
    let req = ReconfigRequest {
        new: &new,
        old: &old,
        force: false,
        current_term: 1,
        set_name: "rs0",
        is_self: &is_me,
    };
    let e = validate_reconfig(&req).unwrap_err();
    assert_eq!(e.code, 103);
    assert!(
        e.errmsg
            .starts_with("Rejecting reconfig where the new config has a PSA topology"),
        "{}",
        e.errmsg
    );
    let two_arbiters = doc! {"_id": "rs0", "members": [{"_id": 0, "host": ME}, {"_id": 1, "host": A, "arbiterOnly": true}, {"_id": 2, "host": B, "arbiterOnly": true}]};
    let _guard = ARBITER_SWITCH.lock().unwrap_or_else(|p| p.into_inner());
    set_allow_multiple_arbiters(true);
    let ok = validate_initiate(&two_arbiters, "rs0", &is_me);
    set_allow_multiple_arbiters(false);
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn several_hosts_mapping_to_self() {
    let given = doc! {"_id": "rs0", "members": [{"_id": 0, "host": "127.0.0.1:1"}, {"_id": 1, "host": "127.0.0.2:1"}, {"_id": 2, "host": "127.0.0.3:1"}]};
    let e = validate_initiate(&given, "rs0", &|_| true).unwrap_err();
    assert_eq!(e.code, 93);
    assert_eq!(e.errmsg, "The hosts 127.0.0.1:1, 127.0.0.2:1 and 127.0.0.3:1 all map to this node in new configuration with {version: 1, term: 0} for replica set rs0");
}
