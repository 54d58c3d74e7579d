//! TLS on the member's connections (rustls, the library the mongodb driver uses):
//! the listener's side (`accept`: by `--tlsMode`, a TLS handshake, a plain connection, or a
//! refusal) and the side of connections to other members (`connect`: TLS in preferTLS and
//! requireTLS, with this member's certificate as client certificate, as mongod uses its
//! certificate key file for cluster connections when no cluster file is given).
//! The configuration is built once at startup, like the key file (`configure`).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bson::doc;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::server::next_request_id;
use crate::options::{TlsMode, TlsOptions};
use crate::wire::{encode_msg_reply, encode_op_reply, Message, OpBody};

/// The first byte of a TLS record carrying a handshake (a ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

/// A client that starts a handshake and stalls does not hold a task for ever.
const HANDSHAKE_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

struct Tls {
    mode: TlsMode,
    acceptor: TlsAcceptor,
    connector: TlsConnector,
}

static TLS: OnceLock<Tls> = OnceLock::new();

/// Reads the certificate files and builds both sides' configuration. Errors name the file.
pub fn configure(o: &TlsOptions) -> Result<(), String> {
    let Some((server, client)) = build(o)? else {
        return Ok(());
    };
    let tls = Tls {
        mode: o.mode,
        acceptor: TlsAcceptor::from(Arc::new(server)),
        connector: TlsConnector::from(Arc::new(client)),
    };
    TLS.set(tls)
        .map_err(|_| "TLS is configured twice".to_string())
}

/// The client side alone (the cluster launcher talks to its requireTLS members with it:
/// the member certificate as client certificate, the CA file as trust).
pub fn client_config(o: &TlsOptions) -> Result<Option<Arc<ClientConfig>>, String> {
    Ok(build(o)?.map(|(_, client)| Arc::new(client)))
}

fn build(o: &TlsOptions) -> Result<Option<(ServerConfig, ClientConfig)>, String> {
    if o.mode == TlsMode::Disabled {
        return Ok(None);
    }
    let (Some(cert_file), Some(ca_file)) = (&o.certificate_key_file, &o.ca_file) else {
        return Err("need tlsCertificateKeyFile and tlsCAFile when TLS is enabled".into());
    };
    let cert_text = std::fs::read(cert_file)
        .map_err(|e| format!("cannot read PEM key file {}: {e}", cert_file.display()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_text)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bad certificate in {}: {e}", cert_file.display()))?;
    if chain.is_empty() {
        return Err(format!("no certificate in {}", cert_file.display()));
    }
    let key = PrivateKeyDer::from_pem_slice(&cert_text)
        .map_err(|e| format!("no usable private key in {}: {e}", cert_file.display()))?;
    let ca_text = std::fs::read(ca_file)
        .map_err(|e| format!("cannot read CA file {}: {e}", ca_file.display()))?;
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(&ca_text) {
        let c = c.map_err(|e| format!("bad certificate in {}: {e}", ca_file.display()))?;
        roots
            .add(c)
            .map_err(|e| format!("bad CA certificate in {}: {e}", ca_file.display()))?;
    }
    if roots.is_empty() {
        return Err(format!("no certificate in {}", ca_file.display()));
    }
    let roots = Arc::new(roots);
    let provider = Arc::new(rustls::crypto::ring::default_provider());

    let mut verifier = WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone());
    if o.allow_connections_without_certificates {
        verifier = verifier.allow_unauthenticated();
    }
    let verifier = verifier
        .build()
        .map_err(|e| format!("cannot use {}: {e}", ca_file.display()))?;
    let server = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain.clone(), key.clone_key())
        .map_err(|e| format!("cannot use {}: {e}", cert_file.display()))?;
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| format!("cannot use {}: {e}", cert_file.display()))?;
    Ok(Some((server, client)))
}

/// `"on"` / `"off"` for the startup log line, as mongod prints it.
pub fn log_state() -> &'static str {
    if TLS.get().is_some() {
        "on"
    } else {
        "off"
    }
}

/// A connection, plain or TLS, server or client side.
pub enum Stream {
    Plain(TcpStream),
    Server(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    Client(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Stream {
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Stream::Plain(s) => s.peer_addr(),
            Stream::Server(s) => s.get_ref().0.peer_addr(),
            Stream::Client(s) => s.get_ref().0.peer_addr(),
        }
    }
}

/// What the listener does with a new connection.
pub enum Accepted {
    Stream(Stream),
    /// A plain-text client on a requireTLS member: answer its first request with this error,
    /// then close.
    RefusePlain(Stream, &'static str),
}

/// mongod's message for a plain-text client of a requireTLS member.
pub const PLAIN_REFUSED: &str = "The server is configured to only allow SSL connections";

/// The error reply to a plain-text client's first request on a requireTLS member (mongod only
/// closes such a connection; the reply lets the client say why).
pub fn refusal(request_id: i32, msg: &Message, why: &str) -> Vec<u8> {
    let body = doc! {"ok": 0.0, "errmsg": why, "code": 141, "codeName": "SSLHandshakeFailed"};
    match msg.op {
        OpBody::Query { .. } => encode_op_reply(next_request_id(), request_id, &body),
        _ => encode_msg_reply(next_request_id(), request_id, &body),
    }
}

/// Handshakes as `--tlsMode` says. A failed handshake is an error (logged by the caller).
pub async fn accept(tcp: TcpStream) -> Result<Accepted, String> {
    let Some(tls) = TLS.get() else {
        return Ok(Accepted::Stream(Stream::Plain(tcp)));
    };
    let mut first = [0u8; 1];
    let n = tcp.peek(&mut first).await.map_err(|e| e.to_string())?;
    let wants_tls = n == 1 && first[0] == TLS_HANDSHAKE;
    if !wants_tls {
        return Ok(match tls.mode {
            TlsMode::RequireTls => Accepted::RefusePlain(Stream::Plain(tcp), PLAIN_REFUSED),
            _ => Accepted::Stream(Stream::Plain(tcp)),
        });
    }
    match tokio::time::timeout(HANDSHAKE_LIMIT, tls.acceptor.accept(tcp)).await {
        Ok(Ok(s)) => Ok(Accepted::Stream(Stream::Server(Box::new(s)))),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the TLS handshake did not finish in time".to_string()),
    }
}

/// Wraps a fresh connection to member `host` ("h:p") in TLS when this member's mode says so.
pub async fn connect(tcp: TcpStream, host: &str) -> Result<Stream, String> {
    let Some(tls) = TLS.get().filter(|t| t.mode.outgoing_tls()) else {
        return Ok(Stream::Plain(tcp));
    };
    let name = host_name(host);
    let server_name = ServerName::try_from(name.to_string())
        .map_err(|_| format!("invalid host name for TLS: {name}"))?;
    match tls.connector.connect(server_name, tcp).await {
        Ok(s) => Ok(Stream::Client(Box::new(s))),
        Err(e) => Err(format!("SSLHandshakeFailed: {e}")),
    }
}

/// The host part of "h:p" / "[v6]:p".
fn host_name(host: &str) -> &str {
    let h = match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    h.trim_start_matches('[').trim_end_matches(']')
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Server(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Stream::Client(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Server(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Stream::Client(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Server(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Stream::Client(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Server(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Stream::Client(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::host_name;

    #[test]
    fn host_names_for_verification() {
        assert_eq!(host_name("127.0.0.1:40001"), "127.0.0.1");
        assert_eq!(host_name("localhost:1"), "localhost");
        assert_eq!(host_name("[::1]:27017"), "::1");
        assert_eq!(host_name("h"), "h");
    }
}
