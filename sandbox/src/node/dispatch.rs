//! From a parsed request to a reply document: opcode rules (OP_QUERY only for the handshake,
//! `moreToCome`), `$db`, command lookup by first key, and the reply envelope (`ok`, error labels,
//! topologyVersion on state-change errors, `$clusterTime`/`operationTime` once initialised).
//!
//! Handler contract (also for sbrepl's handlers): `async fn(&Arc<Node>, &Request) ->
//! Result<Document, CmdError>`; the Ok document holds the reply fields, and `ok: 1.0` is appended
//! here unless the handler already put `ok` in.

use std::net::SocketAddr;
use std::sync::Arc;

use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, Document, Timestamp};

use super::Node;
use super::{commands, fail_points, max_time};
use crate::auth::{self, ConnAuth};
use crate::error::CmdError;
use crate::wire::{Message, OpBody, QUERY_FLAG_SECONDARY_OK};

/// Per-connection facts commands need.
#[derive(Debug, Clone)]
pub struct Conn {
    pub id: i32,
    pub peer: SocketAddr,
    /// The client sent `helloOk: true` in its handshake (legacy "not master" wording otherwise).
    pub hello_ok: bool,
    /// A `client` metadata document has been received on this connection.
    pub saw_client_metadata: bool,
    /// Who authenticated on this connection, and a SASL conversation in progress.
    pub auth: ConnAuth,
    /// The handshake's `client.application.name` (failCommand's `appName` filter).
    pub app_name: Option<String>,
    /// A fail point asked to drop the connection instead of replying.
    pub close_now: bool,
}

impl Conn {
    pub fn new(id: i32, peer: SocketAddr) -> Conn {
        Conn {
            id,
            peer,
            hello_ok: false,
            saw_client_metadata: false,
            auth: ConnAuth::default(),
            app_name: None,
            close_now: false,
        }
    }
}

/// What goes back on the connection.
#[derive(Debug)]
pub enum Reply {
    Msg(Document),
    /// OP_REPLY (answer to an OP_QUERY handshake).
    Legacy(Document),
    /// `moreToCome` request: no reply.
    Nothing,
    /// Close the connection (a w:0 write reached a non-primary).
    Close,
    /// An exhaust getMore's first reply: the server keeps sending batches (`moreToCome`)
    /// by running the request again until its cursor ends.
    Exhaust(Document, Box<Request>),
}

/// One command as handlers see it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The command name (first key of the body).
    pub name: String,
    pub db: String,
    /// Shared: the registry of running operations (currentOp) holds it without a copy.
    pub cmd: Arc<Document>,
    /// Reads may run on a secondary: a non-primary `$readPreference` or OP_QUERY SecondaryOk.
    pub secondary_ok: bool,
    /// Came over OP_QUERY (legacy handshake).
    pub legacy: bool,
    pub conn: Conn,
    /// When the command's `maxTimeMS` runs out (set once it starts running).
    pub deadline: Option<std::time::Instant>,
}

impl Request {
    /// The command's own value (`{replSetFreeze: 10}` → 10).
    pub fn arg(&self) -> Option<&Bson> {
        self.cmd.get(&self.name)
    }

    /// A retryable write: carries `txnNumber` and no `autocommit`.
    pub fn is_retryable_write(&self) -> bool {
        self.cmd.contains_key("txnNumber") && !self.cmd.contains_key("autocommit")
    }
}

/// Commands OP_QUERY may still carry (5.1+ servers).
const OP_QUERY_COMMANDS: &[&str] = &[
    "hello",
    "isMaster",
    "ismaster",
    "buildinfo",
    "buildInfo",
    "saslStart",
    "saslContinue",
    "authenticate",
    "_isSelf",
];

