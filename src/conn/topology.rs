//! A cached view of the deployment, fed by the driver's SDAM events (the driver has no public
//! "current topology" getter). Read by the prompt and by member targeting; never waits.
//! The monitors' heartbeats are kept per host too: they say why no member could be selected
//! (a different set name, refused connections, no answer, a name that does not resolve) even
//! after the driver has dropped a host from its description.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use mongodb::error::{Error as DriverError, ErrorKind};
use mongodb::event::sdam::{SdamEvent, TopologyDescription};
use mongodb::options::ServerAddress;
use mongodb::{ServerType, TopologyType};

/// A member's role as the driver's monitor last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Primary,
    Secondary,
    Arbiter,
    /// Hidden, STARTUP2, RECOVERING, ROLLBACK…
    Other,
    /// Started with a set name but not (or no longer) in a config.
    Ghost,
    Standalone,
    Mongos,
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemberView {
    pub address: String,
    pub role: Role,
    pub set_name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopologyView {
    /// Driver topology type name: Single, ReplicaSetWithPrimary, ReplicaSetNoPrimary, Sharded,
    /// LoadBalanced, Unknown.
    pub kind: String,
    pub set_name: Option<String>,
    pub members: Vec<MemberView>,
    /// Bumped on every change, so callers can notice one cheaply.
    pub generation: u64,
    /// The last heartbeat outcome of every host the monitors have asked, by `host:port`.
    pub heard: BTreeMap<String, Heard>,
}

/// The outcome of a monitor's last `hello` to one host.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    /// It answered, reporting this replica set name (`None`: not a replica-set member).
    Answered {
        set_name: Option<String>,
    },
    Failed(Failure),
}

/// Why a host could not be asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    Refused,
    /// Connected (or tried to) but got no answer within the connect timeout.
    NoAnswer,
    /// The host name does not resolve.
    NameNotFound,
    /// Anything else, as the driver's first line.
    Other(String),
}

impl Failure {
    /// The reason as a short phrase.
    pub fn phrase(&self) -> String {
        match self {
            Failure::Refused => "connection refused".to_string(),
            Failure::NoAnswer => "no answer".to_string(),
            Failure::NameNotFound => "host name not found".to_string(),
            Failure::Other(t) => t.clone(),
        }
    }

    /// Sort a heartbeat's (or a command's) transport error.
    pub fn of(err: &DriverError) -> Failure {
        match err.kind.as_ref() {
            ErrorKind::Io(e) => match e.kind() {
                std::io::ErrorKind::ConnectionRefused => Failure::Refused,
                std::io::ErrorKind::TimedOut => Failure::NoAnswer,
                _ => Failure::of_text(&e.to_string()),
            },
            ErrorKind::DnsResolve { .. } => Failure::NameNotFound,
            _ => Failure::of_text(&err.to_string()),
        }
    }

    fn of_text(text: &str) -> Failure {
        let lower = text.to_ascii_lowercase();
        if lower.contains("failed to lookup address") || lower.contains("name or service not known")
        {
            Failure::NameNotFound
        } else if lower.contains("connection refused") {
            Failure::Refused
        } else if lower.contains("timed out") {
            Failure::NoAnswer
        } else {
            Failure::Other(crate::conn::error::plain_error_text(text))
        }
    }
}

impl TopologyView {
    pub fn primary(&self) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.role == Role::Primary)
            .map(|m| m.address.as_str())
    }

    pub fn role_of(&self, address: &str) -> Option<Role> {
        self.members
            .iter()
            .find(|m| m.address == address)
            .map(|m| m.role)
    }

    /// The only member of a direct (Single) topology.
    pub fn single(&self) -> Option<&MemberView> {
        if self.kind == "Single" {
            self.members.first()
        } else {
            None
        }
    }
}

pub type SharedTopology = Arc<RwLock<TopologyView>>;

pub fn address_string(a: &ServerAddress) -> String {
    match a {
        ServerAddress::Tcp { host, port } => format!("{host}:{}", port.unwrap_or(27017)),
        other => other.to_string(),
    }
}

fn role(t: ServerType) -> Role {
    match t {
        ServerType::RsPrimary => Role::Primary,
        ServerType::RsSecondary => Role::Secondary,
        ServerType::RsArbiter => Role::Arbiter,
        ServerType::RsOther => Role::Other,
        ServerType::RsGhost => Role::Ghost,
        ServerType::Standalone => Role::Standalone,
        ServerType::Mongos => Role::Mongos,
        _ => Role::Unknown,
    }
}

fn kind_name(t: TopologyType) -> String {
    match t {
        TopologyType::Single => "Single",
        TopologyType::ReplicaSetNoPrimary => "ReplicaSetNoPrimary",
        TopologyType::ReplicaSetWithPrimary => "ReplicaSetWithPrimary",
        TopologyType::Sharded => "Sharded",
        TopologyType::LoadBalanced => "LoadBalanced",
        _ => "Unknown",
    }
    .to_string()
}

fn view_of(
    d: &TopologyDescription,
    generation: u64,
    heard: BTreeMap<String, Heard>,
) -> TopologyView {
    let mut members: Vec<MemberView> = d
        .servers()
        .into_iter()
        .map(|(addr, info)| MemberView {
            address: address_string(addr),
            role: role(info.server_type()),
            set_name: info.replica_set_name().map(str::to_string),
        })
        .collect();
    members.sort_by(|a, b| a.address.cmp(&b.address));
    TopologyView {
        kind: kind_name(d.topology_type()),
        set_name: d.set_name().cloned(),
        members,
        generation,
        heard,
    }
}

/// The SDAM callback that keeps `shared` current.
pub fn sdam_handler(shared: SharedTopology) -> mongodb::event::EventHandler<SdamEvent> {
    mongodb::event::EventHandler::callback(move |ev: SdamEvent| {
        let Ok(mut w) = shared.write() else {
            return;
        };
        match ev {
            SdamEvent::TopologyDescriptionChanged(ev) => {
                let next = w.generation + 1;
                let heard = std::mem::take(&mut w.heard);
                *w = view_of(&ev.new_description, next, heard);
            }
            SdamEvent::ServerHeartbeatSucceeded(ev) => {
                let set_name = ev.reply.get_str("setName").ok().map(str::to_string);
                w.heard.insert(
                    address_string(&ev.server_address),
                    Heard::Answered { set_name },
                );
            }
            SdamEvent::ServerHeartbeatFailed(ev) => {
                w.heard.insert(
                    address_string(&ev.server_address),
                    Heard::Failed(Failure::of(&ev.failure)),
                );
            }
            _ => {}
        }
    })
}
