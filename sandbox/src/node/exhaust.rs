//! Exhaust cursors: a getMore sent with `exhaustAllowed` is answered with `moreToCome` set, and
//! the server goes on running it and sending batches, each in reply to the previous one, until
//! the cursor ends (or fails); the client reads them without asking again.

use std::sync::Arc;

use bson::{Bson, Document};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::dispatch::{self, Conn, Request};
use super::server::next_request_id;
use super::Node;
use crate::wire::{encode_msg, FLAG_MORE_TO_COME};

/// A successful cursor reply whose cursor is still open.
pub fn cursor_open(reply: &Document) -> bool {
    let ok = matches!(reply.get("ok"), Some(Bson::Double(v)) if *v == 1.0)
        || matches!(reply.get("ok"), Some(Bson::Int32(1)));
    let id = reply
        .get_document("cursor")
        .ok()
        .and_then(|c| c.get("id"))
        .cloned();
    ok && !matches!(id, None | Some(Bson::Int64(0)) | Some(Bson::Int32(0)))
}

/// Sends `first` and the following batches; Err is the reason the connection must end.
pub async fn stream(
    node: &Arc<Node>,
    conn: &mut Conn,
    wr: &mut (impl AsyncWrite + Unpin),
    request_id: i32,
    first: Document,
    req: Request,
) -> Result<(), String> {
    let mut to = request_id;
    let mut reply = first;
    loop {
        let open = cursor_open(&reply);
        let id = next_request_id();
        let flags = if open { FLAG_MORE_TO_COME } else { 0 };
        wr.write_all(&encode_msg(id, to, flags, &reply))
            .await
            .map_err(|e| e.to_string())?;
        if !open {
            return Ok(());
        }
        to = id;
        reply = dispatch::run(node, conn, req.clone()).await;
        if conn.close_now {
            return Err("closed by server".to_string());
        }
    }
}
