//! Tab completion from the live connection, in a pseudo-terminal against a sandbox member:
//! `db.` lists database methods and the collections of the current database (created in the
//! same session, so the names are fetched again after each entry), `db.coll.` collection
//! methods, `db.coll.find().` cursor methods, `use ` database names; with the member stopped
//! or killed Tab still answers from the names last known, and the session goes on.

use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::session::{spawn_command, PtySession};
use support::{one_member_primary, Member};

const TIMEOUT_MS: u64 = 30_000;

fn send(s: &mut PtySession, text: &str) {
    s.send(text).unwrap_or_else(|e| panic!("send: {e}"));
    s.flush().unwrap_or_else(|e| panic!("flush: {e}"));
}

fn expect(s: &mut PtySession, needle: &str) -> String {
    s.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

/// Wait for `needle` in a candidate list, paging through rustyline's "Display all" question
/// and `--More--` pages.
fn expect_listed(s: &mut PtySession, needle: &str) {
    let pattern = format!(
        r"({}|Display all \d+ possibilities\? \(y or n\)|--More--)",
        regex_escape(needle)
    );
    for _ in 0..50 {
        let (_, found) = s
            .exp_regex(&pattern)
            .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"));
        if found == needle {
            return;
        }
        send(
            s,
            if found.starts_with("Display") {
                "y"
            } else {
                " "
            },
        );
    }
    panic!("{needle:?} not listed within 50 pages");
}

/// Leave a `--More--` pause if there is one (`q`), then clear the line (Ctrl-U; a `q` typed
/// into the line goes with it).
fn clear(s: &mut PtySession) {
    send(s, "q\x15");
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

fn start(m: &Member, home: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--quiet", "--norc", &m.host()])
        .env("HOME", home)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
    expect(&mut s, "rs0:PRIMARY> ");
    s
}

/// Send a line and wait for its printed result.
fn run(s: &mut PtySession, line: &str, result: &str) {
    send(s, &format!("{line}\r"));
    expect(s, result);
}

#[test]
fn tab_completes_names_from_the_server() {
    let mut m = one_member_primary();
    let home = tempfile::tempdir().expect("home");
    let mut s = start(&m, home.path());
    run(&mut s, "use compdb", "switched to db compdb");
    run(
        &mut s,
        "db.mycoll.insertOne({a: 4242}).acknowledged",
        "true",
    );
    run(
        &mut s,
        "db.getCollection('other-coll').insertOne({}).acknowledged",
        "true",
    );

    // `db.` Tab Tab: methods and the collections just created.
    send(&mut s, "db.\t\t");
    expect_listed(&mut s, "db.mycoll");
    clear(&mut s);
    send(&mut s, "db.getCollectionN\t\t");
    expect(&mut s, "db.getCollectionNames");

    // One collection starts with `my`: Tab completes it; Enter shows it is that collection.
    send(&mut s, "\x15db.my\t\r");
    expect(&mut s, "compdb.mycoll");
    // A name that is not an identifier completes as getCollection("…").
    send(&mut s, "\x15db.oth\t.getName()\r");
    expect(&mut s, "other-coll\r\n");
    // Inside getCollection's string.
    send(&mut s, "db.getCollection('oth\t').getFullName()\r");
    expect(&mut s, "compdb.other-coll");

    // Collection methods.
    send(&mut s, "db.mycoll.fi\t\t");
    expect(&mut s, "db.mycoll.find");
    expect(&mut s, "db.mycoll.findOne");
    // No object internals: `hasOwn` stays as typed (a sub-collection), not `hasOwnProperty`.
    send(&mut s, "\x15db.mycoll.hasOwn\t\r");
    expect(&mut s, "compdb.mycoll.hasOwn\r\n");

    // Cursor methods after a find() chain, recognised without running it.
    send(&mut s, "\x15db.mycoll.find().\t\t");
    expect_listed(&mut s, "limit");
    clear(&mut s);
    // (The value printed is not in the typed line: the echo cannot satisfy the expectation.)
    send(
        &mut s,
        "\x15db.mycoll.find({a: {$gt: 4000}}).li\t(1).so\t({a: 1}).toArray()[0].a\r",
    );
    expect(&mut s, "4242");
    // A command cursor after aggregate().
    send(
        &mut s,
        "db.mycoll.aggregate([{$match: {a: {$gt: 4000}}}]).toA\t()[0].a + 1\r",
    );
    expect(&mut s, "4243");

    // `use ` lists the databases.
    for name in ["admin", "compdb", "config", "local"] {
        send(&mut s, "use \t\t");
        expect_listed(&mut s, name);
        clear(&mut s);
    }
    send(&mut s, "use compd\t\r");
    expect(&mut s, "switched to db compdb");

    // A stopped member answers nothing: Tab gives up on the server quickly and completes from
    // the names last known; the session goes on.
    expect(&mut s, "rs0:PRIMARY> ");
    m.stop();
    let t = Instant::now();
    send(&mut s, "db.my\t");
    expect(&mut s, "db.mycoll");
    let stopped = t.elapsed();
    send(&mut s, "\x15");
    run(&mut s, "6 * 7", "42");
    // Killed: refused at once.
    m.kill();
    let t = Instant::now();
    send(&mut s, "db.mycoll.find().so\t");
    expect(&mut s, "sort");
    send(&mut s, "\x15db.my\t");
    expect(&mut s, "db.mycoll");
    let killed = t.elapsed();
    send(&mut s, "\x15");
    run(&mut s, "6 * 7", "42");
    eprintln!("Tab with the member stopped: {stopped:?}; killed: {killed:?}");
    // A Tab that waited on the server (no deadline) would hang here far longer; the bound is
    // generous for a loaded machine.
    assert!(stopped < Duration::from_secs(5), "{stopped:?}");
    assert!(killed < Duration::from_secs(5), "{killed:?}");
    send(&mut s, "exit\r");
    s.exp_eof()
        .unwrap_or_else(|e| panic!("rsh did not exit: {e}"));
}
