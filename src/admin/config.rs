//! Reading replica-set config documents the way the server does: defaults for absent member
//! fields, host names split into name and port, the implicit default write concern.

use bson::{Bson, Document};

/// The port the server assumes for a host written without one.
pub const DEFAULT_PORT: u16 = 27017;
/// The server's limits on a config.
pub const MAX_MEMBERS: usize = 50;
pub const MAX_VOTERS: usize = 7;

/// One member of a config, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub id: i64,
    pub host: String,
    pub priority: f64,
    pub votes: i64,
    pub arbiter: bool,
    pub hidden: bool,
    pub delay_secs: i64,
}

impl Member {
    pub fn voter(&self) -> bool {
        self.votes > 0
    }

    /// Can become primary.
    pub fn electable(&self) -> bool {
        !self.arbiter && self.voter() && self.priority > 0.0
    }
}

/// A number of any BSON numeric type.
pub fn num(v: Option<&Bson>) -> Option<f64> {
    match v? {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        Bson::Boolean(b) => Some(if *b { 1.0 } else { 0.0 }),
        Bson::Decimal128(d) => d.to_string().parse().ok(),
        _ => None,
    }
}

pub fn truthy(v: Option<&Bson>) -> bool {
    match v {
        Some(Bson::Boolean(b)) => *b,
        Some(Bson::Null) | Some(Bson::Undefined) | None => false,
        other => num(other).is_none_or(|n| n != 0.0),
    }
}

/// The members of `cfg` (entries that are not documents are skipped).
pub fn members(cfg: &Document) -> Vec<Member> {
    let Ok(list) = cfg.get_array("members") else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Bson::as_document)
        .map(|m| {
            let arbiter = truthy(m.get("arbiterOnly"));
            Member {
                id: num(m.get("_id")).unwrap_or(-1.0) as i64,
                host: m.get_str("host").unwrap_or("").to_string(),
                priority: num(m.get("priority")).unwrap_or(if arbiter { 0.0 } else { 1.0 }),
                votes: num(m.get("votes")).unwrap_or(1.0) as i64,
                arbiter,
                hidden: truthy(m.get("hidden")),
                delay_secs: num(m.get("secondaryDelaySecs").or(m.get("slaveDelay"))).unwrap_or(0.0)
                    as i64,
            }
        })
        .collect()
}

pub fn version(cfg: &Document) -> Option<i64> {
    num(cfg.get("version")).map(|v| v as i64)
}

/// `host:port` → (`host`, Some(port)); `[::1]:5` → (`::1`, Some(5)); `host` → (`host`, None).
pub fn split_host(host: &str) -> (&str, Option<u16>) {
    if let Some(rest) = host.strip_prefix('[') {
        if let Some((name, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
            return (name, port);
        }
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, port.parse().ok()),
        _ => (host, None),
    }
}

/// `host` with the server's default port when it has none.
pub fn with_port(host: &str) -> String {
    match split_host(host) {
        (_, Some(_)) => host.to_string(),
        (name, None) => {
            // Stray brackets in a malformed name must not hide the port added here.
            let bare: String = name.chars().filter(|c| !matches!(c, '[' | ']')).collect();
            if bare.contains(':') {
                format!("[{bare}]:{DEFAULT_PORT}")
            } else {
                format!("{bare}:{DEFAULT_PORT}")
            }
        }
    }
}

/// Hosts compared the way the server does: case-insensitive names, default port filled in.
pub fn same_host(a: &str, b: &str) -> bool {
    with_port(a).eq_ignore_ascii_case(&with_port(b))
}

/// Names the server treats as this machine only (it refuses configs mixing them with others).
pub fn is_localhost(host: &str) -> bool {
    let (name, _) = split_host(host);
    name.eq_ignore_ascii_case("localhost") || name.starts_with("127.") || name == "::1"
}

