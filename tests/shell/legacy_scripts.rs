//! Scripts written for the legacy 4.4 shell, run unchanged by rsh against a sandbox primary:
//! the assert library with its failure texts, the Bulk API with a duplicate key, findAndModify,
//! cursor[i], user and role administration, sessions, and the data they write as another
//! client (pymongo) reads it back.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::{one_member_primary, rsh, Run};

fn eval(host: &str, code: &str) -> Run {
    rsh(
        &["--quiet", host, "--eval", code],
        "",
        Duration::from_secs(60),
    )
}

fn script(host: &str, dir: &Path, name: &str, code: &str) -> Run {
    let path = dir.join(name);
    std::fs::write(&path, code).expect("write script");
    let p = path.to_string_lossy().to_string();
    rsh(&["--quiet", host, &p], "", Duration::from_secs(60))
}

fn nodb(code: &str) -> Run {
    rsh(
        &["--quiet", "--nodb", "--eval", code],
        "",
        Duration::from_secs(30),
    )
}

#[test]
fn assert_failures_carry_the_legacy_texts() {
    let cases: &[(&str, &str)] = &[
        (
            "assert.eq(1, 2, 'my msg')",
            "uncaught exception: Error: [1] != [2] are not equal : my msg :",
        ),
        (
            "assert(false)",
            "uncaught exception: Error: assert failed :",
        ),
        (
            "assert.neq(3, 3)",
            "uncaught exception: Error: [3] != [3] are equal :",
        ),
        (
            "assert.lt(5, 2, 'order')",
            "uncaught exception: Error: 5 is not less than 2 : order :",
        ),
        (
            "assert.gte(1, 2)",
            "uncaught exception: Error: 1 is not greater than or eq 2 :",
        ),
        (
            "assert.between(1, 9, 5)",
            "uncaught exception: Error: 9 is not between 1 and 5 :",
        ),
        (
            "assert.contains(4, [1, 2])",
            "uncaught exception: Error: 4 was not in [ 1, 2 ] :",
        ),
        (
            "assert.isnull({a: 1})",
            "uncaught exception: Error: supposed to be null () was: { \"a\" : 1 } :",
        ),
        (
            "assert.throws(function () {})",
            "uncaught exception: Error: did not throw exception :",
        ),
        (
            "assert.doesNotThrow(function () { throw Error('boom'); })",
            "uncaught exception: Error: threw unexpected exception: Error: boom :",
        ),
        (
            "assert.commandWorked({ok: 0, errmsg: 'bad', code: 2})",
            "uncaught exception: Error: command failed: { \"ok\" : 0, \"errmsg\" : \"bad\", \"code\" : 2 } :",
        ),
        (
            "assert.commandFailed({ok: 1})",
            "uncaught exception: Error: command worked when it should have failed: { \"ok\" : 1 } :",
        ),
        (
            "assert.commandFailedWithCode({ok: 0, code: 11}, 13)",
            "uncaught exception: Error: command did not fail with any of the following codes [ 13 ] { \"ok\" : 0, \"code\" : 11 } :",
        ),
        (
            "assert.soon(function () { return false; }, 'never', 300, 50)",
            "uncaught exception: Error: assert.soon failed, msg : never :",
        ),
        (
            "assert.docEq({a: 1, b: 2}, {b: 2, a: 3})",
            "uncaught exception: Error: [{ \"a\" : 1, \"b\" : 2 }] != [{ \"b\" : 2, \"a\" : 3 }] are not equal :",
        ),
    ];
    for (code, first_line) in cases {
        let r = nodb(code);
        assert_eq!(r.code, 252, "{code}: {}", r.all());
        assert!(
            r.stderr.starts_with(first_line),
            "{code}: expected {first_line:?}, got:\n{}",
            r.all()
        );
    }
    // The passing forms, the error's code, and the helpers around assert.
    let r = nodb(
        "assert(true); assert.eq(NumberInt(5), 5); assert.docEq({a: 1, b: 2}, {b: 2, a: 1}); \
         assert.sameMembers([1, {x: 2}], [{x: 2}, 1]); assert.close(1.00001, 1); \
         assert.commandWorked({ok: 1}); assert.commandFailedWithCode({ok: 0, code: 11000}, \
         [ErrorCodes.DuplicateKey]); var e = assert.throws(function () { throw Error('x'); }); \
         try { assert.commandWorked({ok: 0, code: 26, errmsg: 'ns'}); } catch (err) { print(err.code); } \
         print(e.message, ErrorCodes.NamespaceNotFound, ErrorCodeStrings[11000], \
         ErrorCodes.isNetworkError(ErrorCodes.HostUnreachable), ErrorCodes.NotMaster, \
         jsTest.name(), Array.sum([1, 2, 3]), Object.bsonsize({}), friendlyEqual([1], [1]))",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "26\nx 26 DuplicateKey true 10107 __unknown_name__ 6 5 true\n",
        "{}",
        r.all()
    );
}

