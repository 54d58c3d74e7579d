//! A fast three-member rsh-sandbox set changed while it runs: reconfig (add a member, force on a
//! secondary, arbiters and the default write concern), tag-set write concern, clean shutdown of a
//! primary (handoff), and write-concern waits ended by a stepdown.

use std::time::Duration;

use bson::{doc, Bson};
use support::{current_config, fast_set, ok, wait_for, Member};

#[test]
fn reconfig_adds_a_member_and_force_reconfig_runs_on_a_secondary() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let cfg = current_config(&mut pc);
    let version = cfg.get_i32("version").unwrap();
    let term = match cfg.get("term") {
        Some(Bson::Int32(t)) => i64::from(*t),
        Some(Bson::Int64(t)) => *t,
        other => panic!("term {other:?}"),
    };
    assert!(term >= 1, "the config term is bumped on stepup: {cfg}");

    // Same version again: 103 with the server's wording.
    let r = pc.admin(doc! {"replSetReconfig": cfg.clone()});
    assert_eq!(r.get_i32("code").unwrap(), 103, "{r}");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .contains("New replica set configuration version and term must be greater than old"));

    // rs.add(): version + 1 with a fourth member; it learns the config and becomes SECONDARY.
    let newcomer = Member::sandbox(&["--replSet", "rs0"]);
    let mut next = cfg.clone();
    let mut ms = next.get_array("members").unwrap().clone();
    ms.push(Bson::Document(doc! {"_id": 3, "host": newcomer.host()}));
    next.insert("members", ms);
    next.insert("version", version + 1);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");
    let state = wait_for(Duration::from_secs(20), || {
        let s = newcomer.connect().admin(doc! {"replSetGetStatus": 1});
        (s.get_i32("myState") == Ok(2)).then_some(2)
    });
    assert_eq!(state, Some(2), "the added member reached SECONDARY");
    let cfg = current_config(&mut pc);
    // As on mongod, the new member entered with `newlyAdded`, which the primary removes with a
    // reconfig of its own once the member is SECONDARY: by now that may have happened.
    let now = cfg.get_i32("version").unwrap();
    assert!(now == version + 1 || now == version + 2, "{cfg}");
    assert_eq!(cfg.get_array("members").unwrap().len(), 4);

    // A plain reconfig on a secondary is refused; force works and bumps the version by 10000+.
    let s = members.iter().find(|m| m.host() != primary).unwrap();
    let mut sc = s.connect();
    let scfg = current_config(&mut sc);
    let r = sc.admin(doc! {"replSetReconfig": scfg.clone()});
    assert_eq!(r.get_i32("code").unwrap(), 10107, "{r}");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .starts_with("New config is rejected :: caused by :: replSetReconfig should only be run on a writable PRIMARY."));
    let r = sc.admin(doc! {"replSetReconfig": scfg, "force": true});
    assert!(ok(&r), "{r}");
    let forced = current_config(&mut sc);
    assert!(forced.get_i32("version").unwrap() >= version + 1 + 10_000);
    assert!(
        !forced.contains_key("term"),
        "a forced config has no term: {forced}"
    );
}

