//! Initial sync of a member added to a set holding more data than one reply can carry: the
//! source hands its data out in pages, and the newcomer ends with every document.

use std::time::Duration;

use bson::{doc, Bson};
use support::{current_config, fast_set, ok, wait_for, Member};

#[test]
fn a_member_added_to_a_set_with_60_mb_of_data_copies_all_of_it() {
    let (members, primary) = fast_set();
    let p = members.iter().find(|m| m.host() == primary).unwrap();
    let mut pc = p.connect();
    // 600 documents of 100 KB: 60 MB, more than the 48 MB a single reply may carry.
    let pad = "z".repeat(100 * 1024);
    for batch in 0..30 {
        let docs: Vec<Bson> = (0..20)
            .map(|i| Bson::Document(doc! {"_id": batch * 20 + i, "pad": &pad}))
            .collect();
        let r = pc.run("big", doc! {"insert": "c", "documents": docs});
        assert!(ok(&r), "{r}");
    }

    let newcomer = Member::sandbox(&["--replSet", "rs0"]);
    let mut next = current_config(&mut pc);
    let version = next.get_i32("version").unwrap();
    let mut ms = next.get_array("members").unwrap().clone();
    ms.push(Bson::Document(doc! {"_id": 3, "host": newcomer.host()}));
    next.insert("members", ms);
    next.insert("version", version + 1);
    let r = pc.admin(doc! {"replSetReconfig": next});
    assert!(ok(&r), "{r}");

    // Written while the newcomer syncs: the oplog brings these after the copy.
    let r = pc.run("big", doc! {"insert": "c", "documents": [{"_id": 1000}]});
    assert!(ok(&r), "{r}");

    let n = wait_for(Duration::from_secs(60), || {
        let mut c = newcomer.connect();
        let s = c.admin(doc! {"replSetGetStatus": 1});
        if s.get_i32("myState") != Ok(2) {
            return None;
        }
        let r = c.run(
            "big",
            doc! {"count": "c", "$readPreference": {"mode": "secondaryPreferred"}},
        );
        let n = r.get_i32("n").ok()?;
        (n == 601).then_some(n)
    });
    assert_eq!(n, Some(601), "the newcomer holds every document");
    assert!(
        newcomer.log().contains("Initial sync done"),
        "initial sync ran"
    );
}
