//! Error messages are one plain sentence: the driver's debug text (`Kind: …, labels: {},
//! source: None, server response: None`) never reaches the user.

use std::time::Duration;

use support::session::Session;
use support::{eval, fast_set, free_port, rsh, without_elections, Member};

fn assert_plain(text: &str) {
    for debug in ["Kind:", "labels:", "source: None", "server response:"] {
        assert!(!text.contains(debug), "driver debug text: {text}");
    }
}

#[test]
fn driver_errors_read_as_sentences() {
    let root = tempfile::tempdir().expect("tempdir");
    let m = Member::start(root.path(), free_port(), &[]);
    let r = eval(
        &m.host(),
        "try { db.runCommand({}) } catch (e) { print(e) }; \
         try { db.t.insertOne({s: 'x'.repeat(17 * 1024 * 1024)}) } catch (e) { print(e) }",
    );
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        vec![
            "TypeError: db.runCommand(cmd): cmd must name a command, e.g. {ping: 1} or \"ping\"",
            "Error: insert document must be within 16777216 bytes, but document provided is 17825822 bytes",
        ],
        "{}",
        r.all()
    );
    let uri = format!("mongodb://{}/?bogusOption=1", m.host());
    for args in [
        vec!["--quiet", "--port", "0", "--eval", "1"],
        vec!["--quiet", uri.as_str(), "--eval", "1"],
        vec![
            "--quiet",
            "--tls",
            "--tlsCAFile",
            "/nonexistent/ca.pem",
            "--eval",
            "1",
        ],
    ] {
        let r = rsh(&args, "", Duration::from_secs(60));
        assert_eq!(r.code, 1, "{args:?}: {}", r.all());
        assert_plain(&r.stderr);
        assert_eq!(r.stderr.lines().count(), 2, "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_host_name_that_does_not_resolve_is_named() {
    let r = rsh(
        &["--quiet", "--host", "srv1.invalid", "--eval", "1"],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(
        first.starts_with(
            "Error: couldn't connect to server srv1.invalid:27017: the host name srv1.invalid does not resolve ("
        ),
        "{}",
        r.stderr
    );
    assert_plain(&r.stderr);
}

#[test]
fn a_wrong_set_name_names_the_set_the_members_report() {
    let (members, _) = fast_set();
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    // A selection timeout far beyond the run's limit: the answer must come without waiting.
    let uri = format!(
        "mongodb://{}/?replicaSet=rsX&serverSelectionTimeoutMS=600000",
        hosts.join(",")
    );
    let r = rsh(
        &["--quiet", &uri, "--eval", "1"],
        "",
        Duration::from_secs(90),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    let first = r.stderr.lines().next().unwrap_or("");
    assert_eq!(
        first,
        format!(
            "Error: couldn't connect to server {}: the members report replica set \"rs0\", not \"rsX\"",
            hosts.join(",")
        ),
        "{}",
        r.all()
    );
    // The right name still connects through the same members.
    let uri = format!("mongodb://{}/?replicaSet=rs0", hosts.join(","));
    let r = rsh(
        &["--quiet", &uri, "--eval", "print(rs.status().set)"],
        "",
        Duration::from_secs(90),
    );
    assert_eq!(r.stdout, "rs0\n", "{}", r.all());
}

#[test]
fn every_member_stopped_says_no_member_can_be_reached() {
    let (mut members, _) = fast_set();
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    let seeds = format!("rs0/{}", hosts.join(","));
    let mut s = Session::start(&[
        "--quiet",
        "--serverSelectionTimeoutMS",
        "2000",
        "--host",
        &seeds,
    ]);
    let out = s.run("db.t.insert({}).nInserted", Duration::from_secs(60));
    assert_eq!(out, "1\n", "{}", s.transcript);
    for m in members.iter_mut() {
        m.kill();
    }
    // Caught and printed: stdout keeps the message in order with the run's end marker.
    for op in ["db.t.insert({})", "db.t.findOne()"] {
        let line = format!("try {{ {op} }} catch (e) {{ print(e) }}");
        let out = s.run(&line, Duration::from_secs(60));
        let first = out.lines().next().unwrap_or("");
        assert!(
            first.contains("no member can be reached"),
            "{line}: {}",
            s.transcript
        );
        assert!(!out.contains("primary changed"), "{line}: {}", s.transcript);
        for h in &hosts {
            assert!(
                first.contains(h.as_str()),
                "{line} names {h}: {}",
                s.transcript
            );
        }
        assert!(
            first.contains("connection refused"),
            "{line}: {}",
            s.transcript
        );
        assert_plain(&out);
    }
}

#[test]
fn refused_silent_and_unresolvable_hosts_read_differently() {
    // Listening but never answering: the connect timeout runs out.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    let closed_port = free_port();
    let cases = [
        (
            format!("mongodb://127.0.0.1:{silent_port}/?directConnection=true&connectTimeoutMS=300&serverSelectionTimeoutMS=3000"),
            "(no answer)",
        ),
        (
            // Refused: decided at once, whatever the selection timeout.
            format!("mongodb://127.0.0.1:{closed_port}/?directConnection=true&serverSelectionTimeoutMS=600000"),
            ": connection refused",
        ),
        (
            "mongodb://srv1.invalid:27017/?directConnection=true".to_string(),
            "the host name srv1.invalid does not resolve",
        ),
    ];
    for (uri, reason) in cases {
        let r = rsh(
            &["--quiet", &uri, "--eval", "1"],
            "",
            Duration::from_secs(60),
        );
        assert_eq!(r.code, 1, "{uri}: {}", r.all());
        let first = r.stderr.lines().next().unwrap_or("");
        assert!(first.contains(reason), "{uri}: {}", r.all());
        assert_plain(&r.stderr);
    }
    drop(silent);
}

#[test]
fn verbose_adds_the_driver_text_and_keeps_the_sentence() {
    // Listening but never answering: the driver's selection error is what --verbose shows.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let uri = format!(
        "mongodb://127.0.0.1:{port}/?directConnection=true&connectTimeoutMS=300&serverSelectionTimeoutMS=1000"
    );
    let r = rsh(
        &["--quiet", "--verbose", &uri, "--eval", "1"],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.lines().any(|l| l.starts_with("driver error: ")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with("Error: couldn't connect to server ")
                && l.ends_with("(no answer)")),
        "{}",
        r.stderr
    );
    // Without the flag: only the sentence.
    let r = rsh(
        &["--quiet", &uri, "--eval", "1"],
        "",
        Duration::from_secs(60),
    );
    assert!(!r.stderr.contains("driver error: "), "{}", r.stderr);
    assert_plain(&r.stderr);
    drop(silent);
}

#[test]
fn socket_timeout_ends_an_unanswered_command_with_its_own_message() {
    let m = support::one_member_primary();
    // A hello that waits for a topology change answers only after maxAwaitTimeMS (60 s).
    let code = "var tv = db.runCommand({hello: 1}).topologyVersion; \
                try { db.runCommand({hello: 1, topologyVersion: tv, maxAwaitTimeMS: NumberLong(60000)}); \
                print('answered') } catch (e) { print(e) }; print(db.runCommand({ping: 1}).ok)";
    let uri = format!("mongodb://{}/?socketTimeoutMS=1000", m.host());
    let r = rsh(
        &["--quiet", &uri, "--eval", code],
        "",
        Duration::from_secs(40),
    );
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        vec![
            "Error: network error while attempting to run command 'hello': no answer within socketTimeoutMS (1000 ms); the command may have run",
            "1",
        ],
        "{}",
        r.all()
    );
}

#[test]
fn a_command_cut_off_by_the_whole_set_stopping_is_not_called_a_failover() {
    let (members, primary) = fast_set();
    // An election would end the hello with a changed topology (or a closed connection): the
    // scenario is a set that goes down, not one that fails over.
    without_elections(&members, &primary);
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    let seeds = format!("rs0/{}", hosts.join(","));
    let mut s = Session::start(&["--quiet", "--verbose", "--host", &seeds]);
    let out = s.run("db.t.insert({}).nInserted", Duration::from_secs(60));
    assert_eq!(out, "1\n", "{}", s.transcript);
    // While a hello waits on the primary (up to 60 s for a topology change), every member is
    // killed. All are frozen first (SIGSTOP), so none reacts to the others going; then the
    // secondaries die, then the primary, whose end breaks the hello: by then nothing answers.
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(4));
        let mut members = members;
        for m in &members {
            m.stop();
        }
        let (mut first, mut last): (Vec<&mut Member>, Vec<&mut Member>) =
            members.iter_mut().partition(|m| m.host() != primary);
        for m in first.iter_mut().chain(last.iter_mut()) {
            m.kill();
        }
        members
    });
    let out = s.run(
        "try { db.runCommand({hello: 1, topologyVersion: db.runCommand({hello: 1}).topologyVersion, \
         maxAwaitTimeMS: NumberLong(60000)}); print('answered') } catch (e) { print(e) }",
        Duration::from_secs(90),
    );
    let _members = killer.join().expect("killer");
    // --verbose adds the driver's text and the probe's findings on their own lines; the
    // message is the other line.
    let first = out
        .lines()
        .find(|l| !l.starts_with("driver error: ") && !l.starts_with("connection probe: "))
        .unwrap_or("");
    assert!(
        first.starts_with("Error: no member can be reached (tried ")
            && first.ends_with("); the command 'hello' may not have run"),
        "{}",
        s.transcript
    );
    for h in &hosts {
        assert!(first.contains(h.as_str()), "{h}: {}", s.transcript);
    }
}
