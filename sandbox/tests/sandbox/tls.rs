//! TLS: members started with `--tlsMode` (or `net.tls.*` in a YAML file) serve TLS clients
//! (rsh, pymongo) and talk TLS to each other; a wrong CA, an expired certificate and a
//! plain-text client are refused with a one-line reason. Certificates are made at test time
//! with the `openssl` command line (never checked in); without it the tests say so and skip.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{free_port, free_ports, pymongo_python, rsh, wait_for, Member, Run};

/// Test certificates: a CA, a member/client certificate it signed (for 127.0.0.1), an expired
/// one, and a second, unrelated CA.
struct Certs {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
    /// Certificate and key in one PEM file, as `--tlsCertificateKeyFile` takes them.
    server: PathBuf,
    expired: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

const EC: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
];

fn make_ca(dir: &Path, name: &str) -> bool {
    let mut args = vec!["req", "-x509"];
    args.extend(EC);
    let (key, pem, subj) = (
        format!("{name}.key"),
        format!("{name}.pem"),
        format!("/CN={name}"),
    );
    args.extend(["-keyout", &key, "-out", &pem, "-days", "2", "-subj", &subj]);
    openssl(dir, &args)
}

/// A leaf certificate for 127.0.0.1 signed by `ca`, valid for `days` (negative: expired).
fn make_leaf(dir: &Path, ca: &str, name: &str, days: &str) -> Option<PathBuf> {
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n",
    )
    .ok()?;
    let (key, csr, crt) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.crt"),
    );
    let mut req = vec!["req"];
    req.extend(EC);
    req.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=127.0.0.1"]);
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    let sign = [
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca_pem,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-days",
        days,
        "-extfile",
        "ext.cnf",
        "-out",
        &crt,
    ];
    if !(openssl(dir, &req) && openssl(dir, &sign)) {
        return None;
    }
    let pem = dir.join(format!("{name}.pem"));
    let text = std::fs::read_to_string(dir.join(&crt)).ok()?
        + &std::fs::read_to_string(dir.join(&key)).ok()?;
    std::fs::write(&pem, text).ok()?;
    Some(pem)
}

