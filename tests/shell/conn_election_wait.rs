//! Riding out an election: server selection waits (30 s by default, as the drivers) instead of
//! failing, a script's insert loop through a SIGKILL of the primary of a set at default
//! election timing finishes with every insert applied exactly once (retryable writes), and
//! the REPL shows a one-line "waiting for a primary" progress that Ctrl-C interrupts.

use std::process::Command;
use std::time::Duration;

use rexpect::session::{spawn_command, PtySession};
use support::{eval, primary_of, rsh, start_members, wait_for, wait_states, FAST};

const INSERTS: usize = 300;

/// `rs.initiate` of `hosts` as `rs0`, with `settings` (JS text) or the defaults.
fn initiate(hosts: &[String], settings: Option<&str>) -> String {
    let members: Vec<String> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{{_id: {i}, host: '{h}'}}"))
        .collect();
    let settings = settings
        .map(|s| format!(", settings: {s}"))
        .unwrap_or_default();
    let r = eval(
        &hosts[0],
        &format!(
            "rs.initiate({{_id: 'rs0', members: [{}]{settings}}})",
            members.join(", ")
        ),
    );
    assert!(r.stdout.contains("\"ok\" : 1"), "{}", r.all());
    wait_states(&hosts[0], 2, Duration::from_secs(120)).expect("a primary and two secondaries")
}

