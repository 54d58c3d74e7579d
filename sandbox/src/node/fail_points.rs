//! Fail points, as mongod offers them with `--setParameter enableTestCommands=1`: the
//! `configureFailPoint` command, the modes (`off`, `alwaysOn`, `{times}`, `{skip}`,
//! `{activationProbability}`), `failCommand` (fail, block or drop a client's command, or add a
//! write-concern error to its reply), and the replication fail points our tests use
//! (`stopReplProducer`: a sync source serves no oplog entries; `rsSyncApplyStop`: a secondary
//! stops fetching and applying), and the two drivers' test suites use: `maxTimeAlwaysTimeOut`
//! (every command with a maxTimeMS times out) and `onPrimaryTransactionalWrite` (a retryable
//! write drops its connection after it is applied, or fails before with
//! `failBeforeCommitExceptionCode`). Without the parameter the command does not exist, as on
//! mongod.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bson::{doc, Bson, Document};

use super::dispatch::Request;
use super::Node;
use crate::error::CmdError;

/// The fail points this simulator evaluates; any other name is refused like an unknown one.
pub const KNOWN: &[&str] = &[
    "failCommand",
    "stopReplProducer",
    "rsSyncApplyStop",
    MAX_TIME_ALWAYS_TIME_OUT,
    ON_PRIMARY_TRANSACTIONAL_WRITE,
];

const MAX_TIME_ALWAYS_TIME_OUT: &str = "maxTimeAlwaysTimeOut";
const ON_PRIMARY_TRANSACTIONAL_WRITE: &str = "onPrimaryTransactionalWrite";

/// Replication fail points.
pub const STOP_REPL_PRODUCER: &str = "stopReplProducer";
pub const RS_SYNC_APPLY_STOP: &str = "rsSyncApplyStop";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Off,
    AlwaysOn,
    Times(i64),
    Skip(i64),
    Probability(f64),
}

#[derive(Debug)]
struct FailPoint {
    mode: Mode,
    data: Document,
    times_entered: i64,
}

impl FailPoint {
    /// Evaluates the mode once for a caller the fail point applies to: true when it fires.
    fn fire(&mut self) -> bool {
        let on = match &mut self.mode {
            Mode::Off => false,
            Mode::AlwaysOn => true,
            Mode::Times(n) => {
                *n -= 1;
                if *n <= 0 {
                    self.mode = Mode::Off;
                }
                true
            }
            Mode::Skip(n) if *n > 0 => {
                *n -= 1;
                false
            }
            Mode::Skip(_) => true,
            Mode::Probability(p) => rand::random::<f64>() < *p,
        };
        if on {
            self.times_entered += 1;
        }
        on
    }
}

/// One process's fail points (all off at start).
#[derive(Debug)]
pub struct FailPoints {
    enabled: bool,
    points: Mutex<HashMap<String, FailPoint>>,
}

/// What `failCommand` does to one command.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CommandFailure {
    pub close_connection: bool,
    pub block: Option<Duration>,
    /// errorCode and the labels to put on the error (None: the usual retryable-write label rules).
    pub error: Option<(i32, Option<Vec<String>>)>,
    /// Appended to the command's reply after it ran.
    pub write_concern_error: Option<Document>,
    pub labels: Option<Vec<String>>,
}

impl FailPoints {
    pub fn new(enabled: bool) -> FailPoints {
        FailPoints {
            enabled,
            points: Mutex::new(HashMap::new()),
        }
    }

