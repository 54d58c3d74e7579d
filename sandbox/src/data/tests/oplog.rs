use bson::{doc, Bson, Document, Timestamp};

use super::{batch, cursor_id, first_batch, run};
use crate::data::{pack_ts, OpTime, Store};

#[test]
fn writes_append_oplog_entries_with_increasing_ts_and_term() {
    let s = Store::in_memory();
    assert_eq!(s.last_applied(), OpTime::null());
    s.set_term(3);
    let noop = s.append_noop(doc! {"msg": "initiating set"});
    assert_eq!(noop.t, 3);
    let out = s
        .run("test", &doc! {"insert": "c", "documents": [{"_id": 1}]})
        .unwrap_or_else(|e| panic!("{e}"));
    let w = out.write_optime.unwrap_or_else(|| panic!("no optime"));
    assert!(w > noop);
    assert_eq!(s.last_applied(), w);
    run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"a": 1}}}]},
    );
    run(
        &s,
        "test",
        doc! {"delete": "c", "deletes": [{"q": {"_id": 1}, "limit": 1}]},
    );
    let all = s.oplog_after(
        Timestamp {
            time: 0,
            increment: 0,
        },
        100,
        u64::MAX,
    );
    let ops: Vec<&str> = all.iter().filter_map(|e| e.get_str("op").ok()).collect();
    assert_eq!(ops, ["n", "c", "i", "u", "d"]);
    let u = &all[3];
    assert_eq!(
        u.keys().map(String::as_str).collect::<Vec<_>>(),
        ["op", "ns", "ui", "o", "o2", "ts", "t", "v", "wall"]
    );
    assert_eq!(u.get_document("o"), Ok(&doc! {"_id": 1, "a": 1}));
    // An operator update also records what it changed (change streams' updateDescription).
    let none: Vec<bson::Bson> = Vec::new();
    assert_eq!(
        u.get_document("o2"),
        Ok(
            &doc! {"_id": 1, "updateDescription": {"updatedFields": {"a": 1}, "removedFields": none.clone(), "truncatedArrays": none}}
        )
    );
    assert_eq!(all[0].get_str("ns"), Ok(""));
    assert_eq!(all[1].get_str("ns"), Ok("test.$cmd"));
    let mut last = 0;
    for e in &all {
        let ts = pack_ts(e.get_timestamp("ts").unwrap_or(Timestamp {
            time: 0,
            increment: 0,
        }));
        assert!(ts > last);
        last = ts;
    }
    let after = s.oplog_after(
        all[2].get_timestamp("ts").unwrap_or(Timestamp {
            time: 0,
            increment: 0,
        }),
        1,
        u64::MAX,
    );
    assert_eq!(after, vec![all[3].clone()]);
    assert!(
        s.oplog_contains(all[4].get_timestamp("ts").unwrap_or(Timestamp {
            time: 0,
            increment: 0
        }))
    );
    assert_eq!(s.first_optime(), Some(noop));
}

#[test]
fn local_writes_are_not_in_the_oplog() {
    let s = Store::in_memory();
    s.set_replset_config(&doc! {"_id": "rs0", "version": 1});
    let out = s
        .run(
            "local",
            &doc! {"insert": "me", "documents": [{"host": "h"}]},
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.write_optime, None);
    assert!(s
        .oplog_after(
            Timestamp {
                time: 0,
                increment: 0
            },
            10,
            u64::MAX
        )
        .is_empty());
    assert_eq!(s.replset_config(), Some(doc! {"_id": "rs0", "version": 1}));
    assert_eq!(
        run(&s, "local", doc! {"count": "system.replset"}),
        doc! {"n": 1, "ok": 1.0}
    );
    let r = run(&s, "local", doc! {"find": "system.replset", "limit": 1});
    assert_eq!(first_batch(&r), vec![doc! {"_id": "rs0", "version": 1}]);
}

