//! Unknown or unsupported options are refused with mongod's codes, over the wire (the full
//! table of what each command accepts is checked by the unit tests of the same table).

use bson::doc;
use support::{ok, one_member_primary};

#[test]
fn unknown_fields_bad_read_concern_and_unsupported_options_are_refused() {
    let m = one_member_primary();
    let mut c = m.connect();
    let r = c.run("t", doc! {"insert": "c", "documents": [{"_id": 1, "a": 1}]});
    assert!(ok(&r), "{r}");
    let cases = [
        (
            doc! {"find": "c", "filtr": {}},
            40415,
            "BSON field 'find.filtr' is an unknown field.",
        ),
        (
            doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": 2}}, "sort": {"a": 1}}]},
            40415,
            "BSON field 'update.updates.sort' is an unknown field.",
        ),
        (doc! {"find": "c", "readConcern": {"level": "bogus"}}, 9, ""),
        (doc! {"find": "c", "collation": {"locale": "fr"}}, 20, ""),
        (
            doc! {"aggregate": "c", "pipeline": [], "cursor": {}, "let": {"x": 1}},
            20,
            "",
        ),
    ];
    for (cmd, want, msg) in cases {
        let r = c.run("t", cmd.clone());
        assert_eq!(r.get_i32("code"), Ok(want), "{cmd} → {r}");
        if !msg.is_empty() {
            assert_eq!(r.get_str("errmsg"), Ok(msg));
        }
    }
    // Nothing was changed by the refused update; the simple collation and an empty let pass.
    let r = c.run(
        "t",
        doc! {"find": "c", "collation": {"locale": "simple"}, "let": {}, "readConcern": {"level": "local"}},
    );
    let first = r
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(first[0].as_document().unwrap().get_i32("a"), Ok(1), "{r}");
}
