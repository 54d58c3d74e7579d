//! mongod config files: YAML (2.6+, seed 000's mongod.conf) and the old `key=value` form
//! (seeds 002 and 004), whose keys are the command-line option names.

use bson::Bson;
use serde_yaml::Value;

use super::table::{self, Kind};
use super::values::{as_f64, Raw};

const INI: &str = "Error parsing INI config file: ";
const YAML: &str = "Error parsing YAML config file: ";

/// Parses a config file's text. The old form is recognised by a `key=value` line.
pub fn parse(text: &str) -> Result<Raw, String> {
    if looks_like_ini(text) {
        parse_ini(text)
    } else {
        parse_yaml(text)
    }
}

fn looks_like_ini(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| {
            l.split_once('=').is_some_and(|(k, _)| {
                let k = k.trim();
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
}

fn parse_ini(text: &str) -> Result<Raw, String> {
    let mut raw = Raw::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "{INI}the options configuration file contains an invalid line '{line}'"
            ));
        };
        let key = key.trim();
        let value = unquote(value.trim());
        if matches!(key, "config" | "help" | "version") {
            return Err(format!("{INI}unrecognised option '{key}'"));
        }
        raw.set_cli(key, Some(value), INI)?;
    }
    Ok(raw)
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v)
}

fn parse_yaml(text: &str) -> Result<Raw, String> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| format!("{YAML}{e}"))?;
    let mut raw = Raw::default();
    match doc {
        Value::Null => {}
        Value::Mapping(_) => flatten(&doc, "", &mut raw)?,
        _ => {
            return Err(format!(
                "{YAML}the file is not a mapping of sections (like `net:`)"
            ))
        }
    }
    Ok(raw)
}

fn flatten(v: &Value, path: &str, raw: &mut Raw) -> Result<(), String> {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => yaml_scalar_text(other)
                        .ok_or_else(|| format!("{YAML}a key under '{path}' is not a name"))?,
                };
                let sub = if path.is_empty() {
                    key
                } else {
                    format!("{path}.{key}")
                };
                flatten(child, &sub, raw)?;
            }
            Ok(())
        }
        // An empty section (`storage:` with nothing under it) says nothing.
        Value::Null if !is_leaf(path) => Ok(()),
        Value::Tagged(t) => flatten(&t.value, path, raw),
        leaf => set_leaf(path, leaf, raw),
    }
}

fn is_leaf(path: &str) -> bool {
    table::by_key(path).is_some() || table::YAML_ONLY.iter().any(|(k, _, _)| *k == path)
}

fn set_leaf(path: &str, v: &Value, raw: &mut Raw) -> Result<(), String> {
    let (kind, note) = if let Some(spec) = table::by_key(path) {
        (spec.kind, spec.note)
    } else if let Some((_, kind, note)) = table::YAML_ONLY.iter().find(|(k, _, _)| *k == path) {
        (*kind, *note)
    } else if table::YAML_OPEN_PREFIXES
        .iter()
        .any(|p| path.starts_with(p))
    {
        let value = yaml_to_bson(v).ok_or_else(|| bad(path))?;
        raw.settings.insert(path.to_string(), value);
        return Ok(());
    } else {
        return Err(unrecognized(path));
    };
    let value = match (kind, v) {
        (Kind::Str | Kind::Const(_), Value::Sequence(items)) if path == "net.bindIp" => {
            let parts: Option<Vec<String>> = items.iter().map(yaml_scalar_text).collect();
            Bson::String(parts.ok_or_else(|| bad(path))?.join(","))
        }
        (Kind::Str | Kind::Const(_), _) => {
            Bson::String(yaml_scalar_text(v).ok_or_else(|| bad(path))?)
        }
        (Kind::Switch, Value::Bool(b)) => Bson::Boolean(*b),
        (Kind::Switch, Value::String(s)) if matches!(s.as_str(), "true" | "false") => {
            Bson::Boolean(s == "true")
        }
        (Kind::Int { min, max }, Value::Number(n)) => match n.as_i64() {
            Some(i) if i >= min && i <= max => Bson::Int32(i as i32),
            _ => return Err(bad(path)),
        },
        (Kind::Number, Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) if i32::try_from(i).is_ok() => Bson::Int32(i as i32),
            (_, Some(f)) => Bson::Double(f),
            _ => return Err(bad(path)),
        },
        _ => return Err(bad(path)),
    };
    if let (Some(note), false) = (note, value == Bson::Boolean(false)) {
        raw.warnings.push(format!("Option '{path}': {note}"));
    }
    if kind == Kind::Number && as_f64(&value).is_none() {
        return Err(bad(path));
    }
    raw.settings.insert(path.to_string(), value);
    Ok(())
}

fn bad(path: &str) -> String {
    format!("{YAML}Bad value for {path}")
}

