use bson::{doc, Bson};

use super::{batch, cursor_id, first_batch, ids, run, run_err};
use crate::data::Store;

fn seeded(n: i32) -> Store {
    let s = Store::in_memory();
    let docs: Vec<Bson> = (0..n)
        .map(|i| Bson::Document(doc! {"_id": i, "v": i % 10, "s": format!("k{i}")}))
        .collect();
    let r = run(&s, "test", doc! {"insert": "c", "documents": docs});
    assert_eq!(r.get_i32("n"), Ok(n));
    s
}

#[test]
fn insert_adds_object_id_first_and_reports_duplicates() {
    let s = Store::in_memory();
    let out = s
        .run(
            "test",
            &doc! {"insert": "c", "documents": [{"a": 1}, {"_id": 5, "b": 2}]},
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.reply, doc! {"n": 2, "ok": 1.0});
    assert!(out.write_optime.is_some());
    let docs = first_batch(&run(&s, "test", doc! {"find": "c"}));
    assert!(matches!(docs[0].get("_id"), Some(Bson::ObjectId(_))));
    assert_eq!(docs[0].keys().next().map(String::as_str), Some("_id"));

    let r = run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 6}, {"_id": 5}, {"_id": 7}]},
    );
    assert_eq!(r.get_i32("n"), Ok(1));
    let errs = r.get_array("writeErrors").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        errs[0].as_document().cloned(),
        Some(
            doc! {"index": 1, "code": 11000, "keyPattern": {"_id": 1}, "keyValue": {"_id": 5},
            "errmsg": "E11000 duplicate key error collection: test.c index: _id_ dup key: { _id: 5 }"}
        )
    );
    let r = run(
        &s,
        "test",
        doc! {"insert": "c", "ordered": false, "documents": [{"_id": 5}, {"_id": 8}]},
    );
    assert_eq!(r.get_i32("n"), Ok(1));
    // 1 == 1.0 == NumberLong(1) for the _id index.
    run(&s, "test", doc! {"insert": "d", "documents": [{"_id": 1}]});
    let r = run(
        &s,
        "test",
        doc! {"insert": "d", "documents": [{"_id": 1.0}, {"_id": 1i64}]},
    );
    assert_eq!(r.get_i32("n"), Ok(0));
    assert_eq!(run_err(&s, "test", doc! {"insert": "d"}).code, 40414);
}

#[test]
fn find_filters_sorts_projects_skips_and_limits() {
    let s = seeded(30);
    let r = run(
        &s,
        "test",
        doc! {"find": "c", "filter": {"v": {"$gte": 8}}, "sort": {"v": -1, "_id": 1},
        "projection": {"s": 1, "_id": 0}, "skip": 1, "limit": 3},
    );
    assert_eq!(cursor_id(&r), 0);
    assert_eq!(
        r.get_document("cursor").and_then(|c| c.get_str("ns")),
        Ok("test.c")
    );
    assert_eq!(
        first_batch(&r),
        vec![doc! {"s": "k19"}, doc! {"s": "k29"}, doc! {"s": "k8"}]
    );
    let r = run(&s, "test", doc! {"find": "c", "filter": {"_id": 7}});
    assert_eq!(ids(&first_batch(&r)), vec![Bson::Int32(7)]);
    let r = run(
        &s,
        "test",
        doc! {"find": "c", "sort": {"$natural": -1}, "limit": 2},
    );
    assert_eq!(
        ids(&first_batch(&r)),
        vec![Bson::Int32(29), Bson::Int32(28)]
    );
    let r = run(&s, "test", doc! {"find": "nope"});
    assert_eq!((first_batch(&r).len(), cursor_id(&r)), (0, 0));
    assert_eq!(
        run_err(&s, "test", doc! {"find": "c", "filter": 1}).code,
        14
    );
    assert_eq!(
        run_err(&s, "test", doc! {"find": "c", "limit": -1}).code,
        51024
    );
    assert_eq!(
        run_err(&s, "test", doc! {"find": "c", "filter": {"$bad": 1}}).code,
        2
    );
}

