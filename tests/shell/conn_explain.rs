//! `db.c.explain()` (the legacy Explainable) and `aggregate(p, {explain: true})` against a
//! sandbox member: the commands rsh sends are explained by the server and printed as results.

use std::time::Duration;

use support::{one_member_primary, rsh, Member, Run};

fn primary() -> (Member, String) {
    let m = one_member_primary();
    let host = m.host();
    (m, host)
}

fn eval(host: &str, code: &str) -> Run {
    rsh(
        &["--quiet", host, "--eval", code],
        "",
        Duration::from_secs(60),
    )
}

#[test]
fn explainable_wraps_commands_in_explain() {
    let (_m, host) = primary();
    let seed = "for (var i = 0; i < 50; i++) db.c.insert({_id: i, x: i % 5}); \
                db.c.createIndex({x: 1}); db.c.count()";
    let r = eval(&host, seed);
    assert_eq!(r.stdout.trim(), "50", "{}", r.all());

    // The object itself, its verbosity rules and help.
    let r = eval(&host, "db.c.explain()");
    assert_eq!(r.stdout, "Explainable(test.c)\n", "{}", r.all());
    let r = eval(
        &host,
        "print(db.c.explain().getVerbosity(), db.c.explain(true).getVerbosity(), \
         db.c.explain('executionStats').getVerbosity())",
    );
    assert_eq!(
        r.stdout,
        "queryPlanner allPlansExecution executionStats\n",
        "{}",
        r.all()
    );
    let r = eval(&host, "db.c.explain('everything')");
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("verbosity must be one of"), "{}", r.all());

    // find(): modifiers chain; printing the query runs the explain and prints the plan.
    let r = eval(
        &host,
        "db.c.explain('executionStats').find({x: 3}).sort({_id: 1}).limit(4)",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("\"queryPlanner\" : {")
            && r.stdout.contains("\"namespace\" : \"test.c\""),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains("\"executionStats\" : {"), "{}", r.all());
    // finish() returns the document: the same plan as DBQuery.explain().
    let r = eval(
        &host,
        "var a = db.c.explain().find({x: 1}).finish(); \
         var b = db.c.find({x: 1}).explain(); \
         print(a.queryPlanner.namespace, tojson(a.queryPlanner.winningPlan) == tojson(b.queryPlanner.winningPlan))",
    );
    assert_eq!(r.stdout, "test.c true\n", "{}", r.all());

    // count, distinct, remove, update and aggregate are explained, not run.
    for code in [
        "db.c.explain().count({x: 2}).ok",
        "db.c.explain().distinct('x', {}).ok",
        "db.c.explain().remove({x: 1}).ok",
        "db.c.explain().update({x: 1}, {$set: {y: 1}}, false, true).ok",
        "db.c.explain().aggregate([{$match: {x: 4}}]).ok",
        "db.c.aggregate([{$match: {x: 4}}], {explain: true}).ok",
    ] {
        let r = eval(&host, code);
        assert_eq!(r.stdout, "1\n", "{code}: {}", r.all());
    }
    let r = eval(&host, "print(db.c.count(), db.c.count({y: 1}))");
    assert_eq!(
        r.stdout,
        "50 0\n",
        "explained writes change nothing: {}",
        r.all()
    );
}