fn certs(test: &str) -> Option<Certs> {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    if !(make_ca(d, "ca") && make_ca(d, "other-ca")) {
        println!("notice: {test} skipped: the openssl command line is not available");
        return None;
    }
    let server = make_leaf(d, "ca", "server", "2").expect("server certificate");
    let expired = make_leaf(d, "ca", "expired", "-1").expect("expired certificate");
    Some(Certs {
        ca: d.join("ca.pem"),
        other_ca: d.join("other-ca.pem"),
        server,
        expired,
        _dir: dir,
    })
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn tls_member(
    root: &Path,
    port: u16,
    mode: &str,
    cert: &Path,
    ca: &Path,
    extra: &[&str],
) -> Member {
    let (cert, ca) = (s(cert), s(ca));
    let mut args = vec![
        "--tlsMode",
        mode,
        "--tlsCertificateKeyFile",
        &cert,
        "--tlsCAFile",
        &ca,
    ];
    args.extend(extra);
    Member::start(root, port, &args)
}

/// rsh with TLS options against `target`, a short selection timeout (refusals are final).
fn rsh_tls(target: &str, tls: &[&str], code: &str) -> Run {
    let mut args = vec!["--quiet", "--serverSelectionTimeoutMS", "5000"];
    args.extend(tls);
    args.extend([target, "--eval", code]);
    rsh(&args, "", Duration::from_secs(60))
}

fn run_python(python: &Path, code: &str, args: &[String]) -> (bool, String) {
    let out = Command::new(python)
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("run python");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn tls_replica_set_serves_rsh_and_pymongo() {
    let Some(c) = certs("tls_replica_set_serves_rsh_and_pymongo") else {
        return;
    };
    let root = tempfile::tempdir().expect("tempdir");
    let ports = free_ports(3);
    let _members: Vec<Member> = ports
        .iter()
        .map(|p| {
            tls_member(
                root.path(),
                *p,
                "requireTLS",
                &c.server,
                &c.ca,
                &["--replSet", "rs0"],
            )
        })
        .collect();
    let hosts: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let (ca, cert) = (s(&c.ca), s(&c.server));
    let tls = [
        "--tls",
        "--tlsCAFile",
        &ca,
        "--tlsCertificateKeyFile",
        &cert,
    ];
    let conf = format!(
        "rs.initiate({{_id: 'rs0', settings: {{electionTimeoutMillis: 2000, heartbeatIntervalMillis: 500}}, members: [{}]}}).ok",
        hosts
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{{_id: {i}, host: '{h}'}}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let r = rsh_tls(&hosts[0], &tls, &conf);
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    // requireTLS members refuse plain connections, so a primary with two secondaries means
    // heartbeats, votes and replication all went over TLS.
    let uri = format!("mongodb://{}/?replicaSet=rs0", hosts.join(","));
    let healthy = wait_for(Duration::from_secs(90), || {
        let r = rsh_tls(
            &uri,
            &tls,
            "print(rs.status().members.map(function (m) { return m.stateStr; }).sort().join(','))",
        );
        (r.stdout.trim() == "PRIMARY,SECONDARY,SECONDARY").then_some(())
    });
    assert!(healthy.is_some(), "the set never became healthy over TLS");
    let r = rsh_tls(
        &uri,
        &tls,
        "db.t.insert({_id: 1, via: 'rsh'}); print(db.t.findOne().via)",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout.trim(), "rsh", "{}", r.all());

    let Some(python) = pymongo_python("tls_replica_set_serves_rsh_and_pymongo") else {
        return;
    };
    let code = r#"
import sys, pymongo
uri, ca, cert = sys.argv[1:4]
c = pymongo.MongoClient(uri, tls=True, tlsCAFile=ca, tlsCertificateKeyFile=cert,
                        serverSelectionTimeoutMS=20000)
c.test.t.insert_one({"_id": 2, "via": "pymongo"})
print(sorted(d["via"] for d in c.test.t.find()))
"#;
    let (ok, out) = run_python(&python, code, &[uri, ca, cert]);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "['pymongo', 'rsh']", "{out}");
}

#[test]
fn tls_refusals_say_why_in_one_line() {
    let Some(c) = certs("tls_refusals_say_why_in_one_line") else {
        return;
    };
    let root = tempfile::tempdir().expect("tempdir");
    let good = tls_member(
        root.path(),
        free_port(),
        "requireTLS",
        &c.server,
        &c.ca,
        &[],
    );
    let expired = tls_member(
        root.path(),
        free_port(),
        "requireTLS",
        &c.expired,
        &c.ca,
        &[],
    );
    let (ca, other_ca, cert) = (s(&c.ca), s(&c.other_ca), s(&c.server));

    let ok = rsh_tls(
        &good.host(),
        &[
            "--tls",
            "--tlsCAFile",
            &ca,
            "--tlsCertificateKeyFile",
            &cert,
        ],
        "db.runCommand({ping: 1}).ok",
    );
    assert_eq!(ok.stdout.trim(), "1", "{}", ok.all());

    let check = |r: &Run, reason: &str| {
        assert_eq!(r.code, 1, "{}", r.all());
        let first = r.stderr.lines().next().unwrap_or("");
        assert!(first.contains(reason), "{reason}: {}", r.all());
        assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    };
    let plain = rsh_tls(&good.host(), &[], "1");
    check(
        &plain,
        "the server only accepts TLS connections (use --tls)",
    );
    let wrong_ca = rsh_tls(
        &good.host(),
        &[
            "--tls",
            "--tlsCAFile",
            &other_ca,
            "--tlsCertificateKeyFile",
            &cert,
        ],
        "1",
    );
    check(
        &wrong_ca,
        "TLS: the server's certificate is not signed by a trusted CA",
    );
    let old = rsh_tls(
        &expired.host(),
        &[
            "--tls",
            "--tlsCAFile",
            &ca,
            "--tlsCertificateKeyFile",
            &cert,
        ],
        "1",
    );
    check(&old, "TLS: the server's certificate has expired");
    // An encrypted key file cannot be used: said, not ignored.
    let pw = rsh_tls(
        &good.host(),
        &[
            "--tls",
            "--tlsCAFile",
            &ca,
            "--tlsCertificateKeyFilePassword",
            "x",
        ],
        "1",
    );
    check(&pw, "--tlsCertificateKeyFilePassword is not supported");
    // rsh's --tlsAllowInvalidCertificates really reaches the driver: the same member answers.
    let lenient = rsh_tls(
        &expired.host(),
        &[
            "--tls",
            "--tlsAllowInvalidCertificates",
            "--tlsCertificateKeyFile",
            &cert,
        ],
        "db.runCommand({ping: 1}).ok",
    );
    assert_eq!(lenient.stdout.trim(), "1", "{}", lenient.all());
    // Without a client certificate: the member asks for one (mongod's default with a CA file).
    let anonymous = rsh_tls(&good.host(), &["--tls", "--tlsCAFile", &ca], "1");
    assert_eq!(anonymous.code, 1, "{}", anonymous.all());

    let Some(python) = pymongo_python("tls_refusals_say_why_in_one_line") else {
        return;
    };
    let code = r#"
import sys, pymongo
from pymongo.errors import PyMongoError
port = sys.argv[1]
c = pymongo.MongoClient("127.0.0.1", int(port), directConnection=True,
                        serverSelectionTimeoutMS=3000)
try:
    c.admin.command("ping")
    print("accepted")
except PyMongoError as e:
    print("refused:", str(e).splitlines()[0])
"#;
    let (ok, out) = run_python(&python, code, &[good.port.to_string()]);
    assert!(ok, "{out}");
    assert!(
        out.starts_with("refused:") && out.contains("only allow SSL connections"),
        "{out}"
    );
}

#[test]
fn allow_and_prefer_modes_take_both_and_yaml_config_works() {
    let Some(c) = certs("allow_and_prefer_modes_take_both_and_yaml_config_works") else {
        return;
    };
    let root = tempfile::tempdir().expect("tempdir");
    let (ca, cert) = (s(&c.ca), s(&c.server));
    let tls = [
        "--tls",
        "--tlsCAFile",
        &ca,
        "--tlsCertificateKeyFile",
        &cert,
    ];
    for mode in ["allowTLS", "preferTLS"] {
        let m = tls_member(root.path(), free_port(), mode, &c.server, &c.ca, &[]);
        let plain = rsh_tls(&m.host(), &[], "db.runCommand({ping: 1}).ok");
        assert_eq!(plain.stdout.trim(), "1", "{mode} plain: {}", plain.all());
        let secure = rsh_tls(&m.host(), &tls, "db.runCommand({ping: 1}).ok");
        assert_eq!(secure.stdout.trim(), "1", "{mode} TLS: {}", secure.all());
    }
    // The same settings from a YAML file.
    let port = free_port();
    let dbpath = root.path().join("yaml");
    std::fs::create_dir_all(&dbpath).expect("dbpath");
    let conf = root.path().join("tls.conf");
    std::fs::write(
        &conf,
        format!(
            "net:\n  port: {port}\n  bindIp: 127.0.0.1\n  tls:\n    mode: requireTLS\n    certificateKeyFile: {cert}\n    CAFile: {ca}\nstorage:\n  dbPath: {}\n",
            dbpath.display()
        ),
    )
    .expect("config");
    let conf = s(&conf);
    let m = Member::start_with_args(root.path(), port, &["-f", &conf]);
    let secure = rsh_tls(&m.host(), &tls, "db.runCommand({ping: 1}).ok");
    assert_eq!(secure.stdout.trim(), "1", "{}", secure.all());
    let plain = rsh_tls(&m.host(), &[], "1");
    assert_eq!(plain.code, 1, "{}", plain.all());
    // An unknown tls key or mode is refused at startup, not ignored.
    let bad = Command::new(support::sandbox_binary())
        .args([
            "--tlsMode",
            "requireSSL",
            "--port",
            &free_port().to_string(),
        ])
        .output()
        .expect("run sandbox");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("Invalid tlsMode")
            || String::from_utf8_lossy(&bad.stderr).contains("Invalid tlsMode"),
        "{bad:?}"
    );
}

#[test]
fn cluster_subcommand_starts_a_require_tls_set() {
    use std::process::Stdio;
    let Some(c) = certs("cluster_subcommand_starts_a_require_tls_set") else {
        return;
    };
    let root = tempfile::tempdir().expect("tempdir");
    let (ca, cert) = (s(&c.ca), s(&c.server));
    let mut child = Command::new(support::sandbox_binary())
        .args(["cluster", "--nodes", "2", "--initiate", "--fast"])
        .args(["--tlsMode", "requireTLS", "--tlsCertificateKeyFile", &cert])
        .args(["--tlsCAFile", &ca, "--dbpath-root"])
        .arg(root.path().join("set"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cluster");
    let summary = support::cluster::summary(&mut child, Duration::from_secs(90));
    let result = std::panic::catch_unwind(|| {
        // The launcher initiated the set and read each member's state over TLS.
        assert!(summary.contains(" PRIMARY "), "{summary}");
        assert!(summary.contains("TLS is on (requireTLS)"), "{summary}");
        let uri = summary
            .split_whitespace()
            .find(|w| w.starts_with("mongodb://"))
            .expect("connection string")
            .to_string();
        assert!(uri.ends_with("&tls=true"), "{uri}");
        let tls = [
            "--tls",
            "--tlsCAFile",
            &ca,
            "--tlsCertificateKeyFile",
            &cert,
        ];
        let r = rsh_tls(
            &uri,
            &tls,
            "db.t.insert({_id: 1}); print(db.t.countDocuments({}))",
        );
        assert_eq!(r.stdout.trim(), "1", "{}", r.all());
        // Plain clients are refused (an error reply, then the connection closes).
        let port = uri
            .trim_start_matches("mongodb://")
            .split([',', '/'])
            .next()
            .and_then(|h| h.rsplit(':').next())
            .and_then(|p| p.parse::<u16>().ok())
            .expect("a port");
        let plain = support::wire::try_run(port, "admin", bson::doc! {"ping": 1});
        assert!(!plain.as_ref().is_some_and(support::wire::ok), "{plain:?}");
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
