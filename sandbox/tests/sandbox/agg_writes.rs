//! The aggregation stages that write: `$out` replaces a collection's contents (keeping its
//! indexes, leaving nothing behind when it fails) and `$merge` matches, merges, replaces or
//! inserts; both run as writes (primary only, under the write concern) and replicate.

use std::time::Duration;

use bson::{doc, Bson, Document};

use support::poll::wait_for;
use support::wire::{ok, try_run, Client};

fn sorted(c: &mut Client, coll: &str) -> Vec<Document> {
    let r = c.run("t", doc! {"find": coll, "sort": {"_id": 1}});
    r.get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| b.iter().filter_map(|d| d.as_document().cloned()).collect())
        .unwrap_or_default()
}

fn aggregate(c: &mut Client, pipeline: Vec<Document>) -> Document {
    c.run(
        "t",
        doc! {"aggregate": "src", "pipeline": pipeline, "cursor": {}, "writeConcern": {"w": "majority"}},
    )
}

fn collections(c: &mut Client) -> Vec<String> {
    let r = c.run("t", doc! {"listCollections": 1, "nameOnly": true});
    let mut names: Vec<String> = r
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| {
            b.iter()
                .filter_map(|d| Some(d.as_document()?.get_str("name").ok()?.to_string()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn out_and_merge_write_replicate_and_refuse_like_mongod() {
    let (members, primary) = support::replset::fast_set();
    let p = members
        .iter()
        .find(|m| m.host() == primary)
        .expect("the primary");
    let mut c = p.connect();
    let src: Vec<Document> = (0..6)
        .map(|i| doc! {"_id": i, "g": i % 2, "v": i})
        .collect();
    assert!(ok(&c.run("t", doc! {"insert": "src", "documents": src})));
    assert!(ok(&c.run(
        "t",
        doc! {"insert": "dst", "documents": [{"_id": "old"}]}
    )));
    let idx = doc! {"createIndexes": "dst", "indexes": [{"key": {"s": 1}, "name": "s_1"}]};
    assert!(ok(&c.run("t", idx)));

    // $out: the old contents go, the indexes stay, the reply is an empty cursor.
    let r = aggregate(
        &mut c,
        vec![
            doc! {"$group": {"_id": "$g", "s": {"$sum": "$v"}}},
            doc! {"$out": "dst"},
        ],
    );
    assert!(ok(&r), "{r}");
    let cursor = r.get_document("cursor").cloned().unwrap_or_default();
    assert_eq!(cursor.get_array("firstBatch").map(Vec::len), Ok(0), "{r}");
    assert_eq!(cursor.get_i64("id"), Ok(0), "{r}");
    assert_eq!(
        sorted(&mut c, "dst"),
        vec![doc! {"_id": 0, "s": 6}, doc! {"_id": 1, "s": 9}]
    );
    let r = c.run("t", doc! {"listIndexes": "dst"});
    let names: Vec<Bson> = r
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .map(|b| {
            b.iter()
                .filter_map(|d| d.as_document()?.get("name").cloned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, vec![Bson::from("_id_"), Bson::from("s_1")]);
    // A failing $out (duplicate _id) leaves the target as it was and no temporary collection.
    let r = aggregate(
        &mut c,
        vec![
            doc! {"$project": {"_id": {"$literal": 1}}},
            doc! {"$out": "dst"},
        ],
    );
    assert_eq!(r.get_i32("code"), Ok(11000), "{r}");
    assert_eq!(sorted(&mut c, "dst").len(), 2);
    assert_eq!(collections(&mut c), vec!["dst", "src"]);

    // $merge: matched documents merged (default), the others inserted.
    assert!(ok(&c.run(
        "t",
        doc! {"insert": "m", "documents": [{"_id": 0, "keep": true}]}
    )));
    let r = aggregate(
        &mut c,
        vec![
            doc! {"$match": {"_id": {"$lt": 2}}},
            doc! {"$merge": {"into": "m"}},
        ],
    );
    assert!(ok(&r), "{r}");
    assert_eq!(
        sorted(&mut c, "m"),
        vec![
            doc! {"_id": 0, "keep": true, "g": 0, "v": 0},
            doc! {"_id": 1, "g": 1, "v": 1},
        ]
    );
    // whenMatched replace, whenNotMatched discard.
    let r = aggregate(
        &mut c,
        vec![
            doc! {"$project": {"v": 1}},
            doc! {"$merge": {"into": "m", "whenMatched": "replace", "whenNotMatched": "discard"}},
        ],
    );
    assert!(ok(&r), "{r}");
    assert_eq!(
        sorted(&mut c, "m"),
        vec![doc! {"_id": 0, "v": 0}, doc! {"_id": 1, "v": 1}]
    );

    // Refusals with mongod's codes.
    for (pipeline, code) in [
        (vec![doc! {"$out": "x"}, doc! {"$match": {}}], 40601),
        (vec![doc! {"$merge": {"into": "m", "on": "v"}}], 51183),
        (
            vec![doc! {"$merge": {"into": "m", "whenNotMatched": "fail"}}],
            13113,
        ),
        (vec![doc! {"$out": "system.x"}], 17385),
    ] {
        let r = aggregate(&mut c, pipeline);
        assert_eq!(r.get_i32("code"), Ok(code), "{r}");
    }

    // Written through the oplog: a secondary holds the same results.
    let secondary = members
        .iter()
        .find(|m| m.host() != primary)
        .expect("a secondary");
    let want = sorted(&mut c, "dst");
    let seen = wait_for(Duration::from_secs(20), || {
        let r = try_run(
            secondary.port,
            "t",
            doc! {"find": "dst", "sort": {"_id": 1}, "$readPreference": {"mode": "secondary"}},
        )?;
        let got: Vec<Document> = r
            .get_document("cursor")
            .ok()?
            .get_array("firstBatch")
            .ok()?
            .iter()
            .filter_map(|d| d.as_document().cloned())
            .collect();
        (got == want).then_some(())
    });
    assert!(seen.is_some(), "the secondary has the $out results");
    // A secondary refuses the write: not by NotWritablePrimary, as a 5.0+ mongod would run it
    // (reading there, writing through the primary), which the sandbox does not.
    let r = try_run(
        secondary.port,
        "t",
        doc! {"aggregate": "src", "pipeline": [{"$out": "y"}], "cursor": {},
        "$readPreference": {"mode": "secondary"}},
    )
    .unwrap_or_default();
    assert_eq!(r.get_i32("code"), Ok(20), "{r}");
    let r = try_run(
        secondary.port,
        "t",
        doc! {"aggregate": "src", "pipeline": [{"$out": "y"}], "cursor": {}},
    )
    .unwrap_or_default();
    assert_eq!(r.get_i32("code"), Ok(10107), "without secondaryOk: {r}");
}
