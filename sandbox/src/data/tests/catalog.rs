use bson::{doc, Bson};

use super::{first_batch, run, run_err};
use crate::data::Store;

#[test]
fn create_list_and_drop_collections() {
    let s = Store::in_memory();
    run(&s, "test", doc! {"create": "a"});
    run(
        &s,
        "test",
        doc! {"create": "capped", "capped": true, "size": 1000},
    );
    assert_eq!(run(&s, "test", doc! {"create": "a"}), doc! {"ok": 1.0});
    assert_eq!(
        run_err(&s, "test", doc! {"create": "a", "capped": true, "size": 10}).code,
        48
    );
    assert_eq!(
        run_err(&s, "test", doc! {"create": "b", "capped": true}).code,
        72
    );
    let r = run(&s, "test", doc! {"listCollections": 1});
    let cur = r.get_document("cursor").cloned().unwrap_or_default();
    assert_eq!(
        cur.keys().map(String::as_str).collect::<Vec<_>>(),
        ["id", "ns", "firstBatch"]
    );
    assert_eq!(cur.get_str("ns"), Ok("test.$cmd.listCollections"));
    let colls = first_batch(&r);
    assert_eq!(colls.len(), 2);
    let a = &colls[0];
    assert_eq!(
        a.keys().map(String::as_str).collect::<Vec<_>>(),
        ["name", "type", "options", "info", "idIndex"]
    );
    assert_eq!(
        a.get_document("info").map(|i| i.get_bool("readOnly")),
        Ok(Ok(false))
    );
    assert!(
        matches!(a.get_document("info").ok().and_then(|i| i.get("uuid")), Some(Bson::Binary(b)) if b.bytes.len() == 16)
    );
    assert_eq!(
        colls[1].get_document("options"),
        Ok(&doc! {"capped": true, "size": 1024i64})
    );
    let r = run(
        &s,
        "test",
        doc! {"listCollections": 1, "nameOnly": true, "filter": {"name": "a"}},
    );
    assert_eq!(
        first_batch(&r),
        vec![doc! {"name": "a", "type": "collection"}]
    );
    assert_eq!(
        run(&s, "test", doc! {"drop": "a"}),
        doc! {"nIndexesWas": 1, "ns": "test.a", "ok": 1.0}
    );
    assert_eq!(run(&s, "test", doc! {"drop": "a"}), doc! {"ok": 1.0});
    assert_eq!(run_err(&s, "local", doc! {"drop": "oplog.rs"}).code, 20);
}

#[test]
fn capped_collections_trim_oldest() {
    let s = Store::in_memory();
    run(
        &s,
        "test",
        doc! {"create": "cap", "capped": true, "size": 4096, "max": 3},
    );
    for i in 0..10 {
        run(
            &s,
            "test",
            doc! {"insert": "cap", "documents": [{"_id": i}]},
        );
    }
    let r = run(&s, "test", doc! {"find": "cap"});
    assert_eq!(
        super::ids(&first_batch(&r)),
        vec![Bson::Int32(7), Bson::Int32(8), Bson::Int32(9)]
    );
}

#[test]
fn databases_are_listed_and_dropped() {
    let s = Store::in_memory();
    run(&s, "a", doc! {"insert": "x", "documents": [{"_id": 1}]});
    run(&s, "b", doc! {"insert": "y", "documents": [{"_id": 1}]});
    let r = run(&s, "admin", doc! {"listDatabases": 1});
    let names: Vec<&str> = r
        .get_array("databases")
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_document()?.get_str("name").ok())
                .collect()
        })
        .unwrap_or_default();
    // admin, config and local are always listed, as on mongod.
    assert_eq!(names, ["a", "admin", "b", "config", "local"]);
    let first = r
        .get_array("databases")
        .ok()
        .and_then(|a| a[0].as_document().cloned())
        .unwrap_or_default();
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        ["name", "sizeOnDisk", "empty"]
    );
    assert!(first.get_i64("sizeOnDisk").is_ok_and(|v| v > 0));
    assert!(r.get_i64("totalSize").is_ok() && r.get_i64("totalSizeMb").is_ok());
    let r = run(&s, "admin", doc! {"listDatabases": 1, "nameOnly": true});
    assert_eq!(
        r.get_array("databases").map(|a| a[0].clone()),
        Ok(Bson::Document(doc! {"name": "a"}))
    );
    assert_eq!(
        run(&s, "a", doc! {"dropDatabase": 1}),
        doc! {"dropped": "a", "ok": 1.0}
    );
    let r = run(&s, "admin", doc! {"listDatabases": 1, "nameOnly": true});
    assert_eq!(r.get_array("databases").map(|a| a.len()), Ok(4));
}

