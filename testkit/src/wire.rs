//! A blocking OP_MSG client for talking to a server without a driver; framing and parsing come
//! from the `rsh-wire` codec the sandbox itself uses.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bson::{doc, Document};

/// An OP_MSG request (responseTo 0) with the given flag bits.
pub fn encode_msg(request_id: i32, flags: u32, body: &Document) -> Vec<u8> {
    rsh_wire::encode_msg(request_id, 0, flags, body)
}

/// Reads one reply: (responseTo, opcode, first document of an OP_MSG body or OP_REPLY).
pub fn read_reply(stream: &mut TcpStream) -> std::io::Result<(i32, i32, Document)> {
    let mut head = [0u8; 4];
    stream.read_exact(&mut head)?;
    let len = i32::from_le_bytes(head);
    let total = usize::try_from(len)
        .ok()
        .filter(|l| *l > rsh_wire::HEADER_LEN && *l <= rsh_wire::MAX_MESSAGE_LEN)
        .ok_or_else(|| std::io::Error::other(format!("bad message length {len}")))?;
    let mut whole = vec![0u8; total];
    whole[..4].copy_from_slice(&head);
    stream.read_exact(&mut whole[4..])?;
    let opcode = i32::from_le_bytes([whole[12], whole[13], whole[14], whole[15]]);
    let msg = rsh_wire::parse(&whole).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    let body = msg
        .document()
        .cloned()
        .ok_or_else(|| std::io::Error::other("reply without a document"))?;
    Ok((msg.response_to, opcode, body))
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
    try_run_within(port, db, cmd, Duration::from_secs(10))
}

/// [`try_run`] with its own reply timeout (for commands that wait on the server).
pub fn try_run_within(port: u16, db: &str, cmd: Document, limit: Duration) -> Option<Document> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(limit)).ok()?;
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
