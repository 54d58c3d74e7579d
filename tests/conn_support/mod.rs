//! Shared helpers for the connection and seed walkthrough tests: sandbox members on free
//! loopback ports (killed on drop, restartable on the same port and dbpath), and `rsh` runs
//! with a time limit, stdin fed in, output captured.
#![allow(dead_code)]

pub mod session;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    l.local_addr().expect("local addr").port()
}

/// Several free ports at once (held together so they differ).
pub fn free_ports(n: usize) -> Vec<u16> {
    let ls: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    ls.iter()
        .map(|l| l.local_addr().expect("addr").port())
        .collect()
}

/// The server binary the walkthroughs run against: the sandbox, or a real mongod when
/// `RSH_TEST_MONGOD` names one.
pub fn server_binary() -> PathBuf {
    match std::env::var_os("RSH_TEST_MONGOD") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_rsh-sandbox")),
    }
}

pub fn real_mongod() -> bool {
    std::env::var_os("RSH_TEST_MONGOD").is_some_and(|p| !p.is_empty())
}

/// One server process started like mongod.
pub struct Member {
    pub port: u16,
    pub dir: PathBuf,
    /// Arguments after `--port P --dbpath D` (or the whole command line with `own_args`).
    pub args: Vec<String>,
    own_args: bool,
    child: Option<Child>,
}

impl Member {
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `--port P --bind_ip 127.0.0.1 --dbpath <root>/<port> <extra…>`.
    pub fn start(root: &Path, port: u16, extra: &[&str]) -> Member {
        let dir = root.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("dbpath");
        let mut m = Member {
            port,
            dir,
            args: extra.iter().map(|s| s.to_string()).collect(),
            own_args: false,
            child: None,
        };
        m.spawn();
        m
    }

    /// A member started only with `args` (e.g. `-f file.conf`); `port` must match the config.
    pub fn start_with_args(root: &Path, port: u16, args: &[&str]) -> Member {
        let dir = root.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("dbpath");
        let mut m = Member {
            port,
            dir,
            args: args.iter().map(|s| s.to_string()).collect(),
            own_args: true,
            child: None,
        };
        m.spawn();
        m
    }

    pub fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("log file");
        let mut cmd = Command::new(server_binary());
        if !self.own_args {
            cmd.args([
                "--port",
                &self.port.to_string(),
                "--bind_ip",
                "127.0.0.1",
                "--dbpath",
            ])
            .arg(&self.dir);
        }
        cmd.args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("clone log")))
            .stderr(Stdio::from(log));
        self.child = Some(cmd.spawn().expect("spawn server"));
        wait_listening(self.port);
    }

    /// SIGKILL and wait (a crash, as in the seeds' "kill the primary").
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
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
    panic!("server on port {port} did not start listening");
}

