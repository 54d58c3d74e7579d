//! db.*, collection and cursor helpers check their arguments before anything is sent: every
//! helper of the table with an argument spec, called with an obviously wrong argument (each in
//! turn, the ones before it right), throws a one-line error naming it and that argument, and
//! the server's oplog, collections and documents are unchanged.

use bson::{doc, Bson, Document};
use rsh::helpers::arg_specs::{self, Kind, Param};
use rsh::helpers::{self};
use std::collections::BTreeSet;
use support::wire_tap::WireTap;
use support::{eval, one_member_primary, Client};

/// Values the test passes, with what each counts as.
const WRONG: &[(&str, Kind)] = &[
    ("5", Kind::Number),
    ("\"x\"", Kind::String),
    ("{}", Kind::Document),
    ("[]", Kind::Array),
    ("true", Kind::Boolean),
    ("function () {}", Kind::Function),
];

/// A JS value the parameter refuses (a missing one when it takes anything).
fn wrong_value(p: &Param) -> &'static str {
    if p.kinds.contains(&Kind::Any) {
        return "undefined";
    }
    WRONG
        .iter()
        .find(|(_, k)| !p.kinds.contains(k))
        .map(|(v, _)| *v)
        .unwrap_or("undefined")
}

/// `db.collection.insertOne` → `db.t.insertOne`; the others as their signature names them
/// (`cursor.limit`, `conn.getDB`, `bulk.find`).
fn shown(path: &str) -> String {
    match path.strip_prefix("db.collection.") {
        Some(m) => format!("db.t.{m}"),
        None => helpers::find(path)
            .and_then(|h| h.signature.split('(').next())
            .unwrap_or(path)
            .to_string(),
    }
}

/// The call with `arg` as the first argument, as a user would type it.
fn call(path: &str, arg: &str) -> String {
    if let Some(m) = path.strip_prefix("db.collection.") {
        format!("db.t.{m}({arg})")
    } else if let Some(m) = path.strip_prefix("cursor.") {
        format!("db.t.find().{m}({arg})")
    } else if let Some(m) = path.strip_prefix("Bulk.") {
        format!("db.t.initializeOrderedBulkOp().{m}({arg})")
    } else if let Some(m) = path.strip_prefix("Mongo.") {
        format!("db.getMongo().{m}({arg})")
    } else if let Some(m) = path.strip_prefix("session.") {
        format!("db.getMongo().startSession().{m}({arg})")
    } else {
        format!("{path}({arg})")
    }
}

/// A JS value the parameter takes.
fn right_value(p: &Param) -> &'static str {
    match p.kinds.first() {
        Some(Kind::Array) => "[]",
        Some(Kind::String) => "\"x\"",
        Some(Kind::Number) => "1",
        Some(Kind::Boolean) => "true",
        Some(Kind::Function) => "function () {}",
        Some(Kind::Document) => "{}",
        Some(Kind::Any) | None => "1",
    }
}

/// `(path, call, expected error text)` for every helper with a spec and each of its
/// arguments: the ones before it right, that one wrong.
fn cases() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for h in helpers::all() {
        let Some(params) = arg_specs::params(h.path) else {
            continue;
        };
        if params.is_empty() {
            out.push((
                h.path.to_string(),
                call(h.path, "5"),
                format!("TypeError: {}(): takes no arguments", shown(h.path)),
            ));
        }
        for (i, p) in params.iter().enumerate() {
            let mut args: Vec<&str> = params[..i].iter().map(right_value).collect();
            args.push(wrong_value(p));
            let names: Vec<&str> = params[..=i].iter().map(|p| p.name).collect();
            let expected = match p.legacy {
                Some(text) => format!("Error: {text}"),
                None => format!(
                    "TypeError: {}({}): {} must be {}",
                    shown(h.path),
                    names.join(", "),
                    p.name,
                    p.expected()
                ),
            };
            out.push((
                format!("{}#{i}", h.path),
                call(h.path, &args.join(", ")),
                expected,
            ));
        }
    }
    out
}

