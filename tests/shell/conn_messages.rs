//! Error messages are one plain sentence: the driver's debug text (`Kind: …, labels: {},
//! source: None, server response: None`) never reaches the user.

use std::time::Duration;

use support::{eval, free_port, rsh, Member};

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
