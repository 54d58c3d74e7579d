//! Checks on raw BSON before it is parsed, as mongod's validator does: lengths, element types,
//! nesting depth (`maxBSONDepth`), UTF-8 in names and strings, duplicate names. The walk is
//! iterative (an explicit stack bounded by the depth limit), so hostile bytes cannot drive
//! recursion here, and the recursive parser that runs afterwards never sees more than
//! `MAX_DEPTH` levels.

use std::collections::HashSet;

/// mongod's `maxBSONDepth` default: levels of nesting below the top-level document.
pub const MAX_DEPTH: usize = 200;
/// Stack for threads that parse (or walk) documents of `MAX_DEPTH` levels with recursive code:
/// the bson crate's decoder needs several kilobytes per level in a debug build.
pub const PARSE_STACK_BYTES: usize = 32 * 1024 * 1024;
/// mongod's largest document inside a message: 16 MB plus 16 KB for the command around it.
pub const MAX_DOCUMENT_LEN: usize = 16 * 1024 * 1024 + 16 * 1024;

/// Why a document was refused; `code`/`code_name`/`errmsg` are mongod's.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    pub code: i32,
    pub code_name: &'static str,
    pub errmsg: String,
}

impl Invalid {
    fn new(code: i32, code_name: &'static str, errmsg: impl Into<String>) -> Invalid {
        Invalid {
            code,
            code_name,
            errmsg: errmsg.into(),
        }
    }

    fn bad(errmsg: impl Into<String>) -> Invalid {
        Invalid::new(22, "InvalidBSON", errmsg)
    }
}

/// Which duplicate names are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dups {
    /// A command body: any name twice at the top level (IDL's "is a duplicate field"), and
    /// `_id` twice in any embedded document (an inserted or replacement document).
    Command,
    /// A document of a document sequence: `_id` twice at its top level.
    Document,
    /// Replies and stored data: the parser keeps the last, as before.
    Allowed,
}

struct Frame {
    /// Offset just past this document's terminating NUL.
    end: usize,
    /// Seen an `_id` element in this document.
    seen_id: bool,
}