/// The commands the tap has seen once no more arrive (it records from its own threads, which
/// may still be forwarding the last messages of a shell that has exited).
fn settled(tap: &WireTap) -> Vec<Document> {
    let mut seen = tap.commands().len();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let now = tap.commands();
        if now.len() == seen || std::time::Instant::now() > deadline {
            return now;
        }
        seen = now.len();
    }
}

/// The command names (first keys) of `docs`.
fn command_names(docs: &[Document]) -> BTreeSet<String> {
    docs.iter()
        .filter_map(|d| d.keys().next().cloned())
        .collect()
}

/// What the server holds that any write would change: oplog entries (no-ops aside), the
/// documents of `argcheck.t`, the collections of `argcheck`.
fn server_state(c: &mut Client) -> (Bson, Bson, Vec<Document>) {
    let oplog = c.run(
        "local",
        doc! {"count": "oplog.rs", "query": {"op": {"$ne": "n"}}},
    );
    let docs = c.run("argcheck", doc! {"find": "t", "sort": {"_id": 1}});
    let colls = c.run("argcheck", doc! {"listCollections": 1, "nameOnly": true});
    let batch = |d: &Document| -> Vec<Document> {
        d.get_document("cursor")
            .and_then(|c| c.get_array("firstBatch"))
            .map(|a| a.iter().filter_map(|b| b.as_document().cloned()).collect())
            .unwrap_or_default()
    };
    let mut names: Vec<Document> = batch(&colls);
    names.sort_by_key(|d| d.get_str("name").unwrap_or("").to_string());
    (
        oplog.get("n").cloned().unwrap_or(Bson::Null),
        Bson::Array(batch(&docs).into_iter().map(Bson::Document).collect()),
        names,
    )
}

#[test]
fn every_db_collection_and_cursor_helper_refuses_each_wrong_argument_and_sends_nothing() {
    let m = one_member_primary();
    let mut c = m.connect();
    let seeded = c.run(
        "argcheck",
        doc! {"insert": "t", "documents": [{"_id": 1, "a": 1}, {"_id": 2, "a": 2}]},
    );
    assert_eq!(seeded.get_i32("n").ok(), Some(2), "{seeded}");
    let cases = cases();
    assert!(
        cases.len() > 150,
        "only {} arguments have a spec",
        cases.len()
    );
    let mut script = String::from("var cases = [\n");
    for (path, code, _) in &cases {
        script.push_str(&format!("[{path:?}, function () {{ return {code}; }}],\n"));
    }
    script.push_str(
        "];\ncases.forEach(function (c) {\n\
         try { c[1](); print(c[0] + \"\\tno error\"); }\n\
         catch (e) { print(c[0] + \"\\t\" + String(e).split(\"\\n\").join(\"\\\\n\")); }\n});\n",
    );
    // Through a tap that records every command: what a script doing nothing sends (the
    // handshake, monitoring) is all the wrong calls may add.
    let tap = WireTap::start(m.port);
    let via_tap = format!("127.0.0.1:{}/argcheck", tap.port);
    let idle = eval(&via_tap, "print(1)");
    assert_eq!(idle.code, 0, "{}", idle.all());
    let mut idle_names = command_names(&settled(&tap));
    // Sessions started by right first arguments (`startSession().getDatabase(5)`) are ended
    // at exit: endSessions changes nothing.
    idle_names.insert("endSessions".to_string());
    let sent_before = settled(&tap).len();
    let before = server_state(&mut c);
    let r = eval(&via_tap, &script);
    assert_eq!(r.code, 0, "{}", r.all());
    let after = server_state(&mut c);
    assert_eq!(
        before, after,
        "a wrong argument reached the server: {}",
        r.stdout
    );
    let sent = settled(&tap).split_off(sent_before);
    let extra: Vec<&Document> = sent
        .iter()
        .filter(|d| !command_names(std::slice::from_ref(*d)).is_subset(&idle_names))
        .collect();
    assert!(extra.is_empty(), "sent by wrong calls: {extra:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    for (path, code, expected) in &cases {
        let prefix = format!("{path}\t");
        let got = lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or("(no line)");
        assert_eq!(got, expected, "{code}");
    }
}

