//! A tiny blocking OP_MSG client for talking to a server without a driver.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bson::{doc, Document};

pub fn encode_msg(request_id: i32, flags: u32, body: &Document) -> Vec<u8> {
    let mut d = Vec::new();
    body.to_writer(&mut d).expect("encode");
    let len = 16 + 4 + 1 + d.len();
    let mut out = Vec::with_capacity(len);
    for v in [len as i32, request_id, 0, 2013] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&flags.to_le_bytes());
    out.push(0);
    out.extend_from_slice(&d);
    out
}

/// Reads one reply: (responseTo, opcode, body document). OP_MSG bodies follow the flags and
/// section kind; OP_REPLY bodies follow its 20-byte header.
pub fn read_reply(stream: &mut TcpStream) -> std::io::Result<(i32, i32, Document)> {
    let mut head = [0u8; 16];
    stream.read_exact(&mut head)?;
    let field = |i: usize| i32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let (len, response_to, opcode) = (field(0), field(8), field(12));
    let body_len = usize::try_from(len)
        .ok()
        .and_then(|l| l.checked_sub(16))
        .ok_or_else(|| std::io::Error::other(format!("bad message length {len}")))?;
    let mut rest = vec![0u8; body_len];
    stream.read_exact(&mut rest)?;
    let doc_start = if opcode == 2013 { 5 } else { 20 };
    let mut body = rest
        .get(doc_start..)
        .ok_or_else(|| std::io::Error::other("reply too short"))?;
    let doc = Document::from_reader(&mut body).map_err(std::io::Error::other)?;
    Ok((response_to, opcode, doc))
}

/// A blocking raw-wire client with a read timeout, so a test can never hang.
pub struct Client {
    pub stream: TcpStream,
    next_id: i32,
}

impl Client {
    pub fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        Client { stream, next_id: 1 }
    }

    /// Sends raw bytes and returns (responseTo, opcode, reply body document).
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<(i32, i32, Document)> {
        self.stream.write_all(bytes)?;
        self.read_reply()
    }

    pub fn read_reply(&mut self) -> std::io::Result<(i32, i32, Document)> {
        read_reply(&mut self.stream)
    }

    /// Runs a command on `db` over OP_MSG.
    pub fn run(&mut self, db: &str, cmd: Document) -> Document {
        let mut body = cmd;
        body.insert("$db", db);
        let id = self.next_id;
        self.next_id += 1;
        let (to, _, reply) = self
            .send_raw(&encode_msg(id, 0, &body))
            .expect("command round trip");
        assert_eq!(to, id, "responseTo must match the request id");
        reply
    }

    pub fn admin(&mut self, cmd: Document) -> Document {
        self.run("admin", cmd)
    }
}

/// Runs one command on a fresh connection; `None` on any network problem (the member may be
/// dead), so polling loops never panic.
pub fn try_run(port: u16, db: &str, cmd: Document) -> Option<Document> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut body = cmd;
    body.insert("$db", db);
    s.write_all(&encode_msg(7, 0, &body)).ok()?;
    read_reply(&mut s).ok().map(|(_, _, d)| d)
}

pub fn ok(d: &Document) -> bool {
    matches!(d.get("ok"), Some(bson::Bson::Double(v)) if *v == 1.0)
}

pub fn ping() -> Document {
    doc! {"ping": 1}
}