/// Validates one document occupying exactly `bytes`.
pub fn check_document(bytes: &[u8], dups: Dups) -> Result<(), Invalid> {
    if bytes.len() > MAX_DOCUMENT_LEN {
        return Err(Invalid::new(
            10334,
            "BSONObjectTooLarge",
            format!(
                "BSONObj size: {len} (0x{len:X}) is invalid. Size must be between 0 and {MAX_DOCUMENT_LEN}(16MB)",
                len = bytes.len()
            ),
        ));
    }
    let mut r = Reader { bytes, pos: 0 };
    let end = r.doc_len(bytes.len())?;
    if end != bytes.len() {
        return Err(Invalid::bad("document length does not match its bytes"));
    }
    r.pos = 4;
    let mut stack = vec![Frame {
        end,
        seen_id: false,
    }];
    let mut top_names: HashSet<&[u8]> = HashSet::new();
    let mut command_name: Option<&[u8]> = None;
    while let Some(frame) = stack.last_mut() {
        let frame_end = frame.end;
        if r.pos + 1 == frame_end {
            if r.bytes[r.pos] != 0 {
                return Err(Invalid::bad("document does not end with a NUL byte"));
            }
            r.pos += 1;
            stack.pop();
            continue;
        }
        let kind = r.u8(frame_end)?;
        if kind == 0 {
            return Err(Invalid::bad("NUL byte before the end of a document"));
        }
        let name = r.cstring(frame_end)?;
        let depth = stack.len();
        if name == b"_id" && dups != Dups::Allowed && (depth > 1 || dups == Dups::Document) {
            let frame = stack.last_mut().expect("stack is not empty here");
            if frame.seen_id {
                return Err(Invalid::new(
                    2,
                    "BadValue",
                    "can't have multiple _id fields in one document",
                ));
            }
            frame.seen_id = true;
        }
        if depth == 1 && dups == Dups::Command {
            let cmd = *command_name.get_or_insert(name);
            if !top_names.insert(name) {
                return Err(Invalid::new(
                    40413,
                    "Location40413",
                    format!(
                        "BSON field '{}.{}' is a duplicate field",
                        String::from_utf8_lossy(cmd),
                        String::from_utf8_lossy(name)
                    ),
                ));
            }
        }
        match kind {
            0x01 | 0x09 | 0x11 | 0x12 => r.skip(8, frame_end)?,
            0x02 | 0x0D | 0x0E => r.string(frame_end)?,
            0x03 | 0x04 => {
                if depth > MAX_DEPTH {
                    return Err(Invalid::new(
                        15,
                        "Overflow",
                        "BSONObj exceeds maximum nested object depth",
                    ));
                }
                let end = r.doc_len(frame_end)?;
                r.pos += 4;
                stack.push(Frame {
                    end,
                    seen_id: false,
                });
            }
            0x05 => {
                let len = r.i32(frame_end)?;
                let len =
                    usize::try_from(len).map_err(|_| Invalid::bad("negative binary length"))?;
                r.skip(1 + len, frame_end)?;
            }
            0x06 | 0x0A | 0x7F | 0xFF => {}
            0x07 => r.skip(12, frame_end)?,
            0x08 => {
                if r.u8(frame_end)? > 1 {
                    return Err(Invalid::bad("invalid boolean value"));
                }
            }
            0x0B => {
                r.cstring(frame_end)?;
                r.cstring(frame_end)?;
            }
            0x0C => {
                r.string(frame_end)?;
                r.skip(12, frame_end)?;
            }
            0x0F => {
                // Code with scope: total length, code string, scope document (checked on its
                // own, one level down, so its depth counts too).
                let start = r.pos;
                let total = r.i32(frame_end)?;
                let total = usize::try_from(total)
                    .ok()
                    .filter(|t| *t >= 14 && start + t <= frame_end)
                    .ok_or_else(|| Invalid::bad("invalid code-with-scope length"))?;
                r.string(start + total)?;
                if depth > MAX_DEPTH {
                    return Err(Invalid::new(
                        15,
                        "Overflow",
                        "BSONObj exceeds maximum nested object depth",
                    ));
                }
                let end = r.doc_len(start + total)?;
                if end != start + total {
                    return Err(Invalid::bad("invalid code-with-scope length"));
                }
                r.pos += 4;
                stack.push(Frame {
                    end,
                    seen_id: false,
                });
            }
            0x10 => r.skip(4, frame_end)?,
            0x13 => r.skip(16, frame_end)?,
            other => {
                return Err(Invalid::bad(format!(
                    "unrecognized BSON type {other:#04x} in element '{}'",
                    String::from_utf8_lossy(name)
                )))
            }
        }
    }
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn need(&self, n: usize, end: usize) -> Result<(), Invalid> {
        match self.pos.checked_add(n) {
            Some(to) if to <= end && to <= self.bytes.len() => Ok(()),
            _ => Err(Invalid::bad("element extends past the end of its document")),
        }
    }

    fn skip(&mut self, n: usize, end: usize) -> Result<(), Invalid> {
        self.need(n, end)?;
        self.pos += n;
        Ok(())
    }

    fn u8(&mut self, end: usize) -> Result<u8, Invalid> {
        self.need(1, end)?;
        let b = self.bytes[self.pos];
        self.pos += 1;
        Ok(b)
    }

    fn i32(&mut self, end: usize) -> Result<i32, Invalid> {
        self.need(4, end)?;
        let p = self.pos;
        self.pos += 4;
        Ok(i32::from_le_bytes([
            self.bytes[p],
            self.bytes[p + 1],
            self.bytes[p + 2],
            self.bytes[p + 3],
        ]))
    }

    /// The end offset of the document starting here (its length must fit before `end`); the
    /// position is left at the length prefix.
    fn doc_len(&self, end: usize) -> Result<usize, Invalid> {
        self.need(4, end)?;
        let p = self.pos;
        let len = i32::from_le_bytes([
            self.bytes[p],
            self.bytes[p + 1],
            self.bytes[p + 2],
            self.bytes[p + 3],
        ]);
        usize::try_from(len)
            .ok()
            .filter(|l| *l >= 5 && p + l <= end)
            .map(|l| p + l)
            .ok_or_else(|| Invalid::bad(format!("invalid embedded document length {len}")))
    }

    fn cstring(&mut self, end: usize) -> Result<&'a [u8], Invalid> {
        let bytes: &'a [u8] = self.bytes;
        let rest = &bytes[self.pos..end.min(bytes.len())];
        let nul = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| Invalid::bad("unterminated field name"))?;
        let s = &rest[..nul];
        if std::str::from_utf8(s).is_err() {
            return Err(Invalid::bad("field name is not valid UTF-8"));
        }
        self.pos += nul + 1;
        Ok(s)
    }

    /// A length-prefixed, NUL-terminated UTF-8 string.
    fn string(&mut self, end: usize) -> Result<(), Invalid> {
        let len = self.i32(end)?;
        let len = usize::try_from(len)
            .ok()
            .filter(|l| *l >= 1)
            .ok_or_else(|| Invalid::bad(format!("invalid string length {len}")))?;
        self.need(len, end)?;
        let s = &self.bytes[self.pos..self.pos + len];
        if s[len - 1] != 0 {
            return Err(Invalid::bad("string is not NUL-terminated"));
        }
        if std::str::from_utf8(&s[..len - 1]).is_err() {
            return Err(Invalid::bad("string is not valid UTF-8"));
        }
        self.pos += len;
        Ok(())
    }
}
