//! The script runner as a real process: --eval and files in order, printing of the last --eval
//! value, exit statuses and messages (reference 5.3), rc files, --json.
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Run rsh with `args`, HOME set to `home`, `stdin` piped in; killed after 60 s.
fn rsh_in(home: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsh"))
        .args(args)
        .env("HOME", home)
        .env_remove("NO_COLOR")
        .current_dir(home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rsh: {e}"));
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let mut out = child.stdout.take().map(reader);
    let mut err = child.stderr.take().map(reader);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                panic!("rsh {args:?} did not finish within 60 s");
            }
        }
    };
    let take = |h: &mut Option<std::thread::JoinHandle<String>>| {
        h.take().and_then(|h| h.join().ok()).unwrap_or_default()
    };
    Run {
        status: status.code().unwrap_or(-1),
        stdout: take(&mut out),
        stderr: take(&mut err),
    }
}

fn reader<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = r.read_to_string(&mut s);
        s
    })
}

fn home() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn rsh(args: &[&str]) -> Run {
    let h = home();
    rsh_in(h.path(), args, "")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {name}: {e}"));
    path.to_string_lossy().into_owned()
}

#[test]
fn eval_prints_the_last_value_only() {
    let r = rsh(&[
        "--nodb",
        "--eval",
        "7",
        "--eval",
        "var a = 5",
        "--eval",
        "a * 2",
    ]);
    assert_eq!(
        (r.status, r.stdout.as_str(), r.stderr.as_str()),
        (0, "10\n", "")
    );
    let r = rsh(&["--nodb", "--eval", "'raw' + ' string'"]);
    assert_eq!(r.stdout, "raw string\n");
    let r = rsh(&["--nodb", "--eval", "var x = 1"]);
    assert_eq!((r.status, r.stdout.as_str()), (0, ""));
}