#[test]
fn oplog_is_queryable_like_a_capped_collection() {
    let s = Store::in_memory();
    for i in 0..5 {
        s.append_noop(doc! {"msg": format!("m{i}")});
    }
    let r = run(
        &s,
        "local",
        doc! {"find": "oplog.rs", "sort": {"$natural": -1}, "limit": 1},
    );
    let last = first_batch(&r);
    assert_eq!(last[0].get_document("o"), Ok(&doc! {"msg": "m4"}));
    let r = run(
        &s,
        "local",
        doc! {"find": "oplog.rs", "sort": {"$natural": 1}, "limit": 1},
    );
    assert_eq!(
        first_batch(&r)[0].get_document("o"),
        Ok(&doc! {"msg": "m0"})
    );
    let r = run(
        &s,
        "local",
        doc! {"find": "oplog.rs", "filter": {"ts": {"$gt": last[0].get_timestamp("ts").unwrap_or(Timestamp { time: 0, increment: 0 })}}},
    );
    assert!(first_batch(&r).is_empty());
    let r = run(&s, "local", doc! {"collStats": "oplog.rs"});
    assert_eq!(r.get_bool("capped"), Ok(true));
    assert_eq!(r.get_i64("maxSize"), Ok(990 * 1024 * 1024));
    assert_eq!(r.get_i64("count"), Ok(5));
    let st = s.oplog_stats();
    assert_eq!((st.count, st.max_size), (5, 990 * 1024 * 1024));
    assert_eq!(r.get_i64("size"), Ok(st.size));
    let r = run(
        &s,
        "local",
        doc! {"aggregate": "oplog.rs", "pipeline": [{"$collStats": {"storageStats": {}}}], "cursor": {}},
    );
    let ss = first_batch(&r)[0]
        .get_document("storageStats")
        .cloned()
        .unwrap_or_default();
    assert_eq!(ss.get_i64("maxSize"), Ok(990 * 1024 * 1024));
    let r = run(
        &s,
        "local",
        doc! {"listCollections": 1, "filter": {"name": "oplog.rs"}},
    );
    let e = &first_batch(&r)[0];
    assert_eq!(
        e.get_document("options").map(|o| o.get_bool("capped")),
        Ok(Ok(true))
    );
    assert!(!e.contains_key("idIndex"));
    let r = run(&s, "local", doc! {"find": "oplog.rs", "batchSize": 2});
    let id = cursor_id(&r);
    let r = run(&s, "local", doc! {"getMore": id, "collection": "oplog.rs"});
    assert_eq!(batch(&r, "nextBatch").len(), 3);
}

#[test]
fn small_oplog_is_capped() {
    let s = Store::in_memory();
    s.set_oplog_size_mb(1.0);
    let big = "x".repeat(10_000);
    for i in 0..300 {
        run(
            &s,
            "test",
            doc! {"insert": "c", "documents": [{"_id": i, "pad": &big}]},
        );
    }
    let st = s.oplog_stats();
    assert!(st.size <= 1024 * 1024, "{st:?}");
    assert!(st.count < 301 && st.count > 50, "{st:?}");
    assert!(s.first_optime().is_some_and(|f| Some(f) == st.first));
}

#[test]
fn secondaries_apply_entries_idempotently() {
    let p = Store::in_memory();
    p.set_term(1);
    run(
        &p,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1, "a": 1}, {"_id": 2}]},
    );
    run(
        &p,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$inc": {"a": 5}}}]},
    );
    run(
        &p,
        "test",
        doc! {"delete": "c", "deletes": [{"q": {"_id": 2}, "limit": 1}]},
    );
    run(
        &p,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}]},
    );
    run(&p, "db2", doc! {"insert": "x", "documents": [{"_id": 1}]});
    run(&p, "db2", doc! {"dropDatabase": 1});
    let entries = p.oplog_after(
        Timestamp {
            time: 0,
            increment: 0,
        },
        1000,
        u64::MAX,
    );
    let s = Store::in_memory();
    s.apply_oplog(&entries[..3])
        .unwrap_or_else(|e| panic!("{e}"));
    s.apply_oplog(&entries).unwrap_or_else(|e| panic!("{e}"));
    s.apply_oplog(&entries).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.last_applied(), p.last_applied());
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"find": "c"})),
        vec![doc! {"_id": 1, "a": 6}]
    );
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"listIndexes": "c"})).len(),
        2
    );
    let pc = first_batch(&run(&p, "test", doc! {"listCollections": 1}));
    let sc = first_batch(&run(&s, "test", doc! {"listCollections": 1}));
    assert_eq!(pc, sc, "collection uuids follow the primary");
    let r = run(&s, "admin", doc! {"listDatabases": 1, "nameOnly": true});
    assert!(!r
        .get_array("databases")
        .is_ok_and(|a| a.contains(&Bson::Document(doc! {"name": "db2"}))));
    assert!(s.apply_oplog(&[doc! {"op": "i"}]).is_err());
    // After a failover the new primary continues after the applied timestamps.
    let w = s
        .run("test", &doc! {"insert": "c", "documents": [{"_id": 3}]})
        .ok()
        .and_then(|o| o.write_optime);
    assert!(w.is_some_and(|w| pack_ts(w.ts) > pack_ts(p.last_applied().ts)));
}

