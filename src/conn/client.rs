//! `Connection`: one shell connection over the `mongodb` driver. Commands go to the primary,
//! to a member chosen by read preference, or to one member through a cached direct client.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use mongodb::bson::{doc, Bson, Document};
use mongodb::options::{ClientOptions, ServerAddress};
use mongodb::Client;

use super::auth::{credential, tls};
use super::cursor::ShellCursor;
use super::error::{classify, is_not_primary_code, ConnError, ErrClass, ErrCtx};
use super::prompt::PromptMode;
use super::runtime::{block_on, drop_in_runtime};
use super::spec::{ConnectSpec, ReadPref, Target};
use super::topology::{address_string, sdam_handler, Role, SharedTopology, TopologyView};

/// Commands the legacy shell refused on a secondary without the secondary-ok flag.
const READ_COMMANDS: &[&str] = &[
    "find",
    "count",
    "distinct",
    "aggregate",
    "listCollections",
    "listIndexes",
    "listDatabases",
    "dbStats",
    "dbstats",
    "collStats",
    "collstats",
];

/// How often the driver re-checks each member: quick enough for the prompt to follow failover.
const HEARTBEAT: Duration = Duration::from_millis(1000);

/// The drivers' default server selection timeout.
const DEFAULT_SELECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The drivers' default connect timeout (shorter when the selection timeout is).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
struct ShellState {
    read_pref: Option<ReadPref>,
    secondary_ok: bool,
    prompt_mode: PromptMode,
}

pub struct Connection {
    spec: ConnectSpec,
    pub(crate) options: ClientOptions,
    /// `None` only while the connection is being dropped.
    pub(crate) client: RwLock<Option<Client>>,
    pub(crate) members: Mutex<HashMap<String, Client>>,
    pub(crate) topology: SharedTopology,
    pub(crate) interrupt: Arc<AtomicBool>,
    state: Mutex<ShellState>,
    pub(crate) replica_set: bool,
    selection_timeout: Duration,
    /// Sessions started with `startSession()`, and which one the current call runs in.
    pub(crate) explicit: Mutex<super::session::Explicit>,
    /// `socketTimeoutMS`, and the commands awaiting an answer when it is set.
    pub(crate) socket_timeout: Option<Duration>,
    pub(crate) in_flight: super::socket_timeout::InFlight,
    /// Set while `connect` checks that something answers.
    pub(crate) connecting: AtomicBool,
}

fn command_name(cmd: &Document) -> String {
    cmd.keys().next().cloned().unwrap_or_default()
}

/// How long the name lookup of the seed hosts may take before the connection is tried anyway.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Fail at once, naming the host, when no seed host name resolves (instead of waiting out the
/// selection timeout). A slow or unanswered lookup is left to the driver.
fn unresolvable_hosts(
    hosts: &[mongodb::options::ServerAddress],
    interrupt: &Arc<AtomicBool>,
) -> Result<(), ConnError> {
    let names: Vec<String> = hosts
        .iter()
        .filter_map(|h| match h {
            mongodb::options::ServerAddress::Tcp { host, port } => {
                Some(format!("{host}:{}", port.unwrap_or(27017)))
            }
            _ => None,
        })
        .collect();
    if names.is_empty() || names.len() != hosts.len() {
        return Ok(());
    }
    let lookups = names.clone().into_iter().map(|name| async move {
        match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host(name)).await {
            Ok(Err(e)) => Some(e.to_string()),
            _ => None,
        }
    });
    let failures = block_on(interrupt, futures_util::future::join_all(lookups))?;
    if failures.iter().all(Option::is_some) {
        let why = failures.into_iter().flatten().next().unwrap_or_default();
        let host = names[0]
            .rsplit_once(':')
            .map_or(names[0].as_str(), |(h, _)| h);
        let what = if names.len() == 1 {
            format!("the host name {host} does not resolve")
        } else {
            "none of the host names resolves".to_string()
        };
        return Err(ConnError::Usage(format!("{what} ({why})")));
    }
    Ok(())
}

