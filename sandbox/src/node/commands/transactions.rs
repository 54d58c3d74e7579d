//! Multi-document transactions are not implemented: the first command of one (the one carrying
//! `startTransaction`) is refused with IllegalOperation before anything runs, so nothing is
//! written and clients learn it at once instead of trusting an abort that undoes nothing.
//! Commands that continue a transaction (`autocommit: false`) and commit/abort find none in
//! progress, as mongod answers for an unknown transaction number.

use bson::{Bson, Document};

use crate::error::CmdError;

/// The refusal for a command that is part of a transaction; `None` for any other command.
pub fn refuse(name: &str, cmd: &Document) -> Option<CmdError> {
    if cmd.contains_key("startTransaction") {
        return Some(CmdError::new(
            20,
            "IllegalOperation",
            "Multi-document transactions are not supported by rsh-sandbox (the simulator \
             refuses them rather than run the operations without a transaction)",
        ));
    }
    let in_txn = matches!(cmd.get("autocommit"), Some(Bson::Boolean(false)));
    if in_txn || matches!(name, "commitTransaction" | "abortTransaction") {
        let txn = match cmd.get("txnNumber") {
            Some(Bson::Int64(n)) => n.to_string(),
            Some(Bson::Int32(n)) => n.to_string(),
            _ => "none".to_string(),
        };
        return Some(CmdError::new(
            251,
            "NoSuchTransaction",
            format!(
                "Given transaction number {txn} does not match any in-progress transactions. \
                 rsh-sandbox does not support multi-document transactions"
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn transactions_are_refused_and_plain_commands_pass() {
        let start = doc! {"insert": "c", "documents": [{}], "txnNumber": 1i64,
        "startTransaction": true, "autocommit": false};
        assert_eq!(refuse("insert", &start).map(|e| e.code), Some(20));
        let next = doc! {"find": "c", "txnNumber": 1i64, "autocommit": false};
        assert_eq!(refuse("find", &next).map(|e| e.code), Some(251));
        let commit = doc! {"commitTransaction": 1, "txnNumber": 1i64, "autocommit": false};
        assert_eq!(
            refuse("commitTransaction", &commit).map(|e| e.code),
            Some(251)
        );
        let retryable = doc! {"insert": "c", "documents": [{}], "txnNumber": 1i64};
        assert!(refuse("insert", &retryable).is_none());
    }
}
