//! Elections between rsh-sandbox processes: priority takeover after a reconfig, stepdown with
//! election handoff, freeze, and a staler candidate that cannot win.

use std::time::Duration;

use bson::{doc, Bson, Document};
use support::*;

const FIRST_PRIMARY: Duration = Duration::from_secs(20);

fn candidate_metrics(m: &support::Member) -> Option<Document> {
    admin(m, doc! {"replSetGetStatus": 1})?
        .get_document("electionCandidateMetrics")
        .ok()
        .cloned()
}

/// A three-member set whose members are all synced (PRIMARY or SECONDARY, as a real set would be
/// before a reconfig), the primary's index, and the current config with its version bumped.
fn synced_set_with_next_config() -> (Vec<support::Member>, usize, Document) {
    let (members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (p, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    assert!(wait_until(Duration::from_secs(10), || members
        .iter()
        .all(|m| matches!(my_state(m), Some(1 | 2)))));
    let mut cfg = admin(&members[p], doc! {"replSetGetConfig": 1})
        .and_then(|r| r.get_document("config").ok().cloned())
        .expect("config");
    let version = cfg.get_i32("version").expect("version");
    cfg.insert("version", version + 1);
    (members, p, cfg)
}

#[test]
fn higher_priority_member_takes_over_after_reconfig() {
    let (members, p, mut cfg) = synced_set_with_next_config();
    let target = (p + 1) % 3;
    let mut list = cfg.get_array("members").expect("members").clone();
    if let Some(Bson::Document(m)) = list.get_mut(target) {
        m.insert("priority", 5.0);
    }
    cfg.insert("members", list);
    let r = admin(&members[p], doc! {"replSetReconfig": cfg}).expect("reconfig reply");
    assert!(ok(&r), "{r}");

    let took_over = wait_until(Duration::from_secs(20), || {
        is_writable_primary(&members[target]) == Some(true)
    });
    assert!(took_over, "member {target} (priority 5) never took over");
    let metrics = candidate_metrics(&members[target]).expect("electionCandidateMetrics");
    assert_eq!(
        metrics.get_str("lastElectionReason").ok(),
        Some("priorityTakeover"),
        "{metrics}\n{}",
        election_logs(&members)
    );
    // The old primary learns the higher term at once (vote request or heartbeat) and steps down.
    assert!(wait_until(Duration::from_secs(5), || is_writable_primary(
        &members[p]
    ) == Some(false)));
}

#[test]
fn stepdown_hands_off_to_a_caught_up_secondary() {
    let (members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (p, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    let r = insert_majority(&members[p], vec![doc! {"_id": 1}]).expect("insert");
    assert!(ok(&r), "{r}");
    let s = (p + 1) % 3;

    // Argument and role errors first.
    let r = admin(&members[p], doc! {"replSetStepDown": 5}).expect("reply");
    assert_eq!(r.get_i32("code").ok(), Some(2), "{r}");
    assert_eq!(
        r.get_str("errmsg").ok(),
        Some("stepdown period must be longer than secondaryCatchUpPeriodSecs")
    );
    let r = admin(&members[s], doc! {"replSetStepDown": 60}).expect("reply");
    assert_eq!(r.get_i32("code").ok(), Some(10107), "{r}");
    assert_eq!(
        r.get_str("errmsg").ok(),
        Some("not primary so can't step down")
    );

    let r = admin(&members[p], doc! {"replSetStepDown": 60}).expect("reply");
    assert!(ok(&r), "{r}");
    assert_eq!(is_writable_primary(&members[p]), Some(false));
    assert_eq!(my_state(&members[p]), Some(2));
    let refs: Vec<&_> = members.iter().collect();
    // Handoff: well before an election timeout would have fired.
    let (q, took) = wait_primary(&refs, Duration::from_secs(10)).expect("a new primary");
    println!("new primary after stepdown in {took:?}");
    assert_ne!(q, p);
    let metrics = candidate_metrics(&members[q]).expect("electionCandidateMetrics");
    assert_eq!(
        metrics.get_str("lastElectionReason").ok(),
        Some("stepUpRequestSkipDryRun"),
        "{metrics}\n{}",
        election_logs(&members)
    );
    assert_eq!(
        metrics.get_i32("priorPrimaryMemberId").ok(),
        Some(p as i32),
        "{metrics}"
    );
    // The acknowledged write is on the new primary.
    assert_eq!(ids_on(&members[q]), Some(vec![1]));
}

#[test]
fn frozen_members_do_not_stand_until_unfrozen() {
    let (members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (p, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    let others: Vec<usize> = (0..3).filter(|i| *i != p).collect();
    assert!(wait_until(Duration::from_secs(10), || others
        .iter()
        .all(|i| my_state(&members[*i]) == Some(2))));

    let r = admin(&members[p], doc! {"replSetFreeze": 30}).expect("reply");
    assert_eq!(r.get_i32("code").ok(), Some(95), "{r}");
    assert_eq!(
        r.get_str("errmsg").ok(),
        Some("Cannot freeze node when primary or running for election, state: Primary")
    );
    let r = admin(&members[others[0]], doc! {"replSetFreeze": 1}).expect("reply");
    assert_eq!(
        r.get_str("warning").ok(),
        Some("you really want to freeze for only 1 second?"),
        "{r}"
    );
    for i in &others {
        let r = admin(&members[*i], doc! {"replSetFreeze": 60}).expect("reply");
        assert!(ok(&r) && !r.contains_key("warning"), "{r}");
    }
    // The primary steps down for 60 s; both others are frozen: nobody may become primary.
    let r = admin(&members[p], doc! {"replSetStepDown": 60, "force": true}).expect("reply");
    assert!(ok(&r), "{r}");
    let refs: Vec<&_> = members.iter().collect();
    let timeout = Duration::from_millis(3 * ELECTION_TIMEOUT_MS as u64);
    assert!(
        wait_primary(&refs, timeout).is_none(),
        "a frozen member became primary"
    );

    let r = admin(&members[others[1]], doc! {"replSetFreeze": 0}).expect("reply");
    assert_eq!(r.get_str("info").ok(), Some("unfreezing"), "{r}");
    let (q, _) =
        wait_primary(&refs, Duration::from_secs(10)).expect("the unfrozen member is elected");
    assert_eq!(q, others[1]);
}

#[test]
fn staler_candidate_cannot_win() {
    let (mut members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (a, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    let (b, c) = ((a + 1) % 3, (a + 2) % 3);
    assert!(wait_until(Duration::from_secs(10), || my_state(
        &members[c]
    ) == Some(2)));

    // C misses writes that A and B acknowledge, then A dies and C comes back.
    members[c].kill();
    let r =
        insert_majority(&members[a], (0..3).map(|i| doc! {"_id": i}).collect()).expect("insert");
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    // B goes into maintenance (RECOVERING): it cannot stand nor serve as a sync source, but it
    // still votes, so only the stale C can stand and B must refuse it.
    let r = admin(&members[b], doc! {"replSetMaintenance": true}).expect("reply");
    assert!(ok(&r), "{r}");
    members[a].kill();
    members[c].spawn();

    let refs: Vec<&_> = members.iter().collect();
    let window = Duration::from_millis(3 * ELECTION_TIMEOUT_MS as u64);
    assert!(
        wait_primary(&refs, window).is_none(),
        "the staler member won an election"
    );
    let log = members[c].log();
    assert!(
        log.contains("Not becoming primary"),
        "the staler member never stood:\n{log}"
    );
    assert_eq!(ids_on(&members[c]), Some(vec![]), "C must still be stale");

    let r = admin(&members[b], doc! {"replSetMaintenance": false}).expect("reply");
    assert!(ok(&r), "{r}");
    // Whoever wins now holds every acknowledged write (C may have caught up from B first).
    let (q, _) = wait_primary(&refs, Duration::from_secs(15)).expect("a primary once B is back");
    assert_eq!(ids_on(&members[q]), Some(vec![0, 1, 2]));
}

#[test]
fn member_removed_by_reconfig_becomes_removed() {
    let (members, p, mut cfg) = synced_set_with_next_config();
    let gone = (p + 1) % 3;
    let kept: Vec<Bson> = cfg
        .get_array("members")
        .expect("members")
        .iter()
        .filter(|m| {
            m.as_document().and_then(|d| d.get_str("host").ok())
                != Some(members[gone].host().as_str())
        })
        .cloned()
        .collect();
    cfg.insert("members", kept);
    let r = admin(&members[p], doc! {"replSetReconfig": cfg}).expect("reconfig reply");
    assert!(ok(&r), "{r}");

    // The removed member learns the config from a heartbeat reply and turns into a ghost.
    let removed = wait_until(Duration::from_secs(10), || {
        admin(&members[gone], doc! {"hello": 1})
            .is_some_and(|h| h.get_bool("isreplicaset").unwrap_or(false))
    });
    assert!(removed, "removed member still believes it is in the set");
    let h = admin(&members[gone], doc! {"hello": 1}).expect("hello");
    assert_eq!(h.get_str("setName").ok(), Some("rs0"), "{h}");
    assert!(members[gone].log().contains("\"newState\":\"REMOVED\""));
    // The rest of the set keeps its primary.
    assert_eq!(is_writable_primary(&members[p]), Some(true));
}

#[test]
fn sync_from_and_maintenance_replies() {
    let (members, _) = start_set(3, false);
    let refs: Vec<&_> = members.iter().collect();
    let (p, _) = wait_primary(&refs, FIRST_PRIMARY).expect("a first primary");
    let (a, b) = ((p + 1) % 3, (p + 2) % 3);
    assert!(wait_until(Duration::from_secs(10), || {
        [a, b].iter().all(|i| my_state(&members[*i]) == Some(2))
    }));
    // At least one secondary syncs from the primary (the other may chain through it): that one
    // is `s`, to be pointed at the other secondary `t`.
    let source_of = |i: usize| {
        admin(&members[i], doc! {"replSetGetStatus": 1})
            .and_then(|st| st.get_str("syncSourceHost").ok().map(str::to_string))
    };
    let primary_host = members[p].host();
    let mut pick = None;
    assert!(
        wait_until(Duration::from_secs(30), || {
            pick = [a, b]
                .into_iter()
                .find(|i| source_of(*i).as_deref() == Some(primary_host.as_str()));
            pick.is_some()
        }),
        "no secondary syncs from the primary"
    );
    let s = pick.unwrap_or(a);
    let t = if s == a { b } else { a };
    let code_msg = |r: &Document| {
        (
            r.get_i32("code").unwrap_or(0),
            r.get_str("errmsg").unwrap_or("").to_string(),
        )
    };

    let r = admin(&members[p], doc! {"replSetSyncFrom": members[s].host()}).expect("reply");
    assert_eq!(code_msg(&r), (95, "primaries don't sync".into()), "{r}");
    let r = admin(&members[s], doc! {"replSetSyncFrom": members[s].host()}).expect("reply");
    assert_eq!(
        code_msg(&r),
        (72, "I cannot sync from myself".into()),
        "{r}"
    );
    let r = admin(&members[s], doc! {"replSetSyncFrom": "nosuch:1"}).expect("reply");
    assert_eq!(
        code_msg(&r),
        (
            74,
            "Could not find member \"nosuch:1\" in replica set".into()
        ),
        "{r}"
    );
    // A secondary syncing from the primary can be pointed at the other secondary (chaining).
    let r = admin(&members[s], doc! {"replSetSyncFrom": members[t].host()}).expect("reply");
    assert!(ok(&r), "{r}");
    assert_eq!(
        r.get_str("syncFromRequested").ok(),
        Some(members[t].host().as_str())
    );
    assert_eq!(
        r.get_str("prevSyncTarget").ok(),
        Some(members[p].host().as_str())
    );
    let switched = wait_until(Duration::from_secs(10), || {
        admin(&members[s], doc! {"replSetGetStatus": 1})
            .is_some_and(|st| st.get_str("syncSourceHost").ok() == Some(members[t].host().as_str()))
    });
    assert!(
        switched,
        "sync source never changed to the requested member"
    );

    let r = admin(&members[p], doc! {"replSetMaintenance": true}).expect("reply");
    assert_eq!(
        code_msg(&r),
        (95, "primaries can't modify maintenance mode".into()),
        "{r}"
    );
    let r = admin(&members[s], doc! {"replSetMaintenance": false}).expect("reply");
    assert_eq!(
        code_msg(&r),
        (96, "already out of maintenance mode".into()),
        "{r}"
    );
    let r = admin(&members[s], doc! {"replSetMaintenance": true}).expect("reply");
    assert!(ok(&r), "{r}");
    assert_eq!(my_state(&members[s]), Some(3));
    let h = admin(&members[s], doc! {"hello": 1}).expect("hello");
    assert_eq!(h.get_bool("secondary").ok(), Some(false), "{h}");
    let r = admin(&members[s], doc! {"replSetMaintenance": false}).expect("reply");
    assert!(ok(&r), "{r}");
    assert_eq!(my_state(&members[s]), Some(2));
}
