//! Operations in progress, for `currentOp` and `killOp`: each client command registers while it
//! runs (the guard removes it when it ends) and each connection while it is open, so
//! `db.currentOp()` lists what is running and `db.currentOp(true)` the idle connections too.
//! `killOp` wakes the command's kill signal; dispatch then answers 11601 Interrupted.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bson::{doc, Bson, Document};
use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct Ops {
    next_opid: AtomicI64,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    running: BTreeMap<i64, Running>,
    conns: BTreeMap<i32, ConnInfo>,
}

#[derive(Debug)]
struct Running {
    conn: i32,
    started: Instant,
    op: &'static str,
    ns: String,
    /// The request's own document (shared, not copied: inserts carry their documents).
    command: Arc<Document>,
    kill: Arc<Notify>,
    killed: bool,
}

#[derive(Debug, Default)]
struct ConnInfo {
    client: String,
    metadata: Option<Document>,
}

/// A command's registration; dropping it ends the operation.
pub struct OpGuard<'a> {
    ops: &'a Ops,
    opid: i64,
    kill: Arc<Notify>,
}

impl OpGuard<'_> {
    /// Resolves when `killOp` names this operation.
    pub async fn killed(&self) {
        self.kill.notified().await;
    }
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        self.ops.lock().running.remove(&self.opid);
    }
}

/// The `op` field mongod reports for a command name.
fn op_kind(name: &str) -> &'static str {
    match name {
        "find" => "query",
        "getMore" => "getmore",
        "insert" => "insert",
        "update" => "update",
        "delete" => "remove",
        _ => "command",
    }
}

/// Commands that are the sandbox's own member-to-member traffic (not listed, as mongod lists
/// replication work under other names).
fn is_internal(name: &str) -> bool {
    name.starts_with("_sandbox")
}

impl Ops {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn connection_opened(&self, id: i32, client: String) {
        self.lock().conns.insert(
            id,
            ConnInfo {
                client,
                metadata: None,
            },
        );
    }

    /// The handshake's `client` document (appName, driver) for this connection.
    pub fn connection_metadata(&self, id: i32, metadata: Document) {
        if let Some(c) = self.lock().conns.get_mut(&id) {
            c.metadata = Some(metadata);
        }
    }

    pub fn connection_closed(&self, id: i32) {
        self.lock().conns.remove(&id);
    }

