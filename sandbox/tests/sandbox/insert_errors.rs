//! Duplicate `_id`s in one insert, as mongod answers them: a write error per failing document
//! (index, code 11000, keyPattern/keyValue, errmsg naming the index and key); an ordered insert
//! stops there with the earlier documents kept, an unordered one goes on. Also for a retryable
//! write, whose retry applies nothing twice.

use std::time::Duration;

use bson::{doc, Bson, Document};

use support::wire::{ok, Client};
use support::Member;

fn primary() -> Member {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let cfg = doc! {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}]};
    assert!(ok(&m.connect().admin(doc! {"replSetInitiate": cfg})));
    support::replset::wait_primary(&[&m], Duration::from_secs(30)).expect("a primary");
    m
}

fn ids_in(c: &mut Client, coll: &str) -> Vec<Bson> {
    let r = c.run("t", doc! {"find": coll, "sort": {"_id": 1}});
    r.get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| {
            b.iter()
                .filter_map(|d| d.as_document()?.get("_id").cloned())
                .collect()
        })
        .unwrap_or_default()
}

fn dup_error(index: i32, id: i32) -> Document {
    doc! {
        "index": index, "code": 11000, "keyPattern": {"_id": 1}, "keyValue": {"_id": id},
        "errmsg": format!("E11000 duplicate key error collection: t.a index: _id_ dup key: {{ _id: {id} }}"),
    }
}

fn write_errors(r: &Document) -> Vec<Document> {
    r.get_array("writeErrors")
        .map(|a| a.iter().filter_map(|e| e.as_document().cloned()).collect())
        .unwrap_or_default()
}

#[test]
fn duplicate_ids_in_one_insert_are_write_errors() {
    let m = primary();
    let mut c = m.connect();
    let docs = vec![
        doc! {"_id": 1},
        doc! {"_id": 2},
        doc! {"_id": 1},
        doc! {"_id": 3},
    ];
    // Ordered (the default): stops at the duplicate, keeping the documents before it.
    let r = c.run("t", doc! {"insert": "a", "documents": docs});
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i32("n"), Ok(2), "{r}");
    assert_eq!(write_errors(&r), vec![dup_error(2, 1)], "{r}");
    assert_eq!(ids_in(&mut c, "a"), vec![Bson::Int32(1), Bson::Int32(2)]);
    // Unordered: every document but the duplicates; one error per duplicate.
    let r = c.run(
        "t",
        doc! {"insert": "a", "documents": [{"_id": 2}, {"_id": 4}, {"_id": 1}, {"_id": 5}], "ordered": false},
    );
    assert_eq!(r.get_i32("n"), Ok(2), "{r}");
    assert_eq!(
        write_errors(&r),
        vec![dup_error(0, 2), dup_error(2, 1)],
        "{r}"
    );
    let want: Vec<Bson> = [1, 2, 4, 5].into_iter().map(Bson::Int32).collect();
    assert_eq!(ids_in(&mut c, "a"), want);
}

#[test]
fn a_retried_insert_with_a_duplicate_applies_nothing_twice() {
    let m = primary();
    let mut c = m.connect();
    let lsid =
        doc! {"id": bson::Binary {subtype: bson::spec::BinarySubtype::Uuid, bytes: vec![3; 16]}};
    let cmd = doc! {
        "insert": "a", "documents": [{"_id": 1}, {"_id": 1}, {"_id": 2}], "ordered": false,
        "lsid": lsid, "txnNumber": 1i64,
    };
    let r = c.run("t", cmd.clone());
    assert_eq!(r.get_i32("n"), Ok(2), "{r}");
    assert_eq!(write_errors(&r), vec![dup_error(1, 1)], "{r}");
    // The retry: the applied statements count as done, the failed one fails again.
    let r = c.run("t", cmd);
    assert_eq!(r.get_i32("n"), Ok(2), "{r}");
    assert_eq!(write_errors(&r), vec![dup_error(1, 1)], "{r}");
    assert_eq!(ids_in(&mut c, "a"), vec![Bson::Int32(1), Bson::Int32(2)]);
}
