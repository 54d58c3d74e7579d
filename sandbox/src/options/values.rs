//! Settings gathered from the command line or a config file, keyed by YAML path
//! (`net.port`), plus the conversions from text to each option kind.

use std::collections::BTreeMap;

use bson::Bson;

use super::table::{self, Kind};

/// What one source (command line or config file) said, before the two are merged.
#[derive(Debug, Default, Clone)]
pub struct Raw {
    /// YAML path → value, as getCmdLineOpts shows it.
    pub settings: BTreeMap<String, Bson>,
    pub warnings: Vec<String>,
    pub config: Option<String>,
    pub help: bool,
    pub version: bool,
}

impl Raw {
    /// Records one option given by its command-line (or key=value) name.
    /// `value` is None for a switch; `prefix` starts error messages.
    pub fn set_cli(&mut self, name: &str, value: Option<&str>, prefix: &str) -> Result<(), String> {
        if !name.is_empty() && name.chars().all(|c| c == 'v') {
            // -v, -vv, … (and `vvv=true` in old config files) raise the log verbosity.
            if value.is_none_or(is_true) {
                self.settings
                    .insert("systemLog.verbosity".into(), Bson::Int32(name.len() as i32));
            }
            return Ok(());
        }
        if name == "setParameter" {
            let v = value.unwrap_or_default();
            let Some((k, val)) = v.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                return Err(format!("{prefix}Illegal option assignment: \"{v}\""));
            };
            self.settings
                .insert(format!("setParameter.{k}"), Bson::String(val.to_string()));
            return Ok(());
        }
        let Some(spec) = table::by_cli_name(name) else {
            return Err(format!(
                "{prefix}unrecognised option '{}'",
                dashed(name, prefix)
            ));
        };
        let canonical = spec.cli[0];
        let on = value.is_none_or(is_true);
        match spec.kind {
            Kind::Removed { since, .. } => {
                if on
                    || matches!(
                        spec.kind,
                        Kind::Removed {
                            takes_value: true,
                            ..
                        }
                    )
                {
                    self.warnings
                        .push(table::removed_warning(&format!("--{canonical}"), since));
                }
                return Ok(());
            }
            Kind::Switch => {
                self.settings.insert(spec.key.into(), Bson::Boolean(on));
            }
            Kind::Const(c) => {
                if !on {
                    return Ok(());
                }
                self.settings
                    .insert(spec.key.into(), Bson::String(c.into()));
            }
            kind => {
                let text = value.unwrap_or_default();
                let v = convert_text(kind, text).map_err(|why| {
                    format!("{prefix}the argument ('{text}') for option '--{canonical}' is invalid{why}")
                })?;
                self.settings.insert(spec.key.into(), v);
            }
        }
        if spec.key == "systemLog.path" {
            self.settings
                .insert("systemLog.destination".into(), Bson::String("file".into()));
        }
        if let Some(note) = spec.note {
            if on {
                self.warnings
                    .push(format!("Option '--{canonical}': {note}"));
            }
        }
        Ok(())
    }
}

fn dashed(name: &str, prefix: &str) -> String {
    if prefix.contains("command line") {
        format!("--{name}")
    } else {
        name.to_string()
    }
}

pub fn is_true(v: &str) -> bool {
    !matches!(v.trim(), "false" | "0" | "off" | "no")
}

/// Converts option text to the value stored in `parsed`. The error is a suffix for the message.
pub fn convert_text(kind: Kind, text: &str) -> Result<Bson, String> {
    match kind {
        Kind::Int { min, max } => match text.trim().parse::<i64>() {
            Ok(n) if n >= min && n <= max => Ok(Bson::Int32(n as i32)),
            Ok(_) => Err(format!(": must be between {min} and {max}")),
            Err(_) => Err(String::new()),
        },
        Kind::Number => match text.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Bson::Double(n)),
            _ => Err(String::new()),
        },
        Kind::Switch => Ok(Bson::Boolean(is_true(text))),
        _ => Ok(Bson::String(text.to_string())),
    }
}

/// Reads a number setting (Int32, Int64 or Double) as f64.
pub fn as_f64(v: &Bson) -> Option<f64> {
    match v {
        Bson::Int32(n) => Some(*n as f64),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}
