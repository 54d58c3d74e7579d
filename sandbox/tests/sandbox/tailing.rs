//! Tailable and awaitData cursors on capped collections and the oplog, exhaust getMore
//! streaming, and change streams (event shapes, resume tokens, a stream that survives a
//! failover).

use std::io::Write;
use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};

use support::poll::wait_for;
use support::replset::{fast_set, one_member_primary};
use support::wire::{encode_msg, ok, Client};

fn cursor(reply: &Document) -> &Document {
    reply
        .get_document("cursor")
        .unwrap_or_else(|_| panic!("a cursor reply: {reply}"))
}

fn batch<'a>(reply: &'a Document, key: &str) -> &'a Vec<Bson> {
    cursor(reply)
        .get_array(key)
        .unwrap_or_else(|_| panic!("{key} in {reply}"))
}

fn cursor_id(reply: &Document) -> i64 {
    cursor(reply).get_i64("id").expect("cursor id")
}

fn newest_oplog_ts(c: &mut Client) -> bson::Timestamp {
    let r = c.run(
        "local",
        doc! {"find": "oplog.rs", "sort": {"$natural": -1}, "limit": 1},
    );
    let first = batch(&r, "firstBatch");
    first[0]
        .as_document()
        .and_then(|d| d.get_timestamp("ts").ok())
        .expect("an oplog entry")
}

#[test]
fn tailable_await_cursor_on_the_oplog_returns_later_writes() {
    let m = one_member_primary();
    let mut c = m.connect();
    c.run("t", doc! {"insert": "a", "documents": [{"x": 0}]});
    let after = newest_oplog_ts(&mut c);
    let r = c.run(
        "local",
        doc! {"find": "oplog.rs", "filter": {"ts": {"$gt": after}, "op": "i"}, "tailable": true, "awaitData": true},
    );
    assert!(ok(&r), "{r}");
    assert!(batch(&r, "firstBatch").is_empty());
    let id = cursor_id(&r);
    assert_ne!(
        id, 0,
        "a tailable cursor stays open at the end of the oplog"
    );

    // Nothing new: the awaitData getMore waits about maxTimeMS, then answers empty and open.
    let t = Instant::now();
    let r = c.run(
        "local",
        doc! {"getMore": id, "collection": "oplog.rs", "maxTimeMS": 300},
    );
    assert!(ok(&r), "{r}");
    assert!(batch(&r, "nextBatch").is_empty());
    assert_eq!(cursor_id(&r), id);
    assert!(
        t.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );

    // A write from another connection while the getMore waits wakes it.
    let port = m.port;
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        Client::connect(port).run("t", doc! {"insert": "a", "documents": [{"x": 1}]})
    });
    let r = c.run(
        "local",
        doc! {"getMore": id, "collection": "oplog.rs", "maxTimeMS": 10_000},
    );
    assert!(ok(&writer.join().expect("writer")));
    let next = batch(&r, "nextBatch");
    assert_eq!(next.len(), 1, "{r}");
    let e = next[0].as_document().expect("entry");
    assert_eq!(e.get_str("ns"), Ok("t.a"));
    assert_eq!(
        e.get_document("o").ok().and_then(|o| o.get_i32("x").ok()),
        Some(1)
    );
    assert_eq!(cursor_id(&r), id);
}

