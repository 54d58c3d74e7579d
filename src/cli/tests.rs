//! Unit tests: every address form of reference 6.2, conflicts, credentials, TLS, and a property
//! test that random strings never make the parser panic.
use super::*;
use clap::Parser;
use proptest::prelude::*;

fn args(argv: &[&str]) -> Args {
    let mut full = vec!["rsh"];
    full.extend_from_slice(argv);
    match Args::try_parse_from(full) {
        Ok(a) => a,
        Err(e) => panic!("bad test argv {argv:?}: {e}"),
    }
}

fn plan_of(argv: &[&str]) -> ConnectionPlan {
    match plan(&args(argv)) {
        Ok(Some(p)) => p,
        other => panic!("{argv:?} gave {other:?}"),
    }
}

fn err_of(argv: &[&str]) -> String {
    match plan(&args(argv)) {
        Err(e) => e.0,
        Ok(p) => panic!("{argv:?} should fail, gave {p:?}"),
    }
}

#[test]
fn no_address_is_local_default_direct() {
    let p = plan_of(&[]);
    assert_eq!(p.uri, "mongodb://127.0.0.1:27017/?directConnection=true");
    assert_eq!(p.db, "test");
    assert!(p.direct);
    assert_eq!(p.replica_set, None);
}

#[test]
fn nodb_has_no_plan_and_every_positional_is_a_file() {
    let a = args(&["--nodb", "host:1", "x.js"]);
    assert_eq!(plan(&a), Ok(None));
    assert_eq!(a.address_and_files(), (None, vec!["host:1", "x.js"]));
}

#[test]
fn database_name_alone() {
    let p = plan_of(&["admin"]);
    assert_eq!(
        p.uri,
        "mongodb://127.0.0.1:27017/admin?directConnection=true"
    );
    assert_eq!(p.db, "admin");
    let p = plan_of(&["--port", "40001", "admin"]);
    assert_eq!(
        p.uri,
        "mongodb://127.0.0.1:40001/admin?directConnection=true"
    );
}

#[test]
fn host_forms() {
    assert_eq!(
        plan_of(&["db.example.net"]).uri,
        "mongodb://db.example.net:27017/?directConnection=true"
    );
    assert_eq!(
        plan_of(&["localhost:40001"]).uri,
        "mongodb://localhost:40001/?directConnection=true"
    );
    let p = plan_of(&["192.168.0.5:9999/foo"]);
    assert_eq!(
        p.uri,
        "mongodb://192.168.0.5:9999/foo?directConnection=true"
    );
    assert_eq!(p.db, "foo");
    let p = plan_of(&["192.168.0.5/foo"]);
    assert_eq!(
        p.uri,
        "mongodb://192.168.0.5:27017/foo?directConnection=true"
    );
    assert_eq!(plan_of(&["localhost:40001/"]).db, "test");
    assert_eq!(
        plan_of(&["--port", "5", "h.local"]).uri,
        "mongodb://h.local:5/?directConnection=true"
    );
}

#[test]
fn address_then_files() {
    let a = args(&["a.js", "localhost:1", "b.js", "c"]);
    assert_eq!(
        a.address_and_files(),
        (Some("localhost:1"), vec!["a.js", "b.js", "c"])
    );
    assert!(!a.interactive());
    assert!(args(&["localhost:1"]).interactive());
    assert!(args(&["--shell", "--eval", "1"]).interactive());
}

#[test]
fn ipv6_and_sockets() {
    assert_eq!(
        plan_of(&["--host", "::1"]).uri,
        "mongodb://[::1]:27017/?directConnection=true"
    );
    assert_eq!(
        plan_of(&["--host", "[::1]:40001"]).uri,
        "mongodb://[::1]:40001/?directConnection=true"
    );
    assert_eq!(
        plan_of(&["--host", "/tmp/mongodb-27017.sock"]).uri,
        "mongodb://%2Ftmp%2Fmongodb-27017.sock/?directConnection=true"
    );
}

