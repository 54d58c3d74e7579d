//! Multi-document transactions are refused before anything runs: the first command carrying
//! `startTransaction` gets IllegalOperation, and nothing is written.

use bson::{doc, spec::BinarySubtype, Binary};
use support::{ok, one_member_primary};

#[test]
fn the_first_command_of_a_transaction_is_refused_and_writes_nothing() {
    let m = one_member_primary();
    let mut c = m.connect();
    let lsid = doc! {"id": Binary {subtype: BinarySubtype::Uuid, bytes: vec![7u8; 16]}};
    let r = c.run(
        "t",
        doc! {"insert": "c", "documents": [{"_id": 1}], "lsid": lsid.clone(),
        "txnNumber": 1i64, "startTransaction": true, "autocommit": false},
    );
    assert_eq!(r.get_i32("code"), Ok(20), "{r}");
    assert_eq!(r.get_str("codeName"), Ok("IllegalOperation"));
    assert!(
        r.get_str("errmsg")
            .unwrap_or_default()
            .contains("not supported"),
        "{r}"
    );
    let n = c.run("t", doc! {"count": "c"});
    assert_eq!(n.get_i32("n"), Ok(0), "nothing was written: {n}");

    // Continuing or committing finds no transaction in progress.
    let r = c.run(
        "admin",
        doc! {"commitTransaction": 1, "lsid": lsid.clone(), "txnNumber": 1i64, "autocommit": false},
    );
    assert_eq!(r.get_i32("code"), Ok(251), "{r}");
    // A retryable write on the same session still works.
    let r = c.run(
        "t",
        doc! {"insert": "c", "documents": [{"_id": 2}], "lsid": lsid, "txnNumber": 2i64},
    );
    assert!(ok(&r), "{r}");
}