#[test]
fn uncaught_argument_errors_name_the_users_line_not_the_prelude() {
    let m = one_member_primary();
    let host = m.host();
    let cases = [
        (
            "db.t.insertOne(5)",
            "TypeError: db.t.insertOne(doc): doc must be an object",
        ),
        (
            "db.t.find().limit('x')",
            "TypeError: cursor.limit(n): n must be a number",
        ),
        (
            "db.t.find({}, 5)",
            "TypeError: db.t.find(query, fields): fields must be an object",
        ),
        (
            "db.fsyncLock(true)",
            "TypeError: db.fsyncLock(): takes no arguments",
        ),
        (
            "db.t.insertMany([{a: 1}, 2])",
            "TypeError: db.t.insertMany(docs): docs[1] must be an object",
        ),
        (
            "db.t.aggregate([{$match: {}}, 7])",
            "TypeError: db.t.aggregate(pipeline): pipeline[1] must be an object",
        ),
        (
            "db.t.explain().remove(5)",
            "TypeError: db.t.explain().remove(query): query must be an object, a string or a function",
        ),
        (
            "db.t.explain().aggregate('x')",
            "TypeError: db.t.explain().aggregate(pipeline): pipeline must be an array or an object",
        ),
    ];
    for (code, message) in cases {
        let r = eval(&host, code);
        assert_ne!(r.code, 0, "{code}: {}", r.all());
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(
            lines.first().copied().unwrap_or(""),
            format!("uncaught exception: {message} :"),
            "{code}"
        );
        assert!(
            lines
                .get(1)
                .is_some_and(|l| l.starts_with("@(shell eval):1:")),
            "{code}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("prelude/"), "{code}: {}", r.stderr);
    }
}

#[test]
fn legacy_messages_for_missing_arguments_and_nothing_deleted() {
    let m = one_member_primary();
    let host = format!("{}/argcheck", m.host());
    let setup = eval(&host, "db.t.insertMany([{_id: 1}, {_id: 2}, {_id: 3}])");
    assert_eq!(setup.code, 0, "{}", setup.all());
    let cases = [
        ("db.t.insert()", "Error: no object passed to insert!"),
        ("db.t.update()", "Error: need a query"),
        ("db.t.update({})", "Error: need an update object or pipeline"),
        (
            "db.t.update({}, {$set: {a: 1}}, {upsert: true}, true)",
            "Error: Fourth argument must be empty when specifying upsert and multi with an object.",
        ),
        ("db.t.remove()", "Error: remove needs a query"),
        (
            "var id; db.t.remove({_id: id})",
            "Error: can't have _id set to undefined in a remove expression",
        ),
        (
            "var id; db.t.deleteMany({_id: id})",
            "Error: can't have _id set to undefined in a remove expression",
        ),
        ("db.t.deleteMany()", "Error: find() requires query criteria"),
        ("db.t.deleteOne(null)", "Error: find() requires query criteria"),
        (
            "db.t.updateMany({}, {a: 1})",
            "Error: the update operation document must contain atomic operators",
        ),
        (
            "db.t.updateOne({}, {})",
            "Error: the update operation document must contain at least one atomic operator",
        ),
        (
            "db.t.renameCollection(5)",
            "Error: renameCollection must either take a string and an optional boolean or an object.",
        ),
        (
            "db.t.findAndModify({query: {_id: 1}})",
            "TypeError: db.t.findAndModify(args): args must have an update or remove: true",
        ),
        ("db.killOp()", "Error: no opNum to kill specified"),
        (
            "db.t.bulkWrite([{insertOne: {document: {_id: 9}}}, {deleteMany: {}}])",
            "Error: deleteMany bulkWrite operation expects the filter field",
        ),
        (
            "db.t.bulkWrite([{updateOne: {filter: {_id: 1}}}])",
            "Error: updateOne bulkWrite operation expects the update field",
        ),
        (
            "db.t.bulkWrite([{replaceOne: {filter: {_id: 1}}}])",
            "Error: replaceOne bulkWrite operation expects the replacement field",
        ),
        (
            "db.t.bulkWrite([{insertOne: null}])",
            "Error: insertOne bulkWrite operation expects the document field",
        ),
        (
            "db.t.initializeOrderedBulkOp().find({}).updateOne(5)",
            "TypeError: bulk.find(query).updateOne(update): update must be an object or an array",
        ),
        (
            "db.t.initializeOrderedBulkOp().find()",
            "Error: find() requires query criteria",
        ),
        ("db.t.explain().update()", "Error: need a query"),
        ("db.t.explain().remove()", "Error: remove needs a query"),
        (
            "db.getUser(5)",
            "Error: User name for getUser shell helper must be a string",
        ),
        (
            "db.t.find(5)",
            "TypeError: db.t.find(query): query must be an object, a string or a function",
        ),
    ];
    for (code, message) in cases {
        let r = eval(&host, code);
        assert_ne!(r.code, 0, "{code}: {}", r.all());
        assert_eq!(
            r.stderr.lines().next().unwrap_or(""),
            format!("uncaught exception: {message} :"),
            "{code}"
        );
    }
    let left = eval(&host, "print(db.t.countDocuments({}))");
    assert_eq!(left.stdout.trim(), "3", "{}", left.all());
}

#[test]
fn the_forms_legacy_accepts_still_work() {
    let m = one_member_primary();
    let host = format!("{}/argcheck", m.host());
    let code = r#"
        db.t.insert({_id: ObjectId("0123456789abcdef01234567"), a: 1});
        db.t.insertOne({_id: 2, a: 2});
        print(db.t.find("0123456789abcdef01234567").count());
        print(db.t.find(ObjectId("0123456789abcdef01234567")).count());
        print(db.t.find().limit(NumberLong(1)).skip(NumberInt(0)).batchSize(1).itcount());
        print(db.t.find().limit().skip().batchSize().itcount());
        print(db.t.aggregate({$match: {a: 2}}, {$project: {a: 1}}).toArray().length);
        print(db.t.createIndex({a: 1}, "by_a").ok);
        print(db.t.getIndexes().map(function (i) { return i.name; }).join(","));
        print(db.t.update({_id: 2}, {$set: {b: 1}}, 0, 1).nModified);
        print(db.t.remove({_id: 2}, 1).nRemoved);
        print(db.t.renameCollection({to: "u"}).ok);
        print(db.getCollectionNames().join(","));
        print(db.u.findAndModify({query: {a: 1}, remove: true}).a);
        print(db.dropDatabase({w: 1}).ok);
    "#;
    let r = eval(&host, code);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "1",
            "1",
            "1",
            "2",
            "1",
            "1",
            "_id_,by_a",
            "1",
            "1",
            "1",
            "u",
            "1",
            "1"
        ],
        "{}",
        r.all()
    );
}