#[test]
fn host_option_forms() {
    let p = plan_of(&["--host", "h1", "--port", "40002"]);
    assert_eq!(p.uri, "mongodb://h1:40002/?directConnection=true");
    let p = plan_of(&["--host", "h1:1,h2:2"]);
    assert_eq!(p.uri, "mongodb://h1:1,h2:2");
    assert!(!p.direct);
    assert_eq!(p.hosts, vec!["h1:1", "h2:2"]);
    let p = plan_of(&["--host", "rs0/h1:1,h2:2", "admin"]);
    assert_eq!(p.uri, "mongodb://h1:1,h2:2/admin?replicaSet=rs0");
    assert_eq!(p.replica_set.as_deref(), Some("rs0"));
    assert!(!p.direct);
    assert_eq!(p.db, "admin");
    // A set name with one host is still a replica-set connection, not direct.
    let p = plan_of(&["--host", "rs0/h1:1"]);
    assert_eq!(p.uri, "mongodb://h1:1/?replicaSet=rs0");
    assert!(!p.direct);
}

#[test]
fn uri_forms() {
    let p = plan_of(&["mongodb://h1:1,h2:2/?replicaSet=rs0"]);
    assert_eq!(p.uri, "mongodb://h1:1,h2:2/?replicaSet=rs0");
    assert!(!p.direct);
    let p = plan_of(&["mongodb://h1:1/admin"]);
    assert_eq!(p.uri, "mongodb://h1:1/admin?directConnection=true");
    assert!(p.direct);
    assert_eq!(p.db, "admin");
    let p = plan_of(&["mongodb://h1:1/?directConnection=false"]);
    assert!(!p.direct);
    assert_eq!(p.uri, "mongodb://h1:1/?directConnection=false");
    let p = plan_of(&["--host", "mongodb://h1:1/?loadBalanced=true"]);
    assert!(!p.direct);
    let p = plan_of(&["mongodb+srv://cluster.example.com/x"]);
    assert_eq!(p.uri, "mongodb+srv://cluster.example.com/x");
    assert!(!p.direct && p.srv && p.tls.enabled);
}

#[test]
fn uri_credentials_are_taken_out() {
    let p = plan_of(&["mongodb://ad%40min:p%3Ass@h1:1/db?authSource=admin&w=1"]);
    assert_eq!(p.username.as_deref(), Some("ad@min"));
    assert_eq!(p.password.as_deref(), Some("p:ss"));
    assert_eq!(p.auth_db.as_deref(), Some("admin"));
    assert_eq!(p.uri, "mongodb://h1:1/db?w=1&directConnection=true");
    assert_eq!(
        p.display_uri,
        "mongodb://h1:1/db?w=1&directConnection=true&authSource=admin"
    );
    assert!(!p.display_uri.contains("p:ss") && !p.display_uri.contains("ad%40min"));
}

#[test]
fn cli_credentials() {
    let p = plan_of(&[
        "-u",
        "root",
        "-p",
        "pw",
        "--authenticationDatabase",
        "admin",
        "h:1",
    ]);
    assert_eq!(p.username.as_deref(), Some("root"));
    assert_eq!(p.password.as_deref(), Some("pw"));
    assert_eq!(p.auth_db.as_deref(), Some("admin"));
    assert!(!p.prompt_password);
    assert!(!p.uri.contains("root") && !p.uri.contains("pw"));
    let p = plan_of(&[
        "-u",
        "root",
        "--password",
        "--authenticationMechanism",
        "SCRAM-SHA-256",
    ]);
    assert!(p.prompt_password);
    assert_eq!(p.password, None);
    assert_eq!(p.mechanism.as_deref(), Some("SCRAM-SHA-256"));
}

/// `-p` takes the next word as its value, as in the legacy shell and mongosh (both document
/// "give --password as the last option to be prompted"): `-u admin -p host/db` means the
/// password `host/db` and the default address, not a prompt.
#[test]
fn password_flag_takes_the_next_word() {
    let p = plan_of(&["-u", "admin", "-p", "h:5/db"]);
    assert_eq!(p.password.as_deref(), Some("h:5/db"));
    assert!(!p.prompt_password);
    assert_eq!(p.hosts, vec!["127.0.0.1:27017".to_string()]);
    // The address first, `-p` last: a prompt.
    let p = plan_of(&["h:5/db", "-u", "admin", "-p"]);
    assert!(p.prompt_password);
    assert_eq!(p.db, "db");
}

