//! Cursors across several batches (first batch, then getMores), against a one-member sandbox
//! set: every document comes back once, in order, with its types; the batch bookkeeping
//! (`objsLeftInBatch`) follows the server's batches.

use std::time::Duration;

use support::{one_member_primary, rsh};

fn eval(host: &str, code: &str) -> String {
    let r = rsh(
        &["--quiet", host, "--eval", code],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    r.stdout.trim_end().to_string()
}

#[test]
fn documents_cross_batches_in_order_with_their_types() {
    let m = one_member_primary();
    let host = m.host();
    let seed = "var a = []; for (var i = 0; i < 300; i++) \
                a.push({_id: i, l: NumberLong(i), d: {s: 'x' + i}}); db.c.insertMany(a); db.c.count()";
    assert_eq!(eval(&host, seed), "300");

    assert_eq!(eval(&host, "db.c.find().batchSize(7).itcount()"), "300");
    // 101 documents in the first batch by default, the rest after one getMore.
    assert_eq!(
        eval(
            &host,
            "var s = 0; db.c.find().forEach(function (d) { s += d._id }); s"
        ),
        "44850"
    );
    assert_eq!(
        eval(
            &host,
            "var c = db.c.find().batchSize(7); c.next(); var a = c.objsLeftInBatch(); \
             for (var i = 0; i < 6; i++) c.next(); c.next(); a + ' ' + c.objsLeftInBatch()"
        ),
        "6 6"
    );
    let code = "var bad = 0; var all = db.c.find().sort({_id: 1}).batchSize(50).toArray(); \
                all.forEach(function (d, i) { \
                  if (d._id !== i || !(d.l instanceof NumberLong) || d.l.toNumber() !== i || d.d.s !== 'x' + i) bad++; }); \
                all.length + ' ' + bad";
    assert_eq!(eval(&host, code), "300 0");
    assert_eq!(
        eval(&host, "db.c.find().batchSize(7).limit(20).toArray().length"),
        "20"
    );
    // A cursor closed early still answers hasNext() with false.
    assert_eq!(
        eval(
            &host,
            "var c = db.c.find().batchSize(5); c.next(); c.close(); c.hasNext()"
        ),
        "false"
    );
}

/// An aggregation runs when it is called, as in the legacy shell: a script that never reads
/// the cursor still gets its `$out` collection, and a bad pipeline throws at the call.
#[test]
fn aggregate_runs_at_the_call_not_at_the_first_read() {
    let m = one_member_primary();
    let host = m.host();
    let code = r#"
        db.src.insertMany([{_id: 1, a: 1}, {_id: 2, a: 2}]);
        db.src.aggregate([{$match: {a: 2}}, {$out: "dst"}]);
        print(db.dst.count());
        try { db.src.aggregate([{$noSuchStage: 1}]); print("not run"); }
        catch (e) { print("thrown at the call"); }
        try { db.getSiblingDB("admin").aggregate([{$noSuchStage: 1}]); print("not run"); }
        catch (e) { print("thrown at the call"); }
    "#;
    assert_eq!(
        eval(&host, code),
        "1\nthrown at the call\nthrown at the call"
    );
}
