//! Command dispatch for the data layer.

use bson::Document;

use super::engine::Engine;
use super::CmdOutcome;
use crate::sandbox::error::CmdError;

pub fn dispatch(
    _e: &mut Engine,
    _db: &str,
    name: &str,
    _cmd: &Document,
) -> Result<CmdOutcome, CmdError> {
    Err(CmdError::command_not_found(name))
}
