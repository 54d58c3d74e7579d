//! Damaged files: every single-byte change in a journal or a snapshot makes open fail with the
//! file and offset (never a partial copy); `--repair` salvages what the checksums prove and, for
//! a replica-set member that lost something, keeps only its config so it resyncs.

use std::path::Path;

use bson::{doc, Bson};

use super::run;
use crate::data::{repair, Store};

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn seed(s: &Store, from: i32, n: i32) {
    for i in from..from + n {
        run(
            s,
            "test",
            doc! {"insert": "c", "documents": [{"_id": i, "pad": "x".repeat(40)}]},
        );
    }
}

fn count(s: &Store) -> i32 {
    run(s, "test", doc! {"count": "c"})
        .get_i32("n")
        .unwrap_or(-1)
}

/// Flips byte `at` of `path` (xor 0x20), returning the original file.
fn flip(path: &Path, at: usize) -> Vec<u8> {
    let orig = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let mut bad = orig.clone();
    bad[at] ^= 0x20;
    std::fs::write(path, &bad).unwrap_or_else(|e| panic!("{e}"));
    orig
}

#[test]
fn every_byte_flip_in_a_journal_refuses_to_start() {
    let d = dir();
    drop({
        let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
        seed(&s, 0, 12);
        s
    });
    let journal = d.path().join("rsh-data.journal.0");
    let len = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) as usize;
    assert!(len > 500, "journal of {len} bytes");
    // Exhaustive: every byte of the journal.
    for at in 0..len {
        let orig = flip(&journal, at);
        match Store::open(d.path()) {
            Ok(s) => panic!("flip at {at} opened with {} documents", count(&s)),
            Err(e) => {
                assert!(e.contains("rsh-data.journal.0 is damaged at offset"), "{e}");
                assert!(e.contains("--repair"), "{e}");
            }
        }
        std::fs::write(&journal, &orig).unwrap_or_else(|e| panic!("{e}"));
    }
    let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&s), 12);
}

#[test]
fn every_byte_flip_in_a_snapshot_refuses_to_start() {
    let d = dir();
    drop({
        let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
        seed(&s, 0, 10);
        s.checkpoint();
        s
    });
    let snap = d.path().join("rsh-data.snapshot");
    let len = std::fs::metadata(&snap).map(|m| m.len()).unwrap_or(0) as usize;
    for at in 0..len {
        let orig = flip(&snap, at);
        match Store::open(d.path()) {
            Ok(s) => panic!("flip at {at} opened with {} documents", count(&s)),
            Err(e) => assert!(e.contains("rsh-data.snapshot is damaged at offset"), "{e}"),
        }
        std::fs::write(&snap, &orig).unwrap_or_else(|e| panic!("{e}"));
    }
    // Truncated at a record boundary or anywhere else, or deleted: refused too.
    let orig = std::fs::read(&snap).unwrap_or_default();
    for cut in [orig.len() - 1, orig.len() / 2, 12] {
        std::fs::write(&snap, &orig[..cut]).unwrap_or_else(|e| panic!("{e}"));
        assert!(Store::open(d.path()).is_err(), "cut at {cut}");
    }
    std::fs::remove_file(&snap).unwrap_or_else(|e| panic!("{e}"));
    let e = Store::open(d.path()).err().unwrap_or_default();
    assert!(e.contains("rsh-data.snapshot is missing"), "{e}");
    std::fs::write(&snap, &orig).unwrap_or_else(|e| panic!("{e}"));
    let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&s), 10);
}

#[test]
fn repair_salvages_what_the_checksums_prove() {
    let d = dir();
    drop({
        let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
        seed(&s, 0, 20);
        s
    });
    let journal = d.path().join("rsh-data.journal.0");
    let len = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) as usize;
    flip(&journal, len / 2);
    assert!(Store::open(d.path()).is_err());
    let report = repair(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.lost && !report.resync, "{report:?}");
    let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
    // One insert's records are lost; the rest are back, in a store that opens cleanly.
    assert_eq!(count(&s), 19);
    seed(&s, 100, 1);
    assert_eq!(count(&s), 20);
}

#[test]
fn repair_of_a_member_that_lost_data_keeps_only_its_config_to_resync() {
    let d = dir();
    drop({
        let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
        s.set_replset_config(&doc! {"_id": "rs0", "version": 1});
        seed(&s, 0, 20);
        s
    });
    let journal = d.path().join("rsh-data.journal.0");
    let len = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) as usize;
    flip(&journal, len - 30);
    let report = repair(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.resync, "{report:?}");
    let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&s), 0);
    assert_eq!(s.last_applied(), crate::data::OpTime::null());
    assert_eq!(s.replset_config(), Some(doc! {"_id": "rs0", "version": 1}));
}

#[test]
fn a_clean_repair_changes_nothing() {
    let d = dir();
    drop({
        let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
        s.set_replset_config(&doc! {"_id": "rs0", "version": 1});
        seed(&s, 0, 5);
        s.checkpoint();
        seed(&s, 5, 5);
        s
    });
    let report = repair(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!report.lost && !report.resync, "{report:?}");
    let s = Store::open(d.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count(&s), 10);
    let all = run(
        &s,
        "test",
        doc! {"find": "c", "filter": {"_id": {"$gte": 5}}},
    );
    assert!(
        matches!(all.get_document("cursor").ok().and_then(|c| c.get("firstBatch")), Some(Bson::Array(a)) if a.len() == 5)
    );
}