impl Connection {
    /// Parse the spec, build the client and check that something answers (`ping`).
    pub fn connect(spec: ConnectSpec, interrupt: Arc<AtomicBool>) -> Result<Connection, ConnError> {
        let (uri, socket_timeout) = super::socket_timeout::take_socket_timeout(&spec.uri)?;
        let mut options = block_on(&interrupt, async move { ClientOptions::parse(uri).await })?
            .map_err(|e| {
                ConnError::Usage(format!(
                    "invalid connection string: {}",
                    crate::conn::error::plain_error_text(&e.to_string())
                ))
            })?;
        // The option, else the URI's serverSelectionTimeoutMS, else the drivers' 30 s: long
        // enough to wait out an election at default settings.
        let selection_timeout = spec
            .server_selection_timeout
            .or(options.server_selection_timeout)
            .unwrap_or(DEFAULT_SELECTION_TIMEOUT);
        options.server_selection_timeout = Some(selection_timeout);
        options
            .connect_timeout
            .get_or_insert(selection_timeout.min(DEFAULT_CONNECT_TIMEOUT));
        options.heartbeat_freq.get_or_insert(HEARTBEAT);
        options.app_name.get_or_insert_with(|| "rsh".to_string());
        // Retryable writes are on unless turned off (`retryWrites=false`), as in the drivers.
        options.retry_writes = Some(spec.retry_writes.or(options.retry_writes).unwrap_or(true));
        options.credential = credential(&spec, options.credential.take())?;
        if let Some(t) = tls(&spec)? {
            options.tls = Some(t);
        }
        let in_flight = super::socket_timeout::InFlight::default();
        if socket_timeout.is_some() {
            options.command_event_handler = Some(in_flight.handler());
        }
        unresolvable_hosts(&options.hosts, &interrupt)?;
        let replica_set = options.direct_connection != Some(true)
            && (options.repl_set_name.is_some() || options.hosts.len() > 1);
        let topology: SharedTopology = Arc::new(RwLock::new(TopologyView::default()));
        let mut main_opts = options.clone();
        main_opts.sdam_event_handler = Some(sdam_handler(topology.clone()));
        let client = block_on(&interrupt, async move { Client::with_options(main_opts) })?
            .map_err(|e| ConnError::Usage(crate::conn::error::plain_error_text(&e.to_string())))?;
        let conn = Connection {
            spec,
            options,
            client: RwLock::new(Some(client)),
            members: Mutex::new(HashMap::new()),
            topology,
            interrupt,
            state: Mutex::new(ShellState::default()),
            replica_set,
            selection_timeout,
            explicit: Mutex::new(Default::default()),
            socket_timeout,
            in_flight,
            connecting: AtomicBool::new(true),
        };
        let reached = conn.check_reachable();
        conn.connecting
            .store(false, std::sync::atomic::Ordering::SeqCst);
        reached?;
        Ok(conn)
    }

    /// `ping` any member (a set without a primary is still a connection).
    fn check_reachable(&self) -> Result<(), ConnError> {
        let target = if self.replica_set {
            Target::ReadPref(ReadPref {
                mode: "nearest".into(),
                tags: vec![],
            })
        } else {
            Target::Primary
        };
        let reply = self.run_command("admin", doc! {"ping": 1}, &target)?;
        match reply.get("ok") {
            Some(Bson::Double(d)) if *d == 1.0 => Ok(()),
            Some(Bson::Int32(1)) | Some(Bson::Int64(1)) => Ok(()),
            _ => Err(ConnError::Server(reply)),
        }
    }

