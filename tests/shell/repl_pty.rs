//! The REPL in a pseudo-terminal (rexpect): multi-line entries, Tab completion, history kept
//! across runs without secrets, Ctrl-C clearing the line, `exit`, colour only on a terminal.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_command, PtySession};

/// Generous: the test machine is shared and slow; a hang still ends.
const TIMEOUT_MS: u64 = 30_000;

fn start(home: &Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--nodb", "--norc"])
        .env("HOME", home)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
    expect(&mut s, "> ");
    s
}

fn expect(s: &mut PtySession, needle: &str) -> String {
    s.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

fn send(s: &mut PtySession, text: &str) {
    s.send(text).unwrap_or_else(|e| panic!("send: {e}"));
    s.flush().unwrap_or_else(|e| panic!("flush: {e}"));
}

/// Type `exit`, expect `bye` and exit status 0.
fn exit(s: PtySession) {
    exit_with(s, 0);
}

/// Type `exit`, expect `bye` and exit status `code` (1 when the last entry failed).
fn exit_with(mut s: PtySession, code: i32) {
    send(&mut s, "exit\r");
    expect(&mut s, "bye");
    match s.process().wait() {
        Ok(WaitStatus::Exited(_, c)) if c == code => {}
        other => panic!("rsh did not exit with {code}: {other:?}"),
    }
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn multi_line_function_definition() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "function twice(x) {\r");
    expect(&mut s, "... ");
    send(&mut s, "  var y = x * 2\r");
    expect(&mut s, "... ");
    send(&mut s, "  return 'tw' + 'ice:' + y }\r");
    expect(&mut s, "> ");
    send(&mut s, "twice(21)\r");
    expect(&mut s, "twice:42");
    // Two blank continuation lines cancel the entry.
    send(&mut s, "var cancelled = (1 +\r");
    expect(&mut s, "... ");
    send(&mut s, "\r");
    expect(&mut s, "... ");
    send(&mut s, "\r");
    expect(&mut s, "> ");
    send(&mut s, "typeof cancelled + '-ok'\r");
    expect(&mut s, "undefined-ok");
    exit(s);
}

#[test]
fn tab_completes_dotted_names() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "var rsx = {status: 'st' + 'atus', stepDown: 2}\r");
    expect(&mut s, "> ");
    // Two candidates: Tab twice lists them.
    send(&mut s, "rsx.st\t\t");
    expect(&mut s, "rsx.status");
    expect(&mut s, "rsx.stepDown");
    // Ctrl-U clears the line; one candidate: Tab completes it.
    send(&mut s, "\x15rsx.sta\t\r");
    expect(&mut s, "status\r\n");
    exit(s);
}

/// `rs` comes from the prelude (no connection needed to complete its helpers).
#[test]
fn tab_completes_rs_helpers() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "rs.st\t\t");
    expect(&mut s, "rs.status");
    expect(&mut s, "rs.stepDown");
    // One candidate: Tab completes it; Enter prints the helper's source (a function).
    send(&mut s, "\x15rs.statu\t\r");
    expect(&mut s, "function");
    exit(s);
}

/// `show ` completes its words, not JavaScript names.
#[test]
fn tab_completes_show_words() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "show d\t\t");
    expect(&mut s, "databases");
    expect(&mut s, "dbs");
    send(&mut s, "\x15show coll\t");
    expect(&mut s, "collections");
    send(&mut s, "\x15");
    exit(s);
}

/// `help ` completes its topics from the helper table, one level at a time.
#[test]
fn tab_completes_help_topics() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "help curs\t\r");
    expect(&mut s, "cursor.sort(");
    send(&mut s, "help rs.printSec\t\r");
    expect(&mut s, "rs.printSecondaryReplicationInfo()");
    exit(s);
}

/// rsh's own rs helpers complete too (they are loaded with the connection helpers).
#[test]
fn tab_completes_the_careful_rs_helpers() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "rs.waitFor\t\t");
    expect(&mut s, "rs.waitForCaughtUp");
    expect(&mut s, "rs.waitForMember");
    expect(&mut s, "rs.waitForPrimary");
    send(&mut s, "\x15rs.doc\t\r");
    expect(&mut s, "function");
    exit(s);
}

