//! A single rsh-sandbox member seen from a client: handshake shapes, gates and error codes.
//! (Multi-member sets are in the `replica_set` tests below.)

mod support;

use std::time::Duration;

use bson::{doc, Bson, Document};
use support::{ok, wait_for, Member};

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

/// Starts three members of `rs0` and initiates them with fast timings through the first.
fn fast_set() -> (Vec<Member>, String) {
    let members: Vec<Member> = (0..3)
        .map(|_| Member::sandbox(&["--replSet", "rs0"]))
        .collect();
    let cfg = doc! {
        "_id": "rs0",
        "members": members.iter().enumerate().map(|(i, m)| doc! {"_id": i as i32, "host": m.host()}).collect::<Vec<_>>(),
        "settings": {"heartbeatIntervalMillis": 200, "electionTimeoutMillis": 1000, "heartbeatTimeoutSecs": 2},
    };
    let r = members[0].connect().admin(doc! {"replSetInitiate": cfg});
    assert!(ok(&r), "{r}");
    let primary = wait_for(Duration::from_secs(30), || {
        members.iter().find_map(|m| {
            let h = m.connect().admin(doc! {"hello": 1});
            h.get_bool("isWritablePrimary")
                .unwrap_or(false)
                .then(|| m.host())
        })
    })
    .expect("a primary within 30 s");
    (members, primary)
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

/// The primary's replSetGetConfig `config`.
fn current_config(c: &mut support::Client) -> Document {
    c.admin(doc! {"replSetGetConfig": 1})
        .get_document("config")
        .expect("replSetGetConfig config")
        .clone()
}

#[test]
fn reconfig_adds_a_member_and_force_reconfig_runs_on_a_secondary() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let cfg = current_config(&mut pc);
    let version = cfg.get_i32("version").unwrap();
    let term = match cfg.get("term") {
        Some(Bson::Int32(t)) => i64::from(*t),
        Some(Bson::Int64(t)) => *t,
        other => panic!("term {other:?}"),
    };
    assert!(term >= 1, "the config term is bumped on stepup: {cfg}");

    // Same version again: 103 with the server's wording.
    let r = pc.admin(doc! {"replSetReconfig": cfg.clone()});
    assert_eq!(r.get_i32("code").unwrap(), 103, "{r}");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .contains("New replica set configuration version and term must be greater than old"));

    // rs.add(): version + 1 with a fourth member; it learns the config and becomes SECONDARY.
    let newcomer = Member::sandbox(&["--replSet", "rs0"]);
    let mut next = cfg.clone();
    let mut ms = next.get_array("members").unwrap().clone();
    ms.push(Bson::Document(doc! {"_id": 3, "host": newcomer.host()}));
    next.insert("members", ms);
    next.insert("version", version + 1);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");
    let state = wait_for(Duration::from_secs(20), || {
        let s = newcomer.connect().admin(doc! {"replSetGetStatus": 1});
        (s.get_i32("myState") == Ok(2)).then_some(2)
    });
    assert_eq!(state, Some(2), "the added member reached SECONDARY");
    let cfg = current_config(&mut pc);
    assert_eq!(cfg.get_i32("version").unwrap(), version + 1);
    assert_eq!(cfg.get_array("members").unwrap().len(), 4);

    // A plain reconfig on a secondary is refused; force works and bumps the version by 10000+.
    let s = members.iter().find(|m| m.host() != primary).unwrap();
    let mut sc = s.connect();
    let scfg = current_config(&mut sc);
    let r = sc.admin(doc! {"replSetReconfig": scfg.clone()});
    assert_eq!(r.get_i32("code").unwrap(), 10107, "{r}");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .starts_with("New config is rejected :: caused by :: replSetReconfig should only be run on a writable PRIMARY."));
    let r = sc.admin(doc! {"replSetReconfig": scfg, "force": true});
    assert!(ok(&r), "{r}");
    let forced = current_config(&mut sc);
    assert!(forced.get_i32("version").unwrap() >= version + 1 + 10_000);
    assert!(
        !forced.contains_key("term"),
        "a forced config has no term: {forced}"
    );
}

