//! explain: plan shapes (IDHACK, COLLSCAN, FETCH + IXSCAN with bounds), hints, executionStats
//! counts, the command forms, and index sizes in collStats.

use bson::{doc, Bson, Document};

use super::{run, run_err};
use crate::data::Store;

fn seeded() -> Store {
    let s = Store::in_memory();
    let docs: Vec<Bson> = (0..100)
        .map(|i| {
            Bson::Document(doc! {"_id": i, "x": i % 10, "s": format!("k{i}"), "tags": [i % 3, 7]})
        })
        .collect();
    run(&s, "t", doc! {"insert": "c", "documents": docs});
    s
}

fn explain(s: &Store, inner: Document, verbosity: &str) -> Document {
    run(s, "t", doc! {"explain": inner, "verbosity": verbosity})
}

fn winning(r: &Document) -> Document {
    r.get_document("queryPlanner")
        .and_then(|q| q.get_document("winningPlan"))
        .cloned()
        .unwrap_or_else(|e| panic!("{e}: {r}"))
}

fn stats(r: &Document) -> (i64, i64, i64) {
    let ex = r
        .get_document("executionStats")
        .unwrap_or_else(|e| panic!("{e}: {r}"));
    let n = |k: &str| {
        ex.get_i64(k)
            .or_else(|_| ex.get_i32(k).map(i64::from))
            .unwrap_or(-1)
    };
    (
        n("nReturned"),
        n("totalKeysExamined"),
        n("totalDocsExamined"),
    )
}

#[test]
fn collscan_without_an_index_and_ixscan_with_one() {
    let s = seeded();
    let r = explain(&s, doc! {"find": "c", "filter": {"x": 5}}, "executionStats");
    assert_eq!(r.get_str("explainVersion"), Ok("1"));
    let w = winning(&r);
    assert_eq!(
        w,
        doc! {"stage": "COLLSCAN", "filter": {"x": {"$eq": 5}}, "direction": "forward"}
    );
    assert_eq!(stats(&r), (10, 0, 100));
    let keys: Vec<&String> = r.keys().collect();
    assert_eq!(
        keys,
        [
            "explainVersion",
            "queryPlanner",
            "executionStats",
            "command",
            "serverInfo",
            "serverParameters",
            "ok"
        ]
    );
    assert_eq!(
        r.get_document("command").ok(),
        Some(&doc! {"find": "c", "filter": {"x": 5}, "$db": "t"})
    );

    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]},
    );
    let r = explain(&s, doc! {"find": "c", "filter": {"x": 5}}, "executionStats");
    let w = winning(&r);
    assert_eq!(w.get_str("stage"), Ok("FETCH"));
    let ix = w
        .get_document("inputStage")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ix,
        &doc! {"stage": "IXSCAN", "keyPattern": {"x": 1}, "indexName": "x_1", "isMultiKey": false,
        "multiKeyPaths": {"x": []}, "isUnique": false, "isSparse": false, "isPartial": false,
        "indexVersion": 2, "direction": "forward", "indexBounds": {"x": ["[5, 5]"]}}
    );
    assert_eq!(stats(&r), (10, 10, 10));
    // The bounds decide `x`; only the rest is left for FETCH to check.
    assert!(!w.contains_key("filter"), "{w}");
    let r = explain(
        &s,
        doc! {"find": "c", "filter": {"x": 5, "s": "k5"}},
        "executionStats",
    );
    assert_eq!(
        winning(&r).get_document("filter").ok(),
        Some(&doc! {"s": {"$eq": "k5"}})
    );
    assert_eq!(stats(&r), (1, 10, 10));

    let r = explain(
        &s,
        doc! {"find": "c", "filter": {"x": {"$gt": 7.5}}},
        "executionStats",
    );
    let ix = winning(&r)
        .get_document("inputStage")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        ix.get_document("indexBounds").ok(),
        Some(&doc! {"x": ["(7.5, inf.0]"]})
    );
    assert_eq!(stats(&r), (20, 20, 20));

    let r = explain(&s, doc! {"find": "c", "filter": {"_id": 3}}, "queryPlanner");
    assert_eq!(winning(&r), doc! {"stage": "IDHACK"});
    assert!(r.get_document("executionStats").is_err());
}

#[test]
fn hints_force_a_plan_and_unknown_ones_fail() {
    let s = seeded();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}, {"key": {"tags": 1}, "name": "tags_1"}]},
    );
    let r = explain(
        &s,
        doc! {"find": "c", "filter": {"x": 5}, "hint": {"$natural": 1}},
        "executionStats",
    );
    assert_eq!(winning(&r).get_str("stage"), Ok("COLLSCAN"));
    let r = explain(
        &s,
        doc! {"find": "c", "filter": {"x": 5}, "hint": "tags_1"},
        "executionStats",
    );
    let ix = winning(&r)
        .get_document("inputStage")
        .cloned()
        .unwrap_or_default();
    assert_eq!(ix.get_str("indexName"), Ok("tags_1"));
    assert_eq!(ix.get_bool("isMultiKey"), Ok(true));
    assert_eq!(
        ix.get_document("indexBounds").ok(),
        Some(&doc! {"tags": ["[MinKey, MaxKey]"]})
    );
    // Every document has two tag keys; each is fetched once.
    assert_eq!(stats(&r), (10, 200, 100));
    let e = run_err(
        &s,
        "t",
        doc! {"explain": {"find": "c", "hint": {"nope": 1}}},
    );
    assert_eq!((e.code, e.code_name), (2, "BadValue"));
    let r = explain(
        &s,
        doc! {"find": "c", "filter": {"tags": 2, "x": {"$in": [2, 5]}}},
        "allPlansExecution",
    );
    let qp = r.get_document("queryPlanner").cloned().unwrap_or_default();
    assert_eq!(qp.get_array("rejectedPlans").map(Vec::len), Ok(1));
    assert_eq!(stats(&r).0, 8);
}

