//! Oplog positions: `OpTime { ts, t }` and the clock that hands out strictly increasing timestamps.

use bson::{doc, Document, Timestamp};

/// A point in the oplog: the entry's timestamp and the election term it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpTime {
    pub ts: Timestamp,
    pub t: i64,
}

impl OpTime {
    /// The "null" optime a member reports before it has written anything.
    pub fn null() -> OpTime {
        OpTime {
            ts: Timestamp {
                time: 0,
                increment: 0,
            },
            t: -1,
        }
    }

    /// `{ts: Timestamp, t: NumberLong}` as in replSetGetStatus and hello's lastWrite.
    pub fn to_document(self) -> Document {
        doc! { "ts": self.ts, "t": self.t }
    }

    /// Reads `{ts, t}` (t may be any integer type); `None` when the shape is wrong.
    pub fn from_document(d: &Document) -> Option<OpTime> {
        let ts = d.get_timestamp("ts").ok()?;
        let t = match d.get("t")? {
            bson::Bson::Int64(v) => *v,
            bson::Bson::Int32(v) => i64::from(*v),
            bson::Bson::Double(v) => *v as i64,
            _ => return None,
        };
        Some(OpTime { ts, t })
    }

    /// Ordering used by elections and replication: by timestamp, then by term.
    pub fn key(self) -> (u64, i64) {
        (pack_ts(self.ts), self.t)
    }
}

impl PartialOrd for OpTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OpTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Real servers compare term first; within one history both orders agree.
        (self.t, pack_ts(self.ts)).cmp(&(other.t, pack_ts(other.ts)))
    }
}

/// Timestamp as one sortable integer (seconds in the high half, increment in the low half).
pub fn pack_ts(ts: Timestamp) -> u64 {
    (u64::from(ts.time) << 32) | u64::from(ts.increment)
}

pub fn unpack_ts(v: u64) -> Timestamp {
    Timestamp {
        time: (v >> 32) as u32,
        increment: (v & 0xffff_ffff) as u32,
    }
}

/// The next timestamp after `last`: the current second with increment 1, or `last` + 1 increment
/// when the clock has not moved (or went backwards).
pub fn next_ts(last: Timestamp) -> Timestamp {
    let now = chrono::Utc::now().timestamp().clamp(0, i64::from(u32::MAX)) as u32;
    if now > last.time {
        Timestamp {
            time: now,
            increment: 1,
        }
    } else if last.increment == u32::MAX {
        Timestamp {
            time: last.time.saturating_add(1),
            increment: 1,
        }
    } else {
        Timestamp {
            time: last.time,
            increment: last.increment + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_ts_is_strictly_increasing() {
        let mut last = Timestamp {
            time: 0,
            increment: 0,
        };
        for _ in 0..1000 {
            let n = next_ts(last);
            assert!(pack_ts(n) > pack_ts(last));
            last = n;
        }
        let far = Timestamp {
            time: u32::MAX - 1,
            increment: 7,
        };
        assert_eq!(
            next_ts(far),
            Timestamp {
                time: u32::MAX - 1,
                increment: 8
            }
        );
    }

    #[test]
    fn optime_round_trips_and_orders() {
        let a = OpTime {
            ts: Timestamp {
                time: 5,
                increment: 1,
            },
            t: 1,
        };
        let b = OpTime {
            ts: Timestamp {
                time: 5,
                increment: 2,
            },
            t: 1,
        };
        assert!(a < b);
        assert_eq!(OpTime::from_document(&a.to_document()), Some(a));
        assert_eq!(unpack_ts(pack_ts(b.ts)), b.ts);
        assert!(OpTime::from_document(&doc! {"ts": 1}).is_none());
    }
}
