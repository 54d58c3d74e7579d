//! One replica-set member: shared state (`state`), the TCP server (`server`), command dispatch
//! (`dispatch`, `commands`), and the replication machinery started by `run`.
//!
//! `Node` derefs to `state::Shared`, so `node.repl()`, `node.topology`, `node.set_state(..)` and
//! `node.notify_progress()` work on an `Arc<Node>`.

pub mod commands;
pub mod config_view;
pub mod dispatch;
pub mod election;
pub mod exhaust;
pub mod fail_points;
pub mod heartbeat;
pub mod internal_cmds;
pub mod max_time;
pub mod newly_added;
pub mod ops;
pub mod peer;
pub mod replication;
pub mod rollback;
pub mod server;
pub mod state;
pub mod stepdown;
pub mod tls;

use std::ops::Deref;
use std::sync::Arc;

use bson::Document;

use super::data::Store;
use super::options::Options;
use state::Shared;

pub use state::{MemberHealth, MemberState, Repl};

/// One member process.
pub struct Node {
    pub opts: Options,
    pub store: Store,
    /// configureFailPoint's state (inert without enableTestCommands).
    pub fail_points: fail_points::FailPoints,
    shared: Shared,
}

impl Deref for Node {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl Node {
    /// Builds the node and loads what a previous run persisted (config, term, vote).
    pub fn new(opts: Options, store: Store) -> Arc<Node> {
        let shared = Shared::new(opts.repl_set.clone());
        let fail_points = fail_points::FailPoints::new(opts.test_commands_enabled());
        let node = Arc::new(Node {
            opts,
            store,
            fail_points,
            shared,
        });
        node.load_persisted();
        node
    }

    /// Port this node listens on.
    pub fn port(&self) -> u16 {
        self.opts.port
    }

    /// True when `host` ("h:p") names this process: our port and a name or address we answer on.
    pub fn is_self(&self, host: &str) -> bool {
        let Some((h, p)) = host.rsplit_once(':') else {
            return false;
        };
        if p.parse::<u16>().ok() != Some(self.opts.port) {
            return false;
        }
        let h = h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let loopback = h == "localhost" || h.starts_with("127.") || h == "::1";
        let bound_loopback = self.opts.bind_ip_all
            || self
                .opts
                .bind_ip
                .iter()
                .any(|b| b == "localhost" || b.starts_with("127.") || b == "::1");
        (loopback && bound_loopback)
            || self.opts.bind_ip.iter().any(|b| b.eq_ignore_ascii_case(&h))
            || h == hostname().to_ascii_lowercase()
    }

    /// The term and vote persisted in `local.replset.election`, and the config of
    /// `local.system.replset`.
    fn load_persisted(&self) {
        let mut repl = self.repl();
        if let Some(e) = self.store.get_local("replset.election") {
            repl.term = int_field(&e, "term").unwrap_or(0);
            let candidate = int_field(&e, "candidateIndex");
            repl.voted_for = candidate.map(|c| (repl.term, c as i32));
        }
        if let Some(cfg) = self.store.replset_config() {
            repl.config_doc = Some(cfg);
        }
    }

    /// Persists term and vote (call after changing `repl.term` / `repl.voted_for`).
    pub fn persist_term(&self, repl: &Repl) {
        let mut d = bson::doc! {"term": repl.term};
        if let Some((t, c)) = repl.voted_for {
            if t == repl.term {
                d.insert("candidateIndex", c as i64);
            }
        }
        self.store.put_local("replset.election", d);
        self.store.set_term(repl.term);
    }
}

fn int_field(d: &Document, k: &str) -> Option<i64> {
    match d.get(k)? {
        bson::Bson::Int32(v) => Some(i64::from(*v)),
        bson::Bson::Int64(v) => Some(*v),
        bson::Bson::Double(v) => Some(*v as i64),
        _ => None,
    }
}

/// The OS host name (what `bind_ip_all` nodes call themselves).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Starts the background loops of a member (heartbeats, elections, replication) and serves
/// clients on `listeners` until the process is told to stop.
pub async fn run(node: Arc<Node>, listeners: Vec<tokio::net::TcpListener>) {
    heartbeat::spawn(&node);
    election::spawn(&node);
    replication::spawn(&node);
    newly_added::spawn(&node);
    server::serve(node, listeners).await;
}