#[test]
fn tailable_option_rules_follow_mongod() {
    let m = one_member_primary();
    let mut c = m.connect();
    c.run("t", doc! {"insert": "plain", "documents": [{"x": 0}]});
    let r = c.run("t", doc! {"find": "plain", "tailable": true});
    assert_eq!(r.get_i32("code"), Ok(2), "{r}");
    assert!(
        r.get_str("errmsg").unwrap_or("").contains("non capped"),
        "{r}"
    );
    let r = c.run("t", doc! {"find": "plain", "awaitData": true});
    assert_eq!(r.get_i32("code"), Ok(9), "{r}");

    let r = c.run("t", doc! {"create": "cap", "capped": true, "size": 4096});
    assert!(ok(&r), "{r}");
    // An empty capped collection gives a dead cursor (nothing to resume from), as on mongod.
    let r = c.run("t", doc! {"find": "cap", "tailable": true});
    assert_eq!(cursor_id(&r), 0, "{r}");
    c.run("t", doc! {"insert": "cap", "documents": [{"x": 0}]});
    let r = c.run("t", doc! {"find": "cap", "tailable": true});
    let id = cursor_id(&r);
    assert_ne!(id, 0, "{r}");
    // maxTimeMS on getMore is for awaitData cursors only.
    let r = c.run(
        "t",
        doc! {"getMore": id, "collection": "cap", "maxTimeMS": 100},
    );
    assert_eq!(r.get_i32("code"), Ok(2), "{r}");
    // Without awaitData an empty getMore answers at once and the cursor stays open.
    let r = c.run("t", doc! {"getMore": id, "collection": "cap"});
    assert!(
        batch(&r, "nextBatch").is_empty() && cursor_id(&r) == id,
        "{r}"
    );
    c.run("t", doc! {"insert": "cap", "documents": [{"x": 1}]});
    let r = c.run("t", doc! {"getMore": id, "collection": "cap"});
    assert_eq!(batch(&r, "nextBatch").len(), 1, "{r}");
    let r = c.run(
        "t",
        doc! {"find": "cap", "tailable": true, "sort": {"x": 1}},
    );
    assert_eq!(r.get_i32("code"), Ok(2), "{r}");

    // The capped collection rolls over the cursor's last document: its place is lost.
    let r = c.run(
        "t",
        doc! {"create": "roll", "capped": true, "size": 4096, "max": 2},
    );
    assert!(ok(&r), "{r}");
    c.run("t", doc! {"insert": "roll", "documents": [{"x": 1}]});
    let id = cursor_id(&c.run("t", doc! {"find": "roll", "tailable": true}));
    assert_ne!(id, 0);
    c.run(
        "t",
        doc! {"insert": "roll", "documents": [{"x": 2}, {"x": 3}, {"x": 4}]},
    );
    let r = c.run("t", doc! {"getMore": id, "collection": "roll"});
    assert_eq!(r.get_i32("code"), Ok(136), "{r}");
    assert_eq!(r.get_str("codeName"), Ok("CappedPositionLost"));
    let r = c.run("t", doc! {"getMore": id, "collection": "roll"});
    assert_eq!(r.get_i32("code"), Ok(43), "the cursor died: {r}");
}

/// Reads one whole message from the raw stream: (responseTo, requestId, moreToCome, body).
fn read_msg(c: &mut Client) -> (i32, i32, bool, Document) {
    use std::io::Read;
    let mut head = [0u8; 4];
    c.stream.read_exact(&mut head).expect("reply length");
    let len = i32::from_le_bytes(head) as usize;
    let mut whole = vec![0u8; len];
    whole[..4].copy_from_slice(&head);
    c.stream.read_exact(&mut whole[4..]).expect("reply body");
    let msg = rsh_sandbox::wire::parse(&whole).expect("a message");
    let body = msg.document().cloned().expect("a body");
    (msg.response_to, msg.request_id, msg.more_to_come(), body)
}

#[test]
fn exhaust_get_more_streams_every_batch_with_more_to_come() {
    let m = one_member_primary();
    let mut c = m.connect();
    let docs: Vec<Document> = (0..45).map(|i| doc! {"i": i}).collect();
    assert!(ok(&c.run("t", doc! {"insert": "ex", "documents": docs})));
    let r = c.run("t", doc! {"find": "ex", "batchSize": 5});
    let id = cursor_id(&r);
    let get_more = doc! {"getMore": id, "collection": "ex", "batchSize": 10, "$db": "t"};
    c.stream
        .write_all(&encode_msg(
            77,
            rsh_sandbox::wire::FLAG_EXHAUST_ALLOWED,
            &get_more,
        ))
        .expect("send");
    let mut to_expect = 77;
    let mut seen = 5;
    let mut replies = 0;
    loop {
        let (to, rid, more, body) = read_msg(&mut c);
        assert_eq!(to, to_expect, "each batch answers the previous one");
        to_expect = rid;
        replies += 1;
        seen += batch(&body, "nextBatch").len();
        if !more {
            assert_eq!(cursor_id(&body), 0, "the last batch closes the cursor");
            break;
        }
        assert_ne!(cursor_id(&body), 0);
    }
    assert_eq!(seen, 45);
    // The fourth batch ends at the last document without the scan having looked past it; as
    // on mongod, a fifth, empty batch closes the cursor.
    assert_eq!(replies, 5);
    // The connection is usable again afterwards.
    assert!(ok(&c.admin(doc! {"ping": 1})));
}

