//! rsh-sandbox with access control: `--auth` and `--keyFile`, SCRAM logins from pymongo, rsh and
//! mongosh, the localhost exception, role checks, users replicated to secondaries, members
//! authenticating to each other with the key file, and key-file validation at startup.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// A key file with mode 0600 (mongod's rule) in `dir`.
fn key_file(dir: &Path, name: &str, key: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, key).expect("write key");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod key");
    p
}

/// Initiates a one-member set and creates `admin`/`pw` (root) through the localhost exception.
fn single_with_admin(extra: &[&str]) -> Member {
    let mut args = vec!["--replSet", "rs0"];
    args.extend_from_slice(extra);
    let m = Member::sandbox(&args);
    let mut c = m.connect();
    let r = c
        .admin(doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}]}});
    assert!(ok(&r), "initiate under the localhost exception: {r}");
    assert!(wait_primary(&[&m], LIMIT).is_some(), "no primary");
    let r = c.admin(doc! {"createUser": "admin", "pwd": "pw", "roles": ["root"]});
    assert!(ok(&r), "first user under the localhost exception: {r}");
    // The exception closes with the first user.
    let r = c.admin(doc! {"createUser": "other", "pwd": "pw", "roles": ["root"]});
    assert_eq!(r.get_i32("code"), Ok(13), "{r}");
    assert_eq!(
        r.get_str("errmsg"),
        Ok("command createUser requires authentication")
    );
    m
}