#[test]
fn cursors_batch_with_get_more_and_can_be_killed() {
    let s = seeded(250);
    let r = run(&s, "test", doc! {"find": "c"});
    assert_eq!(first_batch(&r).len(), 101);
    let id = cursor_id(&r);
    assert!(id > 0);
    let r = run(
        &s,
        "test",
        doc! {"getMore": id, "collection": "c", "batchSize": 100},
    );
    let next = batch(&r, "nextBatch");
    assert_eq!(next.len(), 100);
    assert_eq!(next[0].get_i32("_id"), Ok(101));
    let r = run(&s, "test", doc! {"getMore": id, "collection": "c"});
    assert_eq!(batch(&r, "nextBatch").len(), 49);
    assert_eq!(cursor_id(&r), 0);
    assert_eq!(
        run_err(&s, "test", doc! {"getMore": id, "collection": "c"}).code,
        43
    );

    let r = run(
        &s,
        "test",
        doc! {"find": "c", "batchSize": 0, "sort": {"v": 1}},
    );
    let id = cursor_id(&r);
    assert!(first_batch(&r).is_empty() && id > 0);
    assert_eq!(
        run_err(&s, "test", doc! {"getMore": id, "collection": "other"}).code,
        13
    );
    let r = run(
        &s,
        "test",
        doc! {"killCursors": "c", "cursors": [id, 12345i64]},
    );
    assert_eq!(r.get_array("cursorsKilled").map(|a| a.len()), Ok(1));
    assert_eq!(r.get_array("cursorsNotFound").map(|a| a.len()), Ok(1));

    let r = run(
        &s,
        "test",
        doc! {"find": "c", "filter": {"v": 3}, "batchSize": 5, "singleBatch": true},
    );
    assert_eq!((first_batch(&r).len(), cursor_id(&r)), (5, 0));
}

#[test]
fn scan_cursor_sees_writes_after_its_position_without_rescanning() {
    let s = seeded(5);
    let r = run(&s, "test", doc! {"find": "c", "batchSize": 2});
    let id = cursor_id(&r);
    run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 100}]},
    );
    let r = run(&s, "test", doc! {"getMore": id, "collection": "c"});
    assert_eq!(
        ids(&batch(&r, "nextBatch")),
        vec![2, 3, 4, 100]
            .into_iter()
            .map(Bson::Int32)
            .collect::<Vec<_>>()
    );
}

#[test]
fn updates_report_counts_and_upserts() {
    let s = seeded(10);
    let r = run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"v": {"$lt": 3}}, "u": {"$inc": {"n": 1}}, "multi": true}]},
    );
    assert_eq!(r, doc! {"n": 3, "nModified": 3, "ok": 1.0});
    let r = run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"n": 1}}}]},
    );
    assert_eq!(r, doc! {"n": 1, "nModified": 0, "ok": 1.0});
    let r = run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 50, "k": "x"}, "u": {"$set": {"z": 1}}, "upsert": true}]},
    );
    assert_eq!(
        r,
        doc! {"n": 1, "upserted": [{"index": 0, "_id": 50}], "nModified": 0, "ok": 1.0}
    );
    let d = first_batch(&run(&s, "test", doc! {"find": "c", "filter": {"_id": 50}}));
    assert_eq!(d, vec![doc! {"_id": 50, "k": "x", "z": 1}]);
    let r = run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 2}, "u": {"only": true}}]},
    );
    assert_eq!(r.get_i32("nModified"), Ok(1));
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"find": "c", "filter": {"_id": 2}})),
        vec![doc! {"_id": 2, "only": true}]
    );
    let r = run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 3}, "u": {"$set": {"_id": 4}}}]},
    );
    let err = r
        .get_array("writeErrors")
        .ok()
        .and_then(|a| a[0].as_document().cloned())
        .unwrap_or_default();
    assert_eq!(err.get_i32("code"), Ok(66));
    let r = run(
        &s,
        "test",
        doc! {"update": "c", "updates": [{"q": {"_id": 3}, "u": {"$inc": {"s": 1}}}]},
    );
    let err = r
        .get_array("writeErrors")
        .ok()
        .and_then(|a| a[0].as_document().cloned())
        .unwrap_or_default();
    assert_eq!(err.get_str("errmsg"), Ok("Cannot apply $inc to a value of non-numeric type. {_id: 3} has the field 's' of non-numeric type string"));
}

#[test]
fn deletes_honour_limit() {
    let s = seeded(20);
    assert_eq!(
        run(
            &s,
            "test",
            doc! {"delete": "c", "deletes": [{"q": {"v": 1}, "limit": 1}]}
        ),
        doc! {"n": 1, "ok": 1.0}
    );
    assert_eq!(
        run(
            &s,
            "test",
            doc! {"delete": "c", "deletes": [{"q": {"v": {"$in": [1, 2]}}, "limit": 0}]}
        ),
        doc! {"n": 3, "ok": 1.0}
    );
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 16, "ok": 1.0}
    );
    let r = run(
        &s,
        "test",
        doc! {"delete": "c", "deletes": [{"q": {}, "limit": 5}]},
    );
    assert!(r.get_array("writeErrors").is_ok());
}

