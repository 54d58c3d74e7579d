//! The invalid-config table (sandbox/src/rsconfig/invalid_table.rs) sent to a running rsh-sandbox
//! member over the wire: replSetInitiate on an uninitiated member, replSetReconfig on the primary
//! of a one-member set. Each reply must carry the server's code, codeName and errmsg, and leave
//! the member's config as it was. The unit tests check the same table against the validator; this
//! checks that the node's command path (parsing, is-self resolution, ordering of checks before the
//! quorum check, error reply shape) gives the same answers.

use std::time::Duration;

use bson::oid::ObjectId;
use bson::{doc, Bson, Document};
use rsh_sandbox::rsconfig::invalid_table::{self, Case};
use support::{free_port, ok, wait_for, Client, Member};

/// Compares an error reply with the table's answer; returns a line describing any difference.
fn mismatch(c: &Case, reply: &Document) -> Option<String> {
    let got = (
        reply.get("ok").and_then(Bson::as_f64),
        reply.get_i32("code").ok(),
        reply.get_str("codeName").ok(),
        reply.get_str("errmsg").ok(),
    );
    let want = (
        Some(0.0),
        Some(c.code),
        Some(c.code_name),
        Some(c.errmsg.as_str()),
    );
    (got != want).then(|| format!("{}:\n  want {want:?}\n  got  {reply}", c.name))
}

fn config_version(c: &mut Client) -> Option<i64> {
    let r = c.admin(doc! {"replSetGetConfig": 1});
    let v = r.get_document("config").ok()?.get("version")?;
    match v {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        _ => None,
    }
}

#[test]
fn invalid_initiate_configs_get_the_servers_answer_over_the_wire() {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let me = m.host();
    // Other loopback members that do not exist: every case must fail before any is contacted.
    let (a, b) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let mut c = m.connect();
    let cases = invalid_table::initiate_cases(&me, &a, &b);
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let reply = c.admin(doc! {"replSetInitiate": case.config.clone()});
        failures.extend(mismatch(case, &reply));
    }
    assert!(
        failures.is_empty(),
        "{} of {} initiate cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // Nothing was installed: the member still has no config and can still be initiated.
    let hello = c.admin(doc! {"hello": 1});
    assert_eq!(hello.get_bool("isreplicaset"), Ok(true), "{hello}");
    let r = c.admin(doc! {"replSetGetConfig": 1});
    assert_eq!(r.get_i32("code"), Ok(94), "{r}");
    let r = c.admin(doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": &me}]}});
    assert!(ok(&r), "a valid initiate after the invalid ones: {r}");
}

#[test]
fn invalid_reconfigs_get_the_servers_answer_over_the_wire() {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let me = m.host();
    let (a, b) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let mut c = m.connect();
    let r = c.admin(doc! {"replSetInitiate": {"_id": "rs0", "version": 1, "members": [{"_id": 0, "host": &me}]}});
    assert!(ok(&r), "replSetInitiate: {r}");
    let primary = wait_for(Duration::from_secs(30), || {
        let h = c.admin(doc! {"hello": 1});
        (h.get_bool("isWritablePrimary") == Ok(true)).then_some(h)
    });
    assert!(primary.is_some(), "the one-member set elected no primary");

    let status = c.admin(doc! {"replSetGetStatus": 1});
    let term = status
        .get("term")
        .and_then(|t| t.as_i64().or_else(|| t.as_i32().map(i64::from)))
        .unwrap_or_else(|| panic!("no term in replSetGetStatus: {status}"));
    // The table's messages quote the old config as {version: 1, term}: the primary's config must
    // carry its term (config term bump on stepup).
    let config = wait_for(Duration::from_secs(10), || {
        let r = c.admin(doc! {"replSetGetConfig": 1});
        let cfg = r.get_document("config").ok()?.clone();
        let t = cfg.get("term")?;
        (t.as_i64().or_else(|| t.as_i32().map(i64::from)) == Some(term)).then_some(cfg)
    })
    .unwrap_or_else(|| panic!("the config never carried the primary's term {term}"));
    let rsid: ObjectId = config
        .get_document("settings")
        .and_then(|s| s.get_object_id("replicaSetId"))
        .unwrap_or_else(|e| panic!("no settings.replicaSetId ({e}) in {config}"));

    let cases = invalid_table::reconfig_cases(&me, &a, &b, term, rsid);
    let mut failures = Vec::new();
    for case in &cases {
        let reply = c.admin(doc! {"replSetReconfig": case.config.clone()});
        failures.extend(mismatch(case, &reply));
    }
    assert!(
        failures.is_empty(),
        "{} of {} reconfig cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(
        config_version(&mut c),
        Some(1),
        "a rejected reconfig changed the config"
    );

    // The same member accepts a valid reconfig, so the rejections above were not blanket ones.
    let mut next = config.clone();
    next.insert("version", 2);
    let r = c.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "a valid reconfig after the invalid ones: {r}");
    assert_eq!(config_version(&mut c), Some(2));
}