#[test]
fn bulk_api_reports_a_duplicate_key_as_the_legacy_shell() {
    let m = one_member_primary();
    let host = m.host();
    let dir = tempfile::tempdir().expect("tempdir");
    let ordered = "db.b.drop();\n\
        var bulk = db.b.initializeOrderedBulkOp();\n\
        bulk.insert({_id: 1}); bulk.insert({_id: 1}); bulk.insert({_id: 2});\n\
        try { bulk.execute(); } catch (e) {\n\
          print(e instanceof BulkWriteError, e.message, e.nInserted, e.getWriteErrorCount());\n\
          print(e);\n\
        }\n\
        print(db.b.count());\n";
    let r = script(&host, dir.path(), "ordered.js", ordered);
    assert_eq!(r.code, 0, "{}", r.all());
    let expected = "true write error at item 1 in bulk operation 1 1\n\
BulkWriteError({\n\
\t\"writeErrors\" : [\n\
\t\t{\n\
\t\t\t\"index\" : 1,\n\
\t\t\t\"code\" : 11000,\n\
\t\t\t\"errmsg\" : \"E11000 duplicate key error collection: test.b index: _id_ dup key: { _id: 1.0 }\",\n\
\t\t\t\"op\" : {\n\
\t\t\t\t\"_id\" : 1\n\
\t\t\t}\n\
\t\t}\n\
\t],\n\
\t\"writeConcernErrors\" : [ ],\n\
\t\"nInserted\" : 1,\n\
\t\"nUpserted\" : 0,\n\
\t\"nMatched\" : 0,\n\
\t\"nModified\" : 0,\n\
\t\"nRemoved\" : 0,\n\
\t\"upserted\" : [ ]\n\
})\n\
1\n";
    assert_eq!(r.stdout, expected, "{}", r.all());

    // Unordered: every operation runs, the error names its index in the bulk.
    let unordered = "db.u.drop(); db.u.insert({_id: 3, n: 1});\n\
        var bulk = db.u.initializeUnorderedBulkOp();\n\
        bulk.find({_id: 3}).updateOne({$inc: {n: 1}});\n\
        bulk.insert({_id: 1}); bulk.insert({_id: 1}); bulk.insert({_id: 2});\n\
        bulk.find({_id: 9}).upsert().replaceOne({v: 1});\n\
        bulk.find({_id: 2}).removeOne();\n\
        try { bulk.execute(); } catch (e) {\n\
          var r = e.toResult();\n\
          print(e.message, r.nInserted, r.nMatched, r.nModified, r.nUpserted, r.nRemoved);\n\
          print(e.getWriteErrors()[0].index, e.getWriteErrors()[0].code, tojson(r.getUpsertedIds()));\n\
        }\n\
        var ok = db.u.initializeUnorderedBulkOp(); ok.insert({_id: 20}); ok.find({_id: 20}).update({$set: {z: 1}});\n\
        var res = ok.execute(); print(res); print(res.hasWriteErrors(), res.nInserted, res.nModified);\n\
        assert.writeOK(res);\n";
    let r = script(&host, dir.path(), "unordered.js", unordered);
    assert_eq!(r.code, 0, "{}", r.all());
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("write error at item 2 in bulk operation 2 1 1 1 1"),
        "{}",
        r.all()
    );
    assert_eq!(
        lines.get(1).copied(),
        Some("2 11000 [ { \"index\" : 4, \"_id\" : 9 } ]"),
        "{}",
        r.all()
    );
    assert!(
        r.stdout.contains("BulkWriteResult({\n\t\"writeErrors\" : [ ],\n\t\"writeConcernErrors\" : [ ],\n\t\"nInserted\" : 1,\n\t\"nUpserted\" : 0,\n\t\"nMatched\" : 1,\n\t\"nModified\" : 1,"),
        "{}",
        r.all()
    );
    assert!(r.stdout.ends_with("false 1 1\n"), "{}", r.all());

    // insert() of an array and of one document: BulkWriteResult / WriteResult, no throw.
    let r = eval(
        &host,
        "var r = db.w.insert([{_id: 1}, {_id: 1}]); print(r.nInserted, r.getWriteErrors()[0].code); \
         var w = db.w.insert({_id: 1}); print(w); print(w.hasWriteError(), w.getWriteError().code); \
         assert.writeErrorWithCode(w, ErrorCodes.DuplicateKey); \
         try { assert.writeOK(w); } catch (e) { print(e.message.split('\\n')[0]); }",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "1 11000\n\
WriteResult({\n\
\t\"nInserted\" : 0,\n\
\t\"writeError\" : {\n\
\t\t\"code\" : 11000,\n\
\t\t\"errmsg\" : \"E11000 duplicate key error collection: test.w index: _id_ dup key: { _id: 1.0 }\"\n\
\t}\n\
})\n\
true 11000\n\
write failed with error: {\n",
        "{}",
        r.all()
    );
}

