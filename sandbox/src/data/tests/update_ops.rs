use crate::data::update::*;
use crate::error::CmdError;
use bson::doc;
use bson::{Bson, Document};

fn up(u: Document, mut d: Document) -> Result<Document, CmdError> {
    Update::parse(&Bson::Document(u))?.apply(&mut d, false)?;
    Ok(d)
}

fn ok(u: Document, d: Document) -> Document {
    up(u, d).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn set_unset_inc_mul() {
    assert_eq!(
        ok(doc! {"$set": {"a": 2, "b.c": 1}}, doc! {"_id": 1, "a": 1}),
        doc! {"_id": 1, "a": 2, "b": {"c": 1}}
    );
    assert_eq!(
        ok(doc! {"$unset": {"a": ""}}, doc! {"_id": 1, "a": 1}),
        doc! {"_id": 1}
    );
    assert_eq!(
        ok(doc! {"$inc": {"a": 1, "n": 5}}, doc! {"_id": 1, "a": 1}),
        doc! {"_id": 1, "a": 2, "n": 5}
    );
    assert_eq!(
        ok(doc! {"$inc": {"a": 1.5}}, doc! {"a": 1}),
        doc! {"a": 2.5}
    );
    assert_eq!(
        ok(doc! {"$inc": {"a": 1}}, doc! {"a": i32::MAX}),
        doc! {"a": i64::from(i32::MAX) + 1}
    );
    assert_eq!(ok(doc! {"$mul": {"a": 3}}, doc! {"a": 2}), doc! {"a": 6});
    assert_eq!(
        ok(doc! {"$mul": {"z": 3}}, doc! {"a": 2}),
        doc! {"a": 2, "z": 0}
    );
    assert_eq!(
        up(doc! {"$inc": {"a": 1}}, doc! {"_id": 1, "a": "x"})
            .err()
            .map(|e| e.code),
        Some(14)
    );
    assert_eq!(
        up(doc! {"$inc": {"a": "x"}}, doc! {}).err().map(|e| e.code),
        Some(14)
    );
}

#[test]
fn min_max_rename_currentdate() {
    assert_eq!(ok(doc! {"$min": {"a": 1}}, doc! {"a": 5}), doc! {"a": 1});
    assert_eq!(ok(doc! {"$min": {"a": 9}}, doc! {"a": 5}), doc! {"a": 5});
    assert_eq!(
        ok(doc! {"$max": {"a": 9, "b": 1}}, doc! {"a": 5}),
        doc! {"a": 9, "b": 1}
    );
    assert_eq!(
        ok(doc! {"$rename": {"a": "b"}}, doc! {"a": 5, "c": 1}),
        doc! {"c": 1, "b": 5}
    );
    assert!(matches!(
        ok(doc! {"$currentDate": {"d": true}}, doc! {}).get("d"),
        Some(Bson::DateTime(_))
    ));
}

#[test]
fn array_operators() {
    assert_eq!(
        ok(doc! {"$push": {"a": 3}}, doc! {"a": [1]}),
        doc! {"a": [1, 3]}
    );
    assert_eq!(ok(doc! {"$push": {"a": 3}}, doc! {}), doc! {"a": [3]});
    assert_eq!(
        ok(
            doc! {"$push": {"a": {"$each": [5, 4, 6], "$sort": 1, "$slice": -2}}},
            doc! {"a": [1]}
        ),
        doc! {"a": [5, 6]}
    );
    assert_eq!(
        ok(
            doc! {"$push": {"a": {"$each": [0], "$position": 0}}},
            doc! {"a": [1]}
        ),
        doc! {"a": [0, 1]}
    );
    assert_eq!(
        ok(
            doc! {"$addToSet": {"a": {"$each": [1, 2]}}},
            doc! {"a": [1]}
        ),
        doc! {"a": [1, 2]}
    );
    assert_eq!(
        ok(doc! {"$pull": {"a": {"$gte": 2}}}, doc! {"a": [1, 2, 3]}),
        doc! {"a": [1]}
    );
    assert_eq!(
        ok(
            doc! {"$pull": {"a": {"x": 1}}},
            doc! {"a": [{"x": 1}, {"x": 2}]}
        ),
        doc! {"a": [{"x": 2}]}
    );
    assert_eq!(
        ok(doc! {"$pull": {"a": 2}}, doc! {"a": [2, 3, 2]}),
        doc! {"a": [3]}
    );
    assert_eq!(
        ok(doc! {"$pullAll": {"a": [2, 3]}}, doc! {"a": [1, 2, 3]}),
        doc! {"a": [1]}
    );
    assert_eq!(
        ok(doc! {"$pop": {"a": -1}}, doc! {"a": [1, 2]}),
        doc! {"a": [2]}
    );
    assert_eq!(
        up(doc! {"$push": {"a": 1}}, doc! {"_id": 1, "a": 1})
            .err()
            .map(|e| e.code),
        Some(2)
    );
}

#[test]
fn replacement_keeps_id_and_rejects_changes() {
    assert_eq!(
        ok(doc! {"x": 1}, doc! {"_id": 7, "a": 1}),
        doc! {"_id": 7, "x": 1}
    );
    assert_eq!(
        up(doc! {"_id": 8, "x": 1}, doc! {"_id": 7})
            .err()
            .map(|e| e.code),
        Some(66)
    );
    assert_eq!(
        up(doc! {"$set": {"_id": 8}}, doc! {"_id": 7})
            .err()
            .map(|e| e.code),
        Some(66)
    );
}

#[test]
fn parse_errors() {
    for (u, code) in [
        (doc! {"$foo": {"a": 1}}, 9),
        (doc! {"$set": {}}, 9),
        (doc! {"$set": 1}, 9),
        (doc! {"$set": {"a": 1}, "$inc": {"a": 1}}, 40),
        (doc! {"$set": {"a": 1, "a.b": 1}}, 40),
        (doc! {"$pop": {"a": 2}}, 9),
        (doc! {"a": 1, "$set": {"b": 1}}, 52),
    ] {
        assert_eq!(
            Update::parse(&Bson::Document(u.clone()))
                .err()
                .map(|e| e.code),
            Some(code),
            "{u}"
        );
    }
}

#[test]
fn upsert_seed_takes_equalities() {
    let s = upsert_seed(&doc! {"a": 1, "b": {"$gt": 1}, "c": {"$eq": 2}, "$and": [{"d.e": 3}]})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s, doc! {"a": 1, "c": 2, "d": {"e": 3}});
}

