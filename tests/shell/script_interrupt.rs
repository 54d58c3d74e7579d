//! Ctrl-C (SIGINT) while a script runs: the first sets the interrupt flag, which the engine and
//! natives such as sleep() check (the script stops: `interrupted`, status 130); a second SIGINT
//! ends the process with status 130 whatever runs.

use std::time::Duration;

use support::start_rsh;

fn sigint(pid: u32) {
    let pid = libc::pid_t::try_from(pid).unwrap_or_else(|e| panic!("pid: {e}"));
    // SAFETY: kill(2) on our own child process.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
}

#[test]
fn second_ctrl_c_ends_a_pure_js_loop_with_130() {
    let mut rsh = start_rsh(
        &[
            "--nodb",
            "--eval",
            "print('started')",
            "--eval",
            "while (true) {}",
        ],
        false,
    );
    // The first --eval's output is flushed when it ends: the loop is running after this line.
    assert_eq!(rsh.first_line, "started\n");
    // Signals sent too close together may merge into one, so keep sending until it exits.
    let status = rsh.wait_exit(
        Duration::from_secs(60),
        "rsh ignored SIGINT for 60 s",
        |pid| {
            sigint(pid);
            std::thread::sleep(Duration::from_millis(200));
        },
    );
    assert_eq!(status.code(), Some(130));
}

#[test]
fn one_ctrl_c_stops_a_loop_that_calls_natives() {
    let mut rsh = start_rsh(
        &[
            "--nodb",
            "--eval",
            "print('started')",
            "--eval",
            "while (true) { sleep(10) }",
            "--eval",
            "print('not reached')",
        ],
        true,
    );
    assert_eq!(rsh.first_line, "started\n");
    // Sent right after the first --eval's output: the second may not have started yet; the
    // SIGINT must still stop the script (no lost Ctrl-C between evaluations).
    sigint(rsh.child.id());
    let status = rsh.wait_exit(
        Duration::from_secs(60),
        "one SIGINT did not stop the script within 60 s",
        |_| std::thread::sleep(Duration::from_millis(20)),
    );
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut rsh.out, &mut rest);
    let mut err = String::new();
    if let Some(mut e) = rsh.child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert_eq!(status.code(), Some(130), "{err}");
    assert_eq!(err, "interrupted\n");
    assert_eq!(rest, "");
}