#[test]
fn find_and_modify_upsert_new_remove() {
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "db.f.drop(); \
         printjson(db.f.findAndModify({query: {_id: 1}, update: {$inc: {n: 1}}, upsert: true, new: true})); \
         printjson(db.f.findAndModify({query: {_id: 1}, update: {$inc: {n: 5}}})); \
         printjson(db.f.findAndModify({query: {_id: 1}, remove: true})); \
         print(db.f.findAndModify({query: {_id: 1}, remove: true})); \
         printjson(db.f.findOneAndUpdate({_id: 2}, {$set: {a: 1}}, {upsert: true, returnNewDocument: true})); \
         printjson(db.f.findOneAndReplace({_id: 2}, {b: 2}, {projection: {_id: 0}})); \
         printjson(db.f.findOneAndDelete({_id: 2})); print(db.f.count()); \
         try { db.f.findOneAndUpdate({_id: 3}, {b: 1}); } catch (e) { print(e.message); }",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "{ \"_id\" : 1, \"n\" : 1 }\n\
{ \"_id\" : 1, \"n\" : 1 }\n\
{ \"_id\" : 1, \"n\" : 6 }\n\
null\n\
{ \"_id\" : 2, \"a\" : 1 }\n\
{ \"a\" : 1 }\n\
{ \"_id\" : 2, \"b\" : 2 }\n\
0\n\
the update operation document must contain atomic operators\n",
        "{}",
        r.all()
    );
}

#[test]
fn cursors_index_and_report_their_state() {
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "db.k.drop(); for (var i = 0; i < 30; i++) db.k.insert({_id: i}); \
         var c = db.k.find().sort({_id: 1}); print(c[0]._id, c[29]._id, c[30], c.length()); \
         var d = db.k.find().sort({_id: -1}).batchSize(5); print(d.next()._id, d.objsLeftInBatch(), \
         d.getId().toNumber() > 0, d.isClosed(), d.isExhausted()); d.close(); print(d.isClosed()); \
         var e = db.k.find({_id: {$lt: 3}}); e.toArray(); print(e.isExhausted(), e.getId()); \
         print(db.k.find().skip(25).limit(10).countReturn(), db.k.find().limit(4).size(), \
         db.k.find().limit(4).count()); \
         var q = db.k.find({_id: 1}).comment('c').maxTimeMS(1000).noCursorTimeout().collation({locale: 'simple'}); \
         print(q.clone().next()._id, q.getOptions() === DBQuery.Option.noTimeout); \
         var a = db.k.aggregate([{$match: {_id: {$lt: 2}}}]); print(a[1]._id, a.length()); \
         try { db.k.find().addOption(DBQuery.Option.exhaust); } catch (err) { print(err.message); }",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "0 29 undefined 30\n\
29 4 true false false\n\
true\n\
true NumberLong(0)\n\
5 4 30\n\
1 true\n\
1 2\n\
exhaust cursors are not supported by rsh\n",
        "{}",
        r.all()
    );
}

