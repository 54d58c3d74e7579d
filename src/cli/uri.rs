//! A `mongodb://` / `mongodb+srv://` connection string split into its parts, enough to take the
//! credentials out, read a few options and rebuild it. Full validation is left to the driver.
use super::hosts::pct_decode;
use super::CliError;

/// Scheme prefixes rsh accepts as a full connection string.
pub const SCHEMES: [&str; 2] = ["mongodb://", "mongodb+srv://"];

/// True when `text` starts with a connection-string scheme (case-insensitively).
pub fn is_uri(text: &str) -> bool {
    SCHEMES.iter().any(|s| {
        text.get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
    })
}

/// The parts of a connection string. Hosts, path and option values are kept as written
/// (percent-encoded); user name, password and database are decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUri {
    pub srv: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    pub hosts: Vec<String>,
    /// The database from the path, decoded; None when the path is empty.
    pub db: Option<String>,
    /// Options in their order of appearance: (key as written, raw value).
    pub options: Vec<(String, String)>,
}

impl ParsedUri {
    /// The decoded value of option `key` (case-insensitive), the last one when repeated.
    pub fn option(&self, key: &str) -> Result<Option<String>, CliError> {
        match self
            .options
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some((_, v)) => pct_decode(v).map(Some),
            None => Ok(None),
        }
    }

    /// Option `key` read as a boolean (`true`/`false`); anything else is an error.
    pub fn bool_option(&self, key: &str) -> Result<Option<bool>, CliError> {
        match self.option(key)?.as_deref() {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(CliError::new(format!(
                "connection string option {key} must be true or false, not '{v}'"
            ))),
        }
    }

    /// Drop every option whose key is in `keys` (case-insensitive).
    pub fn remove_options(&mut self, keys: &[&str]) {
        self.options
            .retain(|(k, _)| !keys.iter().any(|r| r.eq_ignore_ascii_case(k)));
    }

    /// Rebuild the string without credentials: `scheme://hosts/db?options`.
    pub fn to_uri(&self) -> String {
        let scheme = if self.srv { SCHEMES[1] } else { SCHEMES[0] };
        let mut out = format!("{scheme}{}", self.hosts.join(","));
        let db = self.db.as_deref().map(super::hosts::pct_encode);
        if db.is_some() || !self.options.is_empty() {
            out.push('/');
        }
        if let Some(db) = db {
            out.push_str(&db);
        }
        if !self.options.is_empty() {
            out.push('?');
            let opts: Vec<String> = self
                .options
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push_str(&opts.join("&"));
        }
        out
    }
}

/// Split a connection string. Errors name what is wrong in one line.
pub fn parse_uri(text: &str) -> Result<ParsedUri, CliError> {
    let srv = text
        .get(..SCHEMES[1].len())
        .is_some_and(|h| h.eq_ignore_ascii_case(SCHEMES[1]));
    let scheme_len = if srv {
        SCHEMES[1].len()
    } else if is_uri(text) {
        SCHEMES[0].len()
    } else {
        return Err(CliError::new(format!(
            "'{text}' is not a mongodb:// or mongodb+srv:// connection string"
        )));
    };
    let rest = &text[scheme_len..];
    // The credentials end at the last '@' before the path; a '/' or '?' then ends the hosts.
    let (userinfo, after_user) = match rest.split_once(['/', '?']) {
        Some((authority, _)) => match authority.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        },
        None => match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        },
    };
    let host_end = after_user.find(['/', '?']).unwrap_or(after_user.len());
    let host_text = &after_user[..host_end];
    let tail = &after_user[host_end..];
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    let path = path.strip_prefix('/').unwrap_or(path);

    let (username, password) = match userinfo {
        None => (None, None),
        Some(info) => {
            let (u, p) = match info.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (info, None),
            };
            if u.is_empty() {
                return Err(CliError::new("empty user name in the connection string"));
            }
            (Some(pct_decode(u)?), p.map(pct_decode).transpose()?)
        }
    };

    if host_text.is_empty() {
        return Err(CliError::new("no host in the connection string"));
    }
    let hosts: Vec<String> = host_text.split(',').map(str::to_string).collect();
    if hosts
        .iter()
        .any(|h| h.is_empty() || h.contains(char::is_whitespace))
    {
        return Err(CliError::new(format!(
            "invalid host list '{host_text}' in the connection string"
        )));
    }
    if srv && (hosts.len() != 1 || hosts[0].contains(':')) {
        return Err(CliError::new(
            "a mongodb+srv:// connection string takes exactly one host name and no port",
        ));
    }

    let db = if path.is_empty() {
        None
    } else {
        let db = pct_decode(path)?;
        super::hosts::check_db_name(&db)?;
        Some(db)
    };

    let mut options = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => options.push((k.to_string(), v.to_string())),
            _ => {
                return Err(CliError::new(format!(
                    "connection string option '{pair}' is not key=value"
                )))
            }
        }
    }
    Ok(ParsedUri {
        srv,
        username,
        password,
        hosts,
        db,
        options,
    })
}
