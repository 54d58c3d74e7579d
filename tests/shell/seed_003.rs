//! Seed 003 walkthrough (PyMongo high availability, through rsh): connect with a seed list and
//! read; kill the primary → one clear error, then success on the new primary in the same
//! session; `setReadPref('secondary', [{dc: 'ny'}, {dc: 'sf'}])` reads from the tagged member;
//! secondaryPreferred falls back to the primary when no secondary is up.

use std::time::Duration;

use support::session::Session;
use support::{eval, free_ports, wait_for, wait_states, Member, FAST};

/// The member that serves a read with the connection's read preference (`me` of isMaster
/// sent with the read target).
const SERVED_BY: &str = "print(__runCommand(db.getMongo()._h, 'admin', {isMaster: 1}, true).me)";

fn start(root: &std::path::Path, n: usize, set: &str) -> (Vec<Member>, Vec<String>) {
    let members: Vec<Member> = free_ports(n)
        .iter()
        .map(|p| Member::start(root, *p, &["--replSet", set]))
        .collect();
    let hosts = members.iter().map(Member::host).collect();
    (members, hosts)
}

#[test]
fn seed_003_failover_in_one_session() {
    let root = tempfile::tempdir().expect("tempdir");
    let (mut members, hosts) = start(root.path(), 3, "foo");
    // Default election timeout (10 s), longer than the shell's 2 s server selection: the read
    // right after the kill cannot be rescued by a quick election.
    let conf = format!(
        "{{_id: 'foo', members: [{{_id: 0, host: '{}'}}, {{_id: 1, host: '{}'}}, {{_id: 2, host: '{}'}}]}}",
        hosts[0], hosts[1], hosts[2]
    );
    let r = eval(&hosts[0], &format!("rs.initiate({conf})"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&hosts[0], 2, Duration::from_secs(60)).expect("a primary");

    let seeds = format!("foo/{}", hosts.join(","));
    // A short selection timeout: the command right after the kill fails instead of waiting.
    let mut s = Session::start(&[
        "--quiet",
        "--serverSelectionTimeoutMS",
        "2000",
        "--host",
        &seeds,
    ]);
    s.run("db.test.save({x: 1})", Duration::from_secs(30));
    let out = s.run("db.test.findOne().x", Duration::from_secs(30));
    assert_eq!(out, "1\n", "{}", s.transcript);

    let old = hosts.iter().position(|h| *h == primary).expect("index");
    members[old].kill();
    let failed = s.run("db.test.findOne().x", Duration::from_secs(30));
    let first = failed.lines().next().unwrap_or("");
    assert!(
        first.contains("primary changed") || first.contains("no primary available"),
        "one clear line about the primary: {failed}"
    );
    assert!(!failed.contains("panicked"), "{failed}");
    println!("failover error line: {first}");
    let recovered = wait_for(Duration::from_secs(90), || {
        (s.run("db.test.findOne().x", Duration::from_secs(30)) == "1\n").then_some(())
    });
    assert!(
        recovered.is_some(),
        "the next command reaches the new primary: {}",
        s.transcript
    );
}

#[test]
fn seed_003_tag_sets_and_secondary_preferred_fallback() {
    let root = tempfile::tempdir().expect("tempdir");
    let (mut members, hosts) = start(root.path(), 3, "foo");
    // Member 0 is the only voter, so it stays primary when the others die.
    let conf = format!(
        "{{_id: 'foo', settings: {FAST}, members: [{{_id: 0, host: '{}'}}, \
          {{_id: 1, host: '{}', priority: 0, votes: 0, tags: {{dc: 'ny'}}}}, \
          {{_id: 2, host: '{}', priority: 0, votes: 0, tags: {{dc: 'sf'}}}}]}}",
        hosts[0], hosts[1], hosts[2]
    );
    let r = eval(&hosts[0], &format!("rs.initiate({conf})"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    wait_states(&hosts[0], 2, Duration::from_secs(60)).expect("primary and two secondaries");

    let seeds = format!("foo/{}", hosts.join(","));
    let mut s = Session::start(&["--quiet", "--host", &seeds]);
    s.run(
        "db.getMongo().setReadPref('secondary', [{dc: 'ny'}, {dc: 'sf'}])",
        Duration::from_secs(30),
    );
    let served = wait_for(Duration::from_secs(30), || {
        let out = s.run(SERVED_BY, Duration::from_secs(30));
        (out.trim() == hosts[1]).then_some(())
    });
    assert!(
        served.is_some(),
        "the dc:ny secondary serves: {}",
        s.transcript
    );
    let out = s.run(
        "db.getMongo().getReadPrefMode() + ' ' + db.test.find().toArray().length",
        Duration::from_secs(30),
    );
    assert_eq!(out, "secondary 0\n", "{}", s.transcript);

    members[1].kill();
    let served = wait_for(Duration::from_secs(30), || {
        let out = s.run(SERVED_BY, Duration::from_secs(30));
        (out.trim() == hosts[2]).then_some(())
    });
    assert!(served.is_some(), "then the dc:sf one: {}", s.transcript);

    members[2].kill();
    s.run(
        "db.getMongo().setReadPref('secondaryPreferred')",
        Duration::from_secs(30),
    );
    let served = wait_for(Duration::from_secs(30), || {
        let out = s.run(SERVED_BY, Duration::from_secs(30));
        (out.trim() == hosts[0]).then_some(())
    });
    assert!(
        served.is_some(),
        "no secondary: the primary serves: {}",
        s.transcript
    );
}
