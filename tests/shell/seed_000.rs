//! Seed 000 walkthrough: three members started with `--replSet rs0`, `rs.initiate(conf)` with
//! ip:port hosts → one PRIMARY and two SECONDARY; `rs.remove` then `rs.add` of a member; a
//! connection with the seed's URI list, with and without `replicaSet`.

use std::time::Duration;

use support::{config_js, eval, start_members, wait_states};

#[test]
fn seed_000_initiate_remove_add_and_uri_list() {
    let root = tempfile::tempdir().expect("tempdir");
    let (_members, hosts) = start_members(root.path(), 3);

    let conf = config_js("rs0", &[0, 1, 2], &hosts);
    let r = eval(&hosts[0], &format!("conf = {conf}; rs.initiate(conf)"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary =
        wait_states(&hosts[0], 2, Duration::from_secs(60)).expect("one PRIMARY, two SECONDARY");

    // rs.remove / rs.add of the last member, run on the primary.
    let victim = hosts
        .iter()
        .find(|h| **h != primary)
        .expect("a secondary")
        .clone();
    let r = eval(&primary, &format!("rs.remove('{victim}')"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let r = eval(&primary, "rs.conf().members.length");
    assert_eq!(r.stdout.trim(), "2", "{}", r.all());
    let r = eval(&primary, &format!("rs.add('{victim}')"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let r = eval(
        &primary,
        "rs.conf().members.map(function (m) { return m._id + '=' + m.host; }).join(' ')",
    );
    assert!(
        r.stdout.contains(&format!("3={victim}")),
        "re-added with _id max+1: {}",
        r.all()
    );
    wait_states(&primary, 2, Duration::from_secs(60))
        .expect("the re-added member is SECONDARY again");

    // The seed's connection strings: the three hosts with and without replicaSet.
    let list = hosts.join(",");
    for uri in [
        format!("mongodb://{list}/test?replicaSet=rs0"),
        format!("mongodb://{list}/test"),
    ] {
        let r = eval(&uri, "db.isMaster().ismaster + ' ' + db.getName()");
        assert_eq!(r.stdout.trim(), "true test", "{uri}: {}", r.all());
    }
}
