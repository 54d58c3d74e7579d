//! `host:port` strings as the server reads them: trimmed, a missing port made an explicit
//! `:27017`, IPv6 in brackets; and which hosts count as localhost.

pub const DEFAULT_PORT: u16 = 27017;

/// A parsed member host. `to_string()` is the normalised form used in configs and hello.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostAndPort {
    pub host: String,
    pub port: u16,
}

impl HostAndPort {
    /// Parses like the server; the error is the server's FailedToParse text.
    pub fn parse(raw: &str) -> Result<HostAndPort, String> {
        let s = raw.trim();
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let Some((h, after)) = rest.split_once(']') else {
                return Err(format!("Missing \"]\" in HostAndPort \"{s}\""));
            };
            match after.strip_prefix(':') {
                Some(p) => (h, Some(p)),
                None if after.is_empty() => (h, None),
                None => {
                    return Err(format!(
                        "Extraneous characters after \"]\" in HostAndPort \"{s}\""
                    ))
                }
            }
        } else if s.matches(':').count() > 1 {
            // A bare IPv6 address carries no port.
            (s, None)
        } else {
            match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        if host.is_empty() {
            return Err(format!(
                "Empty host component parsing HostAndPort from \"{s}\""
            ));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => match p.parse::<u32>() {
                Ok(n) if (1..=65535).contains(&n) => n as u16,
                Ok(n) => {
                    return Err(format!(
                        "Port number {n} out of range parsing HostAndPort from \"{s}\""
                    ))
                }
                Err(_) => {
                    return Err(format!(
                        "Port number {p} is not a number parsing HostAndPort from \"{s}\""
                    ))
                }
            },
        };
        Ok(HostAndPort {
            host: host.to_string(),
            port,
        })
    }

    /// The server's notion of a localhost reference (for the all-or-none rule).
    pub fn is_localhost(&self) -> bool {
        let h = self.host.as_str();
        h == "localhost"
            || h.starts_with("127.")
            || h == "::1"
            || h == "0:0:0:0:0:0:0:1"
            || h.ends_with(".sock")
    }
}

impl std::fmt::Display for HostAndPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalize(raw: &str) -> Result<String, String> {
        HostAndPort::parse(raw).map(|h| h.to_string())
    }

    #[test]
    fn normalises_like_the_server() {
        assert_eq!(normalize(" localhost ").unwrap(), "localhost:27017");
        assert_eq!(normalize("127.0.0.1:40001").unwrap(), "127.0.0.1:40001");
        assert_eq!(normalize("[::1]").unwrap(), "[::1]:27017");
        assert_eq!(normalize("::1").unwrap(), "[::1]:27017");
        assert_eq!(normalize("[::1]:5").unwrap(), "[::1]:5");
        assert!(normalize("")
            .unwrap_err()
            .starts_with("Empty host component"));
        assert!(normalize(":27017").is_err());
        assert!(normalize("h:0").unwrap_err().contains("out of range"));
        assert!(normalize("h:99999").is_err());
        assert!(normalize("h:abc").is_err());
        assert!(normalize("[::1").is_err());
    }

    #[test]
    fn localhost_references() {
        for h in ["localhost:1", "127.0.0.1:1", "127.1.2.3", "[::1]:2"] {
            assert!(HostAndPort::parse(h).unwrap().is_localhost(), "{h}");
        }
        for h in ["example.com", "10.0.0.1:1", "morton.local:27017"] {
            assert!(!HostAndPort::parse(h).unwrap().is_localhost(), "{h}");
        }
    }
}