fn watch(c: &mut Client, db: &str, target: Bson, spec: Document) -> Document {
    let r = c.run(
        db,
        doc! {"aggregate": target, "pipeline": [{"$changeStream": spec}], "cursor": {}},
    );
    assert!(ok(&r), "{r}");
    r
}

/// Events of a change stream until `n` arrived (getMores of up to 1 s each, 20 s in all).
fn events(c: &mut Client, db: &str, coll: &str, id: i64, n: usize) -> Vec<Document> {
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while out.len() < n && Instant::now() < deadline {
        let r = c.run(
            db,
            doc! {"getMore": id, "collection": coll, "maxTimeMS": 1000},
        );
        assert!(ok(&r), "{r}");
        assert!(
            cursor(&r).get_document("postBatchResumeToken").is_ok(),
            "{r}"
        );
        out.extend(
            batch(&r, "nextBatch")
                .iter()
                .filter_map(|b| b.as_document().cloned()),
        );
    }
    out
}

#[test]
fn change_stream_events_have_mongod_shapes_and_resume() {
    let m = one_member_primary();
    let mut c = m.connect();
    c.run("t", doc! {"insert": "cs", "documents": [{"_id": 0}]});
    let r = watch(
        &mut c,
        "t",
        "cs".into(),
        doc! {"fullDocument": "updateLookup"},
    );
    let id = cursor_id(&r);
    assert_ne!(id, 0);
    assert!(cursor(&r).get_document("postBatchResumeToken").is_ok());
    c.run(
        "t",
        doc! {"insert": "cs", "documents": [{"_id": 1, "a": 1}]},
    );
    c.run("t", doc! {"insert": "other", "documents": [{"_id": 1}]});
    c.run(
        "t",
        doc! {"update": "cs", "updates": [{"q": {"_id": 1}, "u": {"$set": {"b.c": 2}, "$unset": {"a": ""}}}]},
    );
    c.run(
        "t",
        doc! {"update": "cs", "updates": [{"q": {"_id": 1}, "u": {"z": 1}}]},
    );
    c.run(
        "t",
        doc! {"delete": "cs", "deletes": [{"q": {"_id": 1}, "limit": 1}]},
    );
    let evs = events(&mut c, "t", "cs", id, 4);
    let kinds: Vec<&str> = evs
        .iter()
        .map(|e| e.get_str("operationType").unwrap_or("?"))
        .collect();
    assert_eq!(kinds, ["insert", "update", "replace", "delete"]);
    let keys: Vec<&str> = evs[0].keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "_id",
            "operationType",
            "clusterTime",
            "wallTime",
            "fullDocument",
            "ns",
            "documentKey"
        ]
    );
    assert_eq!(
        evs[0].get_document("ns"),
        Ok(&doc! {"db": "t", "coll": "cs"})
    );
    assert_eq!(evs[0].get_document("documentKey"), Ok(&doc! {"_id": 1}));
    let ud = evs[1]
        .get_document("updateDescription")
        .expect("updateDescription");
    assert_eq!(ud.get_document("updatedFields"), Ok(&doc! {"b": {"c": 2}}));
    assert_eq!(ud.get_array("removedFields"), Ok(&vec![Bson::from("a")]));
    // updateLookup reads the document as it is now (deleted by then).
    assert_eq!(evs[1].get("fullDocument"), Some(&Bson::Null));
    assert_eq!(
        evs[2].get_document("fullDocument"),
        Ok(&doc! {"_id": 1, "z": 1})
    );
    assert!(!evs[3].contains_key("fullDocument"));

    // Resuming after the update sees the replace and the delete again, nothing else.
    let token = evs[1].get_document("_id").expect("token").clone();
    let r = watch(&mut c, "t", "cs".into(), doc! {"resumeAfter": token});
    let mut again: Vec<Document> = batch(&r, "firstBatch")
        .iter()
        .filter_map(|b| b.as_document().cloned())
        .collect();
    if again.len() < 2 {
        again.extend(events(&mut c, "t", "cs", cursor_id(&r), 2 - again.len()));
    }
    let kinds: Vec<&str> = again
        .iter()
        .map(|e| e.get_str("operationType").unwrap_or("?"))
        .collect();
    assert_eq!(kinds, ["replace", "delete"]);

    // A database stream sees both collections; a drop invalidates a collection stream.
    let r = watch(&mut c, "t", Bson::Int32(1), doc! {});
    let db_id = cursor_id(&r);
    let r = watch(&mut c, "t", "cs".into(), doc! {});
    let coll_id = cursor_id(&r);
    c.run("t", doc! {"insert": "other", "documents": [{"_id": 2}]});
    c.run("t", doc! {"drop": "cs"});
    let evs = events(&mut c, "t", "$cmd.aggregate", db_id, 2);
    assert_eq!(evs[0].get_str("operationType"), Ok("insert"));
    assert_eq!(evs[1].get_str("operationType"), Ok("drop"));
    let evs = events(&mut c, "t", "cs", coll_id, 2);
    let kinds: Vec<&str> = evs
        .iter()
        .map(|e| e.get_str("operationType").unwrap_or("?"))
        .collect();
    assert_eq!(kinds, ["drop", "invalidate"]);

    // Refusals: unknown option, a stage after $changeStream that is not allowed, standalone-only.
    let r = c.run(
        "t",
        doc! {"aggregate": "cs", "pipeline": [{"$changeStream": {"bogus": 1}}], "cursor": {}},
    );
    assert_eq!(r.get_i32("code"), Ok(40415), "{r}");
    let r = c.run(
        "t",
        doc! {"aggregate": "cs", "pipeline": [{"$changeStream": {}}, {"$group": {"_id": 1}}], "cursor": {}},
    );
    assert_eq!(r.get_i32("code"), Ok(20), "{r}");
    let r = c.run(
        "t",
        doc! {"aggregate": "cs", "pipeline": [{"$changeStream": {"resumeAfter": {"_data": "zz"}}}], "cursor": {}},
    );
    assert_eq!(r.get_i32("code"), Ok(2), "{r}");
}