#[test]
fn find_and_modify_variants() {
    let s = seeded(5);
    let r = run(
        &s,
        "test",
        doc! {"findAndModify": "c", "query": {"v": {"$gte": 1}}, "sort": {"v": -1}, "update": {"$set": {"t": 1}}, "new": true},
    );
    assert_eq!(
        r,
        doc! {"lastErrorObject": {"n": 1, "updatedExisting": true}, "value": {"_id": 4, "v": 4, "s": "k4", "t": 1}, "ok": 1.0}
    );
    let r = run(
        &s,
        "test",
        doc! {"findAndModify": "c", "query": {"_id": 0}, "remove": true, "fields": {"s": 1}},
    );
    assert_eq!(
        r,
        doc! {"lastErrorObject": {"n": 1}, "value": {"_id": 0, "s": "k0"}, "ok": 1.0}
    );
    let r = run(
        &s,
        "test",
        doc! {"findAndModify": "c", "query": {"_id": 9}, "update": {"$set": {"a": 1}}, "upsert": true, "new": true},
    );
    assert_eq!(
        r,
        doc! {"lastErrorObject": {"n": 1, "updatedExisting": false, "upserted": 9}, "value": {"_id": 9, "a": 1}, "ok": 1.0}
    );
    let r = run(
        &s,
        "test",
        doc! {"findAndModify": "c", "query": {"_id": 99}, "update": {"$set": {"a": 1}}},
    );
    assert_eq!(
        r,
        doc! {"lastErrorObject": {"n": 0, "updatedExisting": false}, "value": Bson::Null, "ok": 1.0}
    );
    assert_eq!(
        run_err(&s, "test", doc! {"findAndModify": "c", "query": {}}).code,
        9
    );
    assert_eq!(
        run_err(
            &s,
            "test",
            doc! {"findAndModify": "c", "remove": true, "update": {"a": 1}}
        )
        .code,
        9
    );
}

#[test]
fn count_distinct_and_aggregate() {
    let s = seeded(30);
    assert_eq!(
        run(&s, "test", doc! {"count": "c", "query": {"v": 3}}),
        doc! {"n": 3, "ok": 1.0}
    );
    assert_eq!(
        run(
            &s,
            "test",
            doc! {"count": "c", "query": {}, "skip": 25, "limit": 3}
        ),
        doc! {"n": 3, "ok": 1.0}
    );
    let r = run(
        &s,
        "test",
        doc! {"distinct": "c", "key": "v", "query": {"v": {"$lt": 3}}},
    );
    assert_eq!(r, doc! {"values": [0, 1, 2], "ok": 1.0});
    // mongosh's countDocuments.
    let r = run(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [{"$match": {"v": {"$gt": 6}}}, {"$skip": 1}, {"$group": {"_id": 1, "n": {"$sum": 1}}}], "cursor": {}},
    );
    assert_eq!(first_batch(&r), vec![doc! {"_id": 1, "n": 8}]);
    let r = run(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [
        {"$group": {"_id": "$v", "total": {"$sum": "$_id"}, "n": {"$sum": 1}}}, {"$sort": {"_id": -1}}, {"$limit": 2},
        {"$project": {"total": 1, "double": {"$multiply": ["$n", 2]}}}], "cursor": {}},
    );
    assert_eq!(
        first_batch(&r),
        vec![
            doc! {"_id": 9, "total": 57, "double": 6},
            doc! {"_id": 8, "total": 54, "double": 6}
        ]
    );
    let r = run(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [{"$match": {"v": 0}}, {"$count": "count"}], "cursor": {}},
    );
    assert_eq!(first_batch(&r), vec![doc! {"count": 3}]);
    let r = run(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [{"$match": {"v": 100}}, {"$count": "count"}], "cursor": {}},
    );
    assert!(first_batch(&r).is_empty());
    assert_eq!(
        run_err(&s, "test", doc! {"aggregate": "c", "pipeline": []}).code,
        9
    );
    assert_eq!(
        run_err(
            &s,
            "test",
            doc! {"aggregate": "c", "pipeline": [{"$bogus": 1}], "cursor": {}}
        )
        .code,
        40324
    );
    let r = run(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [{"$unwind": "$arr"}], "cursor": {"batchSize": 0}},
    );
    assert!(first_batch(&r).is_empty());
}

