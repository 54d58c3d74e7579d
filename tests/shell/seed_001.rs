//! Seed 001 walkthrough: three data members and an arbiter added with rs.addArb; kill the primary → a new one is
//! elected; restart the old one → it rejoins as SECONDARY; a connection string naming two of
//! the three hosts still works; a direct connection to a secondary says "not primary" on a write.

use std::time::Duration;

use support::{config_js, eval, start_members, wait_member, wait_primary_via, wait_states};

#[test]
fn seed_001_failover_rejoin_and_partial_seed_list() {
    let root = tempfile::tempdir().expect("tempdir");
    let (mut members, hosts) = start_members(root.path(), 4);

    let conf = config_js("rs0", &[0, 1, 2], &hosts[..3]);
    let r = eval(&hosts[0], &format!("rs.initiate({conf})"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&hosts[0], 2, Duration::from_secs(60)).expect("a primary");
    // The seed adds the arbiter after enabling the set. 5.0+ servers refuse an arbiter that
    // changes the implicit default write concern, so the cluster-wide default is set first.
    let r = eval(
        &primary,
        "db.adminCommand({setDefaultRWConcern: 1, defaultWriteConcern: {w: 1}}).ok",
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let r = eval(&primary, &format!("rs.addArb('{}')", hosts[3]));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    assert!(
        wait_member(&primary, &hosts[3], "ARBITER", Duration::from_secs(30)),
        "the arbiter joins"
    );
    let r = eval(&hosts[3], "print(defaultPrompt())");
    assert_eq!(r.stdout, "rs0:ARBITER> \n", "{}", r.all());

    // Kill the primary: a new one is elected among the survivors.
    let old = hosts
        .iter()
        .position(|h| *h == primary)
        .expect("primary index");
    members[old].kill();
    let survivor = hosts[..3]
        .iter()
        .find(|h| **h != primary)
        .expect("survivor")
        .clone();
    let new_primary = wait_primary_via(&survivor, Duration::from_secs(60)).expect("a new primary");
    assert_ne!(new_primary, primary, "a new primary");

    // Restart the old primary: it rejoins as SECONDARY.
    members[old].spawn();
    assert!(
        wait_member(&new_primary, &primary, "SECONDARY", Duration::from_secs(60)),
        "old primary rejoins as SECONDARY"
    );
    let r = eval(&primary, "print(defaultPrompt())");
    assert_eq!(r.stdout, "rs0:SECONDARY> \n", "{}", r.all());

    // Two of the three hosts in the connection string still reach the primary.
    let two: Vec<&String> = hosts[..3].iter().filter(|h| **h != new_primary).collect();
    let uri = format!("mongodb://{},{}/max", two[0], two[1]);
    let r = eval(&uri, "db.isMaster().ismaster");
    assert_eq!(r.stdout.trim(), "true", "{}", r.all());

    // A direct connection to a secondary: a write is refused with "not primary".
    let r = eval(two[0].as_str(), "db.getMongo().host");
    assert!(r.code == 0, "{}", r.all());
    let secondary = if *two[0] == primary { two[1] } else { two[0] };
    let r = eval(secondary, "db.c.insert({a: 1})");
    assert!(
        r.stdout.contains("WriteCommandError") && r.stdout.contains("not primary"),
        "{}",
        r.all()
    );
}