#[test]
fn ctrl_c_clears_the_line() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "thisIsNotDefined(");
    s.send_control('c')
        .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
    expect(&mut s, "> ");
    send(&mut s, "'after-' + 'ctrl-c'\r");
    let seen = expect(&mut s, "after-ctrl-c");
    assert!(!seen.contains("ReferenceError"), "{seen}");
    exit(s);
}

#[test]
fn history_is_kept_across_runs_without_secrets() {
    let h = home();
    let mut s = start(h.path());
    // Typed twice in a row: saved once.
    for _ in 0..2 {
        send(&mut s, "print('from' + '-history')\r");
        expect(&mut s, "from-history");
    }
    // `db` needs a connection, so this line fails and the session ends with status 1.
    send(&mut s, "db.auth(\"u\",\"p\")\r");
    expect(&mut s, "uncaught exception");
    expect(&mut s, "> ");
    exit_with(s, 1);

    let file = h.path().join(".rsh_history");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("history file: {e}"));
    assert_eq!(
        text.matches("print('from' + '-history')").count(),
        1,
        "{text}"
    );
    assert!(!text.contains("auth"), "{text}");
    let mode = std::fs::metadata(&file)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or_else(|e| panic!("stat: {e}"));
    assert_eq!(mode, 0o600);

    // Second run: Up recalls the last saved line (`exit`), Up again the print.
    let mut s = start(h.path());
    send(&mut s, "\x1b[A\x1b[A\r");
    expect(&mut s, "from-history");
    exit(s);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("history file: {e}"));
    assert_eq!(
        text.matches("print('from' + '-history')").count(),
        2,
        "{text}"
    );
}

/// True once the terminal is back in canonical mode, i.e. rustyline has handed the line over
/// and the command is running (tcgetattr on the master side reads the pty's settings).
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

#[test]
fn ctrl_c_interrupts_a_running_command() {
    let h = home();
    let mut s = start(h.path());
    send(&mut s, "while (true) { sleep(10) }\r");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !command_running(&s) {
        assert!(
            std::time::Instant::now() < deadline,
            "the command never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // In cooked mode ^C makes the kernel send SIGINT; sleep() sees the flag and throws.
    s.send_control('c')
        .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
    expect(&mut s, "interrupted");
    expect(&mut s, "> ");
    send(&mut s, "'still' + '-alive'\r");
    expect(&mut s, "still-alive");
    // The interrupted entry was the last to fail, but this one succeeded: status 0.
    exit(s);
}

/// `--color` on a terminal colours results whatever `colored`'s own variables say
/// (`CLICOLOR=0`); `NO_COLOR` turns it off.
#[test]
fn colour_on_a_terminal_unless_no_color() {
    for no_color in [false, true] {
        let h = home();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
        cmd.args(["--nodb", "--norc", "--color"])
            .env("HOME", h.path())
            .env("TERM", "xterm")
            .env("CLICOLOR", "0")
            .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
        expect(&mut s, "> ");
        send(&mut s, "({s: 'x', n: 1})\r");
        let shown = expect(&mut s, "> ");
        let green = "\u{1b}[32m\"x\"\u{1b}[0m";
        if no_color {
            assert!(shown.contains("{ \"s\" : \"x\", \"n\" : 1 }"), "{shown:?}");
            assert!(!shown.contains(green), "{shown:?}");
        } else {
            assert!(shown.contains(green), "{shown:?}");
            assert!(shown.contains("\u{1b}[33m1\u{1b}[0m"), "{shown:?}");
        }
        exit(s);
    }
}

/// Output into a pipe is never coloured, even with `--color` and `colored`'s
/// `CLICOLOR_FORCE`.
#[test]
fn no_colour_into_a_pipe() {
    let h = home();
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "printf '({s: 1})\\n' | \"$0\" --nodb --norc --color | cat -v",
        env!("CARGO_BIN_EXE_rsh"),
    ])
    .env("HOME", h.path())
    .env("CLICOLOR_FORCE", "1")
    .env_remove("NO_COLOR");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
    let shown = s
        .exp_eof()
        .unwrap_or_else(|e| panic!("waiting for the end: {e}"));
    assert!(shown.contains("{ \"s\" : 1 }"), "{shown:?}");
    assert!(!shown.contains("^["), "{shown:?}");
}
