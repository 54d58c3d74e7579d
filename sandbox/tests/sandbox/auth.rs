//! rsh-sandbox with `--auth`: SCRAM logins from pymongo, rsh and mongosh, the localhost
//! exception, role checks, user management, users kept across a restart, and no change at all
//! without access control. Key-file sets are in sandbox_auth_keyfile.rs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

/// A one-member set with `--keyFile` (mongod requires one with `--replSet` and `--auth`),
/// initiated and given `admin`/`pw` (root) through the localhost exception. The key file lives
/// in `keys`, which must outlive the member (restarts read it again).
fn single_with_admin(keys: &Path) -> Member {
    let key = key_file(keys, "key", "c2luZ2xlbWVtYmVya2V5");
    let m = Member::sandbox(&["--replSet", "rs0", "--keyFile", &key.to_string_lossy()]);
    let mut c = m.connect();
    let r = c
        .admin(doc! {"replSetInitiate": {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}]}});
    assert!(ok(&r), "initiate under the localhost exception: {r}");
    assert!(wait_primary(&[&m], LIMIT).is_some(), "no primary");
    create_first_user(&m);
    m
}

/// Creates `admin`/`pw` (root) through the localhost exception, which then closes.
fn create_first_user(m: &Member) {
    let mut c = m.connect();
    let r = c.admin(doc! {"createUser": "admin", "pwd": "pw", "roles": ["root"]});
    assert!(ok(&r), "first user under the localhost exception: {r}");
    let r = c.admin(doc! {"createUser": "other", "pwd": "pw", "roles": ["root"]});
    assert_eq!(r.get_i32("code"), Ok(13), "{r}");
    assert_eq!(
        r.get_str("errmsg"),
        Ok("command createUser requires authentication")
    );
}

/// Runs a python script (with a time limit) and returns its output; panics on failure.
fn python(python: &Path, script: &str, args: &[String]) -> String {
    let mut child = Command::new(python)
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
assert app.list_database_names() == ["test"], app.list_database_names()
assert "admin" in root.list_database_names()
expect_code(13, lambda: app.admin.command("replSetReconfig", {}),
            'not authorized on admin to execute command { replSetReconfig: {}, lsid: { id: UUID("')
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
    let Some(py) = pymongo_python("pymongo auth checks") else {
        return;
    };
    let keys = tempfile::tempdir().expect("tempdir");
    let m = single_with_admin(keys.path());
    let out = python(&py, PYMONGO_CHECKS, &[m.port.to_string()]);
    assert!(out.contains("PYMONGO AUTH OK"), "{out}");
    let log = m.log();
    assert!(log.contains(r#""id":5286306"#) && log.contains("Successfully authenticated"));
    assert!(log.contains(r#""id":5286307"#) && log.contains("Failed to authenticate"));
    assert!(log.contains(
        r#""error":"UserNotFound: Could not find user \"app\" for db \"admin\"","result":11"#
    ));
    assert!(log.contains(r#""error":"AuthenticationFailed: SCRAM authentication failed, storedKey mismatch","result":18"#));
}

#[test]
fn rsh_logs_in_and_manages_users() {
    let keys = tempfile::tempdir().expect("tempdir");
    let m = single_with_admin(keys.path());
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
fn users_survive_a_restart() {
    let keys = tempfile::tempdir().expect("tempdir");
    let mut m = single_with_admin(keys.path());
    m.restart();
    assert!(
        wait_primary(&[&m], LIMIT).is_some(),
        "no primary after restart"
    );
    let uri = format!("mongodb://{}/?replicaSet=rs0", m.host());
    let r = rsh_as(
        "admin",
        "pw",
        &uri,
        "print(db.getSiblingDB('admin').getUsers()[0].user)",
    );
    assert_eq!(r.stdout.trim(), "admin", "{}", r.all());
    // Still no localhost exception: the user came back from the journal.
    let r = admin(&m, doc! {"createUser": "x", "pwd": "y", "roles": []}).expect("reply");
    assert_eq!(r.get_i32("code"), Ok(13), "{r}");
}

#[test]
fn standalone_with_auth_needs_no_key_file() {
    let m = Member::sandbox(&["--auth"]);
    create_first_user(&m);
    let r = m.connect().run("test", doc! {"find": "c"});
    assert_eq!(
        r.get_str("errmsg"),
        Ok("command find requires authentication"),
        "{r}"
    );
    let r = m.connect().admin(doc! {"buildInfo": 1});
    assert!(ok(&r), "{r}");
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
fn mongosh_logs_in() {
    let Some(mongosh) = mongosh("mongosh login check") else {
        return;
    };
    let keys = tempfile::tempdir().expect("tempdir");
    let m = single_with_admin(keys.path());
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
