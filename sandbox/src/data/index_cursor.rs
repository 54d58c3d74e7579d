//! A find cursor over an index scan: each batch continues the key ranges after the last entry
//! it looked at, so a broad indexed query answers its first batch without reading every match.

use std::collections::{HashSet, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use bson::Document;

use super::collection::Collection;
use super::compare::Key;
use super::matcher::Filter;
use super::planner::{entry_ranges, non_empty, Interval, Target};
use super::secondary::{valid_range, Entry};

pub struct IndexScan {
    pub db: String,
    pub coll: String,
    /// The index by name (`_id_` for the `_id` index): a dropped index ends the cursor.
    pub index: String,
    pub bounds: Vec<Option<Vec<Interval>>>,
    pub filter: Filter,
    pub skip: u64,
    /// The range being scanned and the last entry looked at in it.
    range: usize,
    last: Option<Entry>,
    /// Record ids already returned (a multikey document has several entries).
    seen: HashSet<u64>,
    /// An index with a descending field: the rest of its entries in index order, gathered at
    /// the first batch (entries are stored ascending).
    ordered: Option<VecDeque<Entry>>,
}

impl IndexScan {
    pub fn new(
        db: String,
        coll: String,
        c: &Collection,
        target: Target,
        bounds: Vec<Option<Vec<Interval>>>,
        filter: Filter,
        skip: u64,
    ) -> IndexScan {
        let index = match target {
            Target::Id => "_id_".to_string(),
            Target::Sec(i) => c
                .secondary
                .get(i)
                .map(|ix| ix.name.clone())
                .unwrap_or_default(),
        };
        IndexScan {
            db,
            coll,
            index,
            bounds,
            filter,
            skip,
            range: 0,
            last: None,
            seen: HashSet::new(),
            ordered: None,
        }
    }

    /// Passes matching documents (after `skip`) to `emit` until it returns false; true when
    /// the scan is exhausted.
    pub fn advance(
        &mut self,
        c: &Collection,
        emit: &mut dyn FnMut(&Arc<Document>, u32, u64) -> bool,
    ) -> bool {
        if self.index == "_id_" {
            return self.advance_id(c, emit);
        }
        let Some(ix) = c.secondary.iter().find(|s| s.name == self.index) else {
            return true;
        };
        let ranges = entry_ranges(&self.bounds);
        if !ix.ascending() {
            let queue = self
                .ordered
                .get_or_insert_with(|| ix.in_index_order(&ranges).into());
            while let Some((_, rid)) = queue.pop_front() {
                if super::interrupt::expired() {
                    return false;
                }
                if ix.multikey && !self.seen.insert(rid) {
                    continue;
                }
                if !offer(c, rid, &self.filter, &mut self.skip, emit) {
                    return false;
                }
            }
            return true;
        }
        while self.range < ranges.len() {
            let (lo, hi) = &ranges[self.range];
            let lo = match self.last.take() {
                Some(e) => Bound::Excluded(e),
                None => lo.clone(),
            };
            if valid_range(&lo, hi) {
                for (key, rid) in ix.entries.range((lo, hi.clone())) {
                    if super::interrupt::expired() {
                        return false;
                    }
                    self.last = Some((key.clone(), *rid));
                    if ix.multikey && !self.seen.insert(*rid) {
                        continue;
                    }
                    if !self.offer(c, *rid, emit) {
                        return false;
                    }
                }
            }
            self.range += 1;
            self.last = None;
        }
        true
    }

    fn advance_id(
        &mut self,
        c: &Collection,
        emit: &mut dyn FnMut(&Arc<Document>, u32, u64) -> bool,
    ) -> bool {
        let Some(ix) = &c.id_index else { return true };
        let full = vec![(Bound::Unbounded, Bound::Unbounded)];
        let ivs = self.bounds.first().cloned().flatten().unwrap_or(full);
        while self.range < ivs.len() {
            let (lo, hi) = &ivs[self.range];
            let lo = match self.last.take() {
                Some((mut k, _)) => match k.pop() {
                    Some(k) => Bound::Excluded(k),
                    None => lo.clone(),
                },
                None => lo.clone(),
            };
            let iv: Interval = (lo, hi.clone());
            if non_empty(&iv) {
                for (key, rid) in ix.range(iv) {
                    if super::interrupt::expired() {
                        return false;
                    }
                    self.last = Some((vec![Key(key.0.clone())], *rid));
                    if !self.offer(c, *rid, emit) {
                        return false;
                    }
                }
            }
            self.range += 1;
            self.last = None;
        }
        true
    }

    /// Checks one record; false when `emit` wants no more.
    fn offer(
        &mut self,
        c: &Collection,
        rid: u64,
        emit: &mut dyn FnMut(&Arc<Document>, u32, u64) -> bool,
    ) -> bool {
        offer(c, rid, &self.filter, &mut self.skip, emit)
    }
}

/// Checks one record against the filter and the skip; false when `emit` wants no more.
fn offer(
    c: &Collection,
    rid: u64,
    filter: &Filter,
    skip: &mut u64,
    emit: &mut dyn FnMut(&Arc<Document>, u32, u64) -> bool,
) -> bool {
    let Some(stored) = c.docs.get(&rid) else {
        return true;
    };
    let doc = stored.doc();
    if !filter.matches(&doc) {
        return true;
    }
    if *skip > 0 {
        *skip -= 1;
        return true;
    }
    emit(&doc, stored.size, rid)
}