/// The gates and quorum checks around the validator, with the server's answers (reference 5.3,
/// 6.1, 6.4): no --replSet, no config yet, already initiated, a member that does not answer, a
/// member of another set.
#[test]
fn initiate_and_reconfig_gates_answer_like_the_server() {
    let standalone = Member::sandbox(&[]);
    let fresh = Member::sandbox(&["--replSet", "rs0"]);
    let other_set = Member::sandbox(&["--replSet", "other"]);
    let dead = format!("127.0.0.1:{}", free_port());
    let me = fresh.host();
    let one = doc! {"_id": "rs0", "version": 1, "members": [{"_id": 0, "host": &me}]};
    let pair =
        |h: &str| doc! {"_id": "rs0", "members": [{"_id": 0, "host": &me}, {"_id": 1, "host": h}]};
    let gates: Vec<(&str, &Member, Document, i32, &str, String)> = vec![
        ("initiate without --replSet", &standalone, doc! {"replSetInitiate": {}},
            76, "NoReplicationEnabled", "This node was not started with the replSet option".into()),
        ("reconfig without --replSet", &standalone, doc! {"replSetReconfig": one.clone()},
            76, "NoReplicationEnabled", "not running with --replSet".into()),
        ("reconfig before initiate", &fresh, doc! {"replSetReconfig": one.clone()},
            94, "NotYetInitialized", "Node not yet initialized; use the replSetInitiate command".into()),
        ("member does not answer", &fresh, doc! {"replSetInitiate": pair(&dead)},
            74, "NodeNotFound", format!("replSetInitiate quorum check failed because not all proposed set members responded affirmatively: {dead} failed with Error connecting to {dead} ({dead}) :: caused by :: Connection refused")),
        ("member of another set", &fresh, doc! {"replSetInitiate": pair(&other_set.host())},
            103, "NewReplicaSetConfigurationIncompatible", format!("Our set name did not match that of the request target, requestTarget:{}", other_set.host())),
    ];
    let mut failures = Vec::new();
    for (name, member, cmd, code, code_name, errmsg) in gates {
        let r = member.connect().admin(cmd);
        let got = (
            r.get("ok").and_then(Bson::as_f64),
            r.get_i32("code").ok(),
            r.get_str("codeName").ok(),
            r.get_str("errmsg").ok(),
        );
        if got
            != (
                Some(0.0),
                Some(code),
                Some(code_name),
                Some(errmsg.as_str()),
            )
        {
            failures.push(format!(
                "{name}: want {code} {code_name} {errmsg:?}\n  got {r}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The failed quorum checks installed nothing; the valid config then succeeds once, and a
    // second initiate is refused with the server's reply (info before ok).
    let mut c = fresh.connect();
    assert_eq!(
        c.admin(doc! {"hello": 1}).get_bool("isreplicaset"),
        Ok(true)
    );
    let r = c.admin(doc! {"replSetInitiate": one});
    assert!(ok(&r), "{r}");
    let r = c.admin(doc! {"replSetInitiate": {}});
    let keys: Vec<&str> = r.keys().map(String::as_str).take(5).collect();
    assert_eq!(keys, ["info", "ok", "errmsg", "code", "codeName"], "{r}");
    assert_eq!(
        (
            r.get_str("info"),
            r.get_str("errmsg"),
            r.get_i32("code"),
            r.get_str("codeName")
        ),
        (
            Ok("try querying local.system.replset to see current configuration"),
            Ok("already initialized"),
            Ok(23),
            Ok("AlreadyInitialized")
        ),
        "{r}"
    );
}
