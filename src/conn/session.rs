//! The logical session id shown at startup (`Implicit session: session { "id" : UUID(…) }`).
//!
//! The driver gives each operation an implicit session from its server-session pool, and the
//! pool hands back the most recently returned session first. So the id of a session started
//! and ended here is the lsid the next commands of this (sequential) shell carry.

use std::time::Duration;

use mongodb::bson::{Bson, Document};

use super::client::Connection;
use super::error::ConnError;
use super::runtime::block_on;

/// How long the pool may take to get the session back before the next command (the driver
/// returns it from a task it spawns when the session is dropped).
const CHECK_IN_GRACE: Duration = Duration::from_millis(2);

impl Connection {
    /// The `{ id: UUID }` of the logical session the main client's commands use, or `None`
    /// when the deployment does not support sessions.
    pub fn implicit_session_id(&self) -> Result<Option<Document>, ConnError> {
        let client = self.main_client()?;
        block_on(&self.interrupt, async move {
            let session = match client.start_session().await {
                Ok(s) => s,
                // No logicalSessionTimeoutMinutes in hello: no sessions, no line.
                Err(_) => return None,
            };
            let id = session.id().clone();
            drop(session);
            tokio::time::sleep(CHECK_IN_GRACE).await;
            Some(id)
        })
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
