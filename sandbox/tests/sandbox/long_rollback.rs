//! A large w:1 insert that never reached the other members is rolled back after a real failover,
//! and every one of its documents is kept in `<dbpath>/rollback/<ns>/` as mongod keeps them:
//! by refetch when the diverged history holds only document writes, and before a full resync
//! when it also holds a command (here the implicit creation of a new collection).

use std::time::Duration;

use bson::{doc, Bson, Document};
use support::*;

const ARGS: &[&str] = &["--replSet", "rs0", "--setParameter", "enableTestCommands=1"];
const DOCS: i32 = 100_000;

fn fail_point(m: &Member, mode: &str) {
    let r = admin(
        m,
        doc! {"configureFailPoint": "rsSyncApplyStop", "mode": mode},
    )
    .expect("configureFailPoint reply");
    assert!(ok(&r), "{r}");
}

fn count_on(m: &Member, coll: &str) -> Option<i64> {
    let r = try_run(
        m.port,
        "test",
        doc! {"count": coll, "$readPreference": {"mode": "secondaryPreferred"}},
    )?;
    match r.get("n")? {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        _ => None,
    }
}

/// Every document in the rollback files of namespace `ns` on `m`.
fn rolled_back(m: &Member, ns: &str) -> Vec<Document> {
    let folder = m.dir.join("rollback").join(ns);
    let mut docs = Vec::new();
    for f in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
        let bytes = std::fs::read(f.path()).unwrap_or_default();
        let mut rd = &bytes[..];
        while !rd.is_empty() {
            match Document::from_reader(&mut rd) {
                Ok(d) => docs.push(d),
                Err(e) => panic!("{}: {e}", f.path().display()),
            }
        }
    }
    docs
}

fn roll_back_a_large_insert(with_new_collection: bool) {
    let mut members: Vec<Member> = (0..3).map(|_| Member::sandbox(ARGS)).collect();
    let refs: Vec<&Member> = members.iter().collect();
    // A 3 s election timeout instead of the fast 1 s: on a loaded machine the 100,000-document
    // insert has a core to itself for seconds, and a heartbeat late by over a second would
    // depose the primary before its writes exist (an election is the test's last step, not
    // something to happen during the insert).
    let mut cfg = config(&refs, None);
    if let Ok(settings) = cfg.get_document_mut("settings") {
        settings.insert("electionTimeoutMillis", 3_000);
    }
    let r = admin(&members[0], doc! {"replSetInitiate": cfg}).expect("reply");
    assert!(ok(&r), "{r}");
    let (p, _) = wait_primary(&refs, Duration::from_secs(30)).expect("a first primary");
    let r = insert_majority(&members[p], vec![doc! {"_id": -1}]).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // The secondaries stop applying (they still answer heartbeats): the primary's next writes
    // reach no one else.
    let others: Vec<usize> = (0..3).filter(|i| *i != p).collect();
    for i in &others {
        fail_point(&members[*i], "alwaysOn");
    }
    let docs: Vec<Document> = (0..DOCS).map(|i| doc! {"_id": i, "x": i}).collect();
    let mut c = members[p].connect();
    c.stream
        .set_read_timeout(Some(Duration::from_secs(600)))
        .expect("timeout");
    let r = c.run(
        "test",
        doc! {"insert": "c", "documents": docs, "writeConcern": {"w": 1}},
    );
    assert_eq!(r.get_i32("n").ok(), Some(DOCS), "{r}");
    if with_new_collection {
        let r = c.run(
            "test",
            doc! {"insert": "fresh", "documents": [{"_id": 1}], "writeConcern": {"w": 1}},
        );
        assert!(ok(&r), "{r}");
    }
    members[p].kill();
    for i in &others {
        fail_point(&members[*i], "off");
    }
    let refs: Vec<&Member> = members.iter().collect();
    let (q, _) = wait_primary(&refs, Duration::from_secs(30)).expect("a new primary");
    assert_ne!(p, q);
    let r = insert_majority(&members[q], vec![doc! {"_id": -2}]).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // The ex-primary comes back, rolls back to the set's history and keeps what it took away.
    members[p].spawn();
    let back = wait_until(Duration::from_secs(300), || {
        my_state(&members[p]) == Some(2) && count_on(&members[p], "c") == Some(2)
    });
    let log = members[p].log();
    assert!(
        back,
        "ex-primary: state {:?}, count {:?}\n{}",
        my_state(&members[p]),
        count_on(&members[p], "c"),
        log
    );
    let saved = rolled_back(&members[p], "test.c");
    assert_eq!(saved.len(), DOCS as usize, "{log}");
    let mut ids: Vec<i32> = saved.iter().filter_map(|d| d.get_i32("_id").ok()).collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..DOCS).collect::<Vec<_>>());
    if with_new_collection {
        assert_eq!(
            rolled_back(&members[p], "test.fresh"),
            vec![doc! {"_id": 1}]
        );
        assert_eq!(count_on(&members[p], "fresh"), Some(0));
    }
}

#[test]
fn a_rolled_back_large_insert_is_kept_in_rollback_files() {
    roll_back_a_large_insert(false);
}

#[test]
fn a_large_insert_rolled_back_by_resync_is_kept_in_rollback_files() {
    roll_back_a_large_insert(true);
}