    /// `enableTestCommands` was given at startup.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, FailPoint>> {
        self.points.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The `configureFailPoint` command: `{count}` is how often the point fired before.
    pub fn configure(&self, cmd: &Document) -> Result<Document, CmdError> {
        let name = match cmd.get("configureFailPoint") {
            Some(Bson::String(s)) => s.clone(),
            _ => {
                return Err(CmdError::type_mismatch(
                    "BSON field 'configureFailPoint.configureFailPoint' is the wrong type, expected type 'string'",
                ))
            }
        };
        if !KNOWN.contains(&name.as_str()) {
            return Err(CmdError::new(
                266,
                "FailPointSetFailed",
                format!("{name} not found"),
            ));
        }
        let mode = parse_mode(cmd)?;
        let data = match cmd.get("data") {
            None => Document::new(),
            Some(Bson::Document(d)) => d.clone(),
            Some(_) => {
                return Err(CmdError::type_mismatch(
                    "the 'data' option must be a JSON object",
                ))
            }
        };
        if name == "failCommand" && mode != Mode::Off {
            check_fail_command_data(&data)?;
        }
        let mut points = self.lock();
        let fp = points.entry(name.clone()).or_insert(FailPoint {
            mode: Mode::Off,
            data: Document::new(),
            times_entered: 0,
        });
        let count = fp.times_entered;
        fp.mode = mode;
        fp.data = data;
        crate::log::write(
            'W',
            "CONTROL",
            23829,
            "conn",
            "Set failpoint",
            doc! {"failPointName": &name, "failPoint": {"mode": format!("{mode:?}"), "data": fp.data.clone(), "timesEntered": fp.times_entered}},
        );
        Ok(doc! {"count": count})
    }

    /// True when the named (replication) fail point fires now.
    pub fn fires(&self, name: &str) -> bool {
        if !self.enabled {
            return false;
        }
        self.lock().get_mut(name).is_some_and(FailPoint::fire)
    }

    /// The `data` a fail point was configured with.
    fn data(&self, name: &str) -> Document {
        self.lock()
            .get(name)
            .map(|f| f.data.clone())
            .unwrap_or_default()
    }

    /// What `failCommand` does to this client command, if anything. `app_name` is the
    /// connection's handshake appName; internal (member) traffic is never failed.
    pub fn fail_command(&self, req: &Request, app_name: Option<&str>) -> Option<CommandFailure> {
        if !self.enabled || req.name == "configureFailPoint" {
            return None;
        }
        let mut points = self.lock();
        let fp = points.get_mut("failCommand")?;
        if fp.mode == Mode::Off || !applies(&fp.data, req, app_name) {
            return None;
        }
        if !fp.fire() {
            return None;
        }
        let d = &fp.data;
        let labels = d.get_array("errorLabels").ok().map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        });
        let block = (d.get_bool("blockConnection") == Ok(true))
            .then(|| Duration::from_millis(int(d, "blockTimeMS").unwrap_or(0).max(0) as u64));
        Some(CommandFailure {
            close_connection: d.get_bool("closeConnection") == Ok(true),
            block,
            error: int(d, "errorCode").map(|c| (c as i32, labels.clone())),
            write_concern_error: d.get_document("writeConcernError").ok().cloned(),
            labels,
        })
    }
}

/// The members' own commands to each other (never failed unless `failInternalCommands`).
const MEMBER_COMMANDS: &[&str] = &[
    "replSetHeartbeat",
    "replSetRequestVotes",
    "replSetUpdatePosition",
    "replSetStepUp",
];

/// Runs a client command under `failCommand`'s verdict: drop the connection (`close` set, no
/// reply), block first, fail with the configured code, or run it and add a write-concern error.
pub async fn run_failing(
    node: &Arc<Node>,
    req: &Request,
    failure: Option<CommandFailure>,
    close: &mut bool,
) -> Result<Document, CmdError> {
    let fps = &node.fail_points;
    if fps.enabled() {
        let cursor_max_time = || match req.cmd.get("getMore") {
            Some(Bson::Int64(id)) if req.name == "getMore" => node.store.cursor_has_max_time(*id),
            _ => false,
        };
        let max_time = req
            .cmd
            .get("maxTimeMS")
            .is_some_and(|v| !matches!(v, Bson::Int32(0) | Bson::Int64(0)))
            || cursor_max_time();
        if max_time && fps.fires(MAX_TIME_ALWAYS_TIME_OUT) {
            return Err(CmdError::new(
                50,
                "MaxTimeMSExpired",
                "operation exceeded time limit",
            ));
        }
        if req.is_retryable_write() && statements(req) > 0 {
            return transactional_write(node, req, failure, close).await;
        }
    }
    let Some(f) = failure else {
        return super::commands::run(node, req).await;
    };
    apply_failure(node, req, f, close).await
}

