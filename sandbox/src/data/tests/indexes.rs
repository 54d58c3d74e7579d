//! Secondary indexes: every filter gives the same documents through any index as through a
//! collection scan, and indexes stay right across writes, reopen and multikey values.

use bson::{doc, Bson, Document};
use proptest::prelude::*;

use super::{first_batch, run, run_err};
use crate::data::Store;

const INDEXES: &[(&str, &[(&str, i32)])] = &[
    ("a_1", &[("a", 1)]),
    ("a_1_b_1", &[("a", 1), ("b", 1)]),
    ("a.b_1", &[("a.b", 1)]),
    ("b_-1", &[("b", -1)]),
];

fn create_indexes(s: &Store) {
    let specs: Vec<Bson> = INDEXES
        .iter()
        .map(|(name, key)| {
            let k: Document = key
                .iter()
                .map(|(f, d)| (f.to_string(), Bson::Int32(*d)))
                .collect();
            Bson::Document(doc! {"key": k, "name": *name})
        })
        .collect();
    run(s, "t", doc! {"createIndexes": "c", "indexes": specs});
    // Never hinted below (they hold only some documents), but the planner may pick them.
    run(
        s,
        "t",
        doc! {"createIndexes": "c", "indexes": [
            {"key": {"b": 1, "a": 1}, "name": "b_partial", "partialFilterExpression": {"b": {"$gt": 0}}},
            {"key": {"a.b": -1}, "name": "ab_sparse", "sparse": true},
        ]},
    );
}

/// Sorted `_id`s a find returns (index order differs from natural order).
fn found(s: &Store, filter: &Document, hint: Bson) -> Vec<i64> {
    let r = run(
        s,
        "t",
        doc! {"find": "c", "filter": filter.clone(), "hint": hint, "batchSize": 10_000},
    );
    let mut ids: Vec<i64> = first_batch(&r)
        .iter()
        .filter_map(|d| d.get("_id").and_then(crate::data::compare::to_f64))
        .map(|f| f as i64)
        .collect();
    ids.sort_unstable();
    ids
}

/// The same results with no hint, `$natural` and every index.
fn assert_plans_agree(s: &Store, filter: &Document) -> Result<(), TestCaseError> {
    let natural = found(s, filter, Bson::Document(doc! {"$natural": 1}));
    prop_assert_eq!(
        &found(s, filter, Bson::String(String::new())),
        &natural,
        "planner {}",
        filter
    );
    for (name, _) in INDEXES {
        let via = found(s, filter, Bson::String(name.to_string()));
        prop_assert_eq!(&via, &natural, "hint {} filter {}", name, filter);
    }
    let r = run(
        s,
        "t",
        doc! {"count": "c", "query": filter.clone(), "hint": "a_1"},
    );
    prop_assert_eq!(r.get_i32("n").ok(), Some(natural.len() as i32));
    Ok(())
}

fn scalar() -> impl Strategy<Value = Bson> {
    prop_oneof![
        (-3i32..4).prop_map(Bson::Int32),
        (-3i64..4).prop_map(Bson::Int64),
        prop_oneof![
            Just(1.5),
            Just(-0.5),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(2.0)
        ]
        .prop_map(Bson::Double),
        "[ab]{0,2}".prop_map(Bson::String),
        Just(Bson::Null),
        any::<bool>().prop_map(Bson::Boolean),
    ]
}

fn value() -> impl Strategy<Value = Bson> {
    prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Bson::Array),
        1 => scalar().prop_map(|v| Bson::Document(doc! {"b": v})),
        1 => prop::collection::vec(scalar(), 0..3)
            .prop_map(|v| Bson::Array(v.into_iter().map(|x| Bson::Document(doc! {"b": x})).collect())),
    ]
}

fn stored_doc() -> impl Strategy<Value = Document> {
    (prop::option::of(value()), prop::option::of(value())).prop_map(|(a, b)| {
        let mut d = Document::new();
        if let Some(a) = a {
            d.insert("a", a);
        }
        if let Some(b) = b {
            d.insert("b", b);
        }
        d
    })
}

fn predicate() -> impl Strategy<Value = (String, Bson)> {
    let op = prop::sample::select(vec![
        "$eq", "$gt", "$gte", "$lt", "$lte", "$ne", "$in", "$nin",
    ]);
    let field = prop::sample::select(vec!["a", "b", "a.b"]);
    (field, op, value(), prop::collection::vec(value(), 0..3)).prop_map(|(f, op, v, list)| {
        let arg = match op {
            "$in" | "$nin" => Bson::Array(list),
            _ => v,
        };
        (f.to_string(), Bson::Document(doc! {op: arg}))
    })
}

