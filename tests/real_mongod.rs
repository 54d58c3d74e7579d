//! Opt-in: when `RSH_TEST_MONGOD` names a mongod binary, the seed walkthrough tests
//! (tests/seed_*.rs, tests/conn_*.rs) start that binary instead of the sandbox (see
//! `support::server_binary`), and this test checks the basics against it. Otherwise it
//! prints that the real-server suite was skipped.

mod support;

use std::time::Duration;

use support::{config_js, eval, free_ports, real_mongod, wait_states, Member};

#[test]
fn walkthrough_against_real_mongod_or_skip() {
    if !real_mongod() {
        println!("skipped: set RSH_TEST_MONGOD=/path/to/mongod to run the walkthroughs against real mongod processes");
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let members: Vec<Member> = free_ports(3)
        .iter()
        .map(|p| Member::start(root.path(), *p, &["--replSet", "rs0"]))
        .collect();
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    let r = eval(
        &hosts[0],
        &format!("rs.initiate({})", config_js("rs0", &[0, 1, 2], &hosts)),
    );
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&hosts[0], 2, Duration::from_secs(90)).expect("a primary");
    let r = eval(&primary, "print(defaultPrompt())");
    assert_eq!(r.stdout, "rs0:PRIMARY> \n", "{}", r.all());
    let r = eval(&primary, "rs.printReplicationInfo()");
    assert!(
        r.stdout.starts_with("configured oplog size:"),
        "{}",
        r.all()
    );
}
