//! The legacy default prompt (`rs0:PRIMARY> `), computed from one cheap command per line.
//! Pure functions over the replies live here; `Connection::prompt` sends the command.

use std::future::IntoFuture;

use mongodb::bson::{Bson, Document};

/// Which command the prompt uses; the legacy shell starts with replSetGetStatus and switches
/// to isMaster for good when that fails without a short `info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PromptMode {
    #[default]
    ReplSetGetStatus,
    IsMaster,
}

/// Outcome of the replSetGetStatus step.
#[derive(Clone, Debug, PartialEq)]
pub enum StatusPrompt {
    Prompt(String),
    /// Switch to isMaster mode permanently and use it now.
    SwitchToIsMaster,
}

fn num(v: Option<&Bson>) -> Option<i64> {
    match v? {
        Bson::Int32(i) => Some(*i as i64),
        Bson::Int64(i) => Some(*i),
        Bson::Double(d) => Some(*d as i64),
        _ => None,
    }
}

fn is_ok(reply: &Document) -> bool {
    match reply.get("ok") {
        Some(Bson::Boolean(b)) => *b,
        other => num(other).unwrap_or(0) == 1,
    }
}

/// Legacy rule 1: `{replSetGetStatus: 1, forShell: 1}` on admin.
pub fn from_repl_status(reply: &Document) -> StatusPrompt {
    if is_ok(reply) {
        let set = reply.get_str("set").unwrap_or("");
        let mut state: Option<String> = None;
        if let Ok(members) = reply.get_array("members") {
            for m in members {
                if let Bson::Document(m) = m {
                    if m.get_bool("self").unwrap_or(false) {
                        state = m.get_str("stateStr").ok().map(str::to_string);
                    }
                }
            }
        }
        let state = state.unwrap_or_else(|| match num(reply.get("myState")) {
            Some(n) => n.to_string(),
            None => String::new(),
        });
        return StatusPrompt::Prompt(format!("{set}:{state}> "));
    }
    match reply.get_str("info") {
        Ok(info) if info.chars().count() < 20 => StatusPrompt::Prompt(format!("{info}> ")),
        _ => StatusPrompt::SwitchToIsMaster,
    }
}

/// Legacy rule 2: `{isMaster: 1, forShell: 1}`.
pub fn from_is_master(reply: &Document) -> String {
    if reply.get_str("msg") == Ok("isdbgrid") {
        return "mongos> ".to_string();
    }
    match reply.get_str("setName") {
        Ok(set) => {
            let flag = |k: &str| reply.get_bool(k).unwrap_or(false);
            let role = if flag("ismaster") || flag("isWritablePrimary") {
                "PRIMARY"
            } else if flag("secondary") {
                "SECONDARY"
            } else if flag("arbiterOnly") {
                "ARBITER"
            } else {
                "OTHER"
            };
            format!("{set}:{role}> ")
        }
        Err(_) => "> ".to_string(),
    }
}

/// How long the prompt may wait for its one command before giving up on it.
const PROMPT_WAIT: std::time::Duration = std::time::Duration::from_millis(800);

impl super::Connection {
    /// The legacy default prompt for this connection, recomputed on every call with at most
    /// one command (replSetGetStatus, or isMaster after the switch). It never waits on server
    /// selection: the member asked is taken from the cached topology, and a slow or dead
    /// member gives `> `.
    pub fn prompt(&self) -> String {
        let Some(client) = self.prompt_client() else {
            return "> ".to_string();
        };
        if self.prompt_mode() == PromptMode::ReplSetGetStatus {
            match self.quick(
                &client,
                mongodb::bson::doc! {"replSetGetStatus": 1, "forShell": 1},
            ) {
                Some(reply) => match from_repl_status(&reply) {
                    StatusPrompt::Prompt(p) => return p,
                    StatusPrompt::SwitchToIsMaster => self.set_prompt_mode(PromptMode::IsMaster),
                },
                None => return "> ".to_string(),
            }
        }
        match self.quick(&client, mongodb::bson::doc! {"isMaster": 1, "forShell": 1}) {
            Some(reply) => from_is_master(&reply),
            None => "> ".to_string(),
        }
    }

    /// The client the prompt (and Tab completion) asks: the node itself on a direct
    /// connection, else the primary known to the topology view, else any member still seen.
    pub(super) fn prompt_client(&self) -> Option<mongodb::Client> {
        if !self.is_replica_set() {
            return self.main_client().ok();
        }
        let view = self.topology();
        let addr = view.primary().map(str::to_string).or_else(|| {
            view.members
                .iter()
                .find(|m| {
                    matches!(
                        m.role,
                        super::Role::Secondary | super::Role::Arbiter | super::Role::Other
                    )
                })
                .map(|m| m.address.clone())
        })?;
        self.direct_client(&addr).ok()
    }

    /// One admin command with a short deadline; `ok: 0` replies are returned too.
    fn quick(&self, client: &mongodb::Client, cmd: Document) -> Option<Document> {
        let db = client.database("admin");
        let flag = self.interrupt_flag();
        let out = super::runtime::block_on(&flag, async move {
            tokio::time::timeout(PROMPT_WAIT, db.run_command(cmd).into_future()).await
        })
        .ok()?
        .ok()?;
        match out {
            Ok(d) => Some(d),
            Err(e) => super::error::reply_of(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    #[test]
    fn status_prompt_uses_self_state_str() {
        let r = doc! {"set": "rs0", "myState": 1, "members": [
        {"_id": 0, "stateStr": "SECONDARY"},
        {"_id": 1, "stateStr": "PRIMARY", "self": true}], "ok": 1.0};
        assert_eq!(
            from_repl_status(&r),
            StatusPrompt::Prompt("rs0:PRIMARY> ".into())
        );
        let r = doc! {"set": "shopex", "myState": 2, "members": [], "ok": 1};
        assert_eq!(
            from_repl_status(&r),
            StatusPrompt::Prompt("shopex:2> ".into())
        );
    }

    #[test]
    fn status_failure_with_short_info_or_switch() {
        let r = doc! {"ok": 0.0, "info": "mongos", "errmsg": "x"};
        assert_eq!(
            from_repl_status(&r),
            StatusPrompt::Prompt("mongos> ".into())
        );
        let r = doc! {"ok": 0.0, "info": "run rs.initiate(...) if not yet done for the set", "code": 94};
        assert_eq!(from_repl_status(&r), StatusPrompt::SwitchToIsMaster);
        let r = doc! {"ok": 0.0, "errmsg": "not running with --replSet", "code": 76};
        assert_eq!(from_repl_status(&r), StatusPrompt::SwitchToIsMaster);
    }

    #[test]
    fn is_master_roles() {
        assert_eq!(
            from_is_master(&doc! {"ismaster": true, "msg": "isdbgrid"}),
            "mongos> "
        );
        assert_eq!(from_is_master(&doc! {"ismaster": true}), "> ");
        assert_eq!(
            from_is_master(&doc! {"setName": "rs0", "ismaster": true}),
            "rs0:PRIMARY> "
        );
        assert_eq!(
            from_is_master(&doc! {"setName": "rs0", "ismaster": false, "secondary": true}),
            "rs0:SECONDARY> "
        );
        assert_eq!(
            from_is_master(&doc! {"setName": "rs0", "ismaster": false, "arbiterOnly": true}),
            "rs0:ARBITER> "
        );
        assert_eq!(
            from_is_master(&doc! {"setName": "rs0", "ismaster": false}),
            "rs0:OTHER> "
        );
    }
}
