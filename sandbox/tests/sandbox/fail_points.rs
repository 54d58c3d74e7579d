//! Fail points: configureFailPoint exists only with `--setParameter enableTestCommands=1`;
//! failCommand fails, blocks, drops or decorates a client's commands; rsSyncApplyStop stops a
//! secondary from applying.

use std::io::Read;
use std::time::{Duration, Instant};

use bson::{doc, Document};

use support::poll::wait_for;
use support::replset::wait_primary;
use support::wire::{ok, try_run, Client};
use support::Member;

const TEST_COMMANDS: &[&str] = &["--replSet", "rs0", "--setParameter", "enableTestCommands=1"];

fn primary_with_test_commands() -> Member {
    let m = Member::sandbox(TEST_COMMANDS);
    let cfg = doc! {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}]};
    assert!(ok(&m.connect().admin(doc! {"replSetInitiate": cfg})));
    wait_primary(&[&m], Duration::from_secs(30)).expect("a primary");
    m
}

fn fail(c: &mut Client, mode: bson::Bson, data: Document) -> Document {
    let r = c.admin(doc! {"configureFailPoint": "failCommand", "mode": mode, "data": data});
    assert!(ok(&r), "{r}");
    r
}

#[test]
fn configure_fail_point_is_unknown_without_test_commands() {
    let m = Member::sandbox(&[]);
    let r = m
        .connect()
        .admin(doc! {"configureFailPoint": "failCommand", "mode": "alwaysOn"});
    assert_eq!(r.get_i32("code"), Ok(59), "{r}");
    let r = m
        .connect()
        .admin(doc! {"getParameter": 1, "enableTestCommands": 1});
    assert_eq!(r.get_bool("enableTestCommands"), Ok(false), "{r}");
}

#[test]
fn fail_command_codes_modes_and_app_name() {
    let m = primary_with_test_commands();
    let mut c = m.connect();
    let r = c.admin(doc! {"getParameter": 1, "enableTestCommands": 1});
    assert_eq!(r.get_bool("enableTestCommands"), Ok(true), "{r}");
    let r = c.admin(doc! {"configureFailPoint": "noSuchPoint", "mode": "alwaysOn"});
    assert_eq!(r.get_i32("code"), Ok(266), "{r}");

    // {times: 2}: two failures, then normal again; count reports firings so far.
    let r = fail(
        &mut c,
        doc! {"times": 2}.into(),
        doc! {"failCommands": ["find"], "errorCode": 11600},
    );
    assert_eq!(r.get_i64("count"), Ok(0));
    for _ in 0..2 {
        let r = c.run("t", doc! {"find": "a"});
        assert_eq!(r.get_i32("code"), Ok(11600), "{r}");
        assert_eq!(r.get_str("codeName"), Ok("InterruptedAtShutdown"));
    }
    assert!(ok(&c.run("t", doc! {"find": "a"})));
    // Only the listed commands fail.
    let r = fail(
        &mut c,
        "alwaysOn".into(),
        doc! {"failCommands": ["insert"], "errorCode": 10107},
    );
    assert_eq!(r.get_i64("count"), Ok(2));
    assert!(ok(&c.run("t", doc! {"find": "a"})));
    // A retryable write failing with a retryable code carries RetryableWriteError...
    let lsid =
        doc! {"id": bson::Binary {subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![7; 16]}};
    let r = c.run(
        "t",
        doc! {"insert": "a", "documents": [{"x": 1}], "lsid": lsid.clone(), "txnNumber": 1i64},
    );
    assert_eq!(r.get_i32("code"), Ok(10107), "{r}");
    assert_eq!(
        r.get_array("errorLabels").ok().map(Vec::len),
        Some(1),
        "{r}"
    );
    // ...unless errorLabels says otherwise.
    fail(
        &mut c,
        "alwaysOn".into(),
        doc! {"failCommands": ["insert"], "errorCode": 10107, "errorLabels": []},
    );
    let r = c.run(
        "t",
        doc! {"insert": "a", "documents": [{"x": 1}], "lsid": lsid, "txnNumber": 2i64},
    );
    assert_eq!(
        r.get_array("errorLabels").ok().map(Vec::len),
        Some(0),
        "{r}"
    );
    // {skip: 1}: the first one passes, the rest fail.
    fail(
        &mut c,
        doc! {"skip": 1}.into(),
        doc! {"failCommands": ["count"], "errorCode": 2},
    );
    assert!(ok(&c.run("t", doc! {"count": "a"})));
    assert_eq!(c.run("t", doc! {"count": "a"}).get_i32("code"), Ok(2));
    // appName: only connections that said so in their handshake.
    fail(
        &mut c,
        "alwaysOn".into(),
        doc! {"failCommands": ["find"], "errorCode": 2, "appName": "victim"},
    );
    assert!(ok(&c.run("t", doc! {"find": "a"})));
    let mut v = m.connect();
    let h = v.admin(doc! {"hello": 1, "client": {"application": {"name": "victim"}, "driver": {"name": "t", "version": "1"}, "os": {"type": "linux"}}});
    assert!(ok(&h), "{h}");
    assert_eq!(v.run("t", doc! {"find": "a"}).get_i32("code"), Ok(2));
    // Bad modes are refused with mongod's codes.
    let r =
        c.admin(doc! {"configureFailPoint": "failCommand", "mode": {"activationProbability": 3}});
    assert_eq!(r.get_i32("code"), Ok(2), "{r}");
    let r = c.admin(doc! {"configureFailPoint": "failCommand"});
    assert_eq!(r.get_i32("code"), Ok(20), "{r}");
    fail(&mut c, "off".into(), doc! {});
    assert!(ok(&v.run("t", doc! {"find": "a"})));
}

