//! Pure parsing of one complete message (header included). Every length is bounds-checked, so
//! hostile bytes give a `WireError`, never a panic or a huge allocation.

use super::validate::{check_document, Dups, Invalid};
use super::{
    check_len, Message, OpBody, WireError, FLAG_CHECKSUM_PRESENT, MAX_MESSAGE_LEN, OP_COMPRESSED,
    OP_MSG, OP_QUERY, OP_REPLY,
};
use bson::{Bson, Document};

/// Parses a whole message: the 16-byte header and its body.
pub fn parse(bytes: &[u8]) -> Result<Message, WireError> {
    let mut cur = Cursor::new(bytes);
    let len = cur.i32("header")?;
    check_len(len, MAX_MESSAGE_LEN)?;
    if len as usize != bytes.len() {
        return Err(WireError::BadLength(len as i64));
    }
    let request_id = cur.i32("header")?;
    let response_to = cur.i32("header")?;
    let opcode = cur.i32("header")?;
    cur.request_id = request_id;
    cur.legacy = opcode == OP_QUERY;
    let op = match opcode {
        OP_MSG => parse_msg(bytes, cur, request_id)?,
        OP_QUERY => parse_query(cur)?,
        OP_REPLY => parse_reply(cur)?,
        OP_COMPRESSED => return Err(WireError::Compressed),
        other => return Err(WireError::UnknownOpcode(other)),
    };
    Ok(Message {
        request_id,
        response_to,
        op,
    })
}

fn parse_msg(whole: &[u8], mut cur: Cursor<'_>, request_id: i32) -> Result<OpBody, WireError> {
    let flags = cur.u32("flagBits")?;
    // Bits 0-15 are required: anything we do not understand must be refused.
    let known = FLAG_CHECKSUM_PRESENT | super::FLAG_MORE_TO_COME;
    if flags & 0xffff & !known != 0 {
        return Err(WireError::protocol(
            request_id,
            223,
            "IllegalOpMsgFlag",
            format!("Message contains illegal flags value: Ob{flags:032b}"),
        ));
    }
    if flags & FLAG_CHECKSUM_PRESENT != 0 {
        let split = whole
            .len()
            .checked_sub(4)
            .filter(|&s| s >= cur.pos)
            .ok_or(WireError::Truncated("checksum"))?;
        let mut sum = [0u8; 4];
        sum.copy_from_slice(&whole[split..]);
        if crc32c::crc32c(&whole[..split]) != u32::from_le_bytes(sum) {
            return Err(WireError::protocol(
                request_id,
                288,
                "ChecksumMismatch",
                "OP_MSG checksum does not match contents",
            ));
        }
        cur.end = split;
    }
    let mut body: Option<Document> = None;
    let mut sequences: Vec<(String, Vec<Bson>)> = Vec::new();
    while cur.remaining() > 0 {
        match cur.u8("section kind")? {
            0 => {
                let doc = cur.document(Dups::Command)?;
                if body.replace(doc).is_some() {
                    return Err(WireError::protocol(
                        request_id,
                        40430,
                        "Location40430",
                        "Multiple body sections in message",
                    ));
                }
            }
            1 => {
                let size = cur.i32("document sequence")?;
                let inner_len = usize::try_from(size)
                    .ok()
                    .and_then(|s| s.checked_sub(4))
                    .filter(|&s| s <= cur.remaining())
                    .ok_or(WireError::Truncated("document sequence"))?;
                let mut seq = Cursor {
                    bytes: cur.bytes,
                    pos: cur.pos,
                    end: cur.pos + inner_len,
                    request_id,
                    legacy: false,
                };
                cur.pos += inner_len;
                let name = seq.cstring("document sequence identifier")?;
                let mut docs = Vec::new();
                while seq.remaining() > 0 {
                    docs.push(Bson::Document(seq.document(Dups::Document)?));
                }
                if sequences.iter().any(|(n, _)| *n == name) {
                    return Err(WireError::protocol(
                        request_id,
                        40431,
                        "Location40431",
                        format!("Duplicate document sequence: {name}"),
                    ));
                }
                if sequences.len() == 2 {
                    return Err(WireError::protocol(
                        request_id,
                        233,
                        "TooManyDocumentSequences",
                        "Too many document sequences in OP_MSG",
                    ));
                }
                sequences.push((name, docs));
            }
            kind => {
                return Err(WireError::protocol(
                    request_id,
                    40432,
                    "Location40432",
                    format!("Unknown section kind {kind}"),
                ))
            }
        }
    }
    let mut body = body.ok_or_else(|| {
        WireError::protocol(
            request_id,
            40587,
            "Location40587",
            "OP_MSG messages must have a body",
        )
    })?;
    for (name, docs) in sequences {
        if body.contains_key(&name) {
            return Err(WireError::protocol(
                request_id,
                40433,
                "Location40433",
                format!("Duplicate field between body and document sequence {name}"),
            ));
        }
        body.insert(name, docs);
    }
    Ok(OpBody::Msg {
        flags: flags & !FLAG_CHECKSUM_PRESENT,
        body,
    })
}

