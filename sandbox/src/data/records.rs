//! The record framing shared by the journal and the snapshot:
//! `[len u32 LE][crc32c(body) u32 LE][crc32c(the 8 bytes before) u32 LE][BSON body]`.
//!
//! The header's own checksum is what tells a torn tail from damage: a crash mid-append leaves a
//! short header or a whole header whose body runs past the end of the file (a torn tail, cut
//! off on open), while a changed byte anywhere in a complete record breaks one of the two
//! checksums (damage: the member refuses to start). A record is never trusted past a bad
//! checksum, so `--repair` salvages by looking for the next offset where both checksums hold.

use bson::Document;

pub const HEADER_LEN: usize = 12;

/// Frames one record onto `out`.
pub fn encode(rec: &Document, out: &mut Vec<u8>) {
    let mut body = Vec::new();
    if rec.to_writer(&mut body).is_err() {
        return;
    }
    let start = out.len();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
    let head = crc32c::crc32c(&out[start..start + 8]);
    out.extend_from_slice(&head.to_le_bytes());
    out.extend_from_slice(&body);
}

/// Why reading stopped before the end of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// An incomplete last record (a crash mid-append): everything before `offset` is sound.
    Torn { offset: usize },
    /// A complete record that fails its checksums or does not parse.
    Damaged { offset: usize, why: &'static str },
}

/// The records of `buf`, decoded one at a time (a snapshot of a million documents is never
/// held parsed all at once); `stop` says why reading ended early, if it did.
pub struct Records<'a> {
    buf: &'a [u8],
    /// Length of the sound prefix read so far.
    pub valid: usize,
    pub stop: Option<Stop>,
}

pub fn records(buf: &[u8]) -> Records<'_> {
    Records {
        buf,
        valid: 0,
        stop: None,
    }
}

/// The record at `pos`: `Ok((document, next offset))` or why it cannot be read.
fn read_at(buf: &[u8], pos: usize) -> Result<(Document, usize), Stop> {
    let torn = Stop::Torn { offset: pos };
    let Some(head) = buf.get(pos..pos + HEADER_LEN) else {
        return Err(torn);
    };
    let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    if crc32c::crc32c(&head[..8]) != word(8) {
        return Err(Stop::Damaged {
            offset: pos,
            why: "record header checksum mismatch",
        });
    }
    let len = word(0) as usize;
    let start = pos + HEADER_LEN;
    let Some(body) = buf.get(start..start + len) else {
        return Err(torn);
    };
    if crc32c::crc32c(body) != word(4) {
        return Err(Stop::Damaged {
            offset: pos,
            why: "record checksum mismatch",
        });
    }
    let doc = Document::from_reader(body).map_err(|_| Stop::Damaged {
        offset: pos,
        why: "record is not valid BSON",
    })?;
    Ok((doc, start + len))
}

impl Iterator for Records<'_> {
    type Item = Document;

    fn next(&mut self) -> Option<Document> {
        if self.stop.is_some() || self.valid >= self.buf.len() {
            return None;
        }
        match read_at(self.buf, self.valid) {
            Ok((d, next)) => {
                self.valid = next;
                Some(d)
            }
            Err(stop) => {
                self.stop = Some(stop);
                None
            }
        }
    }
}

/// Every record whose checksums hold, skipping damaged stretches (`--repair`); also returns the
/// number of bytes skipped.
pub fn salvage(buf: &[u8]) -> (Vec<Document>, usize) {
    let mut out = Vec::new();
    let mut skipped = 0;
    let mut pos = 0;
    while pos < buf.len() {
        match read_at(buf, pos) {
            Ok((d, next)) => {
                out.push(d);
                pos = next;
            }
            Err(_) => {
                pos += 1;
                skipped += 1;
            }
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn decode_all(buf: &[u8]) -> (Vec<Document>, Option<Stop>) {
        let mut r = records(buf);
        let out = r.by_ref().collect();
        (out, r.stop)
    }

    fn three() -> (Vec<u8>, usize) {
        let mut buf = Vec::new();
        encode(&doc! {"a": 1}, &mut buf);
        encode(&doc! {"b": 2}, &mut buf);
        let full = buf.len();
        encode(&doc! {"c": 3}, &mut buf);
        (buf, full)
    }

    #[test]
    fn a_cut_anywhere_in_the_last_record_is_a_torn_tail() {
        let (buf, full) = three();
        for cut in full..buf.len() {
            let (recs, stop) = decode_all(&buf[..cut]);
            assert_eq!(recs.len(), 2);
            let want = (cut > full).then_some(Stop::Torn { offset: full });
            assert_eq!(stop, want, "cut at {cut}");
        }
        assert_eq!(
            decode_all(&buf),
            (vec![doc! {"a": 1}, doc! {"b": 2}, doc! {"c": 3}], None)
        );
    }

    #[test]
    fn every_single_byte_flip_is_damage_never_a_torn_tail() {
        let (buf, _) = three();
        for i in 0..buf.len() {
            for bit in [0x01u8, 0x80, 0xff] {
                let mut bad = buf.clone();
                bad[i] ^= bit;
                let (_, stop) = decode_all(&bad);
                assert!(
                    matches!(stop, Some(Stop::Damaged { .. })),
                    "flip {bit:#x} at {i}: {stop:?}"
                );
            }
        }
    }

    #[test]
    fn salvage_keeps_the_records_around_damage() {
        let (mut buf, _) = three();
        buf[HEADER_LEN + 6] ^= 0x10;
        let (recs, skipped) = salvage(&buf);
        assert_eq!(recs, vec![doc! {"b": 2}, doc! {"c": 3}]);
        assert!(skipped > 0);
    }
}
