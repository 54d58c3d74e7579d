//! `rsh-sandbox cluster`: starts N members (+ an arbiter) as child processes of this same binary
//! on 127.0.0.1, optionally initiates the set and waits for a PRIMARY, prints the connection
//! string, and stops every child on Ctrl-C / SIGTERM or any other exit path (children also get
//! SIGKILL from the kernel if the launcher itself dies, via PR_SET_PDEATHSIG).

mod client;

use std::fs::OpenOptions;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};

use super::options::ClusterArgs;

const STEP: Duration = Duration::from_millis(200);
const LISTEN_TIMEOUT: Duration = Duration::from_secs(20);
/// Default election timeout (10 s) + first-election delays, with room for slow machines.
const PRIMARY_TIMEOUT: Duration = Duration::from_secs(60);
const RPC_TIMEOUT: Duration = Duration::from_secs(5);

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// One started member.
struct Member {
    port: u16,
    arbiter: bool,
    dbpath: PathBuf,
    log: PathBuf,
    child: Child,
    exited: bool,
}

/// Owns the children: dropping it stops them all (SIGTERM, then SIGKILL after a grace period).
struct Fleet {
    members: Vec<Member>,
    temp_root: Option<PathBuf>,
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for m in &self.members {
            // ok: the pid is our own child's.
            unsafe { libc::kill(m.child.id() as libc::pid_t, libc::SIGTERM) };
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for m in &mut self.members {
            while Instant::now() < deadline && matches!(m.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = m.child.kill();
            let _ = m.child.wait();
        }
        if let Some(root) = &self.temp_root {
            let _ = std::fs::remove_dir_all(root);
        }
    }
}

/// Runs the launcher; returns the process exit code.
pub fn run(args: ClusterArgs) -> i32 {
    // ok: installing a handler that only stores an atomic flag.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
    match launch(&args) {
        Ok(fleet) => supervise(fleet),
        Err(e) => {
            eprintln!("rsh-sandbox cluster: {e}");
            1
        }
    }
}

fn pick_ports(args: &ClusterArgs, count: usize) -> Result<Vec<u16>, String> {
    if let Some(base) = args.base_port {
        return Ok((0..count).map(|i| base + i as u16).collect());
    }
    // Hold every listener until all ports are chosen so they differ.
    let listeners: Vec<TcpListener> = (0..count)
        .map(|_| {
            TcpListener::bind(("127.0.0.1", 0)).map_err(|e| format!("cannot find a free port: {e}"))
        })
        .collect::<Result<_, _>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string()))
        .collect()
}

fn launch(args: &ClusterArgs) -> Result<Fleet, String> {
    let count = args.nodes + usize::from(args.arbiter);
    let ports = pick_ports(args, count)?;
    let (root, temp_root) = match &args.dbpath_root {
        Some(r) => (r.clone(), None),
        None => {
            let r =
                std::env::temp_dir().join(format!("rsh-sandbox-cluster-{}", std::process::id()));
            (r.clone(), Some(r))
        }
    };
    // Unreadable certificates would make every member exit at once: say why here instead. A
    // requireTLS member takes only TLS, so the launcher's own commands use it too.
    let tls_client = crate::node::tls::client_config(&args.tls)?;
    if args.tls.mode == crate::options::TlsMode::RequireTls {
        client::use_tls(tls_client);
    }
    // A bad key file would make every member exit at once: say why here instead.
    let key_file = match &args.key_file {
        Some(k) => {
            super::auth::keyfile::load(k)?;
            Some(std::path::absolute(k).map_err(|e| format!("{}: {e}", k.display()))?)
        }
        None => None,
    };
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the rsh-sandbox binary: {e}"))?;
    let mut fleet = Fleet {
        members: Vec::new(),
        temp_root,
    };
    for (i, port) in ports.iter().copied().enumerate() {
        let arbiter = i >= args.nodes;
        let member = spawn(&exe, &root, port, arbiter, key_file.as_deref(), args)?;
        fleet.members.push(member);
    }
    for m in &mut fleet.members {
        wait_listening(m)?;
    }
    if args.initiate {
        initiate(&fleet, args)?;
        wait_primary(&fleet)?;
    }
    print_summary(&fleet, args);
    Ok(fleet)
}