#[test]
fn adding_an_arbiter_needs_a_global_default_write_concern() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let r = pc.admin(doc! {"getDefaultRWConcern": 1});
    assert_eq!(
        r.get_document("defaultWriteConcern").unwrap(),
        &doc! {"w": "majority", "wtimeout": 0}
    );
    assert_eq!(r.get_str("defaultWriteConcernSource").unwrap(), "implicit");

    let arbiter = Member::sandbox(&["--replSet", "rs0"]);
    let with_arbiter = |c: &mut support::Client| {
        let mut cfg = current_config(c);
        let mut ms = cfg.get_array("members").unwrap().clone();
        ms.push(Bson::Document(
            doc! {"_id": 5, "host": arbiter.host(), "arbiterOnly": true},
        ));
        cfg.insert("members", ms);
        let v = cfg.get_i32("version").unwrap();
        cfg.insert("version", v + 1);
        cfg
    };
    // Three data-bearing voters plus an arbiter turn the implicit default from majority to w:1.
    let next = with_arbiter(&mut pc);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert_eq!(r.get_i32("code").unwrap(), 103, "{r}");
    assert!(r
        .get_str("errmsg")
        .unwrap()
        .starts_with("Reconfig attempted to install a config that would change the implicit default write concern."));

    let r = pc.admin(doc! {"setDefaultRWConcern": 1});
    assert_eq!(r.get_i32("code").unwrap(), 2, "{r}");
    let r = pc.admin(doc! {"setDefaultRWConcern": 1, "defaultWriteConcern": {"w": 1}});
    assert!(ok(&r), "{r}");
    assert_eq!(
        r.get_document("defaultWriteConcern").unwrap(),
        &doc! {"w": 1, "wtimeout": 0}
    );
    assert_eq!(r.get_str("defaultWriteConcernSource").unwrap(), "global");
    let s = members.iter().find(|m| m.host() != primary).unwrap();
    let r = s
        .connect()
        .admin(doc! {"setDefaultRWConcern": 1, "defaultWriteConcern": {"w": 1}});
    assert_eq!(r.get_i32("code").unwrap(), 10107, "{r}");

    let next = with_arbiter(&mut pc);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");
    let state = wait_for(Duration::from_secs(20), || {
        let s = arbiter.connect().admin(doc! {"replSetGetStatus": 1});
        (s.get_i32("myState") == Ok(7)).then_some(7)
    });
    assert_eq!(state, Some(7), "the arbiter reached ARBITER");
    // The default is replicated: a secondary reports it too.
    let found = wait_for(Duration::from_secs(10), || {
        let r = s.connect().admin(doc! {"getDefaultRWConcern": 1});
        (r.get_str("defaultWriteConcernSource") == Ok("global")).then_some(())
    });
    assert!(found.is_some(), "the default reached the secondary");
}

#[test]
fn sigterm_on_a_primary_hands_the_election_to_a_secondary() {
    let (mut members, primary) = fast_set();
    let victim = members.iter().position(|m| m.host() == primary).unwrap();
    // A write the secondaries must hold before the primary may leave.
    let r = members[victim].connect().run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": 1}},
    );
    assert!(ok(&r), "{r}");
    assert_eq!(members[victim].terminate(30), Some(0), "clean exit");
    let (host, reason) = wait_for(Duration::from_secs(30), || {
        members.iter().filter(|m| m.child.is_some()).find_map(|m| {
            let s = m.connect().admin(doc! {"replSetGetStatus": 1});
            (s.get_i32("myState") == Ok(1)).then(|| {
                let reason = s
                    .get_document("electionCandidateMetrics")
                    .and_then(|e| e.get_str("lastElectionReason"))
                    .unwrap_or("")
                    .to_string();
                (m.host(), reason)
            })
        })
    })
    .expect("a new primary");
    assert_ne!(host, primary);
    // A handoff, not an election timeout: mongod's reason for a step-up request.
    assert_eq!(reason, "stepUpRequestSkipDryRun");
    let p = members.iter().find(|m| m.host() == host).unwrap();
    let r = p.connect().run("test", doc! {"find": "c"});
    assert_eq!(
        r.get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .len(),
        1,
        "{r}"
    );
}

#[test]
fn a_majority_wait_ends_with_primary_stepped_down_when_the_primary_loses_its_majority() {
    let (members, primary) = fast_set();
    // Stopped rather than killed: the primary notices only after heartbeatTimeoutSecs, so the
    // write below surely starts while it is still primary.
    for m in members.iter().filter(|m| m.host() != primary) {
        m.stop();
    }
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    // No wtimeout: only the stepdown (after electionTimeout without a majority) ends the wait.
    let r = p.connect().run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": "majority"},
        "lsid": {"id": bson::Uuid::new()}, "txnNumber": 1i64},
    );
    let wce = r
        .get_document("writeConcernError")
        .expect("writeConcernError");
    assert_eq!(wce.get_i32("code").unwrap(), 189, "{r}");
    assert_eq!(wce.get_str("codeName").unwrap(), "PrimarySteppedDown");
    assert_eq!(
        r.get_array("errorLabels").unwrap(),
        &vec![Bson::from("RetryableWriteError")],
        "{r}"
    );
    let h = p.connect().admin(doc! {"hello": 1});
    assert!(!h.get_bool("isWritablePrimary").unwrap());
}

