//! The data layer through a real `rsh-sandbox` process and the Rust `mongodb` driver: CRUD,
//! cursors with getMore, indexes and duplicate keys, aggregate counts, catalog listings, the
//! oplog as `local.oplog.rs`, and acknowledged writes surviving SIGKILL.

use std::time::{Duration, Instant};

use bson::{doc, Bson, Document};
use futures_util::TryStreamExt;
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{FindOneAndUpdateOptions, FindOptions, IndexOptions, ReturnDocument};
use mongodb::{Client, IndexModel};
use support::Member;

/// A single-member set, initiated and primary; returns a direct client.
async fn primary(m: &Member, initiate: bool) -> Client {
    let uri = format!(
        "mongodb://{}/?directConnection=true&serverSelectionTimeoutMS=5000",
        m.host()
    );
    let client = Client::with_uri_str(&uri).await.expect("client");
    if initiate {
        let cfg = doc! {"_id": "rs0", "members": [{"_id": 0, "host": m.host()}],
        "settings": {"heartbeatIntervalMillis": 200, "electionTimeoutMillis": 1000}};
        let r = client
            .database("admin")
            .run_command(doc! {"replSetInitiate": cfg})
            .await
            .expect("initiate");
        assert_eq!(r.get_f64("ok"), Ok(1.0));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let hello = client
            .database("admin")
            .run_command(doc! {"hello": 1})
            .await;
        if hello.is_ok_and(|h| h.get_bool("isWritablePrimary") == Ok(true)) {
            return client;
        }
        assert!(Instant::now() < deadline, "no primary; log:\n{}", m.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_crud_cursors_indexes_and_catalog() {
    let m = Member::sandbox(&["--replSet", "rs0"]);
    let client = primary(&m, true).await;
    let db = client.database("shop");
    let items = db.collection::<Document>("items");

    let docs: Vec<Document> = (0..1000)
        .map(|i| doc! {"_id": i, "k": i % 7, "name": format!("n{i}")})
        .collect();
    let r = items.insert_many(docs).await.expect("insert_many");
    assert_eq!(r.inserted_ids.len(), 1000);

    // Iterating 1000 documents takes a first batch and several getMores.
    let opts = FindOptions::builder().batch_size(150).build();
    let all: Vec<Document> = items
        .find(doc! {})
        .with_options(opts)
        .await
        .expect("find")
        .try_collect()
        .await
        .expect("iterate");
    assert_eq!(all.len(), 1000);
    assert_eq!(all[999].get_i32("_id"), Ok(999));

    let opts = FindOptions::builder()
        .sort(doc! {"k": -1, "_id": 1})
        .projection(doc! {"name": 1, "_id": 0})
        .skip(2)
        .limit(3)
        .build();
    let got: Vec<Document> = items
        .find(doc! {"k": {"$in": [5, 6]}})
        .with_options(opts)
        .await
        .expect("find")
        .try_collect()
        .await
        .expect("iterate");
    assert_eq!(
        got,
        vec![
            doc! {"name": "n20"},
            doc! {"name": "n27"},
            doc! {"name": "n34"}
        ]
    );

    assert_eq!(
        items.count_documents(doc! {"k": 3}).await.expect("count"),
        143
    );
    assert_eq!(
        items.estimated_document_count().await.expect("estimate"),
        1000
    );
    let ks = items
        .distinct("k", doc! {"_id": {"$lt": 3}})
        .await
        .expect("distinct");
    assert_eq!(ks, vec![Bson::Int32(0), Bson::Int32(1), Bson::Int32(2)]);

    let u = items
        .update_many(doc! {"k": 0}, doc! {"$set": {"zero": true}})
        .await
        .expect("update_many");
    assert_eq!((u.matched_count, u.modified_count), (143, 143));
    let u = items
        .update_one(doc! {"_id": 5000}, doc! {"$inc": {"n": 1}})
        .upsert(true)
        .await
        .expect("upsert");
    assert_eq!(u.upserted_id, Some(Bson::Int32(5000)));
    let d = items.delete_many(doc! {"k": 1}).await.expect("delete_many");
    assert_eq!(d.deleted_count, 143);
    let opts = FindOneAndUpdateOptions::builder()
        .return_document(ReturnDocument::After)
        .build();
    let after = items
        .find_one_and_update(doc! {"_id": 2}, doc! {"$push": {"tags": "x"}})
        .with_options(opts)
        .await
        .expect("fam");
    assert_eq!(
        after,
        Some(doc! {"_id": 2, "k": 2, "name": "n2", "tags": ["x"]})
    );

    let idx = IndexModel::builder()
        .keys(doc! {"name": 1})
        .options(IndexOptions::builder().unique(true).build())
        .build();
    assert_eq!(
        items
            .create_index(idx)
            .await
            .expect("create_index")
            .index_name,
        "name_1"
    );
    let names = items.list_index_names().await.expect("list indexes");
    assert_eq!(names, vec!["_id_".to_string(), "name_1".to_string()]);
    let err = items
        .insert_one(doc! {"_id": -1, "name": "n2"})
        .await
        .expect_err("duplicate");
    match *err.kind {
        ErrorKind::Write(WriteFailure::WriteError(ref we)) => {
            assert_eq!(we.code, 11000);
            assert!(we.message.starts_with("E11000 duplicate key error collection: shop.items index: name_1 dup key: { name: \"n2\" }"), "{}", we.message);
        }
        ref other => panic!("unexpected error {other:?}"),
    }

    let colls = db.list_collection_names().await.expect("list collections");
    assert_eq!(colls, vec!["items".to_string()]);
    let dbs = client.list_database_names().await.expect("list databases");
    assert!(
        dbs.contains(&"shop".to_string()) && dbs.contains(&"local".to_string()),
        "{dbs:?}"
    );

    // The oplog as rs.printReplicationInfo reads it.
    let oplog = client.database("local").collection::<Document>("oplog.rs");
    let last = oplog
        .find_one(doc! {})
        .sort(doc! {"$natural": -1})
        .await
        .expect("oplog last")
        .expect("an entry");
    assert!(matches!(last.get("ts"), Some(Bson::Timestamp(_))));
    // The last write was createIndexes (the duplicate insert wrote nothing).
    assert_eq!(last.get_str("op"), Ok("c"));
    assert_eq!(
        last.get_document("o").map(|o| o.get_str("createIndexes")),
        Ok(Ok("items"))
    );
    let stats = client
        .database("local")
        .run_command(doc! {"collStats": "oplog.rs"})
        .await
        .expect("collStats");
    assert_eq!(stats.get_bool("capped"), Ok(true));

    db.drop().await.expect("drop db");
    assert!(!client
        .list_database_names()
        .await
        .expect("list")
        .contains(&"shop".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let mut m = Member::sandbox(&["--replSet", "rs0"]);
    {
        let client = primary(&m, true).await;
        let c = client.database("t").collection::<Document>("c");
        for i in 0..50 {
            c.insert_one(doc! {"_id": i, "v": i}).await.expect("insert");
        }
        c.update_one(doc! {"_id": 7}, doc! {"$set": {"v": "seven"}})
            .await
            .expect("update");
        c.delete_one(doc! {"_id": 8}).await.expect("delete");
        client.shutdown().immediate(true).await;
    }
    m.kill();
    m.spawn();
    let client = primary(&m, false).await;
    let c = client.database("t").collection::<Document>("c");
    assert_eq!(c.count_documents(doc! {}).await.expect("count"), 49);
    assert_eq!(
        c.find_one(doc! {"_id": 7}).await.expect("find"),
        Some(doc! {"_id": 7, "v": "seven"})
    );
    assert_eq!(c.find_one(doc! {"_id": 8}).await.expect("find"), None);
    c.insert_one(doc! {"_id": 100})
        .await
        .expect("write after restart");
}