    fn client(&self) -> Result<Client, ConnError> {
        // A poisoned lock only means a panic elsewhere; the client inside is still usable.
        let c = match self.client.read() {
            Ok(c) => c.clone(),
            Err(p) => p.into_inner().clone(),
        };
        c.ok_or_else(|| ConnError::Other("the connection is closed".to_string()))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ShellState> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// A direct client to one member, created on first use and cached.
    fn member_client(&self, address: &str) -> Result<Client, ConnError> {
        let mut members = match self.members.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        if let Some(c) = members.get(address) {
            return Ok(c.clone());
        }
        let host = ServerAddress::parse(address)
            .map_err(|_| ConnError::Usage(format!("invalid host:port: {address}")))?;
        let mut o = self.options.clone();
        o.hosts = vec![host];
        o.direct_connection = Some(true);
        o.repl_set_name = None;
        o.sdam_event_handler = None;
        let c = block_on(&self.interrupt, async move { Client::with_options(o) })?
            .map_err(|e| ConnError::Usage(crate::conn::error::plain_error_text(&e.to_string())))?;
        members.insert(address.to_string(), c.clone());
        Ok(c)
    }

    pub(crate) fn ctx<'a>(&self, command: &'a str, to_primary: bool) -> ErrCtx<'a> {
        ErrCtx {
            command,
            replica_set: self.replica_set,
            to_primary,
            selection_timeout_secs: self.selection_timeout.as_secs_f64(),
            facts: self.facts(),
        }
    }

    /// The legacy shell's refusal to read from a secondary without the secondary-ok flag; the
    /// driver itself always allows it on a direct connection.
    /// The `local` database is readable on any member, as on the server.
    fn refuse_secondary_read(&self, db: &str, name: &str, target: &Target) -> Option<Document> {
        if self.replica_set
            || *target != Target::Primary
            || db == "local"
            || self.state().secondary_ok
        {
            return None;
        }
        if !READ_COMMANDS.contains(&name) {
            return None;
        }
        let role = self.topology().single().map(|m| m.role)?;
        if matches!(role, Role::Secondary | Role::Other) {
            Some(doc! {
                "ok": 0.0,
                "errmsg": "not primary and secondaryOk=false",
                "code": 13435,
                "codeName": "NotPrimaryNoSecondaryOk",
            })
        } else {
            None
        }
    }

    /// Run one command. `ok: 0` replies come back as documents (the legacy shell prints them);
    /// only transport-level failures and a lost primary are errors.
    pub fn run_command(
        &self,
        db: &str,
        cmd: Document,
        target: &Target,
    ) -> Result<Document, ConnError> {
        let name = command_name(&cmd);
        if let Some(reply) = self.refuse_secondary_read(db, &name, target) {
            return Ok(reply);
        }
        let client = match target {
            Target::Member(addr) => self.member_client(addr)?,
            _ => self.client()?,
        };
        let criteria = target.criteria()?;
        let db = client.database(db);
        let to_primary = *target == Target::Primary;
        let session = self.session_for(target)?;
        let result = self.wait_primary(to_primary, async move {
            let mut cmd = cmd;
            let mut guard = match &session {
                Some(s) => Some(s.lock().await),
                None => None,
            };
            if let Some(g) = &guard {
                g.add_after_cluster_time(&mut cmd);
            }
            let mut action = db.run_command(cmd);
            if let Some(c) = criteria {
                action = action.selection_criteria(c);
            }
            match guard.as_mut() {
                Some(g) => action.session(&mut g.session).await,
                None => action.await,
            }
        })?;
        match result {
            Ok(reply) => Ok(reply),
            Err(e) => match classify(&e) {
                ErrClass::Command { code, reply } => {
                    if self.replica_set && to_primary && is_not_primary_code(code) {
                        Err(ConnError::PrimaryChanged { command: name })
                    } else {
                        Ok(reply)
                    }
                }
                other => Err(self.map_failure(other, &name, to_primary)),
            },
        }
    }

    /// Run a cursor-returning command (`find`, `aggregate`, `listCollections`…). An `ok: 0`
    /// reply is `ConnError::Server(reply)`.
    pub fn open_cursor(
        &self,
        db: &str,
        cmd: Document,
        target: &Target,
        batch_size: Option<u32>,
    ) -> Result<ShellCursor, ConnError> {
        let name = command_name(&cmd);
        if let Some(reply) = self.refuse_secondary_read(db, &name, target) {
            return Err(ConnError::Server(reply));
        }
        let client = match target {
            Target::Member(addr) => self.member_client(addr)?,
            _ => self.client()?,
        };
        let criteria = target.criteria()?;
        let database = client.database(db);
        let to_primary = *target == Target::Primary;
        let session = self.session_for(target)?;
        let result = self.wait_primary(to_primary, async move {
            let mut cmd = cmd;
            if let Some(s) = &session {
                s.lock().await.add_after_cluster_time(&mut cmd);
            }
            let mut action = database.run_cursor_command(cmd);
            if let Some(c) = criteria {
                action = action.selection_criteria(c);
            }
            if let Some(b) = batch_size {
                action = action.batch_size(b);
            }
            match session {
                Some(s) => {
                    let opened = action.session(&mut s.lock().await.session).batch().await;
                    opened.map(|c| super::cursor::Stream::Explicit(c, s))
                }
                None => action.batch().await.map(super::cursor::Stream::Implicit),
            }
        })?;
        match result {
            Ok(raw) => Ok(ShellCursor::new(
                raw,
                self.interrupt.clone(),
                self.ctx_owned(&name, to_primary),
            )),
            Err(e) => Err(match classify(&e) {
                ErrClass::Command { code, reply } => {
                    if self.replica_set && to_primary && is_not_primary_code(code) {
                        ConnError::PrimaryChanged { command: name }
                    } else {
                        ConnError::Server(reply)
                    }
                }
                other => self.map_failure(other, &name, to_primary),
            }),
        }
    }

    fn ctx_owned(&self, name: &str, to_primary: bool) -> super::cursor::CursorCtx {
        super::cursor::CursorCtx {
            command: name.to_string(),
            replica_set: self.replica_set,
            to_primary,
            selection_timeout_secs: self.selection_timeout.as_secs_f64(),
            socket_timeout: self.socket_timeout.map(|t| (self.in_flight.clone(), t)),
        }
    }

    /// The target reads use: an explicit read preference, else secondary-ok on a replica-set
    /// connection (→ secondaryPreferred), else the primary.
    pub fn read_target(&self) -> Target {
        let st = self.state();
        match &st.read_pref {
            Some(rp) if rp.mode != "primary" => Target::ReadPref(rp.clone()),
            _ if st.secondary_ok && self.replica_set => Target::ReadPref(ReadPref {
                mode: "secondaryPreferred".into(),
                tags: vec![],
            }),
            _ => Target::Primary,
        }
    }

    pub fn set_read_pref(&self, rp: Option<ReadPref>) {
        self.state().read_pref = rp;
    }

    pub fn read_pref(&self) -> Option<ReadPref> {
        self.state().read_pref.clone()
    }

    pub fn set_secondary_ok(&self, on: bool) {
        self.state().secondary_ok = on;
    }

    pub fn secondary_ok(&self) -> bool {
        self.state().secondary_ok
    }

    /// Replica-set discovery (not a direct connection).
    pub fn is_replica_set(&self) -> bool {
        self.replica_set
    }

    pub fn topology(&self) -> TopologyView {
        match self.topology.read() {
            Ok(t) => t.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// The database named by the address or URI (`test` by default).
    pub fn default_db(&self) -> String {
        if !self.spec.db.is_empty() {
            return self.spec.db.clone();
        }
        self.options
            .default_database
            .clone()
            .unwrap_or_else(|| "test".to_string())
    }

    /// The connection string with any password removed (startup line, `db.getMongo()`).
    pub fn uri_redacted(&self) -> String {
        redact_uri(&self.spec.uri)
    }

    /// `h1:p1,h2:p2` of the seed list, as `db.getMongo()` prints it.
    pub fn hosts(&self) -> String {
        self.options
            .hosts
            .iter()
            .map(address_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// `buildInfo.version` of the server commands go to.
    pub fn server_version(&self) -> Result<String, ConnError> {
        let target = if self.replica_set {
            Target::ReadPref(ReadPref {
                mode: "primaryPreferred".into(),
                tags: vec![],
            })
        } else {
            Target::Primary
        };
        let reply = self.run_command("admin", doc! {"buildInfo": 1}, &target)?;
        Ok(reply.get_str("version").unwrap_or("unknown").to_string())
    }

    pub(crate) fn prompt_mode(&self) -> PromptMode {
        self.state().prompt_mode
    }

    pub(crate) fn set_prompt_mode(&self, m: PromptMode) {
        self.state().prompt_mode = m;
    }

    pub(crate) fn main_client(&self) -> Result<Client, ConnError> {
        self.client()
    }

    pub(crate) fn direct_client(&self, address: &str) -> Result<Client, ConnError> {
        self.member_client(address)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Sessions first: they go back to the pool of the client dropped below.
        let sessions = self.take_sessions();
        drop_in_runtime(sessions);
        let members: Vec<Client> = match self.members.get_mut() {
            Ok(m) => m.drain().map(|(_, c)| c).collect(),
            Err(_) => Vec::new(),
        };
        drop_in_runtime(members);
        let client = match self.client.get_mut() {
            Ok(c) => c.take(),
            Err(_) => None,
        };
        drop_in_runtime(client);
    }
}

/// Remove the password from `mongodb://user:pwd@host/…`.
pub fn redact_uri(uri: &str) -> String {
    let Some(scheme_end) = uri.find("://") else {
        return uri.to_string();
    };
    let rest = &uri[scheme_end + 3..];
    let host_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..host_end].rfind('@') else {
        return uri.to_string();
    };
    let userinfo = &rest[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    format!("{}://{}@{}", &uri[..scheme_end], user, &rest[at + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_password_only() {
        assert_eq!(
            redact_uri("mongodb://u:secret@h:1/db?x=1"),
            "mongodb://u@h:1/db?x=1"
        );
        assert_eq!(redact_uri("mongodb://h:1/db"), "mongodb://h:1/db");
        assert_eq!(redact_uri("no scheme"), "no scheme");
    }

    #[test]
    fn unreachable_server_fails_fast_with_one_line() {
        // Bind then drop a listener: the port is free and nothing accepts on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(1);
        let mut spec = ConnectSpec::from_uri(&format!(
            "mongodb://127.0.0.1:{port}/?directConnection=true"
        ));
        spec.server_selection_timeout = Some(Duration::from_secs(60));
        let err = match Connection::connect(spec, super::super::runtime::never_interrupted()) {
            Ok(_) => panic!("connected to a closed port"),
            Err(e) => e,
        };
        let text = err.to_string();
        assert!(!text.contains('\n'), "{text}");
        // Refused: decided at once, whatever the selection timeout.
        assert_eq!(text, "connection refused");
    }
}
