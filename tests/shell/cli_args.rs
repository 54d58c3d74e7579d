//! Command-line errors as a real process: conflicts are one line on stderr and status 1;
//! unknown options are usage errors (status 2); --help and --version succeed.
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn rsh(args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsh"))
        .args(args)
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rsh: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("rsh {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"));
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Status 1, nothing on stdout, exactly one line on stderr containing `needle`.
fn assert_one_line_error(args: &[&str], needle: &str) {
    let (status, out, err) = rsh(args);
    assert_eq!(status, 1, "{args:?}: {err}");
    assert_eq!(out, "", "{args:?}");
    assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
}

#[test]
fn conflicts_exit_1_with_one_line() {
    let uri = "If a full URI is provided, you cannot also specify --host or --port";
    assert_one_line_error(&["--host", "h1", "mongodb://h2:1/"], uri);
    assert_one_line_error(&["--port", "2", "mongodb://h2:1/"], uri);
    assert_one_line_error(&["--host", "mongodb://h2:1/", "--port", "3"], uri);
    let port = "connection string bears different port than provided by --port";
    assert_one_line_error(&["--host", "h1:1", "--port", "2", "--eval", "1"], port);
    assert_one_line_error(&["--port", "2", "h1:1/admin"], port);
    assert_one_line_error(&["--host", "h1", "other:5"], "database name");
    assert_one_line_error(&["h1:70000"], "invalid port");
    assert_one_line_error(&["-p", "secret", "h1:1"], "user name");
    assert_one_line_error(&["mongodb://h/?directConnection=maybe"], "true or false");
}

#[test]
fn conflicts_are_checked_before_running_anything() {
    let (status, out, _) = rsh(&["--host", "a:1", "--port", "2", "--eval", "print('ran')"]);
    assert_eq!(status, 1);
    assert!(!out.contains("ran"));
}

#[test]
fn usage_errors_exit_2() {
    let (status, _, err) = rsh(&["--no-such-option"]);
    assert_eq!(status, 2);
    assert!(err.contains("--no-such-option"), "{err}");
    let (status, _, err) = rsh(&["--json=xml", "--nodb"]);
    assert_eq!(status, 2);
    assert!(err.contains("xml"), "{err}");
    let (status, _, _) = rsh(&["--port", "notanumber"]);
    assert_eq!(status, 2);
}

#[test]
fn help_and_version() {
    let (status, out, _) = rsh(&["--help"]);
    assert_eq!(status, 0);
    for opt in [
        "--eval",
        "--nodb",
        "--authenticationDatabase",
        "--tlsCAFile",
        "sslCAFile",
        "--json",
    ] {
        assert!(out.contains(opt), "--help lacks {opt}");
    }
    assert!(out.contains("rsh [options] [address] [files...]"));
    let (status, out, _) = rsh(&["--version"]);
    assert_eq!(status, 0);
    assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out}");
}

#[test]
fn ssl_spellings_are_accepted() {
    // Parsed fine (the failure comes later, from connecting), so not a usage error.
    let (status, _, err) = rsh(&[
        "--ssl",
        "--sslAllowInvalidCertificates",
        "--sslAllowInvalidHostnames",
        "--sslPEMKeyPassword",
        "x",
        "--nodb",
        "--eval",
        "1",
    ]);
    assert_eq!(status, 0, "{err}");
}