async fn apply_failure(
    node: &Arc<Node>,
    req: &Request,
    f: CommandFailure,
    close: &mut bool,
) -> Result<Document, CmdError> {
    if f.close_connection {
        *close = true;
        return Ok(Document::new());
    }
    if let Some(d) = f.block {
        // mongod's block is an interruptible sleep: the command's time limit ends it.
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = super::max_time::reached(req.deadline) => return Err(super::max_time::expired()),
        }
    }
    if let Some((code, labels)) = f.error {
        let mut e = CmdError::new(
            code,
            code_name(code),
            "Failing command via 'failCommand' failpoint",
        );
        if let Some(labels) = labels {
            e = e.with_extra(doc! {"errorLabels": labels});
        }
        return Err(e);
    }
    let mut reply = super::commands::run(node, req).await?;
    if let Some(wce) = f.write_concern_error {
        let ok = reply.remove("ok");
        reply.insert("writeConcernError", wce);
        if let Some(labels) = f.labels {
            reply.insert("errorLabels", labels);
        }
        if let Some(ok) = ok {
            reply.insert("ok", ok);
        }
    }
    Ok(reply)
}

/// The statements of a write command (what `onPrimaryTransactionalWrite` counts).
fn statements(req: &Request) -> usize {
    let list = match req.name.as_str() {
        "insert" => "documents",
        "update" => "updates",
        "delete" => "deletes",
        "findAndModify" | "findandmodify" => return 1,
        _ => return 0,
    };
    req.cmd.get_array(list).map_or(0, Vec::len)
}

/// A retryable write under `onPrimaryTransactionalWrite`: evaluated once per statement; when
/// it fires, the write fails before it is applied (`failBeforeCommitExceptionCode`) or is
/// applied, and the connection is dropped unless `closeConnection: false`. A retry that
/// executes nothing new (already applied) is answered normally.
async fn transactional_write(
    node: &Arc<Node>,
    req: &Request,
    failure: Option<CommandFailure>,
    close: &mut bool,
) -> Result<Document, CmdError> {
    let fps = &node.fail_points;
    let fired = (0..statements(req)).any(|_| fps.fires(ON_PRIMARY_TRANSACTIONAL_WRITE));
    if !fired {
        return run_failing_plain(node, req, failure, close).await;
    }
    let data = fps.data(ON_PRIMARY_TRANSACTIONAL_WRITE);
    let close_it = data.get_bool("closeConnection").unwrap_or(true);
    if let Some(code) = int(&data, "failBeforeCommitExceptionCode") {
        if close_it {
            *close = true;
            return Ok(Document::new());
        }
        return Err(CmdError::new(
            code as i32,
            code_name(code as i32),
            "Failing write for test before commit",
        ));
    }
    let before = node.store.last_applied();
    let reply = super::commands::run(node, req).await?;
    if close_it && node.store.last_applied() > before {
        *close = true;
    }
    Ok(reply)
}

/// failCommand alone (the path of writes the transactional fail point let through).
async fn run_failing_plain(
    node: &Arc<Node>,
    req: &Request,
    failure: Option<CommandFailure>,
    close: &mut bool,
) -> Result<Document, CmdError> {
    let Some(f) = failure else {
        return super::commands::run(node, req).await;
    };
    apply_failure(node, req, f, close).await
}