fn filter() -> impl Strategy<Value = Document> {
    prop::collection::vec(predicate(), 1..4).prop_map(|preds| {
        let parts: Vec<Bson> = preds
            .into_iter()
            .map(|(f, p)| Bson::Document(doc! {f: p}))
            .collect();
        doc! {"$and": parts}
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn index_scans_match_collection_scans(
        docs in prop::collection::vec(stored_doc(), 0..25),
        filters in prop::collection::vec(filter(), 1..5),
    ) {
        let s = Store::in_memory();
        create_indexes(&s);
        let docs: Vec<Bson> = docs
            .into_iter()
            .enumerate()
            .map(|(i, mut d)| {
                d.insert("_id", i as i64);
                Bson::Document(d)
            })
            .collect();
        if !docs.is_empty() {
            run(&s, "t", doc! {"insert": "c", "documents": docs});
        }
        for f in &filters {
            assert_plans_agree(&s, f)?;
        }
    }
}

fn seeded() -> Store {
    let s = Store::in_memory();
    create_indexes(&s);
    let docs: Vec<Bson> = (0..200)
        .map(|i| Bson::Document(doc! {"_id": i, "a": i % 20, "b": format!("s{}", i % 7)}))
        .collect();
    run(&s, "t", doc! {"insert": "c", "documents": docs});
    s
}

fn check(s: &Store, filters: &[Document]) {
    for f in filters {
        if let Err(e) = assert_plans_agree(s, f) {
            panic!("{e}");
        }
    }
}

#[test]
fn indexes_follow_updates_deletes_and_replacements() {
    let s = seeded();
    let filters = [
        doc! {"a": 5},
        doc! {"a": {"$gte": 18}},
        doc! {"a": 7, "b": "s3"},
        doc! {"a": {"$in": [1, 2, 100]}},
        doc! {"a.b": 4},
        doc! {"b": {"$lt": "s2"}},
    ];
    check(&s, &filters);
    run(
        &s,
        "t",
        doc! {"update": "c", "updates": [{"q": {"a": 5}, "u": {"$set": {"a": 100}}, "multi": true}]},
    );
    assert!(found(&s, &doc! {"a": 5}, Bson::String("a_1".into())).is_empty());
    assert_eq!(
        found(&s, &doc! {"a": 100}, Bson::String("a_1".into())).len(),
        10
    );
    run(
        &s,
        "t",
        doc! {"update": "c", "updates": [{"q": {"_id": 7}, "u": {"a": [4, {"b": 4}]}}]},
    );
    assert_eq!(
        found(&s, &doc! {"a.b": 4}, Bson::String("a.b_1".into())),
        vec![7]
    );
    run(
        &s,
        "t",
        doc! {"delete": "c", "deletes": [{"q": {"a": {"$lt": 3}}, "limit": 0}]},
    );
    run(
        &s,
        "t",
        doc! {"findAndModify": "c", "query": {"a": 4}, "update": {"$inc": {"a": 1}}, "hint": "a_1"},
    );
    check(&s, &filters);
    run(&s, "t", doc! {"dropIndexes": "c", "index": "a_1"});
    for f in &filters {
        let natural = found(&s, f, Bson::Document(doc! {"$natural": 1}));
        assert_eq!(found(&s, f, Bson::String(String::new())), natural, "{f}");
    }
    create_indexes(&s);
    check(&s, &filters);
}

#[test]
fn multikey_ranges_are_not_intersected() {
    let s = Store::in_memory();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}]},
    );
    run(
        &s,
        "t",
        doc! {"insert": "c", "documents": [{"_id": 1, "a": [1, 20]}, {"_id": 2, "a": 10}, {"_id": 3, "a": [[5]]}]},
    );
    let f = doc! {"a": {"$gt": 5, "$lt": 15}};
    assert_eq!(found(&s, &f, Bson::String("a_1".into())), vec![1, 2]);
    assert_eq!(
        found(&s, &doc! {"a": [5]}, Bson::String("a_1".into())),
        vec![3]
    );
    assert_eq!(
        found(&s, &doc! {"a": [1, 20]}, Bson::String(String::new())),
        vec![1]
    );
}

