//! Startup lines of the legacy 4.4 shell: `Implicit session:` (the lsid commands really carry),
//! `MongoDB server version:` and the version-mismatch warning; on a terminal the welcome text
//! (creating an empty ~/.mongorc.js) and the server's startup warnings.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_command, PtySession};
use support::{rsh, Member};

const TIMEOUT_MS: u64 = 30_000;

fn spawn(home: &Path, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(args)
        .env("HOME", home)
        .env("TERM", "dumb")
        .env("NO_COLOR", "1");
    spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"))
}

/// Everything printed before the first prompt (`> ` at the start of a line), with `\n` ends.
fn until_prompt(s: &mut PtySession) -> String {
    let (before, matched) = s
        .exp_regex(r"(^|\n)> ")
        .unwrap_or_else(|e| panic!("waiting for the prompt: {e}"));
    let mut out = before.replace('\r', "");
    if matched.starts_with('\n') {
        out.push('\n');
    }
    out
}

fn exit(mut s: PtySession) {
    s.send_line("exit").unwrap_or_else(|e| panic!("send: {e}"));
    match s.process().wait() {
        Ok(WaitStatus::Exited(_, 0)) => {}
        other => panic!("rsh did not exit with 0: {other:?}"),
    }
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

const WELCOME: &str = "Welcome to the MongoDB shell.\n\
For interactive help, type \"help\".\n\
For more comprehensive documentation, see\n\
\thttps://docs.mongodb.com/\n\
Questions? Try the MongoDB Developer Community Forums\n\
\thttps://community.mongodb.com\n";

#[test]
fn first_terminal_session_gets_the_welcome_and_an_empty_mongorc() {
    let h = home();
    let rc = h.path().join(".mongorc.js");
    let mut s = spawn(h.path(), &["--nodb"]);
    let out = until_prompt(&mut s);
    assert!(out.ends_with(WELCOME), "{out:?}");
    exit(s);
    let meta = std::fs::metadata(&rc).unwrap_or_else(|e| panic!("no ~/.mongorc.js: {e}"));
    assert_eq!(meta.len(), 0);

    // The second session runs the (empty) file: no welcome.
    let mut s = spawn(h.path(), &["--nodb"]);
    let out = until_prompt(&mut s);
    assert!(!out.contains("Welcome"), "{out:?}");
    exit(s);

    // --norc: neither the welcome nor the file; not on a terminal: neither.
    let h = home();
    let mut s = spawn(h.path(), &["--nodb", "--norc"]);
    let out = until_prompt(&mut s);
    assert!(!out.contains("Welcome"), "{out:?}");
    exit(s);
    assert!(!h.path().join(".mongorc.js").exists());
    let r = Command::new(env!("CARGO_BIN_EXE_rsh"))
        .arg("--nodb")
        .env("HOME", h.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("rsh: {e}"));
    assert!(!String::from_utf8_lossy(&r.stdout).contains("Welcome"));
    assert!(!h.path().join(".mongorc.js").exists());
}

#[test]
fn startup_lines_session_version_and_server_warnings() {
    // --fork is accepted with a startup warning, so getLog has one line to show.
    let m = Member::sandbox(&["--fork"]);
    let host = m.host();

    let r = rsh(
        &[
            &host,
            "--eval",
            "db.s.insert({a: 1}); db.getSiblingDB('local').oplog.rs.find({ns: 'test.s'}).count()",
        ],
        "",
        Duration::from_secs(60),
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines.len() >= 5, "{}", r.all());
    assert!(
        lines[0].starts_with("MongoDB shell version v"),
        "{}",
        r.stdout
    );
    assert!(lines[1].starts_with("connecting to: "), "{}", r.stdout);
    let session = lines[2]
        .strip_prefix("Implicit session: session { \"id\" : UUID(\"")
        .and_then(|rest| rest.strip_suffix("\") }"))
        .unwrap_or_else(|| panic!("no session line: {}", r.stdout));
    assert_eq!(session.len(), 36, "{session}");
    assert_eq!(lines[3], "MongoDB server version: 7.0.14");
    // 7.0 is supported: no version warning.
    assert!(!r.stdout.contains("do not match"), "{}", r.stdout);
    // No startup warnings without a terminal.
    assert!(!r.stdout.contains("startup warnings"), "{}", r.stdout);

    // The printed session is the one every later command carries (a one-member set writes the
    // lsid of a retryable write into its oplog): twenty writes with reads between them, so a
    // session taken afresh from the driver's pool for some command would show.
    let set = Member::sandbox(&["--replSet", "rs0"]);
    let init = format!(
        "rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: '{}'}}]}}).ok",
        set.host()
    );
    let r = rsh(
        &["--quiet", &set.host(), "--eval", &init],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let uri = format!("mongodb://{}/test?replicaSet=rs0", set.host());
    let code = "var t = Date.now(); while (!db.hello().isWritablePrimary && Date.now() - t < 30000) sleep(50); \
                for (var i = 0; i < 20; i++) { db.s.insert({a: i}); db.s.findOne(); } \
                var ids = {}; db.getSiblingDB('local').oplog.rs.find({op: 'i', ns: 'test.s'}) \
                    .forEach(function (e) { ids[e.lsid.id.toString()] = 1; }); \
                print('lsids ' + Object.keys(ids).join(' '))";
    let r = rsh(&[&uri, "--eval", code], "", Duration::from_secs(60));
    let session = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Implicit session: session { \"id\" : UUID(\""))
        .and_then(|rest| rest.strip_suffix("\") }"))
        .unwrap_or_else(|| panic!("no session line: {}", r.all()));
    assert!(
        r.stdout.contains(&format!("lsids UUID(\"{session}\")\n")),
        "{}",
        r.all()
    );

    // On a terminal: the 4.4 block of startup warnings before the prompt.
    let h = home();
    let mut s = spawn(h.path(), &["--norc", &host]);
    let out = until_prompt(&mut s);
    let block = out
        .split_once("---\nThe server generated these startup warnings when booting: \n")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no warnings block: {out:?}"));
    let warning = block.lines().next().unwrap_or("");
    assert!(warning.starts_with("        20"), "{out:?}");
    assert!(warning.contains(": Option '--fork': "), "{out:?}");
    assert!(block.ends_with("---\n"), "{out:?}");
    exit(s);

    // --quiet: none of the startup lines.
    let mut s = spawn(h.path(), &["--norc", "--quiet", &host]);
    let out = until_prompt(&mut s);
    assert_eq!(out.trim(), "", "{out:?}");
    exit(s);
}
