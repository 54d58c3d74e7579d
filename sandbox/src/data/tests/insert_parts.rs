//! A large insert applied in parts answers as one command: counts, write error indexes of the
//! whole batch, ordered stops at the first error, retries of a retryable insert write nothing
//! twice, and a refused next part stops it with the step-down error.

use bson::{doc, Bson, Document};

use super::run;
use crate::data::Store;

const TOTAL: i32 = 2500;

/// `TOTAL` documents with `_id` 0.. and the one at index 1700 repeating `_id` 5.
fn batch(ordered: bool) -> Document {
    let docs: Vec<Bson> = (0..TOTAL)
        .map(|i| Bson::Document(doc! {"_id": if i == 1700 { 5 } else { i }}))
        .collect();
    doc! {"insert": "c", "documents": docs, "ordered": ordered}
}

fn count(s: &Store) -> i32 {
    run(s, "db", doc! {"count": "c"}).get_i32("n").unwrap_or(-1)
}

fn error_indexes(reply: &Document) -> Vec<i32> {
    reply
        .get_array("writeErrors")
        .map(|l| {
            l.iter()
                .filter_map(|e| e.as_document()?.get_i32("index").ok())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn ordered_stops_at_the_error_and_reports_its_index_in_the_whole_batch() {
    let s = Store::in_memory();
    let r = run(&s, "db", batch(true));
    assert_eq!(r.get_i32("n"), Ok(1700), "{r}");
    assert_eq!(error_indexes(&r), vec![1700]);
    assert_eq!(count(&s), 1700);
}

#[test]
fn unordered_goes_on_across_parts() {
    let s = Store::in_memory();
    let r = run(&s, "db", batch(false));
    assert_eq!(r.get_i32("n"), Ok(TOTAL - 1), "{r}");
    assert_eq!(error_indexes(&r), vec![1700]);
    assert_eq!(count(&s), TOTAL - 1);
    // The oplog holds one entry per document, in order.
    let inserts = run(
        &s,
        "local",
        doc! {"count": "oplog.rs", "query": {"op": "i", "ns": "db.c"}},
    );
    assert_eq!(inserts.get_i32("n"), Ok(TOTAL - 1));
}

#[test]
fn a_retried_retryable_insert_writes_nothing_twice() {
    let s = Store::in_memory();
    let mut cmd = batch(false);
    cmd.insert("lsid", doc! {"id": bson::Uuid::new()});
    cmd.insert("txnNumber", 1i64);
    let first = run(&s, "db", cmd.clone());
    let again = run(&s, "db", cmd);
    assert_eq!(first.get_i32("n"), Ok(TOTAL - 1));
    assert_eq!(again.get_i32("n"), first.get_i32("n"), "{again}");
    assert_eq!(count(&s), TOTAL - 1);
}

#[test]
fn a_refused_part_stops_the_insert_with_the_step_down_error() {
    let s = Store::in_memory();
    let e = match s.run_while("db", &batch(false), &|| false) {
        Ok(o) => panic!("unexpectedly succeeded: {}", o.reply),
        Err(e) => e,
    };
    assert_eq!(e.code, 11602, "{e}");
    // The first part was written before the member stepped down, as on mongod.
    assert_eq!(count(&s), crate::data::insert_parts::PART as i32);
}