/// Code names of the errors tests ask failCommand for; other codes get mongod's `Location<code>`.
fn code_name(code: i32) -> &'static str {
    const NAMES: &[(i32, &str)] = &[
        (1, "InternalError"),
        (2, "BadValue"),
        (6, "HostUnreachable"),
        (7, "HostNotFound"),
        (8, "UnknownError"),
        (11, "UserNotFound"),
        (13, "Unauthorized"),
        (14, "TypeMismatch"),
        (20, "IllegalOperation"),
        (24, "LockTimeout"),
        (26, "NamespaceNotFound"),
        (43, "CursorNotFound"),
        (50, "MaxTimeMSExpired"),
        (59, "CommandNotFound"),
        (64, "WriteConcernFailed"),
        (89, "NetworkTimeout"),
        (91, "ShutdownInProgress"),
        (100, "UnsatisfiableWriteConcern"),
        (112, "WriteConflict"),
        (134, "ReadConcernMajorityNotAvailableYet"),
        (175, "QueryPlanKilled"),
        (189, "PrimarySteppedDown"),
        (211, "KeyNotFound"),
        (251, "NoSuchTransaction"),
        (262, "ExceededTimeLimit"),
        (9001, "SocketException"),
        (10107, "NotWritablePrimary"),
        (11600, "InterruptedAtShutdown"),
        (11601, "Interrupted"),
        (11602, "InterruptedDueToReplStateChange"),
        (13388, "StaleConfig"),
        (13435, "NotPrimaryNoSecondaryOk"),
        (13436, "NotPrimaryOrSecondary"),
    ];
    if let Some((_, n)) = NAMES.iter().find(|(c, _)| *c == code) {
        return n;
    }
    // Names of other codes are made once per distinct code and kept (a handful in any test run).
    static OTHERS: Mutex<Vec<(i32, &'static str)>> = Mutex::new(Vec::new());
    let mut others = OTHERS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, n)) = others.iter().find(|(c, _)| *c == code) {
        return n;
    }
    let name: &'static str = Box::leak(format!("Location{code}").into_boxed_str());
    others.push((code, name));
    name
}

/// failCommand's filter: the command is listed, the appName matches, and it is not a member's.
fn applies(data: &Document, req: &Request, app_name: Option<&str>) -> bool {
    let listed = data
        .get_array("failCommands")
        .is_ok_and(|a| a.iter().any(|c| c.as_str() == Some(req.name.as_str())));
    if !listed {
        return false;
    }
    if let Ok(want) = data.get_str("appName") {
        if app_name != Some(want) {
            return false;
        }
    }
    let internal = MEMBER_COMMANDS.contains(&req.name.as_str())
        || req.name.starts_with("_sandbox")
        || req.conn.auth.users.iter().any(|u| u.user == "__system");
    !internal || data.get_bool("failInternalCommands") == Ok(true)
}

fn check_fail_command_data(data: &Document) -> Result<(), CmdError> {
    match data.get("failCommands") {
        Some(Bson::Array(a)) if a.iter().all(|c| matches!(c, Bson::String(_))) => Ok(()),
        Some(_) => Err(CmdError::type_mismatch(
            "'failCommands' must be an array of command names",
        )),
        None => Err(CmdError::new(
            4,
            "NoSuchKey",
            "Missing expected field \"failCommands\"",
        )),
    }
}

fn int(d: &Document, k: &str) -> Option<i64> {
    match d.get(k)? {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.fract() == 0.0 => Some(*v as i64),
        _ => None,
    }
}