fn pipe(stages: Vec<Document>, mut d: Document) -> Result<Document, CmdError> {
    let stages: Vec<Bson> = stages.into_iter().map(Bson::Document).collect();
    Update::parse(&Bson::Array(stages))?.apply(&mut d, false)?;
    Ok(d)
}

#[test]
fn pipeline_updates_run_their_stages_on_the_document() {
    let d = doc! {"_id": 1, "x": 2, "y": 3};
    let out = pipe(
        vec![
            doc! {"$set": {"z": {"$add": ["$x", "$y"]}}},
            doc! {"$unset": "y"},
        ],
        d.clone(),
    );
    assert_eq!(out.ok(), Some(doc! {"_id": 1, "x": 2, "z": 5}));
    // $replaceWith and $project keep the _id (first) when they drop it.
    let out = pipe(vec![doc! {"$replaceWith": {"only": "$x"}}], d.clone());
    assert_eq!(out.ok(), Some(doc! {"_id": 1, "only": 2}));
    let out = pipe(vec![doc! {"$project": {"y": 1, "_id": 0}}], d.clone());
    assert_eq!(out.ok(), Some(doc! {"_id": 1, "y": 3}));
    // An empty pipeline changes nothing.
    assert_eq!(pipe(vec![], d.clone()).ok(), Some(d.clone()));
    // Changing _id is refused as for any update.
    let e = pipe(vec![doc! {"$set": {"_id": 9}}], d.clone()).unwrap_err();
    assert_eq!(e.code, 66);
}

#[test]
fn pipeline_updates_refuse_other_stages_as_mongod() {
    let d = doc! {"_id": 1};
    let e = pipe(vec![doc! {"$match": {}}], d.clone()).unwrap_err();
    assert_eq!(
        (e.code, e.errmsg.as_str()),
        (72, "$match is not allowed to be used within an update")
    );
    let e = pipe(vec![doc! {"$nope": {}}], d.clone()).unwrap_err();
    assert_eq!(e.code, 40324);
    let e = Update::parse(&Bson::Array(vec![Bson::Int32(1)])).unwrap_err();
    assert_eq!(e.code, 14);
    let e = pipe(vec![doc! {"$set": {"a": 1}, "$unset": "b"}], d).unwrap_err();
    assert_eq!(e.code, 40323);
}
