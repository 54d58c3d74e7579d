//! A tiny internal client: one member talking to another over TCP with OP_MSG.
//!
//! Used for heartbeats, votes, oplog fetching and position updates. Every call has a deadline
//! (connect + reply together); idle connections are kept per peer and reused, a connection that
//! failed in any way is dropped. Only loopback addresses are ever contacted: the sandbox is a
//! simulator on one machine.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use bson::Document;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::tls::{self, Stream};

use crate::auth::internal_client;
use crate::wire::{self, OpBody};

mod quorum;
pub use quorum::{quorum_check, QuorumKind, QuorumTarget};

/// Replies larger than this are refused (mongod's maxMessageSizeBytes).
const MAX_REPLY: usize = 48_000_000;
/// Idle connections kept per peer.
const MAX_IDLE: usize = 4;

/// Why a call to a peer failed; `Display` gives the text mongod puts in `lastHeartbeatMessage`.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerError {
    /// Could not connect: the full "Error connecting to …" sentence.
    Connect(String),
    /// No reply before the deadline.
    Timeout { host: String, millis: u128 },
    /// The connection broke or the reply was not a well-formed OP_MSG.
    Network(String),
}

impl std::fmt::Display for PeerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeerError::Connect(m) | PeerError::Network(m) => f.write_str(m),
            PeerError::Timeout { host, millis } => {
                write!(f, "Request to {host} timed out after {millis} ms")
            }
        }
    }
}

/// The process's connection cache (one member per process; every background task shares it).
pub fn peers() -> &'static Peers {
    static PEERS: std::sync::OnceLock<Peers> = std::sync::OnceLock::new();
    PEERS.get_or_init(Peers::new)
}

/// Connection cache shared by all of a member's background tasks.
#[derive(Default)]
pub struct Peers {
    idle: Mutex<HashMap<String, Vec<Stream>>>,
    next_request_id: AtomicI32,
}

impl Peers {
    pub fn new() -> Peers {
        Peers::default()
    }

    /// Sends `cmd` (which must carry `$db`) to `host` ("h:p") and returns the reply body, whatever
    /// its `ok`. The whole exchange, connecting included, is bounded by `timeout`.
    pub async fn command(
        &self,
        host: &str,
        cmd: &Document,
        timeout: Duration,
    ) -> Result<Document, PeerError> {
        let timed_out = || PeerError::Timeout {
            host: host.to_string(),
            millis: timeout.as_millis(),
        };
        match tokio::time::timeout(timeout, self.exchange(host, cmd)).await {
            Ok(r) => r,
            Err(_) => Err(timed_out()),
        }
    }

    /// [`Peers::command`] for replies that must succeed: a network failure or an `ok` other than 1
    /// becomes the reply's errmsg (or `what` failed) as a one-line error.
    pub async fn command_ok(
        &self,
        host: &str,
        cmd: &Document,
        timeout: Duration,
        what: &str,
    ) -> Result<Document, String> {
        let reply = self
            .command(host, cmd, timeout)
            .await
            .map_err(|e| e.to_string())?;
        if super::config_view::num(reply.get("ok")) != Some(1.0) {
            return Err(reply
                .get_str("errmsg")
                .map(str::to_string)
                .unwrap_or_else(|_| format!("{what} failed")));
        }
        Ok(reply)
    }

    /// Drops every cached connection to `host` (after a peer restarted, for instance).
    pub fn forget(&self, host: &str) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.remove(host);
        }
    }

    async fn exchange(&self, host: &str, cmd: &Document) -> Result<Document, PeerError> {
        let reused = self.take_idle(host);
        let had_cached = reused.is_some();
        let mut stream = match reused {
            Some(s) => s,
            None => self.connect_authenticated(host).await?,
        };
        match round_trip(&mut stream, self.request_id(), cmd).await {
            Ok(reply) => {
                self.put_idle(host, stream);
                Ok(reply)
            }
            // A cached connection may have been closed by the peer meanwhile: retry once fresh.
            Err(_) if had_cached => {
                let mut fresh = self.connect_authenticated(host).await?;
                let reply = round_trip(&mut fresh, self.request_id(), cmd).await?;
                self.put_idle(host, fresh);
                Ok(reply)
            }
            Err(e) => Err(e),
        }
    }

    /// A new connection, authenticated as `__system` when the process has a key file.
    async fn connect_authenticated(&self, host: &str) -> Result<Stream, PeerError> {
        let mut stream = connect(host).await?;
        let Some(key) = crate::auth::cluster_key() else {
            return Ok(stream);
        };
        let failed = |why: String| {
            PeerError::Connect(format!("Error connecting to {host} :: caused by :: {why}"))
        };
        let (mut conv, mut cmd) = internal_client::start(key).map_err(failed)?;
        loop {
            let reply = round_trip(&mut stream, self.request_id(), &cmd).await?;
            match conv.next(&reply).map_err(failed)? {
                Some(next) => cmd = next,
                None => return Ok(stream),
            }
        }
    }

    fn request_id(&self) -> i32 {
        // Wrapping is fine: ids only need to differ between outstanding requests.
        self.next_request_id
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1)
    }

    fn take_idle(&self, host: &str) -> Option<Stream> {
        self.idle.lock().ok()?.get_mut(host)?.pop()
    }

    fn put_idle(&self, host: &str, stream: Stream) {
        if let Ok(mut idle) = self.idle.lock() {
            let list = idle.entry(host.to_string()).or_default();
            if list.len() < MAX_IDLE {
                list.push(stream);
            }
        }
    }
}

