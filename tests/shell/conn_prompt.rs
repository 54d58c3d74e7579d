//! The REPL prompt in a pseudo-terminal follows the member's state: `> ` before the set is
//! initiated, then `rs0:PRIMARY> ` once it is elected; and it stays `> ` right away (no wait
//! on server selection) after the server is gone.

use std::process::Command;
use std::time::Duration;

use rexpect::session::{spawn_command, PtySession};
use support::{free_port, Member};

const TIMEOUT_MS: u64 = 30_000;

fn send(s: &mut PtySession, text: &str) {
    s.send(text).unwrap_or_else(|e| panic!("send: {e}"));
    s.flush().unwrap_or_else(|e| panic!("flush: {e}"));
}

fn expect(s: &mut PtySession, needle: &str) -> String {
    s.exp_string(needle)
        .unwrap_or_else(|e| panic!("waiting for {needle:?}: {e}"))
}

#[test]
fn prompt_follows_initiate_and_server_loss() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut m = Member::start(root.path(), free_port(), &["--replSet", "rs0"]);
    let home = tempfile::tempdir().expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh"));
    cmd.args(["--quiet", "--norc", &m.host()])
        .env("HOME", home.path())
        .env("TERM", "xterm");
    let mut s = spawn_command(cmd, Some(TIMEOUT_MS)).unwrap_or_else(|e| panic!("spawn: {e}"));
    expect(&mut s, "> ");
    send(&mut s, "rs.initiate().ok\r");
    expect(&mut s, "1");
    // Press Enter once a second for a while: one of the prompts shows the elected primary.
    for _ in 0..12 {
        std::thread::sleep(Duration::from_secs(1));
        send(&mut s, "\r");
    }
    expect(&mut s, "rs0:PRIMARY> ");
    m.kill();
    send(&mut s, "\r");
    send(&mut s, "\r");
    // rustyline redraws the line: the prompt follows an erase-line sequence.
    expect(&mut s, "\u{1b}[K> ");
    // `exit` leaves silently under --quiet.
    send(&mut s, "exit\r");
    s.exp_eof()
        .unwrap_or_else(|e| panic!("rsh did not exit: {e}"));
}