#[test]
fn insert_loop_rides_out_a_default_timing_failover() {
    let root = tempfile::tempdir().expect("tempdir");
    let (mut members, hosts) = start_members(root.path(), 3);
    // No fast settings: the election after the kill takes its default ~10 s.
    let primary = initiate(&hosts, None);
    let script = root.path().join("loop.js");
    std::fs::write(
        &script,
        format!(
            "var longest = 0;\n\
             for (var i = 0; i < {INSERTS}; i++) {{\n\
             \x20   var t0 = Date.now();\n\
             \x20   var r = db.loop.insert({{n: i}});\n\
             \x20   longest = Math.max(longest, Date.now() - t0);\n\
             \x20   if (r.nInserted !== 1) {{ print('insert ' + i + ': ' + tojson(r)); quit(3); }}\n\
             \x20   sleep(40);\n\
             }}\n\
             print('inserted ' + i);\n\
             print('longest insert: ' + longest + ' ms');\n"
        ),
    )
    .expect("write script");
    let uri = format!("mongodb://{}/?replicaSet=rs0", hosts.join(","));
    let script_arg = script.to_string_lossy().into_owned();
    let runner = {
        let uri = uri.clone();
        std::thread::spawn(move || {
            rsh(
                &["--quiet", &uri, &script_arg],
                "",
                Duration::from_secs(240),
            )
        })
    };
    // Kill the primary once the loop is well under way.
    let started = wait_for(Duration::from_secs(120), || {
        let r = eval(&primary, "print(db.loop.count())");
        let n: usize = r.stdout.trim().parse().ok()?;
        (n >= 40).then_some(n)
    });
    assert!(started.is_some(), "the loop never got going");
    assert!(!runner.is_finished(), "the loop ended before the kill");
    let old = hosts.iter().position(|h| *h == primary).expect("index");
    members[old].kill();

    let run = runner.join().expect("runner thread");
    assert_eq!(run.code, 0, "{}", run.all());
    // One insert waited out the election (seconds), instead of failing.
    let mut lines = run.stdout.lines();
    assert_eq!(
        lines.next(),
        Some(format!("inserted {INSERTS}").as_str()),
        "{}",
        run.all()
    );
    let longest: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("longest insert: "))
        .and_then(|l| l.strip_suffix(" ms"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no longest wait: {}", run.all()));
    println!("the insert during the election waited {longest} ms");
    assert!(
        longest > 3000,
        "no insert waited for the election: {}",
        run.all()
    );

    let survivor = hosts.iter().find(|h| **h != primary).expect("a survivor");
    let new_primary = primary_of(survivor).expect("a new primary");
    assert_ne!(new_primary, primary);
    let r = eval(
        &new_primary,
        "print(db.loop.count() + ' ' + db.loop.distinct('n').length)",
    );
    assert_eq!(
        r.stdout.trim(),
        format!("{INSERTS} {INSERTS}"),
        "every insert applied exactly once: {}",
        r.all()
    );
}

#[test]
fn short_selection_timeout_fails_quickly_when_no_primary() {
    let root = tempfile::tempdir().expect("tempdir");
    let (mut members, hosts) = start_members(root.path(), 3);
    let primary = initiate(&hosts, Some(FAST));
    // Two of three down: no primary can be elected.
    let keep = hosts.iter().position(|h| *h != primary).expect("keep");
    for (i, m) in members.iter_mut().enumerate() {
        if i != keep {
            m.kill();
        }
    }
    let uri = format!(
        "mongodb://{}/?replicaSet=rs0&serverSelectionTimeoutMS=1500",
        hosts.join(",")
    );
    let r = rsh(
        &["--quiet", &uri, "--eval", "db.c.insert({x: 1})"],
        "",
        Duration::from_secs(60),
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("no primary available for command 'insert' after 1.5s"),
        "{}",
        r.all()
    );
    // Why: the member left answers as a secondary, the other two refuse connections.
    let why = format!("({} answers but is not primary; ", hosts[keep]);
    assert!(r.stderr.contains(&why), "{}", r.all());
    assert!(r.stderr.contains(": connection refused)"), "{}", r.all());
    // The flag says the same; both at once must agree.
    let seeds = format!("rs0/{}", hosts.join(","));
    let r = rsh(
        &[
            "--quiet",
            "--serverSelectionTimeoutMS",
            "1000",
            "--host",
            &seeds,
            "--eval",
            "db.c.insert({x: 1})",
        ],
        "",
        Duration::from_secs(60),
    );
    assert!(
        r.stderr
            .contains("no primary available for command 'insert' after 1s"),
        "{}",
        r.all()
    );
    let r = rsh(
        &[
            "--quiet",
            "--serverSelectionTimeoutMS",
            "1000",
            &uri,
            "--eval",
            "1",
        ],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("serverSelectionTimeoutMS"), "{}", r.all());
}

fn expect(s: &mut PtySession, needle: &str) -> String {
    s.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

#[test]
fn repl_shows_the_wait_and_ctrl_c_ends_it() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("home");
    let (mut members, hosts) = start_members(root.path(), 3);
    let primary = initiate(&hosts, Some(FAST));
    let seeds = format!("rs0/{}", hosts.join(","));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--quiet", "--norc", "--host", &seeds])
        .env("HOME", home.path())
        .env("TERM", "xterm");
    let mut s = spawn_command(cmd, Some(60_000)).unwrap_or_else(|e| panic!("spawn: {e}"));
    expect(&mut s, "rs0:PRIMARY> ");
    // Keep one secondary: no majority, so no primary until a member comes back.
    let keep = hosts.iter().position(|h| *h != primary).expect("keep");
    for (i, m) in members.iter_mut().enumerate() {
        if i != keep {
            m.kill();
        }
    }
    s.send_line("db.c.insert({x: 1})")
        .unwrap_or_else(|e| panic!("send: {e}"));
    expect(&mut s, "waiting for a primary: ");
    expect(&mut s, " 3 s");
    s.send_control('c')
        .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
    expect(&mut s, "interrupted");
    expect(&mut s, "> ");
    // Bring the set back: the same session writes again.
    for (i, m) in members.iter_mut().enumerate() {
        if i != keep {
            m.restart();
        }
    }
    s.send_line("db.c.insert({x: 2}).nInserted")
        .unwrap_or_else(|e| panic!("send: {e}"));
    expect(&mut s, "1\r\n");
    // `exit` leaves silently under --quiet.
    s.send_line("exit").unwrap_or_else(|e| panic!("send: {e}"));
    s.exp_eof()
        .unwrap_or_else(|e| panic!("rsh did not exit: {e}"));
}
