//! setDefaultRWConcern / getDefaultRWConcern: the cluster-wide read and write concern defaults.
//!
//! Like mongod, the defaults live in `config.settings` (`_id: "ReadWriteConcernDefaults"`), written
//! through the store on the primary, so they reach the other members through the oplog and
//! survive failover and restarts. A default write concern matters in two places: writes that
//! carry no `writeConcern`, and replSetReconfig, which refuses to change the implicit default
//! (adding an arbiter) unless a global default is set.

use std::sync::Arc;

use bson::{doc, Bson, DateTime, Document};

use crate::error::CmdError;
use crate::node::config_view::num;
use crate::node::dispatch::Request;
use crate::node::Node;
use crate::rsconfig;

const ID: &str = "ReadWriteConcernDefaults";
const READ_LEVELS: &[&str] = &["local", "available", "majority"];

/// The stored defaults document, if a default was ever set.
pub fn stored(node: &Node) -> Option<Document> {
    stored_in(&node.store)
}

fn stored_in(store: &crate::data::Store) -> Option<Document> {
    let find = doc! {"find": "settings", "filter": {"_id": ID}, "limit": 1, "singleBatch": true};
    let reply = store.run("config", &find).ok()?.reply;
    reply
        .get_document("cursor")
        .ok()?
        .get_array("firstBatch")
        .ok()?
        .first()?
        .as_document()
        .cloned()
}

/// The global default write concern (`{w, wtimeout}`), when one is set.
pub fn default_write_concern(node: &Node) -> Option<Document> {
    stored(node)?
        .get_document("defaultWriteConcern")
        .ok()
        .cloned()
}

/// `default_write_concern`, read off the runtime's threads: the store lock may be held by a long
/// command, and a write's write concern is looked up after every write.
pub async fn default_write_concern_off_runtime(node: &Node) -> Option<Document> {
    let store = node.store.clone();
    tokio::task::spawn_blocking(move || stored_in(&store))
        .await
        .ok()
        .flatten()?
        .get_document("defaultWriteConcern")
        .ok()
        .cloned()
}

/// Tells rsconfig whether replSetReconfig may change the implicit default write concern.
pub fn publish_to_rsconfig(node: &Node) {
    rsconfig::set_default_rw_concern_set(default_write_concern(node).is_some());
}

pub fn get(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    Ok(reply_for(node, stored(node).unwrap_or_default()))
}

pub async fn set(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    {
        let repl = node.repl();
        if repl.set_name.is_some() && !repl.is_writable_primary() {
            return Err(CmdError::not_writable_primary());
        }
    }
    let rc = optional_doc(&req.cmd, "defaultReadConcern")?;
    let wc = optional_doc(&req.cmd, "defaultWriteConcern")?;
    if rc.is_none() && wc.is_none() {
        return Err(CmdError::bad_value(
            "At least one of the \"defaultReadConcern\" or \"defaultWriteConcern\" fields must be present",
        ));
    }
    let old = stored(node).unwrap_or_default();
    let mut next = doc! {"_id": ID};
    match rc {
        Some(rc) => {
            if let Some(level) = read_level(&rc)? {
                next.insert("defaultReadConcern", doc! {"level": level});
            }
        }
        None => copy_field(&old, &mut next, "defaultReadConcern"),
    }
    match wc {
        Some(wc) if wc.is_empty() => {
            if old.contains_key("defaultWriteConcern") {
                return Err(CmdError::bad_value(
                    "The global default write concern cannot be unset once it is set.",
                ));
            }
        }
        Some(wc) => {
            next.insert("defaultWriteConcern", write_concern(&wc)?);
        }
        None => copy_field(&old, &mut next, "defaultWriteConcern"),
    }
    let now = DateTime::now();
    let update = doc! {
        "update": "settings",
        "updates": [{"q": {"_id": ID}, "u": next.clone(), "upsert": true}],
    };
    let outcome = node.store.run("config", &update)?;
    node.notify_progress();
    if let Some(t) = outcome.write_optime {
        next.insert("updateOpTime", t.ts);
    }
    next.insert("updateWallClockTime", now);
    // Keep the stored copy's timestamps too (getDefaultRWConcern shows them).
    let stamp = doc! {
        "update": "settings",
        "updates": [{"q": {"_id": ID}, "u": {"$set": {
            "updateOpTime": next.get("updateOpTime").cloned().unwrap_or(Bson::Null),
            "updateWallClockTime": now,
        }}}],
    };
    node.store.run("config", &stamp)?;
    publish_to_rsconfig(node);
    Ok(reply_for(node, next))
}

