use std::fs::OpenOptions;
use std::io::Write;

use bson::{doc, Bson};

use super::{first_batch, run};
use crate::data::Store;

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn open(p: &std::path::Path) -> Store {
    Store::open(p).unwrap_or_else(|e| panic!("open: {e}"))
}

#[test]
fn data_survive_reopen_without_clean_shutdown() {
    let d = dir();
    let before;
    {
        let s = open(d.path());
        s.set_term(4);
        run(
            &s,
            "test",
            doc! {"insert": "c", "documents": [{"_id": 1, "a": 1}, {"_id": 2}]},
        );
        run(
            &s,
            "test",
            doc! {"update": "c", "updates": [{"q": {"_id": 1}, "u": {"$set": {"a": 2}}}]},
        );
        run(
            &s,
            "test",
            doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1", "unique": true}]},
        );
        s.set_replset_config(&doc! {"_id": "rs0", "version": 2});
        s.put_local("replset.election", doc! {"term": 4i64, "votedFor": 1});
        s.append_noop(doc! {"msg": "periodic noop"});
        before = s.last_applied();
        // Dropped without any shutdown call: only what each command wrote is on disk.
    }
    let s = open(d.path());
    assert_eq!(s.term(), 4);
    assert_eq!(s.last_applied(), before);
    assert_eq!(
        first_batch(&run(&s, "test", doc! {"find": "c"})),
        vec![doc! {"_id": 1, "a": 2}, doc! {"_id": 2}]
    );
    assert_eq!(s.replset_config(), Some(doc! {"_id": "rs0", "version": 2}));
    assert_eq!(
        s.get_local("replset.election"),
        Some(doc! {"term": 4i64, "votedFor": 1})
    );
    let r = run(
        &s,
        "test",
        doc! {"insert": "c", "documents": [{"_id": 3, "a": 2}]},
    );
    assert!(
        r.get_array("writeErrors").is_ok(),
        "unique index survives the restart"
    );
    let w = s.append_noop(doc! {"msg": "after restart"});
    assert!(w > before);
}

#[test]
fn a_second_store_cannot_share_the_dbpath() {
    let d = dir();
    let s = open(d.path());
    let err = Store::open(d.path()).err().unwrap_or_default();
    assert!(
        err.contains("Another mongod instance is already running"),
        "{err}"
    );
    drop(s);
    open(d.path());
}

#[test]
fn torn_journal_tail_is_ignored_and_overwritten() {
    let d = dir();
    {
        let s = open(d.path());
        run(&s, "test", doc! {"insert": "c", "documents": [{"_id": 1}]});
    }
    let journal = d.path().join("rsh-data.journal.0");
    let mut f = OpenOptions::new()
        .append(true)
        .open(&journal)
        .unwrap_or_else(|e| panic!("{e}"));
    f.write_all(&[200, 0, 0, 0, 1, 2, 3])
        .unwrap_or_else(|e| panic!("{e}"));
    drop(f);
    {
        let s = open(d.path());
        assert_eq!(
            run(&s, "test", doc! {"count": "c"}),
            doc! {"n": 1, "ok": 1.0}
        );
        run(&s, "test", doc! {"insert": "c", "documents": [{"_id": 2}]});
    }
    let s = open(d.path());
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 2, "ok": 1.0}
    );
}

#[test]
fn checkpoint_and_import_survive_reopen() {
    let d = dir();
    {
        let s = open(d.path());
        run(
            &s,
            "test",
            doc! {"insert": "c", "documents": (0..100).map(|i| Bson::Document(doc! {"_id": i})).collect::<Vec<_>>()},
        );
        s.checkpoint();
        run(
            &s,
            "test",
            doc! {"delete": "c", "deletes": [{"q": {"_id": {"$lt": 10}}, "limit": 0}]},
        );
    }
    {
        let s = open(d.path());
        assert_eq!(
            run(&s, "test", doc! {"count": "c"}),
            doc! {"n": 90, "ok": 1.0}
        );
        let src = Store::in_memory();
        run(
            &src,
            "x",
            doc! {"insert": "y", "documents": [{"_id": "only"}]},
        );
        s.import_snapshot(&src.export_snapshot())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.persistence_error(), None);
    }
    let s = open(d.path());
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 0, "ok": 1.0}
    );
    assert_eq!(
        first_batch(&run(&s, "x", doc! {"find": "y"})),
        vec![doc! {"_id": "only"}]
    );
    let stale: Vec<_> = std::fs::read_dir(d.path())
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.starts_with("rsh-data.journal."))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(stale.len(), 1, "{stale:?}");
}

fn journal_files(p: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| n.starts_with("rsh-data.journal."))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn insert_batches(s: &Store, from: i64, batches: i64) {
    for b in from..from + batches {
        let docs: Vec<Bson> = (0..20)
            .map(|i| Bson::Document(doc! {"_id": b * 20 + i, "pad": "x".repeat(40)}))
            .collect();
        run(s, "test", doc! {"insert": "c", "documents": docs});
    }
}

#[test]
fn background_compactions_lose_no_write() {
    let d = dir();
    {
        let s = open(d.path());
        s.with_journal(|j| j.set_compaction_threshold(4 * 1024));
        insert_batches(&s, 0, 150);
        s.with_journal(|j| j.wait_for_snapshot());
        assert_eq!(s.persistence_error(), None);
        assert!(d.path().join("rsh-data.snapshot").exists());
        let files = journal_files(d.path());
        assert!(
            !files.contains(&"rsh-data.journal.0".to_string()),
            "compaction happened and removed the first journal: {files:?}"
        );
        insert_batches(&s, 150, 10);
        // Dropped without a checkpoint, as under SIGKILL.
    }
    let s = open(d.path());
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 160 * 20, "ok": 1.0}
    );
}

#[test]
fn a_snapshot_that_never_landed_leaves_two_journals_to_replay() {
    let d = dir();
    {
        let s = open(d.path());
        insert_batches(&s, 0, 3);
        // The journal switched to generation 1 but the snapshot thread died before its rename.
        s.with_journal(|j| {
            if let Err(e) = j.next_generation() {
                panic!("{e}");
            }
        });
        insert_batches(&s, 3, 2);
        assert_eq!(
            journal_files(d.path()),
            vec!["rsh-data.journal.0", "rsh-data.journal.1"]
        );
    }
    {
        let s = open(d.path());
        assert_eq!(
            run(&s, "test", doc! {"count": "c"}),
            doc! {"n": 100, "ok": 1.0}
        );
        insert_batches(&s, 5, 1);
    }
    let s = open(d.path());
    assert_eq!(
        run(&s, "test", doc! {"count": "c"}),
        doc! {"n": 120, "ok": 1.0}
    );
}
