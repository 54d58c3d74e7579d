//! rsh-sandbox with `--keyFile`: members authenticate to each other with the key (a member with
//! another key is refused), the localhost exception on a fresh set, failover with access control,
//! key-file validation at startup, and `rsh-sandbox cluster --keyFile`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bson::{doc, Bson};
use support::*;

const LIMIT: Duration = Duration::from_secs(30);

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
    start_failing(&["--keyFile", &key.to_string_lossy()])
}

/// Starts the sandbox with `args` and returns (exit code, output) once it exits.
fn start_failing(args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(sandbox_binary())
        .args(["--port", &free_port().to_string(), "--dbpath"])
        .arg(dir.path())
        .args(args)
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
    // mongod's rule: a replica set with --auth needs a key file.
    let (code, text) = start_failing(&["--auth", "--replSet", "rs0"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.starts_with(
            "BadValue: security.keyFile is required when authorization is enabled with replica sets\n"
        ),
        "{text}"
    );
}

#[test]
fn cluster_subcommand_passes_the_key_file_to_every_member() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = key_file(dir.path(), "key", "Y2x1c3RlcmtleWZpbGU=");
    let mut child = Command::new(sandbox_binary())
        .args([
            "cluster",
            "--nodes",
            "2",
            "--initiate",
            "--fast",
            "--keyFile",
        ])
        .arg(&key)
        .arg("--dbpath-root")
        .arg(dir.path().join("set"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cluster");
    let summary = support::cluster::summary(&mut child, Duration::from_secs(60));
    let uri = summary
        .split_whitespace()
        .find(|w| w.starts_with("mongodb://"))
        .map(str::to_string);
    let result = std::panic::catch_unwind(|| {
        assert!(
            summary.contains("access control is on (--keyFile)"),
            "{summary}"
        );
        let uri = uri.clone().expect("connection string");
        let primary = summary
            .lines()
            .find(|l| l.contains(" PRIMARY "))
            .and_then(|l| l.split_whitespace().nth(2))
            .and_then(|h| h.rsplit(':').next())
            .and_then(|p| p.parse::<u16>().ok())
            .expect("a PRIMARY member line");
        let r = try_run(
            primary,
            "admin",
            doc! {"createUser": "admin", "pwd": "pw", "roles": ["root"]},
        )
        .expect("reply");
        assert!(ok(&r), "{r}");
        let health = wait_for(LIMIT, || {
            let r = rsh_as(
                "admin",
                "pw",
                &uri,
                "print(rs.status().members.map(function (m) { return m.health; }).join(','))",
            );
            (r.stdout.trim() == "1,1").then_some(())
        });
        assert!(
            health.is_some(),
            "members did not authenticate to each other"
        );
    });
    // SAFETY: kill(2) on our own child's pid; the launcher stops its members on SIGTERM.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() && start.elapsed() < LIMIT {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