/// Starts one member with the launcher's options (`key_file` already made absolute).
fn spawn(
    exe: &Path,
    root: &Path,
    port: u16,
    arbiter: bool,
    key_file: Option<&Path>,
    args: &ClusterArgs,
) -> Result<Member, String> {
    let (set, tls) = (args.repl_set.as_str(), &args.tls);
    let dbpath = root.join(port.to_string());
    std::fs::create_dir_all(&dbpath)
        .map_err(|e| format!("cannot create {}: {e}", dbpath.display()))?;
    let log = root.join(format!("{port}.log"));
    let stderr = OpenOptions::new()
        .create(true)
        .append(true)
        .open(root.join(format!("{port}.stderr")))
        .map_err(|e| format!("cannot open the stderr file in {}: {e}", root.display()))?;
    let mut cmd = Command::new(exe);
    cmd.arg("--port")
        .arg(port.to_string())
        .args(["--bind_ip", "127.0.0.1", "--replSet", set, "--logappend"])
        .arg("--dbpath")
        .arg(&dbpath)
        .arg("--logpath")
        .arg(&log);
    if let Some(k) = key_file {
        cmd.arg("--keyFile").arg(k);
    }
    for p in &args.set_parameters {
        cmd.arg("--setParameter").arg(p);
    }
    if tls.mode != crate::options::TlsMode::Disabled {
        cmd.args(["--tlsMode", tls.mode.name()]);
        if let Some(f) = &tls.certificate_key_file {
            cmd.arg("--tlsCertificateKeyFile").arg(f);
        }
        if let Some(f) = &tls.ca_file {
            cmd.arg("--tlsCAFile").arg(f);
        }
        if tls.allow_connections_without_certificates {
            cmd.arg("--tlsAllowConnectionsWithoutCertificates");
        }
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    // ok: prctl is async-signal-safe; the child dies with the launcher.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    Ok(Member {
        port,
        arbiter,
        dbpath,
        log,
        child,
        exited: false,
    })
}

fn wait_listening(m: &mut Member) -> Result<(), String> {
    let deadline = Instant::now() + LISTEN_TIMEOUT;
    loop {
        if client::command(m.port, doc! {"ping": 1}, RPC_TIMEOUT).is_ok_and(|r| client::is_ok(&r)) {
            return Ok(());
        }
        if let Ok(Some(status)) = m.child.try_wait() {
            m.exited = true;
            return Err(format!(
                "the member on port {} exited ({status}) before listening; see {} and its .stderr file",
                m.port,
                m.log.display()
            ));
        }
        if STOP.load(Ordering::SeqCst) || Instant::now() > deadline {
            return Err(format!(
                "the member on port {} did not start listening",
                m.port
            ));
        }
        std::thread::sleep(STEP);
    }
}

/// The config the launcher initiates with: every member by its 127.0.0.1 host, the arbiter
/// last; `--fast` shortens heartbeats and elections for tests and demos.
fn initiate_config(fleet: &Fleet, args: &ClusterArgs) -> Document {
    let members: Vec<Bson> = fleet
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut d = doc! {"_id": i as i32, "host": format!("127.0.0.1:{}", m.port)};
            if m.arbiter {
                d.insert("arbiterOnly", true);
            }
            Bson::Document(d)
        })
        .collect();
    let mut cfg = doc! {"_id": &args.repl_set, "version": 1, "members": members};
    if args.fast {
        cfg.insert(
            "settings",
            doc! {"heartbeatIntervalMillis": 300, "heartbeatTimeoutSecs": 2, "electionTimeoutMillis": 1500,
                  "catchUpTimeoutMillis": 0},
        );
    }
    cfg
}