#[test]
fn user_and_role_administration() {
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "db.createRole({role: 'reader', privileges: [{resource: {db: 'test', collection: ''}, actions: ['find']}], roles: []}); \
         db.createRole({role: 'ops', privileges: [], roles: ['reader', {role: 'read', db: 'test'}]}); \
         var g = db.getRole('ops'); print(g.role, g.isBuiltin, g.roles.length, g.inheritedRoles.length); \
         var p = db.getRole('reader', {showPrivileges: true}); print(p.privileges[0].actions); \
         db.grantPrivilegesToRole('reader', [{resource: {db: 'test', collection: ''}, actions: ['insert']}]); \
         print(db.getRole('reader', {showPrivileges: true}).privileges[0].actions); \
         db.revokeRolesFromRole('ops', ['read']); print(db.getRole('ops').roles.length); \
         try { db.grantRolesToRole('reader', ['ops']); } catch (e) { print(e.code, e.message); } \
         try { db.createRole({role: 'reader', privileges: [], roles: []}); } catch (e) { print(e.code, e.message); } \
         db.updateRole('ops', {roles: []}); print(db.getRoles().length, db.getRole('nope')); \
         db.createUser({user: 'u1', pwd: 'p1', roles: ['ops']}); \
         db.grantRolesToUser('u1', ['readWrite']); print(tojson(db.getUser('u1').roles)); \
         db.revokeRolesFromUser('u1', ['ops']); db.changeUserPassword('u1', 'p2'); \
         db.updateUser('u1', {customData: {team: 'dba'}}); var u = db.getUser('u1'); \
         print(u.roles.length, u.customData.team, db.getUsers().length); \
         print(db.dropRole('ops'), db.dropRole('ops'), db.dropAllRoles(), db.dropAllUsers(), db.getUser('u1'));",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "{\n\t\"role\" : \"reader\",\n\t\"privileges\" : [\n\t\t{\n\t\t\t\"resource\" : {\n\t\t\t\t\"db\" : \"test\",\n\t\t\t\t\"collection\" : \"\"\n\t\t\t},\n\t\t\t\"actions\" : [\n\t\t\t\t\"find\"\n\t\t\t]\n\t\t}\n\t],\n\t\"roles\" : [ ]\n}\n\
{\n\t\"role\" : \"ops\",\n\t\"privileges\" : [ ],\n\t\"roles\" : [\n\t\t\"reader\",\n\t\t{\n\t\t\t\"role\" : \"read\",\n\t\t\t\"db\" : \"test\"\n\t\t}\n\t]\n}\n\
ops false 2 2\n\
find\n\
find,insert\n\
1\n\
49 Granting roles to reader@test would introduce a cycle in the role graph.\n\
51002 Role \"reader@test\" already exists\n\
2 null\n\
Successfully added user: { \"user\" : \"u1\", \"roles\" : [ \"ops\" ] }\n\
[\n\t{\n\t\t\"role\" : \"ops\",\n\t\t\"db\" : \"test\"\n\t},\n\t{\n\t\t\"role\" : \"readWrite\",\n\t\t\"db\" : \"test\"\n\t}\n]\n\
1 dba 1\n\
true false 1 1 null\n",
        "{}",
        r.all()
    );
}

#[test]
fn sessions_and_unsupported_names() {
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "var s = db.getMongo().startSession(); var id = s.getSessionId(); \
         print(id.id instanceof BinData, id.id.subtype(), s.hasEnded()); \
         var sdb = s.getDatabase('test'); sdb.sc.insert({a: 1}); print(sdb.sc.count(), sdb.getSession() === s); \
         try { s.startTransaction(); } catch (e) { print(e.message); } \
         s.endSession(); print(s.hasEnded()); \
         try { db.eval('1'); } catch (e) { print(e.message); } \
         try { db.c.copyTo('x'); } catch (e) { print(e.message); }",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "true 4 false\n\
1 true\n\
session.startTransaction is not supported by rsh: multi-document transactions are not supported by rsh: it is an admin shell for replica-set maintenance; run transactions from an application driver\n\
true\n\
db.eval is not supported by rsh: server-side JavaScript (eval) was removed in MongoDB 4.2\n\
db.collection.copyTo is not supported by rsh: copyTo ran server-side JavaScript (eval), which MongoDB 4.2 removed; use aggregate with $out or $merge\n",
        "{}",
        r.all()
    );
}

