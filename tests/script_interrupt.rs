//! Ctrl-C (SIGINT) while a script runs: the first sets the interrupt flag, which natives such as
//! sleep() check (the script stops: `interrupted`, status 130); a pure-JS loop never looks at the
//! flag, so a second SIGINT ends the process with status 130.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sigint(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap_or_else(|e| panic!("pid: {e}"));
    // SAFETY: kill(2) on our own child process.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
}

#[test]
fn second_ctrl_c_ends_a_pure_js_loop_with_130() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsh"))
        .args([
            "--nodb",
            "--eval",
            "print('started')",
            "--eval",
            "while (true) {}",
        ])
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rsh: {e}"));
    // The first --eval's output is flushed when it ends: the loop is running after this line.
    let mut first = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut first);
    }
    assert_eq!(first, "started\n");
    // Signals sent too close together may merge into one, so keep sending until it exits.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("rsh ignored SIGINT for 60 s");
        }
        sigint(child.id());
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status.code(), Some(130));
}

#[test]
fn one_ctrl_c_stops_a_loop_that_calls_natives() {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsh"))
        .args(["--nodb", "--eval", "print('started')"])
        .args([
            "--eval",
            "while (true) { sleep(10) }",
            "--eval",
            "print('not reached')",
        ])
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rsh: {e}"));
    let mut out = BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
    let mut first = String::new();
    let _ = out.read_line(&mut first);
    assert_eq!(first, "started\n");
    // Sent right after the first --eval's output: the second may not have started yet; the
    // SIGINT must still stop the script (no lost Ctrl-C between evaluations).
    sigint(child.id());
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("one SIGINT did not stop the script within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut out, &mut rest);
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(err, "interrupted\n");
    assert_eq!(rest, "");
}