#[test]
fn eval_failure_is_252_with_a_report_on_stderr() {
    let r = rsh(&[
        "--nodb",
        "--eval",
        "print('before')",
        "--eval",
        "throw new Error('boom')",
    ]);
    assert_eq!(r.status, 252);
    assert_eq!(r.stdout, "before\n");
    assert!(
        r.stderr.contains("uncaught exception: Error: boom"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(shell eval):1:"), "{}", r.stderr);
    assert!(r.stderr.ends_with("exiting with code -4\n"), "{}", r.stderr);
    let r = rsh(&["--nodb", "--eval", "1 +* 2"]);
    assert_eq!(r.status, 252);
    assert!(r.stderr.contains("SyntaxError"), "{}", r.stderr);
}

#[test]
fn evals_run_before_files_in_order() {
    let h = home();
    let a = write(h.path(), "a.js", "print('file a: ' + n)\n");
    let b = write(h.path(), "b.js", "print('file b')\n");
    let r = rsh_in(h.path(), &["--nodb", &a, &b, "--eval", "var n = 1"], "");
    assert_eq!(r.status, 0, "{}", r.stderr);
    let want = format!("loading file: {a}\nfile a: 1\nloading file: {b}\nfile b\n");
    assert_eq!(r.stdout, want);
    let r = rsh_in(h.path(), &["--nodb", "--eval", "print('eval')", &b], "");
    assert_eq!(r.stdout, "eval\nfile b\n");
}

#[test]
fn file_failures_are_253() {
    let h = home();
    let missing = h.path().join("missing.js");
    let missing = missing.to_string_lossy();
    let r = rsh_in(h.path(), &["--nodb", &missing], "");
    assert_eq!(r.status, 253);
    assert!(
        r.stderr.contains(&format!("failed to load: {missing}")),
        "{}",
        r.stderr
    );
    let bad = write(
        h.path(),
        "throws.js",
        "var ok = 1;\nthrow new Error('in file');\n",
    );
    let after = write(h.path(), "after.js", "print('never')\n");
    let r = rsh_in(h.path(), &["--nodb", &bad, &after], "");
    assert_eq!(r.status, 253);
    assert!(
        r.stderr.contains("uncaught exception: Error: in file"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("failed to load: {bad}")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with("exiting with code -3\n"), "{}", r.stderr);
    assert!(!r.stdout.contains("never"));
}

#[test]
fn syntax_error_in_a_loaded_file_names_file_line_and_column() {
    let h = home();
    let inner = write(h.path(), "inner.js", "var a = 1;\nvar b = (2 +;\n");
    let main = write(
        h.path(),
        "main.js",
        &format!("load({inner:?});\nprint('unreached');\n"),
    );
    let r = rsh_in(h.path(), &["--nodb", &main], "");
    assert_eq!(r.status, 253, "{}", r.stderr);
    assert!(r.stderr.contains("SyntaxError"), "{}", r.stderr);
    assert!(r.stderr.contains("inner.js:2:"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("failed to load: {main}")),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("unreached"));
}

#[test]
fn quit_sets_the_status() {
    let r = rsh(&["--nodb", "--eval", "print('a'); quit(3); print('b')"]);
    assert_eq!(
        (r.status, r.stdout.as_str(), r.stderr.as_str()),
        (3, "a\n", "")
    );
    let r = rsh(&["--nodb", "--eval", "quit()"]);
    assert_eq!(r.status, 0);
    let h = home();
    let f = write(h.path(), "q.js", "quit(4)\n");
    assert_eq!(rsh_in(h.path(), &["--nodb", &f], "").status, 4);
}

#[test]
fn json_prints_extended_json() {
    let r = rsh(&["--nodb", "--json", "--eval", "({a: 1, b: 'x'})"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON: {e}: {}", r.stdout));
    assert_eq!(v["b"], "x");
    assert_eq!(v["a"].as_f64(), Some(1.0));
    let r = rsh(&["--nodb", "--json=canonical", "--eval", "({a: 1})"]);
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON: {e}: {}", r.stdout));
    assert!(
        v["a"].is_object(),
        "canonical keeps the number type: {}",
        r.stdout
    );
}

#[test]
fn interactive_session_from_piped_input() {
    let h = home();
    let r = rsh_in(
        h.path(),
        &["--nodb"],
        "var a = 20\nfunction f(x) {\nreturn x + 1\n}\nf(a)\n",
    );
    assert_eq!(
        (r.status, r.stdout.as_str()),
        (0, "21\nbye\n"),
        "{}",
        r.stderr
    );
    // The last entry failed → status 1; an earlier failure does not count.
    let r = rsh_in(h.path(), &["--nodb"], "1\nthrow new Error('last')\n");
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("uncaught exception: Error: last"),
        "{}",
        r.stderr
    );
    let r = rsh_in(h.path(), &["--nodb", "--quiet"], "throw 1\n'fine'\n");
    assert_eq!((r.status, r.stdout.as_str()), (0, "fine\n"));
    let r = rsh_in(
        h.path(),
        &["--nodb"],
        "print('x')\nexit\nprint('not run')\n",
    );
    assert_eq!((r.status, r.stdout.as_str()), (0, "x\nbye\n"));
    let r = rsh_in(h.path(), &["--nodb"], "exit;\n");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""));
}

#[test]
fn shell_option_enters_the_repl_after_scripts() {
    let h = home();
    let r = rsh_in(
        h.path(),
        &["--nodb", "--shell", "--eval", "var v = 'from eval'"],
        "v\n",
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "type \"help\" for help\nfrom eval\nbye\n");
}

#[test]
fn rc_files() {
    let h = home();
    write(h.path(), ".mongorc.js", "var fromRc = 'mongorc';\n");
    let r = rsh_in(h.path(), &["--nodb"], "fromRc\n");
    assert_eq!(r.stdout, "mongorc\nbye\n", "{}", r.stderr);
    // ~/.rshrc.js wins over ~/.mongorc.js; --norc skips it; scripts do not run it.
    write(h.path(), ".rshrc.js", "var fromRc = 'rshrc';\n");
    assert_eq!(
        rsh_in(h.path(), &["--nodb"], "fromRc\n").stdout,
        "rshrc\nbye\n"
    );
    let r = rsh_in(h.path(), &["--nodb", "--norc"], "typeof fromRc\n");
    assert_eq!(r.stdout, "undefined\nbye\n");
    let r = rsh_in(h.path(), &["--nodb", "--eval", "typeof fromRc"], "");
    assert_eq!(r.stdout, "undefined\n");
    write(h.path(), ".rshrc.js", "throw new Error('bad rc');\n");
    let r = rsh_in(h.path(), &["--nodb"], "print('not reached')\n");
    assert_eq!(r.status, 251);
    assert!(
        r.stderr.contains("uncaught exception: Error: bad rc"),
        "{}",
        r.stderr
    );
    assert!(r
        .stderr
        .contains("The \".rshrc.js\" file located in your home folder could not be executed"));
    assert!(!r.stdout.contains("not reached"));
}

#[test]
fn connection_failure_is_status_1() {
    // A loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("bind: {e}"));
    let addr = format!("127.0.0.1:{port}");
    let r = rsh(&[
        &addr,
        "--serverSelectionTimeoutMS",
        "2000",
        "--eval",
        "print('connected')",
    ]);
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("exception: connect failed"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("connected"));
}