#[test]
fn fail_command_closes_blocks_and_adds_write_concern_errors() {
    let m = primary_with_test_commands();
    let mut c = m.connect();
    fail(
        &mut c,
        doc! {"times": 1}.into(),
        doc! {"failCommands": ["ping"], "closeConnection": true},
    );
    let mut victim = m.connect();
    victim
        .stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let body = doc! {"ping": 1, "$db": "admin"};
    use std::io::Write;
    victim
        .stream
        .write_all(&support::wire::encode_msg(5, 0, &body))
        .expect("send");
    let mut buf = [0u8; 16];
    assert_eq!(
        victim.stream.read(&mut buf).ok(),
        Some(0),
        "closed without a reply"
    );

    fail(
        &mut c,
        doc! {"times": 1}.into(),
        doc! {"failCommands": ["ping"], "blockConnection": true, "blockTimeMS": 400},
    );
    let t = Instant::now();
    assert!(ok(&c.admin(doc! {"ping": 1})));
    assert!(
        t.elapsed() >= Duration::from_millis(380),
        "{:?}",
        t.elapsed()
    );

    let wce = doc! {"code": 91, "codeName": "ShutdownInProgress", "errmsg": "Replication is being shut down"};
    fail(
        &mut c,
        doc! {"times": 1}.into(),
        doc! {"failCommands": ["insert"], "writeConcernError": wce.clone()},
    );
    let r = c.run("t", doc! {"insert": "a", "documents": [{"_id": 1}]});
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_document("writeConcernError"), Ok(&wce));
    // The write itself happened.
    let r = c.run("t", doc! {"count": "a"});
    assert_eq!(r.get_i32("n"), Ok(1), "{r}");
}

#[test]
fn rs_sync_apply_stop_holds_a_secondary_back_until_turned_off() {
    let (a, b) = support::replset::primary_and_secondary(TEST_COMMANDS);
    let r = b
        .connect()
        .admin(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": "alwaysOn"});
    assert!(ok(&r), "{r}");
    let r = a.connect().run(
        "t",
        doc! {"insert": "a", "documents": [{"_id": 1}], "writeConcern": {"w": 2, "wtimeout": 1000}},
    );
    assert_eq!(
        r.get_document("writeConcernError")
            .ok()
            .and_then(|w| w.get_i32("code").ok()),
        Some(64),
        "the secondary applies nothing: {r}"
    );
    let r = b
        .connect()
        .admin(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": "off"});
    assert_eq!(r.get_i64("count").map(|n| n > 0), Ok(true), "{r}");
    let caught_up = wait_for(Duration::from_secs(20), || {
        let r = try_run(
            b.port,
            "t",
            doc! {"count": "a", "$readPreference": {"mode": "secondaryPreferred"}},
        )?;
        (r.get_i32("n") == Ok(1)).then_some(())
    });
    assert!(
        caught_up.is_some(),
        "the secondary catches up once the fail point is off"
    );
}
