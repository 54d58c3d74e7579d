//! Per-member state of the admin commands: the fsync lock, runtime parameters and the `top`
//! counters.

use std::collections::{BTreeMap, HashMap};

use bson::{Bson, Document};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

/// Runtime replication parameters the sandbox honours (setParameter / getParameter).
#[derive(Debug, Clone, Copy)]
pub struct ReplParams {
    /// Oplog entries applied per batch on a secondary (mongod: `replBatchLimitOperations`).
    pub batch_limit_ops: i64,
    /// Bytes of oplog entries applied per batch (mongod: `replBatchLimitBytes`).
    pub batch_limit_bytes: i64,
}

impl Default for ReplParams {
    fn default() -> ReplParams {
        // mongod's defaults.
        ReplParams {
            batch_limit_ops: 5000,
            batch_limit_bytes: 100 * 1024 * 1024,
        }
    }
}

/// Time and count of one kind of operation on one namespace (`top`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub micros: i64,
    pub count: i64,
}

/// `top`'s rows for one namespace.
#[derive(Debug, Clone, Default)]
pub struct NsUsage {
    pub total: Usage,
    pub read_lock: Usage,
    pub write_lock: Usage,
    pub by_op: BTreeMap<&'static str, Usage>,
}

/// A logical session seen on this member: its last use and the cursors opened under it
/// (`db`, collection, cursor id) for killSessions.
#[derive(Debug, Clone)]
pub struct SessionSeen {
    pub id: Bson,
    pub last_use: bson::DateTime,
    pub cursors: Vec<(String, String, i64)>,
}

#[derive(Debug)]
pub struct AdminState {
    /// fsync lock depth: writes wait while it is above zero.
    fsync_lock: watch::Sender<u32>,
    params: Mutex<ReplParams>,
    top: Mutex<BTreeMap<String, NsUsage>>,
    /// Keyed by the `lsid.id` bytes.
    sessions: Mutex<HashMap<Vec<u8>, SessionSeen>>,
}

impl Default for AdminState {
    fn default() -> AdminState {
        AdminState {
            fsync_lock: watch::channel(0).0,
            params: Mutex::new(ReplParams::default()),
            top: Mutex::new(BTreeMap::new()),
            sessions: Mutex::new(HashMap::new()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AdminState {
    pub fn params(&self) -> ReplParams {
        *lock(&self.params)
    }

    pub fn set_params(&self, f: impl FnOnce(&mut ReplParams)) {
        f(&mut lock(&self.params));
    }

    pub fn fsync_lock_count(&self) -> u32 {
        *self.fsync_lock.borrow()
    }

    /// Adds one fsync lock; returns the new depth.
    pub fn fsync_lock(&self) -> u32 {
        self.fsync_lock.send_modify(|n| *n += 1);
        self.fsync_lock_count()
    }

    /// Removes one fsync lock; `None` when none was held.
    pub fn fsync_unlock(&self) -> Option<u32> {
        let mut out = None;
        self.fsync_lock.send_if_modified(|n| {
            if *n == 0 {
                return false;
            }
            *n -= 1;
            out = Some(*n);
            true
        });
        out
    }

    /// Waits while an fsync lock is held (writes block behind it on mongod).
    pub async fn wait_unlocked(&self) {
        let mut rx = self.fsync_lock.subscribe();
        // The sender lives as long as the node: `wait_for` only fails when it is gone.
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// Counts one command on `ns` for `top`.
    pub fn record(&self, ns: &str, op: &'static str, write: bool, micros: i64) {
        let mut top = lock(&self.top);
        let u = top.entry(ns.to_string()).or_default();
        let add = |x: &mut Usage| {
            x.micros += micros;
            x.count += 1;
        };
        add(&mut u.total);
        add(if write {
            &mut u.write_lock
        } else {
            &mut u.read_lock
        });
        add(u.by_op.entry(op).or_default());
    }

    pub fn top(&self) -> BTreeMap<String, NsUsage> {
        lock(&self.top).clone()
    }
}

/// Sessions kept for $listLocalSessions (mongod's logical session cache holds ~1M; a bound keeps
/// a client that never ends its sessions from growing the member without limit).
const MAX_SESSIONS: usize = 100_000;

fn session_key(cmd: &Document) -> Option<(Vec<u8>, Bson)> {
    match cmd.get_document("lsid").ok()?.get("id")? {
        Bson::Binary(b) => Some((b.bytes.clone(), Bson::Binary(b.clone()))),
        _ => None,
    }
}

impl AdminState {
    /// Notes the command's session (if any) and a cursor it left open.
    pub fn saw_session(&self, cmd: &Document, cursor: Option<(String, String, i64)>) {
        let Some((key, id)) = session_key(cmd) else {
            return;
        };
        let mut map = lock(&self.sessions);
        if map.len() >= MAX_SESSIONS && !map.contains_key(&key) {
            return;
        }
        let s = map.entry(key).or_insert_with(|| SessionSeen {
            id,
            last_use: bson::DateTime::now(),
            cursors: Vec::new(),
        });
        s.last_use = bson::DateTime::now();
        if let Some(c) = cursor {
            s.cursors.push(c);
        }
    }

    /// Forgets the sessions whose `id`s are given; returns their cursors.
    pub fn end_sessions(&self, ids: &[Bson]) -> Vec<(String, String, i64)> {
        let mut map = lock(&self.sessions);
        let mut out = Vec::new();
        for id in ids {
            if let Bson::Binary(b) = id {
                if let Some(s) = map.remove(&b.bytes) {
                    out.extend(s.cursors);
                }
            }
        }
        out
    }

    /// Forgets every session.
    pub fn end_all_sessions(&self) {
        lock(&self.sessions).clear();
    }

    pub fn sessions(&self) -> Vec<SessionSeen> {
        let mut v: Vec<SessionSeen> = lock(&self.sessions).values().cloned().collect();
        v.sort_by_key(|s| s.last_use);
        v
    }
}
