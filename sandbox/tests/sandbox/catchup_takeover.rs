//! Catch-up takeover: a member ahead of a new primary that cannot catch up from it calls an
//! election after `catchUpTakeoverDelayMillis`, so the newest writes win without waiting for
//! the catch-up timeout.

use std::time::Duration;

use bson::{doc, Document};

use support::poll::wait_for;
use support::replset::{fast_settings, my_state};
use support::wire::{ok, try_run};
use support::Member;

const ARGS: &[&str] = &["--replSet", "rs0", "--setParameter", "enableTestCommands=1"];

fn fail_point(m: &Member, name: &str, mode: &str) {
    let r = try_run(
        m.port,
        "admin",
        doc! {"configureFailPoint": name, "mode": mode},
    )
    .expect("configureFailPoint reply");
    assert!(ok(&r), "{r}");
}

#[test]
fn a_fresher_member_takes_over_from_a_primary_stuck_catching_up() {
    let mut members: Vec<Member> = (0..5).map(|_| Member::sandbox(ARGS)).collect();
    // A (priority 2) leads; the others are equal, so no priority takeover comes into play.
    let list: Vec<Document> = members
        .iter()
        .enumerate()
        .map(|(i, m)| doc! {"_id": i as i32, "host": m.host(), "priority": if i == 0 { 2.0 } else { 1.0 }})
        .collect();
    let mut settings = fast_settings();
    settings.insert("catchUpTimeoutMillis", -1);
    settings.insert("catchUpTakeoverDelayMillis", 1000);
    // Everyone syncs from A, so the w:2 write below cannot wait behind a stopped chain.
    settings.insert("chainingAllowed", false);
    let cfg = doc! {"_id": "rs0", "members": list, "settings": settings};
    assert!(ok(&members[0]
        .connect()
        .admin(doc! {"replSetInitiate": cfg})));
    wait_for(Duration::from_secs(60), || {
        let states: Option<Vec<i32>> = members.iter().map(my_state).collect();
        states.filter(|s| s[0] == 1 && s[1..].iter().all(|x| *x == 2))
    })
    .expect("a primary and four secondaries");

    // C, D and E stop applying: a w:2 write reaches only A and B. B then serves no oplog, so
    // whoever of C, D, E wins next can never catch up from it.
    for m in &members[2..] {
        fail_point(m, "rsSyncApplyStop", "alwaysOn");
    }
    let r = try_run(
        members[0].port,
        "t",
        doc! {"insert": "c", "documents": [{"_id": "ahead"}], "writeConcern": {"w": 2, "wtimeout": 10_000}},
    )
    .expect("insert reply");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    fail_point(&members[1], "stopReplProducer", "alwaysOn");
    // B sits out the election that follows A's death (frozen), so one of C, D, E wins.
    let r = try_run(members[1].port, "admin", doc! {"replSetFreeze": 6}).expect("freeze");
    assert!(ok(&r), "{r}");
    members[0].kill();
    let p = wait_for(Duration::from_secs(30), || {
        (2..5).find(|i| my_state(&members[*i]) == Some(1))
    })
    .expect("a new primary among C, D, E");

    // Thawed, B sees that primary behind it and still catching up, and takes over.
    wait_for(Duration::from_secs(60), || {
        (my_state(&members[1]) == Some(1)).then_some(())
    })
    .unwrap_or_else(|| panic!("B never took over from member {p}"));
    let status = try_run(members[1].port, "admin", doc! {"replSetGetStatus": 1}).expect("status");
    let metrics = status
        .get_document("electionCandidateMetrics")
        .expect("electionCandidateMetrics");
    assert_eq!(
        metrics.get_str("lastElectionReason"),
        Ok("catchupTakeover"),
        "{metrics}"
    );
    fail_point(&members[1], "stopReplProducer", "off");
    for m in &members[2..] {
        fail_point(m, "rsSyncApplyStop", "off");
    }
}
