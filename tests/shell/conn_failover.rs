//! stepDown through a replica-set connection: the reply is printed (no crash), the old primary's
//! own prompt turns SECONDARY, and the same session's next writes reach the new primary.

use std::time::Duration;

use support::session::Session;
use support::{eval, rsh_initiated_three, wait_for};

#[test]
fn step_down_is_followed_by_the_session() {
    let root = tempfile::tempdir().expect("tempdir");
    let (_members, hosts, primary) = rsh_initiated_three(root.path(), Duration::from_secs(60));

    let seeds = format!("rs0/{}", hosts.join(","));
    let mut s = Session::start(&["--quiet", "--host", &seeds]);
    let out = s.run("db.c.insert({_id: 1})", Duration::from_secs(30));
    assert_eq!(
        out, "WriteResult({ \"nInserted\" : 1 })\n",
        "{}",
        s.transcript
    );
    let out = s.run("rs.stepDown(30)", Duration::from_secs(60));
    assert!(
        out.contains("\"ok\" : 1"),
        "stepDown prints its reply: {}",
        s.transcript
    );

    let r = eval(&primary, "print(defaultPrompt())");
    assert_eq!(r.stdout, "rs0:SECONDARY> \n", "{}", r.all());

    let written = wait_for(Duration::from_secs(60), || {
        let out = s.run("db.c.insert({_id: 2}).nInserted", Duration::from_secs(30));
        (out == "1\n").then_some(())
    });
    assert!(
        written.is_some(),
        "the session writes to the new primary: {}",
        s.transcript
    );
    let out = s.run(
        "db.c.find().sort({_id: 1}).toArray().map(function (d) { return d._id; }).join(',')",
        Duration::from_secs(30),
    );
    assert_eq!(out, "1,2\n", "{}", s.transcript);
    let prompt = wait_for(Duration::from_secs(30), || {
        let p = s.run("print(defaultPrompt())", Duration::from_secs(30));
        (p == "rs0:PRIMARY> \n").then_some(())
    });
    assert!(
        prompt.is_some(),
        "the session's prompt shows the new primary: {}",
        s.transcript
    );
}
