//! Write concern on writes that change nothing: mongod waits for the client's last optime, so an
//! update matching nothing still reports a write concern that cannot be (or was not) met.

use std::time::Duration;

use bson::doc;
use support::{fast_set, ok, wait_for};

#[test]
fn an_update_matching_nothing_still_honours_write_concern() {
    let (mut members, primary) = fast_set();
    let pi = members.iter().position(|m| m.host() == primary).unwrap();
    let mut pc = members[pi].connect();
    let r = pc.run("t", doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": 3, "wtimeout": 30_000}});
    assert!(ok(&r) && !r.contains_key("writeConcernError"), "{r}");

    // w: 4 on three data-bearing members can never be satisfied.
    let r = pc.run(
        "t",
        doc! {"update": "c", "updates": [{"q": {"_id": 99}, "u": {"$set": {"a": 1}}}],
        "writeConcern": {"w": 4, "wtimeout": 1000}},
    );
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_i32("n"), Ok(0));
    let wce = r
        .get_document("writeConcernError")
        .expect("writeConcernError");
    assert_eq!(wce.get_i32("code"), Ok(100), "{r}");

    // With a secondary gone and a write it never saw, w: 3 on a write that changes nothing times
    // out: the wait is for the newest optime, not for the no-op's (it has none).
    let si = (0..3).find(|i| *i != pi).unwrap();
    members[si].kill();
    let r = pc.run(
        "t",
        doc! {"insert": "c", "documents": [{"_id": 2}], "writeConcern": {"w": 1}},
    );
    assert!(ok(&r), "{r}");
    let r = pc.run(
        "t",
        doc! {"update": "c", "updates": [{"q": {"_id": 99}, "u": {"$set": {"a": 1}}}],
        "writeConcern": {"w": 3, "wtimeout": 500}},
    );
    assert!(ok(&r), "{r}");
    let wce = r
        .get_document("writeConcernError")
        .expect("writeConcernError");
    assert_eq!(wce.get_i32("code"), Ok(64), "{r}");
    assert_eq!(
        wce.get_document("errInfo")
            .and_then(|e| e.get_bool("wtimeout")),
        Ok(true)
    );
    // A duplicate key (a write error, nothing written) waits the same way.
    let r = pc.run(
        "t",
        doc! {"insert": "c", "documents": [{"_id": 1}], "writeConcern": {"w": 3, "wtimeout": 500}},
    );
    assert!(r.get_array("writeErrors").is_ok(), "{r}");
    assert!(r.get_document("writeConcernError").is_ok(), "{r}");
    // w: 2 is still met by the remaining secondary.
    let met = wait_for(Duration::from_secs(10), || {
        let r = pc.run(
            "t",
            doc! {"delete": "c", "deletes": [{"q": {"_id": 99}, "limit": 1}],
            "writeConcern": {"w": 2, "wtimeout": 2000}},
        );
        (ok(&r) && !r.contains_key("writeConcernError")).then_some(())
    });
    assert!(met.is_some());
}
