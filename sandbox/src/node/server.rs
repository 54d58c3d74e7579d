//! The TCP side: one task per client connection, requests answered in order with
//! `responseTo` = the request's id. A malformed message ends only its own connection.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use bson::doc;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::dispatch::{self, Conn, Reply};
use super::tls;
use super::Node;
use crate::log;
use crate::wire::{encode_msg_reply, encode_op_reply, read_message, MAX_MESSAGE_LEN};

/// Request ids of our replies (and of the internal client's requests): one counter per process.
static NEXT_REQUEST_ID: AtomicI32 = AtomicI32::new(1);

pub fn next_request_id() -> i32 {
    NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed)
}

/// Accepts on every listener until the process exits.
pub async fn serve(node: Arc<Node>, listeners: Vec<TcpListener>) {
    let mut tasks = Vec::new();
    for l in listeners {
        let node = node.clone();
        tasks.push(tokio::spawn(accept_loop(node, l)));
    }
    for t in tasks {
        let _ = t.await;
    }
}

async fn accept_loop(node: Arc<Node>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let node = node.clone();
                tokio::spawn(async move { connection(node, stream, peer).await });
            }
            Err(e) => {
                // Usually EMFILE; back off briefly instead of spinning.
                log::write(
                    'W',
                    "NETWORK",
                    22988,
                    "listener",
                    "Error accepting new connection",
                    doc! {"error": e.to_string()},
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

async fn connection(node: Arc<Node>, stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let (stream, refuse) = match tls::accept(stream).await {
        Ok(tls::Accepted::Stream(s)) => (s, None),
        Ok(tls::Accepted::RefusePlain(s, why)) => (s, Some(why)),
        Err(e) => {
            log::write(
                'I',
                "NETWORK",
                22988,
                "listener",
                "Error receiving request from client. Ending connection from remote",
                doc! {"error": {"code": 141, "codeName": "SSLHandshakeFailed", "errmsg": e}, "remote": peer.to_string()},
            );
            return;
        }
    };
    let mut conn = Conn::new(node.next_connection_id(), peer);
    let ctx = format!("conn{}", conn.id);
    node.ops.connection_opened(conn.id, peer.to_string());
    log::write(
        'I',
        "NETWORK",
        22943,
        "listener",
        "Connection accepted",
        doc! {"remote": peer.to_string(), "connectionId": conn.id},
    );
    let (rd, mut wr) = tokio::io::split(stream);
    let mut rd = BufReader::new(rd);
    let why = loop {
        let msg = match read_message(&mut rd, MAX_MESSAGE_LEN).await {
            Ok(Some(m)) => m,
            Ok(None) => break "end of stream".to_string(),
            Err(e) => {
                if let Some((to, body)) = e.error_reply() {
                    let bytes = if e.legacy_reply() {
                        encode_op_reply(next_request_id(), to, &body)
                    } else {
                        encode_msg_reply(next_request_id(), to, &body)
                    };
                    let sent = wr.write_all(&bytes).await;
                    // A refused document leaves the stream in step: keep serving.
                    if sent.is_ok() && e.keeps_connection() {
                        continue;
                    }
                }
                break e.to_string();
            }
        };
        let request_id = msg.request_id;
        if let Some(why) = refuse {
            let _ = wr.write_all(&tls::refusal(request_id, &msg, why)).await;
            break why.to_string();
        }
        let bytes = match dispatch::handle(&node, &mut conn, msg).await {
            Reply::Msg(d) => encode_msg_reply(next_request_id(), request_id, &d),
            Reply::Legacy(d) => encode_op_reply(next_request_id(), request_id, &d),
            Reply::Nothing => continue,
            Reply::Close => break "closed by server".to_string(),
            Reply::Exhaust(first, req) => {
                match super::exhaust::stream(&node, &mut conn, &mut wr, request_id, first, *req)
                    .await
                {
                    Ok(()) => continue,
                    Err(e) => break e,
                }
            }
        };
        if let Err(e) = wr.write_all(&bytes).await {
            break e.to_string();
        }
    };
    let _ = wr.shutdown().await;
    node.ops.connection_closed(conn.id);
    log::write(
        'I',
        "NETWORK",
        22944,
        &ctx,
        "Connection ended",
        doc! {"remote": peer.to_string(), "connectionId": conn.id, "reason": why},
    );
}

/// The listen backlog when `net.listenBacklog` is not set: the system's somaxconn, as mongod.
pub fn default_backlog() -> u32 {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(4096)
}

/// Opens one listener per `--bind_ip` address on `--port` with the given backlog (mongod's
/// message on failure).
pub async fn bind(bind_ip: &[String], port: u16, backlog: u32) -> Result<Vec<TcpListener>, String> {
    let mut out = Vec::new();
    for ip in bind_ip {
        let addr = format!(
            "{}:{port}",
            if ip.contains(':') {
                format!("[{ip}]")
            } else {
                ip.clone()
            }
        );
        match listen(&addr, backlog).await {
            Ok(l) => out.push(l),
            Err(e) => {
                return Err(format!(
                    "Failed to set up listener: SocketException: {addr} :: caused by :: {e}"
                ))
            }
        }
    }
    Ok(out)
}

async fn listen(addr: &str, backlog: u32) -> std::io::Result<TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let sock = if a.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        sock.set_reuseaddr(true)?;
        match sock.bind(a).and_then(|()| sock.listen(backlog)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no address to listen on")))
}