fn has_pymongo() -> bool {
    Command::new("python3")
        .args(["-c", "import pymongo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a python script (with a time limit) and returns its output; panics on failure.
fn python(script: &str, args: &[String]) -> String {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("python output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "python failed:\n{text}");
    text
}

const PYMONGO_CHECKS: &str = r#"
import sys, pymongo
from pymongo.errors import OperationFailure
port = sys.argv[1]
base = "mongodb://127.0.0.1:%s/?directConnection=true&serverSelectionTimeoutMS=10000" % port
def client(**kw):
    return pymongo.MongoClient(base, **kw)
def expect_code(code, f, text=None):
    try:
        f()
    except OperationFailure as e:
        assert e.code == code, (code, e.code, e.details)
        if text:
            assert text in e.details.get("errmsg", ""), e.details
        return e
    raise AssertionError("expected error %d" % code)
for mech in ("SCRAM-SHA-256", "SCRAM-SHA-1"):
    c = client(username="admin", password="pw", authMechanism=mech)
    st = c.admin.command("connectionStatus")["authInfo"]
    assert st["authenticatedUsers"] == [{"user": "admin", "db": "admin"}], st
    assert c.admin.command("replSetGetStatus")["ok"] == 1.0
    print(mech, "ok")
expect_code(18, lambda: client(username="admin", password="wrong").admin.command("ping"),
            "Authentication failed.")
expect_code(13, lambda: client().test.c.find_one(), "command find requires authentication")
root = client(username="admin", password="pw")
root.admin.command("createUser", "app", pwd="apppw", roles=[{"role": "readWrite", "db": "test"}])
e = expect_code(51003, lambda: root.admin.command("createUser", "app", pwd="x", roles=[]))
assert e.details["errmsg"] == 'User "app@admin" already exists', e.details
expect_code(31, lambda: root.admin.command("createUser", "bad", pwd="x", roles=["nosuch"]),
            "Could not find role: nosuch@admin")
app = client(username="app", password="apppw", authSource="admin")
app.test.c.insert_one({"_id": 1})
assert app.test.c.find_one({"_id": 1}) == {"_id": 1}
expect_code(13, lambda: app.admin.command("replSetReconfig", {}),
            "not authorized on admin to execute command { replSetReconfig: ")
expect_code(13, lambda: app.other.c.insert_one({}), "not authorized on other")
root.admin.command("grantRolesToUser", "app", roles=["clusterMonitor"])
assert app.admin.command("replSetGetStatus")["ok"] == 1.0
info = root.admin.command("usersInfo", "app")["users"][0]
assert "credentials" not in info and info["mechanisms"] == ["SCRAM-SHA-1", "SCRAM-SHA-256"], info
assert info["roles"] == [{"role": "readWrite", "db": "test"}, {"role": "clusterMonitor", "db": "admin"}], info
root.admin.command("dropUser", "app")
expect_code(18, lambda: client(username="app", password="apppw").admin.command("ping"))
expect_code(11, lambda: root.admin.command("dropUser", "app"))
print("PYMONGO AUTH OK")
"#;

#[test]
fn pymongo_logs_in_with_both_mechanisms_and_roles_are_enforced() {
    if !has_pymongo() {
        println!("pymongo is not installed: skipping the pymongo auth checks");
        return;
    }
    let m = single_with_admin(&["--auth"]);
    let out = python(PYMONGO_CHECKS, &[m.port.to_string()]);
    assert!(out.contains("PYMONGO AUTH OK"), "{out}");
    let log = m.log();
    assert!(log.contains(r#""id":5286306"#) && log.contains("Successfully authenticated"));
    assert!(log.contains(r#""id":5286307"#) && log.contains("Failed to authenticate"));
}

/// `rsh -u admin -p pw --authenticationDatabase admin <uri> --eval <code>`.
fn rsh_as(user: &str, pwd: &str, uri: &str, code: &str) -> Run {
    rsh(
        &[
            "--quiet",
            "-u",
            user,
            "-p",
            pwd,
            "--authenticationDatabase",
            "admin",
            uri,
            "--eval",
            code,
        ],
        "",
        Duration::from_secs(60),
    )
}

#[test]
fn rsh_logs_in_and_manages_users() {
    let m = single_with_admin(&["--auth"]);
    let uri = format!("mongodb://{}/?replicaSet=rs0", m.host());
    let r = rsh_as("admin", "pw", &uri, "print(rs.status().ok)");
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());

    // Unauthenticated shell: db.auth() then db.createUser() in a script.
    let script = "var a = db.getSiblingDB('admin'); print(a.auth('admin', 'pw')); \
                  db.getSiblingDB('test').createUser({user: 'u1', pwd: 'p1', roles: ['read']}); \
                  print(db.getSiblingDB('test').getUsers().length)";
    let r = eval(&uri, script);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("Successfully added user: {"),
        "{}",
        r.all()
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.first().map(|l| l.trim()), Some("1"), "{}", r.all());
    assert_eq!(lines.last().map(|l| l.trim()), Some("1"), "{}", r.all());

    let bad = rsh_as("admin", "wrong", &uri, "print(1)");
    assert_ne!(bad.code, 0, "{}", bad.all());
    // rsh's legacy-shell wording for a failed connection.
    let msg = bad.all();
    let lines: Vec<&str> = msg.trim().lines().collect();
    assert_eq!(lines.len(), 2, "{msg}");
    assert_eq!(
        lines[0],
        format!(
            "Error: couldn't connect to server {}: Authentication failed: SCRAM failure: Authentication failed.",
            m.host()
        )
    );
    assert_eq!(lines[1], "exception: connect failed");
}

#[test]
fn keyfile_set_authenticates_members_and_refuses_a_foreign_key() {
    let keys = tempfile::tempdir().expect("tempdir");
    let good = key_file(keys.path(), "good", "c2FuZGJveGtleWZpbGUx\n");
    let bad = key_file(keys.path(), "bad", "YW5vdGhlcmtleWZpbGU=");
    let good = good.to_string_lossy().to_string();
    let mut members: Vec<Member> = (0..3)
        .map(|_| Member::sandbox(&["--replSet", "rs0", "--keyFile", &good]))
        .collect();
    let stranger = Member::sandbox(&["--replSet", "rs0", "--keyFile", &bad.to_string_lossy()]);

    // Localhost exception: initiate, then the first user once a primary exists.
    let refs: Vec<&Member> = members.iter().collect();
    let r = admin(&members[0], doc! {"replSetInitiate": config(&refs, None)}).expect("reply");
    assert!(ok(&r), "initiate with --keyFile: {r}");
    let (p, _) = wait_primary(&refs, LIMIT).expect("a primary");
    let r = admin(&members[p], doc! {"replSetGetStatus": 1}).expect("reply");
    assert_eq!(r.get_i32("code"), Ok(13), "{r}");
    let r = admin(
        &members[p],
        doc! {"createUser": "admin", "pwd": "pw", "roles": ["root"], "writeConcern": {"w": 3}},
    )
    .expect("reply");
    assert!(ok(&r), "first user: {r}");
    // The user replicated: every member now offers its mechanisms.
    for m in &members {
        let found = wait_for(LIMIT, || {
            let h = admin(m, doc! {"hello": 1, "saslSupportedMechs": "admin.admin"})?;
            h.get_array("saslSupportedMechs").ok().cloned()
        });
        assert_eq!(
            found,
            Some(vec![Bson::from("SCRAM-SHA-1"), Bson::from("SCRAM-SHA-256")]),
            "user not visible on {}",
            m.host()
        );
    }

    // A member holding another key is added (non-voting) and never becomes healthy.
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    let uri = format!("mongodb://{}/?replicaSet=rs0", hosts.join(","));
    let add = format!(
        "printjson(rs.add({{host: '{}', votes: 0, priority: 0}}).ok)",
        stranger.host()
    );
    let r = rsh_as("admin", "pw", &uri, &add);
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
    let entry = wait_for(LIMIT, || {
        let r = rsh_as("admin", "pw", &uri, "printjson(rs.status().members[3])");
        r.stdout
            .contains("Authentication failed")
            .then(|| r.stdout.clone())
    })
    .expect("the stranger's heartbeats fail authentication");
    assert!(entry.contains("\"health\" : 0"), "{entry}");
    assert!(stranger.log().contains("Failed to authenticate"));

    // Members still elect among themselves after the primary dies.
    members[p].kill();
    let alive: Vec<&Member> = members.iter().filter(|m| m.child.is_some()).collect();
    let (q, _) = wait_primary(&alive, LIMIT).expect("a new primary");
    assert_ne!(alive[q].port, members[p].port);
    let r = rsh_as(
        "admin",
        "pw",
        &uri,
        "print(db.getSiblingDB('admin').getUsers().length)",
    );
    assert_eq!(r.stdout.trim(), "1", "{}", r.all());
}

/// Starts the sandbox with `--keyFile key` and returns (exit code, output); it must exit.
fn start_with_key(key: &Path) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(sandbox_binary())
        .args(["--port", &free_port().to_string(), "--dbpath"])
        .arg(dir.path())
        .arg("--keyFile")
        .arg(key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() && start.elapsed() < LIMIT {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn bad_key_files_stop_the_server_with_mongods_messages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let open = dir.path().join("open");
    std::fs::write(&open, "abcdefghij").expect("write");
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let cases = [
        (
            open.clone(),
            format!("permissions on {} are too open", open.display()),
        ),
        (
            key_file(dir.path(), "short", "abc"),
            "has length 3, must be between 6 and 1024 chars".to_string(),
        ),
        (
            key_file(dir.path(), "chars", "abc$def!ghi"),
            "invalid char in key file".to_string(),
        ),
    ];
    for (path, want) in cases {
        let (code, text) = start_with_key(&path);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains(&want), "want {want:?} in {text}");
        assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
    }
}

#[test]
fn without_auth_nothing_is_checked() {
    let m = Member::sandbox(&[]);
    let mut c = m.connect();
    let r = c.run("test", doc! {"insert": "c", "documents": [{"_id": 1}]});
    assert!(ok(&r), "{r}");
    let r = c.admin(doc! {"connectionStatus": 1});
    let info = r.get_document("authInfo").cloned().unwrap_or_default();
    assert_eq!(
        info,
        doc! {"authenticatedUsers": [], "authenticatedUserRoles": []}
    );
    // Users can still be managed (mongod allows it without --auth).
    let r = c.admin(doc! {"createUser": "u", "pwd": "p", "roles": ["read"]});
    assert!(ok(&r), "{r}");
    let r = c.admin(doc! {"usersInfo": 1, "showCredentials": true});
    let users = r.get_array("users").cloned().unwrap_or_default();
    let first: Document = users
        .first()
        .and_then(Bson::as_document)
        .cloned()
        .unwrap_or_default();
    assert_eq!(first.get_str("_id"), Ok("admin.u"), "{r}");
    assert!(first
        .get_document("credentials")
        .is_ok_and(|c| c.contains_key("SCRAM-SHA-256")));
}

#[test]
fn mongosh_logs_in_when_installed() {
    let mongosh = std::env::var("RSH_MONGOSH")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/node_modules/.bin/mongosh");
            p.exists().then(|| p.to_string_lossy().to_string())
        });
    let Some(mongosh) = mongosh else {
        println!("mongosh is not installed (set RSH_MONGOSH): skipping the mongosh login check");
        return;
    };
    let m = single_with_admin(&["--auth"]);
    let out = Command::new(mongosh)
        .args([
            "--quiet",
            "-u",
            "admin",
            "-p",
            "pw",
            "--authenticationDatabase",
            "admin",
            &format!("mongodb://{}/?directConnection=true", m.host()),
            "--eval",
            "print(db.runCommand({connectionStatus: 1}).authInfo.authenticatedUsers[0].user)",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("mongosh");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.trim().lines().last(), Some("admin"), "{text}");
}
