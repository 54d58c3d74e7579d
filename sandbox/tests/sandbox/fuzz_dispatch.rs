//! Property tests of command dispatch on a running member: random command documents (known
//! command names with random arguments, and random names) and mutated valid requests get a reply
//! (ok 1, or ok 0 with a code) and the member keeps serving; no panic, no abort. The number of
//! cases follows PROPTEST_CASES (scripts/fuzz.sh runs many more).

use bson::{doc, Bson, Document};
use proptest::prelude::*;
use support::{encode_msg, ok, Member};

const COMMANDS: &[&str] = &[
    "ping",
    "hello",
    "isMaster",
    "buildInfo",
    "serverStatus",
    "insert",
    "find",
    "update",
    "delete",
    "findAndModify",
    "aggregate",
    "count",
    "distinct",
    "getMore",
    "killCursors",
    "create",
    "drop",
    "dropDatabase",
    "listCollections",
    "listDatabases",
    "listIndexes",
    "createIndexes",
    "dropIndexes",
    "collStats",
    "dbStats",
    "explain",
    "currentOp",
    "killOp",
    "replSetGetStatus",
    "replSetGetConfig",
    "replSetInitiate",
    "replSetReconfig",
    "replSetStepDown",
    "replSetFreeze",
    "replSetSyncFrom",
    "getCmdLineOpts",
    "getLog",
    "getParameter",
    "setParameter",
    "renameCollection",
    "collMod",
    "validate",
    "dbHash",
    "saslStart",
    "saslContinue",
    "createUser",
    "usersInfo",
    "endSessions",
    "getLastError",
    "connectionStatus",
    "hostInfo",
    "whatsmyuri",
    "_sandboxFetchOplog",
    "_sandboxInitialSync",
];

fn scalar() -> impl Strategy<Value = Bson> {
    prop_oneof![
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<f64>().prop_map(Bson::Double),
        any::<bool>().prop_map(Bson::Boolean),
        Just(Bson::Null),
        "[a-z$._]{0,12}".prop_map(Bson::String),
        Just(Bson::String("majority".into())),
        Just(Bson::String("test.c".into())),
        (0u32..5, 0u32..5)
            .prop_map(|(time, increment)| Bson::Timestamp(bson::Timestamp { time, increment })),
        any::<i64>().prop_map(|ms| Bson::DateTime(bson::DateTime::from_millis(ms))),
        Just(Bson::MinKey),
        Just(Bson::MaxKey),
    ]
}

/// Field names that commands read, plus random ones.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "documents",
            "filter",
            "q",
            "u",
            "updates",
            "deletes",
            "limit",
            "multi",
            "upsert",
            "sort",
            "projection",
            "pipeline",
            "cursor",
            "batchSize",
            "writeConcern",
            "readConcern",
            "ordered",
            "key",
            "name",
            "indexes",
            "query",
            "update",
            "remove",
            "new",
            "$match",
            "$group",
            "$project",
            "$set",
            "$inc",
            "$unset",
            "_id",
            "a",
            "a.b",
            "$or",
            "$in",
            "$gt",
            "comment",
            "maxTimeMS",
            "lsid",
            "txnNumber",
            "after",
            "entries",
            "id",
            "collection",
        ])
        .prop_map(str::to_string),
        "[a-z$]{1,6}",
    ]
}

fn value() -> impl Strategy<Value = Bson> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Bson::Array),
            prop::collection::vec((key(), inner), 0..5)
                .prop_map(|kv| Bson::Document(kv.into_iter().collect::<Document>())),
        ]
    })
}

fn command() -> impl Strategy<Value = Document> {
    (
        prop_oneof![
            prop::sample::select(COMMANDS.to_vec()).prop_map(str::to_string),
            "[a-zA-Z]{1,10}"
        ],
        value(),
        prop::collection::vec((key(), value()), 0..6),
        prop::sample::select(vec!["admin", "test", "local", "config"]),
    )
        .prop_map(|(name, first, rest, db)| {
            let mut d = doc! {name: first};
            for (k, v) in rest {
                if !d.contains_key(&k) {
                    d.insert(k, v);
                }
            }
            d.insert("$db", db);
            d
        })
}

thread_local! {
    static MEMBER: Member = Member::sandbox(&["--replSet", "fz"]);
}

fn reply_is_sound(reply: &Document) -> bool {
    ok(reply)
        || (reply.contains_key("errmsg") && reply.get_i32("code").is_ok())
        || reply.contains_key("writeErrors")
}

/// `PROPTEST_CASES` when set (scripts/fuzz.sh), else the suite's bounded number.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Random commands: a sound reply each, and the member still answers a ping afterwards.
    #[test]
    fn random_commands_get_replies(cmds in prop::collection::vec(command(), 1..6)) {
        MEMBER.with(|m| {
            let mut c = m.connect();
            for (i, cmd) in cmds.iter().enumerate() {
                // Commands that may legitimately wait (a stepdown, a fetch) answer within the
                // client's read timeout; shutdown is never generated.
                let r = c.send_raw(&encode_msg(i as i32 + 1, 0, cmd));
                let (_, _, reply) = r.unwrap_or_else(|e| panic!("{cmd}: {e}\n{}", m.log()));
                prop_assert!(reply_is_sound(&reply), "{cmd} -> {reply}");
            }
            let pong = m.connect().admin(doc! {"ping": 1});
            prop_assert!(ok(&pong), "{pong}");
            Ok(())
        })?;
    }

    /// Valid requests with bytes changed: a reply or a closed connection, never a dead member.
    #[test]
    fn mutated_requests_leave_the_member_serving(
        cmd in command(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        MEMBER.with(|m| {
            let mut bytes = encode_msg(1, 0, &cmd);
            for (at, b) in flips {
                // Keep the length prefix: a wrong one only makes the server wait for more bytes.
                let i = 4 + at.index(bytes.len() - 4);
                bytes[i] = b;
            }
            let mut c = m.connect();
            c.stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
            if let Ok((_, _, reply)) = c.send_raw(&bytes) {
                prop_assert!(reply_is_sound(&reply), "{reply}");
            }
            let pong = m.connect().admin(doc! {"ping": 1});
            prop_assert!(ok(&pong), "{pong}\n{}", m.log());
            Ok(())
        })?;
    }
}
