//! Reading a config document: field types, ranges and defaults, with the server's wording.
//! Every failure here is code 93 (InvalidReplicaSetConfig) with the parse reason.

use bson::{Bson, Document};

use super::host::HostAndPort;
use super::{MemberConfig, ReplSetConfig, Settings};
use crate::error::CmdError;

const NUMBER_TYPES: &str = "'[long, int, decimal, double]'";
const BOOL_TYPES: &str = "'[bool, long, int, decimal, double]'";

fn err(msg: impl Into<String>) -> CmdError {
    CmdError::invalid_config(msg)
}

pub use crate::bson_type::name as type_name;

/// A document as the server prints it in messages: `{ _id: 0, host: "h:1", votes: 2.0 }`.
pub fn server_string(d: &Document) -> String {
    if d.is_empty() {
        return "{}".into();
    }
    let parts: Vec<String> = d
        .iter()
        .map(|(k, v)| format!("{k}: {}", value_string(v)))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

fn value_string(v: &Bson) -> String {
    match v {
        Bson::Double(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.1}"),
        Bson::Double(f) => f.to_string(),
        Bson::String(s) => format!("\"{s}\""),
        Bson::Document(d) => server_string(d),
        Bson::Array(a) if a.is_empty() => "[]".into(),
        Bson::Array(a) => format!(
            "[ {} ]",
            a.iter().map(value_string).collect::<Vec<_>>().join(", ")
        ),
        Bson::ObjectId(o) => format!("ObjectId('{o}')"),
        Bson::Int64(n) => n.to_string(),
        Bson::Int32(n) => n.to_string(),
        Bson::Boolean(b) => b.to_string(),
        Bson::Null => "null".into(),
        Bson::Timestamp(t) => format!("Timestamp({}, {})", t.time, t.increment),
        other => other.to_string(),
    }
}

fn wrong_type(ctx: &str, field: &str, v: &Bson, expected: &str) -> CmdError {
    err(format!(
        "BSON field '{ctx}.{field}' is the wrong type '{}', expected {expected}",
        type_name(v)
    ))
}

fn missing(ctx: &str, field: &str) -> CmdError {
    err(format!(
        "BSON field '{ctx}.{field}' is missing but a required field"
    ))
}

/// A whole number (int, long, or a double without fraction).
fn exact_int(ctx: &str, field: &str, v: &Bson) -> Result<i64, CmdError> {
    match v {
        Bson::Int32(n) => Ok(*n as i64),
        Bson::Int64(n) => Ok(*n),
        Bson::Double(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(*f as i64),
        Bson::Double(f) => Err(err(format!(
            "Expected an integer, but found {f} in field '{field}'"
        ))),
        other => Err(wrong_type(
            ctx,
            field,
            other,
            &format!("types {NUMBER_TYPES}"),
        )),
    }
}

fn number(ctx: &str, field: &str, v: &Bson) -> Result<f64, CmdError> {
    match v {
        Bson::Int32(n) => Ok(*n as f64),
        Bson::Int64(n) => Ok(*n as f64),
        Bson::Double(f) if f.is_finite() => Ok(*f),
        Bson::Double(_) => Err(err(format!(
            "BSON field '{field}' value must be a finite number"
        ))),
        other => Err(wrong_type(
            ctx,
            field,
            other,
            &format!("types {NUMBER_TYPES}"),
        )),
    }
}

fn safe_bool(ctx: &str, field: &str, v: &Bson) -> Result<bool, CmdError> {
    match v {
        Bson::Boolean(b) => Ok(*b),
        Bson::Int32(n) => Ok(*n != 0),
        Bson::Int64(n) => Ok(*n != 0),
        Bson::Double(f) => Ok(*f != 0.0),
        other => Err(wrong_type(
            ctx,
            field,
            other,
            &format!("types {BOOL_TYPES}"),
        )),
    }
}

fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// The IDL validators' message: `BSON field 'votes' value must be <= 1, actual value '2'`.
fn check_range(field: &str, v: f64, op: &str, bound: f64) -> Result<(), CmdError> {
    let ok = match op {
        ">" => v > bound,
        ">=" => v >= bound,
        "<" => v < bound,
        _ => v <= bound,
    };
    if ok {
        return Ok(());
    }
    Err(err(format!(
        "BSON field '{field}' value must be {op} {}, actual value '{}'",
        fmt_num(bound),
        fmt_num(v)
    )))
}

/// Parses a config document. Settings absent from it take the server defaults; a missing
/// `replicaSetId` stays None (initiate and reconfig fill it in).
pub fn parse(d: &Document) -> Result<ReplSetConfig, CmdError> {
    const CTX: &str = "ReplSetConfig";
    let mut cfg = ReplSetConfig {
        id: String::new(),
        version: 0,
        term: -1,
        members: Vec::new(),
        configsvr: false,
        protocol_version: 1,
        write_concern_majority_journal_default: true,
        settings: Settings::default(),
    };
    let (mut have_id, mut have_version, mut have_members) = (false, false, false);
    for (k, v) in d {
        match k.as_str() {
            "_id" => match v {
                Bson::String(s) => {
                    cfg.id = s.clone();
                    have_id = true;
                }
                other => return Err(wrong_type(CTX, "_id", other, "type 'string'")),
            },
            "version" => {
                let n = exact_int(CTX, k, v)?;
                check_range("version", n as f64, ">", 0.0)?;
                check_range("version", n as f64, "<", 2147483648.0)?;
                cfg.version = n;
                have_version = true;
            }
            "term" => {
                let n = exact_int(CTX, k, v)?;
                check_range("term", n as f64, ">=", -1.0)?;
                check_range("term", n as f64, "<", 2147483648.0)?;
                cfg.term = n;
            }
            "members" => {
                let Bson::Array(items) = v else {
                    return Err(wrong_type(CTX, "members", v, "type 'array'"));
                };
                for (i, item) in items.iter().enumerate() {
                    let Bson::Document(m) = item else {
                        return Err(wrong_type(
                            CTX,
                            &format!("members.{i}"),
                            item,
                            "type 'object'",
                        ));
                    };
                    cfg.members.push(parse_member(m)?);
                }
                have_members = true;
            }
            "configsvr" => cfg.configsvr = safe_bool(CTX, k, v)?,
            "protocolVersion" => {
                let n = exact_int(CTX, k, v)?;
                check_range("protocolVersion", n as f64, ">=", 1.0)?;
                check_range("protocolVersion", n as f64, "<=", 1.0)?;
                cfg.protocol_version = n;
            }
            "writeConcernMajorityJournalDefault" => {
                cfg.write_concern_majority_journal_default = safe_bool(CTX, k, v)?
            }
            "settings" => {
                let Bson::Document(s) = v else {
                    return Err(wrong_type(CTX, "settings", v, "type 'object'"));
                };
                cfg.settings = parse_settings(s)?;
            }
            "repaired" => {
                if safe_bool(CTX, k, v)? {
                    return Err(CmdError::new(
                        147,
                        "RepairedReplicaSetNode",
                        "Replicated data has been repaired",
                    ));
                }
            }
            "recipientConfig" => {}
            _ => return Err(err(format!("BSON field '{CTX}.{k}' is an unknown field."))),
        }
    }
    if !have_id {
        return Err(missing(CTX, "_id"));
    }
    if !have_version {
        return Err(missing(CTX, "version"));
    }
    if !have_members {
        return Err(missing(CTX, "members"));
    }
    add_tag_info(&cfg)?;
    Ok(cfg)
}

fn parse_member(d: &Document) -> Result<MemberConfig, CmdError> {
    parse_member_inner(d).map_err(|e| {
        err(format!(
            "member: {} :: caused by :: {}",
            server_string(d),
            e.errmsg
        ))
    })
}

fn parse_member_inner(d: &Document) -> Result<MemberConfig, CmdError> {
    const CTX: &str = "MemberConfig";
    let mut m = MemberConfig::new(0, "");
    let (mut have_id, mut have_host) = (false, false);
    let mut raw_host = String::new();
    for (k, v) in d {
        match k.as_str() {
            "_id" => {
                let n = exact_int(CTX, k, v)?;
                if n < 0 || n > i32::MAX as i64 {
                    return Err(err(format!("_id field value of {n} is out of range.")));
                }
                m.id = n as i32;
                have_id = true;
            }
            "host" => match v {
                Bson::String(s) => {
                    raw_host = s.clone();
                    have_host = true;
                }
                other => return Err(wrong_type(CTX, "host", other, "type 'string'")),
            },
            "votes" => {
                let n = exact_int(CTX, k, v)?;
                check_range("votes", n as f64, ">=", 0.0)?;
                check_range("votes", n as f64, "<=", 1.0)?;
                m.votes = n as i32;
            }
            "newlyAdded" => match v {
                Bson::Boolean(true) => m.newly_added = true,
                Bson::Boolean(false) => return Err(err("newlyAdded field must be true")),
                other => return Err(wrong_type(CTX, "newlyAdded", other, "type 'bool'")),
            },
            "priority" => {
                let p = number(CTX, k, v)?;
                check_range("priority", p, ">=", 0.0)?;
                check_range("priority", p, "<=", 1000.0)?;
                m.priority = p;
            }
            "hidden" => m.hidden = safe_bool(CTX, k, v)?,
            "secondaryDelaySecs" => {
                let n = exact_int(CTX, k, v)?;
                check_range("secondaryDelaySecs", n as f64, ">=", 0.0)?;
                check_range("secondaryDelaySecs", n as f64, "<=", 31622400.0)?;
                m.secondary_delay_secs = n;
            }
            "arbiterOnly" => m.arbiter_only = safe_bool(CTX, k, v)?,
            "buildIndexes" => m.build_indexes = safe_bool(CTX, k, v)?,
            "tags" => match v {
                Bson::Document(t) => m.tags = t.clone(),
                other => return Err(wrong_type(CTX, "tags", other, "type 'object'")),
            },
            "horizons" => match v {
                Bson::Document(h) => m.horizons = Some(h.clone()),
                other => return Err(wrong_type(CTX, "horizons", other, "type 'object'")),
            },
            _ => return Err(err(format!("BSON field '{CTX}.{k}' is an unknown field."))),
        }
    }
    if !have_id {
        return Err(missing(CTX, "_id"));
    }
    if !have_host {
        return Err(missing(CTX, "host"));
    }
    m.host = HostAndPort::parse(&raw_host).map_err(err)?.to_string();
    if m.arbiter_only {
        // The default priority of an arbiter silently becomes 0; an explicit 1 too, as the
        // server cannot tell them apart.
        if m.priority == 1.0 {
            m.priority = 0.0;
        }
        if m.votes == 0 {
            return Err(CmdError::bad_value(
                "Arbiter must vote (cannot have 0 votes)",
            ));
        }
        if m.newly_added {
            return Err(CmdError::bad_value(
                "Arbiter cannot have newlyAdded field set",
            ));
        }
    }
    if m.priority != 0.0 {
        let reason = if m.votes == 0 {
            Some("priority must be 0 when non-voting (votes:0)")
        } else if m.secondary_delay_secs > 0 {
            Some("priority must be 0 when secondaryDelaySecs is used")
        } else if m.hidden {
            Some("priority must be 0 when hidden=true")
        } else if !m.build_indexes {
            Some("priority must be 0 when buildIndexes=false")
        } else {
            None
        };
        if let Some(r) = reason {
            return Err(CmdError::bad_value(r));
        }
    }
    Ok(m)
}

/// Tag checks the server makes while indexing tags (not wrapped in the member context).
fn add_tag_info(cfg: &ReplSetConfig) -> Result<(), CmdError> {
    for m in &cfg.members {
        for (k, v) in &m.tags {
            if !matches!(v, Bson::String(_)) {
                return Err(err(format!(
                    "tags.{k} field has non-string value of type {}",
                    type_name(v)
                )));
            }
        }
        if m.arbiter_only && !m.tags.is_empty() {
            return Err(err("Cannot set tags on arbiters."));
        }
    }
    Ok(())
}

fn parse_settings(d: &Document) -> Result<Settings, CmdError> {
    const CTX: &str = "ReplSetConfigSettings";
    let mut s = Settings::default();
    for (k, v) in d {
        let field = k.as_str();
        let int_at_least = |target: &mut i64, op: &str, bound: f64| -> Result<(), CmdError> {
            let n = exact_int(CTX, field, v)?;
            check_range(field, n as f64, op, bound)?;
            *target = n;
            Ok(())
        };
        match field {
            "chainingAllowed" => s.chaining_allowed = safe_bool(CTX, k, v)?,
            "heartbeatIntervalMillis" => int_at_least(&mut s.heartbeat_interval_millis, ">", 0.0)?,
            "heartbeatTimeoutSecs" => int_at_least(&mut s.heartbeat_timeout_secs, ">", 0.0)?,
            "electionTimeoutMillis" => int_at_least(&mut s.election_timeout_millis, ">", 0.0)?,
            "catchUpTimeoutMillis" => int_at_least(&mut s.catch_up_timeout_millis, ">=", -1.0)?,
            "catchUpTakeoverDelayMillis" => {
                int_at_least(&mut s.catch_up_takeover_delay_millis, ">=", -1.0)?
            }
            "getLastErrorModes" => match v {
                Bson::Document(modes) => s.get_last_error_modes = parse_modes(modes)?,
                other => return Err(wrong_type(CTX, k, other, "type 'object'")),
            },
            "getLastErrorDefaults" => match v {
                Bson::Document(wc) => s.get_last_error_defaults = wc.clone(),
                other => return Err(wrong_type(CTX, k, other, "type 'object'")),
            },
            "replicaSetId" => match v {
                Bson::ObjectId(o) => s.replica_set_id = Some(*o),
                other => return Err(wrong_type(CTX, k, other, "type 'objectId'")),
            },
            // Settings are parsed non-strictly: unknown fields are ignored.
            _ => {}
        }
    }
    Ok(s)
}

/// `getLastErrorModes: {mode: {tag: count}}`: counts are positive integers.
fn parse_modes(modes: &Document) -> Result<Document, CmdError> {
    for (name, v) in modes {
        let Bson::Document(constraints) = v else {
            return Err(err(format!(
                "Expected {name} to be an Object, was {}",
                type_name(v)
            )));
        };
        for (tag, count) in constraints {
            let n = match count {
                Bson::Int32(n) => *n as i64,
                Bson::Int64(n) => *n,
                Bson::Double(f) if f.fract() == 0.0 => *f as i64,
                other => {
                    return Err(err(format!(
                        "Expected field \"{tag}\" in getLastErrorModes.{name} to have numeric type, but found {}",
                        type_name(other)
                    )))
                }
            };
            if n <= 0 {
                return Err(err(format!(
                    "Value of {name}.{tag} must be positive, but found {n}"
                )));
            }
        }
    }
    Ok(modes.clone())
}
