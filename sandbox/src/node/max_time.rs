//! `maxTimeMS`: a command's time limit, as mongod enforces it. The limit starts when the command
//! arrives; every wait (a failCommand block, fsync's write lock, write concern) ends at it, and
//! a read's scans stop at it (data::interrupt) and it is answered MaxTimeMSExpired; a write that
//! has started completes. A cursor keeps what is left of its find/aggregate's limit for its
//! getMores (awaitData cursors excepted: their getMore's own maxTimeMS is how long to wait for
//! data).

use std::time::{Duration, Instant};

use bson::{Bson, Document};

use super::dispatch::Request;
use super::Node;
use crate::error::CmdError;

/// Commands that read `maxTimeMS` as a bound of their own (replSetReconfig's wait for the
/// current config to commit), so no general limit applies to them.
const OWN_MEANING: &[&str] = &["replSetReconfig"];

/// mongod's error when the limit passes.
pub fn expired() -> CmdError {
    CmdError::new(50, "MaxTimeMSExpired", "operation exceeded time limit")
}

/// The `maxTimeMS` of a command: None when absent or 0 (no limit); mongod's BadValue errors for
/// a non-number, a negative or too large number, and a fractional double.
pub fn parse(cmd: &Document) -> Result<Option<Duration>, CmdError> {
    let ms = match cmd.get("maxTimeMS") {
        None | Some(Bson::Null) => return Ok(None),
        Some(Bson::Int32(i)) => i64::from(*i),
        Some(Bson::Int64(i)) => *i,
        Some(Bson::Double(f)) => {
            if !(0.0..=f64::from(i32::MAX)).contains(f) {
                return Err(CmdError::bad_value("maxTimeMS is out of range"));
            }
            if f.fract() != 0.0 {
                return Err(CmdError::bad_value("maxTimeMS has non-integral value"));
            }
            *f as i64
        }
        Some(Bson::Decimal128(d)) => match d.to_string().parse::<f64>() {
            Ok(f) if (0.0..=f64::from(i32::MAX)).contains(&f) => f as i64,
            _ => return Err(CmdError::bad_value("maxTimeMS is out of range")),
        },
        Some(_) => return Err(CmdError::bad_value("maxTimeMS must be a number")),
    };
    if !(0..=i64::from(i32::MAX)).contains(&ms) {
        return Err(CmdError::bad_value("maxTimeMS is out of range"));
    }
    Ok((ms > 0).then(|| Duration::from_millis(ms as u64)))
}

/// When `req` must be done by: now plus its `maxTimeMS`, or for a getMore what its cursor has
/// left (None: no limit).
pub fn deadline(node: &Node, req: &Request, arrived: Instant) -> Result<Option<Instant>, CmdError> {
    if OWN_MEANING.contains(&req.name.as_str()) {
        return Ok(None);
    }
    if req.name == "getMore" {
        let id = match req.cmd.get("getMore") {
            Some(Bson::Int64(i)) => *i,
            Some(Bson::Int32(i)) => i64::from(*i),
            _ => return Ok(None),
        };
        return Ok(node.store.cursor_time_left(id).map(|left| arrived + left));
    }
    Ok(parse(&req.cmd)?.map(|limit| arrived + limit))
}

/// Whether the limit has passed.
pub fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Resolves when the limit passes (never without one).
pub async fn reached(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn parses_like_mongod() {
        assert_eq!(parse(&doc! {}).unwrap(), None);
        assert_eq!(parse(&doc! {"maxTimeMS": 0}).unwrap(), None);
        assert_eq!(
            parse(&doc! {"maxTimeMS": 250i64}).unwrap(),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse(&doc! {"maxTimeMS": 5.0}).unwrap(),
            Some(Duration::from_millis(5))
        );
        let msg = |d: Document| parse(&d).unwrap_err().errmsg;
        assert_eq!(msg(doc! {"maxTimeMS": -1}), "maxTimeMS is out of range");
        assert_eq!(
            msg(doc! {"maxTimeMS": i64::from(i32::MAX) + 1}),
            "maxTimeMS is out of range"
        );
        assert_eq!(
            msg(doc! {"maxTimeMS": 1.5}),
            "maxTimeMS has non-integral value"
        );
        assert_eq!(msg(doc! {"maxTimeMS": "1"}), "maxTimeMS must be a number");
        assert_eq!(parse(&doc! {"maxTimeMS": "1"}).unwrap_err().code, 2);
    }

    #[test]
    fn expired_is_mongods_error() {
        let e = expired();
        assert_eq!((e.code, e.code_name), (50, "MaxTimeMSExpired"));
        assert_eq!(e.errmsg, "operation exceeded time limit");
    }

    #[tokio::test]
    async fn reached_waits_for_the_deadline_only() {
        let soon = Instant::now() + Duration::from_millis(20);
        reached(Some(soon)).await;
        assert!(passed(Some(soon)));
        assert!(!passed(None));
        let never = tokio::time::timeout(Duration::from_millis(20), reached(None)).await;
        assert!(never.is_err());
    }
}
