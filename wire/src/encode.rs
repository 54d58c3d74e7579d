//! Encoders: OP_MSG replies and requests (one kind-0 section, never a checksum) and the OP_REPLY
//! that answers an OP_QUERY handshake.

use super::{OP_MSG, OP_REPLY, REPLY_FLAG_AWAIT_CAPABLE};
use bson::Document;

fn doc_bytes(doc: &Document) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec fails only for unencodable keys (e.g. with a NUL byte); such a reply is a
    // bug of ours, and an empty document is safer for the client than a torn message.
    if doc.to_writer(&mut out).is_err() {
        out.clear();
        let _ = Document::new().to_writer(&mut out);
    }
    out
}

fn frame(request_id: i32, response_to: i32, opcode: i32, body: &[u8]) -> Vec<u8> {
    let len = 16 + body.len();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&(len as i32).to_le_bytes());
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&response_to.to_le_bytes());
    out.extend_from_slice(&opcode.to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// OP_MSG with the given flags and a single kind-0 section.
pub fn encode_msg(request_id: i32, response_to: i32, flags: u32, doc: &Document) -> Vec<u8> {
    let d = doc_bytes(doc);
    let mut body = Vec::with_capacity(5 + d.len());
    body.extend_from_slice(&flags.to_le_bytes());
    body.push(0);
    body.extend_from_slice(&d);
    frame(request_id, response_to, OP_MSG, &body)
}

/// The server's reply to an OP_MSG request: flags 0, one body section.
pub fn encode_msg_reply(request_id: i32, response_to: i32, doc: &Document) -> Vec<u8> {
    encode_msg(request_id, response_to, 0, doc)
}

/// A request from the node's internal client (`doc` must carry `$db`).
pub fn encode_msg_request(request_id: i32, doc: &Document) -> Vec<u8> {
    encode_msg(request_id, 0, 0, doc)
}

/// The reply to an OP_QUERY command: AwaitCapable, cursor 0, starting at 0, one document.
pub fn encode_op_reply(request_id: i32, response_to: i32, doc: &Document) -> Vec<u8> {
    let d = doc_bytes(doc);
    let mut body = Vec::with_capacity(20 + d.len());
    body.extend_from_slice(&REPLY_FLAG_AWAIT_CAPABLE.to_le_bytes());
    body.extend_from_slice(&0i64.to_le_bytes());
    body.extend_from_slice(&0i32.to_le_bytes());
    body.extend_from_slice(&1i32.to_le_bytes());
    body.extend_from_slice(&d);
    frame(request_id, response_to, OP_REPLY, &body)
}

/// An OP_QUERY command as legacy handshakes send it.
pub fn encode_op_query(
    request_id: i32,
    flags: i32,
    full_collection_name: &str,
    query: &Document,
) -> Vec<u8> {
    let d = doc_bytes(query);
    let mut body = Vec::with_capacity(13 + full_collection_name.len() + d.len());
    body.extend_from_slice(&flags.to_le_bytes());
    body.extend_from_slice(full_collection_name.as_bytes());
    body.push(0);
    body.extend_from_slice(&0i32.to_le_bytes());
    body.extend_from_slice(&(-1i32).to_le_bytes());
    body.extend_from_slice(&d);
    frame(request_id, 0, super::OP_QUERY, &body)
}
