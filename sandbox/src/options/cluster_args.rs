//! Arguments of `rsh-sandbox cluster`.

use std::path::PathBuf;

/// `rsh-sandbox cluster --nodes N [--arbiter] [--base-port P] [--initiate] [--replSet NAME]
/// [--dbpath-root DIR] [--fast] [--keyFile FILE] [--setParameter NAME=VALUE]...`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterArgs {
    /// Data-bearing members (1..=7; with `--arbiter` at most 6, since an arbiter votes too).
    pub nodes: usize,
    pub arbiter: bool,
    /// First port; members use P, P+1, … When None, free loopback ports are picked.
    pub base_port: Option<u16>,
    pub initiate: bool,
    pub repl_set: String,
    /// Each member gets `<root>/<port>` as its dbpath and `<root>/<port>.log` as its log.
    /// When None, a fresh directory under the system temp dir is used (and removed on exit).
    pub dbpath_root: Option<PathBuf>,
    /// Initiate with short heartbeat/election settings (for tests and demos).
    pub fast: bool,
    /// Every member runs with `--keyFile FILE` (access control on; create the first user
    /// through the localhost exception).
    pub key_file: Option<PathBuf>,
    /// `--setParameter name=value` given to every member (e.g. `enableTestCommands=1`).
    pub set_parameters: Vec<String>,
    /// `--tlsMode` and its files, given to every member (checked as a member checks them).
    pub tls: crate::options::TlsOptions,
}

impl Default for ClusterArgs {
    fn default() -> Self {
        ClusterArgs {
            nodes: 3,
            arbiter: false,
            base_port: None,
            initiate: false,
            repl_set: "rs0".into(),
            dbpath_root: None,
            fast: false,
            key_file: None,
            set_parameters: Vec::new(),
            tls: crate::options::TlsOptions::default(),
        }
    }
}

pub const CLUSTER_HELP: &str = "\
Usage: rsh-sandbox cluster [options]

Starts a practice replica set: N members as child processes of rsh-sandbox on 127.0.0.1,
prints the connection string, and stops them all on Ctrl-C.

Options:
  --nodes N            data-bearing members, 1 to 7 (default 3)
  --arbiter            add one arbiter
  --base-port P        first port (members use P, P+1, ...; default: free ports)
  --initiate           run replSetInitiate with all members and wait for a PRIMARY
  --replSet NAME       replica set name (default rs0)
  --dbpath-root DIR    one data directory per member under DIR (default: a temp dir)
  --fast               short heartbeat and election timeouts (implies nothing without --initiate)
  --keyFile FILE       start every member with --keyFile FILE (access control and member auth)
  --setParameter N=V   start every member with --setParameter N=V (repeatable; e.g.
                       enableTestCommands=1 for configureFailPoint)
  --tlsMode MODE       start every member with TLS: allowTLS, preferTLS or requireTLS
  --tlsCertificateKeyFile FILE
                       each member's certificate and key (PEM; valid for 127.0.0.1)
  --tlsCAFile FILE     the CA the members (and their clients) are checked against
  --tlsAllowConnectionsWithoutCertificates
                       clients need no certificate of their own
  --help               this text
";

