//! Third-party clients against rsh-sandbox: pymongo (tests/clients/pymongo_flow.py) and mongosh
//! (tests/clients/mongosh_flow.sh). .ci/run installs both (`pip install 'pymongo>=4.6,<5'`,
//! `npm install --prefix .tools mongosh@2`). Each script starts, kills and restarts its own
//! members on free loopback ports and stops them on every exit path; the test adds a hard
//! time limit so nothing can hang.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(300);

/// Runs a command with a time limit; kills it (and fails) when the limit passes.
fn run_with_limit(mut cmd: Command, what: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("out.txt");
    let out = std::fs::File::create(&out_path).expect("output file");
    let err = out.try_clone().expect("output file");
    let mut child = cmd
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    println!("{text}");
    match status {
        Some(s) if s.success() => text,
        Some(s) => panic!("{what} failed ({s}):\n{text}"),
        None => panic!(
            "{what} did not finish within {} s:\n{text}",
            LIMIT.as_secs()
        ),
    }
}

#[test]
fn pymongo_replica_set_flow() {
    let work = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("python3");
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/pymongo_flow.py"))
        .arg(env!("CARGO_BIN_EXE_rsh-sandbox"))
        .arg(work.path());
    let out = run_with_limit(cmd, "pymongo flow");
    assert!(out.contains("PYMONGO FLOW OK"), "{out}");
}

#[test]
fn mongosh_rs_helpers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mongosh = root.join(".tools/node_modules/.bin/mongosh");
    assert!(
        mongosh.exists(),
        "mongosh is not installed: run .ci/run (npm install --prefix .tools mongosh@2)"
    );
    let work = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("bash");
    cmd.arg(root.join("tests/clients/mongosh_flow.sh"))
        .arg(env!("CARGO_BIN_EXE_rsh-sandbox"))
        .arg(&mongosh)
        .arg(work.path());
    let out = run_with_limit(cmd, "mongosh flow");
    assert!(out.contains("MONGOSH FLOW OK"), "{out}");
}
