//! Document validation over the wire: a validator set by create refuses a failing insert or
//! update with 121 (bypassDocumentValidation lets it through); collMod changes the validator,
//! the level (moderate) and the action (warn); `$jsonSchema` is refused, not ignored.

use bson::{doc, Document};

use support::wire::{ok, Client};

fn first_write_error(r: &Document) -> Document {
    r.get_array("writeErrors")
        .ok()
        .and_then(|a| a.first())
        .and_then(|e| e.as_document())
        .cloned()
        .unwrap_or_default()
}

fn count(c: &mut Client) -> i32 {
    c.run("t", doc! {"count": "v"}).get_i32("n").unwrap_or(-1)
}

#[test]
fn validators_refuse_bypass_and_change_with_coll_mod() {
    let m = support::replset::one_member_primary();
    let mut c = m.connect();
    let r = c.run(
        "t",
        doc! {"create": "v", "validator": {"a": {"$exists": true}}},
    );
    assert!(ok(&r), "{r}");
    assert!(ok(&c.run(
        "t",
        doc! {"insert": "v", "documents": [{"_id": 1, "a": 1}]}
    )));
    let r = c.run("t", doc! {"insert": "v", "documents": [{"_id": 2, "b": 1}]});
    let we = first_write_error(&r);
    assert_eq!(we.get_i32("code"), Ok(121), "{r}");
    assert_eq!(
        we.get_str("errmsg"),
        Ok("Document failed validation"),
        "{r}"
    );
    assert_eq!(
        we.get_document("errInfo")
            .and_then(|i| i.get_i32("failingDocumentId")),
        Ok(2),
        "{r}"
    );
    let r = c.run(
        "t",
        doc! {"update": "v", "updates": [{"q": {"_id": 1}, "u": {"$unset": {"a": 1}}}]},
    );
    assert_eq!(first_write_error(&r).get_i32("code"), Ok(121), "{r}");
    assert_eq!(count(&mut c), 1);
    let r = c.run(
        "t",
        doc! {"insert": "v", "documents": [{"_id": 3, "b": 1}], "bypassDocumentValidation": true},
    );
    assert!(ok(&r) && !r.contains_key("writeErrors"), "{r}");
    assert_eq!(count(&mut c), 2);

    // moderate: a document that already fails may still be updated; valid ones stay checked.
    let r = c.run("t", doc! {"collMod": "v", "validationLevel": "moderate"});
    assert!(ok(&r), "{r}");
    let r = c.run(
        "t",
        doc! {"update": "v", "updates": [{"q": {"_id": 3}, "u": {"$set": {"c": 1}}}]},
    );
    assert_eq!(r.get_i32("nModified"), Ok(1), "{r}");
    let r = c.run(
        "t",
        doc! {"update": "v", "updates": [{"q": {"_id": 1}, "u": {"$unset": {"a": 1}}}]},
    );
    assert_eq!(first_write_error(&r).get_i32("code"), Ok(121), "{r}");
    // warn: failing writes go through.
    let r = c.run("t", doc! {"collMod": "v", "validationAction": "warn"});
    assert!(ok(&r), "{r}");
    assert!(ok(
        &c.run("t", doc! {"insert": "v", "documents": [{"_id": 4}]})
    ));
    assert_eq!(count(&mut c), 3);
    // The options as listCollections shows them.
    let r = c.run("t", doc! {"listCollections": 1, "filter": {"name": "v"}});
    let opts = r
        .get_document("cursor")
        .and_then(|c| c.get_array("firstBatch"))
        .ok()
        .and_then(|b| b.first())
        .and_then(|d| d.as_document())
        .and_then(|d| d.get_document("options").ok())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        opts,
        doc! {"validator": {"a": {"$exists": true}}, "validationLevel": "moderate", "validationAction": "warn"}
    );
    // Refused rather than ignored.
    let r = c.run("t", doc! {"collMod": "v", "validator": {"$jsonSchema": {}}});
    assert_eq!(r.get_i32("code"), Ok(20), "{r}");
    let r = c.run("t", doc! {"create": "w", "validationLevel": "sometimes"});
    assert_eq!(r.get_i32("code"), Ok(2), "{r}");
}
