//! Pipeline-style updates over the wire: update (multi and upsert) and findAndModify take an
//! array of $set/$unset/$addFields/$project/$replaceWith stages; other stages are write errors
//! with mongod's code.

use bson::{doc, Document};

use support::wire::ok;

fn docs(r: &Document) -> Vec<Document> {
    r.get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| b.iter().filter_map(|d| d.as_document().cloned()).collect())
        .unwrap_or_default()
}

#[test]
fn updates_run_pipelines_and_refuse_other_stages() {
    let m = support::replset::one_member_primary();
    let mut c = m.connect();
    let seed = vec![
        doc! {"_id": 1, "x": 1, "y": 1},
        doc! {"_id": 2, "x": 2, "y": 1},
    ];
    assert!(ok(&c.run("t", doc! {"insert": "a", "documents": seed})));
    let r = c.run(
        "t",
        doc! {"update": "a", "updates": [
            {"q": {}, "u": [{"$set": {"z": {"$multiply": ["$x", 10]}}}, {"$unset": "y"}], "multi": true},
            {"q": {"_id": 3}, "u": [{"$set": {"x": 3}}], "upsert": true},
        ]},
    );
    assert!(ok(&r), "{r}");
    assert_eq!(
        (r.get_i32("n"), r.get_i32("nModified")),
        (Ok(3), Ok(2)),
        "{r}"
    );
    let r = c.run("t", doc! {"find": "a", "sort": {"_id": 1}});
    assert_eq!(
        docs(&r),
        vec![
            doc! {"_id": 1, "x": 1, "z": 10},
            doc! {"_id": 2, "x": 2, "z": 20},
            doc! {"_id": 3, "x": 3},
        ]
    );
    let r = c.run(
        "t",
        doc! {"findAndModify": "a", "query": {"_id": 1}, "update": [{"$replaceWith": {"only": "$z"}}], "new": true},
    );
    assert_eq!(
        r.get_document("value"),
        Ok(&doc! {"_id": 1, "only": 10}),
        "{r}"
    );
    let r = c.run(
        "t",
        doc! {"update": "a", "updates": [{"q": {"_id": 2}, "u": [{"$match": {}}]}]},
    );
    let err = r
        .get_array("writeErrors")
        .ok()
        .and_then(|a| a.first())
        .and_then(|e| e.as_document())
        .cloned()
        .unwrap_or_default();
    assert_eq!(err.get_i32("code"), Ok(72), "{r}");
    assert_eq!(
        err.get_str("errmsg"),
        Ok("$match is not allowed to be used within an update"),
        "{r}"
    );
}