#[test]
fn snapshot_export_import_copies_data_and_last_entry() {
    let p = Store::in_memory();
    p.set_term(2);
    run(
        &p,
        "test",
        doc! {"insert": "c", "documents": (0..50).map(|i| Bson::Document(doc! {"_id": i, "u": i})).collect::<Vec<_>>()},
    );
    run(
        &p,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"u": 1}, "name": "u_1", "unique": true, "sparse": false}]},
    );
    run(&p, "other", doc! {"create": "empty"});
    let parts = p.export_snapshot();
    assert_eq!(parts[0].get_str("kind"), Ok("header"));
    let s = Store::in_memory();
    run(&s, "junk", doc! {"insert": "j", "documents": [{"_id": 1}]});
    s.import_snapshot(&parts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.last_applied(), p.last_applied());
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 50, "ok": 1.0}
    );
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"listIndexes": "c"})).len(),
        2
    );
    let names = run(&s, "admin", doc! {"listDatabases": 1, "nameOnly": true});
    let names: Vec<&str> = names
        .get_array("databases")
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_document()?.get_str("name").ok())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, ["admin", "config", "local", "other", "test"]);
    assert_eq!(s.oplog_stats().count, 1);
    assert!(s.import_snapshot(&[doc! {"kind": "docs"}]).is_err());
}

#[test]
fn retried_writes_are_not_applied_twice_even_on_another_member() {
    let p = Store::in_memory();
    let lsid =
        doc! {"id": bson::Binary { subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![7; 16] }};
    let ins = doc! {"insert": "c", "documents": [{"_id": 1}, {"_id": 2}], "lsid": lsid.clone(), "txnNumber": 1i64};
    assert_eq!(run(&p, "test", ins.clone()), doc! {"n": 2, "ok": 1.0});
    assert_eq!(
        run(&p, "test", ins.clone()),
        doc! {"n": 2, "ok": 1.0},
        "a retry succeeds without E11000"
    );
    let entries = p.oplog_after(
        Timestamp {
            time: 0,
            increment: 0,
        },
        100,
        u64::MAX,
    );
    let i = entries
        .iter()
        .find(|e| e.get_str("op") == Ok("i"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        i.keys().take(3).map(String::as_str).collect::<Vec<_>>(),
        ["lsid", "txnNumber", "op"]
    );
    assert_eq!(i.get_i32("stmtId"), Ok(0));

    let upd = doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$inc": {"n": 1}}}, {"q": {"_id": 9}, "u": {"$set": {"x": 1}}, "upsert": true}],
    "lsid": lsid.clone(), "txnNumber": 2i64};
    let first = run(&p, "test", upd.clone());
    assert_eq!(
        first,
        doc! {"n": 2, "upserted": [{"index": 1, "_id": 9}], "nModified": 1, "ok": 1.0}
    );
    // The secondary that becomes primary got the entries through replication.
    let s = Store::in_memory();
    s.apply_oplog(&p.oplog_after(
        Timestamp {
            time: 0,
            increment: 0,
        },
        100,
        u64::MAX,
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run(&s, "test", upd.clone()), first);
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"find": "c", "filter": {"_id": 1}})),
        vec![doc! {"_id": 1, "n": 1}]
    );
    let old = super::run_err(&s, "test", ins);
    assert_eq!(old.code, 225);

    let fam = doc! {"findAndModify": "c", "query": {"_id": 2}, "update": {"$inc": {"n": 1}}, "new": true, "lsid": lsid.clone(), "txnNumber": 3i64};
    let r1 = run(&s, "test", fam.clone());
    let r2 = run(&s, "test", fam);
    assert_eq!(r1, r2);
    assert_eq!(r2.get_document("value"), Ok(&doc! {"_id": 2, "n": 1}));
    let del = doc! {"delete": "c", "deletes": [{"q": {"_id": 2}, "limit": 1}], "lsid": lsid, "txnNumber": 4i64};
    assert_eq!(run(&s, "test", del.clone()), doc! {"n": 1, "ok": 1.0});
    assert_eq!(run(&s, "test", del), doc! {"n": 1, "ok": 1.0});
    // Without a session the same insert is a plain duplicate.
    let r = run(&s, "test", doc! {"insert": "c", "documents": [{"_id": 1}]});
    assert!(r.get_array("writeErrors").is_ok());
}

