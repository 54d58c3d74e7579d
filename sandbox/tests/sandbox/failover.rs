//! Failover of rsh-sandbox replica sets, each member a separate process on a free loopback port:
//! SIGKILL the primary, see a new one elected, restart the dead one and see it catch up.

use std::time::Duration;

use bson::doc;
use support::*;

/// The first election after initiate happens after one election timeout; allow slow machines.
const FIRST_PRIMARY: Duration = Duration::from_secs(20);
/// The spec: a new primary within electionTimeout + 2 s of the kill.
const FAILOVER: Duration = Duration::from_millis(ELECTION_TIMEOUT_MS as u64 + 2000);

#[test]
fn killed_primary_is_replaced_and_rejoins_as_caught_up_secondary() {
    let (mut members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (p, took) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    println!("first primary after {took:?}");

    let r =
        insert_majority(&members[p], (0..5).map(|i| doc! {"_id": i}).collect()).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    members[p].kill();
    let refs: Vec<&_> = members.iter().collect();
    let (q, took) =
        wait_primary(&refs, FAILOVER).expect("a new primary within electionTimeout + 2 s");
    println!("new primary {q} after {took:?}");
    assert_ne!(p, q);

    // The survivors still form a majority: w:majority writes succeed on the new primary.
    let r =
        insert_majority(&members[q], (5..10).map(|i| doc! {"_id": i}).collect()).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // The old primary comes back with its dbpath: SECONDARY, holding every acknowledged write.
    members[p].spawn();
    let expected: Vec<i32> = (0..10).collect();
    let caught_up = wait_until(Duration::from_secs(20), || {
        my_state(&members[p]) == Some(2) && ids_on(&members[p]).as_ref() == Some(&expected)
    });
    assert!(
        caught_up,
        "restarted member: state {:?}, ids {:?}",
        my_state(&members[p]),
        ids_on(&members[p])
    );
    // It did not take the primary role back (same priority, the new primary is healthy).
    assert_eq!(is_writable_primary(&members[q]), Some(true));
}

#[test]
fn arbiter_set_survives_the_primary_death_and_shows_it_down() {
    // Seed 002's topology: two data members and an arbiter.
    let (mut members, arbiter) = start_set(2, true);
    let arbiter = arbiter.expect("arbiter");
    let refs: Vec<&_> = members.iter().collect();
    let (p, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    let other = 1 - p;
    assert!(
        wait_until(Duration::from_secs(10), || my_state(&arbiter) == Some(7)),
        "arbiter state"
    );
    // The secondary must have synced before the primary dies, or it has no data to stand with.
    assert!(wait_until(Duration::from_secs(10), || my_state(
        &members[other]
    ) == Some(2)));

    members[p].kill();
    let refs: Vec<&_> = members.iter().collect();
    let Some((q, took)) = wait_primary(&refs, FAILOVER) else {
        panic!(
            "the other data member did not become primary; its log:\n{}",
            members[other].log()
        );
    };
    println!("new primary after {took:?}");
    assert_eq!(q, other);

    let dead_id = p as i32;
    let shown_down = wait_until(Duration::from_secs(10), || {
        member_entry(&members[q], dead_id).is_some_and(|e| e.get_i32("state").ok() == Some(8))
    });
    assert!(shown_down, "dead member never shown DOWN");
    let e = member_entry(&members[q], dead_id).expect("status entry of the dead member");
    assert_eq!(e.get_f64("health").ok(), Some(0.0), "{e}");
    assert_eq!(
        e.get_str("stateStr").ok(),
        Some("(not reachable/healthy)"),
        "{e}"
    );
    let msg = e.get_str("lastHeartbeatMessage").unwrap_or_default();
    assert!(msg.starts_with("Error connecting to "), "{e}");
    // The arbiter's own view agrees.
    let from_arbiter = member_entry(&arbiter, dead_id).expect("arbiter's entry");
    assert_eq!(
        from_arbiter.get_i32("state").ok(),
        Some(8),
        "{from_arbiter}"
    );
}

#[test]
fn diverged_ex_primary_rolls_back_and_keeps_only_majority_writes() {
    let (mut members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (p, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    let r =
        insert_majority(&members[p], (0..3).map(|i| doc! {"_id": i}).collect()).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // Both secondaries die; the lone primary still takes a w:1 write the set never sees.
    let others: Vec<usize> = (0..3).filter(|i| *i != p).collect();
    for i in &others {
        members[*i].kill();
    }
    let lost = try_run(
        members[p].port,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 99}], "writeConcern": {"w": 1}},
    )
    .expect("reply");
    assert!(
        ok(&lost),
        "the w:1 write must be accepted before the primary steps down: {lost}"
    );
    // A primary that cannot see a majority for electionTimeout steps down.
    let stepped_down = wait_until(Duration::from_secs(10), || {
        is_writable_primary(&members[p]) == Some(false)
    });
    assert!(stepped_down, "the isolated primary kept its role");
    assert!(members[p]
        .log()
        .contains("Can't see a majority of the set, relinquishing primary"));
    members[p].kill();

    // The two others come back, elect a primary and take a majority write.
    for i in &others {
        members[*i].spawn();
    }
    let refs: Vec<&_> = members.iter().collect();
    let (q, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a primary among the survivors");
    let r = insert_majority(&members[q], vec![doc! {"_id": 10}]).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // The ex-primary's last entry is not in the new primary's oplog: it rolls back and ends
    // SECONDARY without the write no majority acknowledged, which it saved to a rollback file.
    members[p].spawn();
    let expected = vec![0, 1, 2, 10];
    let resynced = wait_until(Duration::from_secs(20), || {
        my_state(&members[p]) == Some(2) && ids_on(&members[p]).as_ref() == Some(&expected)
    });
    assert!(
        resynced,
        "ex-primary: state {:?}, ids {:?}\n{}",
        my_state(&members[p]),
        ids_on(&members[p]),
        members[p].log()
    );
    let log = members[p].log();
    assert!(
        log.contains("Rollback summary"),
        "no rollback summary\n{log}"
    );
    assert!(
        log.contains(r#""test.c":1"#),
        "no per-collection count\n{log}"
    );
    let folder = members[p].dir.join("rollback").join("test.c");
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}\n{log}", folder.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("removed.") && name.ends_with(".bson"),
        "{name}"
    );
    let bytes = std::fs::read(&files[0]).unwrap();
    let saved = bson::Document::from_reader(&mut &bytes[..]).unwrap();
    assert_eq!(saved, doc! {"_id": 99});
}
