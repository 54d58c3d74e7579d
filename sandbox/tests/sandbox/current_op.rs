//! `currentOp` / `killOp` on a sandbox member: a waiting command is listed with mongod's fields,
//! killOp ends it with 11601 Interrupted, and rsh's db.currentOp() shows itself.

use std::time::Duration;

use bson::{doc, Bson, Document};
use support::{ok, one_member_primary, rsh, wait_for};

fn inprog(d: &Document) -> Vec<Document> {
    d.get_array("inprog")
        .unwrap_or_else(|_| panic!("no inprog: {d}"))
        .iter()
        .filter_map(|b| b.as_document().cloned())
        .collect()
}

#[test]
fn a_waiting_hello_is_listed_and_killed() {
    let m = one_member_primary();
    let tv = m
        .connect()
        .admin(doc! {"hello": 1})
        .get_document("topologyVersion")
        .cloned()
        .expect("topologyVersion");
    // An awaitable hello on its own connection waits up to 60 s for a topology change.
    let waiter = m.connect();
    let handle = std::thread::spawn(move || {
        let mut waiter = waiter;
        waiter.admin(doc! {"hello": 1, "topologyVersion": tv, "maxAwaitTimeMS": 60_000})
    });

    let mut c = m.connect();
    // Not listed without $all (an idle wait), listed with it.
    let op = wait_for(Duration::from_secs(10), || {
        inprog(&c.admin(doc! {"currentOp": 1, "$all": true}))
            .into_iter()
            .find(|d| {
                d.get_document("command")
                    .is_ok_and(|cmd| cmd.contains_key("maxAwaitTimeMS"))
            })
    })
    .expect("the waiting hello in currentOp($all)");
    for key in [
        "type",
        "host",
        "desc",
        "connectionId",
        "client",
        "active",
        "opid",
        "secs_running",
        "microsecs_running",
        "op",
        "ns",
        "command",
    ] {
        assert!(op.contains_key(key), "{key} missing: {op}");
    }
    assert_eq!(op.get_str("op"), Ok("command"));
    assert_eq!(op.get_str("ns"), Ok("admin.$cmd"));
    assert_eq!(op.get_bool("active"), Ok(true));
    let listed = inprog(&c.admin(doc! {"currentOp": 1}));
    assert!(
        listed.iter().all(|d| !d
            .get_document("command")
            .is_ok_and(|cmd| cmd.contains_key("maxAwaitTimeMS"))),
        "waiting hellos only with $all: {listed:?}"
    );
    // The currentOp command sees itself; a filter narrows the list.
    assert!(listed.iter().any(|d| d
        .get_document("command")
        .is_ok_and(|cmd| cmd.contains_key("currentOp"))));
    let none = inprog(&c.admin(doc! {"currentOp": 1, "op": "insert"}));
    assert!(none.is_empty(), "{none:?}");

    let opid = match op.get("opid") {
        Some(Bson::Int64(n)) => *n,
        other => panic!("opid {other:?}"),
    };
    let r = c.admin(doc! {"killOp": 1, "op": opid});
    assert!(ok(&r), "{r}");
    assert_eq!(r.get_str("info"), Ok("attempting to kill op"));
    // The wait ends with mongod's interruption error instead of a hello reply 60 s later.
    let reply = handle.join().expect("waiter thread");
    assert_eq!(reply.get_i32("code"), Ok(11601), "{reply}");
    assert_eq!(reply.get_str("codeName"), Ok("Interrupted"));

    // Errors: killOp without op, currentOp outside admin.
    let r = c.admin(doc! {"killOp": 1});
    assert_eq!(r.get_i32("code"), Ok(4), "{r}");
    let r = c.run("test", doc! {"currentOp": 1});
    assert_eq!(r.get_i32("code"), Ok(13), "{r}");
}

#[test]
fn rsh_current_op_lists_its_own_command() {
    let m = one_member_primary();
    let r = rsh(
        &[
            "--quiet",
            &m.host(),
            "--eval",
            "var ops = db.currentOp().inprog; \
             print(ops.some(function (o) { return o.command.currentOp === 1 && o.op === 'command'; }))",
        ],
        "",
        Duration::from_secs(60),
    );
    assert_eq!(r.stdout, "true\n", "{}", r.all());
}
