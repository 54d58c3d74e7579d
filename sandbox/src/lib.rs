//! rsh-sandbox: a replica-set simulator that speaks the MongoDB wire protocol on loopback.
//!
//! Module map:
//! * `error`    — `CmdError` (code, codeName, errmsg) shared by every command handler.
//! * `wire`     — OP_MSG / OP_QUERY / OP_REPLY codec (the `rsh-wire` crate, pure, fuzzed).
//! * `options`  — mongod-style command line, YAML and `key=value` config files, getCmdLineOpts.
//! * `rsconfig` — replica-set config parsing, defaults and validation with the server's messages.
//! * `log`      — mongod's structured JSON log lines.
//! * `data`     — documents, queries, updates, cursors, the oplog, persistence (no replica logic).
//! * `node`     — one member: server loop, dispatch, hello, replica state, heartbeats, elections,
//!   replication, replSet* commands.
//! * `auth`     — users, SCRAM, authorization checks, key-file member authentication.
//! * `cluster`  — `rsh-sandbox cluster`: start N nodes as child processes, optionally initiate.

pub mod auth;
pub mod bson_type;
pub mod cluster;
pub mod data;
pub mod error;
pub mod log;
pub mod node;
pub mod options;
pub mod rsconfig;
/// The codec lives in its own crate (shared with the test support); the old path stays.
pub use rsh_wire as wire;

use options::{Invocation, Options};

/// mongod's exit codes for the failures a tutorial can hit.
const EXIT_BAD_OPTIONS: i32 = 2;
const EXIT_NET_ERROR: i32 = 48;
const EXIT_DBPATH: i32 = 100;
/// mongod exits with EXIT_FAILURE when it cannot read its key file.
const EXIT_FAILURE: i32 = 1;
/// How long a primary shutting down waits for a secondary to catch up (mongod: 10 s).
const SHUTDOWN_STEPDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

pub fn main() -> i32 {
    let argv: Vec<String> = std::env::args().collect();
    match options::parse(&argv) {
        Ok(Invocation::Node(opts)) => run_node(*opts),
        Ok(Invocation::Cluster(c)) => cluster::run(c),
        Ok(Invocation::Help(text)) => {
            print!("{text}");
            0
        }
        Ok(Invocation::Version) => {
            print!("{}", options::version_text());
            0
        }
        Err(msg) => {
            eprintln!("{msg}");
            eprintln!(
                "try '{} --help' for more information",
                argv.first().map(String::as_str).unwrap_or("rsh-sandbox")
            );
            EXIT_BAD_OPTIONS
        }
    }
}

fn run_node(opts: Options) -> i32 {
    // A file-size limit (ulimit -f) must surface as a failed write, not kill the process.
    // SAFETY: setting a signal's disposition to SIG_IGN touches no memory of ours.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    if let Err(e) = log::init(opts.logpath.as_deref(), opts.log_append) {
        eprintln!("{e}");
        return EXIT_BAD_OPTIONS;
    }
    for w in &opts.warnings {
        log::startup_warning("CONTROL", 20998, w, bson::Document::new());
    }
    let key = match &opts.key_file {
        Some(path) => match auth::keyfile::load(path) {
            Ok(k) => Some(k),
            Err(e) => {
                log::write(
                    'I',
                    "ACCESS",
                    20254,
                    "initandlisten",
                    "Read security file failed",
                    bson::doc! {"error": {"code": 30, "codeName": "InvalidPath", "errmsg": e.as_str()}},
                );
                if opts.logpath.is_some() {
                    eprintln!("{e}");
                }
                return EXIT_FAILURE;
            }
        },
        None => None,
    };
    auth::configure(opts.authorization, key);
    if let Err(e) = node::tls::configure(&opts.tls) {
        log::write(
            'E',
            "NETWORK",
            23248,
            "initandlisten",
            "Cannot read certificate file",
            bson::doc! {"error": e.as_str()},
        );
        if opts.logpath.is_some() {
            eprintln!("{e}");
        }
        return EXIT_FAILURE;
    }
    if let Err(e) = options::check_dbpath(&opts.dbpath) {
        log::write(
            'E',
            "STORAGE",
            20557,
            "initandlisten",
            "DBException in initAndListen, terminating",
            bson::doc! {"error": e},
        );
        return EXIT_DBPATH;
    }
    if opts.repair {
        return match data::repair(&opts.dbpath) {
            Ok(_) => 0,
            Err(e) => {
                log::write(
                    'E',
                    "STORAGE",
                    20557,
                    "initandlisten",
                    "Repair failed",
                    bson::doc! {"error": e},
                );
                EXIT_DBPATH
            }
        };
    }
    let store = match data::Store::open(&opts.dbpath) {
        Ok(s) => s,
        Err(e) => {
            log::write(
                'E',
                "STORAGE",
                20557,
                "initandlisten",
                "DBException in initAndListen, terminating",
                bson::doc! {"error": e},
            );
            return EXIT_DBPATH;
        }
    };
    rsconfig::set_allow_multiple_arbiters(opts.allow_multiple_arbiters());
    if let Some(mb) = opts.oplog_size_mb {
        store.set_oplog_size_mb(mb);
    }
    // explain's serverInfo names this member as hello and rs.status() do.
    store.set_server_address(&node::hostname(), opts.port);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Documents up to mongod's 200 levels are parsed and matched by recursive code.
        .thread_stack_size(crate::wire::validate::PARSE_STACK_BYTES)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        let listeners = match node::server::bind(
            &opts.bind_ip,
            opts.port,
            opts.listen_backlog.unwrap_or_else(node::server::default_backlog),
        )
        .await {
            Ok(l) => l,
            Err(e) => {
                log::write('E', "NETWORK", 23024, "initandlisten", &e, bson::Document::new());
                return EXIT_NET_ERROR;
            }
        };
        log::write(
            'I',
            "NETWORK",
            23016,
            "listener",
            "Waiting for connections",
            bson::doc! {"port": i32::from(opts.port), "ssl": node::tls::log_state()},
        );
        let n = node::Node::new(opts, store);
        let run = node::run(n.clone(), listeners);
        tokio::pin!(run);
        tokio::select! {
            _ = &mut run => 0,
            _ = shutdown_signal() => {
                log::write('I', "CONTROL", 23377, "SignalHandler", "Received signal", bson::doc! {"signal": 15});
                // Like mongod, a primary hands its role to a caught-up secondary before exiting;
                // the server keeps serving meanwhile so the secondaries can catch up.
                tokio::select! {
                    _ = node::stepdown::step_down_for_shutdown(&n, SHUTDOWN_STEPDOWN_WAIT) => {}
                    _ = &mut run => {}
                }
                0
            }
        }
    })
}

/// SIGINT or SIGTERM: mongod shuts down cleanly on both.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
