//! MongoDB wire protocol codec: OP_MSG, OP_QUERY (handshake only), OP_REPLY, and the header.
//!
//! Parsing is pure (`parse`) and never panics on hostile input; `read_message` frames one message
//! from a stream and rejects absurd lengths before allocating. Encoders build the replies the
//! server sends and the requests a member's internal client (or a test) sends to a server.

mod decode;
mod encode;
pub mod validate;

pub use decode::parse;
pub use encode::{
    encode_msg, encode_msg_reply, encode_msg_request, encode_op_query, encode_op_reply,
};

use bson::Document;
use tokio::io::{AsyncRead, AsyncReadExt};

pub const OP_REPLY: i32 = 1;
pub const OP_QUERY: i32 = 2004;
pub const OP_COMPRESSED: i32 = 2012;
pub const OP_MSG: i32 = 2013;

/// Header size; a message must be strictly longer than this.
pub const HEADER_LEN: usize = 16;
/// The server's `maxMessageSizeBytes`.
pub const MAX_MESSAGE_LEN: usize = 48_000_000;

/// OP_MSG flag bits.
pub const FLAG_CHECKSUM_PRESENT: u32 = 1;
pub const FLAG_MORE_TO_COME: u32 = 1 << 1;
/// Exhaust (streaming) replies: the client allows the server to answer with moreToCome.
pub const FLAG_EXHAUST_ALLOWED: u32 = 1 << 16;
/// OP_QUERY SecondaryOk flag (bit 2).
pub const QUERY_FLAG_SECONDARY_OK: i32 = 4;
/// OP_REPLY AwaitCapable, set by mongod on every successful reply.
pub const REPLY_FLAG_AWAIT_CAPABLE: i32 = 8;

#[derive(Debug, Clone, PartialEq)]
pub enum OpBody {
    /// OP_MSG with document sequences already merged into `body` and the checksum flag cleared.
    Msg { flags: u32, body: Document },
    /// OP_QUERY; `query` is unwrapped from `$query` and carries the wrapper's `$readPreference`.
    Query {
        flags: i32,
        full_collection_name: String,
        query: Document,
    },
    /// OP_REPLY (only ever received by the internal client and tests).
    Reply {
        flags: i32,
        cursor_id: i64,
        documents: Vec<Document>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub request_id: i32,
    pub response_to: i32,
    pub op: OpBody,
}

impl Message {
    /// The command document of a request (OP_MSG body or unwrapped OP_QUERY), or the first reply
    /// document.
    pub fn document(&self) -> Option<&Document> {
        match &self.op {
            OpBody::Msg { body, .. } => Some(body),
            OpBody::Query { query, .. } => Some(query),
            OpBody::Reply { documents, .. } => documents.first(),
        }
    }

    /// True for an OP_MSG request that wants no reply.
    pub fn more_to_come(&self) -> bool {
        matches!(self.op, OpBody::Msg { flags, .. } if flags & FLAG_MORE_TO_COME != 0)
    }

    pub fn exhaust_allowed(&self) -> bool {
        matches!(self.op, OpBody::Msg { flags, .. } if flags & FLAG_EXHAUST_ALLOWED != 0)
    }
}

/// Why a message could not be read. Every variant ends the connection it came from; those with
/// `error_reply()` first get an error reply (the header was sound, so the request id is known).
#[derive(Debug)]
pub enum WireError {
    Io(std::io::Error),
    /// `messageLength` ≤ 16 or above the limit.
    BadLength(i64),
    /// The bytes end before a field does.
    Truncated(&'static str),
    BadBson(String),
    /// OP_COMPRESSED: compression is never negotiated, so it is declined by closing.
    Compressed,
    UnknownOpcode(i32),
    /// A well-framed message with a document mongod's validator refuses (too deep, too large,
    /// invalid UTF-8, duplicate names): answered with this error; the connection stays open.
    Refused {
        request_id: i32,
        /// The request came as OP_QUERY, so the answer is an OP_REPLY.
        legacy: bool,
        invalid: validate::Invalid,
    },
    /// A well-framed request that breaks an OP_MSG rule; answered with this error, then closed.
    Protocol {
        request_id: i32,
        code: i32,
        code_name: &'static str,
        errmsg: String,
    },
}

impl WireError {
    fn protocol(
        request_id: i32,
        code: i32,
        code_name: &'static str,
        errmsg: impl Into<String>,
    ) -> Self {
        WireError::Protocol {
            request_id,
            code,
            code_name,
            errmsg: errmsg.into(),
        }
    }

    /// `(responseTo, error body)` when the peer should be told why before the connection closes.
    pub fn error_reply(&self) -> Option<(i32, Document)> {
        match self {
            WireError::Protocol {
                request_id,
                code,
                code_name,
                errmsg,
            } => Some((
                *request_id,
                bson::doc! {"ok": 0.0, "errmsg": errmsg.clone(), "code": *code, "codeName": *code_name},
            )),
            WireError::Refused {
                request_id,
                invalid,
                ..
            } => Some((
                *request_id,
                bson::doc! {"ok": 0.0, "errmsg": invalid.errmsg.clone(), "code": invalid.code, "codeName": invalid.code_name},
            )),
            _ => None,
        }
    }

    /// True when the stream is still in step after this error (the whole message was read and
    /// only its content was refused), so the connection may keep serving.
    pub fn keeps_connection(&self) -> bool {
        matches!(self, WireError::Refused { .. })
    }

    /// True when the error reply must be an OP_REPLY (the request was an OP_QUERY).
    pub fn legacy_reply(&self) -> bool {
        matches!(self, WireError::Refused { legacy: true, .. })
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Io(e) => write!(f, "i/o error: {e}"),
            WireError::BadLength(n) => write!(f, "invalid message length {n}"),
            WireError::Truncated(what) => write!(f, "message truncated in {what}"),
            WireError::BadBson(e) => write!(f, "invalid BSON: {e}"),
            WireError::Compressed => write!(f, "compressed messages are not supported"),
            WireError::UnknownOpcode(op) => write!(f, "unsupported opcode {op}"),
            WireError::Protocol {
                code_name, errmsg, ..
            } => write!(f, "{code_name}: {errmsg}"),
            WireError::Refused { invalid, .. } => {
                write!(f, "{}: {}", invalid.code_name, invalid.errmsg)
            }
        }
    }
}

impl std::error::Error for WireError {}

impl From<std::io::Error> for WireError {
    fn from(e: std::io::Error) -> Self {
        WireError::Io(e)
    }
}

/// Reads one whole message. `Ok(None)` on a clean end of stream before a header; a length outside
/// (16, max_len] is rejected before anything else is read or allocated.
pub async fn read_message<R: AsyncRead + Unpin>(
    r: &mut R,
    max_len: usize,
) -> Result<Option<Message>, WireError> {
    let mut len_buf = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = r.read(&mut len_buf[got..]).await?;
        if n == 0 {
            return if got == 0 {
                Ok(None)
            } else {
                Err(WireError::Truncated("header"))
            };
        }
        got += n;
    }
    let len = i32::from_le_bytes(len_buf);
    check_len(len, max_len)?;
    let mut buf = vec![0u8; len as usize];
    buf[..4].copy_from_slice(&len_buf);
    r.read_exact(&mut buf[4..])
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => WireError::Truncated("body"),
            _ => WireError::Io(e),
        })?;
    parse(&buf).map(Some)
}

fn check_len(len: i32, max_len: usize) -> Result<(), WireError> {
    if len <= HEADER_LEN as i32 || len as i64 > max_len as i64 {
        return Err(WireError::BadLength(len as i64));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod validate_tests;
