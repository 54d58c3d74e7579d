//! A single rsh-sandbox member seen from a client: handshake shapes, gates and error codes.
//! Then a fast three-member set: election, status shapes, write concern, a DOWN member.
//! Reconfig, rw-concern defaults, shutdown and stepdown effects are in sandbox_node_set.rs.

use std::time::Duration;

use bson::{doc, Bson};
use support::{fast_set, ok, wait_for, Member};

#[test]
fn uninitiated_member_is_a_ghost_and_gates_replset_commands() {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let mut c = m.connect();
    let h = c.admin(doc! {"isMaster": 1, "helloOk": true});
    let keys: Vec<&str> = h.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "helloOk",
            "topologyVersion",
            "ismaster",
            "secondary",
            "info",
            "isreplicaset",
            "maxBsonObjectSize",
            "maxMessageSizeBytes",
            "maxWriteBatchSize",
            "localTime",
            "logicalSessionTimeoutMinutes",
            "connectionId",
            "minWireVersion",
            "maxWireVersion",
            "readOnly",
            "ok"
        ]
    );
    assert_eq!(
        h.get_str("info").unwrap(),
        "Does not have a valid replica set config"
    );
    assert_eq!(h.get_i32("maxWireVersion").unwrap(), 21);
    let tv = h.get_document("topologyVersion").unwrap();
    assert!(tv.get_object_id("processId").is_ok());
    assert!(matches!(tv.get("counter"), Some(Bson::Int64(_))));

    for cmd in ["replSetGetStatus", "replSetGetConfig"] {
        let r = c.admin(doc! {cmd: 1});
        assert_eq!(r.get_i32("code").unwrap(), 94, "{cmd}: {r}");
        assert_eq!(r.get_str("codeName").unwrap(), "NotYetInitialized");
        assert_eq!(
            r.get_str("errmsg").unwrap(),
            "no replset config has been received"
        );
        assert_eq!(r.keys().next().map(String::as_str), Some("info"));
    }
    // Reads and writes before a config exists.
    let r = c.run("test", doc! {"find": "c"});
    assert_eq!(r.get_i32("code").unwrap(), 13436, "{r}");
    let r = c.run("test", doc! {"insert": "c", "documents": [{"a": 1}]});
    assert_eq!(r.get_i32("code").unwrap(), 10107, "{r}");
    assert_eq!(r.get_str("errmsg").unwrap(), "not primary");
    assert!(
        r.get_document("topologyVersion").is_ok(),
        "state-change errors carry topologyVersion"
    );
    let r = c.run(
        "test",
        doc! {"insert": "c", "documents": [{"a": 1}], "txnNumber": 1i64, "lsid": {"id": 1}},
    );
    assert_eq!(
        r.get_array("errorLabels").unwrap(),
        &vec![Bson::String("RetryableWriteError".into())]
    );
    let r = c.admin(doc! {"listDatabases": 1});
    assert_eq!(
        r.get_str("errmsg").unwrap(),
        "node is not in primary or recovering state"
    );
}

