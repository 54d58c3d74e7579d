//! Shared helpers for the sandbox node tests: start `rsh-sandbox` processes on free loopback
//! ports (killed on drop) and talk to them with raw OP_MSG over blocking sockets.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bson::{doc, Document};

pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr").port()
}

/// A running member; the process is killed when this is dropped.
pub struct Member {
    pub port: u16,
    pub child: Option<Child>,
    pub dir: PathBuf,
    pub args: Vec<String>,
    _tmp: Option<tempfile::TempDir>,
}

impl Member {
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Starts a member with its own dbpath; `extra` args come after the standard ones.
    pub fn start(extra: &[&str]) -> Member {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut m = Member {
            port: free_port(),
            child: None,
            dir,
            args: extra.iter().map(|s| s.to_string()).collect(),
            _tmp: Some(tmp),
        };
        m.spawn();
        m
    }

    pub fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("stdout.log"))
            .expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rsh-sandbox"));
        cmd.args([
            "--port",
            &self.port.to_string(),
            "--bind_ip",
            "127.0.0.1",
            "--dbpath",
        ])
        .arg(&self.dir)
        .args(&self.args)
        .stdout(Stdio::from(log.try_clone().expect("clone log")))
        .stderr(Stdio::from(log));
        self.child = Some(cmd.spawn().expect("spawn rsh-sandbox"));
        wait_listening(self.port);
    }

    /// SIGKILL and wait.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM (a clean shutdown) and wait up to `secs` for the exit; SIGKILL after that.
    /// Returns the exit code of a clean exit.
    pub fn terminate(&mut self, secs: u64) -> Option<i32> {
        let mut c = self.child.take()?;
        // SAFETY: kill(2) on our own child's pid has no memory effects.
        unsafe { libc::kill(c.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = c.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
        None
    }

    /// SIGSTOP: the member stays connected but answers nothing (a hung host); drop kills it.
    pub fn stop(&self) {
        if let Some(c) = &self.child {
            // SAFETY: kill(2) on our own child's pid has no memory effects.
            unsafe { libc::kill(c.id() as i32, libc::SIGSTOP) };
        }
    }

    pub fn connect(&self) -> Client {
        Client::connect(self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stdout.log")).unwrap_or_default()
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("rsh-sandbox did not listen on {port}");
}

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
        let mut head = [0u8; 16];
        self.stream.read_exact(&mut head)?;
        let field = |i: usize| i32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        let (len, response_to, opcode) = (field(0), field(8), field(12));
        let mut rest = vec![0u8; len as usize - 16];
        self.stream.read_exact(&mut rest)?;
        let doc_start = if opcode == 2013 { 5 } else { 20 };
        let doc = Document::from_reader(&mut &rest[doc_start..]).map_err(std::io::Error::other)?;
        Ok((response_to, opcode, doc))
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

/// Polls `f` until it returns Some or `secs` pass.
pub fn wait_for<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn ok(d: &Document) -> bool {
    matches!(d.get("ok"), Some(bson::Bson::Double(v)) if *v == 1.0)
}

pub fn ping() -> Document {
    doc! {"ping": 1}
}

/// Starts three members of `rs0` and initiates them with fast timings through the first.
pub fn fast_set() -> (Vec<Member>, String) {
    let members: Vec<Member> = (0..3)
        .map(|_| Member::start(&["--replSet", "rs0"]))
        .collect();
    let cfg = doc! {
        "_id": "rs0",
        "members": members.iter().enumerate().map(|(i, m)| doc! {"_id": i as i32, "host": m.host()}).collect::<Vec<_>>(),
        "settings": {"heartbeatIntervalMillis": 200, "electionTimeoutMillis": 1000, "heartbeatTimeoutSecs": 2},
    };
    let r = members[0].connect().admin(doc! {"replSetInitiate": cfg});
    assert!(ok(&r), "{r}");
    let primary = wait_for(30, || {
        members.iter().find_map(|m| {
            let h = m.connect().admin(doc! {"hello": 1});
            h.get_bool("isWritablePrimary")
                .unwrap_or(false)
                .then(|| m.host())
        })
    })
    .expect("a primary within 30 s");
    (members, primary)
}

/// The primary's replSetGetConfig `config`.
pub fn current_config(c: &mut Client) -> Document {
    c.admin(doc! {"replSetGetConfig": 1})
        .get_document("config")
        .expect("replSetGetConfig config")
        .clone()
}