#[test]
fn change_stream_on_a_standalone_is_refused() {
    let m = support::Member::sandbox(&[]);
    let r = m.connect().run(
        "t",
        doc! {"aggregate": "c", "pipeline": [{"$changeStream": {}}], "cursor": {}},
    );
    assert_eq!(r.get_i32("code"), Ok(40573), "{r}");
}

fn primary_index(members: &[support::Member]) -> Option<usize> {
    members
        .iter()
        .position(|m| support::replset::is_writable_primary(m).unwrap_or(false))
}

fn insert_majority(m: &support::Member, i: i32) -> bool {
    support::wire::try_run(
        m.port,
        "t",
        doc! {"insert": "cs", "documents": [{"_id": i}], "writeConcern": {"w": "majority", "wtimeout": 10_000}},
    )
    .is_some_and(|r| ok(&r) && !r.contains_key("writeConcernError"))
}

#[test]
fn change_stream_resumes_on_the_new_primary_after_sigkill() {
    let (mut members, _) = fast_set();
    let p = primary_index(&members).expect("a primary");
    let mut c = members[p].connect();
    let r = watch(&mut c, "t", "cs".into(), doc! {});
    let id = cursor_id(&r);
    for i in 0..5 {
        assert!(insert_majority(&members[p], i));
    }
    let evs = events(&mut c, "t", "cs", id, 5);
    let ids: Vec<i32> = evs
        .iter()
        .filter_map(|e| e.get_document("documentKey").ok()?.get_i32("_id").ok())
        .collect();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
    let token = evs[4].get_document("_id").expect("token").clone();

    members[p].kill();
    let q = wait_for(Duration::from_secs(30), || {
        primary_index(&members).filter(|q| *q != p)
    })
    .expect("a new primary within 30 s");
    for i in 5..8 {
        assert!(
            wait_for(Duration::from_secs(20), || insert_majority(&members[q], i)
                .then_some(()))
            .is_some(),
            "insert {i} on the new primary"
        );
    }
    let mut c = members[q].connect();
    let r = watch(&mut c, "t", "cs".into(), doc! {"resumeAfter": token});
    let mut evs: Vec<Document> = batch(&r, "firstBatch")
        .iter()
        .filter_map(|b| b.as_document().cloned())
        .collect();
    if evs.len() < 3 {
        evs.extend(events(&mut c, "t", "cs", cursor_id(&r), 3 - evs.len()));
    }
    let ids: Vec<i32> = evs
        .iter()
        .filter(|e| e.get_str("operationType") == Ok("insert"))
        .filter_map(|e| e.get_document("documentKey").ok()?.get_i32("_id").ok())
        .collect();
    assert_eq!(
        ids,
        [5, 6, 7],
        "no event lost or repeated across the failover"
    );
}