/// mongod's parsing of `mode`, with its codes and messages.
fn parse_mode(cmd: &Document) -> Result<Mode, CmdError> {
    let bad = |m: String| CmdError::bad_value(m);
    let count = |m: &Document, k: &str| -> Result<i64, CmdError> {
        let v = match m.get(k) {
            Some(Bson::Int32(v)) => i64::from(*v),
            Some(Bson::Int64(v)) => *v,
            Some(Bson::Double(v)) => *v as i64,
            _ => {
                return Err(CmdError::type_mismatch(format!(
                    "\"{k}\" had the wrong type. Expected number"
                )))
            }
        };
        if v < 0 {
            return Err(bad(format!("'{k}' option to 'mode' must be positive")));
        }
        if v > i64::from(i32::MAX) {
            return Err(bad(format!("'{k}' option to 'mode' is too large")));
        }
        Ok(v)
    };
    match cmd.get("mode") {
        None => Err(CmdError::new(
            20,
            "IllegalOperation",
            "When setting a failpoint, you must supply a 'mode'",
        )),
        Some(Bson::String(s)) if s == "off" => Ok(Mode::Off),
        Some(Bson::String(s)) if s == "alwaysOn" => Ok(Mode::AlwaysOn),
        Some(Bson::String(s)) => Err(bad(format!("unknown mode: {s}"))),
        Some(Bson::Document(m)) if m.contains_key("times") => {
            let n = count(m, "times")?;
            Ok(if n == 0 { Mode::Off } else { Mode::Times(n) })
        }
        Some(Bson::Document(m)) if m.contains_key("skip") => Ok(Mode::Skip(count(m, "skip")?)),
        Some(Bson::Document(m)) if m.contains_key("activationProbability") => {
            let p = match m.get("activationProbability") {
                Some(Bson::Double(v)) => *v,
                Some(Bson::Int32(v)) => f64::from(*v),
                Some(Bson::Int64(v)) => *v as f64,
                _ => {
                    return Err(CmdError::type_mismatch(
                        "the 'activationProbability' option to 'mode' must be a double between 0 and 1",
                    ))
                }
            };
            if !(0.0..=1.0).contains(&p) {
                return Err(bad(format!(
                    "activationProbability must be between 0.0 and 1.0; found {p}"
                )));
            }
            Ok(Mode::Probability(p))
        }
        Some(Bson::Document(_)) => Err(bad(
            "'mode' must be one of 'off', 'alwaysOn', '{times:n}', '{skip:n}' or '{activationProbability:p}'"
                .to_string(),
        )),
        Some(_) => Err(CmdError::type_mismatch(
            "'mode' must be a string or JSON object",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(fp: &FailPoints, cmd: Document) -> Result<Document, CmdError> {
        fp.configure(&cmd)
    }

    #[test]
    fn modes_parse_as_mongod_does() {
        let fp = FailPoints::new(true);
        let err = |cmd: Document| configure(&fp, cmd).unwrap_err();
        assert_eq!(
            err(doc! {"configureFailPoint": "nope", "mode": "alwaysOn"}).code,
            266
        );
        assert_eq!(err(doc! {"configureFailPoint": "rsSyncApplyStop"}).code, 20);
        assert_eq!(
            err(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": "sometimes"}).code,
            2
        );
        assert_eq!(
            err(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": {"times": -1}}).code,
            2
        );
        assert_eq!(err(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": {"activationProbability": 2.0}}).code, 2);
        assert_eq!(
            err(doc! {"configureFailPoint": "rsSyncApplyStop", "mode": 5}).code,
            14
        );
        assert_eq!(
            err(doc! {"configureFailPoint": "failCommand", "mode": "alwaysOn", "data": {}}).code,
            4
        );
    }

    #[test]
    fn times_and_skip_count_firings() {
        let fp = FailPoints::new(true);
        let r = configure(
            &fp,
            doc! {"configureFailPoint": "rsSyncApplyStop", "mode": {"times": 2}},
        );
        assert_eq!(r.unwrap().get_i64("count"), Ok(0));
        assert!(fp.fires(RS_SYNC_APPLY_STOP));
        assert!(fp.fires(RS_SYNC_APPLY_STOP));
        assert!(!fp.fires(RS_SYNC_APPLY_STOP));
        let r = configure(
            &fp,
            doc! {"configureFailPoint": "rsSyncApplyStop", "mode": {"skip": 1}},
        );
        assert_eq!(r.unwrap().get_i64("count"), Ok(2));
        assert!(!fp.fires(RS_SYNC_APPLY_STOP));
        assert!(fp.fires(RS_SYNC_APPLY_STOP));
        configure(
            &fp,
            doc! {"configureFailPoint": "rsSyncApplyStop", "mode": "off"},
        )
        .unwrap();
        assert!(!fp.fires(RS_SYNC_APPLY_STOP));
    }

    #[test]
    fn disabled_points_never_fire() {
        let fp = FailPoints::new(false);
        configure(
            &fp,
            doc! {"configureFailPoint": "rsSyncApplyStop", "mode": "alwaysOn"},
        )
        .unwrap();
        assert!(!fp.fires(RS_SYNC_APPLY_STOP));
    }
}