#[test]
fn tag_set_write_concern_modes_come_from_the_config() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let mut cfg = current_config(&mut pc);
    let ms: Vec<Bson> = cfg
        .get_array("members")
        .unwrap()
        .iter()
        .filter_map(Bson::as_document)
        .map(|m| {
            let mut m = m.clone();
            let dc = if m.get_str("host") == Ok(primary.as_str()) {
                "east"
            } else {
                "west"
            };
            m.insert("tags", doc! {"dc": dc});
            Bson::Document(m)
        })
        .collect();
    cfg.insert("members", ms);
    let v = cfg.get_i32("version").unwrap();
    cfg.insert("version", v + 1);
    let mut settings = cfg.get_document("settings").unwrap().clone();
    settings.insert("getLastErrorModes", doc! {"twoDCs": {"dc": 2}});
    cfg.insert("settings", settings);
    let r = pc.admin(doc! {"replSetReconfig": cfg});
    assert!(ok(&r), "{r}");

    let r = pc.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": "twoDCs", "wtimeout": 10_000}},
    );
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    let r = pc.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 2}], "writeConcern": {"w": "oneDC"}},
    );
    assert_eq!(r.get_i32("n").unwrap(), 1, "{r}");
    let wce = r.get_document("writeConcernError").unwrap();
    assert_eq!(
        (wce.get_i32("code").unwrap(), wce.get_str("errmsg").unwrap()),
        (
            79,
            "No write concern mode named 'oneDC' found in replica set configuration"
        )
    );
}

/// The config with `change` applied to the member at `host` (`None` removes it), version + 1.
fn edited(cfg: &bson::Document, host: &str, change: Option<bson::Document>) -> bson::Document {
    let mut cfg = cfg.clone();
    let ms: Vec<Bson> = cfg
        .get_array("members")
        .unwrap()
        .iter()
        .filter_map(Bson::as_document)
        .filter_map(|m| {
            if m.get_str("host") != Ok(host) {
                return Some(Bson::Document(m.clone()));
            }
            change.as_ref().map(|c| {
                let mut m = m.clone();
                m.extend(c.clone());
                Bson::Document(m)
            })
        })
        .collect();
    cfg.insert("members", ms);
    let v = cfg.get_i32("version").unwrap();
    cfg.insert("version", v + 1);
    cfg
}

#[test]
fn hidden_and_removed_members_answer_hello_with_their_role_fields() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let others: Vec<&Member> = members.iter().filter(|m| m.host() != primary).collect();
    let (hidden, removed) = (others[0], others[1]);
    let mut pc = p.connect();
    let cfg = current_config(&mut pc);
    let next = edited(
        &cfg,
        &hidden.host(),
        Some(doc! {"hidden": true, "priority": 0}),
    );
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");
    let next = edited(&current_config(&mut pc), &removed.host(), None);
    let final_version = next.get_i32("version").unwrap();
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");

    // The primary lists neither the hidden nor the removed member.
    let h = pc.admin(doc! {"hello": 1});
    assert_eq!(
        h.get_array("hosts").unwrap(),
        &vec![Bson::from(primary.clone())]
    );
    assert!(!h.contains_key("passives"), "{h}");
    // The hidden member says so and does not list itself.
    let hh = wait_for(Duration::from_secs(20), || {
        let h = hidden.connect().admin(doc! {"hello": 1});
        (h.get_i32("setVersion") == Ok(final_version)).then_some(h)
    })
    .expect("the hidden member learns its config");
    assert!(hh.get_bool("hidden").unwrap_or(false), "{hh}");
    assert!(hh.get_bool("passive").unwrap_or(false), "{hh}");
    assert!(hh.get_bool("secondary").unwrap(), "{hh}");
    assert_eq!(hh.get_array("hosts").unwrap().len(), 1, "{hh}");
    // The removed member is a ghost with its set name.
    let rh = wait_for(Duration::from_secs(20), || {
        let h = removed.connect().admin(doc! {"hello": 1});
        h.get_bool("isreplicaset").unwrap_or(false).then_some(h)
    })
    .expect("the removed member learns it was removed");
    assert_eq!(rh.get_str("setName").unwrap(), "rs0", "{rh}");
    assert_eq!(
        rh.get_str("info").unwrap(),
        "Does not have a valid replica set config"
    );
    assert!(!rh.contains_key("hosts") && !rh.contains_key("me"), "{rh}");
    let s = removed.connect().admin(doc! {"replSetGetStatus": 1});
    assert_eq!(s.get_i32("code").unwrap(), 93, "{s}");
    assert_eq!(s.get_str("stateStr").unwrap(), "REMOVED", "{s}");
}