/// mongod's message, plus a hint when a known setting lost its section (seed 000 was published
/// with its indentation flattened: `dbPath:` at the top level instead of under `storage:`).
fn unrecognized(path: &str) -> String {
    let mut msg = format!("{YAML}Unrecognized option: {path}");
    let last = path.rsplit('.').next().unwrap_or(path);
    let known = table::OPTIONS
        .iter()
        .map(|o| o.key)
        .chain(table::YAML_ONLY.iter().map(|(k, _, _)| *k))
        .find(|k| k.ends_with(&format!(".{last}")) && *k != path);
    if let Some(k) = known {
        msg.push_str(&format!(
            " (did you mean {k}? check that it is indented under its section)"
        ));
    }
    msg
}

fn yaml_scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn yaml_to_bson(v: &Value) -> Option<Bson> {
    Some(match v {
        Value::Null => Bson::Null,
        Value::Bool(b) => Bson::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => match i32::try_from(i) {
                Ok(i) => Bson::Int32(i),
                Err(_) => Bson::Int64(i),
            },
            None => Bson::Double(n.as_f64()?),
        },
        Value::String(s) => Bson::String(s.clone()),
        Value::Sequence(items) => {
            Bson::Array(items.iter().map(yaml_to_bson).collect::<Option<_>>()?)
        }
        Value::Mapping(_) | Value::Tagged(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_000: &str = "# mongod.conf\n\n# Where and how to store data.\nstorage:\n  dbPath: /var/lib/mongodb\n  journal:\n    enabled: true\n#  engine:\n\nsystemLog:\n  destination: file\n  logAppend: true\n  path: /var/log/mongodb/mongod.log\n\nnet:\n  port: 27017\n  bindIp: 127.0.0.1\n\nprocessManagement:\n  timeZoneInfo: /usr/share/zoneinfo\n\n#security:\n#replication:\n";

    #[test]
    fn seed_000_yaml_layout() {
        let raw = parse(SEED_000).unwrap();
        let s = &raw.settings;
        assert_eq!(s["storage.dbPath"], Bson::String("/var/lib/mongodb".into()));
        assert_eq!(s["storage.journal.enabled"], Bson::Boolean(true));
        assert_eq!(s["systemLog.destination"], Bson::String("file".into()));
        assert_eq!(s["systemLog.logAppend"], Bson::Boolean(true));
        assert_eq!(s["net.port"], Bson::Int32(27017));
        assert_eq!(s["net.bindIp"], Bson::String("127.0.0.1".into()));
        assert!(s.contains_key("processManagement.timeZoneInfo"));
    }

    #[test]
    fn flattened_yaml_gets_mongods_error_with_a_hint() {
        let e = parse("storage:\ndbPath: /var/lib/mongodb\n").unwrap_err();
        assert!(
            e.starts_with("Error parsing YAML config file: Unrecognized option: dbPath"),
            "{e}"
        );
        assert!(e.contains("storage.dbPath"), "{e}");
        let e = parse("net:\n  port: hello\n").unwrap_err();
        assert_eq!(e, "Error parsing YAML config file: Bad value for net.port");
        let e = parse("replication: rs0\n").unwrap_err();
        assert!(e.contains("Unrecognized option: replication"), "{e}");
    }

    #[test]
    fn seed_004_and_002_key_value_files() {
        let raw = parse("dbpath=C:\\data\\db\\db_rs0\nlogpath=C:\\data\\db\\db_rs0\\rs0_1.log\nport=40001\nreplSet=rs0\n").unwrap();
        let s = &raw.settings;
        assert_eq!(
            s["storage.dbPath"],
            Bson::String("C:\\data\\db\\db_rs0".into())
        );
        assert_eq!(s["systemLog.destination"], Bson::String("file".into()));
        assert_eq!(s["net.port"], Bson::Int32(40001));
        assert_eq!(s["replication.replSet"], Bson::String("rs0".into()));
        let raw = parse("# master\nport=27017\ndbpath=cluster/master/db\nreplSet=shopex/127.0.0.1:27018\nfork = false\nrest=true\n").unwrap();
        assert_eq!(
            raw.settings["replication.replSet"],
            Bson::String("shopex/127.0.0.1:27018".into())
        );
        assert_eq!(raw.settings["processManagement.fork"], Bson::Boolean(false));
        assert_eq!(raw.warnings.len(), 1, "{:?}", raw.warnings);
        let e = parse("port=1\nnosuch=1\n").unwrap_err();
        assert_eq!(
            e,
            "Error parsing INI config file: unrecognised option 'nosuch'"
        );
    }

    #[test]
    fn yaml_replset_name_and_open_sections() {
        let raw = parse("replication:\n  replSetName: rs0\n  oplogSizeMB: 64\nsetParameter:\n  allowMultipleArbiters: true\nnet:\n  bindIp: [127.0.0.1, localhost]\n").unwrap();
        assert_eq!(
            raw.settings["replication.replSetName"],
            Bson::String("rs0".into())
        );
        assert_eq!(raw.settings["replication.oplogSizeMB"], Bson::Int32(64));
        assert_eq!(
            raw.settings["setParameter.allowMultipleArbiters"],
            Bson::Boolean(true)
        );
        assert_eq!(
            raw.settings["net.bindIp"],
            Bson::String("127.0.0.1,localhost".into())
        );
        assert!(parse("").unwrap().settings.is_empty());
    }
}
