//! What to connect to (`ConnectSpec`, built by the CLI's connection plan) and where one command
//! goes (`Target`, `ReadPref`).

use std::time::Duration;

use mongodb::bson::{Bson, Document};
use mongodb::options::{ReadPreference, ReadPreferenceOptions, SelectionCriteria, TagSet};

use super::error::ConnError;

/// Everything needed to open a connection. `uri` is final: the CLI has already applied the
/// legacy rules (one host → `directConnection=true`, seed list with a set name → `replicaSet`).
#[derive(Clone, Debug, Default)]
pub struct ConnectSpec {
    pub uri: String,
    /// Database `db` starts on (`test` unless the address named one).
    pub db: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `--authenticationDatabase`; empty → the driver's default (the URI's or `admin`).
    pub auth_db: Option<String>,
    pub auth_mechanism: Option<String>,
    pub tls: TlsSpec,
    /// Server selection timeout (`--serverSelectionTimeoutMS`); `None` → the URI's
    /// `serverSelectionTimeoutMS`, else 30 s as in the drivers.
    pub server_selection_timeout: Option<Duration>,
    /// `--retryWrites` / `retryWrites=`; `None` → on, as in the drivers.
    pub retry_writes: Option<bool>,
}

/// `--tls*` / `--ssl*` options.
#[derive(Clone, Debug, Default)]
pub struct TlsSpec {
    pub enabled: bool,
    pub ca_file: Option<String>,
    pub cert_key_file: Option<String>,
    pub cert_key_password: Option<String>,
    pub allow_invalid_certificates: bool,
    pub allow_invalid_hostnames: bool,
}

impl ConnectSpec {
    /// A spec for a plain URI with no extra options (tests, `new Mongo("h:p")`).
    pub fn from_uri(uri: &str) -> Self {
        ConnectSpec {
            uri: uri.to_string(),
            db: "test".to_string(),
            ..Default::default()
        }
    }

    /// `new Mongo(x)` / `connect(x)`: a URI as is, or a legacy host string
    /// `[set/]h1[:p1][,h2…]` by the shell's rules (one host, no set → a direct connection).
    pub fn from_host_string(text: &str) -> Result<Self, ConnError> {
        let text = text.trim();
        if text.starts_with("mongodb://") || text.starts_with("mongodb+srv://") {
            return Ok(Self::from_uri(text));
        }
        let (set, list) = match text.split_once('/') {
            Some((set, list)) => (Some(set), list),
            None => (None, text),
        };
        if list.is_empty() || set == Some("") {
            return Err(ConnError::Usage(format!("invalid host string: '{text}'")));
        }
        let mut hosts = Vec::new();
        for h in list.split(',') {
            let h = h.trim();
            if h.is_empty() || h.contains(['@', '?', ' ', '/']) {
                return Err(ConnError::Usage(format!("invalid host: '{h}'")));
            }
            let has_port = match h.rfind(':') {
                Some(i) => !h.starts_with('[') || h[..i].ends_with(']'),
                None => false,
            };
            hosts.push(if has_port {
                h.to_string()
            } else {
                format!("{h}:27017")
            });
        }
        let query = match set {
            Some(s) => format!("?replicaSet={s}"),
            None if hosts.len() == 1 => "?directConnection=true".to_string(),
            None => String::new(),
        };
        Ok(Self::from_uri(&format!(
            "mongodb://{}/{query}",
            hosts.join(",")
        )))
    }
}

/// A read preference as the shell knows it: `setReadPref(mode, tagSets)`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadPref {
    pub mode: String,
    pub tags: Vec<Document>,
}

impl ReadPref {
    /// Validates the mode name (legacy spelling, case-sensitive like the legacy shell).
    pub fn new(mode: &str, tags: Vec<Document>) -> Result<Self, ConnError> {
        match mode {
            "primary" | "primaryPreferred" | "secondary" | "secondaryPreferred" | "nearest" => {}
            _ => {
                return Err(ConnError::Usage(format!(
                    "invalid read preference mode: {mode}"
                )))
            }
        }
        if mode == "primary" && tags.iter().any(|t| !t.is_empty()) {
            return Err(ConnError::Usage(
                "primary read preference cannot be combined with tags".to_string(),
            ));
        }
        Ok(ReadPref {
            mode: mode.to_string(),
            tags,
        })
    }