    /// Registers a command until the guard is dropped.
    pub fn begin(&self, conn: i32, name: &str, db: &str, cmd: &Arc<Document>) -> OpGuard<'_> {
        let opid = self.next_opid.fetch_add(1, Ordering::Relaxed) + 1;
        let ns = match cmd.get(name) {
            Some(Bson::String(coll)) if !coll.is_empty() => format!("{db}.{coll}"),
            _ => format!("{db}.$cmd"),
        };
        let kill = Arc::new(Notify::new());
        self.lock().running.insert(
            opid,
            Running {
                conn,
                started: Instant::now(),
                op: op_kind(name),
                ns,
                command: Arc::clone(cmd),
                kill: kill.clone(),
                killed: false,
            },
        );
        OpGuard {
            ops: self,
            opid,
            kill,
        }
    }

    /// `killOp`: true when `opid` was running (it is told to stop; mongod also answers ok when
    /// the operation is already gone).
    pub fn kill(&self, opid: i64) -> bool {
        let mut inner = self.lock();
        match inner.running.get_mut(&opid) {
            Some(r) => {
                r.killed = true;
                r.kill.notify_one();
                true
            }
            None => false,
        }
    }

    /// The `inprog` documents: running commands (mongod's field order), then, with `all`, the
    /// connections that run nothing.
    pub fn report(&self, host: &str, all: bool) -> Vec<Document> {
        let inner = self.lock();
        let now = bson::DateTime::now();
        let mut out = Vec::new();
        let mut busy = std::collections::BTreeSet::new();
        for (opid, r) in &inner.running {
            let name = r.command.keys().next().map(String::as_str).unwrap_or("");
            if is_internal(name) {
                continue;
            }
            let awaiting = matches!(name, "hello" | "isMaster" | "ismaster")
                && r.command.contains_key("maxAwaitTimeMS");
            if awaiting && !all {
                continue;
            }
            busy.insert(r.conn);
            let micros = r.started.elapsed().as_micros().min(i64::MAX as u128) as i64;
            let mut d = conn_fields(host, r.conn, inner.conns.get(&r.conn));
            d.insert("active", true);
            d.insert(
                "currentOpTime",
                now.try_to_rfc3339_string().unwrap_or_default(),
            );
            d.insert("threaded", true);
            d.insert("opid", *opid);
            d.insert("secs_running", micros / 1_000_000);
            d.insert("microsecs_running", micros);
            d.insert("op", r.op);
            d.insert("ns", r.ns.as_str());
            d.insert("redacted", false);
            d.insert("command", shown_command(&r.command));
            d.insert("numYields", 0);
            if r.killed {
                d.insert("killPending", true);
            }
            d.insert("locks", Document::new());
            d.insert("waitingForLock", false);
            d.insert("lockStats", Document::new());
            d.insert("waitingForFlowControl", false);
            d.insert("flowControlStats", Document::new());
            out.push(d);
        }
        if all {
            for (id, c) in &inner.conns {
                if busy.contains(id) {
                    continue;
                }
                let mut d = conn_fields(host, *id, Some(c));
                d.insert("active", false);
                d.insert(
                    "currentOpTime",
                    now.try_to_rfc3339_string().unwrap_or_default(),
                );
                out.push(d);
            }
        }
        out
    }
}

/// The command as currentOp shows it: without the driver's envelope fields.
fn shown_command(cmd: &Document) -> Document {
    cmd.iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "$clusterTime" | "$readPreference" | "lsid" | "txnNumber"
            )
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The fields every `inprog` entry of a client connection starts with.
fn conn_fields(host: &str, id: i32, c: Option<&ConnInfo>) -> Document {
    let mut d = doc! {
        "type": "op",
        "host": host,
        "desc": format!("conn{id}"),
        "connectionId": id,
    };
    if let Some(c) = c {
        d.insert("client", c.client.as_str());
        if let Some(m) = &c.metadata {
            if let Ok(app) = m
                .get_document("application")
                .and_then(|a| a.get_str("name"))
            {
                d.insert("appName", app);
            }
            d.insert("clientMetadata", m.clone());
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn commands_show_while_running_and_kill_wakes_them() {
        let ops = Ops::default();
        ops.connection_opened(7, "127.0.0.1:5000".into());
        ops.connection_opened(8, "127.0.0.1:5001".into());
        ops.connection_metadata(7, doc! {"application": {"name": "rsh"}});
        let g = ops.begin(
            7,
            "find",
            "test",
            &Arc::new(doc! {"find": "c", "filter": {"a": 1}, "lsid": {}}),
        );
        let list = ops.report("h:1", false);
        assert_eq!(list.len(), 1);
        let d = &list[0];
        assert_eq!(d.get_str("op"), Ok("query"));
        assert_eq!(d.get_str("ns"), Ok("test.c"));
        assert_eq!(d.get_str("desc"), Ok("conn7"));
        assert_eq!(d.get_str("appName"), Ok("rsh"));
        assert_eq!(
            d.get_document("command"),
            Ok(&doc! {"find": "c", "filter": {"a": 1}})
        );
        assert_eq!(ops.report("h:1", true).len(), 2, "the idle connection too");
        let opid = d.get_i64("opid").unwrap_or(-1);
        assert!(ops.kill(opid));
        // The permit is kept: a command that starts waiting after the kill still wakes.
        g.killed().await;
        drop(g);
        assert!(ops.report("h:1", false).is_empty());
        assert!(!ops.kill(opid));
        ops.connection_closed(7);
        ops.connection_closed(8);
        assert!(ops.report("h:1", true).is_empty());
    }
}