#[test]
fn paged_export_hands_out_a_frozen_view_once() {
    let p = Store::in_memory();
    let docs: Vec<Bson> = (0..300)
        .map(|i| Bson::Document(doc! {"_id": i, "pad": "y".repeat(100)}))
        .collect();
    run(&p, "test", doc! {"insert": "c", "documents": docs});
    run(
        &p,
        "test",
        doc! {"insert": "d", "documents": [{"_id": "x"}]},
    );
    let mut export = p.begin_export();
    // Written after the export began: not part of it (the oplog brings it later).
    run(
        &p,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 1000}]},
    );
    let mut pages = Vec::new();
    while let Some(page) = export.next_page(2_000) {
        pages.push(page);
    }
    assert!(pages.len() > 5, "small pages: {}", pages.len());
    let parts: Vec<Document> = pages.concat();
    let kinds: Vec<&str> = parts
        .iter()
        .filter_map(|d| d.get_str("kind").ok())
        .filter(|k| *k != "docs")
        .collect();
    assert_eq!(kinds, ["header", "coll", "coll"]);
    let ids: Vec<Bson> = parts
        .iter()
        .filter(|d| d.get_str("ns") == Ok("test.c") && d.get_str("kind") == Ok("docs"))
        .flat_map(|d| d.get_array("docs").cloned().unwrap_or_default())
        .filter_map(|d| d.as_document()?.get("_id").cloned())
        .collect();
    assert_eq!(ids, (0..300).map(Bson::Int32).collect::<Vec<_>>());
    let s = Store::in_memory();
    s.import_snapshot(&parts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 300, "ok": 1.0}
    );
}

#[test]
fn oplog_reads_and_initial_sync_pages_are_bounded_by_bytes() {
    let s = Store::in_memory();
    let pad = "p".repeat(100 * 1024);
    let big = "b".repeat(3 * 1024 * 1024);
    for i in 0..20 {
        let d = if i == 7 {
            doc! {"_id": i, "big": &big}
        } else {
            doc! {"_id": i, "pad": &pad}
        };
        run(&s, "test", doc! {"insert": "c", "documents": [d]});
    }
    let zero = Timestamp {
        time: 0,
        increment: 0,
    };
    let size = |e: &[Document]| -> usize {
        e.iter()
            .map(|d| bson::to_vec(d).map(|v| v.len()).unwrap_or(0))
            .sum()
    };
    // 1 MB: about ten 100 KB entries, never more than the bound.
    let first = s.oplog_after(zero, 1000, 1024 * 1024);
    assert!(!first.is_empty() && size(&first) <= 1024 * 1024);
    // An entry larger than the bound still comes, alone.
    let mut after = zero;
    let mut seen = 0;
    while let Some(last) = {
        let batch = s.oplog_after(after, 1000, 1024 * 1024);
        if batch.len() > 1 {
            assert!(size(&batch) <= 1024 * 1024);
        }
        seen += batch.len();
        batch.last().and_then(|d| d.get_timestamp("ts").ok())
    } {
        after = last;
    }
    assert_eq!(seen, s.oplog_stats().count as usize);

    // Initial sync pages: at most the bound, or one larger document alone.
    let mut export = s.begin_export();
    let mut docs = 0;
    while let Some(page) = export.next_page(1024 * 1024) {
        let in_page: Vec<&Document> = page
            .iter()
            .filter(|p| p.get_str("kind") == Ok("docs"))
            .flat_map(|p| p.get_array("docs").into_iter().flatten())
            .filter_map(Bson::as_document)
            .collect();
        let bytes: usize = in_page
            .iter()
            .map(|d| bson::to_vec(d).map(|v| v.len()).unwrap_or(0))
            .sum();
        assert!(
            bytes <= 1024 * 1024 || in_page.len() == 1,
            "{bytes} in {}",
            in_page.len()
        );
        docs += in_page.len();
    }
    assert_eq!(docs, 20);
}