#[test]
fn indexes_are_created_listed_enforced_and_dropped() {
    let s = Store::in_memory();
    let r = run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1", "unique": true}]},
    );
    assert_eq!(
        r,
        doc! {"createdCollectionAutomatically": true, "numIndexesBefore": 1, "numIndexesAfter": 2, "ok": 1.0}
    );
    let r = run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1", "unique": true}]},
    );
    assert_eq!(r.get_str("note"), Ok("all indexes already exist"));
    assert_eq!(
        run_err(
            &s,
            "test",
            doc! {"createIndexes": "c", "indexes": [{"key": {"b": 1}, "name": "a_1"}]}
        )
        .code,
        86
    );
    assert_eq!(
        run_err(
            &s,
            "test",
            doc! {"createIndexes": "c", "indexes": [{"key": {"b": 1}}]}
        )
        .code,
        9
    );
    let r = run(&s, "test", doc! {"listIndexes": "c"});
    assert_eq!(
        first_batch(&r),
        vec![
            doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"},
            doc! {"v": 2, "key": {"a": 1}, "name": "a_1", "unique": true}
        ]
    );
    run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1, "a": 5}]},
    );
    let r = run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 2, "a": 5}]},
    );
    let e = r
        .get_array("writeErrors")
        .ok()
        .and_then(|a| a[0].as_document().cloned())
        .unwrap_or_default();
    assert_eq!(
        e.get_str("errmsg"),
        Ok("E11000 duplicate key error collection: test.c index: a_1 dup key: { a: 5 }")
    );
    assert_eq!(e.get_document("keyPattern"), Ok(&doc! {"a": 1}));
    assert_eq!(
        run_err(&s, "test", doc! {"dropIndexes": "c", "index": "_id_"}).code,
        72
    );
    assert_eq!(
        run_err(&s, "test", doc! {"dropIndexes": "c", "index": "zz"}).code,
        27
    );
    assert_eq!(
        run(&s, "test", doc! {"dropIndexes": "c", "index": {"a": 1}}),
        doc! {"nIndexesWas": 2, "ok": 1.0}
    );
    run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 2, "a": 5}]},
    );
    assert_eq!(run_err(&s, "test", doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1", "unique": true}]}).code, 11000);
    assert_eq!(run_err(&s, "test", doc! {"listIndexes": "nope"}).code, 26);
}

#[test]
fn stats_have_the_expected_fields() {
    let s = Store::in_memory();
    run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1, "x": "abc"}, {"_id": 2}]},
    );
    let r = run(&s, "test", doc! {"collStats": "c"});
    assert_eq!(r.get_str("ns"), Ok("test.c"));
    assert_eq!(r.get_i64("count"), Ok(2));
    assert!(r.get_i64("size").is_ok_and(|v| v > 0));
    assert_eq!(r.get_bool("capped"), Ok(false));
    assert_eq!(
        r.get_document("indexSizes").map(|d| d.contains_key("_id_")),
        Ok(true)
    );
    let r = run(&s, "test", doc! {"dbStats": 1});
    assert_eq!(r.get_i64("collections"), Ok(1));
    assert_eq!(r.get_i64("objects"), Ok(2));
    let r = run(&s, "test", doc! {"collStats": "missing"});
    assert_eq!(
        r.get_i64("count").or(r.get_i32("count").map(i64::from)),
        Ok(0)
    );
}

#[test]
fn unknown_commands_and_bad_names() {
    let s = Store::in_memory();
    assert_eq!(run_err(&s, "test", doc! {"frobnicate": 1}).code, 59);
    assert_eq!(run_err(&s, "test", doc! {"find": 1}).code, 73);
    assert_eq!(run_err(&s, "bad.db", doc! {"find": "c"}).code, 73);
    assert_eq!(
        run_err(&s, "test", doc! {"insert": "system.x", "documents": [{}]}).code,
        73
    );
    assert_eq!(
        crate::data::Store::command_kind("insert"),
        Some(crate::data::CmdKind::Write)
    );
    assert_eq!(
        crate::data::Store::command_kind("getMore"),
        Some(crate::data::CmdKind::Cursor)
    );
    assert_eq!(
        crate::data::Store::command_kind("listCollections"),
        Some(crate::data::CmdKind::Read)
    );
    assert_eq!(crate::data::Store::command_kind("hello"), None);
}

