//! The quorum check run before replSetInitiate and replSetReconfig install a config: every
//! proposed member is sent a heartbeat carrying the proposed config (marked `checkQuorum`, so
//! nothing is installed) and must answer affirmatively.

use std::time::Duration;

use bson::Document;
use futures_util::future::join_all;

use super::Peers;
use crate::error::CmdError;
use crate::node::heartbeat::proto::{config_version_term, HeartbeatReply, HeartbeatRequest};

/// One other member of the proposed config.
#[derive(Debug, Clone)]
pub struct QuorumTarget {
    pub host: String,
    pub voter: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuorumKind {
    /// replSetInitiate: every member must answer.
    Initiate,
    /// replSetReconfig: a majority of the voters (self included) must answer.
    Reconfig,
}

/// How one target answered.
enum Answer {
    Ok,
    /// Counts as not responding: "h:p failed with <reason>".
    Failed(String),
    /// Disqualifies the whole config at once (code 103).
    Incompatible(String),
}

/// Checks that the members of `proposed` (a full config document) can form the set.
/// `me` is this member (its host and whether it votes in `proposed`), `self_id` its `_id`;
/// `others` are the remaining members.
pub async fn quorum_check(
    peers: &Peers,
    kind: QuorumKind,
    proposed: &Document,
    me: &QuorumTarget,
    self_id: i32,
    others: &[QuorumTarget],
    timeout: Duration,
) -> Result<(), CmdError> {
    let (self_host, self_voter) = (me.host.as_str(), me.voter);
    let set_name = proposed.get_str("_id").unwrap_or("").to_string();
    let (version, term) = config_version_term(proposed);
    let req = HeartbeatRequest {
        set_name: set_name.clone(),
        from: self_host.to_string(),
        from_id: self_id,
        term: term.max(0),
        config_version: version,
        config_term: term,
        config: Some(proposed.clone()),
        check_quorum: true,
    };
    let cmd = req.to_command();
    let answers = join_all(others.iter().map(|t| {
        let cmd = &cmd;
        let set_name = &set_name;
        async move {
            let answer = match peers.command(&t.host, cmd, timeout).await {
                Err(e) => Answer::Failed(e.to_string()),
                Ok(reply) => judge(&t.host, set_name, version, &reply),
            };
            (t, answer)
        }
    }))
    .await;

    let mut failures = Vec::new();
    let mut voters_ok = vec![self_host.to_string()]
        .into_iter()
        .filter(|_| self_voter)
        .collect::<Vec<_>>();
    for (t, a) in &answers {
        match a {
            Answer::Incompatible(msg) => {
                return Err(CmdError::new(
                    103,
                    "NewReplicaSetConfigurationIncompatible",
                    msg.clone(),
                ))
            }
            Answer::Failed(reason) => failures.push(format!("{} failed with {}", t.host, reason)),
            Answer::Ok if t.voter => voters_ok.push(t.host.clone()),
            Answer::Ok => {}
        }
    }
    match kind {
        QuorumKind::Initiate if !failures.is_empty() => Err(CmdError::new(
            74,
            "NodeNotFound",
            format!(
                "replSetInitiate quorum check failed because not all proposed set members responded affirmatively: {}",
                failures.join(", ")
            ),
        )),
        QuorumKind::Initiate => Ok(()),
        QuorumKind::Reconfig => {
            let voters = others.iter().filter(|t| t.voter).count() + usize::from(self_voter);
            let needed = voters / 2 + 1;
            if voters_ok.len() >= needed {
                return Ok(());
            }
            Err(CmdError::new(
                74,
                "NodeNotFound",
                format!(
                    "Quorum check failed because not enough voting nodes responded; required {needed} but only the following {} voting nodes responded: {}; the following nodes did not respond affirmatively: {}",
                    voters_ok.len(),
                    voters_ok.join(", "),
                    failures.join(", ")
                ),
            ))
        }
    }
}

/// Turns one heartbeat reply into an answer (messages of the server's QuorumChecker).
fn judge(host: &str, set_name: &str, version: i64, reply: &Document) -> Answer {
    let ok = matches!(reply.get("ok"), Some(bson::Bson::Double(v)) if *v == 1.0)
        || matches!(
            reply.get("ok"),
            Some(bson::Bson::Int32(1)) | Some(bson::Bson::Int64(1))
        );
    if !ok {
        let code = reply.get_i32("code").unwrap_or(0);
        if code == 108 {
            return Answer::Incompatible(format!(
                "Our set name did not match that of the request target, requestTarget:{host}"
            ));
        }
        let msg = reply.get_str("errmsg").unwrap_or("heartbeat failed");
        return Answer::Failed(msg.to_string());
    }
    let hb = match HeartbeatReply::from_document(reply) {
        Ok(hb) => hb,
        Err(e) => return Answer::Failed(e),
    };
    if hb.set_name != set_name && !hb.set_name.is_empty() {
        return Answer::Incompatible(format!(
            "Our set name did not match that of the request target, requestTarget:{host}"
        ));
    }
    if hb.config_version >= version {
        return Answer::Incompatible(format!(
            "Our config version of {version} is no larger than the version on {host}, which is {}",
            hb.config_version
        ));
    }
    Answer::Ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn reply(set: &str, version: i64) -> Document {
        doc! {
            "set": set, "state": 0, "term": 0, "configVersion": version, "configTerm": -1,
            "appliedOpTime": {"ts": bson::Timestamp{time: 0, increment: 0}, "t": -1i64},
            "durableOpTime": {"ts": bson::Timestamp{time: 0, increment: 0}, "t": -1i64},
            "ok": 1.0,
        }
    }

    #[test]
    fn judge_accepts_uninitiated_member_of_same_set() {
        assert!(matches!(
            judge("h:1", "rs0", 1, &reply("rs0", -2)),
            Answer::Ok
        ));
    }

    #[test]
    fn judge_rejects_other_set_and_initialized_member() {
        match judge("h:1", "rs0", 1, &reply("rs1", -2)) {
            Answer::Incompatible(m) => assert_eq!(
                m,
                "Our set name did not match that of the request target, requestTarget:h:1"
            ),
            _ => panic!("expected incompatible"),
        }
        match judge("h:1", "rs0", 1, &reply("rs0", 1)) {
            Answer::Incompatible(m) => assert_eq!(
                m,
                "Our config version of 1 is no larger than the version on h:1, which is 1"
            ),
            _ => panic!("expected incompatible"),
        }
        let err = doc! {"ok": 0.0, "errmsg": "not running with --replSet", "code": 76};
        assert!(
            matches!(judge("h:1", "rs0", 1, &err), Answer::Failed(m) if m == "not running with --replSet")
        );
    }

    #[tokio::test]
    async fn initiate_names_every_unreachable_member() {
        let mut ports = Vec::new();
        for _ in 0..2 {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind"); // ok: test setup
            ports.push(l.local_addr().expect("addr").port()); // ok: test setup
        }
        let others: Vec<QuorumTarget> = ports
            .iter()
            .map(|p| QuorumTarget {
                host: format!("127.0.0.1:{p}"),
                voter: true,
            })
            .collect();
        let cfg = doc! {"_id": "rs0", "version": 1, "members": []};
        let peers = Peers::new();
        let me = QuorumTarget {
            host: "127.0.0.1:1".into(),
            voter: true,
        };
        let e = quorum_check(
            &peers,
            QuorumKind::Initiate,
            &cfg,
            &me,
            0,
            &others,
            Duration::from_secs(2),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, 74);
        let expected = format!(
            "replSetInitiate quorum check failed because not all proposed set members responded affirmatively: \
             127.0.0.1:{a} failed with Error connecting to 127.0.0.1:{a} (127.0.0.1:{a}) :: caused by :: Connection refused, \
             127.0.0.1:{b} failed with Error connecting to 127.0.0.1:{b} (127.0.0.1:{b}) :: caused by :: Connection refused",
            a = ports[0],
            b = ports[1]
        );
        assert_eq!(e.errmsg, expected);
        // A reconfig only needs a majority: self + 0 of 2 others is not enough either.
        let e = quorum_check(
            &peers,
            QuorumKind::Reconfig,
            &cfg,
            &me,
            0,
            &others,
            Duration::from_secs(2),
        )
        .await
        .unwrap_err();
        assert!(e.errmsg.starts_with("Quorum check failed because not enough voting nodes responded; required 2 but only the following 1 voting nodes responded: 127.0.0.1:1;"), "{}", e.errmsg);
        // With only non-voters unreachable, the reconfig check passes.
        let nonvoters: Vec<QuorumTarget> = others
            .iter()
            .map(|t| QuorumTarget {
                host: t.host.clone(),
                voter: false,
            })
            .collect();
        assert!(quorum_check(
            &peers,
            QuorumKind::Reconfig,
            &cfg,
            &me,
            0,
            &nonvoters,
            Duration::from_secs(2)
        )
        .await
        .is_ok());
    }
}