#[test]
fn in_a_session_an_argument_error_is_one_line_and_the_session_goes_on() {
    let m = one_member_primary();
    let mut s = support::session::Session::start(&["--quiet", &format!("{}/argcheck", m.host())]);
    let limit = std::time::Duration::from_secs(30);
    s.run("db.t.insertOne(5)", limit);
    // The report goes to stderr, read beside stdout: wait until its frame line is in.
    let reported = support::wait_until(limit, || {
        s.run("", limit);
        s.transcript.contains("@(shell):1:")
    });
    let t = s.transcript.clone();
    assert!(reported, "{t}");
    let lines: Vec<&str> = t.lines().filter(|l| !l.trim().is_empty()).collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("uncaught exception:"))
        .unwrap_or(lines.len());
    assert_eq!(
        lines.get(at).copied(),
        Some("uncaught exception: TypeError: db.t.insertOne(doc): doc must be an object :"),
        "{t}"
    );
    assert!(
        lines[at..].iter().any(|l| l.starts_with("@(shell):1:")),
        "{t}"
    );
    assert!(!t.contains("prelude/"), "{t}");
    s.run("db.t.find().limit('x')", limit);
    let limited = support::wait_until(limit, || {
        s.run("", limit);
        s.transcript
            .contains("TypeError: cursor.limit(n): n must be a number")
    });
    assert!(limited, "{}", s.transcript);
    let out = s.run(
        "db.t.insertOne({_id: 1}); print(db.t.countDocuments({}))",
        limit,
    );
    assert!(out.lines().any(|l| l.trim() == "1"), "{out}");
}
