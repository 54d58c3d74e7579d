//! The admin commands DBAs run, over the wire, with mongod's reply shapes and codes.

use std::sync::mpsc;
use std::time::Duration;

use bson::{doc, spec::BinarySubtype, Binary, Bson};
use support::{fast_set, ok, one_member_primary, wait_for, Client, Member};

fn code(r: &bson::Document) -> i32 {
    r.get_i32("code").unwrap_or(0)
}

#[test]
fn list_databases_validate_dbstats_compact_collmod() {
    let m = one_member_primary();
    let mut c = m.connect();
    let r = c.run(
        "t",
        doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}]},
    );
    assert!(ok(&r), "{r}");
    let r = c.admin(doc! {"listDatabases": 1});
    let names: Vec<&str> = r
        .get_array("databases")
        .unwrap()
        .iter()
        .filter_map(|d| d.as_document()?.get_str("name").ok())
        .collect();
    for db in ["admin", "config", "local", "t"] {
        assert!(names.contains(&db), "{db} in {names:?}");
    }
    let r = c.run("t", doc! {"validate": "c", "full": true});
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_bool("valid"), Ok(true));
    assert_eq!(r.get_i64("nrecords"), Ok(2));
    assert_eq!(
        r.get_document("keysPerIndex").unwrap().get_i64("_id_"),
        Ok(2)
    );
    let r = c.run("t", doc! {"validate": "nope"});
    assert_eq!(code(&r), 26, "{r}");
    let r = c.run("t", doc! {"dbstats": 1});
    assert!(ok(&r) && r.get_str("db") == Ok("t"), "{r}");
    let r = c.run("t", doc! {"compact": "c"});
    assert!(ok(&r) && r.contains_key("bytesFreed"), "{r}");
    let r = c.run("t", doc! {"collMod": "c"});
    assert!(ok(&r), "{r}");
    // Validation options change; others mongod has are refused, not ignored.
    let r = c.run(
        "t",
        doc! {"collMod": "c", "validator": {"a": {"$exists": true}}},
    );
    assert!(ok(&r), "{r}");
    let r = c.run("t", doc! {"collMod": "c", "expireAfterSeconds": 5});
    assert_eq!(code(&r), 20, "refused, not ignored: {r}");
    let r = c.run("t", doc! {"collMod": "c", "bogus": 1});
    assert_eq!(code(&r), 40415, "{r}");
}

#[test]
fn fsync_lock_holds_writes_until_unlock() {
    let m = one_member_primary();
    let mut c = m.connect();
    let r = c.admin(doc! {"fsync": 1});
    assert!(ok(&r) && r.contains_key("numFiles"), "{r}");
    let r = c.admin(doc! {"fsyncUnlock": 1});
    assert_eq!(code(&r), 125, "not locked: {r}");
    let r = c.admin(doc! {"fsync": 1, "lock": true});
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i64("lockCount"), Ok(1));
    let port = m.port;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut w = Client::connect(port);
        let r = w.run("t", doc! {"insert": "c", "documents": [{"_id": 1}]});
        let _ = tx.send(r);
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(700)).is_err(),
        "the write waits while locked"
    );
    // Reads go on.
    let r = c.run("t", doc! {"find": "c"});
    assert!(ok(&r), "{r}");
    let r = c.admin(doc! {"fsyncUnlock": 1});
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i64("lockCount"), Ok(0));
    let r = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the write ends after unlock");
    assert!(ok(&r) && r.get_i32("n") == Ok(1), "{r}");
}