    /// The `$readPreference` document form (`{mode, tags}`), as `getReadPref()` shows it.
    pub fn to_document(&self) -> Document {
        let mut d = Document::new();
        d.insert("mode", self.mode.clone());
        if !self.tags.is_empty() {
            d.insert(
                "tags",
                self.tags
                    .iter()
                    .cloned()
                    .map(Bson::Document)
                    .collect::<Vec<_>>(),
            );
        }
        d
    }

    pub fn to_driver(&self) -> Result<ReadPreference, ConnError> {
        let mut sets: Vec<TagSet> = Vec::new();
        for t in &self.tags {
            let mut set = TagSet::new();
            for (k, v) in t {
                match v {
                    Bson::String(s) => {
                        set.insert(k.clone(), s.clone());
                    }
                    other => {
                        return Err(ConnError::Usage(format!(
                            "tag values must be strings: {k} is {other}"
                        )))
                    }
                }
            }
            sets.push(set);
        }
        let options = if sets.is_empty() {
            None
        } else {
            Some(ReadPreferenceOptions::builder().tag_sets(sets).build())
        };
        Ok(match self.mode.as_str() {
            "primaryPreferred" => ReadPreference::PrimaryPreferred { options },
            "secondary" => ReadPreference::Secondary { options },
            "secondaryPreferred" => ReadPreference::SecondaryPreferred { options },
            "nearest" => ReadPreference::Nearest { options },
            _ => ReadPreference::Primary,
        })
    }
}

/// Where one command is sent.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// The primary (or the only node of a direct connection).
    Primary,
    /// A member chosen by read preference (data-bearing members only).
    ReadPref(ReadPref),
    /// One member by `host:port`, through its own direct client: works for arbiters,
    /// uninitiated and recovering nodes.
    Member(String),
}

impl Target {
    pub(crate) fn criteria(&self) -> Result<Option<SelectionCriteria>, ConnError> {
        match self {
            Target::Primary | Target::Member(_) => Ok(None),
            Target::ReadPref(rp) => Ok(Some(SelectionCriteria::ReadPreference(rp.to_driver()?))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    #[test]
    fn host_strings_follow_the_shell_rules() {
        let uri = |t: &str| ConnectSpec::from_host_string(t).map(|s| s.uri);
        assert_eq!(uri("h:1").unwrap(), "mongodb://h:1/?directConnection=true");
        assert_eq!(
            uri("h").unwrap(),
            "mongodb://h:27017/?directConnection=true"
        );
        assert_eq!(
            uri("rs0/a:1,b").unwrap(),
            "mongodb://a:1,b:27017/?replicaSet=rs0"
        );
        assert_eq!(uri("a:1,b:2").unwrap(), "mongodb://a:1,b:2/");
        assert_eq!(uri("mongodb://x:1/db").unwrap(), "mongodb://x:1/db");
        assert!(uri("").is_err());
        assert!(uri("/a:1").is_err());
        assert!(uri("u@h:1").is_err());
    }

    #[test]
    fn read_pref_rejects_bad_mode_and_primary_tags() {
        assert!(ReadPref::new("secondry", vec![]).is_err());
        assert!(ReadPref::new("primary", vec![doc! {"dc": "ny"}]).is_err());
        assert!(ReadPref::new("primary", vec![]).is_ok());
    }

    #[test]
    fn read_pref_document_and_driver_form() {
        let rp = ReadPref::new("secondary", vec![doc! {"dc": "ny"}, doc! {"dc": "sf"}]).unwrap();
        assert_eq!(
            rp.to_document(),
            doc! {"mode": "secondary", "tags": [{"dc": "ny"}, {"dc": "sf"}]}
        );
        match rp.to_driver().unwrap() {
            ReadPreference::Secondary { options: Some(o) } => {
                let sets = o.tag_sets.unwrap_or_default();
                assert_eq!(sets.len(), 2);
                assert_eq!(sets[1].get("dc").map(String::as_str), Some("sf"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let bad = ReadPref::new("nearest", vec![doc! {"dc": 1}]).unwrap();
        assert!(bad.to_driver().is_err());
    }
}
