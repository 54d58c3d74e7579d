//! Host strings: `host`, `host:port`, `[v6]:port`, a bare IPv6 literal, a `.sock` path, lists
//! `h1:p1,h2:p2` and `set/h1:p1,...` (legacy `--host` forms), plus the
//! percent-encoding needed to put them into a connection string.
use super::CliError;

/// Port used for a host that names none and no `--port` was given.
pub const DEFAULT_PORT: u16 = 27017;

/// A parsed `--host` value: an optional replica-set name and the hosts, each ready for a URI
/// (`h:p`, `[::1]:p`, or a percent-encoded socket path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostList {
    pub set_name: Option<String>,
    pub hosts: Vec<String>,
}

/// Parse `[setName/]host[:port][,host[:port]...]`. Hosts without a port get `port` (or 27017);
/// a host whose port differs from `port` is an error, as in the legacy shell.
pub fn parse_host_list(spec: &str, port: Option<u16>) -> Result<HostList, CliError> {
    let (set_name, list) = match spec.split_once('/') {
        // A socket path contains '/' itself: `/tmp/mongodb-27017.sock` has no set name.
        Some((set, rest)) if !spec.starts_with('/') && !set.ends_with(".sock") => {
            check_set_name(set)?;
            (Some(set.to_string()), rest)
        }
        _ => (None, spec),
    };
    if list.is_empty() {
        return Err(CliError::new(format!("no host given in '{spec}'")));
    }
    let hosts = list
        .split(',')
        .map(|h| parse_host(h, port))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HostList { set_name, hosts })
}

/// One host of a list → its URI form with a port (sockets excepted).
pub fn parse_host(host: &str, port: Option<u16>) -> Result<String, CliError> {
    if host.is_empty() {
        return Err(CliError::new("empty host name in the host list"));
    }
    if host.ends_with(".sock") {
        return Ok(pct_encode(host));
    }
    let (name, given_port) = if let Some(rest) = host.strip_prefix('[') {
        // Bracketed IPv6 literal, optionally followed by `:port`.
        let (addr, after) = rest
            .split_once(']')
            .ok_or_else(|| CliError::new(format!("unterminated '[' in host '{host}'")))?;
        check_ipv6(addr, host)?;
        let p = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(p) => Some(parse_port(p, host)?),
                None => return Err(CliError::new(format!("invalid host '{host}'"))),
            },
        };
        (format!("[{addr}]"), p)
    } else if host.matches(':').count() > 1 {
        // A bare IPv6 literal cannot carry a port: bracket it.
        check_ipv6(host, host)?;
        (format!("[{host}]"), None)
    } else if let Some((name, p)) = host.split_once(':') {
        check_name(name, host)?;
        (name.to_string(), Some(parse_port(p, host)?))
    } else {
        check_name(host, host)?;
        (host.to_string(), None)
    };
    let port = match (given_port, port) {
        (Some(a), Some(b)) if a != b => {
            return Err(CliError::new(
                "connection string bears different port than provided by --port",
            ))
        }
        (Some(a), _) => a,
        (None, Some(b)) => b,
        (None, None) => DEFAULT_PORT,
    };
    Ok(format!("{name}:{port}"))
}

fn parse_port(text: &str, host: &str) -> Result<u16, CliError> {
    match text.parse::<u16>() {
        Ok(p) if p > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(p),
        _ => Err(CliError::new(format!(
            "invalid port '{text}' in host '{host}' (expected 1-65535)"
        ))),
    }
}

fn check_name(name: &str, host: &str) -> Result<(), CliError> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || "@/?#%,[]\\".contains(c);
    if name.is_empty() || name.contains(bad) {
        return Err(CliError::new(format!("invalid host name '{host}'")));
    }
    Ok(())
}

fn check_ipv6(addr: &str, host: &str) -> Result<(), CliError> {
    let ok = !addr.is_empty()
        && addr
            .chars()
            .all(|c| c.is_ascii_hexdigit() || ":.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CliError::new(format!("invalid IPv6 address '{host}'")))
    }
}

fn check_set_name(set: &str) -> Result<(), CliError> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || "@/?#%,&=:".contains(c);
    if set.is_empty() || set.contains(bad) {
        return Err(CliError::new(format!("invalid replica set name '{set}'")));
    }
    Ok(())
}

/// Check a database name the way the server does on Unix (no `/\. "$`, not empty, < 64 bytes);
/// `:` is refused too, since in an address it is a mistyped `host:port`.
pub fn check_db_name(db: &str) -> Result<(), CliError> {
    let bad = |c: char| c.is_control() || "/\\. \"$:".contains(c);
    if db.is_empty() || db.len() >= 64 || db.contains(bad) {
        return Err(CliError::new(format!("invalid database name '{db}'")));
    }
    Ok(())
}

/// Percent-encode everything except RFC 3986 unreserved characters.
pub fn pct_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes; a malformed escape or non-UTF-8 result is an error.
pub fn pct_decode(text: &str) -> Result<String, CliError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| CliError::new(format!("bad percent-escape in '{text}'")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| CliError::new(format!("'{text}' is not valid UTF-8")))
}