#[test]
fn unknown_hint_is_bad_value() {
    let s = seeded();
    let e = run_err(
        &s,
        "t",
        doc! {"find": "c", "filter": {"a": 1}, "hint": "nope"},
    );
    assert_eq!(e.code, 2);
    assert!(
        e.errmsg
            .ends_with("planner returned error :: caused by :: hint provided does not correspond to an existing index"),
        "{}",
        e.errmsg
    );
    let e = run_err(&s, "t", doc! {"count": "c", "query": {}, "hint": {"z": 1}});
    assert_eq!(e.code, 2);
}

#[test]
fn indexes_survive_reopen_from_the_journal() {
    let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    {
        let s = Store::open(d.path()).unwrap_or_else(|e| panic!("open: {e}"));
        create_indexes(&s);
        let docs: Vec<Bson> = (0..50)
            .map(|i| Bson::Document(doc! {"_id": i, "a": i % 5}))
            .collect();
        run(&s, "t", doc! {"insert": "c", "documents": docs});
        run(
            &s,
            "t",
            doc! {"delete": "c", "deletes": [{"q": {"a": 0}, "limit": 0}]},
        );
    }
    let s = Store::open(d.path()).unwrap_or_else(|e| panic!("reopen: {e}"));
    assert_eq!(
        found(&s, &doc! {"a": 0}, Bson::String("a_1".into())),
        Vec::<i64>::new()
    );
    assert_eq!(
        found(&s, &doc! {"a": 3}, Bson::String("a_1".into())).len(),
        10
    );
    check(&s, &[doc! {"a": {"$gt": 2}}]);
}

#[test]
fn writes_follow_hints_and_reject_unknown_ones() {
    let s = seeded();
    let r = run(
        &s,
        "t",
        doc! {"update": "c", "updates": [{"q": {"a": 3}, "u": {"$set": {"z": 1}}, "multi": true, "hint": "nope"}]},
    );
    let errs = r.get_array("writeErrors").cloned().unwrap_or_default();
    let code = errs
        .first()
        .and_then(Bson::as_document)
        .and_then(|d| d.get_i32("code").ok());
    assert_eq!(code, Some(2), "{r}");
    let r = run(
        &s,
        "t",
        doc! {"update": "c", "updates": [{"q": {"a": 3}, "u": {"$set": {"z": 1}}, "multi": true, "hint": {"a": 1}}]},
    );
    assert_eq!(r.get_i32("nModified"), Ok(10), "{r}");
    let r = run(
        &s,
        "t",
        doc! {"delete": "c", "deletes": [{"q": {"z": 1}, "limit": 0, "hint": "a_1"}]},
    );
    assert_eq!(r.get_i32("n"), Ok(10), "{r}");
}

#[test]
fn sorted_finds_agree_with_and_without_an_index() {
    let s = seeded();
    for (sort, limit) in [
        (doc! {"a": 1}, 7),
        (doc! {"a": 1, "b": 1}, 30),
        (doc! {"_id": 1}, 5),
    ] {
        let q = |hint: Bson| {
            let r = run(
                &s,
                "t",
                doc! {"find": "c", "filter": {"b": {"$gt": "s2"}}, "sort": sort.clone(), "skip": 3, "limit": limit, "hint": hint},
            );
            first_batch(&r)
        };
        assert_eq!(
            q(Bson::String(String::new())),
            q(Bson::Document(doc! {"$natural": 1})),
            "{sort}"
        );
    }
}