#[test]
fn a_whole_set_restarted_from_its_dbpaths_keeps_config_term_and_data() {
    let (mut members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    let r = pc.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}], "writeConcern": {"w": 3, "wtimeout": 10_000}},
    );
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");
    let term = pc
        .admin(doc! {"replSetGetStatus": 1})
        .get_i64("term")
        .unwrap();
    let cfg = current_config(&mut pc);
    drop(pc);
    for m in members.iter_mut() {
        m.kill();
    }
    for m in members.iter_mut() {
        m.spawn();
    }
    // No new initiate: the members load config and term from their dbpaths and elect again.
    let (new_primary, new_term) = wait_for(Duration::from_secs(30), || {
        members.iter().find_map(|m| {
            let s = m.connect().admin(doc! {"replSetGetStatus": 1});
            (s.get_i32("myState") == Ok(1)).then(|| (m.host(), s.get_i64("term").unwrap_or(0)))
        })
    })
    .expect("a primary after the restart");
    assert!(new_term > term, "the term only grows: {term} → {new_term}");
    let np = members.iter().find(|m| m.host() == new_primary).unwrap();
    let mut c = np.connect();
    let again = current_config(&mut c);
    assert_eq!(again.get("members"), cfg.get("members"));
    assert_eq!(
        again.get_document("settings").unwrap().get("replicaSetId"),
        cfg.get_document("settings").unwrap().get("replicaSetId")
    );
    let r = c.run("test", doc! {"count": "c"});
    assert_eq!(r.get_i32("n").unwrap(), 2, "{r}");
}

#[test]
fn a_reconfig_waits_for_the_current_config_to_reach_a_majority() {
    let m0 = Member::sandbox(&["--replSet", "rs0"]);
    let m1 = Member::sandbox(&["--replSet", "rs0"]);
    let mut c = m0.connect();
    // A one-member set elects itself at once; the long election timeout keeps m0 primary
    // for the rest of the test even when it cannot see a majority.
    let r = c.admin(doc! {"replSetInitiate": {
        "_id": "rs0", "members": [{"_id": 0, "host": m0.host()}],
        "settings": {"heartbeatIntervalMillis": 200, "electionTimeoutMillis": 30_000},
    }});
    assert!(ok(&r), "{r}");
    wait_for(Duration::from_secs(20), || {
        let h = m0.connect().admin(doc! {"hello": 1});
        h.get_bool("isWritablePrimary")
            .unwrap_or(false)
            .then_some(())
    })
    .expect("the single member becomes primary");
    let mut cfg = current_config(&mut c);
    let mut ms = cfg.get_array("members").unwrap().clone();
    ms.push(Bson::Document(doc! {"_id": 1, "host": m1.host()}));
    cfg.insert("members", ms);
    let v = cfg.get_i32("version").unwrap();
    cfg.insert("version", v + 1);
    let r = c.admin(doc! {"replSetReconfig": cfg});
    assert!(ok(&r), "{r}");
    // rs.add() on a one-member set (the tutorial flow) must not depose the primary.
    let h = c.admin(doc! {"hello": 1});
    assert!(h.get_bool("isWritablePrimary").unwrap(), "{h}");
    wait_for(Duration::from_secs(20), || {
        let s = m1.connect().admin(doc! {"replSetGetStatus": 1});
        (s.get_i32("myState") == Ok(2)).then_some(())
    })
    .expect("m1 joins as SECONDARY");

    // m1 hangs; a forced config on m0 cannot reach it, so a majority (2 of 2) lacks it.
    m1.stop();
    let forced = current_config(&mut c);
    let r = c.admin(doc! {"replSetReconfig": forced, "force": true});
    assert!(ok(&r), "{r}");
    let mut next = current_config(&mut c);
    let v = next.get_i32("version").unwrap();
    next.insert("version", v + 1);
    let r = c.admin(doc! {"replSetReconfig": next, "maxTimeMS": 300});
    assert_eq!(r.get_i32("code").ok(), Some(308), "{r}\n{}", m0.log());
    assert_eq!(
        r.get_str("codeName").unwrap(),
        "CurrentConfigNotCommittedYet"
    );
}
