//! `newlyAdded`: a voter added by reconfig does not count towards majorities until it is a
//! SECONDARY, and then the primary drops the flag by an automatic reconfig.

use std::time::Duration;

use bson::{doc, Bson, Document};

use support::poll::wait_for;
use support::replset::{fast_settings, is_writable_primary, my_state};
use support::wire::{ok, try_run};
use support::Member;

const ARGS: &[&str] = &["--replSet", "rs0"];

/// The config with the internal flag shown, or `None` when the member does not answer.
fn full_config(m: &Member) -> Option<Document> {
    try_run(
        m.port,
        "admin",
        doc! {"replSetGetConfig": 1, "$_internalIncludeNewlyAdded": true},
    )
    .and_then(|r| r.get_document("config").ok().cloned())
}

fn flag_of(cfg: &Document, id: i32) -> Option<bool> {
    cfg.get_array("members")
        .ok()?
        .iter()
        .filter_map(Bson::as_document)
        .find(|m| m.get_i32("_id") == Ok(id))
        .map(|m| m.get_bool("newlyAdded").unwrap_or(false))
}

fn version(cfg: &Document) -> i64 {
    match cfg.get("version") {
        Some(Bson::Int32(v)) => i64::from(*v),
        Some(Bson::Int64(v)) => *v,
        _ => -1,
    }
}

#[test]
fn an_added_member_votes_only_once_it_is_a_secondary() {
    let a = Member::sandbox(ARGS);
    let mut b = Member::sandbox(ARGS);
    // B is down while it is added: were it a voter at once, A alone would be a minority.
    b.kill();
    let cfg =
        doc! {"_id": "rs0", "members": [{"_id": 0, "host": a.host()}], "settings": fast_settings()};
    assert!(ok(&a.connect().admin(doc! {"replSetInitiate": cfg})));
    wait_for(Duration::from_secs(30), || {
        is_writable_primary(&a).unwrap_or(false).then_some(())
    })
    .expect("A primary");

    let mut cfg = full_config(&a).expect("config");
    let v0 = version(&cfg);
    cfg.insert("version", (v0 + 1) as i32);
    let mut members = cfg.get_array("members").expect("members").clone();
    members.push(Bson::Document(doc! {"_id": 1, "host": b.host()}));
    cfg.insert("members", members);
    let r = a.connect().admin(doc! {"replSetReconfig": cfg});
    assert!(ok(&r), "{r}");

    let stored = full_config(&a).expect("config");
    assert_eq!(flag_of(&stored, 1), Some(true), "{stored}");
    assert_eq!(version(&stored), v0 + 1);
    // Hidden unless asked for, as mongod does.
    let shown = a.connect().admin(doc! {"replSetGetConfig": 1});
    let shown = shown.get_document("config").expect("config");
    assert_eq!(flag_of(shown, 1), Some(false), "{shown}");
    // A user may not set it on a member that does not carry it.
    let mut bad = stored.clone();
    bad.insert("version", (v0 + 2) as i32);
    if let Ok(ms) = bad.get_array_mut("members") {
        if let Some(Bson::Document(m0)) = ms.get_mut(0) {
            m0.insert("newlyAdded", true);
        }
    }
    let r = a.connect().admin(doc! {"replSetReconfig": bad});
    assert_eq!(r.get_i32("code"), Ok(93), "{r}");

    // Several election timeouts later A still leads and majority writes succeed with B down.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(is_writable_primary(&a), Some(true));
    let r = try_run(
        a.port,
        "t",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": "majority", "wtimeout": 5000}},
    )
    .expect("insert reply");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // Once B is up and a SECONDARY, the primary drops the flag with a new config version.
    b.restart();
    wait_for(Duration::from_secs(60), || {
        (my_state(&b) == Some(2)).then_some(())
    })
    .expect("B secondary");
    let done = wait_for(Duration::from_secs(30), || {
        full_config(&a).filter(|c| flag_of(c, 1) == Some(false))
    })
    .expect("newlyAdded removed");
    assert_eq!(version(&done), v0 + 2, "{done}");
    // And B, now a voter, keeps a majority write acknowledged by both.
    let r = try_run(
        a.port,
        "t",
        doc! {"insert": "c", "documents": [{"_id": 2}], "writeConcern": {"w": "majority", "wtimeout": 10_000}},
    )
    .expect("insert reply");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
}