#[test]
fn partial_indexes_hold_matching_documents_and_serve_implied_queries() {
    let s = Store::in_memory();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [
        {"key": {"a": 1}, "name": "a_part", "partialFilterExpression": {"a": {"$gte": 5}}}]},
    );
    let docs: Vec<Bson> = (0..10)
        .map(|i| Bson::Document(doc! {"_id": i, "a": i}))
        .collect();
    run(&s, "t", doc! {"insert": "c", "documents": docs});
    let plan = |f: Document| {
        let r = run(
            &s,
            "t",
            doc! {"explain": {"find": "c", "filter": f}, "verbosity": "queryPlanner"},
        );
        let w = r
            .get_document("queryPlanner")
            .and_then(|q| q.get_document("winningPlan"))
            .cloned();
        w.map(|w| w.get_str("stage").unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    assert_eq!(plan(doc! {"a": 7}), "FETCH");
    assert_eq!(plan(doc! {"a": {"$gt": 5}}), "FETCH");
    assert_eq!(plan(doc! {"a": {"$gte": 5}}), "FETCH");
    assert_eq!(plan(doc! {"a": {"$gt": 4}}), "COLLSCAN");
    assert_eq!(plan(doc! {"a": 3}), "COLLSCAN");
    assert_eq!(
        found(&s, &doc! {"a": {"$gte": 4}}, Bson::String(String::new())),
        vec![4, 5, 6, 7, 8, 9]
    );
    // Hinted, a partial index returns only what it holds (as on mongod).
    assert_eq!(
        found(&s, &doc! {"a": {"$gte": 4}}, Bson::String("a_part".into())),
        vec![5, 6, 7, 8, 9]
    );
    run(
        &s,
        "t",
        doc! {"update": "c", "updates": [{"q": {"_id": 2}, "u": {"$set": {"a": 50}}}]},
    );
    assert_eq!(
        found(&s, &doc! {"a": 50}, Bson::String("a_part".into())),
        vec![2]
    );
}

/// All `_id`s of a find iterated with getMore in batches of `batch`.
fn iterate(s: &Store, find: Document, batch: i32) -> Vec<Bson> {
    let mut find = find;
    find.insert("batchSize", batch);
    let r = run(s, "t", find);
    let mut out = super::ids(&first_batch(&r));
    let mut id = super::cursor_id(&r);
    while id != 0 {
        let r = run(
            s,
            "t",
            doc! {"getMore": id, "collection": "c", "batchSize": batch},
        );
        out.extend(super::ids(&super::batch(&r, "nextBatch")));
        id = super::cursor_id(&r);
    }
    out
}

#[test]
fn index_cursors_continue_across_get_more() {
    let s = seeded();
    run(
        &s,
        "t",
        doc! {"createIndexes": "c", "indexes": [{"key": {"m": 1}, "name": "m_1"}]},
    );
    let docs: Vec<Bson> = (200..260)
        .map(|i| Bson::Document(doc! {"_id": i, "a": i % 20, "m": [i % 4, i % 4 + 1, 9]}))
        .collect();
    run(&s, "t", doc! {"insert": "c", "documents": docs});
    let cases = [
        (
            doc! {"find": "c", "filter": {"a": {"$in": [3, 4, 17]}}},
            "a_1",
        ),
        (
            doc! {"find": "c", "filter": {"m": {"$gte": 1}}, "skip": 5, "limit": 33},
            "m_1",
        ),
        (
            doc! {"find": "c", "filter": {"_id": {"$gt": 40, "$lt": 230}}, "sort": {"_id": 1}},
            "_id_",
        ),
        (
            doc! {"find": "c", "filter": {"a": {"$gt": 2}}, "sort": {"a": 1}, "skip": 7, "limit": 50},
            "a_1",
        ),
    ];
    for (find, index) in cases {
        for batch in [1, 4, 101] {
            let via = iterate(&s, find.clone(), batch);
            let mut hinted = find.clone();
            hinted.insert("hint", index);
            assert_eq!(iterate(&s, hinted, batch), via, "{find} {batch}");
            if find.contains_key("limit") && !find.contains_key("sort") {
                // Which documents a limit keeps depends on the plan's order: the same slice
                // of the unlimited scan.
                let mut all = find.clone();
                all.remove("skip");
                all.remove("limit");
                let all = iterate(&s, all, batch);
                assert_eq!(via, all[5..38].to_vec(), "{find} {batch}");
                continue;
            }
            let mut natural = find.clone();
            natural.insert("hint", doc! {"$natural": 1});
            let mut a = via.clone();
            let mut b = iterate(&s, natural, batch);
            if !find.contains_key("sort") {
                let key = |v: &Bson| crate::data::compare::Key(v.clone());
                a.sort_by_key(key);
                b.sort_by_key(key);
            }
            assert_eq!(a, b, "{find} {batch}");
        }
    }
    // A multikey document is returned once even when its keys straddle batches.
    let got = iterate(&s, doc! {"find": "c", "filter": {"m": {"$gte": 0}}}, 3);
    let mut unique = got.clone();
    unique.sort_by_key(|v| crate::data::compare::Key(v.clone()));
    unique.dedup();
    assert_eq!((got.len(), unique.len()), (60, 60));
}
