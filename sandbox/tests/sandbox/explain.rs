//! rsh against an rsh-sandbox process: `cursor.explain()` shapes (COLLSCAN without an index,
//! FETCH + IXSCAN with one, `hint`), executionStats counts, the bad-hint error, and index sizes
//! in `db.c.stats()`.

use support::{eval, Member};

const SETUP: &str = "var docs = []; for (var i = 0; i < 1000; i++) docs.push({_id: i, x: i % 100, tags: [i % 7, 99]}); db.c.insertMany(docs);";

fn lines(m: &Member, code: &str) -> Vec<String> {
    let r = eval(&m.host(), code);
    assert_eq!(r.code, 0, "{}", r.all());
    r.stdout.lines().map(str::to_string).collect()
}

#[test]
fn explain_shows_collscan_then_index_scans() {
    let m = Member::sandbox(&[]);
    let out = lines(
        &m,
        &format!(
            "{SETUP}
            var e = db.c.find({{x: 5}}).explain('executionStats');
            print(e.explainVersion, e.queryPlanner.namespace, e.queryPlanner.winningPlan.stage,
                  e.executionStats.nReturned, e.executionStats.totalDocsExamined);
            db.c.createIndex({{x: 1}});
            e = db.c.find({{x: 5}}).explain('executionStats');
            var w = e.queryPlanner.winningPlan;
            print(w.stage, w.inputStage.stage, w.inputStage.indexName, tojson(w.inputStage.indexBounds.x));
            print(e.executionStats.nReturned, e.executionStats.totalKeysExamined, e.executionStats.totalDocsExamined);
            print(e.serverInfo.port == db.getMongo().host.split(':')[1], e.serverInfo.version, e.ok);
            e = db.c.find({{x: {{$gte: 98}}}}).explain('executionStats');
            print(tojson(e.queryPlanner.winningPlan.inputStage.indexBounds.x), e.executionStats.totalDocsExamined);
            e = db.c.find({{x: 5}}).hint({{$natural: 1}}).explain('executionStats');
            print(e.queryPlanner.winningPlan.stage, e.executionStats.totalDocsExamined);
            db.c.createIndex({{tags: 1}});
            e = db.c.find({{x: 5}}).hint('tags_1').explain('executionStats');
            w = e.queryPlanner.winningPlan.inputStage;
            print(w.indexName, w.isMultiKey, e.executionStats.nReturned, e.executionStats.totalKeysExamined);
            print(db.c.find({{x: 5}}).hint({{x: 1}}).itcount(), db.c.find({{tags: 3, x: 10}}).itcount());"
        ),
    );
    assert_eq!(
        out,
        [
            "1 test.c COLLSCAN 10 1000",
            // rsh sends JS numbers as doubles (as the legacy shell), so bounds print as doubles.
            "FETCH IXSCAN x_1 [ \"[5.0, 5.0]\" ]",
            "10 10 10",
            "true 7.0.14 1",
            "[ \"[98.0, inf.0]\" ] 20",
            "COLLSCAN 1000",
            "tags_1 true 10 2000",
            "10 2",
        ]
    );
}

#[test]
fn unknown_hint_fails_and_stats_show_index_sizes() {
    let m = Member::sandbox(&[]);
    let out = lines(
        &m,
        &format!(
            "{SETUP}
            db.c.createIndex({{x: 1}});
            try {{ db.c.find({{x: 1}}).hint({{nope: 1}}).toArray(); print('no error'); }}
            catch (err) {{ print(/BadValue/.test(String(err)), /hint provided does not correspond to an existing index/.test(err.message)); }}
            var s = db.c.stats();
            print(s.nindexes, s.indexSizes.x_1 > 4096, s.totalIndexSize > s.indexSizes.x_1);
            print(tojson(db.c.getIndexes().map(function (i) {{ return i.name; }})));"
        ),
    );
    assert_eq!(
        out[1..],
        ["2 true true", "[ \"_id_\", \"x_1\" ]"],
        "{out:?}"
    );
    assert_eq!(out[0], "true true", "{out:?}");
}
