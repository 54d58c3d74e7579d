//! What rsh could learn about one host, and the trait the connection layer implements to learn
//! it (hello within about 2 s, DNS resolution, all hosts in parallel).

use bson::Document;

/// The answers about one host of a config.
#[derive(Debug, Clone, PartialEq)]
pub struct HostProbe {
    /// As written in the config.
    pub host: String,
    /// `Some(reason)` when the name does not resolve.
    pub resolve_error: Option<String>,
    /// The hello reply, or why there is none (timeout, refused, …).
    pub hello: Result<Document, String>,
    /// The `--replSet` the process was started with (`getCmdLineOpts`), when it says.
    pub repl_set: Option<String>,
}

impl HostProbe {
    pub fn answered(&self) -> bool {
        self.resolve_error.is_none() && self.hello.is_ok()
    }

    pub fn hello(&self) -> Option<&Document> {
        self.hello.as_ref().ok()
    }
}

/// Asks hosts the preflight questions. Implementations bound each host's wait (about 2 s) and
/// ask all hosts at once; the result has one entry per host, in order.
pub trait Probe {
    fn probe(&self, hosts: &[String]) -> Vec<HostProbe>;
}
