//! mongod's structured log (4.4+): one JSON document per line,
//! `{"t":{"$date":"…"},"s":"I",  "c":"REPL",     "id":21358,   "ctx":"…","msg":"…","attr":{…}}`,
//! written to `--logpath` (rotated aside unless `--logappend`, like mongod) or to stdout.
//! The last lines are kept in memory for `getLog`.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use bson::{Bson, Document};

/// Lines kept for `getLog: "global"` (mongod keeps a ring buffer of about this size).
const RING: usize = 1024;

struct Logger {
    file: Option<File>,
    /// Where `file` lives (for logRotate).
    path: Option<std::path::PathBuf>,
    recent: VecDeque<String>,
    total: u64,
    startup_warnings: Vec<String>,
}

static LOGGER: Mutex<Logger> = Mutex::new(Logger {
    file: None,
    path: None,
    recent: VecDeque::new(),
    total: 0,
    startup_warnings: Vec::new(),
});

fn lock() -> std::sync::MutexGuard<'static, Logger> {
    // A panic while holding the lock leaves plain data behind; keep logging.
    LOGGER.lock().unwrap_or_else(|p| p.into_inner())
}

/// Sends the log to `logpath` (or stdout when None). Without `append`, an existing file is renamed
/// to `<path>.<UTC timestamp>` first, as mongod does.
pub fn init(logpath: Option<&Path>, append: bool) -> Result<(), String> {
    let file = match logpath {
        None => None,
        Some(path) => {
            if path.is_dir() {
                return Err(format!(
                    "logpath \"{}\" should name a file, not a directory.",
                    path.display()
                ));
            }
            if !append && path.exists() {
                let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%S");
                let aside = format!("{}.{stamp}", path.display());
                std::fs::rename(path, &aside).map_err(|e| {
                    format!("Failed to rename old log file {}: {e}", path.display())
                })?;
            }
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("Failed to open logpath \"{}\": {e}", path.display()))?;
            Some(f)
        }
    };
    let mut l = lock();
    l.file = file;
    l.path = logpath.map(Path::to_path_buf);
    Ok(())
}

/// logRotate: renames the log file to `<path>.<UTC timestamp>` and opens a fresh one, as mongod's
/// default `rename` mode does. Logging to stdout there is nothing to rotate.
pub fn rotate() -> Result<(), String> {
    let mut l = lock();
    let Some(path) = l.path.clone() else {
        return Ok(());
    };
    let stamp = chrono::Utc::now().format("%Y-%m-%dT%H-%M-%S");
    let aside = format!("{}.{stamp}", path.display());
    std::fs::rename(&path, &aside)
        .map_err(|e| format!("Failed to rename {} to {aside}: {e}", path.display()))?;
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("Failed to open logpath \"{}\": {e}", path.display()))?;
    l.file = Some(f);
    Ok(())
}

/// Formats one line exactly like mongod (padding included), without the newline.
pub fn format_line(
    severity: &str,
    component: &str,
    id: i32,
    ctx: &str,
    msg: &str,
    attr: &Document,
) -> String {
    let t = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z");
    let mut line = format!(
        "{{\"t\":{{\"$date\":\"{t}\"}},\"s\":{:<6}\"c\":{:<12}\"id\":{:<9}\"ctx\":{},\"msg\":{}",
        format!("{},", json_str(severity)),
        format!("{},", json_str(component)),
        format!("{id},"),
        json_str(ctx),
        json_str(msg),
    );
    if !attr.is_empty() {
        let value = Bson::Document(attr.clone()).into_relaxed_extjson();
        line.push_str(",\"attr\":");
        line.push_str(&value.to_string());
    }
    line.push('}');
    line
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Writes one log line. `severity` is I, W, E, F or D (debug: shown as D1).
pub fn write(severity: char, component: &str, id: i32, ctx: &str, msg: &str, attr: Document) {
    let s = match severity {
        'D' => "D1".to_string(),
        c => c.to_string(),
    };
    let line = format_line(&s, component, id, ctx, msg, &attr);
    emit(line, false);
}

/// A warning that `getLog: "startupWarnings"` also returns (ignored options, no access control…).
pub fn startup_warning(component: &str, id: i32, msg: &str, attr: Document) {
    let line = format_line("W", component, id, "initandlisten", msg, &attr);
    emit(line, true);
}

fn emit(line: String, startup: bool) {
    let mut l = lock();
    let wrote = match l.file.as_mut() {
        Some(f) => writeln!(f, "{line}").is_ok(),
        None => false,
    };
    if !wrote {
        // stdout is the destination without --logpath, and the fallback if the file fails.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    l.total += 1;
    if l.recent.len() == RING {
        l.recent.pop_front();
    }
    l.recent.push_back(line.clone());
    if startup {
        l.startup_warnings.push(line);
    }
}

/// The `getLog` command: `"*"` → names, `"global"` → recent lines, `"startupWarnings"`.
/// None for an unknown log name (the server answers `no RamLog named: <name>`).
pub fn get_log(name: &str) -> Option<Document> {
    let l = lock();
    let mut d = Document::new();
    match name {
        "*" => {
            d.insert("names", vec!["global", "startupWarnings"]);
        }
        "global" => {
            d.insert("totalLinesWritten", l.total as i32);
            d.insert("log", l.recent.iter().cloned().collect::<Vec<_>>());
        }
        "startupWarnings" => {
            d.insert("totalLinesWritten", l.startup_warnings.len() as i32);
            d.insert("log", l.startup_warnings.clone());
        }
        _ => return None,
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn line_matches_mongods_layout() {
        let line = format_line(
            "I",
            "REPL",
            21358,
            "ReplCoord-0",
            "Replica set state transition",
            &doc! {"newState": "PRIMARY", "oldState": "SECONDARY"},
        );
        let after_t = line.split_once("},").unwrap().1;
        assert_eq!(
            after_t,
            "\"s\":\"I\",  \"c\":\"REPL\",     \"id\":21358,   \"ctx\":\"ReplCoord-0\",\"msg\":\"Replica set state transition\",\"attr\":{\"newState\":\"PRIMARY\",\"oldState\":\"SECONDARY\"}}"
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(v["t"]["$date"].as_str().unwrap().len() >= 29);
        let plain = format_line(
            "W",
            "CONTROL",
            22120,
            "initandlisten",
            "Access control \"x\"",
            &Document::new(),
        );
        assert!(
            plain.ends_with("\"msg\":\"Access control \\\"x\\\"\"}"),
            "{plain}"
        );
        assert!(
            plain.contains("\"c\":\"CONTROL\",  \"id\":22120,   "),
            "{plain}"
        );
    }

    #[test]
    fn file_logging_rotates_unless_appending_and_feeds_get_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mongod.log");
        std::fs::write(&path, "old\n").unwrap();
        init(Some(&path), true).unwrap();
        write(
            'I',
            "NETWORK",
            23016,
            "listener",
            "Waiting for connections",
            doc! {"port": 27017},
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("old\n") && text.contains("Waiting for connections"),
            "{text}"
        );
        init(Some(&path), false).unwrap();
        startup_warning(
            "CONTROL",
            22120,
            "Access control is not enabled",
            Document::new(),
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("old") && text.contains("Access control"),
            "{text}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let w = get_log("startupWarnings").unwrap();
        assert!(w
            .get_array("log")
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("Access control")));
        assert!(
            get_log("global")
                .unwrap()
                .get_i32("totalLinesWritten")
                .unwrap()
                >= 2
        );
        assert!(get_log("nosuch").is_none());
        assert!(init(Some(dir.path()), true).is_err());
        init(None, false).unwrap();
    }
}