/// Resolves "h:p" to a loopback socket address (IPv4 preferred, as mongod's messages show).
pub async fn resolve(host: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = match tokio::net::lookup_host(host).await {
        Ok(a) => a.collect(),
        Err(e) => return Err(format!("Could not find address for {host}: {e}")),
    };
    let chosen = addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied();
    match chosen {
        None => Err(format!("Could not find address for {host}")),
        Some(a) if !a.ip().is_loopback() => Err(format!(
            "{host} resolves to {a}: rsh-sandbox only contacts loopback addresses"
        )),
        Some(a) => Ok(a),
    }
}

async fn connect(host: &str) -> Result<Stream, PeerError> {
    let addr = resolve(host).await.map_err(|e| {
        PeerError::Connect(format!("Error connecting to {host} :: caused by :: {e}"))
    })?;
    match TcpStream::connect(addr).await {
        Ok(s) => {
            // Small request/reply exchanges: do not wait for Nagle.
            let _ = s.set_nodelay(true);
            tls::connect(s, host).await.map_err(|e| {
                PeerError::Connect(format!(
                    "Error connecting to {host} ({addr}) :: caused by :: {e}"
                ))
            })
        }
        Err(e) => Err(PeerError::Connect(format!(
            "Error connecting to {host} ({addr}) :: caused by :: {}",
            io_reason(&e)
        ))),
    }
}

/// mongod's wording of common socket errors ("Connection refused" without the errno suffix).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "Connection refused".to_string(),
        std::io::ErrorKind::ConnectionReset => "Connection reset by peer".to_string(),
        std::io::ErrorKind::UnexpectedEof => "connection closed".to_string(),
        _ => e.to_string(),
    }
}

async fn round_trip(
    stream: &mut Stream,
    request_id: i32,
    cmd: &Document,
) -> Result<Document, PeerError> {
    let bytes = wire::encode_msg_request(request_id, cmd);
    let addr = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let net = |what: String| PeerError::Network(format!("network error with {addr}: {what}"));
    stream
        .write_all(&bytes)
        .await
        .map_err(|e| net(io_reason(&e)))?;
    let msg = match wire::read_message(stream, MAX_REPLY).await {
        Ok(Some(m)) => m,
        Ok(None) => return Err(net("connection closed".to_string())),
        Err(e) => return Err(net(e.to_string())),
    };
    if msg.response_to != request_id {
        return Err(net(format!(
            "reply answers request {} but {} was sent",
            msg.response_to, request_id
        )));
    }
    match msg.op {
        OpBody::Msg { body, .. } => Ok(body),
        _ => Err(net("reply is not an OP_MSG".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refused_connection_uses_mongod_wording() {
        // Bind then drop a listener to get a port nobody listens on.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback"); // ok: test setup
            l.local_addr().expect("local addr").port() // ok: test setup
        };
        let host = format!("127.0.0.1:{port}");
        let peers = Peers::new();
        let err = peers
            .command(
                &host,
                &bson::doc! {"ping": 1, "$db": "admin"},
                Duration::from_secs(2),
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Error connecting to {host} (127.0.0.1:{port}) :: caused by :: Connection refused"
            )
        );
    }

    #[tokio::test]
    async fn non_loopback_hosts_are_refused() {
        let err = resolve("10.1.2.3:27017").await.unwrap_err();
        assert!(err.contains("only contacts loopback"), "{err}");
    }

    #[tokio::test]
    async fn silent_peer_times_out() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind"); // ok: test setup
        let host = l.local_addr().expect("addr").to_string(); // ok: test setup
                                                              // Accept and hold the connection without ever answering.
        let holder = tokio::spawn(async move {
            let conn = l.accept().await;
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(conn);
        });
        let peers = Peers::new();
        let err = peers
            .command(
                &host,
                &bson::doc! {"ping": 1, "$db": "admin"},
                Duration::from_millis(200),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, PeerError::Timeout { .. }), "{err:?}");
        holder.abort();
    }
}
