//! The REPL in a pseudo-terminal on a replica-set primary: Ctrl-C stops a pure-JS loop and a
//! sleep and the `rs0:PRIMARY> ` prompt comes back; a line that is not UTF-8 is reported and
//! skipped; deep and huge inputs throw and the session goes on; two Ctrl-C at the prompt leave.
//! Ctrl-C also ends a loop in a `load()`ed file and a loop that catches every error.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rexpect::process::WaitStatus;
use rexpect::session::{spawn_command, PtySession};
use support::{one_member_primary, Member};

const TIMEOUT_MS: u64 = 60_000;
const PROMPT: &str = "rs0:PRIMARY> ";

fn start(home: &Path, m: &Member) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--norc", "--quiet", &m.host()])
        .env("HOME", home)
        .env("TERM", "xterm");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
    expect(&mut s, PROMPT);
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

/// Type `line` (ending in `\r`), wait for `answer`, then for the prompt.
fn ask(s: &mut PtySession, line: &str, answer: &str) {
    send(s, line);
    expect(s, answer);
    expect(s, PROMPT);
}

/// Write raw bytes (not UTF-8) to the terminal.
fn send_bytes(s: &PtySession, bytes: &[u8]) {
    use std::io::Write;
    let mut master = s
        .process()
        .get_file_handle()
        .unwrap_or_else(|e| panic!("pty: {e}"));
    master
        .write_all(bytes)
        .unwrap_or_else(|e| panic!("write: {e}"));
}

/// True once the terminal is back in canonical mode: the line was handed over and runs.
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

fn wait_running(s: &PtySession) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !command_running(s) {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let it get into its loop.
    std::thread::sleep(Duration::from_millis(200));
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

#[test]
fn ctrl_c_stops_loops_and_waits_back_to_the_primary_prompt() {
    let m = one_member_primary();
    let h = home();
    let mut s = start(h.path(), &m);
    for code in [
        "while (true) {}",
        "for (;;) { var x = [1, 2].map(v => v * 2) }",
        "sleep(600000)",
    ] {
        send(&mut s, &format!("{code}\r"));
        wait_running(&s);
        s.send_control('c')
            .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
        expect(&mut s, "interrupted");
        expect(&mut s, PROMPT);
    }
    ask(&mut s, "'still' + '-alive'\r", "still-alive");
    // Two Ctrl-C at the prompt within a second: the session ends.
    s.send_control('c')
        .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
    std::thread::sleep(Duration::from_millis(300));
    s.send_control('c')
        .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
    wait_exit(&s, 0);
}

#[test]
fn ctrl_c_stops_loops_in_loaded_files_and_catching_loops() {
    let m = one_member_primary();
    let h = home();
    let pure = h.path().join("pure.js");
    let catching = h.path().join("catching.js");
    let write = |p: &Path, text: &str| {
        std::fs::write(p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()))
    };
    write(&pure, "var turns = 0;\nwhile (true) { turns++ }\n");
    // Every error caught, around a database call and a sleep: Ctrl-C must still end it.
    write(
        &catching,
        "while (true) { try { db.t.findOne(); sleep(5) } catch (e) { print('CAU' + 'GHT ' + e) } }\n",
    );
    let (pure, catching) = (pure.display(), catching.display());
    let mut s = start(h.path(), &m);
    for code in [
        format!("load('{pure}')"),
        format!("load('{catching}')"),
        format!("[1, 2].forEach(function () {{ load('{pure}') }}); print('not ' + 'reached')"),
        format!("function f() {{ load('{catching}') }}; f()"),
        "while (true) { try { sleep(5) } catch (e) { print('CAU' + 'GHT ' + e) } }".to_string(),
    ] {
        send(&mut s, &format!("{code}\r"));
        wait_running(&s);
        s.send_control('c')
            .unwrap_or_else(|e| panic!("ctrl-c: {e}"));
        let before = expect(&mut s, "interrupted");
        assert!(!before.contains("CAUGHT"), "{code}: {before}");
        let after = expect(&mut s, PROMPT);
        assert!(
            !after.contains("CAUGHT") && !after.contains("not reached\r\n"),
            "{code}: {after}"
        );
    }
    // The engine is whole after the abandoned files: globals they set, deep recursion, errors.
    ask(&mut s, "'turns ' + (turns > 0)\r", "turns true");
    send(
        &mut s,
        "g = n => n ? 1 + g(n - 1) : 0; 'frames: ' + g(15000)\r",
    );
    expect(&mut s, "frames: 15000");
    expect(&mut s, PROMPT);
    ask(
        &mut s,
        "try { nosuch } catch (e) { 'caught: ' + e }\r",
        "caught: ReferenceError: nosuch is not defined",
    );
    send(&mut s, "exit\r");
    wait_exit(&s, 0);
}

#[test]
fn bad_bytes_deep_and_huge_inputs_keep_the_session() {
    let m = one_member_primary();
    let h = home();
    let mut s = start(h.path(), &m);
    // A Latin-1 é (0xE9) in a typed line: reported, the line skipped, the prompt back.
    send_bytes(&s, b"print('caf\xe9 au lait')\r");
    expect(&mut s, "is not UTF-8");
    expect(&mut s, PROMPT);
    ask(&mut s, "'after' + '-bytes'\r", "after-bytes");
    // A literal nested deeper than the parser allows.
    ask(
        &mut s,
        &format!("{}\r", "[".repeat(12_000) + &"]".repeat(12_000)),
        "InternalError: too much recursion",
    );
    // Deep structures in the built-ins and in printing: catchable errors, no abort.
    send(
        &mut s,
        "var a = []; for (var i = 0; i < 200000; i++) a = [a]; var caught = []; \
         for (const f of [() => JSON.stringify(a), () => String(a), () => a.flat(Infinity), \
         () => db.t.insertOne({a: a})]) { try { f() } catch (e) { caught.push(String(e)) } }; \
         caught.length + ' caught: ' + caught[0]\r",
    );
    expect(&mut s, "4 caught: InternalError: too much recursion");
    expect(&mut s, PROMPT);
    ask(
        &mut s,
        "try { 'x'.repeat(2**30) } catch (e) { 'repeat: ' + e }\r",
        "repeat: RangeError: Invalid string length",
    );
    send(
        &mut s,
        "f = n => n ? 1 + f(n - 1) : 0; 'frames: ' + f(10000)\r",
    );
    expect(&mut s, "frames: 10000");
    expect(&mut s, PROMPT);
    ask(
        &mut s,
        "try { eval('['.repeat(1e6) + ']'.repeat(1e6)) } catch (e) { 'eval: ' + e }\r",
        "eval: InternalError: too much recursion",
    );
    ask(
        &mut s,
        "try { [1].forEach(function r() { r() }) } catch (e) { 'forEach: ' + e }\r",
        "forEach: InternalError: too much recursion",
    );
    send(&mut s, "f(1e6)\r");
    expect(&mut s, "InternalError: too much recursion");
    expect(&mut s, " more identical frames");
    expect(&mut s, PROMPT);
    send(&mut s, "'still' + '-alive'\r");
    expect(&mut s, "still-alive");
    send(&mut s, "exit\r");
    wait_exit(&s, 0);
}

/// Wait (at most 30 s) for rsh to exit with `code`.
fn wait_exit(s: &PtySession, code: i32) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match s.process().status() {
            Some(WaitStatus::Exited(_, c)) if c == code => break,
            Some(WaitStatus::StillAlive) | None if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50))
            }
            other => panic!("rsh did not exit with {code}: {other:?}"),
        }
    }
}