#[test]
fn adding_an_arbiter_needs_a_global_default_write_concern() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let r = pc.admin(doc! {"getDefaultRWConcern": 1});
    assert_eq!(
        r.get_document("defaultWriteConcern").unwrap(),
        &doc! {"w": "majority", "wtimeout": 0}
    );
    assert_eq!(r.get_str("defaultWriteConcernSource").unwrap(), "implicit");

    let arbiter = Member::sandbox(&["--replSet", "rs0"]);
    let with_arbiter = |c: &mut support::Client| {
        let mut cfg = current_config(c);
        let mut ms = cfg.get_array("members").unwrap().clone();
        ms.push(Bson::Document(
            doc! {"_id": 5, "host": arbiter.host(), "arbiterOnly": true},
        ));
        cfg.insert("members", ms);
        let v = cfg.get_i32("version").unwrap();
        cfg.insert("version", v + 1);
        cfg
    };
    // Three data-bearing voters plus an arbiter turn the implicit default from majority to w:1.
    let next = with_arbiter(&mut pc);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert_eq!(r.get_i32("code").unwrap(), 103, "{r}");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .starts_with("Reconfig attempted to install a config that would change the implicit default write concern."));

    let r = pc.admin(doc! {"setDefaultRWConcern": 1});
    assert_eq!(r.get_i32("code").unwrap(), 2, "{r}");
    let r = pc.admin(doc! {"setDefaultRWConcern": 1, "defaultWriteConcern": {"w": 1}});
    assert!(ok(&r), "{r}");
    assert_eq!(
        r.get_document("defaultWriteConcern").unwrap(),
        &doc! {"w": 1, "wtimeout": 0}
    );
    assert_eq!(r.get_str("defaultWriteConcernSource").unwrap(), "global");
    let s = members.iter().find(|m| m.host() != primary).unwrap();
    let r = s
        .connect()
        .admin(doc! {"setDefaultRWConcern": 1, "defaultWriteConcern": {"w": 1}});
    assert_eq!(r.get_i32("code").unwrap(), 10107, "{r}");

    let next = with_arbiter(&mut pc);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");
    let state = wait_for(Duration::from_secs(20), || {
        let s = arbiter.connect().admin(doc! {"replSetGetStatus": 1});
        (s.get_i32("myState") == Ok(7)).then_some(7)
    });
    assert_eq!(state, Some(7), "the arbiter reached ARBITER");
    // The default is replicated: a secondary reports it too.
    let found = wait_for(Duration::from_secs(10), || {
        let r = s.connect().admin(doc! {"getDefaultRWConcern": 1});
        (r.get_str("defaultWriteConcernSource") == Ok("global")).then_some(())
    });
    assert!(found.is_some(), "the default reached the secondary");
}

#[test]
fn sigterm_on_a_primary_hands_the_election_to_a_secondary() {
    let (mut members, primary) = fast_set();
    let victim = members.iter().position(|m| m.host() == primary).unwrap();
    // A write the secondaries must hold before the primary may leave.
    let r = members[victim].connect().run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": 1}},
    );
    assert!(ok(&r), "{r}");
    assert_eq!(members[victim].terminate(30), Some(0), "clean exit");
    let (host, reason) = wait_for(Duration::from_secs(30), || {
        members.iter().filter(|m| m.child.is_some()).find_map(|m| {
            let s = m.connect().admin(doc! {"replSetGetStatus": 1});
            (s.get_i32("myState") == Ok(1)).then(|| {
                let reason = s
                    .get_document("electionCandidateMetrics")
                    .and_then(|e| e.get_str("lastElectionReason"))
                    .unwrap_or("")
                    .to_string();
                (m.host(), reason)
            })
        })
    })
    .expect("a new primary");
    assert_ne!(host, primary);
    // A handoff, not an election timeout: mongod's reason for a step-up request.
    assert_eq!(reason, "stepUpRequestSkipDryRun");
    let p = members.iter().find(|m| m.host() == host).unwrap();
    let r = p.connect().run("test", doc! {"find": "c"});
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .len(),
        1,
        "{r}"
    );
}

#[test]
fn a_majority_wait_ends_with_primary_stepped_down_when_the_primary_loses_its_majority() {
    let (mut members, primary) = fast_set();
    for m in members.iter_mut().filter(|m| m.host() != primary) {
        m.kill();
    }
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    // No wtimeout: only the stepdown (after electionTimeout without a majority) ends the wait.
    let r = p.connect().run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": "majority"},
        "lsid": {"id": bson::Uuid::new()}, "txnNumber": 1i64},
    );
    let wce = r
        .get_document("writeConcernError")
        .expect("writeConcernError");
    assert_eq!(wce.get_i32("code").unwrap(), 189, "{r}");
    assert_eq!(wce.get_str("codeName").unwrap(), "PrimarySteppedDown");
    assert_eq!(
        r.get_array("errorLabels").unwrap(),
        &vec![Bson::from("RetryableWriteError")],
        "{r}"
    );
    let h = p.connect().admin(doc! {"hello": 1});
    assert!(!h.get_bool("isWritablePrimary").unwrap());
}

#[test]
fn tag_set_write_concern_modes_come_from_the_config() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let mut cfg = current_config(&mut pc);
    let ms: Vec<Bson> = cfg
        .get_array("members")
        .unwrap()
        .iter()
        .filter_map(Bson::as_document)
        .map(|m| {
            let mut m = m.clone();
            let dc = if m.get_str("host") == Ok(primary.as_str()) {
                "east"
            } else {
                "west"
            };
            m.insert("tags", doc! {"dc": dc});
            Bson::Document(m)
        })
        .collect();
    cfg.insert("members", ms);
    let v = cfg.get_i32("version").unwrap();
    cfg.insert("version", v + 1);
    let mut settings = cfg.get_document("settings").unwrap().clone();
    settings.insert("getLastErrorModes", doc! {"twoDCs": {"dc": 2}});
    cfg.insert("settings", settings);
    let r = pc.admin(doc! {"replSetReconfig": cfg});
    assert!(ok(&r), "{r}");

    let r = pc.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": "twoDCs", "wtimeout": 10_000}},
    );
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    let r = pc.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 2}], "writeConcern": {"w": "oneDC"}},
    );
    assert_eq!(r.get_i32("n").unwrap(), 1, "{r}");
    let wce = r.get_document("writeConcernError").unwrap();
    assert_eq!(
        (wce.get_i32("code").unwrap(), wce.get_str("errmsg").unwrap()),
        (
            79,
            "No write concern mode named 'oneDC' found in replica set configuration"
        )
    );
}
