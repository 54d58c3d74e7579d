//! Logical sessions: the implicit one shown at startup (`Implicit session: session { "id" :
//! UUID(…) }`) and the explicit ones of `startSession()`.
//!
//! The shell's own session is held here from the moment its id is shown: left to the driver,
//! each command would take a session from the pool, which gets a used one back only when a
//! task spawned at its release has run, so under load a command could carry a new lsid.
//! Holding it makes every command of the connection carry the id printed at start-up, as in
//! the legacy shell (not causally consistent, as an implicit session is not).
//!
//! An explicit session is a driver session kept here under a small handle. The JS side names
//! it in the connection handle of a session's databases, and [`Connection::use_session`]
//! makes it the session of the calls that follow, so their commands carry its lsid (and a
//! retryable write its txnNumber).

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};

use mongodb::bson::{doc, from_document, to_document, Bson, Document, Timestamp};
use mongodb::{ClientSession, ClusterTime};

use super::client::Connection;
use super::error::{plain_error_text, ConnError};
use super::runtime::block_on;
use super::spec::{ReadPref, Target};

/// A driver session shared by the calls (and cursors) that run in it.
pub(crate) type Shared = Arc<tokio::sync::Mutex<Slot>>;

/// Reads that wait for the session's last operation in a causally consistent session.
const CAUSAL_READS: &[&str] = &["find", "aggregate", "count", "distinct"];

pub(crate) struct Slot {
    pub session: ClientSession,
    causal: bool,
}

impl Slot {
    /// In a causally consistent session a read asks for `afterClusterTime` = the session's
    /// last operation time, as the legacy shell did: the driver adds it only to its own CRUD
    /// reads, not to the commands the shell sends as they are.
    pub fn add_after_cluster_time(&self, cmd: &mut Document) {
        let name = cmd.keys().next().map(String::as_str).unwrap_or("");
        if !self.causal || !CAUSAL_READS.contains(&name) {
            return;
        }
        let Some(ts) = self.session.operation_time() else {
            return;
        };
        let mut rc = cmd.get_document("readConcern").cloned().unwrap_or_default();
        if rc.contains_key("afterClusterTime") {
            return;
        }
        rc.insert("afterClusterTime", ts);
        cmd.insert("readConcern", rc);
    }
}

/// The explicit sessions of one connection.
#[derive(Default)]
pub struct Explicit {
    live: HashMap<u32, Shared>,
    /// Ended sessions are kept until the connection closes: dropped, the driver's pool would
    /// give their (ended) ids to later commands.
    ended: HashMap<u32, Shared>,
    next: u32,
    /// The session the current call runs in (`None`: the implicit one).
    current: Option<u32>,
    /// The shell's implicit session once its id was asked for (`None` before: the driver's).
    implicit: Option<Shared>,
}

impl Connection {
    fn explicit(&self) -> MutexGuard<'_, Explicit> {
        match self.explicit.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Start an explicit session (causally consistent reads unless `causal` is false): its
    /// handle and its `{ id: UUID }`.
    pub fn start_session(&self, causal: bool) -> Result<(u32, Document), ConnError> {
        let client = self.main_client()?;
        // The implicit session is held (not in the pool), so this one gets an id of its own.
        self.implicit_session_id()?;
        let session = block_on(&self.interrupt, async move {
            client.start_session().causal_consistency(causal).await
        })?
        .map_err(|e| {
            ConnError::Other(format!(
                "cannot start a session: {}",
                plain_error_text(&e.to_string())
            ))
        })?;
        let id = session.id().clone();
        let mut ex = self.explicit();
        ex.next += 1;
        let n = ex.next;
        let slot = Slot { session, causal };
        ex.live.insert(n, Arc::new(tokio::sync::Mutex::new(slot)));
        Ok((n, id))
    }

    /// End an explicit session: the server forgets it (`endSessions`) and it cannot be used
    /// again. Ending an ended session does nothing.
    pub fn end_session(&self, n: u32) -> Result<(), ConnError> {
        let Some(s) = self.explicit().live.remove(&n) else {
            return Ok(());
        };
        let id = block_on(&self.interrupt, async {
            s.lock().await.session.id().clone()
        })?;
        self.explicit().ended.insert(n, s);
        let previous = self.explicit().current.take();
        let any = Target::ReadPref(ReadPref {
            mode: "primaryPreferred".into(),
            tags: vec![],
        });
        let r = self.run_command("admin", doc! {"endSessions": [id]}, &any);
        self.explicit().current = previous.filter(|p| *p != n);
        r.map(|_| ())
    }

    /// Session `n`, ended or not (its times stay readable after `endSession()`).
    fn any_session(&self, n: u32) -> Result<Shared, ConnError> {
        let ex = self.explicit();
        ex.live
            .get(&n)
            .or_else(|| ex.ended.get(&n))
            .cloned()
            .ok_or_else(|| ConnError::Usage(format!("no session with handle {n}")))
    }

