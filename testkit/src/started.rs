//! rsh left running in the background (signals, /proc checks): started with a fresh HOME, read
//! up to its first output line, and waited for with a time limit.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Started {
    pub child: Child,
    /// The first line rsh printed (with its newline): the script is running past it.
    pub first_line: String,
    /// The rest of standard output.
    pub out: BufReader<ChildStdout>,
    _home: tempfile::TempDir,
}

/// Starts `rsh args…` (stdin closed, stdout piped, stderr piped or discarded) and reads its
/// first output line.
pub fn start_rsh(args: &[&str], keep_stderr: bool) -> Started {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut child = Command::new(crate::rsh_binary())
        .args(args)
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(if keep_stderr {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start rsh: {e}"));
    let stdout = child
        .stdout
        .take()
        .unwrap_or_else(|| panic!("rsh has no stdout"));
    let mut out = BufReader::new(stdout);
    let mut first_line = String::new();
    let _ = out.read_line(&mut first_line);
    Started {
        child,
        first_line,
        out,
        _home: home,
    }
}

impl Started {
    /// Waits up to `limit` for the process to end, calling `each` between checks; kills it and
    /// panics with `why` past the limit.
    pub fn wait_exit(
        &mut self,
        limit: Duration,
        why: &str,
        mut each: impl FnMut(u32),
    ) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{why}");
            }
            each(self.child.id());
        }
    }

    /// Ends the process (it is not expected to stop by itself).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
