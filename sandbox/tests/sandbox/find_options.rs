//! find's options beyond filter/sort over the wire: `min`/`max` on a hinted index,
//! `returnKey`/`showRecordId` and the `$slice`/`$elemMatch` projections, with mongod's errors.

use bson::{doc, Bson, Document};

use support::wire::ok;

fn batch(r: &Document) -> Vec<Document> {
    r.get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| b.iter().filter_map(|d| d.as_document().cloned()).collect())
        .unwrap_or_default()
}

#[test]
fn min_max_and_array_projections() {
    let m = support::replset::one_member_primary();
    let mut c = m.connect();
    let docs: Vec<Document> = (0..10)
        .map(|j| doc! {"_id": j, "j": j, "xs": [{"q": j}, {"q": j + 1}, {"q": j + 2}]})
        .collect();
    assert!(ok(&c.run("t", doc! {"insert": "a", "documents": docs})));
    let ix = doc! {"createIndexes": "a", "indexes": [{"key": {"j": -1}, "name": "j_-1"}]};
    assert!(ok(&c.run("t", ix)));

    let r = c.run(
        "t",
        doc! {"find": "a", "min": {"j": 7}, "max": {"j": 4}, "hint": "j_-1", "projection": {"j": 1}},
    );
    let js: Vec<Bson> = batch(&r)
        .iter()
        .filter_map(|d| d.get("j").cloned())
        .collect();
    assert_eq!(
        js,
        vec![Bson::Int32(7), Bson::Int32(6), Bson::Int32(5)],
        "{r}"
    );
    let r = c.run(
        "t",
        doc! {"find": "a", "min": {"j": 2}, "max": {"j": 0}, "hint": "j_-1", "returnKey": true, "showRecordId": true},
    );
    assert_eq!(
        batch(&r),
        vec![
            doc! {"j": 2, "$recordId": 3i64},
            doc! {"j": 1, "$recordId": 2i64}
        ],
        "{r}"
    );
    let r = c.run("t", doc! {"find": "a", "max": {"j": 4}});
    assert_eq!(r.get_i32("code"), Ok(51173), "{r}");
    let r = c.run("t", doc! {"find": "a", "max": {"x": 4}, "hint": "j_-1"});
    assert_eq!(r.get_i32("code"), Ok(51174), "{r}");

    let r = c.run(
        "t",
        doc! {"find": "a", "filter": {"_id": 1}, "projection": {"xs": {"$slice": -1}}},
    );
    assert_eq!(
        batch(&r),
        vec![doc! {"_id": 1, "j": 1, "xs": [{"q": 3}]}],
        "{r}"
    );
    let r = c.run(
        "t",
        doc! {"find": "a", "filter": {"_id": 1}, "projection": {"xs": {"$elemMatch": {"q": {"$gte": 2}}}}},
    );
    assert_eq!(batch(&r), vec![doc! {"_id": 1, "xs": [{"q": 2}]}], "{r}");
    let r = c.run(
        "t",
        doc! {"find": "a", "projection": {"xs": {"$slice": [1, 0]}}},
    );
    assert_eq!(r.get_i32("code"), Ok(31259), "{r}");
}
