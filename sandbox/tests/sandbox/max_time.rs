//! maxTimeMS is enforced: a command still blocked (failCommand's blockConnection, a write
//! concern wait) when its limit passes is answered MaxTimeMSExpired (50), as mongod does; a
//! cursor keeps what is left of its find's limit, and idle time between getMores is not charged.
//! (A scan still running at the limit is answered the same way; the in-memory scans here are
//! too fast to show it without a timed test.)

use std::time::Duration;

use bson::{doc, Document};

use support::wire::{ok, Client};
use support::Member;

const TEST_COMMANDS: &[&str] = &["--replSet", "rs0", "--setParameter", "enableTestCommands=1"];

fn primary() -> Member {
    let m = Member::sandbox(TEST_COMMANDS);
    let cfg = doc! {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}]};
    assert!(ok(&m.connect().admin(doc! {"replSetInitiate": cfg})));
    support::replset::wait_primary(&[&m], Duration::from_secs(30)).expect("a primary");
    m
}

fn block(c: &mut Client, commands: &[&str], ms: i32) {
    let r = c.admin(doc! {
        "configureFailPoint": "failCommand", "mode": "alwaysOn",
        "data": {"failCommands": commands, "blockConnection": true, "blockTimeMS": ms},
    });
    assert!(ok(&r), "{r}");
}

fn unblock(c: &mut Client) {
    let r = c.admin(doc! {"configureFailPoint": "failCommand", "mode": "off"});
    assert!(ok(&r), "{r}");
}

fn assert_expired(r: &Document) {
    assert_eq!(r.get_f64("ok"), Ok(0.0), "{r}");
    assert_eq!(r.get_i32("code"), Ok(50), "{r}");
    assert_eq!(r.get_str("codeName"), Ok("MaxTimeMSExpired"), "{r}");
    assert_eq!(
        r.get_str("errmsg"),
        Ok("operation exceeded time limit"),
        "{r}"
    );
}

#[test]
fn max_time_ms_is_validated_like_mongod() {
    let m = primary();
    let mut c = m.connect();
    for (v, msg) in [
        (bson::Bson::Int32(-1), "maxTimeMS is out of range"),
        (bson::Bson::Double(1.5), "maxTimeMS has non-integral value"),
        (bson::Bson::String("9".into()), "maxTimeMS must be a number"),
    ] {
        let r = c.run("t", doc! {"find": "a", "maxTimeMS": v});
        assert_eq!(r.get_i32("code"), Ok(2), "{r}");
        assert_eq!(r.get_str("errmsg"), Ok(msg), "{r}");
    }
    assert!(ok(&c.run("t", doc! {"find": "a", "maxTimeMS": 0})));
    assert!(ok(&c.run("t", doc! {"ping": 1, "maxTimeMS": 1000})));
}

#[test]
fn a_blocked_command_expires_at_its_limit() {
    let m = primary();
    let mut c = m.connect();
    assert!(ok(
        &c.run("t", doc! {"insert": "a", "documents": [{"_id": 1}]})
    ));
    block(&mut c, &["find", "ping", "insert", "count"], 3000);
    let mut other = m.connect();
    assert_expired(&other.run("t", doc! {"find": "a", "maxTimeMS": 100}));
    assert_expired(&other.run("t", doc! {"count": "a", "maxTimeMS": 100}));
    assert_expired(&other.run("admin", doc! {"ping": 1, "maxTimeMS": 100}));
    // The block comes before the write: an expired insert wrote nothing.
    assert_expired(&other.run(
        "t",
        doc! {"insert": "a", "documents": [{"_id": 2}], "maxTimeMS": 100},
    ));
    unblock(&mut c);
    let r = c.run("t", doc! {"count": "a"});
    assert_eq!(r.get_i32("n"), Ok(1), "{r}");
    // Without a limit the same block only delays.
    block(&mut c, &["find"], 200);
    let r = other.run("t", doc! {"find": "a"});
    assert!(ok(&r), "{r}");
    unblock(&mut c);
}

#[test]
fn a_cursor_keeps_what_is_left_of_its_limit() {
    let m = primary();
    let mut c = m.connect();
    let docs: Vec<Document> = (0..5).map(|i| doc! {"_id": i}).collect();
    assert!(ok(&c.run("t", doc! {"insert": "a", "documents": docs})));
    let open = |c: &mut Client| {
        let r = c.run("t", doc! {"find": "a", "batchSize": 1, "maxTimeMS": 300});
        let id = r
            .get_document("cursor")
            .and_then(|c| c.get_i64("id"))
            .unwrap_or_default();
        assert_ne!(id, 0, "{r}");
        id
    };
    // Time between getMores is not charged to the cursor.
    let id = open(&mut c);
    std::thread::sleep(Duration::from_millis(600));
    let r = c.run("t", doc! {"getMore": id, "collection": "a", "batchSize": 1});
    assert!(ok(&r), "{r}");
    // A getMore blocked past the cursor's limit expires; the block comes before the cursor is
    // touched (as mongod's failCommand), so the cursor still serves the next getMore.
    let id = open(&mut c);
    block(&mut c, &["getMore"], 3000);
    let mut other = m.connect();
    let r = other.run("t", doc! {"getMore": id, "collection": "a", "batchSize": 1});
    assert_expired(&r);
    unblock(&mut c);
    let r = c.run("t", doc! {"getMore": id, "collection": "a"});
    let rest = r
        .get_document("cursor")
        .and_then(|c| c.get_array("nextBatch"))
        .map(Vec::len);
    assert_eq!(rest, Ok(4), "{r}");
}

#[test]
fn a_write_concern_wait_ends_at_the_limit_with_the_write_kept() {
    let (a, b) = support::replset::primary_and_secondary(TEST_COMMANDS);
    let r = b
        .connect()
        .admin(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": "alwaysOn"});
    assert!(ok(&r), "{r}");
    let mut c = a.connect();
    // No wtimeout: only maxTimeMS ends the wait.
    let r = c.run(
        "t",
        doc! {"insert": "a", "documents": [{"_id": 1}], "writeConcern": {"w": 2}, "maxTimeMS": 300},
    );
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i32("n"), Ok(1), "{r}");
    let wce = r
        .get_document("writeConcernError")
        .cloned()
        .unwrap_or_default();
    assert_eq!(wce.get_i32("code"), Ok(50), "{r}");
    assert_eq!(wce.get_str("codeName"), Ok("MaxTimeMSExpired"), "{r}");
    // A wtimeout shorter than the limit still reports the write concern timeout.
    let r = c.run(
        "t",
        doc! {"insert": "a", "documents": [{"_id": 2}],
        "writeConcern": {"w": 2, "wtimeout": 100}, "maxTimeMS": 5000},
    );
    let wce = r
        .get_document("writeConcernError")
        .cloned()
        .unwrap_or_default();
    assert_eq!(wce.get_i32("code"), Ok(64), "{r}");
    let r = c.run("t", doc! {"count": "a"});
    assert_eq!(r.get_i32("n"), Ok(2), "{r}");
}
