//! Facts behind a failed command's message: the monitors' heartbeats (kept by the topology
//! view) and, after a broken connection on a replica set, a quick connection attempt to every
//! host. A broken connection alone cannot tell a failover (other members answer) from a set
//! that is down (none does); the attempt can, within [`REACH_TIMEOUT`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::error::{map_class, ConnError, ErrClass, Facts};
use super::runtime::block_on;
use super::topology::{address_string, Failure};
use super::Connection;

/// How long one host may take to accept a connection before it counts as not answering.
const REACH_TIMEOUT: Duration = Duration::from_millis(1500);

impl Connection {
    /// What is known about the hosts now, without waiting.
    pub(crate) fn facts(&self) -> Facts {
        Facts {
            expected_set: self.options.repl_set_name.clone(),
            seeds: self.options.hosts.iter().map(address_string).collect(),
            heard: self.topology().heard,
            probed: None,
        }
    }

    /// The user-facing error for a failure that is not a server reply.
    pub(crate) fn map_failure(
        &self,
        class: ErrClass,
        command: &str,
        to_primary: bool,
    ) -> ConnError {
        let mut ctx = self.ctx(command, to_primary);
        if self.replica_set && matches!(class, ErrClass::Network(_)) {
            ctx.facts.probed = self.reach(&ctx.facts.hosts());
        }
        map_class(class, &ctx)
    }

    /// Try a TCP connection to every host at once; `None` when interrupted.
    fn reach(&self, hosts: &[String]) -> Option<BTreeMap<String, Option<Failure>>> {
        let tries =
            hosts.iter().map(|h| async move {
                let outcome =
                    match tokio::time::timeout(REACH_TIMEOUT, tokio::net::TcpStream::connect(h))
                        .await
                    {
                        Ok(Ok(_)) => None,
                        Ok(Err(e)) => Some(failure_of_io(&e)),
                        Err(_) => Some(Failure::NoAnswer),
                    };
                (h.clone(), outcome)
            });
        block_on(&self.interrupt, futures_util::future::join_all(tries))
            .ok()
            .map(|v| v.into_iter().collect())
    }
}

fn failure_of_io(e: &std::io::Error) -> Failure {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => Failure::Refused,
        std::io::ErrorKind::TimedOut => Failure::NoAnswer,
        _ if e.to_string().contains("failed to lookup address") => Failure::NameNotFound,
        _ => Failure::Other(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_failures_sort() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(failure_of_io(&refused), Failure::Refused);
        let dns = std::io::Error::other(
            "failed to lookup address information: Name or service not known",
        );
        assert_eq!(failure_of_io(&dns), Failure::NameNotFound);
    }
}
