//! The error every command handler returns: it becomes `{ok: 0, errmsg, code, codeName}`.

use bson::Document;

#[derive(Debug, Clone, PartialEq)]
pub struct CmdError {
    pub code: i32,
    pub code_name: &'static str,
    pub errmsg: String,
    /// Extra fields placed before `ok` (e.g. `info`), in order. Boxed so `Result<_, CmdError>`
    /// stays small on the hot path where errors are rare.
    pub extra: Option<Box<Document>>,
}

impl CmdError {
    pub fn new(code: i32, code_name: &'static str, errmsg: impl Into<String>) -> Self {
        CmdError {
            code,
            code_name,
            errmsg: errmsg.into(),
            extra: None,
        }
    }

    pub fn with_extra(mut self, extra: Document) -> Self {
        self.extra = Some(Box::new(extra));
        self
    }

    /// The reply body without cluster time (the node appends `$clusterTime`/`operationTime`).
    pub fn to_reply(&self) -> Document {
        let mut d = self.extra.as_deref().cloned().unwrap_or_default();
        d.insert("ok", 0.0);
        d.insert("errmsg", self.errmsg.clone());
        d.insert("code", self.code);
        d.insert("codeName", self.code_name);
        d
    }

    /// Code 1 InternalError (a task that died, not the user's fault).
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::new(1, "InternalError", msg)
    }
    pub fn bad_value(msg: impl Into<String>) -> Self {
        Self::new(2, "BadValue", msg)
    }
    pub fn type_mismatch(msg: impl Into<String>) -> Self {
        Self::new(14, "TypeMismatch", msg)
    }
    pub fn command_not_found(name: &str) -> Self {
        Self::new(59, "CommandNotFound", format!("no such command: '{name}'"))
    }
    pub fn invalid_config(msg: impl Into<String>) -> Self {
        Self::new(93, "InvalidReplicaSetConfig", msg)
    }
    pub fn not_writable_primary() -> Self {
        Self::new(10107, "NotWritablePrimary", "not primary")
    }
    pub fn not_primary_no_secondary_ok() -> Self {
        Self::new(
            13435,
            "NotPrimaryNoSecondaryOk",
            "not primary and secondaryOk=false",
        )
    }
}

impl std::fmt::Display for CmdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code_name, self.code, self.errmsg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn reply_puts_extra_first_then_ok_errmsg_code_codename() {
        let e = CmdError::new(23, "AlreadyInitialized", "already initialized").with_extra(
            doc! {"info": "try querying local.system.replset to see current configuration"},
        );
        let keys: Vec<_> = e.to_reply().keys().cloned().collect();
        assert_eq!(keys, ["info", "ok", "errmsg", "code", "codeName"]);
    }

    #[test]
    fn error_stays_small_enough_to_return_by_value() {
        // clippy::result_large_err fires at 128 bytes; the boxed extra keeps us well below.
        assert!(std::mem::size_of::<CmdError>() <= 64);
        assert!(CmdError::bad_value("x").to_reply().get("info").is_none());
    }
}
