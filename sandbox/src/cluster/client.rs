//! The launcher's tiny blocking client: one OP_MSG command, one reply, with timeouts.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::pki_types::ServerName;

use bson::{doc, Bson, Document};

use crate::wire::{self, OpBody};

/// The TLS configuration for members started with requireTLS (None: plain connections).
static TLS: OnceLock<Option<Arc<rustls::ClientConfig>>> = OnceLock::new();

/// Makes every later command use TLS with `config` (members in requireTLS mode).
pub fn use_tls(config: Option<Arc<rustls::ClientConfig>>) {
    let _ = TLS.set(config);
}

/// Runs `cmd` against `admin` on 127.0.0.1:`port` and returns the reply body.
pub fn command(port: u16, cmd: Document, timeout: Duration) -> Result<Document, String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let tcp =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    tcp.set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut s: Box<dyn ReadWrite> = match TLS.get().cloned().flatten() {
        Some(cfg) => {
            let name = ServerName::IpAddress(std::net::Ipv4Addr::LOCALHOST.into());
            let conn = rustls::ClientConnection::new(cfg, name)
                .map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
            Box::new(rustls::StreamOwned::new(conn, tcp))
        }
        None => Box::new(tcp),
    };
    let mut body = cmd;
    body.insert("$db", "admin");
    s.write_all(&wire::encode_msg_request(1, &body))
        .map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len)
        .map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    let n = i32::from_le_bytes(len);
    if n <= wire::HEADER_LEN as i32 || n as usize > wire::MAX_MESSAGE_LEN {
        return Err(format!("127.0.0.1:{port}: bad reply length {n}"));
    }
    let mut buf = vec![0u8; n as usize];
    buf[..4].copy_from_slice(&len);
    s.read_exact(&mut buf[4..])
        .map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    match wire::parse(&buf)
        .map_err(|e| format!("127.0.0.1:{port}: {e}"))?
        .op
    {
        OpBody::Msg { body, .. } => Ok(body),
        _ => Err(format!("127.0.0.1:{port}: unexpected reply opcode")),
    }
}

/// A plain or TLS connection.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// `ok: 1` in any numeric type.
pub fn is_ok(reply: &Document) -> bool {
    matches!(reply.get("ok"), Some(Bson::Double(f)) if *f == 1.0)
        || matches!(reply.get("ok"), Some(Bson::Int32(1)) | Some(Bson::Int64(1)))
}

/// The member state a node reports in hello, as a word for the launcher's output.
pub fn hello_state(port: u16, timeout: Duration) -> Option<&'static str> {
    let r = command(port, doc! {"hello": 1}, timeout).ok()?;
    let flag = |k: &str| r.get_bool(k).unwrap_or(false);
    Some(if flag("isWritablePrimary") {
        "PRIMARY"
    } else if flag("secondary") {
        "SECONDARY"
    } else if flag("arbiterOnly") {
        "ARBITER"
    } else if flag("isreplicaset") {
        "UNINITIATED"
    } else {
        "OTHER"
    })
}
