//! Member-to-member authentication: a member with `--keyFile` opens every connection to a peer
//! with a SCRAM-SHA-256 conversation as `__system@local`, the key being the password (mongod's
//! keyFile scheme). A peer holding another key answers 18 AuthenticationFailed, and the
//! connection is not used.

use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, Document};

use super::scram::{self, ClientConversation, Mech};
use super::{SYSTEM_DB, SYSTEM_USER};

/// Where a conversation stands.
pub struct InternalAuth {
    conv: ClientConversation,
    prepared: String,
    conversation_id: Bson,
    sent_proof: bool,
}

fn bin(bytes: Vec<u8>) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes,
    })
}

/// Starts a conversation with `key`; returns the state and the `saslStart` command to send.
pub fn start(key: &str) -> Result<(InternalAuth, Document), String> {
    let mech = Mech::Sha256;
    let prepared = mech.prepare_password(SYSTEM_USER, key)?;
    let (conv, payload) = scram::client_first(mech, SYSTEM_USER);
    let cmd = doc! {
        "saslStart": 1,
        "mechanism": mech.name(),
        "payload": bin(payload),
        "options": {"skipEmptyExchange": true},
        "$db": SYSTEM_DB,
    };
    let state = InternalAuth {
        conv,
        prepared,
        conversation_id: Bson::Int32(0),
        sent_proof: false,
    };
    Ok((state, cmd))
}

impl InternalAuth {
    /// Takes the server's reply; returns the next command, or `None` once authenticated.
    pub fn next(&mut self, reply: &Document) -> Result<Option<Document>, String> {
        let ok = matches!(reply.get("ok"), Some(Bson::Double(f)) if *f == 1.0)
            || matches!(reply.get("ok"), Some(Bson::Int32(1)));
        if !ok {
            return Err(reply
                .get_str("errmsg")
                .unwrap_or("Authentication failed.")
                .to_string());
        }
        let payload = match reply.get("payload") {
            Some(Bson::Binary(b)) => b.bytes.clone(),
            _ => return Err("SASL reply without a payload".into()),
        };
        let done = reply.get_bool("done").unwrap_or(false);
        if self.sent_proof {
            if !payload.is_empty() {
                self.conv.verify_server_final(&payload)?;
            }
            if done {
                return Ok(None);
            }
            // A server that ignores skipEmptyExchange wants one more empty step.
            return Ok(Some(self.continue_cmd(Vec::new())));
        }
        if let Some(id) = reply.get("conversationId") {
            self.conversation_id = id.clone();
        }
        let proof = self.conv.client_final(&payload, &self.prepared)?;
        self.sent_proof = true;
        Ok(Some(self.continue_cmd(proof)))
    }

    fn continue_cmd(&self, payload: Vec<u8>) -> Document {
        doc! {
            "saslContinue": 1,
            "conversationId": self.conversation_id.clone(),
            "payload": bin(payload),
            "$db": SYSTEM_DB,
        }
    }
}