#[test]
fn server_features_the_helpers_use() {
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "db.s.drop(); db.s.insert({_id: 1, n: NumberInt(5), l: NumberLong(1), d: 2.5}); \
         db.s.update({_id: 1}, {$bit: {n: {and: NumberInt(4), or: NumberInt(8)}, l: {xor: NumberLong(3)}}}); \
         printjson(db.s.findOne()); \
         print(db.s.update({_id: 1}, {$bit: {d: {and: NumberInt(1)}}}).getWriteError().code); \
         printjson(db.s.aggregate([{$project: {_id: 0, n: {$type: '$n'}, d: {$type: '$d'}, x: {$type: '$x'}}}]).toArray()); \
         db.nan.drop(); db.nan.insert([{_id: 1, v: NaN}, {_id: 2, v: 1}, {_id: 3, v: -Infinity}]); \
         print(db.nan.find({v: {$lt: 5}}).count(), db.nan.find({v: NaN}).count(), \
         db.nan.find({v: {$gte: NaN}}).count(), db.nan.find({v: {$gt: NaN}}).count(), \
         tojson(db.nan.find().sort({v: 1}).map(function (d) { return d._id; }))); \
         db.ts.drop(); db.ts.insert({_id: Timestamp(0, 0), t: Timestamp(0, 0), u: Timestamp(5, 1)}); \
         var t = db.ts.findOne(); print(t._id, t.t.getTime() > 0, t.u);",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "{ \"_id\" : 1, \"n\" : 12, \"l\" : NumberLong(2), \"d\" : 2.5 }\n\
14\n\
[ { \"n\" : \"int\", \"d\" : \"double\", \"x\" : \"missing\" } ]\n\
2 1 1 0 [ 1, 3, 2 ]\n\
Timestamp(0, 0) true Timestamp(5, 1)\n",
        "{}",
        r.all()
    );
}

#[test]
fn data_written_by_rsh_reads_back_as_the_legacy_shell_wrote_it() {
    let Some(python) = support::pymongo_python("legacy data semantics") else {
        return;
    };
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "db.types.drop(); var d = {_id: 'a', dbl: 42, frac: 1.5, i32: NumberInt(7), i64: NumberLong(9), \
         big: 3000000000, ts: Timestamp(0, 0)}; db.types.insert(d); \
         var s = {name: 'saved'}; db.types.save(s); var plain = {x: 1}; db.types.insert(plain); \
         print(typeof s._id, s._id instanceof ObjectId, plain._id instanceof ObjectId, \
         db.types.find({_id: s._id}).count(), db.types.find({_id: plain._id}).count(), \
         db.types.find({dbl: {$type: 'double'}}).count(), db.types.find({i32: {$type: 'int'}}).count())",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(r.stdout, "object true true 1 1 1 1\n", "{}", r.all());
    let py = r#"import sys
from pymongo import MongoClient
from bson.int64 import Int64
from bson.timestamp import Timestamp
c = MongoClient(sys.argv[1], directConnection=True, serverSelectionTimeoutMS=20000)
d = c.test.types.find_one({'_id': 'a'})
def kind(v):
    if isinstance(v, Int64): return 'int64'
    if isinstance(v, bool): return 'bool'
    if isinstance(v, int): return 'int32'
    if isinstance(v, float): return 'double'
    if isinstance(v, Timestamp): return 'timestamp:' + ('filled' if v.time > 0 else 'empty')
    return type(v).__name__
print(' '.join(k + '=' + kind(d[k]) for k in ['dbl', 'frac', 'i32', 'i64', 'big', 'ts']))
print(c.test.types.count_documents({'x': 1.0}), c.test.types.count_documents({'name': 'saved'}))
"#;
    let out = Command::new(python)
        .args(["-c", py, &format!("mongodb://{host}/")])
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        "dbl=double frac=double i32=int32 i64=int64 big=double ts=timestamp:filled\n1 1\n"
    );
}

#[test]
fn validate_and_profiling_helpers() {
    let m = one_member_primary();
    let host = m.host();
    let r = eval(
        &host,
        "db.v.drop(); db.v.insert([{_id: 1}, {_id: 2}]); db.v.createIndex({a: 1}); \
         var v = db.v.validate(); assert(v.valid, tojson(v)); print(v.ns, v.nrecords, v.nIndexes); \
         assert(db.v.validate({full: true}).valid); \
         print(db.getProfilingLevel()); var s = db.getProfilingStatus(); print(s.was, s.slowms); \
         assert.commandWorked(db.setProfilingLevel(0)); \
         try { db.setProfilingLevel(5); } catch (e) { print(e.message); } \
         try { db.setProfilingLevel(2); print('level 2 accepted'); } catch (e) { print(e.code); }",
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(
        r.stdout,
        "test.v NumberLong(2) 2\n0\n0 100\ninput level 5 is out of range [0..2]\n20\n",
        "{}",
        r.all()
    );
}
