//! rs.* helpers check their arguments before anything is sent: nonsense is a one-line
//! TypeError naming the helper (no prelude frame) and the cluster is left as it was.

use bson::doc;
use support::{eval, free_port, one_member_primary, Member};

#[test]
fn initiate_with_nonsense_leaves_the_member_uninitiated() {
    let root = tempfile::tempdir().expect("tempdir");
    let m = Member::start(root.path(), free_port(), &["--replSet", "rs0"]);
    let host = m.host();
    for arg in ["5", "\"rs1\"", "[]", "rs.conf", "true"] {
        let r = eval(&host, &format!("rs.initiate({arg})"));
        assert_eq!(r.code, 252, "rs.initiate({arg}): {}", r.all());
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines[0],
            "uncaught exception: TypeError: rs.initiate(cfg): cfg must be a config document :",
            "rs.initiate({arg})"
        );
        assert!(
            !r.stderr.contains("prelude/"),
            "a prelude frame: {}",
            r.stderr
        );
        assert!(lines[1].starts_with("@(shell eval):1:"), "{}", r.stderr);
    }
    let status = m.connect().admin(doc! {"replSetGetStatus": 1});
    assert_eq!(status.get_i32("code").ok(), Some(94), "{status}");
}

#[test]
fn changes_with_missing_or_wrong_arguments_send_nothing() {
    let m = one_member_primary();
    let host = m.host();
    let cases = [
        ("rs.add()", "rs.add(hostport): hostport must be a \"host:port\" string or a member document with a host"),
        ("rs.add(null)", "rs.add(hostport): hostport must be a \"host:port\" string or a member document with a host"),
        ("rs.add(5)", "rs.add(hostport): hostport must be a \"host:port\" string or a member document with a host"),
        ("rs.addArb(5)", "rs.addArb(hostport): hostport must be a \"host:port\" string"),
        ("rs.reconfig()", "rs.reconfig(cfg): cfg must be a config document"),
        ("rs.reconfig('x')", "rs.reconfig(cfg): cfg must be a config document"),
        ("rs.remove()", "rs.remove(hostport): hostport must be a \"host:port\" string"),
        ("rs.freeze('a')", "rs.freeze(secs): secs must be a number"),
        ("rs.stepDown('x')", "rs.stepDown(stepdownSecs, catchUpSecs): stepdownSecs must be a number"),
        ("rs.syncFrom(1)", "rs.syncFrom(hostport): hostport must be a \"host:port\" string"),
    ];
    let before = support::current_config(&mut m.connect());
    for (code, message) in cases {
        let r = eval(&host, code);
        assert_eq!(r.code, 252, "{code}: {}", r.all());
        assert_eq!(
            r.stderr.lines().next().unwrap_or(""),
            format!("uncaught exception: TypeError: {message} :"),
            "{code}"
        );
        assert!(!r.stderr.contains("prelude/"), "{code}: {}", r.stderr);
    }
    let after = support::current_config(&mut m.connect());
    assert_eq!(before.get("version"), after.get("version"));
    assert_eq!(
        before.get_array("members").ok(),
        after.get_array("members").ok()
    );
}