#[test]
fn tls_options_and_aliases() {
    let p = plan_of(&[
        "--ssl",
        "--sslCAFile",
        "ca.pem",
        "--sslPEMKeyFile",
        "me.pem",
        "h:1",
    ]);
    assert!(p.tls.enabled);
    assert_eq!(p.tls.ca_file.as_deref(), Some("ca.pem"));
    assert_eq!(p.tls.cert_key_file.as_deref(), Some("me.pem"));
    assert!(p.display_uri.ends_with("tls=true"));
    let p = plan_of(&[
        "--tlsAllowInvalidHostnames",
        "--tlsAllowInvalidCertificates",
        "h:1",
    ]);
    assert!(p.tls.enabled && p.tls.allow_invalid_hostnames && p.tls.allow_invalid_certificates);
    let p = plan_of(&["mongodb://h:1/?tls=true&tlsCAFile=%2Fetc%2Fca.pem"]);
    assert!(p.tls.enabled);
    assert_eq!(p.tls.ca_file.as_deref(), Some("/etc/ca.pem"));
    assert_eq!(p.uri, "mongodb://h:1/?directConnection=true");
    assert!(!plan_of(&["h:1"]).tls.enabled);
}

#[test]
fn conflicts_are_one_line_errors() {
    let full = "If a full URI is provided, you cannot also specify --host or --port";
    assert_eq!(err_of(&["--host", "h", "mongodb://x:1"]), full);
    assert_eq!(err_of(&["--port", "1", "mongodb://x:1"]), full);
    assert_eq!(err_of(&["--host", "mongodb://x:1", "--port", "2"]), full);
    let ports = "connection string bears different port than provided by --port";
    assert_eq!(err_of(&["--host", "h:1", "--port", "2"]), ports);
    assert_eq!(err_of(&["--port", "2", "h:1/db"]), ports);
    assert_eq!(err_of(&["--host", "rs0/a:2,b:1", "--port", "2"]), ports);
    assert!(err_of(&["--host", "h", "other:1"]).contains("database name"));
    assert!(err_of(&["-p", "x"]).contains("user name"));
    assert!(err_of(&["-u", "a", "mongodb://b@h:1"]).contains("user name"));
    assert!(err_of(&["h:99999"]).contains("invalid port"));
    assert!(err_of(&["h:0"]).contains("invalid port"));
    assert!(err_of(&["--host", "h1,,h2"]).contains("empty host"));
    assert!(err_of(&["bad db"]).contains("invalid database name"));
    assert!(err_of(&["mongodb://"]).contains("no host"));
    assert!(err_of(&["mongodb+srv://a:1"]).contains("exactly one host"));
    assert!(err_of(&["mongodb://h/?tls=maybe"]).contains("true or false"));
    assert!(err_of(&["mongodb://h/?tls=false", "--tls"]).contains("tls=false"));
    assert!(err_of(&["mongodb://a,b/?directConnection=true"]).contains("exactly one host"));
    for e in [err_of(&["--host", "h:1", "--port", "2"]), err_of(&["h:x1"])] {
        assert!(!e.contains('\n'));
    }
}

#[test]
fn json_option_forms() {
    assert_eq!(args(&[]).json, None);
    assert_eq!(args(&["--json"]).json, Some(JsonArg::Relaxed));
    assert_eq!(args(&["--json=canonical"]).json, Some(JsonArg::Canonical));
    assert!(Args::try_parse_from(["rsh", "--json=xml"]).is_err());
    // `--json` never eats the next argument.
    assert_eq!(args(&["--json", "x.js"]).positional, vec!["x.js"]);
}

