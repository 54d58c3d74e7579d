use super::*;
use bson::doc;

fn argv(s: &str) -> Vec<String> {
    std::iter::once("rsh-sandbox")
        .chain(s.split_whitespace())
        .map(String::from)
        .collect()
}

fn node(s: &str) -> Options {
    match parse(&argv(s)) {
        Ok(Invocation::Node(o)) => *o,
        other => panic!("{s}: {other:?}"),
    }
}

fn write_conf(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mongod.conf");
    std::fs::write(&path, text).unwrap();
    let p = path.to_string_lossy().into_owned();
    (dir, p)
}

#[test]
fn defaults_are_mongods() {
    let o = node("");
    assert_eq!(o.port, 27017);
    assert_eq!(o.bind_ip, ["127.0.0.1"]);
    assert_eq!(o.dbpath, PathBuf::from("/data/db"));
    assert_eq!(o.repl_set, None);
    assert_eq!(o.logpath, None);
    assert!(o.parsed.is_empty());
    assert_eq!(o.argv, ["rsh-sandbox"]);
}

#[test]
fn seed_004_parsed_shape_from_a_key_value_file() {
    let (_d, path) = write_conf("dbpath=C:\\data\\db\\db_rs0\nlogpath=C:\\data\\db\\db_rs0\\rs0_1.log\nport=40001\nreplSet=rs0\n");
    let o = node(&format!("-f {path}"));
    let want = doc! {
        "config": path.clone(),
        "net": {"port": 40001},
        "replication": {"replSet": "rs0"},
        "storage": {"dbPath": "C:\\data\\db\\db_rs0"},
        "systemLog": {"destination": "file", "path": "C:\\data\\db\\db_rs0\\rs0_1.log"},
    };
    assert_eq!(o.parsed, want);
    assert_eq!(o.argv, ["rsh-sandbox", "-f", path.as_str()]);
    assert_eq!(o.port, 40001);
    assert_eq!(o.repl_set.as_deref(), Some("rs0"));
    assert_eq!(
        o.logpath,
        Some(PathBuf::from("C:\\data\\db\\db_rs0\\rs0_1.log"))
    );
}

#[test]
fn command_line_overrides_the_yaml_file_like_seed_000() {
    let (_d, path) = write_conf(
        "storage:\n  dbPath: /var/lib/mongodb\nsystemLog:\n  destination: file\n  logAppend: true\n  path: /var/log/mongodb/mongod.log\nnet:\n  port: 27017\n  bindIp: 127.0.0.1\n",
    );
    let o = node(&format!(
        "-f {path} --bind_ip 0.0.0.0 --port 27022 --replSet rs0"
    ));
    assert_eq!(o.port, 27022);
    assert_eq!(o.bind_ip, ["0.0.0.0"]);
    assert_eq!(o.repl_set.as_deref(), Some("rs0"));
    assert!(o.log_append);
    let keys: Vec<&str> = o.parsed.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["config", "net", "replication", "storage", "systemLog"]
    );
    assert_eq!(
        o.parsed.get_document("net").unwrap(),
        &doc! {"bindIp": "0.0.0.0", "port": 27022}
    );
}

#[test]
fn old_replset_seed_form() {
    let o = node("--port 27018 --dbpath /data/db1 --replSet foo/morton.local:27017,morton.local:27019 --rest");
    assert_eq!(o.repl_set.as_deref(), Some("foo"));
    assert_eq!(o.seeds, ["morton.local:27017", "morton.local:27019"]);
    assert_eq!(o.warnings.len(), 1);
    assert_eq!(
        o.parsed.get_document("replication").unwrap(),
        &doc! {"replSet": "foo/morton.local:27017,morton.local:27019"}
    );
    assert!(parse(&argv("--replSet /h:1")).is_err());
}

#[test]
fn yaml_replset_name_and_set_parameter() {
    let (_d, path) = write_conf(
        "replication:\n  replSetName: rs1\nsetParameter:\n  allowMultipleArbiters: true\n",
    );
    let o = node(&format!("--config={path}"));
    assert_eq!(o.repl_set.as_deref(), Some("rs1"));
    assert!(o.allow_multiple_arbiters());
    assert!(node("--setParameter allowMultipleArbiters=true").allow_multiple_arbiters());
    assert!(!node("").allow_multiple_arbiters());
}

#[test]
fn invalid_combinations_are_one_line_errors() {
    let cases = [
        "--bind_ip_all --bind_ip 127.0.0.1",
        "--oplogSize 0",
        "--oplogSize -5",
        "-f /nonexistent/rsh-sandbox.conf",
    ];
    for c in cases {
        let e = parse(&argv(c)).unwrap_err();
        assert!(!e.contains('\n') && !e.is_empty(), "{c}: {e}");
    }
    assert_eq!(
        parse(&argv("-f /nonexistent/x.conf")).unwrap_err(),
        "Error reading config file: /nonexistent/x.conf: No such file or directory"
    );
    let (_d, path) = write_conf("systemLog:\n  destination: file\n");
    assert_eq!(
        parse(&argv(&format!("-f {path}"))).unwrap_err(),
        "systemLog.path is required if systemLog.destination is to a file"
    );
}

#[test]
fn help_version_and_cluster_dispatch() {
    assert!(
        matches!(parse(&argv("--help")), Ok(Invocation::Help(t)) if t.contains("--replSet arg"))
    );
    assert!(matches!(
        parse(&argv("--port 1 --version")),
        Ok(Invocation::Version)
    ));
    assert!(version_text().starts_with("db version v7.0."));
    assert!(
        matches!(parse(&argv("cluster --nodes 2")), Ok(Invocation::Cluster(c)) if c.nodes == 2)
    );
    assert!(matches!(
        parse(&argv("cluster --help")),
        Ok(Invocation::Help(_))
    ));
}

#[test]
fn default_me_follows_the_bind_address() {
    assert_eq!(node("--port 27018").default_me(), "127.0.0.1:27018");
    assert_eq!(
        node("--bind_ip localhost,10.1.2.3").default_me(),
        "10.1.2.3:27017"
    );
    assert!(node("--bind_ip_all").default_me().ends_with(":27017"));
}

#[test]
fn dbpath_must_exist() {
    let d = tempfile::tempdir().unwrap();
    assert!(check_dbpath(d.path()).is_ok());
    let e = check_dbpath(&d.path().join("missing")).unwrap_err();
    assert!(
        e.starts_with("Data directory ") && e.contains("not found"),
        "{e}"
    );
}

#[test]
fn auth_and_key_file_settings() {
    let o = node("--auth");
    assert!(o.authorization && o.key_file.is_none());
    assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    let o = node("--replSet rs0 --keyFile /k");
    assert_eq!(o.key_file, Some(std::path::PathBuf::from("/k")));
    assert!(!o.authorization);
    let (_d, path) = write_conf(
        "replication:\n  replSetName: rs0\nsecurity:\n  keyFile: /k\n  authorization: enabled\n",
    );
    let o = node(&format!("-f {path}"));
    assert!(o.authorization);
    assert_eq!(o.key_file, Some(std::path::PathBuf::from("/k")));
    let (_d, path) = write_conf("security:\n  authorization: maybe\n");
    assert!(parse(&argv(&format!("-f {path}")))
        .unwrap_err()
        .starts_with("Bad value for security.authorization: maybe"));
    assert_eq!(
        parse(&argv("--auth --replSet rs0")).unwrap_err(),
        "BadValue: security.keyFile is required when authorization is enabled with replica sets"
    );
}
