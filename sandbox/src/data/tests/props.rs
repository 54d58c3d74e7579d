//! Random filters, updates, projections, sorts and pipelines never panic: they either work or
//! produce a command error.

use bson::{doc, Bson, Document};
use proptest::prelude::*;

use crate::data::Store;

const KEYS: &[&str] = &[
    "a",
    "b",
    "a.b",
    "a.0",
    "_id",
    "$gt",
    "$gte",
    "$lt",
    "$in",
    "$nin",
    "$ne",
    "$eq",
    "$exists",
    "$and",
    "$or",
    "$nor",
    "$not",
    "$regex",
    "$options",
    "$size",
    "$all",
    "$elemMatch",
    "$type",
    "$set",
    "$inc",
    "$unset",
    "$push",
    "$each",
    "$slice",
    "$sort",
    "$position",
    "$addToSet",
    "$pull",
    "$min",
    "$max",
    "$rename",
    "$mul",
    "$pop",
    "$match",
    "$group",
    "$sum",
    "$project",
    "$limit",
    "$skip",
    "$count",
    "$unwind",
    "$add",
    "$cond",
    "",
    "x.$",
    "$",
];

fn value() -> impl Strategy<Value = Bson> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(Bson::Int32),
        any::<i64>().prop_map(Bson::Int64),
        any::<f64>().prop_map(Bson::Double),
        "[a-c$.(\\[*]{0,4}".prop_map(Bson::String),
        Just(Bson::Null),
        any::<bool>().prop_map(Bson::Boolean),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Bson::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                Bson::Document(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn document() -> impl Strategy<Value = Document> {
    prop::collection::vec((prop::sample::select(KEYS), value()), 0..4)
        .prop_map(|kv| kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn store() -> Store {
    let s = Store::in_memory();
    let docs: Vec<Bson> = vec![
        Bson::Document(doc! {"_id": 1, "a": 1, "b": "x"}),
        Bson::Document(doc! {"_id": 2, "a": [1, 2, {"b": 3}], "b": {"c": null}}),
        Bson::Document(doc! {"_id": 3, "a": {"b": [1.5, "s"]}}),
    ];
    let _ = s.run("t", &doc! {"insert": "c", "documents": docs});
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn random_finds_never_panic(filter in document(), proj in document(), sort in document()) {
        let s = store();
        let _ = s.run("t", &doc! {"find": "c", "filter": filter.clone()});
        let _ = s.run("t", &doc! {"find": "c", "filter": filter.clone(), "projection": proj, "sort": sort});
        let _ = s.run("t", &doc! {"count": "c", "query": filter.clone()});
        let _ = s.run("t", &doc! {"delete": "c", "deletes": [{"q": filter, "limit": 0}]});
    }

    #[test]
    fn random_updates_never_panic(filter in document(), update in value(), upsert in any::<bool>(), multi in any::<bool>()) {
        let s = store();
        let _ = s.run("t", &doc! {"update": "c", "updates": [{"q": filter.clone(), "u": update.clone(), "upsert": upsert, "multi": multi}]});
        let _ = s.run("t", &doc! {"findAndModify": "c", "query": filter, "update": update, "upsert": upsert, "new": multi});
        // Whatever happened, the collection still answers and every document has an _id.
        let r = s.run("t", &doc! {"find": "c"});
        prop_assert!(r.is_ok());
        if let Ok(o) = r {
            let docs = o.reply.get_document("cursor").and_then(|c| c.get_array("firstBatch")).cloned().unwrap_or_default();
            for d in docs {
                prop_assert!(d.as_document().is_some_and(|d| d.contains_key("_id")));
            }
        }
    }

    #[test]
    fn random_pipelines_never_panic(stages in prop::collection::vec(document(), 0..4)) {
        let s = store();
        let pipeline: Vec<Bson> = stages.into_iter().map(Bson::Document).collect();
        let _ = s.run("t", &doc! {"aggregate": "c", "pipeline": pipeline, "cursor": {}});
    }

    #[test]
    fn random_regexes_never_panic(p in "[a-c()|*+?.\\[\\]^$\\\\{},0-9-]{0,12}", t in "[a-c]{0,20}") {
        if let Ok(re) = crate::data::regex::Regex::new(&p, "") {
            let _ = re.is_match(&t);
        }
    }
}