fn parse_query(mut cur: Cursor<'_>) -> Result<OpBody, WireError> {
    let flags = cur.i32("OP_QUERY flags")?;
    let full_collection_name = cur.cstring("fullCollectionName")?;
    let _skip = cur.i32("numberToSkip")?;
    let _n_return = cur.i32("numberToReturn")?;
    let raw = cur.document(Dups::Command)?;
    // An optional returnFieldsSelector may follow; commands ignore it, but it must be well-formed.
    if cur.remaining() > 0 {
        cur.document(Dups::Allowed)?;
    }
    Ok(OpBody::Query {
        flags,
        full_collection_name,
        query: unwrap_query(raw),
    })
}

/// `{$query: {cmd…}, $readPreference: {…}}` → `{cmd…, $readPreference: {…}}`, so a command reads
/// the same whichever opcode carried it.
fn unwrap_query(raw: Document) -> Document {
    let inner = match raw.get("$query") {
        Some(Bson::Document(d)) => d.clone(),
        _ => return raw,
    };
    let mut out = inner;
    if let Some(rp) = raw.get("$readPreference") {
        if !out.contains_key("$readPreference") {
            out.insert("$readPreference", rp.clone());
        }
    }
    out
}

fn parse_reply(mut cur: Cursor<'_>) -> Result<OpBody, WireError> {
    let flags = cur.i32("OP_REPLY flags")?;
    let cursor_id = cur.i64("cursorID")?;
    let _starting_from = cur.i32("startingFrom")?;
    let _n = cur.i32("numberReturned")?;
    let mut documents = Vec::new();
    while cur.remaining() > 0 {
        documents.push(cur.document(Dups::Allowed)?);
    }
    Ok(OpBody::Reply {
        flags,
        cursor_id,
        documents,
    })
}

/// A bounds-checked reader over `bytes[pos..end]`.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
    /// The request being read, for the error reply a refused document gets.
    request_id: i32,
    legacy: bool,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Cursor {
            bytes,
            pos: 0,
            end: bytes.len(),
            request_id: 0,
            legacy: false,
        }
    }

    fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], WireError> {
        if n > self.remaining() {
            return Err(WireError::Truncated(what));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, what)?[0])
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, WireError> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4, what)?);
        Ok(i32::from_le_bytes(b))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, WireError> {
        Ok(self.i32(what)? as u32)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, WireError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8, what)?);
        Ok(i64::from_le_bytes(b))
    }

    fn cstring(&mut self, what: &'static str) -> Result<String, WireError> {
        let rest = &self.bytes[self.pos..self.end];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(WireError::Truncated(what))?;
        let s = std::str::from_utf8(&rest[..nul])
            .map_err(|_| WireError::BadBson(format!("{what} is not UTF-8")))?;
        self.pos += nul + 1;
        Ok(s.to_owned())
    }

    /// One BSON document, whose own length prefix must fit in what is left; checked (depth, size,
    /// UTF-8, duplicate names) before the recursive parser sees it.
    fn document(&mut self, dups: Dups) -> Result<Document, WireError> {
        let rest = &self.bytes[self.pos..self.end];
        if rest.len() < 5 {
            return Err(WireError::Truncated("document"));
        }
        let len = i32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let len = usize::try_from(len)
            .ok()
            .filter(|&l| (5..=rest.len()).contains(&l));
        let len = len.ok_or(WireError::Truncated("document"))?;
        let refuse = |invalid: Invalid| WireError::Refused {
            request_id: self.request_id,
            legacy: self.legacy,
            invalid,
        };
        check_document(&rest[..len], dups).map_err(refuse)?;
        let doc = Document::from_reader(&mut &rest[..len]).map_err(|e| {
            refuse(Invalid {
                code: 22,
                code_name: "InvalidBSON",
                errmsg: e.to_string(),
            })
        })?;
        self.pos += len;
        Ok(doc)
    }
}
