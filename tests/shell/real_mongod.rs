//! Opt-in: when `RSH_TEST_MONGOD` names a mongod binary, the seed walkthrough tests
//! (tests/seed_*.rs, tests/conn_*.rs) start that binary instead of the sandbox (see
//! `support::server_binary`), and this test checks the basics against it. Otherwise it
//! prints that the real-server suite was skipped.

use std::time::Duration;

use support::{eval, real_mongod, rsh_initiated_three};

#[test]
fn walkthrough_against_real_mongod_or_skip() {
    if !real_mongod() {
        println!("skipped: set RSH_TEST_MONGOD=/path/to/mongod to run the walkthroughs against real mongod processes");
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let (_members, _hosts, primary) = rsh_initiated_three(root.path(), Duration::from_secs(90));
    let r = eval(&primary, "print(defaultPrompt())");
    assert_eq!(r.stdout, "rs0:PRIMARY> \n", "{}", r.all());
    let r = eval(&primary, "rs.printReplicationInfo()");
    assert!(
        r.stdout.starts_with("configured oplog size:"),
        "{}",
        r.all()
    );
}