#[test]
fn a_collection_scan_learns_its_end_as_mongod_does() {
    // A batch that takes the last document leaves the cursor open: the scan has not yet looked
    // past it, so the next getMore answers an empty batch and cursor id 0.
    let s = seeded(3);
    let r = run(&s, "test", doc! {"find": "c", "batchSize": 1});
    let id = cursor_id(&r);
    assert!(id > 0);
    for want in [1, 2] {
        let r = run(
            &s,
            "test",
            doc! {"getMore": id, "collection": "c", "batchSize": 1},
        );
        assert_eq!(ids(&batch(&r, "nextBatch")), vec![Bson::Int32(want)]);
        assert_eq!(cursor_id(&r), id);
    }
    let r = run(&s, "test", doc! {"getMore": id, "collection": "c"});
    assert_eq!((batch(&r, "nextBatch").len(), cursor_id(&r)), (0, 0));
    // A batch the scan ends before filling closes the cursor at once; so does a limit.
    let r = run(&s, "test", doc! {"find": "c", "batchSize": 4});
    assert_eq!((first_batch(&r).len(), cursor_id(&r)), (3, 0));
    let r = run(&s, "test", doc! {"find": "c", "batchSize": 2, "limit": 2});
    assert_eq!((first_batch(&r).len(), cursor_id(&r)), (2, 0));
}

#[test]
fn a_hinted_descending_index_is_walked_in_its_own_order() {
    let s = seeded(20);
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [
            {"key": {"v": -1}, "name": "v_-1"},
            {"key": {"v": 1, "_id": -1}, "name": "v_1__id_-1"},
        ]},
    );
    // Without a filter or sort: natural order, whatever the indexes.
    let r = run(&s, "test", doc! {"find": "c", "limit": 3});
    assert_eq!(
        ids(&first_batch(&r)),
        vec![0, 1, 2]
            .into_iter()
            .map(Bson::Int32)
            .collect::<Vec<_>>()
    );
    // {v: -1}: highest v first, equal keys by record id upwards.
    let r = run(
        &s,
        "test",
        doc! {"find": "c", "hint": "v_-1", "batchSize": 3},
    );
    let first = ids(&first_batch(&r));
    assert_eq!(
        first,
        vec![9, 19, 8]
            .into_iter()
            .map(Bson::Int32)
            .collect::<Vec<_>>()
    );
    let r = run(
        &s,
        "test",
        doc! {"getMore": cursor_id(&r), "collection": "c", "batchSize": 2},
    );
    assert_eq!(
        ids(&batch(&r, "nextBatch")),
        vec![18, 7].into_iter().map(Bson::Int32).collect::<Vec<_>>()
    );
    // {v: 1, _id: -1}: v upwards, then _id downwards; with bounds on v too.
    let r = run(
        &s,
        "test",
        doc! {"find": "c", "filter": {"v": {"$gte": 1, "$lte": 2}}, "hint": {"v": 1, "_id": -1}},
    );
    assert_eq!(
        ids(&first_batch(&r)),
        vec![11, 1, 12, 2]
            .into_iter()
            .map(Bson::Int32)
            .collect::<Vec<_>>()
    );
    // The same order through count/distinct's plan execution.
    let r = run(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [{"$match": {"v": {"$gte": 8}}}], "hint": "v_-1", "cursor": {}},
    );
    assert_eq!(
        ids(&first_batch(&r)),
        vec![9, 19, 8, 18]
            .into_iter()
            .map(Bson::Int32)
            .collect::<Vec<_>>()
    );
}

#[test]
fn where_is_refused_as_by_a_mongod_without_javascript() {
    let s = seeded(2);
    for cmd in [
        doc! {"find": "c", "filter": {"$where": "this.v == 1"}},
        doc! {"count": "c", "query": {"$or": [{"$where": "true"}]}},
        doc! {"find": "nothing_here", "filter": {"$where": "true"}},
    ] {
        let e = run_err(&s, "test", cmd);
        assert_eq!(
            (e.code, e.errmsg.as_str()),
            (6108304, "no globalScriptEngine in $where parsing")
        );
    }
    let e = run_err(
        &s,
        "test",
        doc! {"aggregate": "c", "pipeline": [{"$match": {"$and": [{"$where": "true"}]}}], "cursor": {}},
    );
    assert_eq!(
        (e.code, e.errmsg.as_str()),
        (2, "$where is not allowed in this context")
    );
}

