//! The `rsh-sandbox cluster` launcher as a child process.

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::time::Duration;

/// The launcher's summary, up to its "press Ctrl-C" line, read from `child`'s piped stdout on
/// a thread so a stuck launcher cannot hang the test (empty after `limit`).
pub fn summary(child: &mut Child, limit: Duration) -> String {
    let Some(out) = child.stdout.take() else {
        return String::new();
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
            if line.starts_with("press Ctrl-C") {
                break;
            }
        }
        let _ = tx.send(text);
    });
    rx.recv_timeout(limit).unwrap_or_default()
}