#[test]
fn command_forms_count_update_delete_aggregate() {
    let s = seeded();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1}, "name": "x_1"}]},
    );
    let r = explain(&s, doc! {"count": "c", "query": {"x": 1}}, "executionStats");
    assert_eq!(winning(&r).get_str("stage"), Ok("COUNT"));
    let r = explain(&s, doc! {"count": "c"}, "executionStats");
    assert_eq!(winning(&r), doc! {"stage": "RECORD_STORE_FAST_COUNT"});
    let x = r
        .get_document("executionStats")
        .and_then(|x| x.get_document("executionStages"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(x.get_i32("nCounted"), Ok(100));
    let r = explain(
        &s,
        doc! {"update": "c", "updates": [{"q": {"x": 2}, "u": {"$set": {"y": 1}}, "multi": true}]},
        "executionStats",
    );
    assert_eq!(winning(&r).get_str("stage"), Ok("UPDATE"));
    let stages = r
        .get_document("executionStats")
        .and_then(|x| x.get_document("executionStages"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(stages.get_i32("nWouldModify"), Ok(10));
    // Nothing was written.
    let n = run(&s, "t", doc! {"count": "c", "query": {"y": 1}});
    assert_eq!(n.get_i32("n"), Ok(0));
    let r = explain(
        &s,
        doc! {"delete": "c", "deletes": [{"q": {"x": 2}, "limit": 1}]},
        "queryPlanner",
    );
    assert_eq!(winning(&r).get_str("stage"), Ok("DELETE"));
    let r = explain(
        &s,
        doc! {"aggregate": "c", "pipeline": [{"$match": {"x": 3}}, {"$count": "n"}], "cursor": {}},
        "queryPlanner",
    );
    let first = r
        .get_array("stages")
        .ok()
        .and_then(|a| a.first())
        .and_then(Bson::as_document)
        .cloned()
        .unwrap_or_default();
    assert!(
        first
            .get_document("$cursor")
            .is_ok_and(|c| c.contains_key("queryPlanner")),
        "{r}"
    );
    let r = run(
        &s,
        "t",
        doc! {"aggregate": "c", "pipeline": [{"$match": {"x": 3}}], "explain": true},
    );
    assert_eq!(winning(&r).get_str("stage"), Ok("FETCH"));
    let e = run_err(&s, "t", doc! {"explain": {"insert": "c", "documents": []}});
    assert_eq!(e.code, 59);
}

#[test]
fn coll_stats_estimate_index_sizes_from_keys() {
    let s = seeded();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"s": 1}, "name": "s_1"}]},
    );
    let r = run(&s, "t", doc! {"collStats": "c"});
    assert_eq!(r.get_i32("nindexes"), Ok(2));
    let sizes = r.get_document("indexSizes").cloned().unwrap_or_default();
    let s_1 = sizes.get_i64("s_1").unwrap_or(0);
    // 100 string keys of a few bytes each, plus record ids, on top of one page.
    assert!(s_1 > 4096 + 100 * 8, "{r}");
    let total: i64 = sizes.values().filter_map(|v| v.as_i64()).sum();
    assert_eq!(r.get_i64("totalIndexSize"), Ok(total));
    run(
        &s,
        "t",
        doc! {"delete": "c", "deletes": [{"q": {}, "limit": 0}]},
    );
    let r = run(&s, "t", doc! {"collStats": "c"});
    let sizes = r.get_document("indexSizes").cloned().unwrap_or_default();
    assert_eq!(sizes.get_i64("s_1"), Ok(4096));
}

#[test]
fn an_index_provides_the_sort_and_stops_at_the_limit() {
    let s = seeded();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"x": 1, "s": 1}, "name": "x_1_s_1"}]},
    );
    let find =
        doc! {"find": "c", "filter": {"s": {"$ne": "k1"}}, "sort": {"x": 1, "s": 1}, "limit": 3};
    let r = explain(&s, find.clone(), "executionStats");
    let w = winning(&r);
    assert_eq!(w.get_str("stage"), Ok("LIMIT"), "{w}");
    let ix = w
        .get_document("inputStage")
        .and_then(|f| f.get_document("inputStage"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        ix.get_document("indexBounds").ok(),
        Some(&doc! {"x": ["[MinKey, MaxKey]"], "s": ["[MinKey, MaxKey]"]})
    );
    assert_eq!(stats(&r), (3, 3, 3));
    let got = super::first_batch(&run(&s, "t", find));
    let mut natural =
        doc! {"find": "c", "filter": {"s": {"$ne": "k1"}}, "sort": {"x": 1, "s": 1}, "limit": 3};
    natural.insert("hint", doc! {"$natural": 1});
    assert_eq!(got, super::first_batch(&run(&s, "t", natural)));
    assert_eq!(
        super::ids(&got),
        [Bson::Int32(0), Bson::Int32(10), Bson::Int32(20)]
    );
    // A descending sort is not served by the ascending index: a blocking SORT.
    let r = explain(&s, doc! {"find": "c", "sort": {"x": -1}}, "queryPlanner");
    assert_eq!(winning(&r).get_str("stage"), Ok("SORT"));
}
