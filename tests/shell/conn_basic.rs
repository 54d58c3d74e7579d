//! rsh against one sandbox node that is started with `--replSet` but not initiated: startup
//! lines, connection failure, the uninitiated prompt and status, direct-connection writes,
//! `new Mongo()` / `connect()`, read preference settings and the legacy rs strings.

use std::time::Duration;

use support::{eval, free_port, rsh, Member};

fn node() -> (tempfile::TempDir, Member) {
    let root = tempfile::tempdir().expect("tempdir");
    let m = Member::start(root.path(), free_port(), &["--replSet", "rs0"]);
    (root, m)
}

#[test]
fn connection_failure_exits_1_with_one_line() {
    let port = free_port().to_string();
    // A short selection timeout: nothing will answer, no need to wait the default 30 s.
    let r = rsh(
        &[
            "--port",
            &port,
            "--serverSelectionTimeoutMS",
            "2000",
            "--eval",
            "1",
        ],
        "",
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("exception: connect failed"),
        "{}",
        r.stderr
    );
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(
        first.contains("couldn't connect to server 127.0.0.1:")
            && first.contains("connection refused"),
        "{first}"
    );
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
}

#[test]
fn startup_lines_unless_quiet() {
    let (_root, m) = node();
    let port = m.port.to_string();
    let r = rsh(
        &["--port", &port, "--eval", "1"],
        "",
        Duration::from_secs(30),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("MongoDB shell version v"),
        "{}",
        r.stdout
    );
    assert_eq!(
        lines[1],
        format!("connecting to: mongodb://127.0.0.1:{port}/?directConnection=true")
    );
    assert!(
        lines[2].starts_with("Implicit session: session { \"id\" : UUID(\""),
        "{}",
        r.stdout
    );
    assert!(
        lines[3].starts_with("MongoDB server version: "),
        "{}",
        r.stdout
    );
    // A supported server (the sandbox reports 7.0.x): no version warning.
    assert_eq!(lines[4], "1");
    let q = rsh(
        &["--quiet", "--port", &port, "--eval", "1"],
        "",
        Duration::from_secs(30),
    );
    assert_eq!(q.stdout, "1\n");
}

#[test]
fn uninitiated_member_status_prompt_and_strings() {
    let (_root, m) = node();
    let r = eval(&m.host(), "rs.status()");
    assert!(
        r.stdout.contains("\"codeName\" : \"NotYetInitialized\""),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("\"code\" : 94"), "{}", r.stdout);
    // replSetGetStatus fails with a long info → isMaster mode → no setName → "> ".
    let r = eval(&m.host(), "print('[' + defaultPrompt() + ']')");
    assert_eq!(r.stdout, "[> ]\n", "{}", r.all());
    let r = eval(&m.host(), "rs()");
    assert_eq!(r.stdout, "try rs.help()\n");
    let r = eval(&m.host(), "db.getMongo()");
    assert_eq!(r.stdout, format!("connection to {}\n", m.host()));
    let r = eval(
        &m.host(),
        "db.getName() + ' ' + db.getSiblingDB('admin') + ' ' + db.users",
    );
    assert_eq!(r.stdout, "test admin test.users\n");
}

#[test]
fn rs_help_is_the_legacy_text() {
    let (_root, m) = node();
    let r = eval(&m.host(), "rs.help()");
    let reference = include_str!("../../docs/legacy-shell.md");
    let start = reference
        .find("## rs.help() (4.4.2 and later)")
        .expect("section");
    let block = &reference[start..];
    let open = block.find("```\n").expect("block") + 4;
    let close = block[open..].find("```").expect("end") + open;
    // The legacy text first, byte for byte; rsh's own helpers after it.
    let legacy = &block[open..close];
    assert!(r.stdout.starts_with(legacy), "{}", r.stdout);
    let extra = &r.stdout[legacy.len()..];
    for helper in [
        "rs.printStatus()",
        "rs.waitForPrimary(",
        "rs.waitForMember(",
        "rs.waitForCaughtUp(",
        "rs.doctor()",
        "{dryRun: true}",
        "{preflight: false}",
    ] {
        assert!(extra.contains(helper), "{helper}: {extra}");
    }
}

#[test]
fn direct_write_on_a_non_primary_is_a_write_command_error() {
    let (_root, m) = node();
    let r = eval(&m.host(), "db.c.insert({a: 1})");
    assert!(r.stdout.starts_with("WriteCommandError({"), "{}", r.all());
    assert!(r.stdout.contains("NotWritablePrimary"), "{}", r.stdout);
    assert_eq!(r.code, 0);
}

#[test]
fn mongo_objects_and_connect() {
    let (_root, m) = node();
    let code = format!(
        "var m = new Mongo('{h}'); print(m.getDB('admin').runCommand({{ping: 1}}).ok); \
         var d = connect('{h}/foo'); print(d.getName(), d.getMongo().host); \
         print(Mongo('{h}') instanceof Mongo)",
        h = m.host()
    );
    let r = eval(&m.host(), &code);
    assert_eq!(
        r.stdout,
        format!("1\nfoo {}\ntrue\n", m.host()),
        "{}",
        r.all()
    );
    let r = eval(
        &m.host(),
        "new Mongo('mongodb://127.0.0.1:1/?directConnection=true&serverSelectionTimeoutMS=2000')",
    );
    assert_eq!(r.code, 252, "{}", r.all());
    assert!(
        r.all()
            .contains("couldn't connect to server mongodb://127.0.0.1:1/"),
        "{}",
        r.all()
    );
}

#[test]
fn read_preference_and_secondary_ok_settings() {
    let (_root, m) = node();
    let code = "var c = db.getMongo(); print(c.getReadPrefMode(), c.getReadPrefTagSet()); \
                c.setReadPref('secondary', [{dc: 'ny'}, {dc: 'sf'}]); \
                print(c.getReadPrefMode(), c.getReadPrefTagSet().length, c.getReadPrefTagSet()[1].dc); \
                c.setReadPref(null); print(c.getReadPrefMode()); \
                print(c.getSecondaryOk()); rs.secondaryOk(); print(c.getSecondaryOk()); \
                c.setSecondaryOk(false); rs.slaveOk(); print(c.getSecondaryOk()); \
                c.setSlaveOk(); \
                try { c.setReadPref('secondry'); } catch (e) { print(e.message); }";
    let r = eval(&m.host(), code);
    let expected = "primary undefined\n\
        secondary 2 sf\n\
        primary\n\
        false\n\
        true\n\
        WARNING: slaveOk() is deprecated and may be removed in the next major release. Please use secondaryOk() instead.\n\
        true\n\
        WARNING: setSlaveOk() is deprecated and may be removed in the next major release. Please use setSecondaryOk() instead.\n\
        invalid read preference mode: secondry\n";
    assert_eq!(r.stdout, expected, "{}", r.all());
}

#[test]
fn repl_it_without_cursor_and_use() {
    let (_root, m) = node();
    let r = rsh(
        &["--quiet", &m.host()],
        "it\nuse admin\ndb\n",
        Duration::from_secs(30),
    );
    assert_eq!(
        r.stdout,
        "no cursor\nswitched to db admin\nadmin\n",
        "{}",
        r.all()
    );
}
