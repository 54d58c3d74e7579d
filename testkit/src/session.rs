//! An interactive rsh kept running across steps (stdin piped, stdout read line by line), so a
//! test can kill a server between two commands of the same shell session.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Everything read so far (for failure messages).
    pub transcript: String,
}

impl Session {
    pub fn start(args: &[&str]) -> Session {
        let mut child = Command::new(crate::rsh_binary())
            .args(args)
            .env("HOME", std::env::temp_dir())
            .env("TZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn rsh");
        let stdin = child.stdin.take();
        let (tx, rx) = channel();
        if let Some(out) = child.stdout.take() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for l in BufReader::new(out).lines().map_while(Result::ok) {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
            });
        }
        if let Some(err) = child.stderr.take() {
            std::thread::spawn(move || {
                for l in BufReader::new(err).lines().map_while(Result::ok) {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
            });
        }
        Session {
            child,
            stdin,
            lines: rx,
            transcript: String::new(),
        }
    }

    /// Send one line, then a marker line, and return the output up to the marker.
    pub fn run(&mut self, line: &str, limit: Duration) -> String {
        let marker = format!("__done_{}__", self.transcript.len());
        if let Some(i) = self.stdin.as_mut() {
            let _ = writeln!(i, "{line}");
            let _ = writeln!(i, "print('{marker}')");
            let _ = i.flush();
        }
        let deadline = Instant::now() + limit;
        let mut out = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.transcript.push_str(&l);
                    self.transcript.push('\n');
                    if l.trim_end() == marker {
                        return out;
                    }
                    out.push_str(&l);
                    out.push('\n');
                }
                Err(_) => panic!(
                    "no answer to {line:?} within {limit:?}; transcript:\n{}",
                    self.transcript
                ),
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.stdin.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