#[test]
fn standalone_member_answers_info_commands() {
    let m = Member::sandbox(&["--oplogSize", "50"]);
    let mut c = m.connect();
    let client = doc! {"driver": {"name": "t", "version": "1"}, "os": {"type": "Linux"}};
    let h = c.admin(doc! {"hello": 1, "client": client.clone()});
    assert!(h.get_bool("isWritablePrimary").unwrap());
    assert!(!h.contains_key("setName"));
    // Client metadata is accepted once per connection.
    let r = c.admin(doc! {"hello": 1, "client": client});
    assert_eq!(
        (r.get_i32("code").unwrap(), r.get_str("errmsg").unwrap()),
        (
            186,
            "The client metadata document may only be sent in the first hello"
        )
    );
    let r = c.admin(doc! {"replSetGetStatus": 1});
    assert_eq!(
        (r.get_i32("code").unwrap(), r.get_str("codeName").unwrap()),
        (76, "NoReplicationEnabled")
    );

    let b = c.admin(doc! {"buildInfo": 1});
    assert!(ok(&b));
    assert!(b.get_str("version").unwrap().starts_with("7.0."));
    assert!(!b.contains_key("ferretdb"));
    let o = c.admin(doc! {"getCmdLineOpts": 1});
    let argv: Vec<&str> = o
        .get_array("argv")
        .unwrap()
        .iter()
        .filter_map(Bson::as_str)
        .collect();
    assert!(argv.contains(&"--oplogSize"), "{argv:?}");
    assert!(o.get_document("parsed").is_ok());
    let p = c.admin(doc! {"getParameter": 1, "featureCompatibilityVersion": 1});
    assert_eq!(
        p.get_document("featureCompatibilityVersion")
            .unwrap()
            .get_str("version")
            .unwrap(),
        "7.0"
    );
    let p = c.admin(doc! {"getParameter": "foo"});
    assert_eq!(p.get("ok"), Some(&Bson::Double(0.0)));
    assert!(!p.get_str("errmsg").unwrap().contains("documentdb_api"));
    assert!(ok(&c.admin(doc! {"getLog": "startupWarnings"})));
    assert!(ok(&c.admin(doc! {"hostInfo": 1})));
    assert!(ok(&c.admin(doc! {"endSessions": []})));
    let s = c.admin(doc! {"serverStatus": 1});
    assert!(ok(&s) && !s.contains_key("repl"));
    let r = c.admin(doc! {"atlasVersion": 1});
    assert_eq!(r.get_i32("code").unwrap(), 59);
    assert_eq!(
        r.get_str("errmsg").unwrap(),
        "no such command: 'atlasVersion'"
    );
    let r = c.run("test", doc! {"getCmdLineOpts": 1});
    assert_eq!(r.get_i32("code").unwrap(), 13);
}

#[test]
fn standalone_member_runs_crud() {
    let m = Member::sandbox(&[]);
    let mut c = m.connect();
    let r = c.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1, "a": 1}, {"_id": 2, "a": 2}]},
    );
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i32("n").unwrap(), 2);
    let r = c.run("test", doc! {"find": "c", "filter": {"a": {"$gt": 1}}});
    let batch = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch, &vec![Bson::Document(doc! {"_id": 2, "a": 2})]);
}

