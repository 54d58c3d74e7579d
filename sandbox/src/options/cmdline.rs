//! mongod's command-line syntax: `--name value`, `--name=value`, `-f FILE`, `-vvv`, switches.

use super::table::{self, Kind};
use super::values::Raw;

const PREFIX: &str = "Error parsing command line: ";

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Raw, String> {
    let mut raw = Raw::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        let (name, inline) = if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            }
        } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
            match short {
                "f" => ("config", None),
                "h" => ("help", None),
                s if s.chars().all(|c| c == 'v') => (s, None),
                _ => return Err(format!("{PREFIX}unrecognised option '{arg}'")),
            }
        } else {
            return Err(format!(
                "{PREFIX}too many positional options have been specified on the command line"
            ));
        };
        if name.is_empty() {
            return Err(format!("{PREFIX}unrecognised option '{arg}'"));
        }
        match name {
            "help" => raw.help = true,
            "version" => raw.version = true,
            _ if name.chars().all(|c| c == 'v') => raw.set_cli(name, None, PREFIX)?,
            "verbose" => {
                // `--verbose` alone is -v; `--verbose=vvv` gives the level as letters.
                let level = inline.unwrap_or("v");
                if level.is_empty() || !level.chars().all(|c| c == 'v') {
                    return Err(format!(
                        "{PREFIX}the argument ('{level}') for option '--verbose' is invalid"
                    ));
                }
                raw.set_cli(level, None, PREFIX)?;
            }
            _ => {
                let takes_value = match name {
                    "config" | "setParameter" => true,
                    _ => match table::by_cli_name(name) {
                        Some(spec) => match spec.kind {
                            Kind::Switch | Kind::Const(_) => false,
                            Kind::Removed { takes_value, .. } => takes_value,
                            _ => true,
                        },
                        None => return Err(format!("{PREFIX}unrecognised option '--{name}'")),
                    },
                };
                let value = if !takes_value {
                    if inline.is_some() {
                        return Err(format!(
                            "{PREFIX}option '--{name}' does not take any arguments"
                        ));
                    }
                    None
                } else if let Some(v) = inline {
                    Some(v.to_string())
                } else if let Some(next) = args.get(i).filter(|n| !n.starts_with('-') || *n == "-")
                {
                    i += 1;
                    Some(next.clone())
                } else {
                    return Err(format!(
                        "{PREFIX}the required argument for option '--{name}' is missing"
                    ));
                };
                if name == "config" {
                    raw.config = value;
                } else {
                    raw.set_cli(name, value.as_deref(), PREFIX)?;
                }
            }
        }
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::Bson;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn long_options_with_space_or_equals() {
        let raw = parse(&args("--port 27018 --dbpath=/tmp/x --replSet rs0 --fork")).unwrap();
        assert_eq!(raw.settings["net.port"], Bson::Int32(27018));
        assert_eq!(
            raw.settings["storage.dbPath"],
            Bson::String("/tmp/x".into())
        );
        assert_eq!(
            raw.settings["replication.replSet"],
            Bson::String("rs0".into())
        );
        assert_eq!(raw.settings["processManagement.fork"], Bson::Boolean(true));
        assert_eq!(raw.warnings.len(), 1, "{:?}", raw.warnings);
    }

    #[test]
    fn mongod_messages_for_bad_command_lines() {
        let cases = [
            ("--bogus", "Error parsing command line: unrecognised option '--bogus'"),
            ("--port", "Error parsing command line: the required argument for option '--port' is missing"),
            ("--port abc", "Error parsing command line: the argument ('abc') for option '--port' is invalid"),
            ("--fork=yes", "Error parsing command line: option '--fork' does not take any arguments"),
            ("stray", "Error parsing command line: too many positional options have been specified on the command line"),
            ("-x", "Error parsing command line: unrecognised option '-x'"),
            ("--setParameter foo", "Error parsing command line: Illegal option assignment: \"foo\""),
        ];
        for (line, want) in cases {
            assert_eq!(parse(&args(line)).unwrap_err(), want, "{line}");
        }
        let e = parse(&args("--port 70000")).unwrap_err();
        assert!(
            e.starts_with("Error parsing command line: the argument ('70000')"),
            "{e}"
        );
    }

    #[test]
    fn removed_tutorial_flags_warn_and_stay_out_of_parsed() {
        let raw = parse(&args(
            "--rest --smallfiles --nojournal --source h:1 --port 1",
        ))
        .unwrap();
        assert_eq!(raw.warnings.len(), 4, "{:?}", raw.warnings);
        assert!(raw.warnings[0].contains("'--rest' was removed in MongoDB 3.6"));
        assert_eq!(raw.settings.len(), 1);
    }

    #[test]
    fn short_forms_and_verbosity() {
        let raw = parse(&args("-f /etc/mongod.conf -vvv --setParameter a=b=c")).unwrap();
        assert_eq!(raw.config.as_deref(), Some("/etc/mongod.conf"));
        assert_eq!(raw.settings["systemLog.verbosity"], Bson::Int32(3));
        assert_eq!(raw.settings["setParameter.a"], Bson::String("b=c".into()));
        let raw = parse(&args("--logpath /tmp/l.log --logappend")).unwrap();
        assert_eq!(
            raw.settings["systemLog.destination"],
            Bson::String("file".into())
        );
        assert_eq!(raw.settings["systemLog.logAppend"], Bson::Boolean(true));
    }
}
