//! Server-level admin commands DBAs run: fsync (with `lock`) / fsyncUnlock, setParameter and the
//! replication parameters of getParameter, setFeatureCompatibilityVersion (kept in
//! `admin.system.version` and replicated, as mongod keeps it), replSetResizeOplog,
//! replSetAbortPrimaryCatchUp, killSessions / killAllSessions, logRotate, top and profile.
//! What the sandbox cannot do is refused with IllegalOperation, never accepted and ignored.

use std::sync::Arc;

use bson::{doc, Bson, Document};

use crate::data::DocFilter;
use crate::error::CmdError;
use crate::node::dispatch::Request;
use crate::node::Node;

/// The FCV of a fresh 7.0 member, and the values 7.0 accepts.
const DEFAULT_FCV: &str = "7.0";
const FCV_VALUES: &[&str] = &["6.0", "7.0"];

pub async fn fsync(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    // Everything journaled so far reaches the disk before the reply.
    let store = node.store.clone();
    match tokio::task::spawn_blocking(move || store.wait_durable()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(CmdError::new(14031, "OutOfDiskSpace", e)),
        Err(_) => return Err(CmdError::internal("fsync failed")),
    }
    if !crate::data::truthy(req.cmd.get("lock").unwrap_or(&Bson::Boolean(false))) {
        return Ok(doc! {"numFiles": 1});
    }
    let count = node.admin.fsync_lock();
    Ok(doc! {
        "info": "now locked against writes, use db.fsyncUnlock() to unlock",
        "lockCount": i64::from(count),
        "seeAlso": "http://dochub.mongodb.org/core/fsynccommand",
    })
}

pub fn fsync_unlock(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    match node.admin.fsync_unlock() {
        Some(left) => Ok(doc! {"info": "fsyncUnlock completed", "lockCount": i64::from(left)}),
        None => Err(CmdError::new(
            125,
            "CommandFailed",
            "fsyncUnlock called when not locked",
        )),
    }
}

/// The FCV document `{version}` stored in `admin.system.version`, or the default.
pub fn fcv(node: &Node) -> Document {
    let stored = node
        .store
        .fcv_document()
        .and_then(|d| d.get_str("version").ok().map(str::to_string));
    doc! {"version": stored.unwrap_or_else(|| DEFAULT_FCV.to_string())}
}

pub async fn set_fcv(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let target = match req.arg() {
        Some(Bson::String(v)) => v.clone(),
        Some(other) => {
            return Err(CmdError::type_mismatch(format!(
                "BSON field 'setFeatureCompatibilityVersion.setFeatureCompatibilityVersion' is the wrong type '{}', expected type 'string'",
                crate::bson_type::name(other)
            )))
        }
        None => return Err(CmdError::bad_value("missing version")),
    };
    if !FCV_VALUES.contains(&target.as_str()) {
        return Err(CmdError::bad_value(format!(
            "Enumeration value '{target}' for field 'setFeatureCompatibilityVersion' is not a valid value."
        )));
    }
    let current = fcv(node)
        .get_str("version")
        .unwrap_or(DEFAULT_FCV)
        .to_string();
    if req.cmd.get("confirm") != Some(&Bson::Boolean(true)) {
        let msg = if target.as_str() >= current.as_str() {
            "Once you have upgraded to 7.0, you will not be able to downgrade FCV and binary \
             version without support assistance. Please re-run this command with 'confirm: true' \
             to acknowledge this and continue with the FCV upgrade."
        } else {
            "Once you have downgraded the FCV, if you choose to downgrade the binary version, it \
             will require support assistance. Please re-run this command with 'confirm: true' to \
             acknowledge this and continue with the FCV downgrade."
        };
        return Err(CmdError::new(7369100, "Location7369100", msg));
    }
    {
        let repl = node.repl();
        if repl.set_name.is_some() && !repl.is_writable_primary() {
            return Err(CmdError::new(10107, "NotWritablePrimary", "not primary"));
        }
    }
    let store = node.store.clone();
    let written = tokio::task::spawn_blocking(move || store.set_fcv(&target))
        .await
        .map_err(|e| CmdError::internal(format!("setFeatureCompatibilityVersion failed: {e}")))??;
    let optime = written.unwrap_or_else(|| node.store.last_applied());
    node.notify_progress();
    let mut reply = Document::new();
    if let Some(wce) = super::write_concern::wait(node, req, optime).await {
        reply.insert("writeConcernError", wce);
    }
    Ok(reply)
}

