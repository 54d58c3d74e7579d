//! A cached view of the deployment, fed by the driver's SDAM events (the driver has no public
//! "current topology" getter). Read by the prompt and by member targeting; never waits.

use std::sync::{Arc, RwLock};

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

fn view_of(d: &TopologyDescription, generation: u64) -> TopologyView {
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
    }
}

/// The SDAM callback that keeps `shared` current.
pub fn sdam_handler(shared: SharedTopology) -> mongodb::event::EventHandler<SdamEvent> {
    mongodb::event::EventHandler::callback(move |ev: SdamEvent| {
        if let SdamEvent::TopologyDescriptionChanged(ev) = ev {
            if let Ok(mut w) = shared.write() {
                let next = w.generation + 1;
                *w = view_of(&ev.new_description, next);
            }
        }
    })
}
