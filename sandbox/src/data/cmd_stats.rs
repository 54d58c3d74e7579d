//! collStats, dbStats and the `$collStats` stage's document. Sizes are estimates from the BSON
//! sizes kept per document (pages of 4 KiB on "disk"); index sizes from their keys.

use bson::{doc, Document};

use super::cmd_catalog::disk_size;
use super::commands::{coll_arg, ok};
use super::engine::Engine;
use super::CmdOutcome;
use crate::error::CmdError;

fn scale_arg(cmd: &Document) -> Result<i64, CmdError> {
    match cmd.get("scale").and_then(super::compare::to_f64) {
        None => Ok(1),
        Some(s) if s >= 1.0 => Ok(s as i64),
        Some(_) => Err(CmdError::bad_value("scale has to be >= 1")),
    }
}

/// The collStats fields (without `ok`) for `db.coll`, sizes divided by `scale`.
pub fn coll_stats_doc(e: &Engine, db: &str, coll: &str, scale: i64) -> Document {
    let ns = format!("{db}.{coll}");
    let Some(c) = e.coll(db, coll) else {
        return doc! {"ns": ns, "size": 0, "count": 0, "numOrphanDocs": 0, "storageSize": 0, "totalSize": 0,
        "nindexes": 0, "totalIndexSize": 0, "indexDetails": {}, "indexSizes": {}, "scaleFactor": scale as i32};
    };
    let count = c.count() as i64;
    let size = c.data_size as i64;
    let storage = disk_size(c) - 4096 * c.index_specs().len() as i64;
    let mut d = doc! {"ns": ns, "size": size / scale, "count": count};
    if count > 0 {
        d.insert("avgObjSize", size / count);
    }
    d.insert("numOrphanDocs", 0);
    d.insert("storageSize", storage / scale);
    d.insert("freeStorageSize", 0);
    d.insert("capped", c.is_capped());
    if let Some(max) = c.capped_max {
        d.insert("max", c.capped_max_docs.map_or(0, |m| m as i64));
        d.insert("maxSize", max as i64 / scale);
    }
    let index_sizes = c.index_sizes();
    let mut sizes = Document::new();
    for (name, size) in &index_sizes {
        sizes.insert(name, size / scale);
    }
    let index_total: i64 = index_sizes.iter().map(|(_, s)| s).sum();
    d.insert("nindexes", index_sizes.len() as i32);
    d.insert("indexDetails", Document::new());
    d.insert("indexBuilds", Vec::<bson::Bson>::new());
    d.insert("totalIndexSize", index_total / scale);
    d.insert("totalSize", (storage + index_total) / scale);
    d.insert("indexSizes", sizes);
    d.insert("scaleFactor", scale as i32);
    d
}

pub fn coll_stats(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let coll = coll_arg(cmd, "collStats", db)?;
    let scale = scale_arg(cmd)?;
    Ok(ok(coll_stats_doc(e, db, &coll, scale), None))
}

fn fs_sizes(e: &Engine) -> (i64, i64) {
    let path = e
        .dbpath
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let Ok(c) = std::ffi::CString::new(path.to_string_lossy().as_bytes()) else {
        return (0, 0);
    };
    // SAFETY: statvfs writes into a zeroed struct we own; the path is a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return (0, 0);
    }
    let frsize = st.f_frsize as i64;
    let total = st.f_blocks as i64 * frsize;
    let free = st.f_bfree as i64 * frsize;
    (total - free, total)
}

pub fn db_stats(e: &mut Engine, db: &str, cmd: &Document) -> Result<CmdOutcome, CmdError> {
    let scale = scale_arg(cmd)?;
    let colls = e.dbs.get(db);
    let n_colls = colls.map_or(0, |c| c.len()) as i64;
    let objects: i64 = colls.map_or(0, |c| c.values().map(|c| c.count() as i64).sum());
    let data: i64 = colls.map_or(0, |c| c.values().map(|c| c.data_size as i64).sum());
    let indexes: i64 = colls.map_or(0, |c| {
        c.values().map(|c| c.index_specs().len() as i64).sum()
    });
    let storage: i64 = colls.map_or(0, |c| {
        c.values()
            .map(|c| disk_size(c) - 4096 * c.index_specs().len() as i64)
            .sum()
    });
    let index_size: i64 = colls.map_or(0, |c| {
        c.values()
            .flat_map(|c| c.index_sizes())
            .map(|(_, s)| s)
            .sum()
    });
    let (used, total) = fs_sizes(e);
    let mut d = doc! {"db": db, "collections": n_colls, "views": 0i64, "objects": objects};
    d.insert(
        "avgObjSize",
        if objects > 0 {
            data as f64 / objects as f64
        } else {
            0.0
        },
    );
    d.insert("dataSize", (data / scale) as f64);
    d.insert("storageSize", (storage / scale) as f64);
    d.insert("indexes", indexes);
    d.insert("indexSize", (index_size / scale) as f64);
    d.insert("totalSize", ((storage + index_size) / scale) as f64);
    d.insert("scaleFactor", scale);
    d.insert("fsUsedSize", (used / scale) as f64);
    d.insert("fsTotalSize", (total / scale) as f64);
    Ok(ok(d, None))
}
