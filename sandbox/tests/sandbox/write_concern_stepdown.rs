//! A w:majority write still waiting when its primary loses an election is not acknowledged: the
//! new primary's entries (a newer term, so later optimes) say nothing about whether the members
//! hold this write, and mongod fails every waiter with PrimarySteppedDown when it steps down.

use std::thread;
use std::time::Duration;

use bson::doc;
use support::*;

const ARGS: &[&str] = &["--replSet", "rs0", "--setParameter", "enableTestCommands=1"];

fn fail_point(m: &Member, mode: &str) {
    let r = admin(
        m,
        doc! {"configureFailPoint": "rsSyncApplyStop", "mode": mode},
    )
    .expect("configureFailPoint reply");
    assert!(ok(&r), "{r}");
}

#[test]
fn a_majority_wait_cut_by_an_election_is_not_acknowledged() {
    let members: Vec<Member> = (0..3).map(|_| Member::sandbox(ARGS)).collect();
    let refs: Vec<&Member> = members.iter().collect();
    let r = admin(&members[0], doc! {"replSetInitiate": config(&refs, None)}).expect("reply");
    assert!(ok(&r), "{r}");
    let (p, _) = wait_primary(&refs, Duration::from_secs(30)).expect("a first primary");
    // On all three (not just a majority): a secondary still lacking it would refuse its vote to
    // the other, and under load no step-up could win.
    let r = try_run(
        members[p].port,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 0}],
        "writeConcern": {"w": 3, "wtimeout": 60_000}},
    )
    .expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    let others: Vec<usize> = (0..3).filter(|i| *i != p).collect();
    for i in &others {
        fail_point(&members[*i], "alwaysOn");
    }

    // The write waits for a majority that cannot come (the others apply nothing) ...
    let port = members[p].port;
    let waiting = thread::spawn(move || {
        try_run(
            port,
            "test",
            doc! {"insert": "c", "documents": [{"_id": 1}],
            "writeConcern": {"w": "majority", "wtimeout": 60_000}},
        )
    });
    thread::sleep(Duration::from_millis(500));
    // ... and another member wins an election meanwhile (the third votes for it: equally fresh).
    let a = &members[others[0]];
    let mut last = None;
    let stepped_up = wait_until(Duration::from_secs(20), || {
        last = admin(a, doc! {"replSetStepUp": 1});
        last.as_ref().is_some_and(ok)
    });
    assert!(
        stepped_up,
        "replSetStepUp never succeeded: {last:?}\n{}",
        a.log()
    );
    let r = waiting
        .join()
        .expect("writer thread")
        .expect("the write's reply");
    let wce = r.get_document("writeConcernError");
    assert!(
        wce.is_ok_and(|e| e.get_i32("code") == Ok(189)),
        "the write was acknowledged although only the old primary holds it: {r}\n{}",
        election_logs(&members)
    );
    for i in &others {
        fail_point(&members[*i], "off");
    }
}
