//! Replication of batches larger than one reply may carry: secondaries fetch the oplog in
//! byte-bounded batches (a 16 MB document anywhere in a batch still moves), w:majority writes
//! are acknowledged, and every member ends with the same data (dbHash per collection).

use std::time::Duration;

use bson::{doc, Document};
use mongodb::options::{Acknowledgment, WriteConcern};
use support::{fast_set, wait_for, Member};

/// dbHash of `db` on every member (secondary reads allowed): the per-collection hashes.
fn hashes(members: &[Member], db: &str) -> Vec<Option<Document>> {
    members
        .iter()
        .map(|m| {
            let r = m.connect().run(
                db,
                doc! {"dbHash": 1, "$readPreference": {"mode": "secondaryPreferred"}},
            );
            r.get_document("collections").ok().cloned()
        })
        .collect()
}

fn all_identical(members: &[Member], db: &str) -> bool {
    let h = hashes(members, db);
    h[0].as_ref().is_some_and(|c| !c.is_empty()) && h.iter().all(|x| x == &h[0])
}

async fn insert_majority(uri: &str, db: &str, docs: Vec<Document>) {
    let client = mongodb::Client::with_uri_str(uri).await.expect("client");
    let wc = WriteConcern::builder()
        .w(Acknowledgment::Majority)
        .w_timeout(Duration::from_secs(120))
        .build();
    let n = docs.len();
    let r = client
        .database(db)
        .collection::<Document>("c")
        .insert_many(docs)
        .write_concern(wc)
        .await
        .expect("w:majority insert_many is acknowledged");
    assert_eq!(r.inserted_ids.len(), n);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_50_kb_documents_and_16_mb_documents_replicate_to_every_member() {
    let (members, _) = tokio::task::spawn_blocking(fast_set).await.expect("set");
    let hosts: Vec<String> = members.iter().map(Member::host).collect();
    let uri = format!("mongodb://{}/?replicaSet=rs0", hosts.join(","));

    // 1000 × 50 KB: 50 MB, more than one 48 MB message (the old 1000-entry fetch stalled here).
    let pad = "x".repeat(50 * 1024);
    let docs: Vec<Document> = (0..1000).map(|i| doc! {"_id": i, "pad": &pad}).collect();
    insert_majority(&uri, "many", docs).await;

    // Documents of nearly 16 MB among small ones, in one insert_many.
    let big = "y".repeat(16 * 1024 * 1024 - 1024);
    let mut docs = Vec::new();
    for i in 0..7 {
        if i % 3 == 1 {
            docs.push(doc! {"_id": i, "big": &big});
        } else {
            docs.push(doc! {"_id": i, "small": i});
        }
    }
    insert_majority(&uri, "huge", docs).await;

    let same = tokio::task::spawn_blocking(move || {
        let ok = wait_for(Duration::from_secs(60), || {
            (all_identical(&members, "many") && all_identical(&members, "huge")).then_some(())
        });
        (ok, hashes(&members, "huge"))
    })
    .await
    .expect("hash check");
    assert!(
        same.0.is_some(),
        "every member holds the same data: {:?}",
        same.1
    );
}
