//! A single rsh-sandbox member seen from a client: handshake shapes, gates and error codes.
//! (Multi-member sets are in the `replica_set` tests below.)

mod sbnode_support;

use bson::{doc, Bson};
use sbnode_support::{ok, Member};

#[test]
fn uninitiated_member_is_a_ghost_and_gates_replset_commands() {
    let m = Member::start(&["--replSet", "rs0"]);
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
fn standalone_member_answers_info_commands_and_crud() {
    let m = Member::start(&["--oplogSize", "50"]);
    let mut c = m.connect();
    let h = c.admin(doc! {"hello": 1});
    assert!(h.get_bool("isWritablePrimary").unwrap());
    assert!(!h.contains_key("setName"));
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
