//! The place where a connection plan becomes a live connection. The connection layer
//! (src/conn, issue 4) plugs in here; until it does, asking for a server is a clear error
//! rather than a pretend session.
use crate::cli::ConnectionPlan;
use crate::js::Runtime;

/// Connect `runtime` to the server(s) of `plan`. On failure the message is printed on stderr
/// followed by `exception: connect failed`, and rsh exits with status 1.
pub fn connect(_runtime: &mut Runtime, plan: &ConnectionPlan) -> Result<(), String> {
    Err(format!(
        "cannot connect to {}: this build of rsh has no connection layer yet (use --nodb)",
        plan.display_uri
    ))
}