/// Parses the arguments after `cluster`. Ok(None) means `--help`.
pub fn parse(args: &[String]) -> Result<Option<ClusterArgs>, String> {
    let mut out = ClusterArgs::default();
    let mut tls = std::collections::BTreeMap::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg, None),
        };
        let mut value = |what: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            match args.get(i) {
                Some(v) if !v.starts_with("--") => {
                    i += 1;
                    Ok(v.clone())
                }
                _ => Err(format!("cluster: option '{name}' needs {what}")),
            }
        };
        match name {
            "--help" | "-h" => return Ok(None),
            "--nodes" => {
                let v = value("a number")?;
                out.nodes = v
                    .parse()
                    .ok()
                    .filter(|n| (1..=7).contains(n))
                    .ok_or_else(|| {
                        format!("cluster: --nodes must be a number from 1 to 7, not '{v}'")
                    })?;
            }
            "--base-port" => {
                let v = value("a port")?;
                out.base_port = Some(v.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
                    format!("cluster: --base-port must be a port from 1 to 65535, not '{v}'")
                })?);
            }
            "--replSet" => {
                let v = value("a set name")?;
                if v.is_empty() || v.contains('/') {
                    return Err(format!("cluster: bad replica set name '{v}'"));
                }
                out.repl_set = v;
            }
            "--dbpath-root" => out.dbpath_root = Some(PathBuf::from(value("a directory")?)),
            "--keyFile" => out.key_file = Some(PathBuf::from(value("a file")?)),
            "--setParameter" => {
                let v = value("name=value")?;
                if !v.contains('=') || v.starts_with('=') {
                    return Err(format!(
                        "cluster: --setParameter needs name=value, not '{v}'"
                    ));
                }
                out.set_parameters.push(v);
            }
            "--tlsMode" => {
                tls.insert(
                    "net.tls.mode".to_string(),
                    bson::Bson::String(value("a mode")?),
                );
            }
            "--tlsCertificateKeyFile" => {
                let v = value("a file")?;
                tls.insert(
                    "net.tls.certificateKeyFile".to_string(),
                    absolute(&v)?.into(),
                );
            }
            "--tlsCAFile" => {
                let v = value("a file")?;
                tls.insert("net.tls.CAFile".to_string(), absolute(&v)?.into());
            }
            "--arbiter" | "--initiate" | "--fast" | "--tlsAllowConnectionsWithoutCertificates"
                if inline.is_some() =>
            {
                return Err(format!("cluster: option '{name}' does not take a value"));
            }
            "--arbiter" => out.arbiter = true,
            "--initiate" => out.initiate = true,
            "--fast" => out.fast = true,
            "--tlsAllowConnectionsWithoutCertificates" => {
                tls.insert(
                    "net.tls.allowConnectionsWithoutCertificates".to_string(),
                    bson::Bson::Boolean(true),
                );
            }
            _ => {
                return Err(format!(
                    "cluster: unknown option '{arg}' (see rsh-sandbox cluster --help)"
                ))
            }
        }
    }
    out.tls = crate::options::tls::from_settings(&tls).map_err(|e| format!("cluster: {e}"))?;
    let members = out.nodes + usize::from(out.arbiter);
    if members > 7 {
        return Err(format!(
            "cluster: {} nodes plus an arbiter make {members} voting members; a replica set allows at most 7",
            out.nodes
        ));
    }
    if let Some(p) = out.base_port {
        if p as usize + members - 1 > u16::MAX as usize {
            return Err(format!(
                "cluster: ports from {p} for {members} members run past 65535"
            ));
        }
    }
    Ok(Some(out))
}

/// A file argument as an absolute path (members run with their own working directory).
fn absolute(v: &str) -> Result<String, String> {
    std::path::absolute(v)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| format!("cluster: {v}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn defaults_and_all_flags() {
        assert_eq!(parse(&[]).unwrap(), Some(ClusterArgs::default()));
        let a = parse(&args("--nodes 2 --arbiter --base-port=40001 --initiate --replSet shopex --dbpath-root /tmp/r --fast"))
            .unwrap()
            .unwrap();
        assert_eq!(a.nodes, 2);
        assert!(a.arbiter && a.initiate && a.fast);
        assert_eq!(a.base_port, Some(40001));
        assert_eq!(a.repl_set, "shopex");
        assert_eq!(a.dbpath_root, Some(PathBuf::from("/tmp/r")));
        assert_eq!(parse(&args("--help")).unwrap(), None);
        let a = parse(&args(
            "--setParameter enableTestCommands=1 --setParameter=a=b",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(a.set_parameters, vec!["enableTestCommands=1", "a=b"]);
        let a = parse(&args(
            "--tlsMode requireTLS --tlsCertificateKeyFile /c/m.pem --tlsCAFile=/c/ca.pem --tlsAllowConnectionsWithoutCertificates",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(a.tls.mode, crate::options::TlsMode::RequireTls);
        assert_eq!(a.tls.certificate_key_file, Some(PathBuf::from("/c/m.pem")));
        assert_eq!(a.tls.ca_file, Some(PathBuf::from("/c/ca.pem")));
        assert!(a.tls.allow_connections_without_certificates);
    }

    #[test]
    fn bad_cluster_arguments() {
        for bad in [
            "--nodes 0",
            "--nodes 8",
            "--nodes x",
            "--nodes",
            "--base-port 0",
            "--nodes 7 --arbiter",
            "--bogus",
            "--fast=1",
            "--replSet a/b",
            "--setParameter x",
            "--setParameter",
            "--tlsMode sometimes",
            "--tlsMode requireTLS",
            "--tlsMode requireTLS --tlsCertificateKeyFile a.pem",
            "--tlsCAFile ca.pem",
            "--tlsAllowConnectionsWithoutCertificates=1",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }
}
