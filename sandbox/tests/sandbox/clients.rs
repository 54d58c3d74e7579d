//! Third-party clients against rsh-sandbox: pymongo (tests/clients/pymongo_flow.py) and mongosh
//! (tests/clients/mongosh_flow.sh). scripts/test.sh installs both where missing (pymongo into
//! .tools/venv, mongosh into .tools/); the test support finds them. Each script starts, kills and restarts its own members on
//! free loopback ports and stops them on its normal exit paths; this harness runs the script in a
//! process group of its own and kills the whole group on a time limit or on drop, so no member
//! outlives the test.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(120);

/// A script and everything it started: SIGKILLed as a process group when dropped.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: kill(2) with a negative pid signals the group this child leads (process_group(0)).
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.0.wait();
    }
}

/// Runs a script with a time limit and returns its combined output; panics (after killing its
/// process group) when it fails or overruns.
fn run_with_limit(mut cmd: Command, what: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("out.txt");
    let out = std::fs::File::create(&out_path).expect("output file");
    let err = out.try_clone().expect("output file");
    let child = cmd
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let mut group = Group(child);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = group.0.try_wait().expect("wait") {
            break Some(s);
        }
        if start.elapsed() > LIMIT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(group); // also reaps members a failed script left behind
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

/// The sandbox crate's folder (its client scripts are under tests/clients).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn pymongo_replica_set_flow() {
    let Some(python) = support::pymongo_python("pymongo replica-set flow") else {
        return;
    };
    let work = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(python);
    cmd.arg(root().join("tests/clients/pymongo_flow.py"))
        .arg(env!("CARGO_BIN_EXE_rsh-sandbox"))
        .arg(work.path());
    let out = run_with_limit(cmd, "pymongo flow");
    assert!(out.contains("driver error after the kill: "), "{out}");
    assert!(out.contains("PYMONGO FLOW OK"), "{out}");
}

#[test]
fn mongosh_rs_helpers() {
    let Some(mongosh) = support::mongosh("mongosh rs helpers") else {
        return;
    };
    let work = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("tests/clients/mongosh_flow.sh"))
        .arg(env!("CARGO_BIN_EXE_rsh-sandbox"))
        .arg(&mongosh)
        .arg(work.path());
    let out = run_with_limit(cmd, "mongosh flow");
    assert!(out.contains("MONGOSH FLOW OK"), "{out}");
}