#[test]
fn eval_repeats_in_order() {
    let a = args(&[
        "--eval",
        "1",
        "--eval",
        "2",
        "--quiet",
        "--norc",
        "--color",
        "--verbose",
    ]);
    assert_eq!(a.eval, vec!["1", "2"]);
    assert!(a.quiet && a.norc && a.color && a.verbose);
    assert!(args(&["--retryWrites", "--disableImplicitSessions"]).retry_writes);
}

#[test]
fn percent_coding_round_trips() {
    let s = "a b/c%d@é";
    assert_eq!(hosts::pct_decode(&hosts::pct_encode(s)), Ok(s.to_string()));
    assert!(hosts::pct_decode("%zz").is_err());
    assert!(hosts::pct_decode("%+1").is_err());
    assert!(hosts::pct_decode("%f").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn random_addresses_never_panic(addr in "\\PC{0,40}", host in "\\PC{0,30}", port in proptest::option::of(any::<u16>())) {
        let mut a = Args { positional: vec![addr.clone()], ..Args::default() };
        let _ = plan(&a);
        a.host = Some(host.clone());
        a.port = port;
        let _ = plan(&a);
        let _ = uri::parse_uri(&addr);
        let _ = hosts::parse_host_list(&host, port);
    }

    #[test]
    fn uri_shaped_strings_never_panic(rest in "[a-z0-9@:/?&=%,.\\[\\]+-]{0,40}") {
        for scheme in ["mongodb://", "mongodb+srv://", "MONGODB://"] {
            let a = Args { positional: vec![format!("{scheme}{rest}")], ..Args::default() };
            if let Ok(Some(p)) = plan(&a) {
                // Credentials never leak into the driver URI (an empty password has nothing to
                // leak, and ":@" may stand in the query: `mongodb://u:@h?x=:@`).
                let leaked = p.password.as_deref().filter(|pw| !pw.is_empty()).is_some_and(|pw| p.uri.contains(&format!(":{}@", pw)));
                prop_assert!(!leaked);
            }
        }
    }
}

#[test]
fn selection_timeout_and_retry_writes() {
    assert_eq!(plan_of(&["h:1"]).server_selection_timeout_ms, None);
    let p = plan_of(&["--serverSelectionTimeoutMS", "1500", "h:1"]);
    assert_eq!(p.server_selection_timeout_ms, Some(1500));
    let p = plan_of(&["mongodb://h:1/?serverSelectionTimeoutMS=700"]);
    assert_eq!(p.server_selection_timeout_ms, Some(700));
    // Kept in the string the driver parses, so `connecting to:` shows it too.
    assert!(p.uri.contains("serverSelectionTimeoutMS=700"), "{}", p.uri);
    let p = plan_of(&[
        "--serverSelectionTimeoutMS",
        "700",
        "mongodb://h:1/?serverSelectionTimeoutMS=700",
    ]);
    assert_eq!(p.server_selection_timeout_ms, Some(700));
    assert!(err_of(&[
        "--serverSelectionTimeoutMS",
        "5",
        "mongodb://h:1/?serverSelectionTimeoutMS=700"
    ])
    .contains("differs"));
    assert!(err_of(&["mongodb://h:1/?serverSelectionTimeoutMS=soon"])
        .contains("number of milliseconds"));
    assert_eq!(plan_of(&["h:1"]).retry_writes, None);
    assert_eq!(plan_of(&["--retryWrites", "h:1"]).retry_writes, Some(true));
    assert_eq!(
        plan_of(&["mongodb://h:1/?retryWrites=false"]).retry_writes,
        Some(false)
    );
}

#[test]
fn other_schemes_are_named() {
    for argv in [
        &["mongo://127.0.0.1:27017/test"][..],
        &["--host", "mongo://h:1"][..],
        &["http://h:1"][..],
    ] {
        let scheme = argv[argv.len() - 1].split("://").next().unwrap_or("");
        assert_eq!(
            err_of(argv),
            format!(
                "'{scheme}://' is not a connection-string scheme: use mongodb:// or mongodb+srv://"
            ),
        );
    }
}
