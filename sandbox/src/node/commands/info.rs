//! Informational commands clients send on connect: buildInfo, getCmdLineOpts, hostInfo, getLog,
//! getParameter, serverStatus, session bookkeeping.

use bson::{doc, Bson, DateTime, Document};

use crate::error::CmdError;
use crate::log;
use crate::node::dispatch::Request;
use crate::node::Node;
use crate::options::SERVER_VERSION;

fn version_array() -> Vec<i32> {
    let mut v: Vec<i32> = SERVER_VERSION
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    v.resize(3, 0);
    v.push(0);
    v
}

/// buildInfo for a 7.0 server (matches maxWireVersion 21). No `ferretdb` key, no enterprise module.
pub fn build_info() -> Document {
    doc! {
        "version": SERVER_VERSION,
        "gitVersion": "0000000000000000000000000000000000000000",
        "modules": [],
        "allocator": "tcmalloc",
        "javascriptEngine": "mozjs",
        "sysInfo": "deprecated",
        "versionArray": version_array(),
        "openssl": {"running": "OpenSSL 3.0.2 15 Mar 2022", "compiled": "OpenSSL 3.0.2 15 Mar 2022"},
        "buildEnvironment": {
            "distmod": "ubuntu2204",
            "distarch": std::env::consts::ARCH,
            "cc": "/opt/mongodbtoolchain/v4/bin/gcc",
            "ccflags": "",
            "cxx": "/opt/mongodbtoolchain/v4/bin/g++",
            "cxxflags": "",
            "linkflags": "",
            "target_arch": std::env::consts::ARCH,
            "target_os": "linux",
            "cppdefines": "",
        },
        "bits": 64i32,
        "debug": false,
        "maxBsonObjectSize": 16_777_216i32,
        "storageEngines": ["devnull", "wiredTiger"],
    }
}

pub fn cmd_line_opts(node: &Node) -> Document {
    doc! {"argv": node.opts.argv.clone(), "parsed": node.opts.parsed.clone()}
}

pub fn host_info() -> Document {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get() as i32)
        .unwrap_or(1);
    let mem_mb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<i64>().ok())
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0);
    doc! {
        "system": {
            "currentTime": DateTime::now(),
            "hostname": crate::node::hostname(),
            "cpuAddrSize": 64i32,
            "memSizeMB": mem_mb,
            "memLimitMB": mem_mb,
            "numCores": cores,
            "numCoresAvailableToProcess": cores,
            "numPhysicalCores": cores,
            "numCpuSockets": 1i32,
            "cpuArch": std::env::consts::ARCH,
            "numaEnabled": false,
            "numNumaNodes": 1i32,
        },
        "os": {"type": "Linux", "name": "Linux", "version": "unknown"},
        "extra": {"versionString": "Linux", "pageSize": 4096i64},
    }
}

pub fn get_log(req: &Request) -> Result<Document, CmdError> {
    let name = match req.arg() {
        Some(Bson::String(s)) => s.clone(),
        _ => {
            return Err(CmdError::type_mismatch(
                "Argument to getLog must be of type String",
            ))
        }
    };
    log::get_log(&name)
        .ok_or_else(|| CmdError::new(0, "OperationFailed", format!("no RamLog named: {name}")))
}

/// getParameter: `featureCompatibilityVersion` and a few well-known values; anything else is an
/// error, and `*` lists what we have.
pub fn get_parameter(req: &Request) -> Result<Document, CmdError> {
    let known = |name: &str| -> Option<Bson> {
        Some(match name {
            "featureCompatibilityVersion" => Bson::Document(doc! {"version": "7.0"}),
            "authenticationMechanisms" => {
                Bson::Array(vec!["SCRAM-SHA-1".into(), "SCRAM-SHA-256".into()])
            }
            "enableTestCommands" => Bson::Boolean(false),
            "transactionLifetimeLimitSeconds" => Bson::Int32(60),
            _ => return None,
        })
    };
    let mut out = Document::new();
    if let Some(Bson::String(name)) = req.arg() {
        if name == "*" {
            for n in [
                "featureCompatibilityVersion",
                "authenticationMechanisms",
                "enableTestCommands",
            ] {
                if let Some(v) = known(n) {
                    out.insert(n, v);
                }
            }
            return Ok(out);
        }
        return match known(name) {
            Some(v) => {
                out.insert(name.as_str(), v);
                Ok(out)
            }
            None => Err(CmdError::new(
                72,
                "InvalidOptions",
                format!("no option found to get: {name}"),
            )),
        };
    }
    for (k, _) in req.cmd.iter().skip(1) {
        if k.starts_with('$') || matches!(k.as_str(), "lsid" | "comment") {
            continue;
        }
        match known(k) {
            Some(v) => {
                out.insert(k.as_str(), v);
            }
            None => {
                return Err(CmdError::new(
                    72,
                    "InvalidOptions",
                    "no option found to get",
                ))
            }
        }
    }
    Ok(out)
}

pub fn sessions(req: &Request) -> Document {
    if req.name == "startSession" {
        return doc! {"id": {"id": bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: uuid::Uuid::new_v4().as_bytes().to_vec() }}, "timeoutMinutes": 30i32};
    }
    Document::new()
}

pub fn connection_status() -> Document {
    doc! {"authInfo": {"authenticatedUsers": [], "authenticatedUserRoles": []}}
}

/// serverStatus with the fields shells and monitoring read, and the `repl` section (hello fields
/// with `isWritablePrimary` naming) when started with `--replSet`.
pub fn server_status(node: &Node, req: &Request) -> Document {
    let uptime_ms = node.started.elapsed().as_millis() as i64;
    let mut d = doc! {
        "host": format!("{}:{}", crate::node::hostname(), node.port()),
        "version": SERVER_VERSION,
        "process": "mongod",
        "pid": i64::from(std::process::id()),
        "uptime": (uptime_ms / 1000) as f64,
        "uptimeMillis": uptime_ms,
        "uptimeEstimate": uptime_ms / 1000,
        "localTime": DateTime::now(),
        "connections": {"current": 1i32, "available": 838_859i32, "totalCreated": node.connections_created() as i32},
        "storageEngine": {"name": "wiredTiger", "supportsCommittedReads": true, "persistent": true},
    };
    if node.repl().set_name.is_some() {
        let hello_req = Request {
            name: "hello".into(),
            ..req.clone()
        };
        let mut repl = super::hello::reply(node, &hello_req, false);
        repl.remove("helloOk");
        repl.insert("rbid", 1i32);
        d.insert("repl", repl);
    }
    d
}