pub async fn handle(node: &Arc<Node>, conn: &mut Conn, msg: Message) -> Reply {
    let more_to_come = msg.more_to_come();
    let exhaust_allowed = msg.exhaust_allowed();
    match msg.op {
        OpBody::Msg { body, .. } => {
            // exhaustAllowed streams getMore batches; an awaitable hello is answered singly
            // (allowed: drivers then send the next one themselves).
            let mut again = None;
            let reply = match msg_request(body, conn) {
                Ok(req) => {
                    if exhaust_allowed && req.name == "getMore" && !more_to_come {
                        again = Some(Box::new(req.clone()));
                    }
                    run(node, conn, req).await
                }
                Err(e) => envelope(node, None, Err(e)),
            };
            if conn.close_now {
                return Reply::Close;
            }
            if let Some(req) = again.filter(|_| super::exhaust::cursor_open(&reply)) {
                return Reply::Exhaust(reply, req);
            }
            if more_to_come {
                // A fire-and-forget write that failed because we are not primary: the client can
                // only learn it from the connection closing.
                let code = reply.get_i32("code").unwrap_or(0);
                return if code == 10107 {
                    Reply::Close
                } else {
                    Reply::Nothing
                };
            }
            Reply::Msg(reply)
        }
        OpBody::Query {
            flags,
            full_collection_name,
            query,
        } => {
            let name = query.keys().next().cloned().unwrap_or_default();
            let db = full_collection_name
                .strip_suffix(".$cmd")
                .map(str::to_string);
            let Some(db) = db.filter(|_| OP_QUERY_COMMANDS.contains(&name.as_str())) else {
                let e = CmdError::new(
                    352,
                    "UnsupportedOpQueryCommand",
                    format!(
                        "Unsupported OP_QUERY command: {name}. The client driver may require an upgrade. For more \
                         details see https://dochub.mongodb.org/core/legacy-opcode-removal"
                    ),
                );
                return Reply::Legacy(envelope(node, None, Err(e)));
            };
            let secondary_ok =
                flags & QUERY_FLAG_SECONDARY_OK != 0 || read_pref_allows_secondary(&query);
            let req = Request {
                name,
                db,
                cmd: Arc::new(query),
                secondary_ok,
                legacy: true,
                conn: conn.clone(),
                deadline: None,
            };
            let reply = run(node, conn, req).await;
            if conn.close_now {
                return Reply::Close;
            }
            Reply::Legacy(reply)
        }
        OpBody::Reply { .. } => Reply::Close,
    }
}

fn msg_request(body: Document, conn: &Conn) -> Result<Request, CmdError> {
    let name = body.keys().next().cloned().unwrap_or_default();
    let db = match body.get("$db") {
        Some(Bson::String(s)) => s.clone(),
        Some(_) => {
            return Err(CmdError::type_mismatch(
                "BSON field '$db' is the wrong type, expected type 'string'",
            ))
        }
        None => {
            return Err(CmdError::new(
                40571,
                "Location40571",
                "OP_MSG requests require a $db argument",
            ));
        }
    };
    let secondary_ok = read_pref_allows_secondary(&body);
    Ok(Request {
        name,
        db,
        cmd: Arc::new(body),
        secondary_ok,
        legacy: false,
        conn: conn.clone(),
        deadline: None,
    })
}

fn read_pref_allows_secondary(cmd: &Document) -> bool {
    match cmd.get("$readPreference") {
        Some(Bson::Document(rp)) => {
            !matches!(rp.get("mode"), Some(Bson::String(m)) if m == "primary")
        }
        _ => false,
    }
}

pub(super) async fn run(node: &Arc<Node>, conn: &mut Conn, mut req: Request) -> Document {
    let arrived = std::time::Instant::now();
    if is_hello(&req.name) {
        if req.cmd.get_bool("helloOk").unwrap_or(false) {
            conn.hello_ok = true;
        }
        if req.cmd.contains_key("client") {
            if conn.saw_client_metadata {
                // The wording names the command used (4.4 servers said "isMaster"; newer "hello").
                let e = CmdError::new(
                    186,
                    "ClientMetadataCannotBeMutated",
                    format!(
                        "The client metadata document may only be sent in the first {}",
                        req.name
                    ),
                );
                return envelope(node, Some(&req), Err(e));
            }
            conn.saw_client_metadata = true;
            if let Ok(m) = req.cmd.get_document("client") {
                conn.app_name = m
                    .get_document("application")
                    .and_then(|a| a.get_str("name"))
                    .ok()
                    .map(str::to_string);
                node.ops.connection_metadata(conn.id, m.clone());
            }
        }
    }
    if let Err(e) = auth::authz::check(node, conn, &req) {
        return envelope(node, Some(&req), Err(e));
    }
    if let Some(result) = auth::run_command(node, conn, &req).await {
        return envelope(node, Some(&req), result);
    }
    if let Some(e) = commands::transactions::refuse(&req.name, &req.cmd) {
        return envelope(node, Some(&req), Err(e));
    }
    if let Err(e) = commands::fields::check(&req.name, &req.cmd) {
        return envelope(node, Some(&req), Err(e));
    }
    match max_time::deadline(node, &req, arrived) {
        Ok(d) => req.deadline = d,
        Err(e) => return envelope(node, Some(&req), Err(e)),
    }
    let failure = node
        .fail_points
        .fail_command(&req, conn.app_name.as_deref());
    let op = node.ops.begin(conn.id, &req.name, &req.db, &req.cmd);
    // Data commands end at their time limit themselves (a write already applied is reported,
    // a cursor already opened is closed); any other command is cut off there.
    let cut_off = req
        .deadline
        .filter(|_| crate::data::Store::command_kind(&req.name).is_none());
    // killOp ends the wait (write concern, awaitable hello, ...) with mongod's 11601.
    let mut result = tokio::select! {
        r = fail_points::run_failing(node, &req, failure, &mut conn.close_now) => r,
        () = op.killed() => Err(CmdError::new(11601, "Interrupted", "operation was interrupted")),
        () = max_time::reached(cut_off) => Err(max_time::expired()),
    };
    drop(op);
    if conn.close_now {
        return Document::new();
    }
    if let (true, Ok(reply)) = (is_hello(&req.name), result.as_mut()) {
        auth::sasl::hello_extras(node, conn, &req, reply);
    }
    envelope(node, Some(&req), result)
}

