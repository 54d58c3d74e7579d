//! The preflight probe over the driver: for every host at once, resolve its name and ask it
//! `hello` (and `getCmdLineOpts` for the `--replSet` it runs with) on a fresh direct
//! connection, each bounded by [`PROBE_TIMEOUT`]. Fresh connections, not the shell's cached
//! ones: a host is asked as a new member would first be asked, without credentials (hello
//! needs none).

use std::time::Duration;

use mongodb::bson::{doc, Document};
use mongodb::options::ServerAddress;
use mongodb::Client;

use super::client::Connection;
use super::runtime::{block_on, drop_in_runtime};
use crate::admin::config::with_port;
use crate::admin::{HostProbe, Probe};
use crate::format::first_line;

/// How long one host may take to resolve and answer.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

impl Probe for Connection {
    fn probe(&self, hosts: &[String]) -> Vec<HostProbe> {
        let futures = hosts.iter().map(|h| probe_one(self, h.clone()));
        let all = block_on(&self.interrupt, futures_util::future::join_all(futures));
        match all {
            Ok(list) => list,
            Err(e) => hosts
                .iter()
                .map(|h| HostProbe {
                    host: h.clone(),
                    resolve_error: None,
                    hello: Err(e.to_string()),
                    repl_set: None,
                })
                .collect(),
        }
    }
}

async fn probe_one(conn: &Connection, host: String) -> HostProbe {
    let mut out = HostProbe {
        host: host.clone(),
        resolve_error: None,
        hello: Err("not asked".to_string()),
        repl_set: None,
    };
    let address = with_port(&host);
    match tokio::time::timeout(PROBE_TIMEOUT, tokio::net::lookup_host(address.clone())).await {
        Ok(Ok(addrs)) => {
            if addrs.count() == 0 {
                out.resolve_error = Some("no address".to_string());
                return out;
            }
        }
        Ok(Err(e)) => {
            out.resolve_error = Some(crate::conn::error::plain_error_text(&e.to_string()));
            return out;
        }
        Err(_) => {
            out.resolve_error = Some(format!(
                "no answer from DNS within {}s",
                PROBE_TIMEOUT.as_secs()
            ));
            return out;
        }
    }
    let Ok(server) = ServerAddress::parse(&address) else {
        out.hello = Err(format!("invalid host:port {host}"));
        return out;
    };
    let mut o = conn.options.clone();
    o.hosts = vec![server];
    o.direct_connection = Some(true);
    o.repl_set_name = None;
    o.sdam_event_handler = None;
    o.command_event_handler = None;
    o.credential = None;
    o.server_selection_timeout = Some(PROBE_TIMEOUT);
    o.connect_timeout = Some(PROBE_TIMEOUT);
    o.app_name = Some("rsh preflight".to_string());
    let client = match Client::with_options(o) {
        Ok(c) => c,
        Err(e) => {
            out.hello = Err(crate::conn::error::plain_error_text(&e.to_string()));
            return out;
        }
    };
    let db = client.database("admin");
    let asked = tokio::time::timeout(PROBE_TIMEOUT + Duration::from_millis(500), async {
        let hello = db.run_command(doc! {"hello": 1}).await;
        let opts = match &hello {
            Ok(_) => db.run_command(doc! {"getCmdLineOpts": 1}).await.ok(),
            Err(_) => None,
        };
        (hello, opts)
    })
    .await;
    match asked {
        Ok((Ok(h), opts)) => {
            out.hello = Ok(h);
            out.repl_set = opts.as_ref().and_then(repl_set_of);
        }
        Ok((Err(e), _)) => out.hello = Err(no_answer(&e.to_string())),
        Err(_) => out.hello = Err(format!("no answer within {}s", PROBE_TIMEOUT.as_secs())),
    }
    drop_in_runtime(client);
    out
}

/// The driver's selection error names the whole topology; one line saying why is enough.
fn no_answer(e: &str) -> String {
    let line = first_line(e).to_string();
    if line.contains("Server selection timeout") {
        if line.contains("Connection refused") {
            return "connection refused".to_string();
        }
        return format!("no answer within {}s", PROBE_TIMEOUT.as_secs());
    }
    line
}

/// `parsed.replication.replSet` (or `replSetName`) of a getCmdLineOpts reply.
fn repl_set_of(opts: &Document) -> Option<String> {
    let r = opts
        .get_document("parsed")
        .ok()?
        .get_document("replication")
        .ok()?;
    r.get_str("replSet")
        .or_else(|_| r.get_str("replSetName"))
        .ok()
        .map(|s| s.split('/').next().unwrap_or(s).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repl_set_name_from_cmd_line_opts() {
        let d = doc! {"parsed": {"replication": {"replSet": "rs0/a:1,b:1"}}};
        assert_eq!(repl_set_of(&d).as_deref(), Some("rs0"));
        let d = doc! {"parsed": {"replication": {"replSetName": "x"}}};
        assert_eq!(repl_set_of(&d).as_deref(), Some("x"));
        assert_eq!(repl_set_of(&doc! {"parsed": {}}), None);
    }

    #[test]
    fn selection_errors_become_one_reason() {
        assert_eq!(
            no_answer("Server selection timeout: None of the available servers suitable, Connection refused (os error 111)"),
            "connection refused"
        );
        assert_eq!(
            no_answer("Server selection timeout: x"),
            "no answer within 2s"
        );
        assert_eq!(no_answer("other\nmore"), "other");
    }
}
