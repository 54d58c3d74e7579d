//! The catch-up phase: a new primary that is behind a member it hears from copies the missing
//! entries before it accepts writes, so a write that reached only a minority survives.

use std::time::Duration;

use bson::{doc, Bson, Document};

use support::poll::wait_for;
use support::replset::{fast_settings, is_writable_primary};
use support::wire::{ok, try_run};
use support::Member;

const ARGS: &[&str] = &["--replSet", "rs0", "--setParameter", "enableTestCommands=1"];

fn apply_stop(m: &Member, mode: &str) {
    let r = try_run(
        m.port,
        "admin",
        doc! {"configureFailPoint": "rsSyncApplyStop", "mode": mode},
    )
    .expect("configureFailPoint reply");
    assert!(ok(&r), "{r}");
}

fn has_doc(m: &Member) -> bool {
    try_run(
        m.port,
        "t",
        doc! {"count": "c", "query": {"_id": "minority"}, "$readPreference": {"mode": "secondaryPreferred"}},
    )
    .is_some_and(|r| r.get_i32("n") == Ok(1))
}

#[test]
fn a_new_primary_catches_up_from_a_member_ahead_of_it() {
    let members: Vec<Member> = (0..5).map(|_| Member::sandbox(ARGS)).collect();
    // A (priority 2) leads; B (priority 0) can only vote; C, D, E can be elected.
    let prio = [2.0, 0.0, 1.0, 1.0, 1.0];
    let list: Vec<Document> = members
        .iter()
        .enumerate()
        .map(|(i, m)| doc! {"_id": i as i32, "host": m.host(), "priority": prio[i]})
        .collect();
    let mut settings = fast_settings();
    settings.insert("catchUpTimeoutMillis", 30_000);
    // B must sync from A: chained behind C, D or E (stopped below) the w:2 write could not reach it.
    settings.insert("chainingAllowed", false);
    let cfg = doc! {"_id": "rs0", "members": list, "settings": settings};
    assert!(ok(&members[0]
        .connect()
        .admin(doc! {"replSetInitiate": cfg})));
    wait_for(Duration::from_secs(60), || {
        let states: Option<Vec<i32>> = members.iter().map(support::replset::my_state).collect();
        states.filter(|s| s[0] == 1 && s[1..].iter().all(|x| *x == 2))
    })
    .expect("a primary and four secondaries");

    // C, D and E stop applying: a w:2 write reaches only A and B.
    for m in &members[2..] {
        apply_stop(m, "alwaysOn");
    }
    let r = try_run(
        members[0].port,
        "t",
        doc! {"insert": "c", "documents": [{"_id": "minority"}], "writeConcern": {"w": 2, "wtimeout": 10_000}},
    )
    .expect("insert reply");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    assert!(wait_for(Duration::from_secs(10), || has_doc(&members[1])
        .then_some(()))
    .is_some());
    assert!(!has_doc(&members[2]));

    // Without A, one of C, D, E wins (B refuses them its vote, but three of five suffice) and
    // must catch up from B before it accepts writes.
    let mut members = members;
    members[0].kill();
    let p = wait_for(Duration::from_secs(60), || {
        (2..5).find(|i| is_writable_primary(&members[*i]).unwrap_or(false))
    })
    .expect("a new primary among C, D, E");
    assert!(
        has_doc(&members[p]),
        "the minority write survives on the new primary"
    );
    let status = try_run(members[p].port, "admin", doc! {"replSetGetStatus": 1}).expect("status");
    let metrics = status
        .get_document("electionCandidateMetrics")
        .expect("electionCandidateMetrics");
    let n = match metrics.get("numCatchUpOps") {
        Some(Bson::Int64(n)) => *n,
        Some(Bson::Int32(n)) => i64::from(*n),
        other => panic!("numCatchUpOps: {other:?}"),
    };
    assert!(n >= 1, "{metrics}");
    assert!(metrics.contains_key("targetCatchupOpTime"), "{metrics}");
    for m in &members[2..] {
        apply_stop(m, "off");
    }
}
