//! Change streams and tailable cursors in rsh: `db.c.watch()` at the prompt prints events as
//! they arrive until Ctrl-C, a script tails `local.oplog.rs` with the legacy query options, and a
//! stream in a script survives a failover (SIGKILL of the primary) without losing or repeating
//! events.

use std::io::BufRead;
use std::process::Command;
use std::time::{Duration, Instant};

use bson::doc;
use rexpect::session::{spawn_command, PtySession};

use support::replset::{fast_set, one_member_primary};
use support::wire::{ok, try_run};
use support::{start_rsh, wait_for, Started};

const TIMEOUT_MS: u64 = 30_000;

fn expect(s: &mut PtySession, needle: &str) -> String {
    s.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

fn send(s: &mut PtySession, text: &str) {
    s.send(text).unwrap_or_else(|e| panic!("send: {e}"));
    s.flush().unwrap_or_else(|e| panic!("flush: {e}"));
}

/// True once rustyline has handed the line over and the command runs (canonical mode again).
fn command_running(s: &PtySession) -> bool {
    use std::os::fd::AsRawFd;
    let Ok(master) = s.process().get_file_handle() else {
        return false;
    };
    // SAFETY: a zeroed termios is a valid out-parameter; the fd is open for this call.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::tcgetattr(master.as_raw_fd(), &mut t) } == 0;
    ok && t.c_lflag & libc::ICANON != 0
}

fn insert(port: u16, db: &str, coll: &str, d: bson::Document) {
    let r = try_run(port, db, doc! {"insert": coll, "documents": [d]}).expect("insert reply");
    assert!(ok(&r), "{r}");
}

#[test]
fn watch_at_the_prompt_prints_events_until_ctrl_c() {
    let m = one_member_primary();
    let home = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--norc", &m.host()])
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
    expect(&mut s, "> ");
    send(&mut s, "db.getSiblingDB('w').c.watch()\r");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !command_running(&s) {
        assert!(Instant::now() < deadline, "watch() never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The stream opens right after the line is taken; give it a moment before writing.
    std::thread::sleep(Duration::from_millis(500));
    insert(m.port, "w", "c", doc! {"_id": 1, "tag": "first-event"});
    expect(&mut s, "\"operationType\" : \"insert\"");
    expect(&mut s, "first-event");
    insert(m.port, "w", "c", doc! {"_id": 2, "tag": "second-event"});
    expect(&mut s, "second-event");
    s.send_control('c')
        .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
    expect(&mut s, "interrupted");
    expect(&mut s, "> ");
    send(&mut s, "'still' + '-alive'\r");
    expect(&mut s, "still-alive");
    send(&mut s, "exit\r");
    expect(&mut s, "bye");
}

/// Reads lines from a started rsh until `want` lines matched `prefix` or the limit passes.
fn read_prefixed(rsh: &mut Started, prefix: &str, want: usize, limit: Duration) -> Vec<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let out = std::mem::replace(&mut rsh.out, std::io::BufReader::new(tempfile_stdout()));
    let prefix = prefix.to_string();
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            if l.starts_with(&prefix) && tx.send(l).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + limit;
    let mut got = Vec::new();
    while got.len() < want {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) => got.push(l),
            Err(_) => break,
        }
    }
    got
}

/// A stand-in stdout for `read_prefixed` once the real one moved to the reader thread.
fn tempfile_stdout() -> std::process::ChildStdout {
    let mut c = Command::new("true")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn true");
    let out = c.stdout.take().expect("stdout");
    let _ = c.wait();
    out
}

#[test]
fn a_script_tails_the_oplog_with_the_legacy_query_options() {
    let m = one_member_primary();
    // Output is flushed at the end of each --eval: the first says the script runs.
    let script = "var c = db.getSiblingDB('local').oplog.rs.find({op: 'i', ns: 'tail.t'})\
                  .addOption(DBQuery.Option.tailable).addOption(DBQuery.Option.awaitData);\
                  c.forEach(function (e) { print('entry ' + e.o.n); if (e.o.n === 3) quit(0); });";
    let host = m.host();
    let mut rsh = start_rsh(
        &[
            "--quiet",
            &host,
            "--eval",
            "print('started')",
            "--eval",
            script,
        ],
        true,
    );
    assert_eq!(rsh.first_line, "started\n");
    let port = m.port;
    let writer = std::thread::spawn(move || {
        for n in 1..=3 {
            std::thread::sleep(Duration::from_millis(300));
            insert(port, "tail", "t", doc! {"n": n});
        }
    });
    let lines = read_prefixed(&mut rsh, "entry ", 3, Duration::from_secs(30));
    writer.join().expect("writer");
    assert_eq!(lines, ["entry 1", "entry 2", "entry 3"]);
    let status = rsh.wait_exit(Duration::from_secs(30), "rsh did not quit", |_| {
        std::thread::sleep(Duration::from_millis(50))
    });
    assert_eq!(status.code(), Some(0));
}

fn insert_majority(port: u16, id: i32) -> bool {
    try_run(
        port,
        "w",
        doc! {"insert": "c", "documents": [{"_id": id}], "writeConcern": {"w": "majority", "wtimeout": 10_000}},
    )
    .is_some_and(|r| ok(&r) && !r.contains_key("writeConcernError"))
}

#[test]
fn a_watch_in_a_script_survives_a_failover() {
    let (mut members, primary) = fast_set();
    let uri = format!(
        "mongodb://{}/w?replicaSet=rs0",
        members
            .iter()
            .map(|m| m.host())
            .collect::<Vec<_>>()
            .join(",")
    );
    // Output is flushed at the end of each --eval: one to open the stream, one for the events
    // before the failover, one for those after.
    let three = "for (var n = 0; n < 3; n++) { print('event ' + cs.next().documentKey._id); }";
    let mut rsh = start_rsh(
        &[
            "--quiet",
            &uri,
            "--eval",
            "var cs = db.c.watch(); print('started')",
            "--eval",
            three,
            "--eval",
            three,
        ],
        true,
    );
    assert_eq!(rsh.first_line, "started\n");
    let p = members
        .iter()
        .position(|m| m.host() == primary)
        .expect("the primary is a member");
    for i in 0..3 {
        assert!(insert_majority(members[p].port, i));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let out = std::mem::replace(&mut rsh.out, std::io::BufReader::new(tempfile_stdout()));
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.len() < 3 {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) => seen.push(l),
            Err(_) => panic!("first events not printed: {seen:?}"),
        }
    }
    members[p].kill();
    let q = wait_for(Duration::from_secs(30), || {
        members.iter().position(|m| {
            m.port != members[p].port && support::replset::is_writable_primary(m).unwrap_or(false)
        })
    })
    .expect("a new primary");
    for i in 3..6 {
        assert!(
            wait_for(Duration::from_secs(20), || insert_majority(
                members[q].port,
                i
            )
            .then_some(()))
            .is_some(),
            "insert {i}"
        );
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    while seen.len() < 6 {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) => seen.push(l),
            Err(_) => break,
        }
    }
    assert_eq!(
        seen,
        ["event 0", "event 1", "event 2", "event 3", "event 4", "event 5"],
        "every event once, across the failover"
    );
    let status = rsh.wait_exit(Duration::from_secs(30), "rsh did not finish", |_| {
        std::thread::sleep(Duration::from_millis(50))
    });
    assert_eq!(status.code(), Some(0));
}