/// Whether the server's implicit default write concern for `cfg` is `majority` (5.0+): it is
/// `{w: 1}` when there is an arbiter and the voting data members are no more than a majority
/// of the voters.
pub fn implicit_default_majority(cfg: &Document) -> bool {
    let ms = members(cfg);
    let voters = ms.iter().filter(|m| m.voter()).count();
    let data_voters = ms.iter().filter(|m| m.voter() && !m.arbiter).count();
    let arbiters = voters - data_voters;
    arbiters == 0 || data_voters > voters / 2 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn cfg(members: Vec<Document>) -> Document {
        doc! {"_id": "rs0", "version": 1, "members": members}
    }

    #[test]
    fn defaults_are_filled_in() {
        let c = cfg(vec![
            doc! {"_id": 0, "host": "a:1"},
            doc! {"_id": 1, "host": "b:1", "arbiterOnly": true},
            doc! {"_id": 2, "host": "c:1", "priority": 0, "votes": 0, "hidden": true, "secondaryDelaySecs": 60i64},
        ]);
        let m = members(&c);
        assert_eq!((m[0].priority, m[0].votes, m[0].arbiter), (1.0, 1, false));
        assert!(m[0].electable());
        assert_eq!((m[1].priority, m[1].arbiter), (0.0, true));
        assert!(!m[1].electable() && m[1].voter());
        assert!(!m[2].voter() && m[2].hidden);
        assert_eq!(m[2].delay_secs, 60);
    }

    #[test]
    fn hosts() {
        assert_eq!(split_host("a.b:27018"), ("a.b", Some(27018)));
        assert_eq!(split_host("10.0.0.3"), ("10.0.0.3", None));
        assert_eq!(split_host("[::1]:5"), ("::1", Some(5)));
        assert_eq!(with_port("10.0.0.3"), "10.0.0.3:27017");
        assert!(same_host("Host:27017", "host"));
        assert!(!same_host("host:1", "host:2"));
        assert!(is_localhost("localhost:1") && is_localhost("127.0.0.2:1"));
        assert!(!is_localhost("10.0.0.1:1"));
    }

    proptest::proptest! {
        /// Any text: splitting never panics, and with_port always ends in a port the split
        /// reads back.
        #[test]
        fn host_names_always_get_a_port(h in "\\PC{0,40}") {
            let _ = split_host(&h);
            let full = with_port(&h);
            proptest::prop_assert!(split_host(&full).1.is_some(), "{:?} -> {:?}", h, full);
            proptest::prop_assert!(same_host(&full, &full));
        }
    }

    /// Table rows of a section of docs/replica-set-rules.md, cells trimmed, header skipped.
    fn doc_rows(section: &str) -> Vec<Vec<String>> {
        let text = include_str!("../../docs/replica-set-rules.md");
        let start = text.find(section).expect("section");
        text[start..]
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| {
                l.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn limits_are_the_documented_ones() {
        let rows = doc_rows("## Limits");
        let value = |name: &str| -> usize {
            rows.iter()
                .find(|r| r[0] == name)
                .and_then(|r| r[1].parse().ok())
                .expect("documented limit")
        };
        assert_eq!(MAX_MEMBERS, value("members"));
        assert_eq!(MAX_VOTERS, value("voting members"));
    }

    #[test]
    fn implicit_default_follows_the_documented_table() {
        let rows = doc_rows("## Implicit default write concern");
        assert!(rows.len() >= 6);
        for r in rows {
            let n = |i: usize| r[i].parse::<usize>().expect("number");
            let (data, arbiters) = (n(0), n(1));
            assert_eq!(data + arbiters, n(2));
            assert_eq!(n(2) / 2 + 1, n(3));
            let mut list: Vec<Document> = (0..data)
                .map(|i| doc! {"_id": i as i32, "host": format!("d{i}:1")})
                .collect();
            list.extend((0..arbiters).map(|i| {
                doc! {"_id": (data + i) as i32, "host": format!("a{i}:1"), "arbiterOnly": true}
            }));
            let majority = implicit_default_majority(&cfg(list));
            assert_eq!(majority, r[4] == "majority", "{r:?}");
        }
    }

    #[test]
    fn implicit_default_write_concern() {
        let ps = cfg(vec![
            doc! {"_id": 0, "host": "a:1"},
            doc! {"_id": 1, "host": "b:1"},
        ]);
        assert!(implicit_default_majority(&ps));
        let mut psa = ps.clone();
        if let Ok(list) = psa.get_array_mut("members") {
            list.push(Bson::Document(
                doc! {"_id": 2, "host": "c:1", "arbiterOnly": true},
            ));
        }
        assert!(!implicit_default_majority(&psa));
        let pssa = cfg(vec![
            doc! {"_id": 0, "host": "a:1"},
            doc! {"_id": 1, "host": "b:1"},
            doc! {"_id": 2, "host": "c:1"},
            doc! {"_id": 3, "host": "d:1", "arbiterOnly": true},
        ]);
        // 4 voters, majority 3, 3 data voters: not more than the majority.
        assert!(!implicit_default_majority(&pssa));
    }
}
