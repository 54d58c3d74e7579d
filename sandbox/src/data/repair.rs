//! `--repair`: rebuild `--dbpath` from every record whose checksums hold (snapshot, then every
//! journal in order), write it as a fresh snapshot, and drop the journals. When something was
//! lost and the dbpath belongs to a replica-set member, only the member's own `local` state (its
//! config and election record) is kept: it then starts empty and resyncs from its peers instead
//! of serving a partial copy.

use std::path::Path;

use bson::doc;

use super::compaction::Frozen;
use super::engine::Engine;
use super::journal::{
    journal_gens, journal_path, load_snapshot_record, lock_dbpath, read_file,
    remove_journals_before, replay, SNAPSHOT,
};
use super::records::salvage;

/// What a repair found and did.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairReport {
    pub records: u64,
    pub skipped_bytes: u64,
    /// Something could not be proven whole (damage, a missing end record or generation).
    pub lost: bool,
    /// The data was dropped so the member resyncs from its replica set.
    pub resync: bool,
}

pub fn repair(dir: &Path) -> Result<RepairReport, String> {
    let lock = lock_dbpath(dir)?;
    let mut engine = Engine::empty();
    let mut report = RepairReport {
        records: 0,
        skipped_bytes: 0,
        lost: false,
        resync: false,
    };
    let mut gen = 0;
    let snap_path = dir.join(SNAPSHOT);
    let snapshot = read_file(&snap_path)?;
    let had_snapshot = snapshot.is_some();
    if let Some(buf) = snapshot {
        let (recs, skipped) = salvage(&buf);
        report.skipped_bytes += skipped as u64;
        let mut ended = false;
        for r in recs {
            report.records += 1;
            ended |= load_snapshot_record(r, &mut engine, &mut gen).is_some();
        }
        report.lost |= skipped > 0 || !ended;
    }
    let gens = journal_gens(dir, if had_snapshot { gen } else { 0 });
    report.lost |= !had_snapshot && gens.iter().any(|g| *g > 0) && !journal_path(dir, 0).exists();
    report.lost |= gens.windows(2).any(|w| w[1] != w[0] + 1);
    for g in &gens {
        if let Some(buf) = read_file(&journal_path(dir, *g))? {
            let (recs, skipped) = salvage(&buf);
            report.skipped_bytes += skipped as u64;
            report.lost |= skipped > 0;
            for r in recs {
                report.records += 1;
                // A record that no longer applies (its collection was lost) is skipped.
                let _ = replay(std::iter::once(r), &mut engine);
            }
        }
    }
    if report.lost && engine.get_local("system.replset").is_some() {
        engine.drop_all_but_member_state();
        report.resync = true;
    }
    let new_gen = gens.iter().copied().max().unwrap_or(gen).max(gen) + 1;
    Frozen::take(&engine, new_gen).write(dir, SNAPSHOT)?;
    remove_journals_before(dir, new_gen + 1);
    drop(lock);
    crate::log::write(
        'I',
        "STORAGE",
        21029,
        "initandlisten",
        "Repair finished",
        doc! {"dbpath": dir.display().to_string(), "recordsSalvaged": report.records as i64,
        "bytesSkipped": report.skipped_bytes as i64, "dataLost": report.lost,
        "resyncFromReplicaSet": report.resync},
    );
    Ok(report)
}

impl Engine {
    /// Keeps only the member's own `local` state (config, election record): no user data, an
    /// empty oplog, a null optime, so the member starts with an initial sync.
    fn drop_all_but_member_state(&mut self) {
        self.dbs.retain(|db, _| db == "local");
        if let Some(local) = self.dbs.get_mut("local") {
            local.remove("oplog.rs");
        }
        self.ensure_oplog();
        self.last_ts = bson::Timestamp {
            time: 0,
            increment: 0,
        };
        self.last_applied = super::optime::OpTime::null();
        self.last_wall = bson::DateTime::from_millis(0);
    }
}
