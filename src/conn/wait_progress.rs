//! The REPL's one-line progress while a command waits for a primary (an election, or every
//! member down): `waiting for a primary: election in progress, 4 s` on stderr, rewritten in
//! place each second and erased when the wait ends. Scripts and piped sessions print nothing,
//! so their output stays what the legacy shell printed.

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::error::ConnError;
use super::runtime::{block_on, block_on_ticking};
use super::socket_timeout::socket_timeout_error;
use super::topology::{Role, TopologyView};
use super::Connection;

/// Set by the REPL when a person is watching (stdin and stderr are terminals).
static SHOW: AtomicBool = AtomicBool::new(false);

/// A wait shorter than this is not worth a line.
const QUIET_FOR: Duration = Duration::from_secs(1);

pub fn show_wait_progress(on: bool) {
    SHOW.store(on, Ordering::SeqCst);
}

/// Why there is no primary, from the monitor's last view of the members.
pub fn reason(view: &TopologyView) -> &'static str {
    let reachable = view
        .members
        .iter()
        .any(|m| !matches!(m.role, Role::Unknown | Role::Ghost));
    if reachable {
        "election in progress"
    } else {
        "no member reachable"
    }
}

/// The progress text for a wait of `elapsed`.
pub fn progress_line(reason: &str, elapsed: Duration) -> String {
    format!("waiting for a primary: {reason}, {} s", elapsed.as_secs())
}

/// Draws and erases the line for one wait.
#[derive(Default)]
struct Progress {
    shown_secs: Option<u64>,
}

impl Progress {
    fn tick(&mut self, elapsed: Duration, view: &TopologyView) {
        if elapsed < QUIET_FOR || view.primary().is_some() {
            return;
        }
        let secs = elapsed.as_secs();
        if self.shown_secs == Some(secs) {
            return;
        }
        self.shown_secs = Some(secs);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\x1b[K", progress_line(reason(view), elapsed));
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.shown_secs.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
}

impl Connection {
    /// Run `fut` like `block_on`; when it goes to the primary of a replica set and the REPL is
    /// on a terminal, show the progress line while no primary is known.
    pub(crate) fn wait_primary<F, T>(&self, to_primary: bool, fut: F) -> Result<T, ConnError>
    where
        F: Future<Output = T>,
    {
        let show = self.replica_set && to_primary && SHOW.load(Ordering::SeqCst);
        let check_set = self.replica_set && self.options.repl_set_name.is_some();
        let connecting = self.connecting.load(Ordering::SeqCst);
        if !show && !check_set && !connecting && self.socket_timeout.is_none() {
            return block_on(&self.interrupt, fut);
        }
        if self.socket_timeout.is_some() {
            self.in_flight.reset();
        }
        let mut progress = Progress::default();
        let out = block_on_ticking(&self.interrupt, fut, |elapsed| {
            if let Some(limit) = self.socket_timeout {
                if let Some(name) = self.in_flight.overdue(limit) {
                    return Some(socket_timeout_error(&name, limit));
                }
            }
            if connecting {
                // Connecting to hosts that all refuse (or do not resolve): say so at once.
                if let Some(m) = self.facts().refused_decided() {
                    return Some(ConnError::NoServer(m));
                }
            }
            if check_set {
                // Every seed answered with another set name: no wait can change that.
                if let Some(m) = self.facts().set_mismatch_decided() {
                    return Some(ConnError::NoServer(m));
                }
            }
            if show && elapsed >= QUIET_FOR {
                progress.tick(elapsed, &self.topology());
            }
            None
        });
        progress.finish();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::topology::MemberView;

    fn view(roles: &[Role]) -> TopologyView {
        TopologyView {
            kind: "ReplicaSetNoPrimary".into(),
            set_name: Some("rs0".into()),
            members: roles
                .iter()
                .enumerate()
                .map(|(i, r)| MemberView {
                    address: format!("h:{i}"),
                    role: *r,
                    set_name: Some("rs0".into()),
                })
                .collect(),
            generation: 1,
            heard: Default::default(),
        }
    }

    #[test]
    fn line_names_the_reason_and_whole_seconds() {
        let v = view(&[Role::Secondary, Role::Unknown, Role::Secondary]);
        assert_eq!(
            progress_line(reason(&v), Duration::from_millis(4700)),
            "waiting for a primary: election in progress, 4 s"
        );
        let v = view(&[Role::Unknown, Role::Unknown]);
        assert_eq!(
            progress_line(reason(&v), Duration::from_secs(12)),
            "waiting for a primary: no member reachable, 12 s"
        );
    }
}