    /// Session `n`'s operation time and cluster time (`$clusterTime` document), as the
    /// server last reported them to it.
    pub fn session_times(
        &self,
        n: u32,
    ) -> Result<(Option<Timestamp>, Option<Document>), ConnError> {
        let s = self.any_session(n)?;
        block_on(&self.interrupt, async move {
            let g = s.lock().await;
            let cluster = g.session.cluster_time().and_then(|c| to_document(c).ok());
            (g.session.operation_time(), cluster)
        })
    }

    /// `advanceOperationTime` / `advanceClusterTime`: never moves a time backwards.
    pub fn advance_session_times(
        &self,
        n: u32,
        operation: Option<Timestamp>,
        cluster: Option<Document>,
    ) -> Result<(), ConnError> {
        let s = self.any_session(n)?;
        let cluster: Option<ClusterTime> = match cluster {
            Some(d) => Some(from_document(d).map_err(|e| {
                ConnError::Usage(format!(
                    "advanceClusterTime: not a cluster time ({{clusterTime: Timestamp, signature: {{…}}}}): {e}"
                ))
            })?),
            None => None,
        };
        block_on(&self.interrupt, async move {
            let mut g = s.lock().await;
            if let Some(t) = operation {
                g.session.advance_operation_time(t);
            }
            if let Some(c) = &cluster {
                g.session.advance_cluster_time(c);
            }
        })
    }

    /// The session the following calls run in (`None`: the implicit one).
    pub fn use_session(&self, n: Option<u32>) {
        self.explicit().current = n;
    }

    /// The explicit session for a call to `target`, if the call runs in one. A single member
    /// is asked through its own client, where the session does not exist: implicit there.
    pub(crate) fn session_for(&self, target: &Target) -> Result<Option<Shared>, ConnError> {
        let ex = self.explicit();
        if matches!(target, Target::Member(_)) {
            return Ok(None);
        }
        let Some(n) = ex.current else {
            return Ok(ex.implicit.clone());
        };
        match ex.live.get(&n) {
            Some(s) => Ok(Some(s.clone())),
            None => Err(ConnError::Usage(
                "cannot use a session that has ended".to_string(),
            )),
        }
    }

    /// After the main client was replaced (`db.auth()`), the held implicit session belongs to
    /// the old one, whose sessions the driver refuses on the new: take a new one (a new id).
    pub(super) fn renew_implicit_session(&self) -> Result<(), ConnError> {
        let old = self.explicit().implicit.take();
        let had = old.is_some();
        super::runtime::drop_in_runtime(old);
        if had {
            self.implicit_session_id()?;
        }
        Ok(())
    }

    /// Every explicit session, for dropping inside the runtime.
    pub(crate) fn take_sessions(&mut self) -> Vec<Shared> {
        let ex = match self.explicit.get_mut() {
            Ok(e) => e,
            Err(p) => p.into_inner(),
        };
        let mut all: Vec<Shared> = ex.live.drain().map(|(_, s)| s).collect();
        all.extend(ex.ended.drain().map(|(_, s)| s));
        all.extend(ex.implicit.take());
        all
    }
}

impl Connection {
    /// The `{ id: UUID }` of the logical session the main client's commands use, or `None`
    /// when the deployment does not support sessions.
    pub fn implicit_session_id(&self) -> Result<Option<Document>, ConnError> {
        if let Some(s) = self.explicit().implicit.clone() {
            return block_on(&self.interrupt, async move {
                Some(s.lock().await.session.id().clone())
            });
        }
        let client = self.main_client()?;
        let started = block_on(&self.interrupt, async move {
            client.start_session().causal_consistency(false).await
        })?;
        // No logicalSessionTimeoutMinutes in hello: no sessions, no line.
        let Ok(session) = started else {
            return Ok(None);
        };
        let id = session.id().clone();
        let slot = Slot {
            session,
            causal: false,
        };
        self.explicit().implicit = Some(Arc::new(tokio::sync::Mutex::new(slot)));
        Ok(Some(id))
    }
}

/// The UUID string of a session id document (`{ id: Binary(subtype 4) }`).
pub fn session_uuid(id: &Document) -> Option<String> {
    match id.get("id") {
        Some(Bson::Binary(b)) if b.bytes.len() == 16 => {
            uuid::Uuid::from_slice(&b.bytes).ok().map(|u| u.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, spec::BinarySubtype, Binary};

    #[test]
    fn uuid_of_a_session_id() {
        let bytes = uuid::Uuid::parse_str("544ac835-ee71-4083-94ba-090580f30a19")
            .map(|u| u.as_bytes().to_vec())
            .unwrap_or_default();
        let id = doc! {"id": Binary { subtype: BinarySubtype::Uuid, bytes }};
        assert_eq!(
            session_uuid(&id).as_deref(),
            Some("544ac835-ee71-4083-94ba-090580f30a19")
        );
        assert_eq!(session_uuid(&doc! {"id": 1}), None);
    }
}