#[test]
fn three_member_set_elects_one_primary_with_real_status_shapes() {
    let m0 = Member::sandbox(&["--replSet", "rs0"]);
    // An awaitable hello on the uninitiated member wakes up when initiate changes the topology.
    let mut c = m0.connect();
    let h = c.admin(doc! {"hello": 1});
    let tv = h.get_document("topologyVersion").unwrap().clone();
    let port = m0.port;
    let waiter = std::thread::spawn(move || {
        let mut c = support::Client::connect(port);
        c.admin(doc! {"hello": 1, "topologyVersion": tv, "maxAwaitTimeMS": 60_000i64})
    });
    let r = c.admin(doc! {"replSetInitiate": {}});
    assert!(ok(&r), "{r}");
    assert_eq!(
        r.get_str("info2").unwrap(),
        "no configuration specified. Using a default configuration for the set"
    );
    assert_eq!(r.get_str("me").unwrap(), m0.host());
    let woke = waiter.join().unwrap();
    assert!(
        woke.get_document("topologyVersion")
            .unwrap()
            .get_i64("counter")
            .unwrap()
            > h.get_document("topologyVersion")
                .unwrap()
                .get_i64("counter")
                .unwrap()
    );
    let r = c.admin(doc! {"replSetInitiate": {}});
    assert_eq!(
        (r.get_i32("code").unwrap(), r.get_str("info").unwrap()),
        (
            23,
            "try querying local.system.replset to see current configuration"
        )
    );
    drop(m0);

    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let h = pc.admin(doc! {"hello": 1});
    assert_eq!(h.get_array("hosts").unwrap().len(), 3);
    assert_eq!(h.get_str("me").unwrap(), primary);
    assert_eq!(h.get_str("primary").unwrap(), primary);
    assert!(h
        .get_object_id("electionId")
        .unwrap()
        .to_hex()
        .starts_with("7fffffff"));
    assert!(h
        .get_document("lastWrite")
        .unwrap()
        .get_datetime("lastWriteDate")
        .is_ok());
    assert!(h.get_document("$clusterTime").is_ok() && h.get_timestamp("operationTime").is_ok());

    let s = pc.admin(doc! {"replSetGetStatus": 1, "forShell": 1});
    let keys: Vec<&str> = s.keys().map(String::as_str).take(11).collect();
    assert_eq!(
        keys,
        [
            "set",
            "date",
            "myState",
            "term",
            "syncSourceHost",
            "syncSourceId",
            "heartbeatIntervalMillis",
            "majorityVoteCount",
            "writeMajorityCount",
            "votingMembersCount",
            "writableVotingMembersCount"
        ]
    );
    assert_eq!(s.get_i32("myState").unwrap(), 1);
    assert_eq!(s.get_i64("heartbeatIntervalMillis").unwrap(), 200);
    let ms = s.get_array("members").unwrap();
    let me = ms
        .iter()
        .filter_map(Bson::as_document)
        .find(|e| e.get_bool("self").unwrap_or(false))
        .unwrap();
    assert_eq!(me.get_str("stateStr").unwrap(), "PRIMARY");
    assert!(me.contains_key("electionTime") && me.contains_key("electionDate"));
    let secondaries = wait_for(Duration::from_secs(20), || {
        let s = pc.admin(doc! {"replSetGetStatus": 1});
        let n = s
            .get_array("members")
            .ok()?
            .iter()
            .filter_map(Bson::as_document)
            .filter(|e| e.get_str("stateStr") == Ok("SECONDARY"))
            .count();
        (n == 2).then_some(n)
    });
    assert_eq!(secondaries, Some(2));

    let g = pc.admin(doc! {"replSetGetConfig": 1});
    let cfg = g.get_document("config").unwrap();
    let member_keys: Vec<&str> = cfg.get_array("members").unwrap()[0]
        .as_document()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        member_keys,
        [
            "_id",
            "host",
            "arbiterOnly",
            "buildIndexes",
            "hidden",
            "priority",
            "tags",
            "secondaryDelaySecs",
            "votes"
        ]
    );
    assert!(cfg
        .get_document("settings")
        .unwrap()
        .get_object_id("replicaSetId")
        .is_ok());

    // A write with w: majority is acknowledged by the set; reads on a secondary need secondaryOk.
    let r = pc.run("test", doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": "majority", "wtimeout": 10_000}});
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    let r = pc.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 2}], "writeConcern": {"w": 5, "wtimeout": 1000}},
    );
    assert_eq!(
        r.get_document("writeConcernError")
            .unwrap()
            .get_i32("code")
            .unwrap(),
        100
    );
    let s = members.iter().find(|m| m.host() != primary).unwrap();
    let mut sc = s.connect();
    let r = sc.run("test", doc! {"find": "c"});
    assert_eq!(r.get_i32("code").unwrap(), 13435);
    let r = sc.run("test", doc! {"insert": "c", "documents": [{"_id": 3}]});
    assert_eq!(r.get_i32("code").unwrap(), 10107);
    let found = wait_for(Duration::from_secs(10), || {
        let r = sc.run(
            "test",
            doc! {"find": "c", "$readPreference": {"mode": "secondaryPreferred"}},
        );
        let n = r
            .get_document("cursor")
            .ok()?
            .get_array("firstBatch")
            .ok()?
            .len();
        (n >= 1).then_some(n)
    });
    assert!(found.is_some(), "the majority write reached the secondary");
}

#[test]
fn a_killed_member_is_reported_down() {
    let (mut members, primary) = fast_set();
    let victim = members.iter().position(|m| m.host() != primary).unwrap();
    let victim_host = members[victim].host();
    members[victim].kill();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let entry = wait_for(Duration::from_secs(20), || {
        let s = p.connect().admin(doc! {"replSetGetStatus": 1});
        let e = s
            .get_array("members")
            .ok()?
            .iter()
            .filter_map(Bson::as_document)
            .find(|e| e.get_str("name") == Ok(victim_host.as_str()))?
            .clone();
        (e.get_i32("state") == Ok(8)).then_some(e)
    })
    .expect("the killed member is reported DOWN");
    assert_eq!(entry.get_f64("health").unwrap(), 0.0);
    assert_eq!(
        entry.get_str("stateStr").unwrap(),
        "(not reachable/healthy)"
    );
    assert_eq!(entry.get_i32("configVersion").unwrap(), -1);
}