/// The result of one rsh run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Run `rsh args…` with `stdin` fed in; killed after `limit`.
pub fn rsh(args: &[&str], stdin: &str, limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rsh"))
        .args(args)
        .env("HOME", std::env::temp_dir())
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rsh");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes());
    }
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let killer = std::thread::spawn(move || {
        if rx.recv_timeout(limit).is_err() {
            // Still running after the limit: end it so the test fails instead of hanging.
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    let out: Output = child.wait_with_output().expect("wait rsh");
    let _ = tx.send(());
    let _ = killer.join();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `rsh --quiet <host> --eval <code>`.
pub fn eval(host: &str, code: &str) -> Run {
    rsh(
        &["--quiet", host, "--eval", code],
        "",
        Duration::from_secs(60),
    )
}

/// Repeat `f` until it returns Some or `limit` passes (elections take a few seconds).
pub fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The host currently PRIMARY according to `rs.status()` on `via`, if any.
pub fn primary_of(via: &str) -> Option<String> {
    let r = eval(
        via,
        "var s = rs.status(); var p = (s.members || []).filter(function (m) { return m.state === 1; }); print(p.length ? p[0].name : '')",
    );
    let line = r.stdout.lines().last().unwrap_or("").trim().to_string();
    if line.contains(':') {
        Some(line)
    } else {
        None
    }
}

/// Replace values that change from run to run (dates, timestamps, ObjectIds, uptimes…) so a
/// transcript can be compared with a golden file.
pub fn mask(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(&mask_line(line));
        out.push('\n');
    }
    out
}

fn mask_line(line: &str) -> String {
    // Oplog window and lag figures of the replication reports.
    if line.starts_with("log length start to end: ") {
        return "log length start to end: *secs (*hrs)".to_string();
    }
    if line.starts_with('\t') && line.ends_with(" behind the primary ") {
        return "\t* secs (* hrs) behind the primary ".to_string();
    }
    let mut s = line.to_string();
    for (open, close) in [
        ("ISODate(\"", "\")"),
        ("Timestamp(", ")"),
        ("ObjectId(\"", "\")"),
        ("NumberLong(", ")"),
        ("BinData(", ")"),
    ] {
        let mut from = 0;
        while let Some(i) = s[from..].find(open) {
            let start = from + i + open.len();
            let Some(j) = s[start..].find(close) else {
                break;
            };
            s.replace_range(start..start + j, "*");
            from = start + 1;
        }
    }
    // Numbers after keys whose values vary.
    for key in [
        "uptime",
        "pingMs",
        "electionTime",
        "configVersion",
        "version",
        "term",
        "configTerm",
        "syncSourceId",
        "lastHeartbeatMessage",
        "electionDate",
        "infoMessage",
        "syncSourceHost",
        "syncingTo",
        "localTime",
        "connectionId",
        "lastCommittedWallTime",
        "optimeDurableDate",
        "optimeDate",
        "lastHeartbeat",
        "lastHeartbeatRecv",
        "date",
        "port",
        "heartbeatIntervalMillis",
        "operationTime",
        "$clusterTime",
        "setVersion",
    ] {
        let pat = format!("\"{key}\" : ");
        if let Some(i) = s.find(&pat) {
            let start = i + pat.len();
            let end = s[start..].find(',').map(|e| start + e).unwrap_or(s.len());
            if !s[start..end].starts_with('{') && !s[start..end].starts_with('[') {
                s.replace_range(start..end, "*");
            }
        }
    }
    // Ports of loopback members.
    let mut res = String::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find("127.0.0.1:") {
        res.push_str(&rest[..i + 10]);
        rest = &rest[i + 10..];
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        res.push_str("PORT");
        rest = &rest[digits..];
    }
    res.push_str(rest);
    // Dates in legacy Date.toString() form.
    if let Some(i) = res.find(" GMT+0000 (") {
        if i >= 24 {
            let start = i - 24;
            if res.is_char_boundary(start) {
                let end = res[i..].find(')').map(|e| i + e + 1).unwrap_or(res.len());
                res.replace_range(start..end, "DATE");
            }
        }
    }
    res
}

/// Config settings that make elections quick in tests (the seeds' commands are unchanged
/// otherwise; real sets use the 10 s default).
pub const FAST: &str = "{electionTimeoutMillis: 2000, heartbeatIntervalMillis: 500}";

/// `{_id: set, members: [{_id: ids[i], host: hosts[i]}…], settings: FAST}` as JS text.
pub fn config_js(set: &str, ids: &[u32], hosts: &[String]) -> String {
    let members: Vec<String> = ids
        .iter()
        .zip(hosts)
        .map(|(id, h)| format!("{{_id: {id}, host: '{h}'}}"))
        .collect();
    format!(
        "{{_id: '{set}', members: [{}], settings: {FAST}}}",
        members.join(", ")
    )
}

/// Wait until `via` reports a primary and `n_secondaries` secondaries; returns the primary.
pub fn wait_states(via: &str, n_secondaries: usize, limit: Duration) -> Option<String> {
    wait_for(limit, || {
        let r = eval(
            via,
            "var s = rs.status(); var m = s.members || []; \
             print(m.filter(function (x) { return x.state === 1; }).map(function (x) { return x.name; }).join(',') + ' ' + \
                   m.filter(function (x) { return x.state === 2; }).length)",
        );
        let line = r.stdout.lines().last().unwrap_or("").to_string();
        let (p, s) = line.split_once(' ')?;
        if !p.is_empty() && !p.contains(',') && s.trim() == n_secondaries.to_string() {
            Some(p.to_string())
        } else {
            None
        }
    })
}