fn initiate(fleet: &Fleet, args: &ClusterArgs) -> Result<(), String> {
    let first = fleet.members.first().ok_or("no members")?;
    let cfg = initiate_config(fleet, args);
    let reply = client::command(
        first.port,
        doc! {"replSetInitiate": cfg},
        Duration::from_secs(30),
    )?;
    if client::is_ok(&reply) {
        return Ok(());
    }
    Err(format!(
        "replSetInitiate failed: {} ({})",
        reply.get_str("errmsg").unwrap_or("no errmsg"),
        reply.get_str("codeName").unwrap_or("")
    ))
}

fn wait_primary(fleet: &Fleet) -> Result<u16, String> {
    let deadline = Instant::now() + PRIMARY_TIMEOUT;
    loop {
        for m in fleet.members.iter().filter(|m| !m.arbiter) {
            if client::hello_state(m.port, RPC_TIMEOUT) == Some("PRIMARY") {
                return Ok(m.port);
            }
        }
        if STOP.load(Ordering::SeqCst) {
            return Err("interrupted while waiting for a PRIMARY".into());
        }
        if Instant::now() > deadline {
            return Err(format!("no PRIMARY after {} s", PRIMARY_TIMEOUT.as_secs()));
        }
        std::thread::sleep(STEP);
    }
}

/// `mongodb://127.0.0.1:P1,…/?replicaSet=NAME` (data-bearing members only).
pub fn connection_string(ports: &[u16], set: &str) -> String {
    let hosts: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    format!("mongodb://{}/?replicaSet={set}", hosts.join(","))
}

fn print_summary(fleet: &Fleet, args: &ClusterArgs) {
    let data: Vec<u16> = fleet
        .members
        .iter()
        .filter(|m| !m.arbiter)
        .map(|m| m.port)
        .collect();
    let tls = match args.tls.mode {
        crate::options::TlsMode::RequireTls => "&tls=true",
        _ => "",
    };
    println!(
        "replica set {}: {}{tls}",
        args.repl_set,
        connection_string(&data, &args.repl_set)
    );
    for (i, m) in fleet.members.iter().enumerate() {
        let state = client::hello_state(m.port, RPC_TIMEOUT).unwrap_or("UNREACHABLE");
        println!(
            "  member {i}: 127.0.0.1:{} {state}{} pid {} dbpath {} log {}",
            m.port,
            if m.arbiter { " (arbiter)" } else { "" },
            m.child.id(),
            m.dbpath.display(),
            m.log.display()
        );
    }
    if args.tls.mode != crate::options::TlsMode::Disabled {
        let ca = args
            .tls
            .ca_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        println!(
            "  TLS is on ({}): clients check the members against {ca}",
            args.tls.mode.name()
        );
    }
    if args.key_file.is_some() {
        println!("  access control is on (--keyFile): create the first user on the primary from this host (localhost exception)");
    }
    if !args.initiate {
        println!("  not initiated: connect to one member with directConnection=true and run rs.initiate()");
    }
    println!("press Ctrl-C to stop the set");
}

/// Waits for Ctrl-C / SIGTERM, reporting members that exit meanwhile; then stops them all.
fn supervise(mut fleet: Fleet) -> i32 {
    while !STOP.load(Ordering::SeqCst) {
        for m in fleet.members.iter_mut().filter(|m| !m.exited) {
            if let Ok(Some(status)) = m.child.try_wait() {
                m.exited = true;
                println!("member 127.0.0.1:{} exited ({status})", m.port);
            }
        }
        std::thread::sleep(STEP);
    }
    println!("stopping the replica set");
    drop(fleet);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_string_lists_data_members() {
        assert_eq!(
            connection_string(&[40001, 40002], "rs0"),
            "mongodb://127.0.0.1:40001,127.0.0.1:40002/?replicaSet=rs0"
        );
    }

    #[test]
    fn free_ports_are_distinct() {
        let ports = pick_ports(&ClusterArgs::default(), 4).unwrap();
        let mut sorted = ports.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 4);
        let fixed = ClusterArgs {
            base_port: Some(40001),
            ..ClusterArgs::default()
        };
        assert_eq!(pick_ports(&fixed, 3).unwrap(), [40001, 40002, 40003]);
    }
}
