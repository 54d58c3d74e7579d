//! Golden transcripts of replica-set helpers against a sandbox set, with values that change
//! from run to run masked (dates, optimes, ports, uptimes, ids). Regenerate after an intended
//! change with `RSH_BLESS=1 cargo test --test conn_golden`.

use std::path::PathBuf;
use std::time::Duration;

use support::{eval, free_ports, mask, rsh, wait_for, wait_states, Member, FAST};

fn golden(name: &str, actual: &str, failures: &mut Vec<String>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/transcripts")
        .join(format!("{name}.txt"));
    if std::env::var_os("RSH_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        failures.push(format!(
            "--- {name}: expected\n{expected}--- actual\n{actual}"
        ));
    }
}

#[test]
fn replica_set_helper_transcripts() {
    let root = tempfile::tempdir().expect("tempdir");
    let members: Vec<Member> = free_ports(4)
        .iter()
        .map(|p| Member::start(root.path(), *p, &["--replSet", "rs0"]))
        .collect();
    let h: Vec<String> = members.iter().map(Member::host).collect();
    // Only member 0 can be elected, so every run shows the same member states.
    let conf = format!(
        "{{_id: 'rs0', settings: {FAST}, members: [{{_id: 0, host: '{}'}}, \
         {{_id: 1, host: '{}', priority: 0}}, {{_id: 2, host: '{}', priority: 0}}]}}",
        h[0], h[1], h[2]
    );
    let r = eval(&h[0], &format!("rs.initiate({conf})"));
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    let primary = wait_states(&h[0], 2, Duration::from_secs(60)).expect("a primary");
    assert_eq!(primary, h[0]);
    // Let the secondaries report an optime before the lag report is captured.
    wait_for(Duration::from_secs(30), || {
        let r = eval(&primary, "rs.status().members.filter(function (m) { return m.optimeDate === undefined; }).length");
        (r.stdout.trim() == "0").then_some(())
    });
    let mut failures = Vec::new();
    let mut capture = |name: &str, code: &str| {
        let r = eval(&primary, code);
        golden(name, &mask(&r.all()), &mut failures);
    };
    capture("rs_status", "rs.status()");
    capture("rs_conf", "rs.conf()");
    capture("rs_print_replication_info", "rs.printReplicationInfo()");
    capture(
        "rs_print_secondary_replication_info",
        "rs.printSecondaryReplicationInfo()",
    );
    capture("rs_initiate_again", "rs.initiate()");
    capture("rs_add", &format!("rs.add('{}')", h[3]));
    capture("rs_remove", &format!("rs.remove('{}')", h[3]));
    capture("rs_remove_unknown", "rs.remove('nowhere:1')");

    // A cursor of 25 documents in the REPL: 20, `Type "it" for more`, then the last 5.
    let r = rsh(
        &["--quiet", &primary],
        "for (var i = 0; i < 25; i++) { db.golden.insert({_id: i, n: i * i}) }\ndb.golden.find()\nit\nit\n",
        Duration::from_secs(60),
    );
    golden("cursor_25_it", &mask(&r.all()), &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