/// The reply of both commands: effective defaults, where they come from, when they changed.
fn reply_for(node: &Node, stored: Document) -> Document {
    let rc = stored.get_document("defaultReadConcern").ok().cloned();
    let wc = stored.get_document("defaultWriteConcern").ok().cloned();
    let mut d = Document::new();
    d.insert(
        "defaultReadConcern",
        rc.clone().unwrap_or_else(|| doc! {"level": "local"}),
    );
    let implicit_wc = if implicit_majority(node) {
        doc! {"w": "majority", "wtimeout": 0}
    } else {
        doc! {"w": 1, "wtimeout": 0}
    };
    d.insert("defaultWriteConcern", wc.clone().unwrap_or(implicit_wc));
    for key in ["updateOpTime", "updateWallClockTime"] {
        if let Some(v) = stored.get(key) {
            d.insert(key, v.clone());
        }
    }
    d.insert(
        "defaultWriteConcernSource",
        if wc.is_some() { "global" } else { "implicit" },
    );
    d.insert(
        "defaultReadConcernSource",
        if rc.is_some() { "global" } else { "implicit" },
    );
    d.insert("localUpdateWallClockTime", DateTime::now());
    d
}

/// mongod's implicit default: `majority`, except `w: 1` when arbiters make a majority of
/// data-bearing voters impossible to rely on (PSA).
fn implicit_majority(node: &Node) -> bool {
    let cfg = node.repl().config_doc.clone();
    cfg.and_then(|c| rsconfig::parse(&c).ok())
        .is_none_or(|c| c.is_implicit_default_majority())
}

fn optional_doc(cmd: &Document, key: &str) -> Result<Option<Document>, CmdError> {
    match cmd.get(key) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d.clone())),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field 'setDefaultRWConcern.{key}' is the wrong type '{}', expected type 'object'",
            type_name(other)
        ))),
    }
}

fn read_level(rc: &Document) -> Result<Option<String>, CmdError> {
    match rc.get("level") {
        None => Ok(None),
        Some(Bson::String(l)) if READ_LEVELS.contains(&l.as_str()) => Ok(Some(l.clone())),
        Some(Bson::String(l)) => Err(CmdError::bad_value(format!(
            "level: '{l}' is not a valid default read concern level; it must be one of: local, available, majority"
        ))),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field 'ReadConcernArgs.level' is the wrong type '{}', expected type 'string'",
            type_name(other)
        ))),
    }
}

/// `{w, wtimeout}` as the server stores it (wtimeout defaults to 0; `j` kept when given).
fn write_concern(wc: &Document) -> Result<Document, CmdError> {
    let w = match wc.get("w") {
        Some(Bson::String(s)) => Bson::String(s.clone()),
        Some(v) => match num(Some(v)) {
            Some(n) if n >= 1.0 && n.fract() == 0.0 => Bson::Int32(n as i32),
            Some(0.0) => {
                return Err(CmdError::bad_value(
                    "The global default write concern cannot be set to { w: 0 }",
                ))
            }
            _ => return Err(CmdError::bad_value(format!("Invalid value for 'w': {v}"))),
        },
        None => Bson::Int32(1),
    };
    let wtimeout = num(wc.get("wtimeout")).unwrap_or(0.0) as i32;
    let mut d = doc! {"w": w, "wtimeout": wtimeout};
    if let Some(j) = wc.get("j") {
        d.insert("j", j.clone());
    }
    Ok(d)
}

fn copy_field(from: &Document, to: &mut Document, key: &str) {
    if let Some(v) = from.get(key) {
        to.insert(key, v.clone());
    }
}

use crate::bson_type::name as type_name;