pub fn replset_resize_oplog(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    if node.repl().set_name.is_none() {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "can't use replSetResizeOplog without a replica set",
        ));
    }
    if req.cmd.contains_key("minRetentionHours") {
        refuse("replSetResizeOplog", "minRetentionHours")?;
    }
    let Some(size) = req.cmd.get("size") else {
        return Err(CmdError::new(
            40414,
            "Location40414",
            "BSON field 'replSetResizeOplog.size' is missing but a required field",
        ));
    };
    let mb = num_arg("replSetResizeOplog", "size", size)?;
    if mb < 990.0 {
        return Err(CmdError::new(
            51024,
            "Location51024",
            format!("BSON field 'size' value must be >= 990.0, actual value '{mb}'"),
        ));
    }
    if mb > 1.0e15 {
        return Err(CmdError::new(
            51024,
            "Location51024",
            format!("BSON field 'size' value must be <= 1e+15, actual value '{mb}'"),
        ));
    }
    node.store.set_oplog_size_mb(mb);
    Ok(Document::new())
}

pub fn abort_primary_catch_up(req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    // The catch-up phase after an election (node/election/catchup.rs) ends early; outside one,
    // mongod's answer.
    if crate::node::election::catchup::abort() {
        return Ok(Document::new());
    }
    Err(CmdError::new(
        20,
        "IllegalOperation",
        "The node is not in catch-up mode.",
    ))
}

/// killSessions / killAllSessions: the cursors of the sessions named (every session with an
/// empty list: without users to tell sessions apart, all of them are the caller's).
pub fn kill_sessions(node: &Node, req: &Request) -> Result<Document, CmdError> {
    let list = match req.arg() {
        Some(Bson::Array(a)) => a,
        Some(other) => {
            return Err(CmdError::type_mismatch(format!(
                "BSON field '{0}.{0}' is the wrong type '{1}', expected type 'array'",
                req.name,
                crate::bson_type::name(other)
            )))
        }
        None => return Err(CmdError::bad_value("missing session list")),
    };
    if list.is_empty() {
        node.admin.end_all_sessions();
        node.store.kill_all_cursors();
        return Ok(Document::new());
    }
    if req.name == "killAllSessions" {
        // Patterns name users; the sandbox does not record which user opened a session.
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox supports killAllSessions only with an empty list (every session)",
        ));
    }
    let mut ids = Vec::new();
    for item in list {
        match item.as_document().and_then(|d| d.get("id")) {
            Some(id @ Bson::Binary(_)) => ids.push(id.clone()),
            _ => {
                return Err(CmdError::new(
                    40414,
                    "Location40414",
                    "BSON field 'LogicalSessionFromClient.id' is missing but a required field",
                ))
            }
        }
    }
    for (db, coll, id) in node.admin.end_sessions(&ids) {
        // A cursor already exhausted or killed is simply not found: nothing to do.
        let _ = node
            .store
            .run(&db, &doc! {"killCursors": coll, "cursors": [id]});
    }
    Ok(Document::new())
}

pub fn log_rotate(req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    match req.arg() {
        Some(Bson::String(s)) if s != "server" => {
            return Err(CmdError::new(
                20,
                "IllegalOperation",
                format!("rsh-sandbox has no '{s}' log to rotate"),
            ))
        }
        _ => {}
    }
    crate::log::rotate().map_err(|e| CmdError::new(1, "InternalError", e))?;
    Ok(Document::new())
}

pub fn top(node: &Node, req: &Request) -> Result<Document, CmdError> {
    super::admin_only(req)?;
    let mut totals = doc! {"note": "all times in microseconds"};
    for (ns, u) in node.admin.top() {
        let row = |x: &super::admin_state::Usage| doc! {"time": x.micros, "count": x.count};
        let mut d = doc! {
            "total": row(&u.total),
            "readLock": row(&u.read_lock),
            "writeLock": row(&u.write_lock),
        };
        for op in [
            "queries", "getmore", "insert", "update", "remove", "commands",
        ] {
            let x = u.by_op.get(op).copied().unwrap_or_default();
            d.insert(op, row(&x));
        }
        totals.insert(ns, d);
    }
    Ok(doc! {"totals": totals})
}

/// `top`'s row for a data command.
pub fn top_op(name: &str) -> &'static str {
    match name {
        "find" => "queries",
        "getMore" => "getmore",
        "insert" => "insert",
        "update" | "findAndModify" | "findandmodify" => "update",
        "delete" => "remove",
        _ => "commands",
    }
}