#[test]
fn parameters_fcv_oplog_resize_and_catch_up() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut c = p.connect();
    let r = c.admin(doc! {"getParameter": 1, "replBatchLimitOperations": 1});
    assert_eq!(r.get_i32("replBatchLimitOperations"), Ok(5000), "{r}");
    let r = c.admin(doc! {"setParameter": 1, "replBatchLimitOperations": 100});
    assert_eq!(r.get_i32("was"), Ok(5000), "{r}");
    let r = c.admin(doc! {"getParameter": 1, "replBatchLimitOperations": 1});
    assert_eq!(r.get_i32("replBatchLimitOperations"), Ok(100), "{r}");
    let r = c.admin(doc! {"setParameter": 1, "replBatchLimitOperations": 0});
    assert_eq!(code(&r), 2, "{r}");
    let r = c.admin(doc! {"setParameter": 1, "noSuchParameter": 1});
    assert_eq!(code(&r), 72, "{r}");

    let fcv = |m: &Member| {
        let r = m
            .connect()
            .admin(doc! {"getParameter": 1, "featureCompatibilityVersion": 1});
        r.get_document("featureCompatibilityVersion")
            .ok()
            .and_then(|d| d.get_str("version").ok().map(str::to_string))
    };
    assert_eq!(fcv(p).as_deref(), Some("7.0"));
    let r = c.admin(doc! {"setFeatureCompatibilityVersion": "6.0"});
    assert_eq!(code(&r), 7369100, "confirm is required: {r}");
    let r = c.admin(doc! {"setFeatureCompatibilityVersion": "5.0", "confirm": true});
    assert_eq!(code(&r), 2, "{r}");
    let r = c.admin(doc! {"setFeatureCompatibilityVersion": "6.0", "confirm": true});
    assert!(ok(&r), "{r}");
    // Replicated like mongod's admin.system.version document.
    for m in &members {
        let v = wait_for(Duration::from_secs(20), || fcv(m).filter(|v| v == "6.0"));
        assert_eq!(v.as_deref(), Some("6.0"), "{}", m.host());
    }

    let r = c.admin(doc! {"replSetResizeOplog": 1, "size": 100.0});
    assert_eq!(code(&r), 51024, "{r}");
    let r = c.admin(doc! {"replSetResizeOplog": 1, "size": 2000.0});
    assert!(ok(&r), "{r}");
    let r = c.run("local", doc! {"collStats": "oplog.rs"});
    assert_eq!(
        r.get("maxSize").and_then(Bson::as_i64),
        Some(2000 * 1024 * 1024),
        "{r}"
    );
    let r = c.admin(doc! {"replSetAbortPrimaryCatchUp": 1});
    assert_eq!(code(&r), 20, "{r}");
}

#[test]
fn sessions_top_profile_and_log_rotate() {
    let m = one_member_primary();
    let mut c = m.connect();
    let r = c.run(
        "t",
        doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}, {"_id": 3}]},
    );
    assert!(ok(&r), "{r}");
    let lsid = doc! {"id": Binary {subtype: BinarySubtype::Uuid, bytes: vec![9u8; 16]}};
    let r = c.run(
        "t",
        doc! {"find": "c", "batchSize": 1, "lsid": lsid.clone()},
    );
    let cursor = r.get_document("cursor").unwrap().get_i64("id").unwrap();
    assert_ne!(cursor, 0);
    let r = c.admin(doc! {"aggregate": 1, "pipeline": [{"$listLocalSessions": {}}], "cursor": {}});
    let listed = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|s| s.as_document().and_then(|d| d.get_document("_id").ok())
                == Some(&doc! {"id": Binary {subtype: BinarySubtype::Uuid, bytes: vec![9u8; 16]}})),
        "{r}"
    );
    // Later stages run as in any pipeline.
    let r = c.admin(doc! {"aggregate": 1, "pipeline": [
        {"$listLocalSessions": {}}, {"$addFields": {"seen": true}},
        {"$project": {"_id": 0, "seen": 1}}, {"$limit": 1},
    ], "cursor": {}});
    let first = r
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| b.to_vec())
        .unwrap_or_default();
    assert_eq!(first, vec![Bson::Document(doc! {"seen": true})], "{r}");
    // Any database will do, as long as the aggregate names no collection.
    let r = c.run(
        "t",
        doc! {"aggregate": 1, "pipeline": [{"$listLocalSessions": {}}], "cursor": {}},
    );
    assert!(ok(&r), "{r}");
    let r = c.run(
        "t",
        doc! {"aggregate": "c", "pipeline": [{"$listLocalSessions": {}}], "cursor": {}},
    );
    assert_eq!(code(&r), 73, "{r}");
    let r = c.admin(doc! {"killSessions": [lsid]});
    assert!(ok(&r), "{r}");
    let r = c.run("t", doc! {"getMore": cursor, "collection": "c"});
    assert_eq!(code(&r), 43, "the session's cursor is gone: {r}");
    let r = c.admin(doc! {"killAllSessions": []});
    assert!(ok(&r), "{r}");

    let r = c.admin(doc! {"top": 1});
    let row = r
        .get_document("totals")
        .unwrap()
        .get_document("t.c")
        .unwrap();
    assert!(
        row.get_document("insert")
            .unwrap()
            .get_i64("count")
            .unwrap()
            >= 1,
        "{r}"
    );
    assert!(
        row.get_document("queries")
            .unwrap()
            .get_i64("count")
            .unwrap()
            >= 1,
        "{r}"
    );

    let r = c.run("t", doc! {"profile": -1});
    assert!(ok(&r) && r.get_i32("was") == Ok(0), "{r}");
    let r = c.run("t", doc! {"profile": 2});
    assert_eq!(code(&r), 20, "the profiler is refused: {r}");

    let r = c.admin(doc! {"logRotate": 1});
    assert!(ok(&r), "{r}");
}
