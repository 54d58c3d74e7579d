//! Durability under a full disk: with a file-size limit (RLIMIT_FSIZE) on the member, writes
//! fail with OutOfDiskSpace and are never acknowledged; writes stay refused until space comes
//! back; after a SIGKILL and restart every acknowledged `j: true` write is there.

use bson::{doc, Bson, Document};
use support::{ok, Member};

fn journal_len(m: &Member) -> u64 {
    std::fs::read_dir(&m.dir)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("rsh-data.journal.")
        })
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

fn insert_j(c: &mut support::Client, id: i32) -> Document {
    c.run(
        "test",
        doc! {"insert": "c", "documents": [{"_id": id, "pad": "p".repeat(500)}],
        "writeConcern": {"w": 1, "j": true}},
    )
}

fn acknowledged(reply: &Document) -> bool {
    ok(reply) && reply.get_i32("n").unwrap_or(0) == 1 && !reply.contains_key("writeErrors")
}

#[test]
fn a_full_disk_fails_writes_and_loses_none_that_were_acknowledged() {
    let mut m = Member::sandbox(&[]);
    let mut c = m.connect();
    assert!(acknowledged(&insert_j(&mut c, -1)));
    m.set_fsize_limit(Some(journal_len(&m) + 64 * 1024));
    let mut acked = vec![-1];
    let mut first_failure = None;
    for i in 0..400 {
        let r = insert_j(&mut c, i);
        if acknowledged(&r) {
            assert!(
                first_failure.is_none(),
                "write {i} acknowledged after a failure: {r}"
            );
            acked.push(i);
        } else {
            assert_eq!(r.get_i32("code").ok(), Some(14031), "{r}");
            assert_eq!(r.get_str("codeName").ok(), Some("OutOfDiskSpace"), "{r}");
            first_failure.get_or_insert(i);
            if i > first_failure.unwrap_or(i) + 20 {
                break;
            }
        }
    }
    assert!(first_failure.is_some(), "the limit was never reached");
    assert!(acked.len() > 10, "only {} acknowledged", acked.len());
    // Space comes back: writes are accepted again.
    m.set_fsize_limit(None);
    assert!(acknowledged(&insert_j(&mut c, 10_000)));
    acked.push(10_000);
    m.kill();
    m.spawn();
    let mut c = m.connect();
    let ids: Vec<Bson> = acked.iter().map(|i| Bson::Int32(*i)).collect();
    let n = c.run("test", doc! {"count": "c", "query": {"_id": {"$in": ids}}});
    assert_eq!(n.get_i32("n").ok(), Some(acked.len() as i32), "{n}");
}

#[test]
fn a_damaged_journal_stops_the_member_with_the_file_and_offset() {
    let mut m = Member::sandbox(&[]);
    let mut c = m.connect();
    for i in 0..5 {
        assert!(acknowledged(&insert_j(&mut c, i)));
    }
    m.kill();
    let path = m.dir.join("rsh-data.journal.0");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let out = std::process::Command::new(support::sandbox_binary())
        .args([
            "--port",
            &m.port.to_string(),
            "--bind_ip",
            "127.0.0.1",
            "--dbpath",
        ])
        .arg(&m.dir)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(100), "{log}");
    assert!(
        log.contains("rsh-data.journal.0 is damaged at offset"),
        "{log}"
    );
    // --repair salvages and exits; the member then starts with the other writes.
    let out = std::process::Command::new(support::sandbox_binary())
        .args(["--repair", "--dbpath"])
        .arg(&m.dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    m.spawn();
    let n = m.connect().run("test", doc! {"count": "c"});
    assert_eq!(n.get_i32("n").ok(), Some(4), "{n}");
}