fn is_hello(name: &str) -> bool {
    matches!(name, "hello" | "isMaster" | "ismaster")
}

/// Codes after which drivers re-check the server; their replies carry the topologyVersion.
fn is_state_change_code(code: i32) -> bool {
    matches!(code, 10107 | 13435 | 13436 | 11600 | 11602 | 189 | 91)
}

/// mongod attaches its topologyVersion to a state-change error only when the state is real:
/// a shutdown error while shutting down, a not-primary error while not primary. An error made
/// by the failCommand fail point on a healthy primary carries none, so drivers treat it as new
/// (they ignore errors whose topologyVersion is not newer than the one they know).
fn state_change_is_real(node: &Node, code: i32) -> bool {
    let repl = node.repl();
    if repl.set_name.is_none() {
        return false;
    }
    match code {
        // ShutdownInProgress, InterruptedAtShutdown: the sandbox answers no command while
        // shutting down, so these come from fail points.
        91 | 11600 => false,
        _ => !repl.is_writable_primary(),
    }
}

fn is_retryable_code(code: i32) -> bool {
    matches!(
        code,
        6 | 7 | 89 | 91 | 134 | 189 | 262 | 9001 | 10107 | 11600 | 11602 | 13435 | 13436
    )
}

/// Adds `ok`, error labels, topologyVersion and cluster time.
pub fn envelope(
    node: &Node,
    req: Option<&Request>,
    result: Result<Document, CmdError>,
) -> Document {
    let mut reply = match result {
        Ok(mut d) => {
            if !d.contains_key("ok") {
                d.insert("ok", 1.0);
            }
            retry_label_for_wc_error(&mut d, req);
            d
        }
        Err(e) => {
            let mut d = e.to_reply();
            if req.is_some_and(Request::is_retryable_write)
                && is_retryable_code(e.code)
                && !d.contains_key("errorLabels")
            {
                d.insert("errorLabels", vec!["RetryableWriteError"]);
            }
            if is_state_change_code(e.code) && state_change_is_real(node, e.code) {
                d.insert("topologyVersion", node.topology.to_document());
            }
            d
        }
    };
    if node.repl().config_doc.is_some() {
        append_cluster_time(node, &mut reply);
    }
    reply
}

fn retry_label_for_wc_error(d: &mut Document, req: Option<&Request>) {
    let code = match d.get_document("writeConcernError") {
        Ok(wce) => wce.get_i32("code").unwrap_or(0),
        Err(_) => return,
    };
    if req.is_some_and(Request::is_retryable_write)
        && is_retryable_code(code)
        && !d.contains_key("errorLabels")
    {
        d.insert("errorLabels", vec!["RetryableWriteError"]);
    }
}

pub fn append_cluster_time(node: &Node, reply: &mut Document) {
    let ts = node.store.last_applied().ts;
    let ts = if ts.time == 0 {
        Timestamp {
            time: now_secs(),
            increment: 1,
        }
    } else {
        ts
    };
    let hash = Binary {
        subtype: BinarySubtype::Generic,
        bytes: vec![0u8; 20],
    };
    reply.insert(
        "$clusterTime",
        doc! {"clusterTime": ts, "signature": {"hash": hash, "keyId": 0i64}},
    );
    reply.insert("operationTime", ts);
}

fn now_secs() -> u32 {
    chrono::Utc::now().timestamp().clamp(0, i64::from(u32::MAX)) as u32
}