#[test]
fn rename_collection_moves_data_and_replicates() {
    let s = Store::in_memory();
    run(&s, "test", doc! {"insert": "a", "documents": [{"_id": 1}]});
    run(&s, "test", doc! {"insert": "b", "documents": [{"_id": 2}]});
    assert_eq!(
        run_err(
            &s,
            "test",
            doc! {"renameCollection": "test.a", "to": "test.c"}
        )
        .code,
        13
    );
    assert_eq!(
        run_err(
            &s,
            "admin",
            doc! {"renameCollection": "test.a", "to": "test.b"}
        )
        .code,
        48
    );
    assert_eq!(
        run_err(
            &s,
            "admin",
            doc! {"renameCollection": "test.zz", "to": "test.c"}
        )
        .code,
        26
    );
    assert_eq!(
        run(
            &s,
            "admin",
            doc! {"renameCollection": "test.a", "to": "test.c"}
        ),
        doc! {"ok": 1.0}
    );
    assert_eq!(
        run(
            &s,
            "admin",
            doc! {"renameCollection": "test.c", "to": "other.b", "dropTarget": true}
        ),
        doc! {"ok": 1.0}
    );
    assert_eq!(
        run(
            &s,
            "admin",
            doc! {"renameCollection": "other.b", "to": "test.b", "dropTarget": true}
        ),
        doc! {"ok": 1.0}
    );
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"find": "b"})),
        vec![doc! {"_id": 1}]
    );
    let r = Store::in_memory();
    r.apply_oplog(&s.oplog_after(
        bson::Timestamp {
            time: 0,
            increment: 0,
        },
        100,
        u64::MAX,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        first_batch(&run(&r, "test", doc! {"find": "b"})),
        vec![doc! {"_id": 1}]
    );
    let names = first_batch(&run(
        &r,
        "test",
        doc! {"listCollections": 1, "nameOnly": true},
    ));
    assert_eq!(names, vec![doc! {"name": "b", "type": "collection"}]);
}

#[test]
fn sparse_unique_indexes_skip_documents_without_the_field() {
    let s = Store::in_memory();
    run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}]},
    );
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"e": 1}, "name": "e_1", "unique": true, "sparse": true}]},
    );
    let r = run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 3}, {"_id": 4, "e": 1}, {"_id": 5, "e": 1}]},
    );
    assert_eq!(r.get_i32("n"), Ok(2));
    assert_eq!(
        run(
            &s,
            "test",
            doc! {"count": "c", "query": {"$expr": {"$eq": ["$e", 1]}}}
        ),
        doc! {"n": 1, "ok": 1.0}
    );
}

#[test]
fn oversized_documents_are_refused() {
    let s = Store::in_memory();
    let big = "x".repeat(16 * 1024 * 1024);
    let r = run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1, "big": big}]},
    );
    let e = r
        .get_array("writeErrors")
        .ok()
        .and_then(|a| a[0].as_document().cloned())
        .unwrap_or_default();
    assert_eq!(e.get_i32("code"), Ok(10334));
}

#[test]
fn text_indexes_are_cataloged_as_mongod_and_searching_is_refused() {
    let s = Store::in_memory();
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [
            {"key": {"a": 1, "t": "text", "u": "text"}, "name": "txt", "weights": {"u": 5}},
        ]},
    );
    let specs = first_batch(&run(&s, "test", doc! {"listIndexes": "c"}));
    assert_eq!(
        specs[1],
        doc! {"v": 2, "key": {"a": 1, "_fts": "text", "_ftsx": 1}, "name": "txt",
        "weights": {"u": 5, "t": 1}, "default_language": "english",
        "language_override": "language", "textIndexVersion": 3}
    );
    // The same index again is a no-op; a second, different text index is refused.
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1, "t": "text", "u": "text"}, "name": "txt", "weights": {"u": 5}}]},
    );
    let e = run_err(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"z": "text"}, "name": "z_text"}]},
    );
    assert_eq!(e.code, 85);
    let e = run_err(
        &s,
        "test",
        doc! {"find": "c", "filter": {"$text": {"$search": "x"}}},
    );
    assert_eq!(e.code, 20);
    let e = run_err(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"w": "text"}, "name": "w", "weights": {"w": 0}}]},
    );
    assert_eq!(e.code, 2);
}

#[test]
fn background_validation_refuses_the_full_checks() {
    let s = Store::in_memory();
    run(&s, "test", doc! {"insert": "c", "documents": [{"_id": 1}]});
    let r = run(&s, "test", doc! {"validate": "c", "background": true});
    assert_eq!(r.get_bool("valid"), Ok(true));
    let e = run_err(
        &s,
        "test",
        doc! {"validate": "c", "background": true, "full": true},
    );
    assert_eq!(
        (e.code, e.errmsg.as_str()),
        (
            72,
            "Running the validate command with both { background: true } and { full: true } is not supported."
        )
    );
}
