//! The command table: first key of the body → handler. What each command accepts is checked
//! before it gets here, by the table in fields.rs.

pub mod admin;
pub mod admin_state;
pub mod crud;
pub mod current_op;
pub mod durability;
pub mod fields;
pub mod hello;
pub mod info;
pub mod parameters;
pub mod replset_config;
pub mod replset_status;
pub mod rw_defaults;
pub mod tailing;
pub mod transactions;
pub mod write_concern;

use std::sync::Arc;

use bson::{Bson, Document};

use super::dispatch::Request;
use super::Node;
use super::{internal_cmds, stepdown};
use crate::data::Store;
use crate::error::CmdError;

pub async fn run(node: &Arc<Node>, req: &Request) -> Result<Document, CmdError> {
    match req.name.as_str() {
        "hello" | "isMaster" | "ismaster" => hello::hello(node, req).await,
        "ping" => Ok(Document::new()),
        "replSetGetStatus" => replset_status::get_status(node, req),
        "replSetGetConfig" => replset_status::get_config(node, req),
        "replSetInitiate" => replset_config::initiate(node, req).await,
        "replSetReconfig" => replset_config::reconfig(node, req).await,
        "setDefaultRWConcern" => rw_defaults::set(node, req).await,
        "getDefaultRWConcern" => rw_defaults::get(node, req),
        "buildInfo" | "buildinfo" => Ok(info::build_info()),
        "getCmdLineOpts" => admin_only(req).map(|_| info::cmd_line_opts(node)),
        "hostInfo" => Ok(info::host_info()),
        "getLog" => admin_only(req).and_then(|_| info::get_log(req)),
        "getParameter" => parameters::get(node, req),
        "setParameter" => parameters::set(node, req),
        "fsync" => admin::fsync(node, req).await,
        "fsyncUnlock" => admin::fsync_unlock(node, req),
        "setFeatureCompatibilityVersion" => admin::set_fcv(node, req).await,
        "replSetResizeOplog" => admin::replset_resize_oplog(node, req),
        "replSetAbortPrimaryCatchUp" => admin::abort_primary_catch_up(req),
        "killSessions" | "killAllSessions" => admin::kill_sessions(node, req),
        "logRotate" => admin::log_rotate(req),
        "top" => admin::top(node, req),
        "profile" => admin::profile(req),
        "aggregate" if admin::is_list_local_sessions(req) => admin::list_local_sessions(node, req),
        "serverStatus" => Ok(info::server_status(node, req)),
        "endSessions" => {
            if let Some(Bson::Array(ids)) = req.arg() {
                let ids: Vec<Bson> = ids
                    .iter()
                    .filter_map(|d| d.as_document()?.get("id").cloned())
                    .collect();
                node.admin.end_sessions(&ids);
            }
            Ok(info::sessions(req))
        }
        "refreshSessions" | "startSession" => Ok(info::sessions(req)),
        "whatsmyuri" => Ok(bson::doc! {"you": req.conn.peer.to_string()}),
        "connectionStatus" => Ok(info::connection_status()),
        "listCommands" => Ok(bson::doc! {"commands": {}}),
        "getFreeMonitoringStatus" => Ok(bson::doc! {"state": "disabled"}),
        "currentOp" => admin_only(req).and_then(|_| current_op::current_op(node, req)),
        "killOp" => admin_only(req).and_then(|_| current_op::kill_op(node, req)),
        "configureFailPoint" if node.fail_points.enabled() => {
            admin_only(req).and_then(|_| node.fail_points.configure(&req.cmd))
        }
        name if Store::command_kind(name).is_some() => crud::run(node, req).await,
        name => replica_command(node, req, name).await,
    }
}

/// The admin-only commands `stepdown::handle` answers.
const STEPDOWN_COMMANDS: &[&str] = &[
    "replSetStepDown",
    "replSetFreeze",
    "replSetSyncFrom",
    "replSetMaintenance",
];

/// replSetStepDown/Freeze/SyncFrom/Maintenance (stepdown) and the members' internal commands
/// (heartbeats, votes, positions, oplog pulls); anything else is CommandNotFound.
async fn replica_command(
    node: &Arc<Node>,
    req: &Request,
    name: &str,
) -> Result<Document, CmdError> {
    if STEPDOWN_COMMANDS.contains(&name) {
        admin_only(req)?;
    }
    if let Some(r) = stepdown::handle(node, name, &req.cmd).await {
        return r;
    }
    if let Some(r) = internal_cmds::handle(node, name, &req.cmd).await {
        return r;
    }
    Err(CmdError::command_not_found(name))
}

/// Commands that must run against `admin`.
pub fn admin_only(req: &Request) -> Result<(), CmdError> {
    if req.db == "admin" {
        return Ok(());
    }
    Err(CmdError::new(
        13,
        "Unauthorized",
        format!("{} may only be run against the admin database.", req.name),
    ))
}
