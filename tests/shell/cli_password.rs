//! `-p` without a value asks for the password on the terminal without echoing it.

use std::process::Command;

use support::start_rsh;

use rexpect::session::spawn_command;

#[test]
fn password_prompt_does_not_echo() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    // A loopback port nobody listens on: after the prompt, connecting fails (status 1).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("bind: {e}"));
    // rexpect turns the pty's echo off; `stty echo` turns it back on, as in a real terminal,
    // so only rsh's own termios handling can hide the password. `-p` followed by an option
    // has no value (a plain word after it would be the password).
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "stty echo && exec \"$0\" \"$1\" -u admin -p --serverSelectionTimeoutMS 2000 --eval 1",
        env!("CARGO_BIN_EXE_rsh"),
        &format!("127.0.0.1:{port}"),
    ])
    .env("HOME", home.path())
    .env("TERM", "xterm");
    let mut s = spawn_command(cmd, Some(30_000)).unwrap_or_else(|e| panic!("spawn: {e}"));
    s.exp_string("Enter password: ")
        .unwrap_or_else(|e| panic!("no prompt: {e}"));
    s.send_line("s3cr3t-pw")
        .unwrap_or_else(|e| panic!("send: {e}"));
    let rest = s
        .exp_string("exception: connect failed")
        .unwrap_or_else(|e| panic!("no connect failure: {e}"));
    assert!(!rest.contains("s3cr3t-pw"), "password echoed: {rest:?}");
}

#[test]
fn command_line_password_is_hidden_from_ps() {
    let mut rsh = start_rsh(
        &[
            "--nodb",
            "-u",
            "root",
            "-p",
            "Pa55word",
            "--eval",
            "print('up')",
            "--eval",
            "while (true) {}",
        ],
        false,
    );
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", rsh.child.id()));
    rsh.kill();
    assert_eq!(rsh.first_line, "up\n");
    let cmdline = String::from_utf8_lossy(&cmdline.unwrap_or_else(|e| panic!("cmdline: {e}")))
        .replace('\0', " ");
    assert!(!cmdline.contains("Pa55word"), "{cmdline}");
    assert!(cmdline.contains("-p xxxxxxxx --eval"), "{cmdline}");
}