#[test]
fn min_and_max_bound_the_hinted_index() {
    let s = seeded(10);
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [
            {"key": {"s": 1}, "name": "s_1"},
            {"key": {"_id": -1}, "name": "id_desc"},
        ]},
    );
    let found = |cmd: bson::Document| ids(&first_batch(&run(&s, "test", cmd)));
    let ints = |v: &[i32]| v.iter().copied().map(Bson::Int32).collect::<Vec<_>>();
    // min inclusive, max exclusive, in the index's order.
    assert_eq!(
        found(doc! {"find": "c", "min": {"_id": 3}, "max": {"_id": 6}, "hint": {"_id": 1}}),
        ints(&[3, 4, 5])
    );
    assert_eq!(
        found(doc! {"find": "c", "min": {"_id": 6}, "max": {"_id": 3}, "hint": "id_desc"}),
        ints(&[6, 5, 4])
    );
    assert_eq!(
        found(doc! {"find": "c", "min": {"s": "k8"}, "hint": "s_1", "filter": {"v": {"$ne": 9}}}),
        ints(&[8])
    );
    let code = |cmd: bson::Document| run_err(&s, "test", cmd).code;
    assert_eq!(code(doc! {"find": "c", "min": {"_id": 3}}), 51173);
    assert_eq!(
        code(doc! {"find": "c", "min": {"s": "a"}, "hint": {"_id": 1}}),
        51174
    );
    assert_eq!(
        code(doc! {"find": "c", "min": {"_id": 1}, "max": {"s": "a"}, "hint": {"_id": 1}}),
        51176
    );
    assert_eq!(
        code(doc! {"find": "c", "min": {"_id": 1}, "hint": {"$natural": 1}}),
        51174
    );
}

#[test]
fn explain_of_min_max_is_refused_not_misreported() {
    let s = seeded(3);
    let e = run_err(
        &s,
        "test",
        doc! {"explain": {"find": "c", "min": {"_id": 1}, "hint": {"_id": 1}}},
    );
    assert_eq!(e.code, 20);
}

#[test]
fn return_key_and_show_record_id_shape_every_kind_of_cursor() {
    let s = seeded(5);
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"v": 1}, "name": "v_1"}]},
    );
    let all = |cmd: bson::Document| first_batch(&run(&s, "test", cmd));
    // A natural-order scan: record ids 1.., no index keys.
    assert_eq!(
        all(doc! {"find": "c", "limit": 2, "showRecordId": true, "projection": {"v": 1}}),
        vec![
            doc! {"_id": 0, "v": 0, "$recordId": 1i64},
            doc! {"_id": 1, "v": 1, "$recordId": 2i64}
        ]
    );
    assert_eq!(
        all(doc! {"find": "c", "limit": 1, "returnKey": true}),
        vec![doc! {}]
    );
    // An index scan: the index's keys.
    assert_eq!(
        all(
            doc! {"find": "c", "filter": {"v": {"$gte": 3}}, "returnKey": true, "showRecordId": true}
        ),
        vec![
            doc! {"v": 3, "$recordId": 4i64},
            doc! {"v": 4, "$recordId": 5i64}
        ]
    );
    // Results sorted up front keep their record ids.
    assert_eq!(
        all(
            doc! {"find": "c", "sort": {"s": -1}, "limit": 1, "showRecordId": true, "projection": {"_id": 1}}
        ),
        vec![doc! {"_id": 4, "$recordId": 5i64}]
    );
    assert_eq!(
        run_err(&s, "test", doc! {"find": "c", "returnKey": 1}).code,
        14
    );
}

#[test]
fn scans_stop_once_the_time_limit_has_passed() {
    let s = seeded(2000);
    run(
        &s,
        "test",
        doc! {"createIndexes": "c", "indexes": [{"key": {"v": 1}, "name": "v_1"}]},
    );
    let past = Some(std::time::Instant::now());
    let under_limit =
        |cmd: bson::Document| crate::data::interrupt::with_deadline(past, || run(&s, "test", cmd));
    // Natural-order scan, index scan, computed results: each stops early (the node then
    // answers MaxTimeMSExpired and drops what was found).
    for cmd in [
        doc! {"find": "c", "batchSize": 5000},
        doc! {"find": "c", "filter": {"v": {"$gte": 0}}, "batchSize": 5000},
        doc! {"find": "c", "sort": {"s": 1}, "batchSize": 5000},
        doc! {"aggregate": "c", "pipeline": [], "cursor": {"batchSize": 5000}},
    ] {
        let n = first_batch(&under_limit(cmd.clone())).len();
        assert!(n < 2000, "{cmd}: {n}");
        assert_eq!(first_batch(&run(&s, "test", cmd)).len(), 2000);
    }
}