/// profile: level 0 (off) and -1 (read the settings) work; the profiler itself (levels 1 and
/// 2, `system.profile`) and changing slowms/sampleRate/filter are refused.
pub fn profile(req: &Request) -> Result<Document, CmdError> {
    let level = match req.arg() {
        Some(v) => num_arg("profile", "profile", v)?,
        None => {
            return Err(CmdError::new(
                40414,
                "Location40414",
                "BSON field 'profile.profile' is missing but a required field",
            ))
        }
    };
    if !(-1.0..=2.0).contains(&level) || level.fract() != 0.0 {
        return Err(CmdError::bad_value(format!(
            "Invalid profiling level: {level}"
        )));
    }
    if level > 0.0 {
        return Err(CmdError::new(
            20,
            "IllegalOperation",
            "rsh-sandbox does not support the database profiler (levels 1 and 2, system.profile)",
        ));
    }
    for field in ["slowms", "sampleRate", "filter"] {
        if req.cmd.contains_key(field) {
            refuse("profile", field)?;
        }
    }
    Ok(doc! {"was": 0, "slowms": 100, "sampleRate": 1.0})
}

/// `{aggregate: 1, pipeline: [{$listLocalSessions: {...}}, ...]}`.
pub fn is_list_local_sessions(req: &Request) -> bool {
    req.cmd
        .get_array("pipeline")
        .ok()
        .and_then(|p| p.first())
        .and_then(Bson::as_document)
        .is_some_and(|d| d.contains_key("$listLocalSessions"))
}

/// $listLocalSessions: the sessions this member has seen, then the rest of the pipeline over
/// them.
pub fn list_local_sessions(node: &Node, req: &Request) -> Result<Document, CmdError> {
    let pipeline = req
        .cmd
        .get_array("pipeline")
        .map_err(|_| CmdError::bad_value("pipeline"))?;
    let spec = pipeline
        .first()
        .and_then(Bson::as_document)
        .and_then(|d| d.get("$listLocalSessions"))
        .cloned()
        .unwrap_or(Bson::Null);
    run_list_local_sessions(node, req, &spec, &pipeline[1..])
}

fn run_list_local_sessions(
    node: &Node,
    req: &Request,
    spec: &Bson,
    rest: &[Bson],
) -> Result<Document, CmdError> {
    // Any database, but collectionless (unlike $listSessions, which reads config).
    if matches!(req.arg(), Some(Bson::String(_))) {
        return Err(CmdError::new(
            73,
            "InvalidNamespace",
            "$listLocalSessions must be run against the database with {aggregate: 1}, not a collection",
        ));
    }
    if let Bson::Document(d) = spec {
        if let Some(k) = d
            .keys()
            .find(|k| !matches!(k.as_str(), "allUsers" | "users"))
        {
            return Err(super::fields::unknown_field(&format!(
                "$listLocalSessions.{k}"
            )));
        }
    }
    let mut docs: Vec<Document> = node
        .admin
        .sessions()
        .into_iter()
        .map(|s| doc! {"_id": {"id": s.id}, "lastUse": s.last_use})
        .collect();
    for stage in rest {
        let Some((name, arg)) = stage.as_document().and_then(|d| d.iter().next()) else {
            return Err(CmdError::type_mismatch(
                "each pipeline stage must be an object",
            ));
        };
        match (name.as_str(), arg) {
            ("$match", Bson::Document(f)) => {
                let f = DocFilter::parse(f)?;
                docs.retain(|d| f.matches(d));
            }
            ("$limit", n) => {
                let n = num_arg("$limit", "$limit", n)?;
                docs.truncate(n.max(0.0) as usize);
            }
            _ => {
                // Any other stage runs as in any pipeline over these documents.
                let stage = stage.as_document().cloned().unwrap_or_default();
                docs = crate::data::run_stages(&[stage], docs)?;
            }
        }
    }
    let batch: Vec<Bson> = docs.into_iter().map(Bson::Document).collect();
    Ok(doc! {"cursor": {"firstBatch": batch, "id": 0i64, "ns": "admin.$cmd.aggregate"}})
}

/// A numeric argument (`BSON field '<cmd>.<field>' is the wrong type` otherwise).
fn num_arg(cmd: &str, field: &str, v: &Bson) -> Result<f64, CmdError> {
    match v {
        Bson::Int32(n) => Ok(f64::from(*n)),
        Bson::Int64(n) => Ok(*n as f64),
        Bson::Double(f) if f.is_finite() => Ok(*f),
        other => Err(CmdError::type_mismatch(format!(
            "BSON field '{cmd}.{field}' is the wrong type '{}', expected types '[long, int, decimal, double]'",
            crate::bson_type::name(other)
        ))),
    }
}

/// An option mongod has and the sandbox does not implement.
fn refuse(cmd: &str, field: &str) -> Result<(), CmdError> {
    Err(CmdError::new(
        20,
        "IllegalOperation",
        format!("rsh-sandbox does not support the '{field}' option of {cmd}"),
    ))
}
